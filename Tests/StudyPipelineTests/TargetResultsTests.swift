import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
import StudyPipeline

/// Each run's measured targets in results.json (`runs[].targets`, schema 3): present and read back
/// in a study with targets, whatever the attack; a study without targets is unchanged to the byte.
struct TargetResultsTests {
    static func config(targets: [ParameterValue]) -> StudyConfig {
        StudyConfig(data: StudyConfig.component("gaussian-clusters", ["samples": .int(80), "features": .int(3), "classes": .int(2)]),
                    models: [StudyConfig.component("logistic")], attacks: [StudyConfig.component("random-label-flip")],
                    fractions: [0, 0.2], seeds: [1], training: TrainingSettings(epochs: 2, batchSize: 16), targets: targets)
    }

    /// With a label-flip target that no attack names, every run records it (τ, accuracy, distance),
    /// results.json holds it under the run and reads back (`StudyResults.read` re-checks the file);
    /// without it, no run has targets, results.json has no "targets" key, and every metric is the same.
    @Test func runsRecordTheStudysTargetsOnlyWhenItHasThem() throws {
        let plain = try Study(Self.config(targets: []))
        let targeted = try Study(Self.config(targets: [StudyConfig.component("label-flip", ["fraction": .double(0.3)])]))
        let plainRuns = runStudy(plain, threads: 1).results, targetedRuns = runStudy(targeted, threads: 1).results
        #expect(plainRuns.allSatisfy { $0.targets == nil })
        #expect(targetedRuns.allSatisfy { $0.targets?.map(\.target) == ["label-flip 0.3"] && $0.targets?[0].accuracy != nil })
        #expect(targetedRuns[0].targets == targetedRuns[1].targets, "the same at every fraction of a seed")
        #expect(zip(plainRuns, targetedRuns).allSatisfy { $0.metrics == $1.metrics }, "measuring targets changes no metric")
        let plainText = String(decoding: try StudyResults(study: plain, runs: plainRuns, toolVersion: "test", threads: 1).jsonData(), as: UTF8.self)
        #expect(!plainText.contains(#""targets""#) && plainText.contains(#""schemaVersion" : "5""#))
        let results = StudyResults(study: targeted, runs: targetedRuns, toolVersion: "test", threads: 1)
        let bytes = try results.jsonData()
        #expect(String(decoding: bytes, as: UTF8.self).contains(#""target" : "label-flip 0.3""#))
        #expect(try StudyResults.read(bytes).runs == results.runs)
    }

    /// A run whose targets are not the study's (another label) is refused by the study's run check,
    /// and so is a target's τ outside its range.
    @Test func aRunsTargetsAreChecked() throws {
        let study = try Study(Self.config(targets: [StudyConfig.component("label-flip")]))
        let run = runStudy(study, threads: 1).results[0]
        let spec = study.runSpecs[0], check = StudyRunCheck(study)
        #expect(check.problem(of: run, as: spec) == nil)
        let measured = try #require(run.targets?.first)
        func with(_ targets: [TargetMeasurement]) -> RunResult {
            RunResult(fraction: run.fraction, series: run.series, seed: run.seed, poisonedCount: run.poisonedCount,
                      realisedFraction: run.realisedFraction, metrics: run.metrics, divergence: run.divergence, targets: targets)
        }
        #expect(check.problem(of: with([TargetMeasurement(target: "gradpc 0.5", tau: measured.tau, accuracy: measured.accuracy,
                                                          distance: measured.distance)]), as: spec)
            == "is impossible: its targets are not the study's targets, in order")
        #expect(check.problem(of: with([TargetMeasurement(target: measured.target, tau: -1, accuracy: measured.accuracy, distance: measured.distance)]),
                              as: spec)
            == "is impossible: its target 'label-flip 0.5' has a tau of -1.0, outside 0.0...1e+100")
    }
}
