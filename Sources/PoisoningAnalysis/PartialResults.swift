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

/// What one shard of a sweep writes (`results.part-K-of-N.json`): the whole configuration, the
/// SHA-256 of the data file it names, the sizes of the study's split, which shard this is, its runs
/// and how long they took. `mergePartialResults` combines all N into the study's runs.
public struct PartialStudyResults: Sendable, Codable, Equatable {
    /// Version of the tool that ran the shard.
    public let toolVersion: String
    /// The whole study's configuration; its relative paths are relative to the part file's folder.
    public private(set) var config: StudyConfig
    /// The SHA-256 of the bytes of the data file the configuration names, as the shard read them
    /// (`dataFileSHA256(of:)`); nil for synthetic data.
    public let dataFileSHA256: String?
    /// The sizes of the study's split, with which `merge` lays the study out without making its
    /// data; nil in a part written before they were recorded (merge then makes the data).
    public let dataSizes: SplitSizes?
    /// Which shard.
    public let shard: Shard
    /// The shard's runs.
    public let runs: [IndexedRunResult]
    /// How long they took (not part of the study's results).
    public let timing: ShardTiming?

    /// A shard's results.
    public init(toolVersion: String, config: StudyConfig, dataFileSHA256: String? = nil, dataSizes: SplitSizes? = nil, shard: Shard,
                runs: [IndexedRunResult], timing: ShardTiming? = nil) {
        self.toolVersion = toolVersion
        self.config = config
        self.dataFileSHA256 = dataFileSHA256
        self.dataSizes = dataSizes
        self.shard = shard
        self.runs = runs
        self.timing = timing
    }

    /// The file name of shard K of N: "results.part-K-of-N.json".
    public static func fileName(for shard: Shard) -> String { "results.part-\(shard.index)-of-\(shard.count).json" }

    /// Whether `name` is the file name of some shard's partial results: `results.part-K-of-N.json`,
    /// K and N ASCII digits (the whole match of /results\.part-[0-9]+-of-[0-9]+\.json/, read without
    /// a regex, which Swift builds anew at every call: the output folder's checks ask this of every file).
    public static func isFileName(_ name: String) -> Bool {
        isLiteralsAndDigits(name, ["results.part-", "-of-", ".json"])
    }

    /// Whether `name` is the temporary file a shard writes its part into before renaming it,
    /// `.results.part-K-of-N.json.tmp-PID` (the whole match of
    /// /\.results\.part-[0-9]+-of-[0-9]+\.json\.tmp-[0-9]+/).
    public static func isTemporaryFileName(_ name: String) -> Bool {
        isLiteralsAndDigits(name, [".results.part-", "-of-", ".json.tmp-", ""])
    }

    /// Whether the UTF-8 bytes of `name` are those of `literals` (ASCII) with one or more ASCII digits
    /// between each two. A name with any other byte fails, as it fails the regex, whose Characters
    /// would then include one that is not ASCII.
    private static func isLiteralsAndDigits(_ name: String, _ literals: [String]) -> Bool {
        var bytes = name.utf8[...]
        for (index, literal) in literals.enumerated() {
            if index > 0 {
                let digits = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
                guard digits > 0 else { return false }
                bytes = bytes.dropFirst(digits)
            }
            guard bytes.starts(with: literal.utf8) else { return false }
            bytes = bytes.dropFirst(literal.utf8.count)
        }
        return bytes.isEmpty
    }

    /// This part with every relative path of its configuration moved from the folder `from` to the
    /// folder `to` (`StudyConfig.movingPaths`).
    public func movingPaths(from: String, to: String) -> PartialStudyResults {
        var moved = self
        moved.config = config.movingPaths(from: from, to: to)
        return moved
    }

    /// Pretty-printed JSON with sorted keys.
    public func jsonData() throws -> Data { try sortedJSON(self) }
}

/// The SHA-256 of the bytes of the data file `config` names (read as `readUserFile` reads them), or
/// nil for synthetic data. A shard's part carries it, so that `merge` reads the file only as the
/// data the shards read.
public func dataFileSHA256(of config: StudyConfig) throws -> String? {
    try config.dataFilePath.map { SHA256.hexDigest(of: try readUserFile($0, maximumBytes: CSVDataset.maximumFileBytes)) }
}

