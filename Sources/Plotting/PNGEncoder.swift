import CZlib
import Foundation

/// Encodes an opaque image as a PNG file: 8-bit RGB, each row filtered with `Up` (the difference
/// from the row above, which turns a chart's flat areas and vertical runs into zeros), deflated by
/// zlib at its default level, plus a pHYs chunk with the resolution. Cairo's own writer chooses a
/// filter per row by libpng's heuristic, which took half of the encoding time; on the study's
/// figures `Up` alone gives files of the same total size (each within about 10%, either way).
enum PNGEncoder {
    /// The file of `width` × `height` pixels given as rows of Cairo ARGB32 words (`stride` bytes
    /// apart, alpha ignored: the canvas is opaque), at `dpi` dots per inch.
    static func encode(argb pixels: UnsafePointer<UInt8>, width: Int, height: Int, stride: Int, dpi: Double) throws -> Data {
        try PNGImage(argb: pixels, width: width, height: height, stride: stride, dpi: dpi).encoded()
    }
}

/// An image's PNG scanlines, filtered and not yet compressed: what a PNG canvas's drawing becomes apart
/// from the canvas, so that it can be compressed on another thread (`encoded`, the expensive part).
public struct PNGImage: Sendable {
    /// Per row: the filter byte (2, Up) and RGB, each byte minus the one above it.
    let scanlines: [UInt8]
    let width: Int
    let height: Int
    let dpi: Double

    /// The scanlines of `width` × `height` pixels given as rows of Cairo ARGB32 words (`stride` bytes
    /// apart, alpha ignored: the canvas is opaque), at `dpi` dots per inch.
    init(argb pixels: UnsafePointer<UInt8>, width: Int, height: Int, stride: Int, dpi: Double) {
        let rowBytes = 1 + 3 * width
        var scanlines = [UInt8](repeating: 0, count: rowBytes * height)
        scanlines.withUnsafeMutableBufferPointer { lines in
            for row in 0..<height {
                let words = UnsafeRawPointer(pixels + row * stride).assumingMemoryBound(to: UInt32.self)
                let above = UnsafeRawPointer(pixels + max(row - 1, 0) * stride).assumingMemoryBound(to: UInt32.self)
                let line = lines.baseAddress! + row * rowBytes
                line[0] = 2
                for column in 0..<width {
                    let word = words[column], previous = row == 0 ? 0 : above[column]
                    line[1 + 3 * column] = UInt8(truncatingIfNeeded: word >> 16) &- UInt8(truncatingIfNeeded: previous >> 16)
                    line[2 + 3 * column] = UInt8(truncatingIfNeeded: word >> 8) &- UInt8(truncatingIfNeeded: previous >> 8)
                    line[3 + 3 * column] = UInt8(truncatingIfNeeded: word) &- UInt8(truncatingIfNeeded: previous)
                }
            }
        }
        (self.scanlines, self.width, self.height, self.dpi) = (scanlines, width, height, dpi)
    }

    /// The PNG file: the scanlines deflated, with the header and the resolution.
    public func encoded() throws -> Data {
        var compressedCount = compressBound(uLong(scanlines.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedCount))
        let status = compress2(&compressed, &compressedCount, scanlines, uLong(scanlines.count), Z_DEFAULT_COMPRESSION)
        guard status == Z_OK else { throw PlottingError.cairo("zlib could not compress the image (status \(status))") }

        var file = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var header = Self.bigEndian(UInt32(width)) + Self.bigEndian(UInt32(height))
        header += [8, 2, 0, 0, 0]   // 8 bits per sample, RGB, deflate, adaptive filtering, no interlace
        Self.appendChunk("IHDR", header, to: &file)
        let dotsPerMetre = UInt32((dpi / 0.0254).rounded())
        Self.appendChunk("pHYs", Self.bigEndian(dotsPerMetre) + Self.bigEndian(dotsPerMetre) + [1], to: &file)   // unit: metre
        compressed.removeLast(compressed.count - Int(compressedCount))
        Self.appendChunk("IDAT", compressed, to: &file)
        Self.appendChunk("IEND", [], to: &file)
        return file
    }

    /// The four bytes of `value`, most significant first.
    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    /// A chunk: the data's length, the type, the data, and the CRC-32 of type and data.
    private static func appendChunk(_ type: String, _ data: [UInt8], to file: inout Data) {
        let typeBytes = Array(type.utf8)
        // zlib's crc32 of a null buffer is its initial value, not the CRC so far: skip empty data.
        let typeCRC = crc32(0, typeBytes, 4)
        let crc = data.isEmpty ? typeCRC : data.withUnsafeBufferPointer { crc32(typeCRC, $0.baseAddress, uInt($0.count)) }
        file.append(contentsOf: bigEndian(UInt32(data.count)) + typeBytes)
        file.append(contentsOf: data)
        file.append(contentsOf: bigEndian(UInt32(crc)))
    }
}
