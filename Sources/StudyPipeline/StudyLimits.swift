import Foundation
import PoisoningAnalysis
import PoisoningEngine

/// The default largest number of runs a study may have (`--max-runs` raises it).
public let defaultMaximumRuns = 100_000

/// The resident memory of a make-report command beside its data and its runs: the binary and its
/// libraries, the Swift and Foundation runtimes, and the analysis, figures and reports of a small
/// study (measured: 41 MiB for one run on 500 samples, 41-46 MiB for the reference study's 81 runs;
/// `benchmarks/results.md`).
public let processOverheadBytes = 48.0 * 1_048_576

/// The address space a make-report command with `threads` worker threads reserves beyond the memory
/// it uses: its libraries' mappings and thread stacks, 128 MiB, and an arena of the allocator's,
/// 64 MiB, per thread. What an address-space limit (`ulimit -v`) must leave besides the estimate
/// (measured: about 60 MiB more than the peak resident memory on one thread, 180 MiB on 2 and 4,
/// 260 MiB on 8).
public func addressSpaceReserveBytes(threads: Int) -> Double {
    (128 + 64 * Double(threads)) * 1_048_576
}

/// The memory a study needs at its peak, in bytes, estimated from its design and its split's sizes.
public struct StudyMemory: Sendable, Equatable {
    /// Making the data: the data source's `estimatedBytes`, the split included.
    public let making: Double
    /// The split, kept while the runs train.
    public let data: Double
    /// The most one worker holds at once for the series that needs the most (`estimatedRunBytes`
    /// for as many of its runs as a worker takes at once).
    public let perWorker: Double
    /// The name of that series.
    public let largestSeries: String
    /// Its network's parameters.
    public let largestParameters: Int
    /// The workers that hold runs at once: the threads, or fewer when the runs come in fewer chunks.
    public let workers: Int

    /// The whole command's peak: the process's own memory plus the larger of making the data and
    /// the data with every worker's runs.
    public var total: Double { processOverheadBytes + max(making, data + Double(workers) * perWorker) }
}

/// The memory of `design` on a split of `sizes` with `threads` worker threads: each series' runs
/// are handed out `runsPerChunk` at a time, one chunk per worker, so a worker holds at most that many
/// runs of one series (`estimatedRunBytes`) at the study's largest poison fraction.
public func estimatedStudyMemory(_ design: StudyDesign, sizes: SplitSizes, threads: Int) -> StudyMemory {
    let config = design.config, series = design.seriesComponents
    let runsPerSeries = config.fractions.count * config.seeds.count
    let chunk = min(runsPerChunk(runs: series.count * runsPerSeries, threads: threads), max(runsPerSeries, 1))
    let poisoned = poisonCount(fraction: config.fractions.max() ?? 0, of: sizes.trainRows)
    let needs = series.map { m, a, d in
        let shape = design.models[m].networkShape(inputs: sizes.features, classes: sizes.classes)
        let run = RunSizes(split: sizes, shape: shape, settings: config.training, poisonedRows: poisoned)
        return (bytes: estimatedRunBytes(run, attack: design.attacks[a], defense: design.defenses[d], runs: chunk),
                label: design.seriesLabel(model: m, attack: a, defense: d), parameters: shape.parameterCount)
    }
    let largest = needs.max { $0.bytes < $1.bytes }
    let chunks = series.count * ((runsPerSeries + chunk - 1) / chunk)
    return StudyMemory(making: design.data.estimatedBytes, data: sizes.bytes, perWorker: largest?.bytes ?? 0,
                       largestSeries: largest?.label ?? "", largestParameters: largest?.parameters ?? 0,
                       workers: max(1, min(threads, chunks)))
}

/// How much memory a command may use: half of the machine's memory, and under an address-space
/// limit (`ulimit -v`) no more than that limit leaves beside the address space the process reserves.
public struct MemoryBudget: Sendable, Equatable {
    /// The machine's memory, in bytes.
    public let physicalMemory: UInt64
    /// The process's address-space limit, in bytes; nil for none.
    public let addressSpaceLimit: UInt64?

