import Foundation
import PoisoningAnalysis
import PoisoningEngine

/// The rule that decides whether make-report may replace an existing folder, so that it never
/// deletes or changes a file it did not write. A folder is make-report's when
/// - it is empty (hidden entries count), or
/// - every entry in it is a shard's part file (`results.part-K-of-N.json`: shards write into one
///   folder before `merge`), or
/// - its `manifest.json` was written by make-report (tool name and manifest version inside) and
///   every entry in it, hidden ones and those in subfolders included, is a file that the manifest
///   lists with the content it lists, or one of the files kept beside a set (shard part files and
///   `report.pdf`, which `make paper` compiles). Folders are fine when they hold only such files.
///
/// Anything else is foreign: a file the manifest does not list, a listed file changed since it was
/// written, a symbolic link, a FIFO, an empty folder.
public enum OutputOwnership {
    /// The files kept beside an output set, at the top of the folder, that no manifest lists:
    /// `report.pdf` (compiled from report.tex by `make paper`) and shard part files. Publishing a
    /// new set keeps them.
    public static func isKeptBesideSet(_ name: String) -> Bool {
        name == "report.pdf" || PartialStudyResults.isFileName(name)
    }

    /// Why make-report may not replace the existing folder `folder`, naming the first foreign entry
    /// (in sorted order, by its path relative to the folder), or nil when the folder is its own or
    /// does not exist.
    public static func problem(in folder: URL) -> String? {
        guard let entries = try? entriesBelow(folder) else { return nil }
        if entries.isEmpty { return nil }
        let topLevel = entries.filter { !$0.path.contains("/") }
        if topLevel.allSatisfy({ $0.kind == .file && PartialStudyResults.isFileName($0.path) }) { return nil }
        let manifest: OutputManifest
        switch readManifest(in: folder) {
        case .success(let read): manifest = read
        case .failure(let reason):
            let first = entries.first { $0.path != OutputManifest.fileName && !isKeptBesideSet($0.path) }?.path ?? OutputManifest.fileName
            return "it holds '\(first)' and \(reason)"
        }
        let listedFolders = Set(manifest.allFiles.flatMap(parentFolders))
        for entry in entries {
            switch entry.kind {
            case .folder where listedFolders.contains(entry.path): continue
            case .file where entry.path == OutputManifest.fileName: continue
            case .file where isKeptBesideSet(entry.path): continue
            case .file where manifest.unhashedFiles.contains(entry.path): continue
            case .file:
                guard let hash = manifest.files[entry.path] else {
                    return "its manifest.json does not list '\(entry.path)'"
                }
                guard let bytes = try? Data(contentsOf: folder.appendingPathComponent(entry.path)),
                      SHA256.hexDigest(of: bytes) == hash else {
                    return "'\(entry.path)' was changed after make-report wrote it"
                }
            case .folder: return "its manifest.json lists no file in '\(entry.path)/'"
            case .other: return "'\(entry.path)' is neither a regular file nor a folder"
            }
        }
        return nil
    }

    /// The manifest of `folder`, when make-report wrote it, or why not.
    static func readManifest(in folder: URL) -> Result<OutputManifest, ManifestProblem> {
        let url = folder.appendingPathComponent(OutputManifest.fileName)
        guard isRegularFile(url) else { return .failure(ManifestProblem("no manifest.json written by make-report")) }
        guard let data = try? Data(contentsOf: url), data.count <= 64 << 20,
              let manifest = try? JSONDecoder().decode(OutputManifest.self, from: data),
              manifest.tool == OutputManifest.toolName else {
            return .failure(ManifestProblem("a manifest.json that make-report 0.4 or later did not write"))
        }
        guard manifest.manifestVersion == OutputManifest.currentVersion else {
            return .failure(ManifestProblem("a manifest.json of version \(manifest.manifestVersion), where this make-report writes version \(OutputManifest.currentVersion)"))
        }
        return .success(manifest)
    }

    /// Removes a displaced output set (the previous contents of an output folder, after the new set
    /// took its place): exactly the files its manifest lists, the manifest, then the folders left
    /// empty. Returns whether the folder is gone; anything the manifest does not list stays.
    @discardableResult
    static func removeSet(at folder: URL) -> Bool {
        guard case .success(let manifest) = readManifest(in: folder) else { return false }
        for name in manifest.allFiles + [OutputManifest.fileName] {
            unlink(folder.appendingPathComponent(name).path)
        }
        for name in Set(manifest.allFiles.flatMap(parentFolders)).sorted(by: { $0.count > $1.count }) {
            rmdir(folder.appendingPathComponent(name).path)
        }
        return rmdir(folder.path) == 0
    }

    /// "figures/accuracy.png" -> ["figures"]; "a/b/c" -> ["a", "a/b"].
    private static func parentFolders(_ path: String) -> [String] {
        let parts = path.split(separator: "/")
        return (1..<max(parts.count, 1)).map { parts[0..<$0].joined(separator: "/") }
    }
}

/// Why a folder's manifest is not make-report's.
struct ManifestProblem: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// An entry below a folder: its path relative to the folder and what it is (symbolic links are
/// never followed).
struct FolderEntry: Equatable {
    enum Kind { case file, folder, other }
    let path: String
    let kind: Kind
}

/// Every entry below `folder`, hidden ones included, in sorted order of relative path; throws when
/// the folder cannot be listed.
func entriesBelow(_ folder: URL) throws -> [FolderEntry] {
    var entries = [FolderEntry]()
    func visit(_ relative: String) throws {
        let url = relative.isEmpty ? folder : folder.appendingPathComponent(relative)
        for name in try FileManager.default.contentsOfDirectory(atPath: url.path).sorted() {
            let path = relative.isEmpty ? name : relative + "/" + name
            var status = stat()
            guard lstat(folder.appendingPathComponent(path).path, &status) == 0 else { continue }
            switch status.st_mode & S_IFMT {
            case S_IFREG: entries.append(FolderEntry(path: path, kind: .file))
            case S_IFDIR:
                entries.append(FolderEntry(path: path, kind: .folder))
                try visit(path)
            default: entries.append(FolderEntry(path: path, kind: .other))
            }
        }
    }
    try visit("")
    return entries
}

/// Whether `url` is a regular file (not following a symbolic link).
func isRegularFile(_ url: URL) -> Bool {
    var status = stat()
    return lstat(url.path, &status) == 0 && status.st_mode & S_IFMT == S_IFREG
}
