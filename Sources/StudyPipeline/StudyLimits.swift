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

/// The memory of `design` on a split of `sizes` with `threads` worker threads, its data source's
/// `estimatedBytes` being `makingBytes` (a data file's is counted by reading it, so a command counts
/// it once): each series' runs are handed out `runsPerChunk` at a time, one chunk per worker, so a
/// worker holds at most that many runs of one series (`estimatedRunBytes`) at the study's largest
/// poison fraction.
public func estimatedStudyMemory(_ design: StudyDesign, sizes: SplitSizes, threads: Int, makingBytes: Double) -> StudyMemory {
    let config = design.config, series = design.seriesComponents
    let runsPerSeries = config.fractions.count * config.seeds.count
    let chunk = min(runsPerChunk(runs: series.count * runsPerSeries, threads: threads), max(runsPerSeries, 1))
    let poisoned = poisonCount(fraction: config.fractions.max() ?? 0, of: sizes.trainRows)
    let needs = series.map { m, a, d in
        let model = design.models[m].model(for: sizes)
        let run = RunSizes(split: sizes, model: model, settings: config.training, poisonedRows: poisoned)
        return (bytes: estimatedRunBytes(run, attack: design.attacks[a], defense: design.defenses[d], runs: chunk),
                label: design.seriesLabel(model: m, attack: a, defense: d), parameters: model.parameterCount)
    }
    let largest = needs.max { $0.bytes < $1.bytes }
    let chunks = series.count * ((runsPerSeries + chunk - 1) / chunk)
    return StudyMemory(making: makingBytes, data: sizes.bytes, perWorker: largest?.bytes ?? 0,
                       largestSeries: largest?.label ?? "", largestParameters: largest?.parameters ?? 0,
                       workers: max(1, min(threads, chunks)))
}

/// How much memory a command may use: half of the machine's memory, and under a memory limit
/// (`MemoryLimits`) no more than the tightest of them leaves.
public struct MemoryBudget: Sendable, Equatable {
    /// The machine's memory, in bytes.
    public let physicalMemory: UInt64
    /// The limits on the process's memory.
    public let limits: MemoryLimits

    /// The budget of a machine of `physicalMemory` bytes under `limits` (default: this machine and
    /// this process's limits).
    public init(physicalMemory: UInt64 = ProcessInfo.processInfo.physicalMemory, limits: MemoryLimits = .current()) {
        self.physicalMemory = physicalMemory
        self.limits = limits
    }

    /// The tightest limit with `threads` worker threads, and what it leaves, when it is the lower bound.
    private func limit(threads: Int) -> (limit: MemoryLimit, left: Double)? {
        guard let limit = limits.tightest(threads: threads) else { return nil }
        let left = limit.usableBytes(threads: threads)
        return left < Double(physicalMemory) / 2 ? (limit, left) : nil
    }

    /// The bytes a command with `threads` worker threads may use.
    public func bytes(threads: Int) -> Double {
        limit(threads: threads)?.left ?? Double(physicalMemory) / 2
    }

    /// What sets `bytes(threads:)`, after "more than": "half of this machine's 23.0 GiB memory", or
    /// "the 4.9 GiB that this process's address-space limit (ulimit -v 6000000) leaves".
    public func description(threads: Int) -> String {
        guard let (limit, left) = limit(threads: threads) else {
            return "half of this machine's " + memoryText(Double(physicalMemory)) + " memory"
        }
        return "the " + memoryText(left) + " that " + limit.name + " leaves"
    }
}

/// The limits on this process's memory, each in bytes, nil for none: what `MemoryLimits.current()`
/// reads, or values given to test the choice between them.
public struct MemoryLimits: Sendable, Equatable {
    /// The address-space limit (RLIMIT_AS, `ulimit -v`).
    public var addressSpace: UInt64?
    /// The data-segment limit (RLIMIT_DATA, `ulimit -d`).
    public var dataSegment: UInt64?
    /// The memory limit of the process's control group (`controlGroupMemoryLimit`).
    public var controlGroup: ControlGroupLimit?

    /// The limits `addressSpace`, `dataSegment` and `controlGroup` (default: none).
    public init(addressSpace: UInt64? = nil, dataSegment: UInt64? = nil, controlGroup: ControlGroupLimit? = nil) {
        self.addressSpace = addressSpace
        self.dataSegment = dataSegment
        self.controlGroup = controlGroup
    }

