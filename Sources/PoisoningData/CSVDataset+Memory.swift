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
              let counts = recordCounts(path, delimiter: delimiter.utf8.first ?? UInt8(ascii: ",")) else { return 0 }
        let bytes = Double(size), lines = Double(counts.newlines + 1)
        let reading = 2 * bytes + 2 * 32 * lines + 80 * Double(counts.widestRecordCells) + Double(counts.widestRecordBytes)
        let rows = counts.newlines + 1 - (header ? 1 : 0)
        let parsing = 2 * 4 * (bytes / 2) + bytes + (16 + 8 + 1 + 8) * lines
        return reading + (rows <= maxRows ? parsing : 0)
    }
}

/// The number of newline bytes in the file at `path`, the most cells in one record (its bytes
/// equal to the delimiter's first byte, inside quotes or not, plus one: at least its cells, however
/// it is quoted) and the most bytes in one record (its line end included), read 1 MiB at a time;
/// nil when it cannot be read.
/// A record ends at a newline outside quotes, each quote byte opening or closing them.
private func recordCounts(_ path: String, delimiter: UInt8) -> (newlines: Int, widestRecordCells: Int, widestRecordBytes: Int)? {
    guard let file = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? file.close() }
    var newlines = 0, cells = 1, widest = 1, recordBytes = 0, widestBytes = 0, quoted = false
    while let chunk = try? file.read(upToCount: 1 << 20), !chunk.isEmpty {
        chunk.withUnsafeBytes { bytes in
            for byte in bytes {
                recordBytes += 1
                if byte == UInt8(ascii: "\"") {
                    quoted.toggle()
                } else if byte == UInt8(ascii: "\n") {
                    newlines += 1
                    if !quoted {
                        widest = max(widest, cells)
                        widestBytes = max(widestBytes, recordBytes)
                        cells = 1
                        recordBytes = 0
                    }
                } else if byte == delimiter {
                    cells += 1
                }
            }
        }
    }
    return (newlines, max(widest, cells), max(widestBytes, recordBytes))
}
