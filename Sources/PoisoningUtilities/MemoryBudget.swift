import Foundation

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

/// `bytes` in GiB with one decimal from 1 GiB, e.g. "2.5 GiB", in whole MiB from 1 MiB, e.g.
/// "368 MiB", in whole KiB from 1 KiB, e.g. "600 KiB" (what a tiny `ulimit -v` leaves, which MiB
/// would print as "0 MiB"), else in bytes, e.g. "0 bytes".
public func memoryText(_ bytes: Double) -> String {
    switch bytes {
    case 1_073_741_824...: String(format: "%.1f GiB", bytes / 1_073_741_824)
    case 1_048_576...: String(format: "%.0f MiB", bytes / 1_048_576)
    case 1024...: String(format: "%.0f KiB", bytes / 1024)
    default: String(format: "%.0f bytes", bytes)
    }
}