    /// The budget of a machine of `physicalMemory` bytes under `addressSpaceLimit` (default: this
    /// machine and this process's limit).
    public init(physicalMemory: UInt64 = ProcessInfo.processInfo.physicalMemory,
                addressSpaceLimit: UInt64? = currentAddressSpaceLimit()) {
        self.physicalMemory = physicalMemory
        self.addressSpaceLimit = addressSpaceLimit
    }

    /// What the address-space limit leaves with `threads` worker threads, when it is the lower bound.
    private func addressSpaceBytes(threads: Int) -> Double? {
        guard let addressSpaceLimit else { return nil }
        let left = max(Double(addressSpaceLimit) - addressSpaceReserveBytes(threads: threads), 0)
        return left < Double(physicalMemory) / 2 ? left : nil
    }

    /// The bytes a command with `threads` worker threads may use.
    public func bytes(threads: Int) -> Double {
        addressSpaceBytes(threads: threads) ?? Double(physicalMemory) / 2
    }

    /// What sets `bytes(threads:)`, after "more than": "half of this machine's 23.0 GiB memory", or
    /// "the 4.9 GiB that this process's address-space limit (ulimit -v 6000000) leaves".
    public func description(threads: Int) -> String {
        guard let left = addressSpaceBytes(threads: threads), let addressSpaceLimit else {
            return "half of this machine's " + memoryText(Double(physicalMemory)) + " memory"
        }
        return "the " + memoryText(left) + " that this process's address-space limit (ulimit -v \(addressSpaceLimit / 1024)) leaves"
    }
}

/// The process's address-space limit (RLIMIT_AS, `ulimit -v`) in bytes, or nil when it has none.
public func currentAddressSpaceLimit() -> UInt64? {
    var limit = rlimit()
    guard getrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
    return UInt64(limit.rlim_cur)
}

/// Why the study of `design` is too large to start, in one sentence, or nil: more runs than
/// `maximumRuns`; data that need more than `budget` to make; or, when the split's `sizes` are known
/// (from the data source's settings before the data are made, or from the data), a study whose data
/// and largest run on each of `threads` workers at once would need more than `budget`.
public func studySizeProblem(_ design: StudyDesign, sizes: SplitSizes?, threads: Int, maximumRuns: Int,
                             budget: MemoryBudget = MemoryBudget()) -> String? {
    let config = design.config, runs = design.runCount
    if runs > maximumRuns {
        return "the study has \(runs) runs (\(config.fractions.count) fractions x \(design.seriesComponents.count) series x "
            + "\(design.seedCount) seeds), more than --max-runs \(maximumRuns); raise --max-runs if you mean it"
    }
    // The data are made on one thread (and a file's estimate reads it once).
    let memory = sizes.map { estimatedStudyMemory(design, sizes: $0, threads: threads) }
    let making = processOverheadBytes + (memory?.making ?? design.data.estimatedBytes)
    if making > budget.bytes(threads: 1) {
        return "making the data set (\(design.data.label)) needs about " + memoryText(making) + ", more than "
            + budget.description(threads: 1) + "; use fewer samples, features or classes, or a smaller file"
    }
    guard let memory, runs > 0 else { return nil }
    if memory.total > budget.bytes(threads: threads) {
        let training = Double(memory.workers) * memory.perWorker
        return "the study needs about " + memoryText(memory.total) + " (" + memoryText(memory.making) + " to make the data, then "
            + memoryText(memory.data) + " of data and " + memoryText(memory.perWorker) + " for the largest run, \(memory.largestSeries) "
            + "with \(memory.largestParameters) parameters" + (memory.workers > 1 ? ", on each of \(memory.workers) threads" : "")
            + "), more than " + budget.description(threads: threads) + "; use "
            + (memory.making > memory.data + training ? "fewer samples or features" : "smaller models, fewer features or fewer --threads")
    }
    return nil
}

/// `studySizeProblem` of a study whose data are made: judged on its split's sizes.
public func studySizeProblem(_ study: Study, threads: Int, maximumRuns: Int, budget: MemoryBudget = MemoryBudget()) -> String? {
    studySizeProblem(study.design, sizes: study.split.sizes, threads: threads, maximumRuns: maximumRuns, budget: budget)
}

