import Foundation
import PoisoningEngine

/// Why `path` cannot be a run store, in words, or nil when it can: a missing file under a folder
/// where it can be created, or a regular file that is a run store (an SQLite database whose
/// `application_id` is `RunStore.applicationID`, read from the file's header without opening it as
/// a database, so that no other file is ever changed). A path that names a folder (it ends in '/',
/// '.' or '..'), a symbolic link to a missing file (creating the store would replace the link), and
/// a missing store with SQLite's leftover files beside it (SQLite would replay them into the new
/// store), an `.open-lock` file beside it that make-report did not write (`isLockFileContent`), and
/// a store whose -wal or -shm is not SQLite's, or with a rollback journal beside it
/// (`companionFileProblem`), and a name of a file kept beside a store (`sidecarEnding`), are
/// refused. Nothing is created.
public func runStoreProblem(_ path: String) -> String? {
    guard !path.isEmpty else { return "the path is empty; give a file name" }
    if path.hasSuffix("/") || [".", ".."].contains((path as NSString).lastPathComponent) {
        return "it names a folder, not a file; give a file name"
    }
    if let ending = sidecarEnding(path) {
        return "its name ends in '\(ending)', as the files SQLite and make-report keep beside a store are named; give the store's own name"
    }
    guard isLockFileContent(atPath: path + ".open-lock") else { return "\(quotedUserText(path + ".open-lock", keepingEnd: true)): "
        + ForeignLockFileError(path: path + ".open-lock").description }
    var status = stat()
    guard stat(path, &status) == 0 else {
        guard errno == ENOENT else { return String(cString: strerror(errno)) }
        return missingStoreProblem(path)
    }
    switch status.st_mode & S_IFMT {
    case S_IFREG: break
    case S_IFDIR: return "it is a folder, not a run store"
    case S_IFCHR, S_IFBLK: return "it is a device, not a run store"
    case S_IFIFO: return "it is a FIFO, not a run store"
    default: return "it is not a regular file"
    }
    if let problem = companionFileProblem(path) { return problem }
    // The database header: "SQLite format 3\0", ..., the application id at byte 68 (big-endian).
    guard let handle = FileHandle(forReadingAtPath: path) else { return "it cannot be read: \(String(cString: strerror(errno)))" }
    defer { try? handle.close() }
    let header = (try? handle.read(upToCount: 100)) ?? Data()
    guard header.count == 100, header.prefix(16) == Data("SQLite format 3\0".utf8) else {
        return "it is not a make-report run store (not an SQLite database)"
    }
    let id = header[68..<72].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    guard Int32(bitPattern: id) == RunStore.applicationID else {
        return "it is not a make-report run store (an SQLite database without make-report's application id; "
            + "stores of make-report 0.3 cannot be verified: remove the file and its -wal and -shm files)"
    }
    return nil
}

/// Why what lies at the place of the -wal or -shm file of the existing store at `path` cannot be
/// SQLite's file, in one clause naming it, or nil: each must be missing, or a regular file of one
/// link that is empty or holds what SQLite writes there (`isSQLiteCompanion`), since SQLite writes
/// into both and removes both when the store closes. SQLite would follow a symbolic link (and write
/// through it), write into every other name of a hard-linked file, delete or rewrite a file of
/// other content, and fail on a folder, a FIFO or a device with its own words. A rollback journal
/// (`-journal`) beside a store, which is in WAL mode, is none of SQLite's for it: SQLite would
/// replay it into the store, so it is refused as it is beside a missing store.
private func companionFileProblem(_ path: String) -> String? {
    for suffix in ["-wal", "-shm"] {
        var status = stat()
        guard lstat(path + suffix, &status) == 0 else { continue }
        let name = quotedUserText(path + suffix, keepingEnd: true)
        let kind: String
        switch status.st_mode & S_IFMT {
        case S_IFREG:
            if status.st_nlink > 1 {
                return "\(name) beside it has \(status.st_nlink) names (hard links), so SQLite would write into another file; move it away"
            }
            guard isSQLiteCompanion(path + suffix, kind: suffix, size: Int(status.st_size)) else {
                return "\(name) beside it does not hold what SQLite writes in its \(suffix) file, so it is not the store's; move it away"
            }
            continue
        case S_IFLNK: kind = "a symbolic link"
        case S_IFDIR: kind = "a folder"
        case S_IFIFO: kind = "a FIFO"
        case S_IFCHR, S_IFBLK: kind = "a device"
        default: kind = "no regular file"
        }
        return "\(name) beside it is \(kind), not SQLite's \(suffix) file; move it away"
    }
    var status = stat()
    if lstat(path + "-journal", &status) == 0 {
        return "a leftover '\((path as NSString).lastPathComponent)-journal' lies beside it (SQLite would replay it into the store); remove it too"
    }
    return nil
}

