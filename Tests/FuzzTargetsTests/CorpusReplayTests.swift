import Foundation
import Testing
import FuzzTargets

/// Every committed fuzz input (the seeds, and each input a fuzzing run found to crash, once fixed)
/// replayed through its target: a crash here fails the whole test run.
struct CorpusReplayTests {
    /// `fuzz/corpus` of this repository.
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fuzz/corpus")

    @Test(arguments: FuzzTarget.allCases)
    func corpusInputsRunWithoutCrashing(target: FuzzTarget) throws {
        let folder = Self.corpus.appendingPathComponent(target.rawValue)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(names.count >= 2, "a corpus of at least two seeds for \(target.rawValue)")
        for name in names {
            target.run(try Data(contentsOf: folder.appendingPathComponent(name)))
        }
    }
}
