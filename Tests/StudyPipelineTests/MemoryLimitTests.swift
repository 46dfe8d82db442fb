import Foundation
import Testing
import PoisoningEngine
import StudyPipeline
import TestSupport

/// Issue 19 follow-up: the memory checks read every limit on the process's memory (address space,
/// data segment, control group), choose the one that leaves the least, and name it.
@Suite struct MemoryLimitTests {
    static let mebibyte: UInt64 = 1_048_576

    @Test func theLimitThatLeavesTheLeastIsChosenAndNamed() throws {
        // With 2 threads the address space keeps 256 MiB back, the data segment dataSegmentReserveBytes(2).
        let dataReserve = dataSegmentReserveBytes(threads: 2)
        #expect(MemoryLimits().tightest(threads: 2) == nil)
        let all = MemoryLimits(addressSpace: 1024 * Self.mebibyte, dataSegment: 1024 * Self.mebibyte,
                               controlGroup: ControlGroupLimit(file: "memory.max", bytes: 1024 * Self.mebibyte))
        // The same size: the control group's, which keeps nothing back, leaves the most; the data
        // segment's reserve is the smaller of the other two.
        #expect(dataReserve < addressSpaceReserveBytes(threads: 2))
        #expect(all.tightest(threads: 2) == MemoryLimit(kind: .addressSpace, bytes: 1024 * Self.mebibyte))
        var dataFirst = all
        dataFirst.addressSpace = nil
        #expect(dataFirst.tightest(threads: 2) == MemoryLimit(kind: .dataSegment, bytes: 1024 * Self.mebibyte))
        // A control group's limit below what the data segment's leaves.
        let group = UInt64(1024 * Double(Self.mebibyte) - dataReserve) - 1
        dataFirst.controlGroup = ControlGroupLimit(file: "memory.max", bytes: group)
        #expect(dataFirst.tightest(threads: 2) == MemoryLimit(kind: .controlGroup(file: "memory.max"), bytes: group))
        // A data-segment limit of 512 MiB under a 6 GB address-space limit.
        let limits = MemoryLimits(addressSpace: 6_000_000 * 1024, dataSegment: 512 * Self.mebibyte)
        let chosen = try #require(limits.tightest(threads: 1))
        #expect(chosen.kind == .dataSegment && chosen.usableBytes(threads: 1) == 512 * Double(Self.mebibyte) - dataSegmentReserveBytes(threads: 1))
        // A limit smaller than its reserve leaves nothing.
        #expect(MemoryLimit(kind: .addressSpace, bytes: 100 * Self.mebibyte).usableBytes(threads: 4) == 0)
    }

    /// Review r19b, finding 1: a results.json of one 300 MB string made `validate` abort under
    /// `ulimit -v 800000`: decoding holds the document and its strings. A document counts its bytes
    /// twice and 72 bytes per structural character: `{"a":"xyz"}` is 11 bytes with 2 of them.
    @Test func decodingCountsTheDocumentAndItsStrings() throws {
        let document = Data(#"{"a":"xyz"}"#.utf8)
        #expect(jsonDecodingBytes(document) == 2 * 11 + 72 * 2)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("decoding-\(getpid()).json")
        try document.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect(jsonDecodingBytes(ofFileAt: file.path) == 2 * 11 + 72 * 2)
    }

    @Test func theBudgetNamesTheLimitThatSetsIt() {
        let machine: UInt64 = 16 << 30
        let data = MemoryBudget(physicalMemory: machine, limits: MemoryLimits(dataSegment: 524_288 * 1024))
        #expect(data.bytes(threads: 1) == 512 * Double(Self.mebibyte) - dataSegmentReserveBytes(threads: 1))
        #expect(data.description(threads: 1) == "the \(Int((data.bytes(threads: 1) / 1_048_576).rounded())) MiB that this process's "
            + "data-segment limit (ulimit -d 524288) leaves")
        let group = MemoryBudget(physicalMemory: machine, limits: MemoryLimits(
            addressSpace: 8 << 30, controlGroup: ControlGroupLimit(file: "memory.max", bytes: 1536 * Self.mebibyte)))
        #expect(group.bytes(threads: 2) == 1536 * Double(Self.mebibyte))
        #expect(group.description(threads: 2) == "the 1.5 GiB that this process's control group's memory limit (memory.max, 1.5 GiB) leaves")
        // A limit that leaves more than half the machine: half the machine sets the budget.
        let loose = MemoryBudget(physicalMemory: machine, limits: MemoryLimits(dataSegment: 12 << 30))
        #expect(loose.bytes(threads: 2) == Double(machine / 2) && loose.description(threads: 2) == "half of this machine's 16.0 GiB memory")
    }

