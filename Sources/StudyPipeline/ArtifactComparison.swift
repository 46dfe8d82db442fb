import Foundation

/// The differences between the files `names` (relative paths) of a freshly regenerated folder and
/// of a committed one: one entry per file that is missing or differs, with a readable diff for
/// text files. Empty when every file matches byte for byte.
public func artifactDifferences(regenerated: URL, committed: URL, names: [String]) throws -> [String] {
    var differences = [String]()
    for name in names {
        let fresh = try Data(contentsOf: regenerated.appendingPathComponent(name))
        guard let existing = try? Data(contentsOf: committed.appendingPathComponent(name)) else {
            differences.append("\(name): missing in \(committed.path)/")
            continue
        }
        if existing != fresh { differences.append(describeDifference(name, committed: existing, regenerated: fresh)) }
    }
    return differences
}

/// For text files, the first differing lines (at most 12) as "- committed" / "+ regenerated" with
/// line numbers; for binary files, their sizes.
public func describeDifference(_ name: String, committed: Data, regenerated: Data) -> String {
    guard ["csv", "json", "md", "tex", "svg", "yaml"].contains((name as NSString).pathExtension),
          let old = String(data: committed, encoding: .utf8), let new = String(data: regenerated, encoding: .utf8) else {
        return "\(name): differs (\(committed.count) bytes committed, \(regenerated.count) bytes regenerated)"
    }
    let oldLines = old.components(separatedBy: "\n"), newLines = new.components(separatedBy: "\n")
    var lines = ["\(name): differs"]
    for index in 0..<max(oldLines.count, newLines.count) where lines.count < 25 {
        let before = index < oldLines.count ? oldLines[index] : nil
        let after = index < newLines.count ? newLines[index] : nil
        if before != after {
            if let before { lines.append("  \(index + 1) - \(before)") }
            if let after { lines.append("  \(index + 1) + \(after)") }
        }
    }
    return lines.joined(separator: "\n")
}
