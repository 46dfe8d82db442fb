import Foundation
import GRDB
import PoisoningEngine
import Synchronization

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
/// changed; a store whose table is gone or whose file is damaged is refused when it is opened
/// (`RunStoreRefusal`). A store opened for reading only (`init(readingAt:)`) is never written, and
/// nothing is created beside it.
public final class RunStore: Sendable {
    /// SQLite's `application_id` of every run store: "MKRS" in ASCII.
    public static let applicationID: Int32 = 0x4D4B_5253
    /// The store's file.
    public let path: String
    /// One sentence for each leftover of a build whose process ended that was left beside the store
    /// because its content does not prove it a build's (`removeAbandonedBuilds`).
    public let leftoverWarnings: [String]
    private let reader: any DatabaseReader
    /// The same database as `reader` when the store is open for writing; nil when it is read only.
    private let writer: (any DatabaseWriter)?
    /// How a store open for reading only was opened, kept while it is open (it may hold a lock); nil
    /// for a store open for writing.
    private let readOnlyOpening: ReadOnlyOpening?
    /// The building of a store open for writing, whose interruption also stops SQLite's waits for
    /// another process's lock (`busyWait`); nil when it is read only.
    private let building: StoreBuilding?
    /// Held by every access to the database, by `closeConnections()`, and by `closeConnections(then:)`
    /// until the process ends.
    private let accessLock = NSLock()
    /// Whether the connections are closed: the end of a command and an interruption's clean-up both
    /// close them, and only the first may (a second would open the store again to fold its -wal in,
    /// and leave the -wal and -shm it made when the process ends meanwhile).
    private let connectionsClosed = Mutex(false)

    /// Opens the store at `path` for reading and writing, creating it (and its folder) when missing.
    /// A new store is built under a temporary name and renamed into place, so a store file is always
    /// a complete store; the build is one step of `building`, which an interruption waits for, and
    /// the temporary files of builds whose process was killed are removed first. While another
    /// process holds the opening lock, the opening waits as `waiting` says, outside the building's
    /// steps, so an interruption ends the wait at once. Throws a `RunStoreRefusal` when `path` is no
    /// run store (`runStoreProblem`), one this process cannot write (`runStoreWriteProblem`) or a
    /// damaged one (SQLite cannot read it, or its table lacks a column), a `RunStoreError` when it
    /// cannot be created or opened, or the wait for the lock gives up.
    public init(path: String, building: StoreBuilding = StoreBuilding(), waiting: OpenLockWait = OpenLockWait()) throws {
        self.path = path
        if let problem = runStoreProblem(path) ?? runStoreWriteProblem(path) { throw RunStoreRefusal(path: path, reason: problem) }
        readOnlyOpening = nil
        self.building = building
        // SQLite is handed the absolute path: GRDB makes file URLs of it, which would put the home
        // folder in place of a leading `~` (`literalFileURL`).
        let file = literalFileURL(path).path
        // A store's folder this opening creates (`.make-report`, by default) is removed again when
        // the opening fails or is interrupted and leaves it empty.
        let folder = literalFileURL(path).deletingLastPathComponent()
        let createsFolder = Self.isAbsent(folder.path)
        do {
            // Each try of the opening is one step of `building`, which an interruption waits for:
            // whatever the step made and the interruption would leave is removed within the step.
            let (pool, warnings) = try waiting.wait(forLockAt: path + ".open-lock", of: path) {
                try building.step({
                    do {
                        return try Self.openBuilding(path, file: file, building: building)
                    } catch {
                        if createsFolder { SharedFolder.removeIfEmpty(folder) }
                        throw error
                    }
                }, closing: { (opened: (pool: DatabasePool, warnings: [String])?) in { if let opened { Self.closeFolding(opened.pool, file: file) } } })
            }
            leftoverWarnings = warnings
            (reader, writer) = (pool, pool)
        } catch {
            throw storeFailure(error, path: path)
        }
    }