    /// This process's limits: RLIMIT_AS and RLIMIT_DATA (their soft limits), and its control group's
    /// from /proc/self/cgroup and /proc/self/mountinfo.
    public static func current() -> MemoryLimits {
        MemoryLimits(addressSpace: softLimit(RLIMIT_AS), dataSegment: softLimit(RLIMIT_DATA),
                     controlGroup: controlGroupMemoryLimit(cgroup: smallFileText("/proc/self/cgroup") ?? "",
                                                           mountInfo: smallFileText("/proc/self/mountinfo") ?? "", read: smallFileText))
    }

    /// The limit that leaves the least memory for the estimate with `threads` worker threads (each
    /// less what the process reserves beyond its use under that kind of limit), or nil when there is
    /// none; of two that leave as much, the first of address space, data segment, control group.
    public func tightest(threads: Int) -> MemoryLimit? {
        let limits = [addressSpace.map { MemoryLimit(kind: .addressSpace, bytes: $0) },
                      dataSegment.map { MemoryLimit(kind: .dataSegment, bytes: $0) },
                      controlGroup.map { MemoryLimit(kind: .controlGroup(file: $0.file), bytes: $0.bytes) }].compactMap { $0 }
        return limits.min { $0.usableBytes(threads: threads) < $1.usableBytes(threads: threads) }
    }
}

/// One limit on the process's memory: its kind and its size in bytes.
public struct MemoryLimit: Sendable, Equatable {
    /// What a limit counts.
    public enum Kind: Sendable, Equatable {
        /// RLIMIT_AS (`ulimit -v`): every mapping, reserved or used.
        case addressSpace
        /// RLIMIT_DATA (`ulimit -d`): private writable mappings (the heap, the allocator's arenas as
        /// they are used, thread stacks whole, the libraries' data).
        case dataSegment
        /// A control group's limit, from the file `file` (`memory.max`, `memory.limit_in_bytes`): the
        /// memory the group's processes have resident, which the estimate is of.
        case controlGroup(file: String)
    }

    /// Its kind.
    public let kind: Kind
    /// Its size.
    public let bytes: UInt64

    /// The limit of `kind` and `bytes`.
    public init(kind: Kind, bytes: UInt64) {
        self.kind = kind
        self.bytes = bytes
    }

    /// What the limit leaves for the estimate with `threads` worker threads: its size less what the
    /// process counts against it beyond the memory it uses (`addressSpaceReserveBytes`,
    /// `dataSegmentReserveBytes`; nothing under a control group's limit), at least 0.
    public func usableBytes(threads: Int) -> Double {
        let reserve = switch kind {
        case .addressSpace: addressSpaceReserveBytes(threads: threads)
        case .dataSegment: dataSegmentReserveBytes(threads: threads)
        case .controlGroup: 0.0
        }
        return max(Double(bytes) - reserve, 0)
    }

    /// The limit in words, as a user would set it: "this process's address-space limit (ulimit -v
    /// 6000000)", "this process's data-segment limit (ulimit -d 524288)" or "this process's control
    /// group's memory limit (memory.max, 512 MiB)".
    public var name: String {
        switch kind {
        case .addressSpace: "this process's address-space limit (ulimit -v \(bytes / 1024))"
        case .dataSegment: "this process's data-segment limit (ulimit -d \(bytes / 1024))"
        case .controlGroup(let file): "this process's control group's memory limit (\(file), " + memoryText(Double(bytes)) + ")"
        }
    }
}

/// The memory a make-report command with `threads` worker threads counts against a data-segment
/// limit (`ulimit -d`) beyond the memory it uses: a thread's whole stack (8 MiB, the default, written
/// or not) for each worker thread and two more, and 16 MiB for the libraries' writable data and the
/// allocator's slack. Conservative: the limit counts neither code nor read-only data, which the
/// process's own 48 MiB (`processOverheadBytes`) include (measured: the peak data segment 7-27 MiB
/// below the peak resident memory, on 1 to 8 threads and up to 150 MiB).
public func dataSegmentReserveBytes(threads: Int) -> Double {
    (16 + 8 * (Double(threads) + 2)) * 1_048_576
}

