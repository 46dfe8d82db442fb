import Foundation

extension CSVDataset {
    /// The most memory reading the file takes, from its size S and its number of lines L (counted in
    /// one pass that holds 1 MiB; 0 when the file cannot be read, for `makeSplit` to say why), for
    /// any content, as `split(of:)` reads it: the file's bytes and its text (2S) and two arrays of
    /// its lines (64L: a line is 32 bytes, and `split` and `map` both make one), which every file
    /// costs; then, when the rows are within `max-rows`, the features twice (all rows, then the train
    /// and test rows) at 4 bytes per value and at most one value per 2 bytes of the file (a digit
    /// and a delimiter: 4S), labels longer than a String holds inline (S), and per line a label
    /// String, an Int label, a split flag and a row index in the split (16 + 8 + 1 + 8 bytes).
    public var estimatedBytes: Double {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType == .typeRegular,
              let size = attributes[.size] as? Int, size <= Self.maximumFileBytes,
              let newlines = newlineCount(path) else { return 0 }
        let bytes = Double(size), lines = Double(newlines + 1)
        let reading = 2 * bytes + 2 * 32 * lines
        let rows = newlines + 1 - (header ? 1 : 0)
        let parsing = 2 * 4 * (bytes / 2) + bytes + (16 + 8 + 1 + 8) * lines
        return reading + (rows <= maxRows ? parsing : 0)
    }
}

/// The number of newline bytes in the file at `path`, read 1 MiB at a time; nil when it cannot be read.
private func newlineCount(_ path: String) -> Int? {
    guard let file = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? file.close() }
    var count = 0
    while let chunk = try? file.read(upToCount: 1 << 20), !chunk.isEmpty {
        chunk.withUnsafeBytes { bytes in
            for byte in bytes where byte == UInt8(ascii: "\n") { count += 1 }
        }
    }
    return count
}
