import Foundation
import GRDB
import PoisoningEngine

/// Finished runs, kept in an SQLite database (WAL mode) as soon as they finish, so that a rerun of
/// the same or an overlapping study trains only the runs the store does not have. Keyed by
/// `RunKeys`; the value is the run's result as JSON, which decodes to the identical `RunResult`,
/// with the SHA-256 of key and payload beside it. Several processes may read and write one store at
/// once (SQLite's locks, a busy timeout).
///
/// The store is a cache, never an authority: a stored run is used only when its checksum holds and
/// it passes `storedRunProblem` (it is the run asked for, with every metric in range); otherwise it
/// is trained again. A store is marked with SQLite's `application_id` (`RunStore.applicationID`),
/// and any other file is refused before it is opened, so a database that is not a store is never
/// changed.
public final class RunStore: Sendable {
    /// SQLite's `application_id` of every run store: "MKRS" in ASCII.
    public static let applicationID: Int32 = 0x4D4B_5253
    /// The store's file.
    public let path: String
    private let database: DatabasePool

    /// Opens the store at `path`, creating it (and its folder) when missing. A new store is built
    /// under a temporary name and renamed into place, so a store file is always a complete store.
    public init(path: String) throws {
        self.path = path
        if let problem = runStoreProblem(path) { throw RunStoreError(path: path, reason: problem) }
        do {
            try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(),
                                                    withIntermediateDirectories: true)
            // Creating a store, and switching a new file to WAL mode, are serialised by a file lock
            // between processes that open the same store at the same moment.
            let opening = open(path + ".open-lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard opening >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            defer { close(opening) }
            flock(opening, LOCK_EX)
            if !FileManager.default.fileExists(atPath: path) { try Self.create(at: path) }
            if let problem = runStoreProblem(path) { throw RunStoreError(path: path, reason: problem) }
            var configuration = Configuration()
            configuration.busyMode = .timeout(30)
            database = try DatabasePool(path: path, configuration: configuration)
        } catch let error as RunStoreError {
            throw error
        } catch {
            throw RunStoreError(path: path, reason: "\(error)")
        }
    }

