import Foundation
import Testing
@testable import PoisoningAttacks
@testable import PoisoningData
@testable import PoisoningDefenses
@testable import PoisoningEngine
@testable import PoisoningModels
@testable import PoisoningTheory
@testable import PoisoningUtilities

/// `readUserFile`: regular files only, never opened when they are not, and never past the limit.
struct UserFileTests {
    /// A new empty folder under the temporary directory.
    func scratch() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("user-file-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The one-line refusal of `path`, or "read N bytes".
    func outcome(_ path: String, maximumBytes: Int = 1 << 20) -> String {
        do {
            return "read \(try readUserFile(path, maximumBytes: maximumBytes).count) bytes"
        } catch {
            return "\(error)"
        }
    }

    @Test func aRegularFileIsReadWhole() throws {
        let file = try scratch().appendingPathComponent("a.json")
        try Data(repeating: 7, count: 3_000_000).write(to: file)
        #expect(try readUserFile(file.path, maximumBytes: 4 << 20) == Data(repeating: 7, count: 3_000_000))
        #expect(outcome(file.path, maximumBytes: 2 << 20) == "\(quotedUserText(file.path, keepingEnd: true)) is 3000000 bytes, larger than 2 MiB")
    }

    @Test func foldersDevicesAndFIFOsAreRefusedWithoutBeingOpened() throws {
        let folder = try scratch(), fifo = folder.appendingPathComponent("fifo")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        // Opening the FIFO for reading would block until a writer came: none ever does.
        #expect(outcome(fifo.path) == "\(quotedUserText(fifo.path, keepingEnd: true)) is not a regular file")
        #expect(outcome(folder.path) == "\(quotedUserText(folder.path, keepingEnd: true)) is not a regular file")
        #expect(outcome("/dev/zero") == "'/dev/zero' is not a regular file")
        #expect(outcome(folder.appendingPathComponent("missing").path)
            == "cannot read \(quotedUserText(folder.appendingPathComponent("missing").path, keepingEnd: true)): No such file or directory")
        #expect(userFileProblem(fifo.path, maximumBytes: 1) == UserFileError("\(quotedUserText(fifo.path, keepingEnd: true)) is not a regular file"))
    }

    /// Issue 19, r19: a 900 MB results file under `ulimit -v 600000` killed `compare` with SIGILL,
    /// because its bytes were allocated before any memory check. The file's size beside the process's
    /// own and the files read before it is judged against the budget before anything is allocated.
    @Test func aFileLargerThanTheMemoryBudgetIsRefusedBeforeItIsHeld() throws {
        let file = try scratch().appendingPathComponent("big.json")
        // A sparse file: 900 MB long, no block written.
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(descriptor >= 0 && ftruncate(descriptor, 900_000_000) == 0)
        close(descriptor)
        let limited = MemoryBudget(physicalMemory: 64 << 30, limits: MemoryLimits(addressSpace: 600_000 * 1024))
        // 614,400,000 bytes less the 192 MiB one thread reserves: 394 MiB; 48 MiB + 900,000,000 bytes: 906 MiB.
        #expect(throws: UserFileError("reading \(quotedUserText(file.path, keepingEnd: true)) (900000000 bytes) needs about 906 MiB, "
                + "more than the 394 MiB that this process's address-space limit (ulimit -v 600000) leaves; use a machine with more memory")) {
            try readUserFile(file.path, maximumBytes: 1 << 30, budget: limited)
        }
        // Half of a 256 MiB machine, with 50 MiB of files read before: 48 + 50 + 40 MiB is more than 128 MiB.
        let small = try scratch().appendingPathComponent("small.json")
        try Data(repeating: 1, count: 40 << 20).write(to: small)
        let machine = MemoryBudget(physicalMemory: 256 << 20, limits: MemoryLimits())
        #expect(throws: UserFileError("reading \(quotedUserText(small.path, keepingEnd: true)) (\(40 << 20) bytes) needs about 138 MiB "
                + "with the files read before it, more than half of this machine's 256 MiB memory; use a machine with more memory")) {
            try readUserFile(small.path, maximumBytes: 1 << 30, held: Double(50 << 20), budget: machine)
        }
        // Without the files before it, it fits: 88 MiB.
        #expect(try readUserFile(small.path, maximumBytes: 1 << 30, budget: machine).count == 40 << 20)
    }
}
