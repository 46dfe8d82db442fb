import Foundation
import Testing
@testable import PoisoningAnalysis
import PoisoningEngine
import TestSupport

/// Success rates corrected for the clean model, and budgets an attack cannot spend.
struct BaselineAndSaturationTests {
    /// A study of two MLPs under a class flip (whose `targetSuccess` has a baseline), 3 fractions, 2 seeds.
    static func classFlipStudy(fractions: [Double] = [0, 0.1, 0.3]) throws -> Study {
        try Study(StudyConfig(models: [StudyConfig.mlp(8), StudyConfig.mlp(16)], attacks: [StudyConfig.component(ClassFlip.kind)],
                              fractions: fractions, seeds: [1, 2], training: TrainingSettings(epochs: 3)))
    }

    /// A finished run of `spec` whose target success is `success`.
    static func run(_ spec: RunSpec, success: Double?, saturated: Bool = false) -> RunResult {
        var metrics = runMetrics(test: 0.8 - spec.fraction, train: 0.9, trainClean: 0.85, loss: 0.3)
        metrics["targetSuccess"] = success
        return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed, poisonedCount: 0, realisedFraction: 0,
                         metrics: metrics, divergence: nil, saturated: saturated)
    }

    /// The baseline of a run is the rate of the run of the same series and seed at fraction 0 (and
    /// no other), the excess the difference; computed here from a table of made-up rates.
    @Test func baselinesComeFromTheSameSeriesAndSeedAtFractionZero() throws {
        let study = try Self.classFlipStudy()
        // A distinct rate per run: 0.1 * fraction index + 0.01 * series + 0.001 * seed.
        let rate = { (spec: RunSpec) in Double(study.config.fractions.firstIndex(of: spec.fraction)!) * 0.1
            + Double(spec.series) * 0.01 + Double(spec.seed) * 0.001 }
        let runs = study.withCleanBaselines(study.runSpecs.map { Self.run($0, success: rate($0)) })
        for run in runs {
            let clean = rate(RunSpec(fraction: 0, series: run.series, seed: run.seed))
            let own = rate(RunSpec(fraction: run.fraction, series: run.series, seed: run.seed))
            #expect(run.metrics?["targetSuccessBaseline"] == clean)
            #expect(run.metrics?["targetSuccessExcess"] == own - clean)
            if run.fraction == 0 { #expect(run.metrics?["targetSuccessExcess"] == 0, "no excess over itself") }
        }
        #expect(study.withCleanBaselines(runs) == runs, "applying it twice changes nothing")
    }

    /// A forged baseline is replaced; a run whose baseline run diverged, or lacks the rate, gets neither value.
    @Test func missingBaselinesLeaveTheDerivedMetricsOut() throws {
        let study = try Self.classFlipStudy()
        let runs = study.runSpecs.map { spec -> RunResult in
            if spec.fraction == 0 && spec.series == 0 && spec.seed == 1 {
                return RunResult(fraction: 0, series: 0, seed: 1, poisonedCount: 0, realisedFraction: 0, metrics: nil, divergence: "x")
            }
            if spec.fraction == 0 && spec.series == 1 && spec.seed == 2 { return Self.run(spec, success: nil) }
            var forged = Self.run(spec, success: 0.5).metrics!
            forged["targetSuccessExcess"] = 0.9
            return Self.run(spec, success: 0.5).withMetrics(forged)
        }
        let corrected = study.withCleanBaselines(runs)
        for run in corrected where run.fraction > 0 {
            let hasBaseline = !((run.series == 0 && run.seed == 1) || (run.series == 1 && run.seed == 2))
            #expect((run.metrics?["targetSuccessBaseline"] != nil) == hasBaseline)
            #expect(run.metrics?["targetSuccessExcess"] == (hasBaseline ? 0 : nil))
        }
    }

    /// A study whose attack measures against the clean model needs fraction 0, and says so.
    @Test func aCorrectedSuccessRateNeedsFractionZero() throws {
        #expect(throws: SpecificationError.self) { try Self.classFlipStudy(fractions: [0.1, 0.3]) }
        do {
            _ = try Self.classFlipStudy(fractions: [0.1, 0.3])
        } catch let error as SpecificationError {
            #expect(error.path == "fractions" && "\(error)".contains("add 0 to the fractions"))
        }
        let random = try Study(StudyConfig(models: [StudyConfig.mlp(8)], fractions: [0.1, 0.3], seeds: [1]))
        #expect(random.runSpecs.count == 2, "an attack without a baseline does not need it")
    }

    /// A fraction given twice is refused (its cell would be averaged twice); -0.0 is read as 0.
    @Test func fractionsAreEachGivenOnceAndNegativeZeroIsZero() throws {
        #expect(throws: SpecificationError.self) { try Self.classFlipStudy(fractions: [0, 0.1, 0.1]) }
        let study = try Self.classFlipStudy(fractions: [-0.0, 0.1])
        #expect(study.config.fractions.map(\.bitPattern) == [(0.0).bitPattern, (0.1).bitPattern])
    }

    /// The excess is a difference of rates, in [-1, 1]; results.json carries `saturated` only when true.
    @Test func excessMayBeNegativeAndSaturationIsWrittenOnlyWhenTrue() throws {
        #expect(MetricKey.validRange(of: "targetSuccessExcess") == -1...1)
        #expect(MetricKey.validRange(of: "targetSuccessBaseline") == 0...1)
        let spec = RunSpec(fraction: 0.3, series: 0, seed: 1)
        let plain = try String(decoding: JSONEncoder().encode(Self.run(spec, success: 0.2)), as: UTF8.self)
        let saturated = try String(decoding: JSONEncoder().encode(Self.run(spec, success: 0.2, saturated: true)), as: UTF8.self)
        #expect(!plain.contains("saturated") && saturated.contains("\"saturated\":true"))
        let forged = try JSONDecoder().decode(RunResult.self, from: Data(("{\"saturated\":false," + plain.dropFirst()).utf8))
        #expect(forged.problem(trainingRows: nil, recordable: nil)?.contains("saturated") == true)
    }

    /// Fits leave saturated budgets out: the fitted fractions stop below the first saturated one, and
    /// the fit is that of the unsaturated points alone (the same as a study that never swept the rest).
    @Test func saturatedBudgetsAreLeftOutOfTheFit() throws {
        let fractions = [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5]
        let study = try Self.classFlipStudy(fractions: fractions)
        let curve = { (x: Double) in 0.2 + 0.7 / (1 + exp(25 * (x - 0.12))) }
        let runs = study.runSpecs.map { spec in
            // Saturated from 0.3 on, where a made-up plateau would pull the curve if it were fitted.
            Self.run(spec, success: 0.5, saturated: spec.fraction >= 0.3).withMetrics(
                runMetrics(test: spec.fraction >= 0.3 ? 0.85 : curve(spec.fraction) + (spec.seed == 1 ? 0.003 : -0.003),
                           train: 0.9, trainClean: 0.85, loss: 0.3).merging(["targetSuccess": 0.5]) { $1 })
        }
        let results = StudyResults(study: study, runs: runs, toolVersion: "test", threads: 1)
        let unsaturated = fractions.filter { $0 < 0.3 }
        for fit in results.fits {
            #expect(fit.saturatedFrom == 0.3)
            #expect(fit.fittedFractions(fractions) == unsaturated)
            let alone = fitDescendingSigmoid(x: unsaturated, y: unsaturated.map(curve))
            guard case .success(let reference) = alone, let parameters = fit.parameters else {
                Issue.record("no fit")
                continue
            }
            #expect(abs(parameters.midpoint - reference.parameters.midpoint) < 1e-6)
            #expect(fit.threshold.fraction.map { $0 < 0.3 } == true)
        }
        #expect(results.points.filter(\.saturated).map(\.fraction) == [0.3, 0.3, 0.4, 0.4, 0.5, 0.5])
        #expect(results.statistics.series.allSatisfy { $0.band.map { $0.fractions.last! <= 0.25 } ?? true })
    }
}

