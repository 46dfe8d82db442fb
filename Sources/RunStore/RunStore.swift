import Foundation
import GRDB
import PoisoningEngine

/// Finished runs, kept in an SQLite database (WAL mode) as soon as they finish, so that a rerun of
/// the same or an overlapping study trains only the runs the store does not have. Keyed by
/// `RunKeys`; the value is the run's result as JSON, which decodes to the identical `RunResult`.
/// Several processes may read and write one store at once (SQLite's locks, a busy timeout).
public final class RunStore: Sendable {
    /// The store's file.
    public let path: String
    private let database: DatabasePool

    /// Opens the store at `path`, creating it (and its folder) when missing.
    public init(path: String) throws {
        self.path = path
        do {
            try FileManager.default.createDirectory(at: URL(fileURLWithPath: path).deletingLastPathComponent(),
                                                    withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.busyMode = .timeout(30)
            // Switching a new file to WAL mode fails at once, not after the busy timeout, when another
            // process opens it at the same moment: opening and migrating are serialised by a file lock.
            let opening = open(path + ".open-lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard opening >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            defer { close(opening) }
            flock(opening, LOCK_EX)
            database = try DatabasePool(path: path, configuration: configuration)
            var migrator = DatabaseMigrator()
            migrator.registerMigration("runs") { db in
                try db.execute(sql: """
                    CREATE TABLE runs (
                        key TEXT PRIMARY KEY NOT NULL,   -- RunKeys: SHA-256 of everything that determines the result
                        engineVersion TEXT NOT NULL,     -- the engine version in the key, for info and prune
                        result BLOB NOT NULL,            -- the RunResult as JSON
                        storedAt REAL NOT NULL           -- seconds since 1970
                    )
                    """)
            }
            try migrator.migrate(database)
        } catch {
            throw RunStoreError(path: path, reason: "\(error)")
        }
    }

    /// The stored results of those `keys` the store has, by key.
    public func results(for keys: [String]) throws -> [String: RunResult] {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try database.read { db in
                var found = [String: RunResult]()
                // In chunks, below SQLite's limit on bound parameters.
                for start in stride(from: 0, to: keys.count, by: 500) {
                    let chunk = Array(keys[start..<min(start + 500, keys.count)])
                    let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                    for row in try Row.fetchAll(db, sql: "SELECT key, result FROM runs WHERE key IN (\(marks))",
                                                arguments: StatementArguments(chunk)) {
                        let data: Data = row["result"]
                        found[row["key"]] = try decoder.decode(RunResult.self, from: data)
                    }
                }
                return found
            }
        } catch {
            throw RunStoreError(path: path, reason: "\(error)")
        }
    }

    /// Stores finished runs, by key, in one transaction; a key already stored keeps its result.
    public func store(_ runs: [(key: String, result: RunResult)]) throws {
        guard !runs.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let now = Date().timeIntervalSince1970
        do {
            let rows = try runs.map { ($0.key, try encoder.encode($0.result)) }
            try database.write { db in
                for (key, data) in rows {
                    try db.execute(sql: "INSERT OR IGNORE INTO runs (key, engineVersion, result, storedAt) VALUES (?, ?, ?, ?)",
                                   arguments: [key, engineVersion, data, now])
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
                    counts[row["engineVersion"]] = row["count"]
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
