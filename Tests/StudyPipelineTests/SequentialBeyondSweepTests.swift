import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
import PoisoningReport
import StudyPipeline
import TestSupport

/// An adaptive study whose attack never brings any model to its threshold within the swept fractions:
/// every threshold lies beyond 50%, so no threshold difference or trend has a sign, and more seeds
/// cannot give it one. The study stops at its first look and says a wider sweep would decide (r21 #3),
/// where it used to spend its whole budget of seeds.
struct SequentialBeyondSweepTests {
    /// An adaptive study of MLPs of `widths` at fractions 0 to 50%, seeds added 3 at a time from 3 up
    /// to 15 until the threshold trend and the threshold differences are resolved.
    static func study(widths: [Int]) throws -> Study {
        var config = StudyConfig(models: widths.map(StudyConfig.mlp), fractions: [0, 0.1, 0.2, 0.3, 0.4, 0.5], seeds: [1, 2, 3],
                                 training: TrainingSettings(epochs: 2))
        config.sequential = SequentialSeeds(values: [1, 2, 3], start: 3, step: 3, max: 15, until: [.thresholdTrend, .thresholdPairs])
        return try Study(config)
    }

    /// A run whose test accuracy falls only from 0.90 to 0.85 over the sweep (far above halfway to
    /// chance), plus a per-seed offset and run noise of 0.01 each, fixed per run.
    static func flatRun(_ spec: RunSpec, in batch: Study) -> RunResult {
        var seedStream = Xoshiro256StarStar(seed: spec.seed, purpose: "beyond-sweep seed")
        var runStream = Xoshiro256StarStar(seed: spec.seed, purpose: "beyond-sweep series \(spec.series) at \(spec.fraction)")
        let accuracy = 0.9 - 0.1 * spec.fraction + 0.01 * seedStream.nextStandardNormal() + 0.01 * runStream.nextStandardNormal()
        return madeUpRun(spec, in: batch, metrics: runMetrics(test: (accuracy * 150).rounded() / 150, train: 0.95, trainClean: 0.95,
                                                              loss: 0.2))
    }

    /// A run whose test accuracy falls from 0.90 by a slope of 0.66 per unit of poison fraction, plus
    /// a per-seed slope of spread 0.1 and run noise of 0.01, fixed per run: halfway to chance (0.55)
    /// needs a slope of 0.70 by 50%, so the central curve reaches it just beyond the sweep while the
    /// seeds of steeper slope put it inside.
    static func nearEdgeRun(_ spec: RunSpec, in batch: Study) -> RunResult {
        var seedStream = Xoshiro256StarStar(seed: spec.seed, purpose: "near-edge seed")
        var runStream = Xoshiro256StarStar(seed: spec.seed, purpose: "near-edge series \(spec.series) at \(spec.fraction)")
        let slope = 0.66 + 0.1 * seedStream.nextStandardNormal()
        let accuracy = 0.9 - slope * spec.fraction + 0.01 * runStream.nextStandardNormal()
        return madeUpRun(spec, in: batch, metrics: runMetrics(test: (accuracy * 150).rounded() / 150, train: 0.95, trainClean: 0.95,
                                                              loss: 0.2))
    }

    static func run(_ study: Study, made: @escaping (RunSpec, Study) -> RunResult = flatRun) throws -> SequentialStudyRun {
        try runSequentialStudy(study, threads: 2, trainBatch: { batch in
            let results = batch.runSpecs.map { made($0, batch) }
            return StudyRuns(indices: Array(batch.runSpecs.indices), results: results, runSeconds: results.map { _ in 0 })
        }, progress: { _ in })
    }

    /// r21d M4: a study that asks only of means (clean-pairs) reads exact t intervals, so it plans
    /// every look from its start (3, 6, 9, 12, 15), where the threshold questions' first look at 15
    /// seeds waits for the bootstrap; a clean-accuracy difference of 5 points (MLP 16 above MLP 8,
    /// per-seed noise 0.01) is resolved at the first look that can, and the study stops there.
    @Test func aStudyOfMeansTakesEveryLookAndStopsEarly() throws {
        var config = StudyConfig(models: [8, 16].map(StudyConfig.mlp), fractions: [0, 0.1, 0.2, 0.3, 0.4, 0.5], seeds: [1, 2, 3],
                                 training: TrainingSettings(epochs: 2))
        config.sequential = SequentialSeeds(values: [1, 2, 3], start: 3, step: 3, max: 15, until: [.cleanPairs])
        let run = try Self.run(try Study(config)) { spec, batch in
            var runStream = Xoshiro256StarStar(seed: spec.seed, purpose: "means series \(spec.series) at \(spec.fraction)")
            let accuracy = 0.85 + 0.05 * Double(spec.series) - 0.2 * spec.fraction + 0.01 * runStream.nextStandardNormal()
            return madeUpRun(spec, in: batch, metrics: runMetrics(test: (accuracy * 150).rounded() / 150, train: 0.95, trainClean: 0.95, loss: 0.2))
        }
        let record = try #require(run.results.sequential)
        #expect(record.plannedLooks == [3, 6, 9, 12, 15])
        #expect(record.stop == .allResolved && record.seeds < 15, "\(record.looks.map(\.seeds))")
        let threshold = try #require(try Self.run(Self.study(widths: [8, 16])).results.sequential)
        #expect(threshold.plannedLooks.first! > 3)
    }