/// Studies whose attack would poison nothing, or a meaningless trigger, and series that could not be
/// told apart, are refused when read, naming the key.
struct AttackSplitProblemTests {
    /// The study of `attacks` on the default clusters (its split drawn), or the refusal's path and message.
    static func refusal(_ attacks: [ParameterValue]) -> String? {
        do {
            _ = try Study(StudyConfig(models: [StudyConfig.mlp(8)], attacks: attacks, fractions: [0, 0.1], seeds: [1],
                                      training: TrainingSettings(epochs: 2)))
            return nil
        } catch let error as SpecificationError {
            return "\(error.path): \(error)"
        } catch {
            return "\(error)"
        }
    }

    static func backdoor(_ entries: [String: ParameterValue]) -> ParameterValue {
        .mapping([ParameterEntry(key: "kind", value: .string(Backdoor.kind))]
            + entries.sorted { $0.key < $1.key }.map { ParameterEntry(key: $0.key, value: $0.value) })
    }

    @Test func aTriggerFeatureNamedTwiceIsRefused() throws {
        // The default clusters have 10 features: 9 and -1 are the same one.
        let refusal = try #require(Self.refusal([Self.backdoor(["trigger-features": .list([.int(9), .int(-1)])])]))
        #expect(refusal.hasPrefix("attacks[0].trigger-features") && refusal.contains("given twice"))
        #expect(Self.refusal([Self.backdoor(["trigger-features": .list([.int(8), .int(-1)])])]) == nil)
    }

    @Test func twoSeriesWithOneLabelAreRefusedAndShownSettingsTellThemApart() throws {
        let same = Self.refusal([Self.backdoor([:]), Self.backdoor([:])])
        #expect(same?.hasPrefix("attacks[1]") == true && same?.contains("could not tell them apart") == true)
        #expect(Self.refusal([Self.backdoor([:]), Self.backdoor(["trigger-quantile": .double(0.5)])]) == nil)
        #expect(Self.refusal([Self.backdoor(["trigger": .string("blend")]), Self.backdoor(["trigger": .string("blend"), "blend-alpha": .double(0.5)])]) == nil)
    }
}
