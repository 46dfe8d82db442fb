import Foundation
import Testing
import TestSupport
import PoisoningEngine

/// The reference study's numbers may not change: every run of the default study reproduces, bit for
/// bit, the metrics that make-report 0.1.0 committed in output/results.json (recorded in
/// Fixtures/reference-runs-0.1.0.json, extracted from that commit).
@Suite struct ReferenceStudyTests {
    @Test func defaultStudyReproducesTheRunsOfVersion0_1_0BitForBit() throws {
        let recording = try ReferenceRecording.load()
        #expect(recording.toolVersion == "0.1.0")
        let study = try Study(StudyConfig())
        let runs = runStudy(study, threads: 2).results
        try #require(runs.count == recording.runs.count)
        for (run, recorded) in zip(runs, recording.runs) {
            let model = study.models[study.series[run.series].model] as! MLP
            #expect(model.hidden == [recorded.width])
            #expect(run.fraction == recorded.fraction && run.seed == recorded.seed)
            #expect(run.poisonedCount == recorded.poisonedCount)
            let metrics = try #require(run.metrics)
            for (key, value) in recorded.metrics {
                #expect(metrics[key]?.bitPattern == value.bitPattern,
                        "\(key) at width \(recorded.width), fraction \(recorded.fraction), seed \(recorded.seed)")
            }
        }
    }
}