/// Whether the regular file at `path` of `size` bytes is empty or begins as SQLite begins a file of
/// `kind` beside a store in WAL mode: a write-ahead log (-wal) with the magic number 0x377f0682 or
/// 0x377f0683 and format version 3007000 (big-endian, in its 32-byte header); a WAL index (-shm)
/// whose header (136 bytes) begins with version 3007000 (native byte order), or is all zeros, as
/// while a connection that has just made the file (SQLite grows it a page at a time) has not yet
/// written it.
public func isSQLiteCompanion(_ path: String, kind: String, size: Int) -> Bool {
    guard size > 0 else { return true }
    let headerBytes = kind == "-wal" ? 32 : 136
    let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var head = [UInt8](repeating: 0, count: headerBytes)
    guard head.withUnsafeMutableBytes({ pread(descriptor, $0.baseAddress, headerBytes, 0) }) == headerBytes else { return false }
    if kind == "-wal" {
        let magic = head[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }, version = head[4..<8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return (magic == 0x377F_0682 || magic == 0x377F_0683) && version == 3_007_000
    }
    return head.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) } == 3_007_000 || head.allSatisfy { $0 == 0 }
}

/// Why a run store cannot be created at `path`, where stat(2) finds nothing, or nil: `path` is a
/// dangling symbolic link, a file SQLite left beside an earlier store of that name lies there, or
/// its folder cannot be made or written.
private func missingStoreProblem(_ path: String) -> String? {
    var status = stat()
    if lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFLNK {
        return "it is a symbolic link to a file that does not exist; give the file itself"
    }
    if let leftover = ["-wal", "-shm", "-journal"].first(where: { lstat(path + $0, &status) == 0 }) {
        return "a leftover '\((path as NSString).lastPathComponent + leftover)' lies beside it (SQLite would replay it into "
            + "a new store); remove it too"
    }
    return creationProblem(at: literalFileURL(path).standardizedFileURL)
}

/// Why this process cannot write the existing run store at `path`, in words, or nil when it can (or
/// when there is no file yet: `runStoreProblem` judges where one can be created): the file is read
/// only to it, or its folder is, where SQLite writes the -wal and -shm files beside a store in WAL
/// mode (as access(2) finds them: a read-only file system, or permissions that bind this user).
public func runStoreWriteProblem(_ path: String) -> String? {
    guard access(path, F_OK) == 0 else { return nil }
    if access(path, W_OK) != 0 { return "it is read-only (\(String(cString: strerror(errno))))" }
    let folder = literalFileURL(path).standardizedFileURL.deletingLastPathComponent().path
    if access(folder, W_OK | X_OK) != 0 {
        return "its folder is read-only (\(String(cString: strerror(errno)))), and SQLite writes its -wal and -shm files there"
    }
    return nil
}

/// A run as the store holds it: its result, and the sizes of the split it was trained on, which
/// make the payload checkable on its own (`RunResult.countProblem`: its shares must be of whole
/// rows), by `store verify` too, which knows no study. Entries stored before the sizes were
/// recorded have none (nil).
public struct StoredRun: Sendable, Equatable {
    /// The run's result.
    public let result: RunResult
    /// Training rows of the study's split; nil in an entry stored before they were recorded.
    public let trainingRows: Int?
    /// Test rows of the study's split; nil in an entry stored before they were recorded.
    public let testRows: Int?

    /// `result`, trained on `trainingRows` training and `testRows` test rows.
    public init(result: RunResult, trainingRows: Int?, testRows: Int?) {
        self.result = result
        self.trainingRows = trainingRows
        self.testRows = testRows
    }
}

