import Foundation
import PoisoningEngine

/// The differences between the files `names` (relative paths) of a freshly regenerated folder and
/// of a committed one: one entry per file that is missing, cannot be read (with the reason) or
/// differs, with a readable diff for text files. Empty when every file matches byte for byte.
public func artifactDifferences(regenerated: URL, committed: URL, names: [String]) throws -> [String] {
    var differences = [String]()
    for name in names {
        let fresh = try Data(contentsOf: regenerated.appendingPathComponent(name))
        let path = committed.appendingPathComponent(name).path
        var status = stat()
        guard lstat(path, &status) == 0 else {
            differences.append("\(name): missing in \(committed.path)/")
            continue
        }
        // A FIFO would block the read (Foundation says "permission denied" instead), a folder or a device is no artifact.
        guard stat(path, &status) != 0 || status.st_mode & S_IFMT == S_IFREG else {
            differences.append("\(name): cannot be read in \(committed.path)/: not a regular file")
            continue
        }
        let existing: Data
        do {
            existing = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            differences.append("\(name): cannot be read in \(committed.path)/: \(fileErrorReason(error))")
            continue
        }
        if existing != fresh { differences.append(describeDifference(name, committed: existing, regenerated: fresh)) }
    }
    return differences
}

/// For text files, the first differing lines (at most 12) as "- committed" / "+ regenerated" with
/// line numbers; for binary files, their sizes.
public func describeDifference(_ name: String, committed: Data, regenerated: Data) -> String {
    guard textExtensions.contains((name as NSString).pathExtension),
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

/// The extensions of the files `describeDifference` compares line by line.
private let textExtensions: Set<String> = ["csv", "json", "md", "tex", "svg", "yaml"]

/// What comparing one file of `bytes` bytes named `name` holds at once, in bytes: the committed and
/// the regenerated file (taken to be as large); for a text file also both as strings and split into
/// lines for the diff (`describeDifference`), six times the file in all.
func comparisonBytes(name: String, bytes: Double) -> Double {
    textExtensions.contains((name as NSString).pathExtension) ? 6 * bytes : 2 * bytes
}

/// Why comparing the committed output folder `folder` with a regenerated one (`artifactDifferences`,
/// one file at a time) would need more memory than `budget` allows, in one sentence naming the file
/// that needs the most, or nil; judged from the files' sizes before any is read, so that `check`
/// refuses before its sweep instead of finding the file unreadable after it.
public func committedFilesMemoryProblem(_ folder: URL, budget: MemoryBudget = MemoryBudget()) -> String? {
    let files = ((try? entriesBelow(folder)) ?? []).filter { $0.kind == .file }.map { entry in
        var status = stat()
        let size = stat(folder.appendingPathComponent(entry.path).path, &status) == 0 ? Double(status.st_size) : 0
        return (name: entry.path, bytes: comparisonBytes(name: entry.path, bytes: size), size: size)
    }
    guard let largest = files.max(by: { $0.bytes < $1.bytes }) else { return nil }
    let total = processOverheadBytes + largest.bytes
    guard total > budget.bytes(threads: 1) else { return nil }
    return "comparing \(quotedUserText(folder.appendingPathComponent(largest.name).path, keepingEnd: true)) (\(Int(largest.size)) bytes) "
        + "with its regenerated copy needs about \(memoryText(total)), more than \(budget.description(threads: 1)); "
        + "check it on a machine with more memory"
}
