import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
import StudyPipeline
import TestSupport

/// The adaptive reference study's power, through the real analysis: the simulated studies of
/// `SequentialFamilyNullTests` (the same design, looks, bootstrap and noise, run by
/// `runSequentialStudy`, whose every look refits the sigmoid on every replicate and decides each
/// comparison by `SignDecision`), with MLP 128's true threshold 3 pp below that of MLP 32 and MLP 64.
/// The analysis README records the measured power.
struct SequentialFamilyPowerTests {
    /// MLP 128's true curve: the null's curve with the fraction axis compressed by s = (t - 0.03) / t,
    /// t = 0.37111 its threshold, i.e. value(x) = truth(x / s): midpoint 0.175 s, steepness 5.17 / s.
    /// The clean accuracy (x = 0), the floor and so the threshold's target (clean + chance) / 2 are
    /// unchanged and the threshold is t - 0.03 (scaled by s). A horizontal shift of the curve would
    /// lower the clean accuracy, and the target with it: it would need a 7.4 pp shift of the midpoint
    /// to move the threshold by 3 pp.
    static let lowered = SigmoidParameters(amplitude: 0.78, steepness: 5.6246910046632586, midpoint: 0.1608532805179697, floor: 0.34)

    /// The true curves of MLP 32, MLP 64 and MLP 128: the null's for the two smaller, `lowered` for MLP 128.
    static let truths = [SequentialFamilyNullTests.truth, SequentialFamilyNullTests.truth, lowered]

    /// The true threshold of `curve` as the analysis defines it: where it falls to the mean of its
    /// clean accuracy (its value at fraction 0) and chance (1/5, the reference data's five classes).
    static func trueThreshold(_ curve: SigmoidParameters) -> Double? {
        criticalThreshold(of: curve, target: (curve.value(at: 0) + 0.2) / 2, swept: 0...0.5).fraction
    }

    /// The alternative is the one intended: the series are MLP 32, 64 and 128 in that order, MLP 128's
    /// true threshold is 3 pp below the others' (0.37111, solved in closed form by the analysis) and
    /// its clean accuracy is theirs.
    @Test func mlp128sTrueThresholdIsThreePointsLower() throws {
        #expect(try SequentialFamilyNullTests.study().series.map(\.label) == ["MLP 32", "MLP 64", "MLP 128"])
        let null = try #require(Self.trueThreshold(SequentialFamilyNullTests.truth))
        let lowered = try #require(Self.trueThreshold(Self.lowered))
        #expect(abs(null - 0.3711107728310264) < 1e-12)
        #expect(abs(lowered - (null - 0.03)) < 1e-12)
        #expect(abs(Self.lowered.value(at: 0) - SequentialFamilyNullTests.truth.value(at: 0)) < 1e-12)
    }

    /// One simulated study's outcome: the comparisons it resolved, each with the seeds of the look that
    /// resolved it and whether the last look's estimate has the true sign (negative: MLP 128's
    /// threshold is the lower, so its differences and the trend are below zero; for MLP 64 - MLP 32,
    /// whose truth is zero, any resolution is false), and the seeds it ran.
    struct Outcome: Sendable {
        /// Comparisons resolved, with the seeds of the look that resolved them.
        let resolved: [(name: String, seeds: Int)]
        /// The names of the resolved comparisons whose last-look estimate is not below zero.
        let againstTheTruth: [String]
        /// Seeds run.
        let seeds: Int
    }

    /// Simulated study `index` under the alternative, run to its stop.
    static func simulate(_ index: Int, study: Study, threads: Int) throws -> Outcome {
        let run = try SequentialFamilyNullTests.run(index, study: study, threads: threads, truths: truths)
        let record = try #require(run.results.sequential)
        let statistics = run.results.statistics
        let estimates = Dictionary(uniqueKeysWithValues: statistics.differences.filter { $0.quantity == .threshold }.map { difference in
            ("threshold-pairs (\(run.study.series[difference.other].label) - \(run.study.series[difference.base].label))", difference.difference.value)
        } + statistics.trends.map { trend in
            let first = run.study.series[trend.series[0]]
            return ("threshold-trend (\(first.attackLabel), \(first.defenseLabel))", trend.slope.value)
        })
        let resolved = record.looks.flatMap { look in look.resolved.map { (name: $0, seeds: look.seeds) } }
        return Outcome(resolved: resolved, againstTheTruth: resolved.map(\.name).filter { !((estimates[$0] ?? nil).map { $0 < 0 } ?? false) },
                       seeds: record.seeds)
    }

    /// Run with SEQUENTIAL_POWER_STUDIES=N (and SEQUENTIAL_POWER_FIRST=K to start at study K, for runs
    /// split in parts): prints each study and what it resolved, then, for each comparison, the share of
    /// the studies that resolve it with its 95% Clopper-Pearson interval, and the mean seeds run (the
    /// analysis README records the measured power).
    @Test func thePowerToResolveAThreePointDifferenceIsMeasured() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let count = Int(environment["SEQUENTIAL_POWER_STUDIES"] ?? "") else { return }
        let first = Int(environment["SEQUENTIAL_POWER_FIRST"] ?? "") ?? 0
        let study = try SequentialFamilyNullTests.study()
        // onEach hears how many studies are done, not which: each outcome carries its study's index.
        let simulated = parallelMap(count: count, threads: ProcessInfo.processInfo.activeProcessorCount, { position in
            (first + position, try? Self.simulate(first + position, study: study, threads: 1))
        }, onEach: { _, outcome in
            let resolved = outcome.1?.resolved.map { "\($0.name) at \($0.seeds) seeds" } ?? ["failed"]
            print("study \(outcome.0): \(resolved.isEmpty ? "none" : resolved.joined(separator: ", "))"
                + (outcome.1.map { "; \($0.seeds) seeds" + ($0.againstTheTruth.isEmpty ? "" : "; not below zero: " + $0.againstTheTruth.joined(separator: ", ")) } ?? ""))
        })
        let outcomes = simulated.compactMap(\.1)
        #expect(outcomes.count == count)
        let names = ["threshold-pairs (MLP 128 - MLP 64)", "threshold-pairs (MLP 128 - MLP 32)",
                     "threshold-trend (random label flip, no defense)", "threshold-pairs (MLP 64 - MLP 32)"]
        for name in names {
            let resolving = outcomes.filter { $0.resolved.contains { $0.name == name } }.count
            let (low, high) = clopperPearson(resolving, of: count)
            print(String(format: "%@: resolved in %d of %d studies (%.2f%%, 95%% interval %.2f%% to %.2f%%)",
                         name, resolving, count, 100 * Double(resolving) / Double(count), 100 * low, 100 * high))
        }
        let allTrue = outcomes.filter { outcome in names.prefix(3).allSatisfy { name in outcome.resolved.contains { $0.name == name } } }.count
        let (low, high) = clopperPearson(allTrue, of: count)
        print(String(format: "all three true differences resolved in %d of %d (%.2f%%, 95%% interval %.2f%% to %.2f%%); "
                     + "%d resolutions not below zero at the last look; mean seeds run %.2f",
                     allTrue, count, 100 * Double(allTrue) / Double(count), 100 * low, 100 * high,
                     outcomes.reduce(0) { $0 + $1.againstTheTruth.count }, Double(outcomes.reduce(0) { $0 + $1.seeds }) / Double(count)))
    }
}