/// The soft limit of the resource `resource` (RLIMIT_AS, RLIMIT_DATA) in bytes, or nil when it has none.
private func softLimit(_ resource: __rlimit_resource) -> UInt64? {
    var limit = rlimit()
    guard getrlimit(__rlimit_resource_t(resource.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
    return UInt64(limit.rlim_cur)
}

/// A control group's memory limit: the file that sets it and its size in bytes.
public struct ControlGroupLimit: Sendable, Equatable {
    /// The file's name: `memory.max` (cgroup v2) or `memory.limit_in_bytes` (v1).
    public let file: String
    /// The limit.
    public let bytes: UInt64

    /// The limit of `bytes` set by `file`.
    public init(file: String, bytes: UInt64) {
        self.file = file
        self.bytes = bytes
    }
}

/// The memory limit of the process's control group, or nil when none is set: the smallest
/// `memory.max` (cgroup v2; "max" is none) or `memory.limit_in_bytes` (cgroup v1; 2^62 bytes and
/// more are none) of its group and of every group above it up to the mounted hierarchy's root.
/// `cgroup` is the text of /proc/self/cgroup (lines `ID:CONTROLLERS:PATH`; v2's is `0::PATH`, v1's
/// memory controller's `ID:memory:PATH`), `mountInfo` that of /proc/self/mountinfo (where each
/// hierarchy is mounted, and which of its groups is the mount's root), and `read` gives a file's text
/// or nil; all three are given so that a test can pass its own.
public func controlGroupMemoryLimit(cgroup: String, mountInfo: String, read: (String) -> String?) -> ControlGroupLimit? {
    var limits = [ControlGroupLimit]()
    for line in cgroup.split(separator: "\n") {
        let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3 else { continue }
        let version2 = fields[0] == "0" && fields[1].isEmpty
        guard version2 || fields[1].split(separator: ",").contains("memory") else { continue }
        let file = version2 ? "memory.max" : "memory.limit_in_bytes"
        for folder in controlGroupFolders(path: String(fields[2]), mountInfo: mountInfo, version2: version2) {
            guard let text = read(folder + "/" + file)?.trimmingCharacters(in: .whitespacesAndNewlines),
                  let bytes = UInt64(text), bytes < 1 << 62 else { continue }
            limits.append(ControlGroupLimit(file: file, bytes: bytes))
        }
    }
    return limits.min { $0.bytes < $1.bytes }
}

/// The folders of the control group at `path` and of every group above it, up to the root of the
/// mount that `mountInfo` lists for its hierarchy (cgroup2 for `version2`, else the cgroup mount
/// with the memory controller); none when no such mount holds the group.
private func controlGroupFolders(path: String, mountInfo: String, version2: Bool) -> [String] {
    for line in mountInfo.split(separator: "\n") {
        // "ID PARENT MAJOR:MINOR ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPEROPTIONS"
        let halves = line.components(separatedBy: " - ")
        guard halves.count == 2 else { continue }
        let fields = halves[0].split(separator: " "), system = halves[1].split(separator: " ")
        guard fields.count >= 5, system.count >= 3,
              version2 ? system[0] == "cgroup2" : system[0] == "cgroup" && system[2].split(separator: ",").contains("memory") else { continue }
        let root = String(fields[3]), mountPoint = String(fields[4])
        guard path == root || path.hasPrefix(root == "/" ? "/" : root + "/") else { continue }
        var relative = path.dropFirst(root == "/" ? 0 : root.count).split(separator: "/").map(String.init)
        var folders = [String]()
        while true {
            folders.append(([mountPoint] + relative).joined(separator: "/"))
            guard !relative.isEmpty else { return folders }
            relative.removeLast()
        }
    }
    return []
}

/// The text of the small file at `path` (at most 1 MiB is read), or nil when it cannot be read.
private func smallFileText(_ path: String) -> String? {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? handle.close() }
    return (try? handle.read(upToCount: 1 << 20)).flatMap { String(data: $0, encoding: .utf8) }
}

/// Why the study of `design` is too large to start, in one sentence, or nil: more runs than
/// `maximumRuns`; data that need more than `budget` to make (`makingBytes`, the data source's
/// `estimatedBytes`); or, when the split's `sizes` are known (from the data source's settings before
/// the data are made, or from the data), a study whose data and largest run on each of `threads`
/// workers at once would need more than `budget`.
public func studySizeProblem(_ design: StudyDesign, sizes: SplitSizes?, threads: Int, maximumRuns: Int, makingBytes: Double,
                             budget: MemoryBudget = MemoryBudget()) -> String? {
    let config = design.config, runs = design.runCount
    if runs > maximumRuns {
        return "the study has \(runs) runs (\(config.fractions.count) fractions x \(design.seriesComponents.count) series x "
            + "\(design.seedCount) seeds), more than --max-runs \(maximumRuns); raise --max-runs if you mean it"
    }
    // The data are made on one thread.
    let memory = sizes.map { estimatedStudyMemory(design, sizes: $0, threads: threads, makingBytes: makingBytes) }
    let making = processOverheadBytes + makingBytes
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
public func studySizeProblem(_ study: Study, threads: Int, maximumRuns: Int, makingBytes: Double,
                             budget: MemoryBudget = MemoryBudget()) -> String? {
    studySizeProblem(study.design, sizes: study.split.sizes, threads: threads, maximumRuns: maximumRuns, makingBytes: makingBytes,
                     budget: budget)
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