/// `bytes` in GiB with one decimal from 1 GiB, e.g. "2.5 GiB", in whole MiB from 1 MiB, e.g.
/// "368 MiB", in whole KiB from 1 KiB, e.g. "600 KiB" (what a tiny `ulimit -v` leaves, which MiB
/// would print as "0 MiB"), else in bytes, e.g. "0 bytes".
func memoryText(_ bytes: Double) -> String {
    switch bytes {
    case 1_073_741_824...: String(format: "%.1f GiB", bytes / 1_073_741_824)
    case 1_048_576...: String(format: "%.0f MiB", bytes / 1_048_576)
    case 1024...: String(format: "%.0f KiB", bytes / 1024)
    default: String(format: "%.0f bytes", bytes)
    }
}

/// The memory that decoding the JSON document `data` holds at its peak, in bytes, beside the
/// process's own: its bytes, and 72 bytes for each of its structural characters (`[`, `{`, `,` and
/// `:`, counted in one pass without parsing; in strings too, which only raises the estimate) for
/// the decoder's buffer of values, which grows by doubling (its old and its new copy are held at
/// once), and the decoded values. Measured in the release build: 42-48 resident bytes per
/// structural character beside the file's bytes, for a results.json of 23 MB and 232 MB and for a
/// 100 MB array of 50 million zeros (the most values per byte), which asked for a 2.4 GB buffer
/// while holding the 1.2 GB one before it.
public func jsonDecodingBytes(_ data: Data) -> Double {
    Double(data.count) + bytesPerStructuralCharacter * Double(data.withUnsafeBytes(structuralCharacterCount))
}

/// What decoding holds per structural character of a JSON document (`jsonDecodingBytes`).
private let bytesPerStructuralCharacter = 72.0

/// `jsonDecodingBytes` of the file at `path`, read 1 MiB at a time (never whole); 0 when it cannot be read.
public func jsonDecodingBytes(ofFileAt path: String) -> Double {
    guard let handle = FileHandle(forReadingAtPath: path) else { return 0 }
    defer { try? handle.close() }
    var bytes = 0, structural = 0
    while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty {
        bytes += chunk.count
        structural += chunk.withUnsafeBytes(structuralCharacterCount)
    }
    return Double(bytes) + bytesPerStructuralCharacter * Double(structural)
}

/// The number of `[`, `{`, `,` and `:` among `bytes`.
private func structuralCharacterCount(_ bytes: UnsafeRawBufferPointer) -> Int {
    bytes.reduce(into: 0) { count, byte in
        if byte == UInt8(ascii: ",") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") { count += 1 }
    }
}

/// Why a command that holds `held` bytes of files and decodes the JSON documents `files` (by name,
/// each with its `jsonDecodingBytes`, all at once) would need more memory than `budget` allows, in
/// one sentence naming the largest document, or nil. Judged before any of them is decoded.
public func jsonFilesMemoryProblem(_ files: [(name: String, decodingBytes: Double)], held: Double = 0,
                                   budget: MemoryBudget = MemoryBudget()) -> String? {
    let total = processOverheadBytes + held + files.reduce(0) { $0 + $1.decodingBytes }
    guard total > budget.bytes(threads: 1), let largest = files.max(by: { $0.decodingBytes < $1.decodingBytes }) else { return nil }
    return "reading \(quotedUserText(largest.name, keepingEnd: true)) needs about " + memoryText(total) + (files.count > 1 || held > 0 ? " with the other files" : "")
        + ", more than " + budget.description(threads: 1) + "; check it on a machine with more memory"
}

/// Why making the data of the study `config` (read from the file `name`) beside `held` bytes of
/// decoded files would need more memory than `budget` allows, in one sentence, or nil: the data
/// source's `estimatedBytes`, as `studySizeProblem` judges a study's data before `run` makes them.
/// A configuration that makes no study design is let through: making its study fails with its
/// own reason.
public func studyDataMemoryProblem(_ config: StudyConfig, name: String, held: Double,
                                   budget: MemoryBudget = MemoryBudget()) -> String? {
    guard let design = try? StudyDesign(document: config.document) else { return nil }
    let total = processOverheadBytes + held + design.data.estimatedBytes
    guard total > budget.bytes(threads: 1) else { return nil }
    return quotedUserText(name, keepingEnd: true) + ": making its study's data set (\(design.data.label)) needs about " + memoryText(total)
        + (held > 0 ? " with the files read" : "") + ", more than " + budget.description(threads: 1)
        + "; check it on a machine with more memory"
}