    /// Builds an empty store at `path`: in a temporary file beside it (WAL mode, the application
    /// id, the table), closed, then renamed to `path`.
    private static func create(at path: String) throws {
        let temporary = path + ".new-\(getpid())"
        defer { for suffix in ["", "-wal", "-shm", "-journal"] { unlink(temporary + suffix) } }
        do {
            let queue = try DatabaseQueue(path: temporary)
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = WAL")
                try db.execute(sql: "PRAGMA application_id = \(applicationID)")
                try db.execute(sql: """
                    CREATE TABLE runs (
                        key TEXT PRIMARY KEY NOT NULL,   -- RunKeys: SHA-256 of everything that determines the result
                        engineVersion TEXT NOT NULL,     -- the engine version in the key, for info and prune
                        result BLOB NOT NULL,            -- the RunResult as JSON
                        checksum TEXT NOT NULL,          -- SHA-256 of key, newline, result
                        storedAt REAL NOT NULL           -- seconds since 1970
                    )
                    """)
            }
            try queue.close()
        }
        guard rename(temporary, path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// The stored results of those `keys` the store has, by key, each checked: a result whose
    /// checksum fails, that does not decode, or that `storedRunProblem` rejects for its spec is left
    /// out and counted in `rejected` (the caller trains it again, and `store` replaces it).
    public func results(for keys: [String], specs: [RunSpec], trainingRows: Int) throws -> (found: [String: RunResult], rejected: Int) {
        do {
            return try database.read { db in
                var found = [String: RunResult]()
                var rejected = 0
                let specByKey = Dictionary(zip(keys, specs), uniquingKeysWith: { first, _ in first })
                // In chunks, below SQLite's limit on bound parameters.
                for start in stride(from: 0, to: keys.count, by: 500) {
                    let chunk = Array(keys[start..<min(start + 500, keys.count)])
                    let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                    for row in try Row.fetchAll(db, sql: "SELECT key, result, checksum FROM runs WHERE key IN (\(marks))",
                                                arguments: StatementArguments(chunk)) {
                        guard let key = text(row["key"]), let spec = specByKey[key],
                              case .success(let result) = decodeStoredRun(row),
                              storedRunProblem(result, spec: spec, trainingRows: trainingRows) == nil else {
                            rejected += 1
                            continue
                        }
                        found[key] = result
                    }
                }
                return (found, rejected)
            }
        } catch {
            throw RunStoreError(path: path, reason: "\(error)")
        }
    }

    /// Checks every stored run: its checksum, its payload (a `RunResult` with every metric in range).
    /// Returns the number of runs and one sentence per run that fails, naming its key.
    public func verify() throws -> (runs: Int, failures: [String]) {
        do {
            return try database.read { db in
                var count = 0
                var failures = [String]()
                let rows = try Row.fetchCursor(db, sql: "SELECT key, result, checksum FROM runs ORDER BY key")
                while let row = try rows.next() {
                    count += 1
                    let key = text(row["key"]) ?? "?"
                    switch decodeStoredRun(row) {
                    case .failure(let problem): failures.append("run \(key.prefix(16)): \(problem)")
                    case .success(let result):
                        if let problem = storedRunProblem(result, spec: nil, trainingRows: nil) {
                            failures.append("run \(key.prefix(16)): \(problem)")
                        }
                    }
                }
                return (count, failures)
            }
        } catch {
            throw RunStoreError(path: path, reason: "\(error)")
        }
    }

    /// Stores finished runs, by key, with their checksums, in one transaction; a key already
    /// stored gets the new result (the same, unless the stored one failed its check).
    public func store(_ runs: [(key: String, result: RunResult)]) throws {
        guard !runs.isEmpty else { return }
        let now = Date().timeIntervalSince1970
        do {
            let rows = try runs.map { ($0.key, try encodeStoredRun($0.result)) }
            try database.write { db in
                for (key, data) in rows {
                    try db.execute(sql: "INSERT OR REPLACE INTO runs (key, engineVersion, result, checksum, storedAt) VALUES (?, ?, ?, ?, ?)",
                                   arguments: [key, engineVersion, data, storedRunChecksum(key: key, payload: data), now])
                }
            }
        } catch {
            throw RunStoreError(path: path, reason: "\(error)")
        }
    }

    /// What the store holds: runs per engine version, and the file's size.
    public func info() throws -> RunStoreInfo {
        do {
            let counts = try database.read { db in
                var counts = [String: Int]()
                for row in try Row.fetchAll(db, sql: "SELECT engineVersion, COUNT(*) AS count FROM runs GROUP BY engineVersion") {
                    counts[text(row["engineVersion"]) ?? "?", default: 0] += Int.fromDatabaseValue(row["count"]) ?? 0
                }
                return counts
            }
            let size = ["", "-wal", "-shm"].compactMap { suffix in
                (try? FileManager.default.attributesOfItem(atPath: path + suffix))?[.size] as? Int
            }.reduce(0, +)
            return RunStoreInfo(path: path, runsByEngineVersion: counts, bytes: size)
        } catch {
            throw RunStoreError(path: path, reason: "\(error)")
        }
    }

    /// Removes the runs of engine versions other than the current one (they can never be reused),
    /// or every run when `all`; returns how many were removed, and compacts the file.
    public func prune(all: Bool) throws -> Int {
        do {
            let removed = try database.write { db in
                if all { try db.execute(sql: "DELETE FROM runs") } else {
                    try db.execute(sql: "DELETE FROM runs WHERE engineVersion != ?", arguments: [engineVersion])
                }
                return db.changesCount
            }
            try database.writeWithoutTransaction { db in try db.execute(sql: "VACUUM") }
            return removed
        } catch {
            throw RunStoreError(path: path, reason: "\(error)")
        }
    }
}

/// A stored row's run, decoded from its columns whatever their SQLite types (a tampered row may
/// hold an integer where text belongs: it fails its check instead of stopping the program).
private func decodeStoredRun(_ row: Row) -> Result<RunResult, StoredRunProblem> {
    let payload: Data? = switch (row["result"] as DatabaseValue).storage {
    case .blob(let data): data
    case .string(let string): Data(string.utf8)
    default: nil
    }
    guard let key = text(row["key"]), let checksum = text(row["checksum"]), let payload else {
        return .failure(StoredRunProblem("its row holds a value of the wrong type"))
    }
    return decodeStoredRun(key: key, payload: payload, checksum: checksum)
}

/// A column's value when it is text, else nil.
private func text(_ value: DatabaseValue) -> String? {
    if case .string(let string) = value.storage { return string }
    return nil
}

/// What a run store holds.
public struct RunStoreInfo: Sendable {
    /// The store's file.
    public let path: String
    /// Stored runs by engine version.
    public let runsByEngineVersion: [String: Int]
    /// Bytes on disk, with the write-ahead log.
    public let bytes: Int
}

/// A run store that cannot be opened, read or written.
public struct RunStoreError: Error, CustomStringConvertible {
    /// The store's file.
    public let path: String
    /// Why.
    public let reason: String
    public var description: String { "run store '\(path)': \(reason)" }
}
