import Foundation
import PoisoningAnalysis
import PoisoningEngine
import Synchronization

/// The rule that decides whether make-report may replace an existing folder, so that it never
/// deletes or changes a file it did not write. A folder is make-report's when
/// - it is empty (hidden entries count), or
/// - every entry in it is a shard's part file (`results.part-K-of-N.json`: shards write into one
///   folder before `merge`) or the temporary file of one (a shard killed while writing its part
///   leaves it; a shard writing its part at this moment holds it), or
/// - its `manifest.json` was written by make-report (tool name and manifest version inside, and
///   only plain relative paths listed) and every entry in it, hidden ones and those in subfolders
///   included, is a file that the manifest lists with the size and content it lists, or one of the
///   files kept beside a set (shard part files, `report.pdf`, which `make paper` compiles, and the
///   by-products pdflatex leaves when report.tex is compiled in place: `report.aux`, `report.log`...).
///   Folders are fine when they hold only such files.
///
/// Anything else is foreign: a file the manifest does not list, a listed file changed since it was
/// written or that cannot be read, a symbolic link, a FIFO, an empty folder, a name that is not
/// UTF-8, a folder that cannot be listed.
public enum OutputOwnership {
    /// The files kept beside an output set, at the top of the folder, that no manifest lists:
    /// `report.pdf` (compiled from report.tex by `make paper`, or by the user in the folder) and the
    /// other files compiling report.tex there leaves (`latexByProducts`), shard part files, and the
    /// temporary file a shard killed while writing its part leaves (`.results.part-K-of-N.json.tmp-PID`).
    /// Publishing a new set keeps them.
    public static func isKeptBesideSet(_ name: String) -> Bool {
        name == "report.pdf" || latexByProducts.contains(name) || isShardFile(name)
    }

    /// What pdflatex, or latexmk or an editor driving it, writes beside report.tex when a user compiles
    /// it in the output folder: its auxiliary file and log, and those a `--template` may add (hyperref's
    /// outline, the lists of contents, figures and tables), latexmk's recorder and database files, the
    /// SyncTeX file.
    static let latexByProducts: Set<String> = Set(
        ["aux", "log", "out", "toc", "lof", "lot", "fls", "fdb_latexmk", "synctex.gz"].map { "report." + $0 })

    /// Whether `name` is a shard's part file or the temporary file it writes its part into
    /// (`.results.part-K-of-N.json.tmp-PID`, renamed to the part file once written).
    static func isShardFile(_ name: String) -> Bool {
        PartialStudyResults.isFileName(name) || PartialStudyResults.isTemporaryFileName(name)
    }

    /// Why make-report may not replace the existing folder `folder`, naming the first foreign entry
    /// (in sorted order, by its path relative to the folder), or nil when the folder is its own or
    /// does not exist. A file that `verified` holds unchanged since an earlier check is not read
    /// again; the files read are added to it.
    public static func problem(in folder: URL, verified: VerifiedContents? = nil) -> String? {
        var status = stat()
        if lstat(folder.path, &status) != 0 && errno == ENOENT { return nil }
        let entries: [FolderEntry]
        do {
            entries = try entriesBelow(folder)
        } catch {
            return "\(error)"
        }
        if entries.isEmpty { return nil }
        let topLevel = entries.filter { !$0.path.contains("/") }
        if topLevel.allSatisfy({ $0.kind == .file && isShardFile($0.path) }) { return nil }
        let manifest: OutputManifest
        switch readManifest(in: folder) {
        case .success(let read): manifest = read
        case .failure(let reason):
            // The entry named is the first that no set keeps beside it, else the first of all.
            let first = (topLevel.first { $0.path != OutputManifest.fileName && !isKeptBesideSet($0.path) } ?? topLevel[0]).path
            return "it holds \(quotedUserText(first, keepingEnd: true)) and \(reason)"
        }
        let listedFolders = Set(manifest.allFiles.flatMap(parentFolders))
        for entry in entries {
            switch entry.kind {
            case .folder where listedFolders.contains(entry.path): continue
            case .file where entry.path == OutputManifest.fileName: continue
            case .file where isKeptBesideSet(entry.path): continue
            case .file where entry.path == PerformanceRecord.fileName && manifest.unhashedFiles.contains(entry.path):
                if let problem = performanceProblem(folder.appendingPathComponent(entry.path), resultsHash: manifest.files["results.json"]) {
                    return "\(quotedUserText(entry.path, keepingEnd: true)) \(problem)"
                }
            case .file where manifest.unhashedFiles.contains(entry.path): continue
            case .file:
                guard let hash = manifest.files[entry.path] else {
                    return "its manifest.json does not list \(quotedUserText(entry.path, keepingEnd: true))"
                }
                if let problem = contentProblem(folder.appendingPathComponent(entry.path), hash: hash, bytes: manifest.sizes[entry.path],
                                                verified: verified) {
                    return "\(quotedUserText(entry.path, keepingEnd: true)) \(problem)"
                }
            case .folder: return "its manifest.json lists no file in \(quotedUserText(entry.path + "/", keepingEnd: true))"
            case .other: return "\(quotedUserText(entry.path, keepingEnd: true)) is neither a regular file nor a folder"
            }
        }
        return nil
    }