/// Why partial results cannot be merged.
public enum MergeError: Error, Equatable, CustomStringConvertible {
    case noParts
    /// A part's configuration differs from the first part's.
    case configurationMismatch(part: String, first: String)
    /// A part's data file had other bytes than the first part's, or its split other sizes.
    case dataMismatch(part: String, first: String)
    /// A part was made by another tool version.
    case toolVersionMismatch(part: String, version: String, expected: String)
    /// A part belongs to a split into a different number of shards.
    case shardCountMismatch(part: String, count: Int, expected: Int)
    /// A part belongs to a split into more shards than the study has runs.
    case tooManyShards(part: String, count: Int, runs: Int)
    /// The data file the parts' study names cannot be read, or is not the file the shards read.
    case dataFile(part: String, reason: String)
    /// The parts' configuration does not make a study.
    case invalidStudy(part: String, reason: String)
    /// Two parts are the same shard, so they hold the same runs.
    case duplicateShard(part: String, shard: Shard)
    /// Shards are missing: the first few of them, how many in all, and of how many.
    case missingShards(first: [Int], missing: Int, of: Int)
    /// A part does not hold exactly its shard's runs.
    case wrongRuns(part: String)
    /// A run of a part is not the run of the study at its index, or is impossible (`StudyRunCheck`).
    case invalidRun(part: String, index: Int, reason: String)

    public var description: String {
        switch self {
        case .noParts: "no partial results to merge"
        case let .configurationMismatch(part, first): "\(part) was run with a different configuration than \(first)"
        case let .dataMismatch(part, first): "\(part) was run on other data than \(first) (the SHA-256 of their data files, or the sizes of their splits, differ)"
        case let .toolVersionMismatch(part, version, expected): "\(part) was made by make-report \(version), the others by \(expected)"
        case let .shardCountMismatch(part, count, expected): "\(part) is one of \(count) shards, the others of \(expected)"
        case let .tooManyShards(part, count, runs): "\(part) is one of \(count) shards, more than its study's \(runs) runs"
        case let .dataFile(part, reason), let .invalidStudy(part, reason): "\(part): \(reason)"
        case let .duplicateShard(part, shard): "\(part) overlaps another part: shard \(shard) appears twice"
        case let .missingShards(first, missing, count):
            "missing shard\(missing == 1 ? "" : "s") \(abbreviatedList(first.map { "\($0)/\(count)" }, total: missing))"
        case let .wrongRuns(part): "\(part) does not hold exactly the runs of its shard"
        case let .invalidRun(part, index, reason): "\(part): run \(index) \(reason)"
        }
    }
}

