import Foundation
import PoisoningUtilities

extension CSVDataset {
    /// The most memory reading the file takes, from its size S, its number of lines L, the most
    /// cells C in one record and the most bytes R in one record (counted in one pass that holds 1
    /// MiB; 0 when the file cannot be read, for `makeSplit` to say why), for any content, as
    /// `split(of:)` reads it: the file's bytes and its text (2S), two arrays of its lines (64L: a line
    /// is 32 bytes, and `split` and `map` both make one) and, for the widest record, its cells (80C:
    /// two arrays of 32-byte substrings and a 16-byte name per cell) and its quoted cells' copies
    /// (R), which every file costs; then, when the rows are within `max-rows`, the features twice
    /// (all rows, then the train and test rows) at 4 bytes per value and at most one value per 2
    /// bytes of the file (a digit and a delimiter: 4S), labels longer than a String holds inline
    /// (S), and per line a label String, an Int label, a split flag and a row index in the split
    /// (16 + 8 + 1 + 8 bytes).
    public var estimatedBytes: Double {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType == .typeRegular,
              let size = attributes[.size] as? Int, size <= Self.maximumFileBytes,
              let counts = recordCounts(path, delimiter: delimiterByte) else { return 0 }
        return estimatedBytes(size: size, counts: counts)
    }

    /// `estimatedBytes` of the file whose bytes are `data`, counted from them (the file is not read again).
    public func estimatedBytes(of data: Data) -> Double {
        var counts = RecordCounts()
        data.withUnsafeBytes { counts.count($0, delimiter: delimiterByte) }
        return estimatedBytes(size: data.count, counts: counts)
    }

    /// The first byte of the delimiter, which `RecordCounts` counts.
    private var delimiterByte: UInt8 { delimiter.utf8.first ?? UInt8(ascii: ",") }

    /// `estimatedBytes` of a file of `size` bytes whose records `counts` counted.
    private func estimatedBytes(size: Int, counts: RecordCounts) -> Double {
        let bytes = Double(size), lines = Double(counts.newlines + 1)
        let reading = 2 * bytes + 2 * 32 * lines + 80 * Double(counts.widestCells) + Double(counts.widestBytes)
        let rows = counts.newlines + 1 - (header ? 1 : 0)
        let parsing = 2 * 4 * (bytes / 2) + bytes + (16 + 8 + 1 + 8) * lines
        return reading + (rows <= maxRows ? parsing : 0)
    }
}

/// The number of newline bytes of a file, the most cells in one record (its bytes equal to the
/// delimiter's first byte, inside quotes or not, plus one: at least its cells, however it is quoted)
/// and the most bytes in one record (its line end included), counted over its bytes in one or more pieces.
/// A record ends at a newline outside quotes, each quote byte opening or closing them.
private struct RecordCounts {
    var newlines = 0
    private var cells = 1, widest = 1, recordBytes = 0, widestRecordBytes = 0, quoted = false

    /// The most cells in one record, the one being counted included.
    var widestCells: Int { max(widest, cells) }
    /// The most bytes in one record, the one being counted included.
    var widestBytes: Int { max(widestRecordBytes, recordBytes) }

    /// Counts the next piece of the file, `bytes`.
    mutating func count(_ bytes: UnsafeRawBufferPointer, delimiter: UInt8) {
        for byte in bytes {
            recordBytes += 1
            if byte == UInt8(ascii: "\"") {
                quoted.toggle()
            } else if byte == UInt8(ascii: "\n") {
                newlines += 1
                if !quoted {
                    widest = max(widest, cells)
                    widestRecordBytes = max(widestRecordBytes, recordBytes)
                    cells = 1
                    recordBytes = 0
                }
            } else if byte == delimiter {
                cells += 1
            }
        }
    }
}

/// The `RecordCounts` of the file at `path`, read 1 MiB at a time; nil when it cannot be read.
private func recordCounts(_ path: String, delimiter: UInt8) -> RecordCounts? {
    guard let file = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? file.close() }
    var counts = RecordCounts()
    while let chunk = try? file.read(upToCount: 1 << 20), !chunk.isEmpty {
        chunk.withUnsafeBytes { counts.count($0, delimiter: delimiter) }
    }
    return counts
}