    /// The output set that `path` lies inside: the nearest folder above it (symbolic links resolved)
    /// whose manifest.json make-report wrote, or nil. A folder or file made there (an output folder,
    /// its work folder, a run store) would be an entry the set's manifest does not list: the set
    /// would fail `validate` and no longer be make-report's to replace.
    public static func enclosingSet(of path: String) -> URL? {
        var folder = resolvedFileURL(path, isDirectory: false).deletingLastPathComponent()
        while true {
            if case .success = readManifest(in: folder) { return folder }
            guard folder.path != "/" else { return nil }
            folder.deleteLastPathComponent()
        }
    }

    /// Why make-report may not replace the file at `path` with a single file of its own, or nil: the
    /// rule of every file it writes under a name the user chose (a shard's part file,
    /// `compare --output`, `bench --results`). A missing file is made; an existing one is replaced
    /// only when it is a regular file (not a symbolic link, a folder or a device) of at most
    /// `maximumResultsFileBytes` whose bytes `isOwn` recognises as such a file, `described` ("a part
    /// file make-report wrote"), never a file of the user's that has its name. `advice` ends the
    /// refusal ("give another file"). Nor is a file made inside make-report's work folder
    /// `.make-report` or inside an output set make-report published (`enclosingSet`), which it would
    /// spoil: a file its manifest.json does not list; with `besideSet`, though, a file kept beside a
    /// set (`isKeptBesideSet`: a shard's part file) may lie at the top of one, as the rule of
    /// `problem` allows. Checked before any work, and again just before the file is written
    /// atomically (`OutputFolder.write`: a temporary file renamed over it).
    public static func replacedFileProblem(at path: String, described: String, advice: String, besideSet: Bool = false,
                                           isOwn: (Data) -> Bool) -> String? {
        var status = stat()
        let url = literalFileURL(path), name = quotedUserText(path, keepingEnd: true)
        let resolved = resolvedFileURL(path, isDirectory: false)
        if resolved.pathComponents.dropLast().contains(workFolderName) {
            return "\(name) lies inside '\(workFolderName)', make-report's work folder (locks, staging folders, the run store); \(advice)"
        }
        if let set = enclosingSet(of: path),
           !(besideSet && isKeptBesideSet(resolved.lastPathComponent) && set.path == resolved.deletingLastPathComponent().path) {
            return "\(name) lies inside \(quotedUserText(set.path, keepingEnd: true)), an output set make-report published, "
                + "and would be a file its manifest.json does not list; \(advice)"
        }
        guard lstat(path, &status) == 0 else {
            return errno == ENOENT ? nil : "\(name) cannot be examined: \(String(cString: strerror(errno)))"
        }
        guard status.st_mode & S_IFMT == S_IFREG, status.st_size <= maximumResultsFileBytes,
              let data = try? Data(contentsOf: url, options: .alwaysMapped), isOwn(data) else {
            return "\(name) is not \(described), so it is not replaced; \(advice)"
        }
        return nil
    }