/// Combines the partial results of all N shards of one study into the study's layout and its runs,
/// in run-spec order. Before the study is laid out from the parts' configuration, every part must
/// have the same configuration, data, split sizes, tool version and N, and N may not exceed the
/// study's runs, and the data file the study names (if any) must have the bytes the shards read (its
/// SHA-256; the file is not parsed). Parts that record the split's sizes (`dataSizes`) give the
/// layout without the data; older parts have the study's data made. Then the shards must be
/// 1...N each exactly once, each holding exactly its own runs (so together they hold every run
/// once), each passing `StudyRunCheck` (the study's run at its index, and possible: the checks a
/// results.json's runs and a stored run pass too) and `RunResult.countProblem` with the study's
/// split (its shares of whole rows, as a stored run's). The work is linear in the parts' runs, whatever N they claim.
public func mergePartialResults(_ parts: [(name: String, results: PartialStudyResults)]) throws
    -> (study: StudyLayout, runs: [RunResult], toolVersion: String) {
    guard let first = parts.first else { throw MergeError.noParts }
    try checkAgreement(parts)
    let config = first.results.config, count = first.results.shard.count, total = config.runCount
    guard count <= total else { throw MergeError.tooManyShards(part: first.name, count: count, runs: total) }
    try checkDataFile(first)
    let study: StudyLayout
    if let sizes = first.results.dataSizes {
        let design: StudyDesign
        do {
            design = try StudyDesign(document: config.document)
            study = try StudyLayout(design: design, sizes: sizes)
        } catch {
            throw MergeError.invalidStudy(part: first.name, reason: "its configuration does not make a study on data of its split's sizes: \(abbreviated("\(error)"))")
        }
        // Synthetic data's sizes follow from its settings: a part must record those.
        if let planned = design.data.plannedSizes, planned != sizes {
            throw MergeError.invalidStudy(part: first.name, reason: "its split's sizes (\(sizes.trainRows) training rows, \(sizes.testRows) test rows, "
                + "\(sizes.features) features, \(sizes.classes) classes) are not those of its configuration's data")
        }
    } else {
        do {
            study = try Study(config).layout
        } catch {
            throw MergeError.invalidStudy(part: first.name, reason: studyFailure(error, config: config))
        }
    }
    var runs = [RunResult?](repeating: nil, count: total)
    var seenShards = Set<Int>()
    let check = StudyRunCheck(study), specs = study.runSpecs
    for (name, part) in parts {
        guard seenShards.insert(part.shard.index).inserted else { throw MergeError.duplicateShard(part: name, shard: part.shard) }
        guard part.runs.map(\.index) == part.shard.runIndices(total: total) else { throw MergeError.wrongRuns(part: name) }
        // Distinct shards holding exactly their own indices are disjoint.
        for run in part.runs {
            // As the run store checks a stored run: its shares must be of whole rows of the study's split.
            if let problem = check.problem(of: run.result, as: specs[run.index])
                ?? run.result.countProblem(trainingRows: study.sizes.trainRows, testRows: study.sizes.testRows).map({ "is impossible: \($0)" }) {
                throw MergeError.invalidRun(part: name, index: run.index, reason: problem)
            }
            runs[run.index] = run.result
        }
    }
    // Every shard seen lies in 1...N, so N minus those seen are missing; the first few are found
    // among the first seen + 3 numbers.
    guard seenShards.count == count else {
        throw MergeError.missingShards(first: Array((1...count).lazy.filter { !seenShards.contains($0) }.prefix(3)),
                                       missing: count - seenShards.count, of: count)
    }
    return (study, runs.map { $0! }, first.results.toolVersion)
}

/// Throws unless every part has the first part's configuration, data file hash, split sizes, tool version and N.
private func checkAgreement(_ parts: [(name: String, results: PartialStudyResults)]) throws {
    let (firstName, first) = parts[0]
    for (name, part) in parts.dropFirst() {
        guard part.config == first.config else { throw MergeError.configurationMismatch(part: name, first: firstName) }
        guard part.dataFileSHA256 == first.dataFileSHA256, part.dataSizes == first.dataSizes else {
            throw MergeError.dataMismatch(part: name, first: firstName)
        }
        guard part.toolVersion == first.toolVersion else {
            throw MergeError.toolVersionMismatch(part: name, version: part.toolVersion, expected: first.toolVersion)
        }
        guard part.shard.count == first.shard.count else {
            throw MergeError.shardCountMismatch(part: name, count: part.shard.count, expected: first.shard.count)
        }
    }
}

/// Throws unless the data file the part's study names, if any, has the bytes the shards read (the
/// SHA-256 the part carries). A part names a path that merge will read; only the file its shard
/// read is then parsed, so a part cannot have any other file read as data or quoted in an error.
private func checkDataFile(_ part: (name: String, results: PartialStudyResults)) throws {
    guard let path = part.results.config.dataFilePath else { return }
    guard let expected = part.results.dataFileSHA256 else {
        throw MergeError.dataFile(part: part.name, reason: "it carries no SHA-256 of the data file \(quotedUserText(path, keepingEnd: true)) its study names")
    }
    let actual: String?
    do {
        actual = try dataFileSHA256(of: part.results.config)
    } catch {
        throw MergeError.dataFile(part: part.name, reason: "its study's data file cannot be read: \(error)")
    }
    guard actual == expected else {
        throw MergeError.dataFile(part: part.name, reason: quotedUserText(path, keepingEnd: true) + ", the data file its study names, is not the file its shard read "
            + "(its SHA-256 differs: edited since, or another file)")
    }
}