    /// Opens the store at `path` (`file`, its literal absolute path), building it when missing, and
    /// returns it with `removeAbandonedBuilds`'s warnings, or nil at once when another process holds
    /// the opening lock. Creating a store, and switching a new file to WAL mode, are serialised by a
    /// file lock between processes that open the same store at the same moment, taken (its file
    /// noting this process's id, for a waiting one's notice) and released (its file removed,
    /// `LockFile`) here. When `building` was
    /// interrupted meanwhile, the store is closed and, when this call built it, removed (under the
    /// lock, so no other process has opened it), and ECANCELED thrown: an interruption leaves nothing
    /// this process made.
    private static func openBuilding(_ path: String, file: String, building: StoreBuilding) throws -> (pool: DatabasePool, warnings: [String])? {
        let opening: LockFile
        do {
            guard let taken = try SharedFolder.lockFile(named: literalFileURL(path).lastPathComponent + ".open-lock",
                                                       in: literalFileURL(path).deletingLastPathComponent(), waiting: false) else {
                return nil
            }
            opening = taken
        } catch let error as ForeignLockFileError {
            throw RunStoreError(path: path + ".open-lock", reason: error.description)
        } catch let error as POSIXError {
            throw RunStoreError(path: path, reason: String(cString: strerror(error.code.rawValue)))
        }
        defer { opening.release() }
        opening.note("\(getpid())\n")
        // A damaged store is refused before anything is made beside it (a new store is whole). Read
        // under the lock, so that an interruption of the wait for it leaves no -wal or -shm file
        // that this read made.
        if FileManager.default.fileExists(atPath: path) { try checkReadable(file, named: path, building: building) }
        let warnings = removeAbandonedBuilds(of: path)
        let builds = !FileManager.default.fileExists(atPath: path)
        if builds { try create(at: file) }
        if let problem = runStoreProblem(path) { throw RunStoreRefusal(path: path, reason: problem) }
        var configuration = Configuration()
        configuration.busyMode = busyWait(building)
        let pool = try DatabasePool(path: file, configuration: configuration)
        if building.isInterrupted {
            closeFolding(pool, file: file)
            if builds { unlink(file) }
            throw POSIXError(.ECANCELED)
        }
        return (pool, warnings)
    }

    /// How a connection of a store open for writing waits while another process holds the store
    /// locked: it tries again every 10 ms, for `busyTimeoutSeconds` in all (SQLite then fails with
    /// SQLITE_BUSY, `storeFailure`'s "another process holds the store locked"), and gives up at its
    /// next try once `building` is interrupted, so that an interruption ends the command at once
    /// (with SQLite's own timeout it waited out the 30 s).
    private static func busyWait(_ building: StoreBuilding) -> Database.BusyMode {
        .callback { tries in
            guard !building.isInterrupted, tries < busyTimeoutSeconds * 100 else { return false }
            usleep(10_000)
            return true
        }
    }

    /// Closes `pool`, the store `file` opened for writing, so that SQLite folds its -wal file in and
    /// removes it and the -shm: the pool closes its writer before its readers, which, read-only,
    /// cannot fold the -wal file in; a connection opened and closed alone does (SQLite does when the
    /// last one closes).
    private static func closeFolding(_ pool: DatabasePool, file: String) {
        try? pool.close()
        if let last = try? DatabaseQueue(path: file) { try? last.close() }
    }

    /// Opens the existing store at `path` for reading only (`store info`, `store verify`): its file,
    /// and the -wal and -shm files beside it, keep their bytes, and nothing is created beside it, in a
    /// read-only folder or file too (`ReadOnlyOpening`). Throws a `RunStoreRefusal` when `path` is no
    /// run store or a damaged one (SQLite cannot read it, its table lacks a column, or its integrity
    /// check fails), a `RunStoreError` when it cannot be opened.
    public init(readingAt path: String) throws {
        self.path = path
        if let problem = runStoreProblem(path) { throw RunStoreRefusal(path: path, reason: problem) }
        let opening = ReadOnlyOpening(path: path)
        readOnlyOpening = opening
        building = nil
        leftoverWarnings = []
        do {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(TimeInterval(busyTimeoutSeconds))
            let queue = try DatabaseQueue(path: opening.uri, configuration: configuration)
            (reader, writer) = (queue, nil)
            let problem = try queue.read { db in
                try db.execute(sql: "SELECT key, engineVersion, result, checksum, storedAt FROM runs LIMIT 0")
                return try Self.schemaProblem(db) ?? Self.integrityProblem(db)
            }
            if let problem { throw RunStoreRefusal(path: path, reason: damagedReason(problem)) }
        } catch {
            if let error = error as? DatabaseError, error.resultCode == .SQLITE_ERROR { throw RunStoreRefusal(path: path, damage: error) }
            throw storeFailure(error, path: path)
        }
    }