    /// Why a shard may not replace the file at `path` with its part file, or nil
    /// (`replacedFileProblem`): it replaces only a part file make-report wrote (a JSON object with a
    /// part's keys: config, runs, shard and toolVersion), and may write it beside a published set
    /// (the folder `merge` published from the parts, say), which keeps part files.
    public static func partFileProblem(at path: String) -> String? {
        let partKeys = ["config", "runs", "shard", "toolVersion"]
        return replacedFileProblem(at: path, described: "a part file make-report wrote (a JSON object with \(partKeys.joined(separator: ", ")))",
                                   advice: "move it away or give another folder", besideSet: true) { data in
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return false }
            return partKeys.allSatisfy { object[$0] != nil }
        }
    }

    /// Why the performance record at `url`, which the manifest lists without a hash (it holds the
    /// run's timings, written after the manifest), is not the one make-report wrote beside the set's
    /// results, or nil: it must be a regular file of at most 1 MiB, a JSON object whose
    /// `resultsSHA256` (as in every `PerformanceRecord`) is the manifest's hash of results.json
    /// (`resultsHash`). A user's file put in its place was replaced unchecked (review r19, finding 6).
    static func performanceProblem(_ url: URL, resultsHash: String?) -> String? {
        var status = stat()
        guard lstat(url.path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_size <= 1 << 20,
              let data = try? Data(contentsOf: url),
              let record = try? JSONDecoder().decode(ResultsHash.self, from: data) else {
            return "is not the performance record make-report writes"
        }
        guard let resultsHash, record.resultsSHA256 == resultsHash else { return "is the performance record of another results.json" }
        return nil
    }

    /// The one field of a performance record that ties it to its results.json.
    private struct ResultsHash: Decodable {
        let resultsSHA256: String
    }

    /// Why the file at `url` is not the one with SHA-256 `hash` and size `bytes`, or nil: its size
    /// is compared first (a huge file is never read), then its content, read through a memory map,
    /// unless `verified` holds it unchanged since it was read with that hash; a file read and found
    /// right is added to `verified`.
    static func contentProblem(_ url: URL, hash: String, bytes: Int?, verified: VerifiedContents? = nil) -> String? {
        let readStart = VerifiedContents.now()
        var status = stat()
        guard lstat(url.path, &status) == 0 else { return "cannot be read: \(String(cString: strerror(errno)))" }
        guard bytes == Int(status.st_size) else { return "was changed after make-report wrote it" }
        if verified?.holds(url.path, hash: hash, status: status) == true { return nil }
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            return "cannot be read: \(fileErrorReason(error))"
        }
        guard SHA256.hexDigest(of: data) == hash else { return "was changed after make-report wrote it" }
        verified?.record(url.path, hash: hash, status: status, readStart: readStart)
        return nil
    }

    /// The manifest of `folder`, when make-report wrote it, or why not.
    static func readManifest(in folder: URL) -> Result<OutputManifest, ManifestProblem> {
        let url = folder.appendingPathComponent(OutputManifest.fileName)
        var status = stat()
        guard lstat(url.path, &status) == 0 else { return .failure(ManifestProblem("no manifest.json written by make-report")) }
        guard status.st_mode & S_IFMT == S_IFREG else { return .failure(ManifestProblem("a manifest.json that is not a regular file")) }
        guard status.st_size <= 64 << 20, let data = try? Data(contentsOf: url),
              let manifest = try? JSONDecoder().decode(OutputManifest.self, from: data),
              manifest.tool == OutputManifest.toolName else {
            return .failure(ManifestProblem("a manifest.json that make-report did not write"))
        }
        guard manifest.manifestVersion == OutputManifest.currentVersion else {
            return .failure(ManifestProblem("a manifest.json of version \(manifest.manifestVersion), where this make-report writes version \(OutputManifest.currentVersion)"))
        }
        if let path = manifest.allFiles.first(where: { !isPlainRelativePath($0) || $0 == OutputManifest.fileName }) {
            return .failure(ManifestProblem("a manifest.json that lists \(quotedUserText(path)), a path make-report never writes"))
        }
        return .success(manifest)
    }

    /// Removes what it may of a displaced output set (the previous contents of an output folder,
    /// after the new set `newSet` took its place): the files its manifest lists, the files kept
    /// beside it that are the same files (hard links) in the new set, then the folders left empty,
    /// and last the manifest and the folder itself when nothing else is left. Only real folders are
    /// entered: `folder` must be one, and a listed file is removed only when every folder on its path
    /// below `folder` is one too, never through a symbolic link (which would remove files elsewhere).
    /// Returns what stays (`SetRemoval`): the entries that were not make-report's, which it never
    /// removes, and those it wrote but could not remove, with the reason.
    @discardableResult
    static func removeSet(at folder: URL, keptIn newSet: URL?) -> SetRemoval {
        var removal = SetRemoval()
        guard isRealFolder(folder.path) else {
            removal.failures.append(SetRemoval.Failure(path: ".", reason: "it is not a folder"))
            return removal
        }
        let manifest = try? readManifest(in: folder).get()
        let listed = manifest?.allFiles ?? []
        /// Removes `relative` below `folder` when it is a `kind` (S_IFREG: a file, S_IFDIR: a folder,
        /// removed when empty) and every folder above it is a real one, noting why it failed
        /// (a folder that still holds something aside).
        func attempt(_ relative: String, kind: mode_t) {
            let path = folder.appendingPathComponent(relative).path
            var status = stat()
            guard parentFolders(relative).allSatisfy({ isRealFolder(folder.appendingPathComponent($0).path) }),
                  lstat(path, &status) == 0, status.st_mode & S_IFMT == kind else { return }
            if (kind == S_IFDIR ? rmdir(path) : unlink(path)) != 0, !(kind == S_IFDIR && errno == ENOTEMPTY) {
                removal.failures.append(SetRemoval.Failure(path: relative, reason: String(cString: strerror(errno))))
            }
        }
        for name in listed { attempt(name, kind: S_IFREG) }
        if let newSet {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where isKeptBesideSet(name) {
                var old = stat(), new = stat()
                if lstat(folder.appendingPathComponent(name).path, &old) == 0, lstat(newSet.appendingPathComponent(name).path, &new) == 0,
                   old.st_dev == new.st_dev, old.st_ino == new.st_ino {
                    attempt(name, kind: S_IFREG)
                }
            }
        }
        let listedFolders = Set(listed.flatMap(parentFolders))
        for name in listedFolders.sorted(by: { $0.count > $1.count }) { attempt(name, kind: S_IFDIR) }
        let remaining: [FolderEntry]
        do {
            remaining = try entriesBelow(folder).filter { $0.path != OutputManifest.fileName }
        } catch {
            removal.failures.append(SetRemoval.Failure(path: ".", reason: "\(error)"))
            return removal
        }
        let failed = Set(removal.failures.map(\.path))
        removal.unlisted = remaining.filter { entry in
            !failed.contains(entry.path) && !(entry.kind == .folder && listedFolders.contains(entry.path))
        }.map(\.path)
        guard remaining.isEmpty else { return removal }
        attempt(OutputManifest.fileName, kind: S_IFREG)
        if rmdir(folder.path) != 0, errno != ENOENT {
            removal.failures.append(SetRemoval.Failure(path: ".", reason: String(cString: strerror(errno))))
        }
        return removal
    }

    /// "figures/accuracy.png" -> ["figures"]; "a/b/c" -> ["a", "a/b"].
    private static func parentFolders(_ path: String) -> [String] {
        let parts = path.split(separator: "/")
        return (1..<max(parts.count, 1)).map { parts[0..<$0].joined(separator: "/") }
    }

    /// Whether `path` is a path make-report could have written inside a folder: relative, of
    /// non-empty components that are neither "." nor "..", none longer than NAME_MAX, no NUL.
    private static func isPlainRelativePath(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return !path.contains("\0") && parts.allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." && $0.utf8.count <= Int(NAME_MAX) }
    }
}

