import CZlib
import Foundation
import Testing
@testable import Plotting

/// The PNG encoder against zlib's own inflate and CRC-32: every chunk's CRC, the header, the
/// resolution, and the pixels after undoing the filter equal the image that was encoded.
struct PNGEncoderTests {
    /// A 37 × 5 image with a stride wider than its rows, in Cairo's ARGB32 words.
    static func image() -> (words: [UInt32], width: Int, height: Int, stride: Int) {
        let width = 37, height = 5, strideWords = 40
        var words = [UInt32](repeating: 0xDEADBEEF, count: strideWords * height)   // padding that must not leak
        for row in 0..<height {
            for column in 0..<width {
                let (r, g, b) = (UInt32((column * 7 + row) % 256), UInt32((column * column + 3 * row) % 256), UInt32((255 - column * 5) % 256))
                words[row * strideWords + column] = 0xFF00_0000 | r << 16 | g << 8 | b
            }
        }
        return (words, width, height, strideWords * 4)
    }

    static func uint32(_ bytes: Data, at offset: Int) -> UInt32 {
        bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    @Test func chunksHeaderAndPixelsRoundTrip() throws {
        let (words, width, height, stride) = Self.image()
        let file = try words.withUnsafeBytes { raw in
            try PNGEncoder.encode(argb: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), width: width, height: height, stride: stride, dpi: 150)
        }
        #expect(Array(file.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var offset = 8, chunks = [String: Data]()
        while offset < file.count {
            let length = Int(Self.uint32(file, at: offset))
            let typed = Data(file[(offset + 4)..<(offset + 8 + length)])
            let crc = typed.withUnsafeBytes { UInt32(crc32(0, $0.baseAddress!.assumingMemoryBound(to: UInt8.self), uInt(typed.count))) }
            let type = String(decoding: typed.prefix(4), as: UTF8.self)
            #expect(crc == Self.uint32(file, at: offset + 8 + length), "CRC of \(type)")
            chunks[type] = Data(typed.dropFirst(4))
            offset += 12 + length
        }
        #expect(offset == file.count && chunks.keys.sorted() == ["IDAT", "IEND", "IHDR", "pHYs"])
        let header = chunks["IHDR"]!
        #expect(Self.uint32(header, at: 0) == 37 && Self.uint32(header, at: 4) == 5 && Array(header.suffix(5)) == [8, 2, 0, 0, 0])
        let physical = chunks["pHYs"]!
        #expect(Self.uint32(physical, at: 0) == 5906 && Self.uint32(physical, at: 4) == 5906 && physical.last == 1)   // 150 dpi

        let compressed = [UInt8](chunks["IDAT"]!)
        var inflated = [UInt8](repeating: 0, count: height * (1 + 3 * width))
        var inflatedCount = uLongf(inflated.count)
        #expect(uncompress(&inflated, &inflatedCount, compressed, uLong(compressed.count)) == Z_OK && Int(inflatedCount) == inflated.count)
        for row in 0..<height {
            let line = row * (1 + 3 * width)
            #expect(inflated[line] == 2)   // Up
            for column in 0..<width {
                let word = words[row * stride / 4 + column], above = row == 0 ? 0 : words[(row - 1) * stride / 4 + column]
                let pixel = [word >> 16, word >> 8, word].map { UInt8($0 & 0xFF) }
                let previous = [above >> 16, above >> 8, above].map { UInt8($0 & 0xFF) }
                let decoded = (0..<3).map { inflated[line + 1 + 3 * column + $0] &+ previous[$0] }
                #expect(decoded == pixel, "pixel \(column), \(row)")
            }
        }
    }

    /// The RGB rows of a PNG that `PNGEncoder` wrote (8-bit RGB, every row filtered with Up), decoded
    /// with zlib's inflate.
    static func decodedRows(_ file: Data) -> [[UInt8]] {
        var offset = 8, header = Data(), compressed = [UInt8]()
        while offset < file.count {
            let length = Int(uint32(file, at: offset))
            let type = String(decoding: file[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let body = Data(file[(offset + 8)..<(offset + 8 + length)])
            if type == "IHDR" { header = body } else if type == "IDAT" { compressed += body }
            offset += 12 + length
        }
        let width = Int(uint32(header, at: 0)), height = Int(uint32(header, at: 4))
        var inflated = [UInt8](repeating: 0, count: height * (1 + 3 * width))
        var inflatedCount = uLongf(inflated.count)
        guard uncompress(&inflated, &inflatedCount, compressed, uLong(compressed.count)) == Z_OK else { return [] }
        var rows = [[UInt8]](), previous = [UInt8](repeating: 0, count: 3 * width)
        for row in 0..<height {
            let line = row * (1 + 3 * width)
            let decoded = (0..<(3 * width)).map { inflated[line + 1 + $0] &+ previous[$0] }
            rows.append(decoded)
            previous = decoded
        }
        return rows
    }

    /// A canvas whose pixel size rounds up (200.5 × 100.5 pixels become 201 × 101) is white to its last
    /// row and column: the background covers every pixel, not only the point rectangle (which left a
    /// half-covered edge that the encoder, writing no alpha, showed grey 128).
    @Test func edgePixelsOfARoundedUpCanvasAreWhite() throws {
        let canvas = try Canvas(width: 200.5 * 72 / 150, height: 100.5 * 72 / 150, format: .png, dpi: 150, font: try Font())
        let rows = Self.decodedRows(try canvas.render())
        #expect(rows.count == 101 && rows.first?.count == 3 * 201)
        let lastRow = rows.last ?? [], lastColumn = rows.flatMap { $0.suffix(3) }
        #expect(lastRow.allSatisfy { $0 == 255 }, "bottom row: \(Set(lastRow).sorted())")
        #expect(lastColumn.allSatisfy { $0 == 255 }, "right column: \(Set(lastColumn).sorted())")
        #expect(rows.allSatisfy { $0.allSatisfy { $0 == 255 } })
    }
}