    /// Throws a `RunStoreRefusal` naming `path` (as the user wrote it; `file` is the literal absolute
    /// path SQLite opens) when SQLite cannot read the store (a file cut short, an
    /// impossible header), its table lacks a column the store reads (dropped, renamed), or SQLite's
    /// integrity check finds a damaged page anywhere in the file (`integrityProblem`), so that damage
    /// in pages a command would read only later, or an index that no longer matches its table, stops
    /// the command before any work. Read through a read-only connection, so that a damaged store is
    /// left as it is (opening the pool writes to the file: GRDB makes sure of a non-empty -wal file);
    /// the -wal and -shm files SQLite makes for that read beside a damaged store are removed again.
    /// An interruption of `building` ends a wait for another process's lock (`busyWait`).
    private static func checkReadable(_ file: String, named path: String, building: StoreBuilding) throws {
        let absent = ["-wal", "-shm"].map { file + $0 }.filter(isAbsent)
        do {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = busyWait(building)
            let queue = try DatabaseQueue(path: file, configuration: configuration)
            defer { try? queue.close() }
            let problem = try queue.read { db in
                try db.execute(sql: "SELECT key, engineVersion, result, checksum, storedAt FROM runs LIMIT 0")
                return try schemaProblem(db) ?? integrityProblem(db)
            }
            if let problem {
                for file in absent { unlink(file) }
                throw RunStoreRefusal(path: path, reason: damagedReason(problem))
            }
        } catch let error as DatabaseError where [ResultCode.SQLITE_ERROR, .SQLITE_CORRUPT, .SQLITE_NOTADB].contains(error.resultCode) {
            for file in absent { unlink(file) }
            throw RunStoreRefusal(path: path, damage: error)
        }
    }

    /// The first problem SQLite's `PRAGMA integrity_check` finds in the database of `db` (every page
    /// of the table and its index, and every row against the index: damage that a read of some runs
    /// would meet only when it reaches them), at most 100 characters of it, or nil when it finds
    /// none. It reads the whole file: 1.3 ms of processor time for the 1,512 runs of examples/defenses
    /// (0.02% of a rerun from the store, 7.6 s), 0.06 ms for the reference study's 81 (0.02% of 0.4 s).
    static func integrityProblem(_ db: Database) throws -> String? {
        let report = try String.fetchAll(db, sql: "PRAGMA integrity_check(1)")
        guard let first = report.first, report != ["ok"] else { return nil }
        let line = first.split(whereSeparator: \.isNewline).first { !$0.hasPrefix("***") }.map(String.init) ?? first
        return "SQLite's integrity check: " + (line.count > 100 ? String(line.prefix(100)) + "..." : line)
    }

    /// What the database of `db` holds beyond a store's one table and that table's primary-key index
    /// (`create`): the first other entry of `sqlite_master` (a trigger, a view, another table or
    /// index), described, or nil when there is none. A trigger added to a store would run inside
    /// make-report's own writes (one that deletes every run after an insert emptied the store while
    /// `run` exited 0; review r19, finding 1), so such a store is refused, read only and unchanged.
    static func schemaProblem(_ db: Database) throws -> String? {
        let expected: Set<String> = ["table runs", "index sqlite_autoindex_runs_1"]
        for row in try Row.fetchAll(db, sql: "SELECT type, name FROM sqlite_master ORDER BY type, name") {
            let type: String = row["type"] ?? "entry", name: String = row["name"] ?? ""
            if !expected.contains("\(type) \(name)") {
                let article = type.first.map { "aeiou".contains($0) } == true ? "an" : "a"
                return "it holds \(article) \(type) \(quotedUserText(name)) that make-report never creates (a store holds only its table 'runs' and its key's index)"
            }
        }
        return nil
    }