/// The files whose content one command found to be the hash a manifest lists, so that a later
/// check of the same folder in that command (the output folder is checked when it is taken and
/// again before it is replaced) reads again only the files that may have changed. A file is held
/// verified while its status (device, inode, size, modification and status-change times) is the one
/// lstat gave just before it was read, and only when that status changed before the read began by
/// the clock the kernel stamps files with (`CLOCK_REALTIME_COARSE`): any write after the read gives
/// the file a later status-change time, which no one can set back. Kept in memory only.
///
/// `run` and `merge` check the output folder before any work (`outputFolderProblem`), again when they
/// take it (`StagedOutputFolder`) and before they replace it; with one record, handed from check to
/// check, each file of the old set is hashed once, not three times.
public final class VerifiedContents: Sendable {
    /// A file's status when it was read, and the hash its content had.
    private struct Stamp: Equatable {
        let device: UInt64, inode: UInt64, size: Int64
        let modified: timespec, changed: timespec
        let hash: String

        init(_ status: stat, hash: String) {
            device = UInt64(status.st_dev)
            inode = UInt64(status.st_ino)
            size = Int64(status.st_size)
            modified = status.st_mtim
            changed = status.st_ctim
            self.hash = hash
        }

        static func == (a: Stamp, b: Stamp) -> Bool {
            a.device == b.device && a.inode == b.inode && a.size == b.size && a.hash == b.hash
                && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
                && a.changed.tv_sec == b.changed.tv_sec && a.changed.tv_nsec == b.changed.tv_nsec
        }
    }