    /// Two widths: the trend is their difference, asked once (r21 #4), so one comparison spends the
    /// whole 5% (looks at 9, 12 and 15 seeds). Both thresholds lie beyond 50%: the study stops at its
    /// first look, 9 seeds, not at 15.
    @Test func twoWidthsWhoseThresholdsLieBeyondTheSweepStopAtTheFirstLook() throws {
        let study = try Self.study(widths: [8, 16])
        let run = try Self.run(study)
        let record = try #require(run.results.sequential)
        #expect(record.plannedLooks == [9, 12, 15])
        #expect(record.comparisonCount == 1)
        #expect(record.stop == .beyondSweep && record.seeds == 9 && record.looks.count == 1)
        #expect(record.unresolved == ["threshold-pairs (MLP 16 - MLP 8)"])
        #expect(run.results.statistics.series.allSatisfy { $0.threshold.bound == .lower && $0.threshold.value == 0.5 })
        let sentence = sequentialSentence(record, replicates: 1000)
        #expect(sentence.contains("It stopped at look 1 of 3 (9 seeds) with threshold-pairs (MLP 16 - MLP 8) unresolved: its "
            + "thresholds lie beyond the swept fractions, their whole intervals with them, which leaves it no sign, so more seeds "
            + "are unlikely to resolve it; a wider sweep of fractions would decide."), "\(sentence)")
        #expect(run.results.statistics.series.allSatisfy { $0.threshold.interval?.lower == 0.5 })
        let json = try JSONEncoder().encode(run.results)
        #expect(String(decoding: json, as: UTF8.self).contains("\"stop\":\"beyond-sweep\""))
    }

    /// Three widths: the trend over three sizes and the three differences, all without a sign, stop
    /// the study at its first look (12 seeds of 15; α/4 each leaves no earlier look at 1,000 replicates).
    @Test func threeWidthsWhoseThresholdsLieBeyondTheSweepStopAtTheFirstLook() throws {
        let record = try #require(try Self.run(Self.study(widths: [8, 16, 32])).results.sequential)
        #expect(record.plannedLooks == [12, 15] && record.comparisonCount == 4)
        #expect(record.stop == .beyondSweep && record.seeds == 12)
        #expect(record.unresolved.first == "threshold-trend (random label flip, no defense)")
    }

    /// Two widths whose central thresholds lie beyond 50% (lower bounds at 50%) while their intervals
    /// reach inside the sweep: more seeds may still place them there, so the study does not stop
    /// beyond the sweep at its first look (as it did when the central thresholds alone decided) but
    /// runs all its looks and ends with its budget spent.
    @Test func anIntervalReachingInsideTheSweepKeepsTheStudyGoing() throws {
        let study = try Self.study(widths: [8, 16])
        // The premise, at the first look (9 seeds, at its adjusted level): both thresholds are bounds
        // beyond the sweep, both intervals reach inside it.
        let plan = sequentialLooks(start: 3, step: 3, max: 15, alpha: 1 - study.config.analysis.confidence,
                                   replicates: study.config.analysis.replicates)
        #expect(plan.map(\.seeds) == [9, 12, 15])
        let first = try sequentialLookStudy(study, seeds: plan[0].seeds)
        let firstResults = StudyResults(study: first, runs: first.runSpecs.map { Self.nearEdgeRun($0, in: first) }, toolVersion: "test",
                                        threads: 2, confidence: plan[0].confidence)
        for s in firstResults.statistics.series {
            #expect(s.threshold.bound == .lower && s.threshold.value == 0.5, "\(s.threshold)")
            let lower = try #require(s.threshold.interval?.lower)
            #expect(lower < 0.49, "\(s.threshold)")
        }
        #expect(!thresholdsLeaveNoSign(firstResults.statistics.series.map(\.threshold), weights: [-1, 1]))
        // The same thresholds with intervals wholly beyond the sweep leave the difference no sign.
        let beyond = firstResults.statistics.series.map { Estimate(value: $0.threshold.value, interval: Interval(lower: 0.5, upper: nil),
                                                                   bound: .lower) }
        #expect(thresholdsLeaveNoSign(beyond, weights: [-1, 1]))

        let record = try #require(try Self.run(study, made: Self.nearEdgeRun).results.sequential)
        #expect(record.stop == .budgetSpent && record.seeds == 15 && record.looks.count == 3, "\(record)")
        #expect(record.unresolved == ["threshold-pairs (MLP 16 - MLP 8)"])
        #expect(sequentialSentence(record, replicates: 1000).contains("It ran its whole budget, to look 3 of 3 (15 seeds), with threshold-pairs "
            + "(MLP 16 - MLP 8) unresolved"))
    }
}