    @Test func aStudyTooLargeForTheDataSegmentIsRefusedNamingIt() throws {
        // 1000000 samples of 100 features: two copies of 400 MB of rows while they are split, more
        // than a data-segment limit of 512 MiB leaves.
        let design = try StudyDesign(document: StudyConfig(data: StudyConfig.component(GaussianClusters.kind, [
            "samples": .int(1_000_000), "features": .int(100)])).document)
        let budget = MemoryBudget(physicalMemory: 16 << 30, limits: MemoryLimits(dataSegment: 512 * Self.mebibyte))
        let problem = try #require(studySizeProblem(design, sizes: nil, threads: 1, maximumRuns: 100, makingBytes: design.data.estimatedBytes,
                                                    budget: budget))
        #expect(problem.hasPrefix("making the data set (Gaussian clusters) needs about "))
        #expect(problem.contains(", more than the \(Int((budget.bytes(threads: 1) / 1_048_576).rounded())) MiB that this process's "
            + "data-segment limit (ulimit -d 524288) leaves; "), "\(problem)")
        #expect(jsonFilesMemoryProblem([(name: "a.json", decodingBytes: 600 * Double(Self.mebibyte))], budget: budget)
            == "reading 'a.json' needs about 648 MiB, more than \(budget.description(threads: 1)); check it on a machine with more memory")
    }

    /// /proc/self/cgroup and /proc/self/mountinfo as a cgroup v2 system (systemd) and a v1 hybrid
    /// (this kind of container) write them; the limit files as a dictionary.
    @Test func theControlGroupLimitIsReadFromTheGroupAndItsAncestors() {
        let version2Mounts = """
            22 1 0:21 / /proc rw,nosuid - proc proc rw
            30 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate
            """
        let version2 = "0::/user.slice/user-1000.slice/session-3.scope\n"
        var files = ["/sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope/memory.max": "max\n",
                     "/sys/fs/cgroup/user.slice/user-1000.slice/memory.max": "1073741824\n",
                     "/sys/fs/cgroup/user.slice/memory.max": "max\n"]
        #expect(controlGroupMemoryLimit(cgroup: version2, mountInfo: version2Mounts, read: { files[$0] })
            == ControlGroupLimit(file: "memory.max", bytes: 1 << 30))
        // The group's own limit, when smaller than its parent's.
        files["/sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope/memory.max"] = "536870912\n"
        #expect(controlGroupMemoryLimit(cgroup: version2, mountInfo: version2Mounts, read: { files[$0] })?.bytes == 512 << 20)
        // "max" everywhere, or no file: none.
        #expect(controlGroupMemoryLimit(cgroup: version2, mountInfo: version2Mounts, read: { _ in "max\n" }) == nil)
        #expect(controlGroupMemoryLimit(cgroup: version2, mountInfo: version2Mounts, read: { _ in nil }) == nil)
        // A container whose cgroup namespace makes its group the mount's root.
        #expect(controlGroupMemoryLimit(cgroup: "0::/\n", mountInfo: version2Mounts, read: { $0 == "/sys/fs/cgroup/memory.max" ? "268435456" : nil })
            == ControlGroupLimit(file: "memory.max", bytes: 256 << 20))

        // cgroup v1 beside a v2 mount without the memory controller; "unlimited" is 2^63 - 4096.
        let version1 = "9:name=systemd:/\n4:memory:/process_api/04e5\n3:cpuset:/\n0::/\n"
        let version1Mounts = """
            35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """
        let unlimited = "9223372036854771712\n"
        let group1 = ["/sys/fs/cgroup/memory/process_api/04e5/memory.limit_in_bytes": "2147483648\n",
                      "/sys/fs/cgroup/memory/process_api/memory.limit_in_bytes": unlimited,
                      "/sys/fs/cgroup/memory/memory.limit_in_bytes": unlimited, "/sys/fs/cgroup/unified/memory.max": "max"]
        #expect(controlGroupMemoryLimit(cgroup: version1, mountInfo: version1Mounts, read: { group1[$0] })
            == ControlGroupLimit(file: "memory.limit_in_bytes", bytes: 2 << 30))
        #expect(controlGroupMemoryLimit(cgroup: version1, mountInfo: version1Mounts, read: { _ in unlimited }) == nil)
        // A v1 mount whose root is the group's parent (a container's view): the path below the root.
        let nested = "35 31 0:32 /process_api /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory"
        #expect(controlGroupMemoryLimit(cgroup: version1, mountInfo: nested,
                                        read: { $0 == "/sys/fs/cgroup/memory/04e5/memory.limit_in_bytes" ? "1048576" : nil })?.bytes == 1 << 20)
        // No memory hierarchy mounted: none.
        #expect(controlGroupMemoryLimit(cgroup: version1, mountInfo: "", read: { _ in "1" }) == nil)
    }
}