    /// The stamps of the files read, by path.
    private let stamps = Mutex([String: Stamp]())

    /// An empty record.
    public init() {}

    /// The time by the clock that stamps files.
    static func now() -> timespec {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME_COARSE, &time)
        return time
    }

    /// Whether the file at `path`, of status `status`, was read with the content hash `hash` and
    /// has not changed since.
    func holds(_ path: String, hash: String, status: stat) -> Bool {
        let stamp = Stamp(status, hash: hash)
        return stamps.withLock { $0[path] == stamp }
    }

    /// Notes that the file at `path`, whose status was `status` when its read began at `readStart`,
    /// has the content hash `hash`: kept only when the file last changed before `readStart`, so that
    /// a change during or after the read shows in its status.
    func record(_ path: String, hash: String, status: stat, readStart: timespec) {
        let changed = status.st_ctim
        let before = changed.tv_sec < readStart.tv_sec || (changed.tv_sec == readStart.tv_sec && changed.tv_nsec < readStart.tv_nsec)
        let stamp = before ? Stamp(status, hash: hash) : nil
        stamps.withLock { $0[path] = stamp }
    }
}

/// What `OutputOwnership.removeSet` left of a displaced output set.
struct SetRemoval: Equatable {
    /// An entry make-report wrote that could not be removed, by path relative to the set ("." for
    /// the set's folder itself), and why, in words ("Permission denied").
    struct Failure: Equatable {
        let path: String
        let reason: String
    }

    /// The entries that are not make-report's, so never removed, by relative path, sorted: those its
    /// manifest does not list, and a listed name that is no longer a file or folder (a symbolic
    /// link); a listed folder that stays because it holds such an entry is not one of them.
    var unlisted = [String]()
    /// The entries make-report wrote that could not be removed, in the order they were tried.
    var failures = [Failure]()

    /// Whether the set is gone.
    var isComplete: Bool { unlisted.isEmpty && failures.isEmpty }
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

/// Why the entries below a folder cannot all be known, naming the entry.
struct UnlistableEntry: Error, CustomStringConvertible {
    let description: String
}

/// Every entry below `folder`, hidden ones included, in sorted order of relative path, read with
/// readdir(3) so that no name is skipped. Throws, naming the entry, when a folder cannot be listed,
/// a name is not UTF-8 or an entry cannot be examined: what cannot be seen cannot be called ours.
func entriesBelow(_ folder: URL) throws -> [FolderEntry] {
    var entries = [FolderEntry]()
    func visit(_ relative: String) throws {
        let path = relative.isEmpty ? folder.path : folder.appendingPathComponent(relative).path
        guard let stream = opendir(path) else {
            throw UnlistableEntry(description: "'\(relative.isEmpty ? "." : relative)' cannot be listed: \(String(cString: strerror(errno)))")
        }
        var names = [String]()
        defer { closedir(stream) }
        while let entry = readdir(stream) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            guard let name = String(validating: bytes, as: UTF8.self) else {
                throw UnlistableEntry(description: "'\(relative.isEmpty ? "." : relative)' holds a name that is not UTF-8")
            }
            if name != "." && name != ".." { names.append(name) }
        }
        for name in names.sorted() {
            let child = relative.isEmpty ? name : relative + "/" + name
            var status = stat()
            guard lstat(folder.appendingPathComponent(child).path, &status) == 0 else {
                throw UnlistableEntry(description: "'\(child)' cannot be examined: \(String(cString: strerror(errno)))")
            }
            switch status.st_mode & S_IFMT {
            case S_IFREG: entries.append(FolderEntry(path: child, kind: .file))
            case S_IFDIR:
                entries.append(FolderEntry(path: child, kind: .folder))
                try visit(child)
            default: entries.append(FolderEntry(path: child, kind: .other))
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
