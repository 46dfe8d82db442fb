import Foundation
import Testing

/// Issue 19 follow-up: an interrupted run (SIGINT, SIGTERM, SIGHUP) left its staging folder in
/// .make-report until the next run into the same folder; it removes it before it ends by the signal,
/// and the published set stays as it was.
struct InterruptionTests {
    let cli = CommandLineTests()

    @Test(arguments: [SIGINT, SIGTERM, SIGHUP]) func anInterruptedRunRemovesItsStagingFolder(_ signalNumber: Int32) throws {
        let parent = cli.temporaryFolder().deletingLastPathComponent()
        #expect(try cli.run(["--widths", "8", "--fractions", "0,0.5", "--seeds", "1", "--epochs", "2", "--no-store", "--quiet", "--output", "out"],
                            in: parent).status == 0)
        let published = try Data(contentsOf: parent.appendingPathComponent("out/manifest.json"))
        let work = parent.appendingPathComponent(".make-report")
        let process = Process()
        process.executableURL = CommandLineTests.executable
        process.arguments = ["--widths", "8,16,32", "--fractions", "0,0.2,0.4,0.6", "--seeds", "1,2,3,4,5,6,7,8", "--epochs", "400",
                             "--no-store", "--quiet", "--output", "out"]
        process.currentDirectoryURL = parent
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        /// The staging folders in the work folder.
        func staging() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: work.path)) ?? []).filter { $0.contains(".staging-") } }
        let deadline = Date().addingTimeInterval(60)
        while staging().isEmpty && process.isRunning && Date() < deadline { usleep(10_000) }
        #expect(staging() == ["out.staging-\(process.processIdentifier)"])
        usleep(300_000)   // past the moment the handlers are set up, right after the staging folder
        kill(process.processIdentifier, signalNumber)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == signalNumber)
        #expect(staging().isEmpty)
        #expect(try Data(contentsOf: parent.appendingPathComponent("out/manifest.json")) == published)
    }
}
