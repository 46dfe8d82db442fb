import Foundation
import PoisoningEngine

/// Why `path` cannot be a run store, in words, or nil when it can: a missing file under a folder
/// where it can be created, or a regular file that is a run store (an SQLite database whose
/// `application_id` is `RunStore.applicationID`, read from the file's header without opening it as
/// a database, so that no other file is ever changed). Nothing is created.
public func runStoreProblem(_ path: String) -> String? {
    guard !path.isEmpty else { return "the path is empty; give a file name" }
    var status = stat()
    guard stat(path, &status) == 0 else {
        guard errno == ENOENT else { return String(cString: strerror(errno)) }
        return creationProblem(at: URL(fileURLWithPath: path).standardizedFileURL)
    }
    switch status.st_mode & S_IFMT {
    case S_IFREG: break
    case S_IFDIR: return "it is a folder, not a run store"
    case S_IFCHR, S_IFBLK: return "it is a device, not a run store"
    case S_IFIFO: return "it is a FIFO, not a run store"
    default: return "it is not a regular file"
    }
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
            + "stores of make-report 0.3 cannot be verified: remove the file)"
    }
    return nil
}

/// A stored run's payload: the `RunResult` as JSON with sorted keys (non-finite numbers as strings).
public func encodeStoredRun(_ result: RunResult) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return try encoder.encode(result)
}

/// The checksum stored beside a payload: SHA-256 of the key, a newline and the payload, so that a
/// payload moved to another key fails too.
public func storedRunChecksum(key: String, payload: Data) -> String {
    SHA256.hexDigest(of: Array(key.utf8) + [0x0A] + Array(payload))
}

/// The run stored under `key`, when `checksum` is the payload's and the payload decodes; otherwise why not.
public func decodeStoredRun(key: String, payload: Data, checksum: String) -> Result<RunResult, StoredRunProblem> {
    guard storedRunChecksum(key: key, payload: payload) == checksum else {
        return .failure(StoredRunProblem("its checksum does not match its payload"))
    }
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    guard let result = try? decoder.decode(RunResult.self, from: payload) else {
        return .failure(StoredRunProblem("its payload is not a run result"))
    }
    return .success(result)
}

/// Why a stored result cannot stand for a run, or nil: the checks `merge` applies to a shard's
/// runs. It must have metrics (diverged runs are never stored), those every run records among them,
/// each in its `MetricKey.validRange`; its poisoned count must lie within the training rows and its
/// realised fraction be that count's share; and, when `spec` is given, it must be that run (the same
/// fraction and seed; the series is the study's and not stored). `trainingRows` (when known) is the
/// study's number of training rows.
public func storedRunProblem(_ result: RunResult, spec: RunSpec?, trainingRows: Int?) -> String? {
    guard let metrics = result.metrics else { return "it has no metrics" }
    if let spec, result.fraction != spec.fraction || result.seed != spec.seed {
        return "it is the run of fraction \(result.fraction) and seed \(result.seed), not of fraction \(spec.fraction) and seed \(spec.seed)"
    }
    if let missing = recordedByEveryRun.first(where: { metrics[$0] == nil }) { return "it has no \(missing)" }
    if let (key, value) = result.firstMetricOutOfRange {
        return "its \(key) is \(value), outside \(MetricKey.validRange(of: key))"
    }
    guard result.poisonedCount >= 0, result.poisonedCount <= (trainingRows ?? Int.max),
          result.realisedFraction.isFinite, (0...1).contains(result.realisedFraction) else {
        return "its poisoned count \(result.poisonedCount) or realised fraction \(result.realisedFraction) is impossible"
    }
    if let trainingRows, result.realisedFraction != Double(result.poisonedCount) / Double(trainingRows) {
        return "its realised fraction \(result.realisedFraction) is not its \(result.poisonedCount) poisoned rows' share"
    }
    return nil
}

/// The metrics every finished run records, whatever its model, attack and defense.
private let recordedByEveryRun = [MetricKey.testAccuracy, MetricKey.trainAccuracy, MetricKey.trainCleanAccuracy,
                                  MetricKey.generalizationGap, MetricKey.finalLoss]

/// Why a stored run was rejected.
public struct StoredRunProblem: Error, CustomStringConvertible {
    /// The problem, in words.
    public let description: String
    init(_ description: String) { self.description = description }
}
