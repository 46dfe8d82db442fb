import Foundation
import Testing
@testable import PoisoningEngine

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
}
