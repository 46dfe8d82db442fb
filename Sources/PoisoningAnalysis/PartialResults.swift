import Foundation
import PoisoningEngine

/// A run result with its index in `Study.runSpecs`.
public struct IndexedRunResult: Sendable, Codable, Equatable {
    /// Index in the configuration's run list.
    public let index: Int
    /// The run's result.
    public let result: RunResult

    /// A result at an index.
    public init(index: Int, result: RunResult) {
        self.index = index
        self.result = result
    }
}

/// How long a shard took; kept in its part file for the merged performance record, never in results.
public struct ShardTiming: Sendable, Codable, Equatable {
    /// Worker threads the shard used.
    public let threads: Int
    /// Wall seconds of the shard's training sweep.
    public let wallSeconds: Double
    /// Wall seconds of each of its runs, in the order of `runs`.
    public let runSeconds: [Double]

    /// A shard's timing.
    public init(threads: Int, wallSeconds: Double, runSeconds: [Double]) {
        self.threads = threads
        self.wallSeconds = wallSeconds
        self.runSeconds = runSeconds
    }
}

/// What one shard of a sweep writes (`results.part-K-of-N.json`): the whole configuration, which
/// shard this is, its runs and how long they took. `mergePartialResults` combines all N into the
/// study's runs.
public struct PartialStudyResults: Sendable, Codable, Equatable {
    /// Version of the tool that ran the shard.
    public let toolVersion: String
    /// The whole study's configuration.
    public let config: StudyConfig
    /// Which shard.
    public let shard: Shard
    /// The shard's runs.
    public let runs: [IndexedRunResult]
    /// How long they took (not part of the study's results).
    public let timing: ShardTiming?

    /// A shard's results.
    public init(toolVersion: String, config: StudyConfig, shard: Shard, runs: [IndexedRunResult], timing: ShardTiming? = nil) {
        self.toolVersion = toolVersion
        self.config = config
        self.shard = shard
        self.runs = runs
        self.timing = timing
    }

    /// The file name of shard K of N: "results.part-K-of-N.json".
    public static func fileName(for shard: Shard) -> String { "results.part-\(shard.index)-of-\(shard.count).json" }

    /// Whether `name` is the file name of some shard's partial results.
    public static func isFileName(_ name: String) -> Bool {
        name.wholeMatch(of: /results\.part-[0-9]+-of-[0-9]+\.json/) != nil
    }

    /// Pretty-printed JSON with sorted keys.
    public func jsonData() throws -> Data { try sortedJSON(self) }
}

/// Why partial results cannot be merged.
public enum MergeError: Error, Equatable, CustomStringConvertible {
    case noParts
    /// A part's configuration differs from the first part's.
    case configurationMismatch(part: String, first: String)
    /// A part was made by another tool version.
    case toolVersionMismatch(part: String, version: String, expected: String)
    /// A part belongs to a split into a different number of shards.
    case shardCountMismatch(part: String, count: Int, expected: Int)
    /// Two parts are the same shard, so they hold the same runs.
    case duplicateShard(part: String, shard: Shard)
    /// Shards are missing.
    case missingShards([Int], of: Int)
    /// A part does not hold exactly its shard's runs.
    case wrongRuns(part: String)
    /// A run of a part is not the run of the study at its index, or holds an impossible metric.
    case invalidRun(part: String, index: Int, reason: String)

    public var description: String {
        switch self {
        case .noParts: "no partial results to merge"
        case let .configurationMismatch(part, first): "\(part) was run with a different configuration than \(first)"
        case let .toolVersionMismatch(part, version, expected): "\(part) was made by make-report \(version), the others by \(expected)"
        case let .shardCountMismatch(part, count, expected): "\(part) is one of \(count) shards, the others of \(expected)"
        case let .duplicateShard(part, shard): "\(part) overlaps another part: shard \(shard) appears twice"
        case let .missingShards(missing, count): "missing shard\(missing.count == 1 ? "" : "s") \(missing.map { "\($0)/\(count)" }.joined(separator: ", "))"
        case let .wrongRuns(part): "\(part) does not hold exactly the runs of its shard"
        case let .invalidRun(part, index, reason): "\(part): run \(index) \(reason)"
        }
    }
}

/// Combines the partial results of all N shards of one study into the study (read from their configuration) and its runs, in run-spec order,
/// after checking that every part has the same configuration, tool version and N, that the
/// shards are 1...N each exactly once, and that each holds exactly its own runs (so together they
/// hold every run once).
public func mergePartialResults(_ parts: [(name: String, results: PartialStudyResults)]) throws
    -> (study: Study, runs: [RunResult], toolVersion: String) {
    guard let first = parts.first else { throw MergeError.noParts }
    let config = first.results.config, count = first.results.shard.count
    let study = try Study(config)
    let total = study.runSpecs.count
    var runs = [RunResult?](repeating: nil, count: total)
    var seenShards = Set<Int>()
    for (name, part) in parts {
        guard part.config == config else { throw MergeError.configurationMismatch(part: name, first: first.name) }
        guard part.toolVersion == first.results.toolVersion else {
            throw MergeError.toolVersionMismatch(part: name, version: part.toolVersion, expected: first.results.toolVersion)
        }
        guard part.shard.count == count else { throw MergeError.shardCountMismatch(part: name, count: part.shard.count, expected: count) }
        guard seenShards.insert(part.shard.index).inserted else { throw MergeError.duplicateShard(part: name, shard: part.shard) }
        guard part.runs.map(\.index) == part.shard.runIndices(total: total) else { throw MergeError.wrongRuns(part: name) }
        // Distinct shards holding exactly their own indices are disjoint.
        for run in part.runs {
            let spec = study.runSpecs[run.index], result = run.result
            guard result.matches(spec) else {
                throw MergeError.invalidRun(part: name, index: run.index, reason: "is not the study's run at that index "
                    + "(fraction \(spec.fraction), series \(spec.series), seed \(spec.seed))")
            }
            if let (key, value) = result.firstMetricOutOfRange {
                throw MergeError.invalidRun(part: name, index: run.index, reason: "has \(key) = \(value), outside its valid range")
            }
            runs[run.index] = result
        }
    }
    let missing = (1...count).filter { !seenShards.contains($0) }
    guard missing.isEmpty else { throw MergeError.missingShards(missing, of: count) }
    return (study, runs.map { $0! }, first.results.toolVersion)
}