    /// Removes what builds of a store at `path` killed before they ended left beside it, and returns
    /// a warning for each such file it leaves: `NAME.new-PID` and its `-journal`, `-wal` and `-shm`
    /// files, their names exact, for a process that has ended (`isStaleProcessID`), each only when
    /// its content proves it a build's: the database a regular file of one name, empty or marked with
    /// `applicationID` (which a build sets first), and each other file empty or beginning as SQLite
    /// begins such a file, beside such a database or nothing at all of its name. No symbolic link is
    /// followed, nor taken for a build's file (a dangling one is no absent database). Called under the
    /// opening lock, so no build is under way.
    private static func removeAbandonedBuilds(of path: String) -> [String] {
        let store = literalFileURL(path), prefix = store.lastPathComponent + ".new-"
        let folder = store.deletingLastPathComponent()
        var warnings = [String]()
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasPrefix(prefix) }.sorted()
        // Judged before any is removed: a journal is a build's only beside a build's database.
        let proven = names.filter { name in
            guard let match = name.dropFirst(prefix.count).wholeMatch(of: /([0-9]+)(-journal|-wal|-shm)?/),
                  isStaleProcessID(match.output.1) else { return false }
            let database = folder.appendingPathComponent(prefix + match.output.1).path
            // Nothing at all of the database's name (lstat: a symbolic link, even a dangling one, is
            // something, and never a build's database).
            let databaseIsBuilds = isAbsent(database) || isBuildDatabase(database)
            let isBuilds = databaseIsBuilds && (match.output.2.map { isBuildCompanion(folder.appendingPathComponent(name).path, kind: $0) } ?? true)
            if !isBuilds {
                warnings.append("\(quotedUserText(folder.appendingPathComponent(name).path, keepingEnd: true)) is named as an ended build of the run "
                                + "store, but its content does not prove it one; it was left as it is")
            }
            return isBuilds
        }
        for name in proven { unlink(folder.appendingPathComponent(name).path) }
        return warnings
    }

    /// Whether nothing at all is at `path`, judged by lstat(2): a symbolic link is something, even one
    /// to nothing, so that a decision to remove a file never follows a link.
    private static func isAbsent(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) != 0 && errno == ENOENT
    }

    /// Whether the file at `path` is an SQLite database a build of a store began: empty (opened, never
    /// written), or SQLite's header with `applicationID`.
    private static func isBuildDatabase(_ path: String) -> Bool {
        guard let head = fileHead(path, bytes: 72) else { return false }
        guard !head.isEmpty else { return true }
        let id = head.count == 72 ? head[68..<72].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } : 0
        return head.starts(with: Array("SQLite format 3\0".utf8)) && id == UInt32(bitPattern: applicationID)
    }

    /// Whether the regular file of one link at `path` is empty or begins as SQLite begins a file of
    /// `kind`: a WAL file or a WAL index as `isSQLiteCompanion` knows them, or a rollback journal:
    /// its magic number, or the header SQLite writes before the journal is synced (a build killed
    /// then leaves it): the 12 zero bytes that stand for the magic number and the record count, a
    /// nonce, the database's size, then a sector size and a page size, each a power of two from
    /// 512 to 65536 (big-endian).
    private static func isBuildCompanion(_ path: String, kind: Substring) -> Bool {
        var status = stat()
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_nlink == 1 else { return false }
        guard kind == "-journal" else { return isSQLiteCompanion(path, kind: String(kind), size: Int(status.st_size)) }
        guard let head = fileHead(path, bytes: 28) else { return false }
        guard !head.isEmpty, !head.starts(with: [0xD9, 0xD5, 0x05, 0xF9, 0x20, 0xA1, 0x63, 0xD7]) else { return true }
        /// Whether the big-endian word at `offset` is a power of two from 512 to 65536.
        func isSize(at offset: Int) -> Bool {
            let value = head[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            return value >= 512 && value <= 65_536 && value & (value - 1) == 0
        }
        return head.count == 28 && head.prefix(12).allSatisfy { $0 == 0 } && isSize(at: 20) && isSize(at: 24)
    }

    /// The first `bytes` bytes of the regular file of one link at `path` (fewer when it is shorter),
    /// or nil when it is no such file or cannot be read.
    private static func fileHead(_ path: String, bytes: Int) -> [UInt8]? {
        var status = stat()
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG, status.st_nlink == 1 else { return nil }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var head = [UInt8](repeating: 0, count: bytes)
        let count = head.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, bytes) }
        return count >= 0 ? Array(head.prefix(count)) : nil
    }

    /// Builds an empty store at `path`: in a temporary file beside it (WAL mode, the application
    /// id, the table), closed, then renamed to `path`. The temporary file `NAME.new-PID` is created
    /// exclusively (O_EXCL, O_NOFOLLOW) before SQLite opens it, and only when nothing at all (lstat)
    /// is at its name nor at those of its -journal, -wal and -shm files: a file, database or link
    /// there that `removeAbandonedBuilds` could not prove a build's is never opened, written through
    /// or removed; the build is refused, naming it. Only the files this build created are removed
    /// after it.
    private static func create(at path: String) throws {
        let temporary = path + ".new-\(getpid())"
        let files = ["", "-journal", "-wal", "-shm"].map { temporary + $0 }
        if let present = files.first(where: { !isAbsent($0) }) {
            throw RunStoreError(path: present, reason: "something is already at this name, where make-report builds a new store, which it cannot "
                + "prove its own; it was left as it is; move it away")
        }
        let descriptor = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw RunStoreError(path: temporary, reason: String(cString: strerror(errno))) }
        close(descriptor)
        // Each file was absent just before, so whatever is at its name now is this build's.
        defer { for file in files { unlink(file) } }
        do {
            let queue = try DatabaseQueue(path: temporary)
            try queue.writeWithoutTransaction { db in
                // The mark first, in the database file itself, so that a build killed after it is known
                // for a build's (`removeAbandonedBuilds`); WAL mode after.
                try db.execute(sql: "PRAGMA application_id = \(applicationID)")
                try db.execute(sql: "PRAGMA journal_mode = WAL")
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
        guard rename(temporary, path) == 0 else { throw RunStoreError(path: path, reason: String(cString: strerror(errno))) }
    }

    /// The stored results of those `keys` the store has, by key, each checked: a result whose
    /// checksum fails, that does not decode, that records a split of other sizes than `trainingRows`
    /// and `testRows`, or that `storedRunProblem` rejects for its spec is left out and counted in `rejected` (the caller trains it again, and `store` replaces it).
    /// `trainingRows` and `testRows` are the study's, and `recordable[s]` is the set of metrics the
    /// runs of series `s` (of the specs) can record. Rows that would not fit in `budget` are refused
    /// before they are read (`checkRowSizes`).
    public func results(for keys: [String], specs: [RunSpec], trainingRows: Int, testRows: Int,
                        recordable: [Set<String>], budget: MemoryBudget = MemoryBudget()) throws -> (found: [String: RunResult], rejected: Int) {
        return try access {
            return try reader.read { db in
                var found = [String: RunResult]()
                var rejected = 0
                let specByKey = Dictionary(zip(keys, specs), uniquingKeysWith: { first, _ in first })
                // In chunks, below SQLite's limit on bound parameters.
                for start in stride(from: 0, to: keys.count, by: 500) {
                    let chunk = Array(keys[start..<min(start + 500, keys.count)])
                    let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                    try checkRowSizes(db, path: path, budget: budget, condition: "WHERE key IN (\(marks))", arguments: StatementArguments(chunk))
                    for row in try Row.fetchAll(db, sql: "SELECT key, result, checksum FROM runs WHERE key IN (\(marks))",
                                                arguments: StatementArguments(chunk)) {
                        guard let key = text(row["key"]), let spec = specByKey[key],
                              case .success(let stored) = decodeStoredRun(row),
                              stored.trainingRows ?? trainingRows == trainingRows, stored.testRows ?? testRows == testRows,
                              storedRunProblem(stored.result, spec: spec, trainingRows: trainingRows, testRows: testRows,
                                               recordable: recordable[spec.series]) == nil else {
                            rejected += 1
                            continue
                        }
                        found[key] = stored.result
                    }
                }
                return (found, rejected)
            }
        }
    }

    /// Checks every stored run: a key that is a run key (64 lowercase hexadecimal digits), its
    /// checksum, its payload (a `RunResult` that `storedRunProblem` accepts, its study unknown, with
    /// the split sizes the payload records, whose shares must be of whole rows). Returns the number
    /// of runs, the runs that fail, in key order, and how many runs passed without the row-count
    /// check because they were stored before the split sizes were recorded. A store whose largest
    /// row would not fit in `budget` is refused before any row is read (`checkRowSizes`).
    public func verify(budget: MemoryBudget = MemoryBudget()) throws -> (runs: Int, failures: [StoredRunFailure], withoutSizes: Int) {
        return try access {
            return try reader.read { db in
                let checked = try failingRows(db, path: path, budget: budget)
                return (checked.count, checked.failures.map(\.failure), checked.withoutSizes)
            }
        }
    }

    /// Throws a `RunStoreRefusal` when checking the store's largest entry would need more memory
    /// than `budget` allows (`checkRowSizes`), reading no entry: what `store prune` asks of a store
    /// opened for reading, before it opens it for writing (which writes to the file).
    public func checkEntrySizes(budget: MemoryBudget = MemoryBudget()) throws {
        try access {
            try reader.read { db in try checkRowSizes(db, path: path, budget: budget) }
        }
    }

    /// Throws a `RunStoreRefusal` when this process's file-size limit (`ulimit -f`) is below what
    /// `prune` may write to the store at `path`: SQLite writes the removal, then the compacted store
    /// (VACUUM), into the -wal file, and folds them back into the store when it closes, so the -wal
    /// may grow to about twice the store's size. A prune stopped by the limit midway failed with
    /// "disk I/O error" and left the -wal and -shm files (review r19c, finding 14); refused before
    /// the store is opened for writing, it leaves every file as it was.
    public static func checkPruneFileSize(at path: String) throws {
        var status = stat()
        guard let limit = fileSizeLimit(), stat(path, &status) == 0 else { return }
        // Twice the store, a frame header of 24 bytes per page of 4096 (its default page size), the log's header.
        let needed = 2 * (Int64(status.st_size) + Int64(status.st_size) / 4096 * 24) + 32
        guard Int64(clamping: limit) < needed else { return }
        throw RunStoreRefusal(path: path, reason: "pruning it writes up to \(needed) bytes to a file (its -wal file holds the removal and the "
            + "compacted store), more than this process's file size limit (ulimit -f \(limit / 1024)) allows; raise the limit")
    }

    /// Stores finished runs of a study whose split has `trainingRows` training and `testRows` test
    /// rows, by key, with their checksums and those sizes, in one transaction; a key already stored
    /// gets the new result (the same, unless the stored one failed its check).
    public func store(_ runs: [(key: String, result: RunResult)], trainingRows: Int, testRows: Int) throws {
        guard !runs.isEmpty else { return }
        let now = Date().timeIntervalSince1970
        try access {
            let rows = try runs.map { ($0.key, try encodeStoredRun(StoredRun(result: $0.result, trainingRows: trainingRows, testRows: testRows))) }
            try writable().write { db in
                for (key, data) in rows {
                    try db.execute(sql: "INSERT OR REPLACE INTO runs (key, engineVersion, result, checksum, storedAt) VALUES (?, ?, ?, ?, ?)",
                                   arguments: [key, engineVersion, data, storedRunChecksum(key: key, payload: data), now])
                }
            }
        }
    }

    /// What the store holds: runs per engine version, and the file's size.
    public func info() throws -> RunStoreInfo {
        return try access {
            let counts = try reader.read { db in
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
        }
    }

    /// Removes the runs that fail `verify`'s check and those of engine versions other than the
    /// current one (they can never be used), or every run when `all`; returns how many were
    /// removed and how many of them failed the check, and compacts the file. Unless `all`, a store
    /// whose largest row would not fit in `budget` is refused before any row is read (`checkRowSizes`).
    public func prune(all: Bool, budget: MemoryBudget = MemoryBudget()) throws -> (removed: Int, failedCheck: Int) {
        return try access {
            let database = try writable()
            let counts = try database.write { db -> (removed: Int, failedCheck: Int) in
                if all {
                    try db.execute(sql: "DELETE FROM runs")
                    return (db.changesCount, 0)
                }
                let failing = try failingRows(db, path: path, budget: budget).failures.map(\.rowID)
                for start in stride(from: 0, to: failing.count, by: 500) {
                    let chunk = Array(failing[start..<min(start + 500, failing.count)])
                    let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                    try db.execute(sql: "DELETE FROM runs WHERE rowid IN (\(marks))", arguments: StatementArguments(chunk))
                }
                try db.execute(sql: "DELETE FROM runs WHERE engineVersion IS NOT ?", arguments: [engineVersion])
                return (failing.count + db.changesCount, failing.count)
            }
            try database.writeWithoutTransaction { db in try db.execute(sql: "VACUUM") }
            return counts
        }
    }

    /// Closes the store's connections, so that SQLite folds its -wal file into the store and
    /// removes it and the -shm file (unless another process has the store open): what a run does
    /// when it ends. An access under way (a transaction of finished runs) ends first; later ones fail.
    public func closeConnections() {
        accessLock.lock()
        defer { accessLock.unlock() }
        closeConnectionsHoldingAccess()
    }

    /// `closeConnections()`, then `ending`, which ends the process (an interruption), before
    /// another access can begin: one that would begin after waits until the process has ended, so
    /// that it never finds the store closed. An access waiting for another process's lock on the
    /// store gives up at once (`busyWait`), so the interruption never waits out SQLite's timeout.
    public func closeConnections(then ending: () -> Void) {
        building?.markInterrupted()
        accessLock.lock()
        defer { accessLock.unlock() }
        closeConnectionsHoldingAccess()
        ending()
    }

    /// Runs `body`, an access to the database, holding `accessLock`, and throws its error as
    /// `storeFailure` makes it, except once an interruption has come (`closeConnections(then:)`):
    /// then the access never returns, as the interruption ends the process once it holds the lock,
    /// and the wait for another process's lock that it cut short must not be reported meanwhile.
    private func access<Result>(_ body: () throws -> Result) throws -> Result {
        do {
            accessLock.lock()
            defer { accessLock.unlock() }
            return try body()
        } catch where building?.isInterrupted == true {
            while true { pause() }
        } catch {
            throw storeFailure(error, path: path)
        }
    }

    /// Closes the connections; the caller holds `accessLock`.
    private func closeConnectionsHoldingAccess() {
        guard connectionsClosed.withLock({ closed in defer { closed = true }; return !closed }) else { return }
        if let pool = writer as? DatabasePool {
            Self.closeFolding(pool, file: literalFileURL(path).path)
        } else {
            try? reader.close()
        }
    }

    /// The database for writing; throws a `RunStoreError` when the store is open for reading only.
    private func writable() throws -> any DatabaseWriter {
        guard let writer else { throw RunStoreError(path: path, reason: "it was opened for reading only") }
        return writer
    }
}

/// Every row of the store's table, checked as `verify` checks it: their number, the rows that fail
/// (by rowid, so that a key that is not text can be removed too), in key order, and how many rows
/// passed without the row-count check (stored before the split sizes were recorded).
private func failingRows(_ db: Database, path: String, budget: MemoryBudget) throws
    -> (count: Int, failures: [(rowID: Int64, failure: StoredRunFailure)], withoutSizes: Int) {
    try checkRowSizes(db, path: path, budget: budget)
    var count = 0, withoutSizes = 0
    var failures = [(rowID: Int64, failure: StoredRunFailure)]()
    let rows = try Row.fetchCursor(db, sql: "SELECT rowid, key, result, checksum FROM runs ORDER BY key")
    while let row = try rows.next() {
        count += 1
        let key = text(row["key"]), rowID: Int64 = row["rowid"]
        switch storedRowCheck(row, key: key) {
        case .failure(let problem): failures.append((rowID, StoredRunFailure(key: key, problem: problem.description)))
        case .success(let sizesChecked): if !sizesChecked { withoutSizes += 1 }
        }
    }
    return (count, failures, withoutSizes)
}

/// Throws a `RunStoreRefusal` of the store at `path` when checking its largest row among those
/// `condition` (an SQL WHERE clause with `arguments`; every row when empty) selects would need more
/// memory than `budget` allows: the row's key, payload and checksum held, copied and hashed, four
/// times their bytes, beside the process's own. Their sizes come from SQLite's `length()`, which
/// reads a blob's size without its bytes, so a tampered store holding a huge blob is refused in one
/// line before any of it is allocated. A run's payload is a few hundred bytes.
private func checkRowSizes(_ db: Database, path: String, budget: MemoryBudget, condition: String = "",
                           arguments: StatementArguments = StatementArguments()) throws {
    let largest = try Int64.fetchOne(db, sql: "SELECT MAX(length(key) + length(result) + length(checksum)) FROM runs \(condition)",
                                     arguments: arguments) ?? 0
    let needed = processOverheadBytes + 4 * Double(largest)
    guard needed > budget.bytes(threads: 1) else { return }
    throw RunStoreRefusal(path: path, reason: "it holds an entry of \(largest) bytes (a run's is a few hundred), and checking it needs about "
        + "\(memoryText(needed)), more than \(budget.description(threads: 1)); `store prune --all` empties the store without reading it")
}

/// Why a row of the store fails `verify`'s check; otherwise whether its row counts were checked
/// (its payload records the split's sizes).
private func storedRowCheck(_ row: Row, key: String?) -> Result<Bool, StoredRunProblem> {
    if let key, !isRunKey(key) { return .failure(StoredRunProblem("its key is not 64 lowercase hexadecimal digits, so no study can find it")) }
    switch decodeStoredRun(row) {
    case .failure(let problem): return .failure(problem)
    case .success(let stored):
        if let problem = storedRunProblem(stored.result, spec: nil, trainingRows: stored.trainingRows, testRows: stored.testRows, recordable: nil) {
            return .failure(StoredRunProblem(problem))
        }
        return .success(stored.trainingRows != nil && stored.testRows != nil)
    }
}

/// Whether `key` has the form of a `RunKeys` key: 64 lowercase hexadecimal digits.
func isRunKey(_ key: String) -> Bool {
    key.utf8.count == 64 && key.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
}

/// A stored row's run, decoded from its columns whatever their SQLite types (a tampered row may
/// hold an integer where text belongs: it fails its check instead of stopping the program).
private func decodeStoredRun(_ row: Row) -> Result<StoredRun, StoredRunProblem> {
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

/// A stored run that fails `RunStore.verify`'s check.
public struct StoredRunFailure: Sendable, CustomStringConvertible {
    /// Its whole key; nil when the row's key is not text.
    public let key: String?
    /// Why it fails.
    public let problem: String

    /// "run 0123456789abcdef: why", by the key's first 16 digits (a key that is no run key quoted,
    /// its control characters escaped).
    public var description: String {
        guard let key else { return "a run whose key is not text: \(problem)" }
        let shown = isRunKey(key) ? String(key.prefix(16)) : String(reflecting: String(key.prefix(16))) + (key.count > 16 ? "..." : "")
        return "run \(shown): \(problem)"
    }
}

/// A run store that cannot be opened, read or written.
public struct RunStoreError: Error, CustomStringConvertible {
    /// The store's file.
    public let path: String
    /// Why.
    public let reason: String
    public var description: String { "run store \(quotedUserText(path, keepingEnd: true)): \(reason)" }
}

/// A file refused as a run store before anything is done with it: no run store (`runStoreProblem`),
/// or a damaged one (the user's input, which only they can remove).
public struct RunStoreRefusal: Error, CustomStringConvertible {
    /// The store's file.
    public let path: String
    /// Why.
    public let reason: String
    public var description: String { "run store \(quotedUserText(path, keepingEnd: true)): \(reason)" }

    /// The refusal of `path` for `reason`.
    init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// The refusal of the store at `path`, which SQLite failed to read with `damage`.
    init(path: String, damage: DatabaseError) {
        self.init(path: path, reason: damagedReason("SQLite: \(damage.message ?? "error \(damage.resultCode.rawValue)")"))
    }
}

/// Why a damaged store is refused, with `finding`, what SQLite found, in the parentheses.
private func damagedReason(_ finding: String) -> String {
    "it is a damaged run store (\(finding)); remove it and its -wal and -shm files"
}

/// How long, in seconds, an access to a store waits while another process holds it locked.
let busyTimeoutSeconds = 30

/// This process's file-size limit in bytes (`ulimit -f`, the soft limit), or nil when there is none.
private func fileSizeLimit() -> rlim_t? {
    var limit = rlimit()
    guard getrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
    return limit.rlim_cur
}

/// The error to throw for `error`, met while opening, reading or writing the store at `path`: a
/// refusal as it is; a refusal of a damaged store when SQLite found the file corrupt or no
/// database; else a `RunStoreError` in a few words (strerror's for a POSIX error, also one inside a
/// Foundation error; SQLite's message for a database error, naming this process's file-size limit
/// when one is set and SQLite failed to read or write), never a dump of the error value.
private func storeFailure(_ error: Error, path: String) -> Error {
    if error is RunStoreRefusal || error is RunStoreError { return error }
    if let error = error as? DatabaseError {
        if [ResultCode.SQLITE_CORRUPT, .SQLITE_NOTADB].contains(error.resultCode) { return RunStoreRefusal(path: path, damage: error) }
        if error.resultCode == .SQLITE_BUSY {
            return RunStoreError(path: path, reason: "another process holds the store locked (waited \(busyTimeoutSeconds) s); let it finish and "
                + "run again, or use another store (--store PATH, or --no-store)")
        }
        let sizeLimit = error.resultCode == .SQLITE_IOERR ? fileSizeLimit().map {
            " (this process's file size limit, ulimit -f \($0 / 1024), may have stopped a write)"
        } ?? "" : ""
        return RunStoreError(path: path, reason: "SQLite: \(error.message ?? "error \(error.resultCode.rawValue)")" + sizeLimit)
    }
    if let code = posixErrno(of: error) { return RunStoreError(path: path, reason: String(cString: strerror(code))) }
    let nsError = error as NSError
    return RunStoreError(path: path, reason: nsError.localizedDescription.split(separator: "\n").first.map(String.init) ?? "unknown error")
}

/// The building of new stores by `RunStore.init(path:building:)` under a temporary name, which an
/// interruption of the command must not cut in half: `abandon(then:)`, called from another thread
/// (a signal's handler), marks the building interrupted, waits for a step under way to end (which,
/// seeing the mark, removes what it made: the store it built, its folder when it made it and left it
/// empty), closes the store a finished step opened, then runs its argument, which ends the process,
/// before another step can start. So a signal never leaves `NAME.new-PID` or its journal, a store's
/// -wal or -shm, or an empty `.make-report`.
public final class StoreBuilding: Sendable {
    /// Whether an interruption has stopped the building, and how to close the store the last step opened.
    private let state = Mutex<(abandoned: Bool, close: (@Sendable () -> Void)?)>((false, nil))
    /// Whether an interruption is waiting for the step under way (set before it waits).
    private let interrupted = Mutex(false)

    /// Building that is not stopped.
    public init() {}

    /// Whether an interruption has come: a step under way undoes what it made and throws ECANCELED.
    var isInterrupted: Bool { interrupted.withLock { $0 } }

    /// Marks the building, and the store it opened, interrupted (an interruption's first step):
    /// SQLite's waits for another process's lock give up at their next try (`RunStore.busyWait`).
    func markInterrupted() {
        interrupted.withLock { $0 = true }
    }

    /// Runs `build` unless the building was abandoned (then throws ECANCELED without running it),
    /// keeps `closing(result)` for an interruption to close what it opened, and returns its result.
    /// A step that fails once an interruption has come never returns: the interruption ends the
    /// process as soon as the step is over, and its failure must not be reported meanwhile.
    func step<Result>(_ build: () throws -> Result, closing: (Result) -> @Sendable () -> Void) throws -> Result {
        do {
            return try state.withLock { state in
                guard !state.abandoned else { throw POSIXError(.ECANCELED) }
                let result = try build()
                state.close = closing(result)
                return result
            }
        } catch where isInterrupted {
            while true { pause() }
        }
    }

    /// Marks the building interrupted, waits for a step under way, stops the building, closes the
    /// store the last step opened, and runs `ending` before another step can start.
    public func abandon(then ending: () -> Void) {
        markInterrupted()
        state.withLock { state in
            state.abandoned = true
            state.close?()
            ending()
        }
    }
}