/// The keys a payload holds beside the `RunResult`'s own.
private enum SplitSizeKeys: String, CodingKey {
    case trainingRows, testRows
}

extension StoredRun: Codable {
    /// The `RunResult`'s keys with `trainingRows` and `testRows` beside them, in one JSON object.
    public init(from decoder: any Decoder) throws {
        result = try RunResult(from: decoder)
        let sizes = try decoder.container(keyedBy: SplitSizeKeys.self)
        trainingRows = try sizes.decodeIfPresent(Int.self, forKey: .trainingRows)
        testRows = try sizes.decodeIfPresent(Int.self, forKey: .testRows)
    }

    public func encode(to encoder: any Encoder) throws {
        try result.encode(to: encoder)
        var sizes = encoder.container(keyedBy: SplitSizeKeys.self)
        try sizes.encodeIfPresent(trainingRows, forKey: .trainingRows)
        try sizes.encodeIfPresent(testRows, forKey: .testRows)
    }
}

/// A stored run's payload: the `StoredRun` as JSON with sorted keys (non-finite numbers as strings);
/// it is what the checksum covers, split sizes included.
public func encodeStoredRun(_ run: StoredRun) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return try encoder.encode(run)
}

/// The checksum stored beside a payload: SHA-256 of the key, a newline and the payload, so that a
/// payload moved to another key fails too.
public func storedRunChecksum(key: String, payload: Data) -> String {
    SHA256.hexDigest(of: Array(key.utf8) + [0x0A] + Array(payload))
}

/// The run stored under `key`, when `checksum` is the payload's and the payload decodes; otherwise why not.
public func decodeStoredRun(key: String, payload: Data, checksum: String) -> Result<StoredRun, StoredRunProblem> {
    guard storedRunChecksum(key: key, payload: payload) == checksum else {
        return .failure(StoredRunProblem("its checksum does not match its payload"))
    }
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    guard let run = try? decoder.decode(StoredRun.self, from: payload) else {
        return .failure(StoredRunProblem("its payload is not a run result"))
    }
    return .success(run)
}

/// Why a stored result cannot stand for a run, or nil: it must have metrics (diverged runs are
/// never stored) and pass `RunResult.problem`, the checks `merge` applies to a shard's runs, and,
/// when the study's `trainingRows` and `testRows` are both known, `RunResult.countProblem` (its
/// shares are of whole rows: the checksum is plain SHA-256, which a forger can recompute); and,
/// when `spec` is given, it must be that run (the same fraction, bit for bit, and seed; the series
/// is the study's and not stored). `recordable` (when known) is the metrics the spec's series can record.
public func storedRunProblem(_ result: RunResult, spec: RunSpec?, trainingRows: Int?, testRows: Int?, recordable: Set<String>?) -> String? {
    guard result.metrics != nil else { return "it has no metrics" }
    if let spec, result.fraction.bitPattern != spec.fraction.bitPattern || result.seed != spec.seed {
        return "it is the run of fraction \(result.fraction) and seed \(result.seed), not of fraction \(spec.fraction) and seed \(spec.seed)"
    }
    if let problem = result.problem(trainingRows: trainingRows, recordable: recordable) { return problem }
    guard let trainingRows, let testRows else { return nil }
    return result.countProblem(trainingRows: trainingRows, testRows: testRows)
}

/// Why a stored run was rejected.
public struct StoredRunProblem: Error, CustomStringConvertible {
    /// The problem, in words.
    public let description: String
    init(_ description: String) { self.description = description }
}

/// The ending of `path`'s name when it is that of a file kept beside a store (SQLite's `-wal`, `-shm`
/// and `-journal`, the opening lock `.open-lock`, a build's `.new-PID`), or nil. A store made under
/// such a name (`--store runs.sqlite-wal`) made the store it lies beside unusable (review r19,
/// finding 3).
func sidecarEnding(_ path: String) -> String? {
    let name = (path as NSString).lastPathComponent
    if let ending = ["-wal", "-shm", "-journal", ".open-lock"].first(where: { name.hasSuffix($0) && name.count > $0.count }) { return ending }
    if let match = name.firstMatch(of: /\.new-[0-9]+$/), match.range.lowerBound > name.startIndex { return String(match.output.prefix(5)) + "PID" }
    return nil
}
