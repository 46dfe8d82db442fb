import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
import StudyPipeline
import TestSupport

/// The seed plan of a threshold difference, checked by simulation (r21d M3; the plans for means are
/// checked in `StatisticsTests`): through the real analysis (`StudyResults`: sigmoid fits, the ray
/// bootstrap's refits, the paired threshold difference read by `SignDecision`), on simulated runs with
/// `SequentialFamilyNullTests`' noise (a per-seed offset shared by every fraction and model, sd 0.01,
/// plus independent noise with the reference study's per-fraction spread, whole test rows of 150).
/// Two MLPs (32 and 64 hidden units) at the reference study's nine fractions; MLP 64's true
/// threshold lies `effect` below MLP 32's (`SequentialFamilyPowerTests.lowered`).
///
/// What the plan promises: with the per-seed spread σ known, a new study of `SeedPlan.seeds` seeds
/// resolves a true difference of `planning.effect` with `planning.power` (80%). σ is read as a study
/// reads it (the bootstrap's quartile standard error times √n), from a pilot study of 40 seeds under
/// the null (both MLPs on one curve: a difference is planned only while unresolved), so that σ is
/// nearly known (39 degrees of freedom); the planned count is then run on simulated studies with the
/// true difference. Measured, the count at σ's estimate gives more than its power (about 90% at
/// 4 pp, 85% at 2 pp), since the quartile σ reads the spread high; the decision itself is the t test
/// at the true spread, which the test asserts.
struct ThresholdSeedPlanPowerTests {
    /// The smallest effect of interest planned for: 4 pp of poison fraction, which this noise
    /// resolves with a handful of seeds (a small study keeps the simulation cheap); SEED_PLAN_EFFECT
    /// sets another (0.02, the default `planning.effect`, plans 25 seeds: a slow run).
    static let effect = Double(ProcessInfo.processInfo.environment["SEED_PLAN_EFFECT"] ?? "") ?? 0.04

    /// The two-MLP study with seeds 1 to `seeds`, planning for `effect` (by default `Self.effect`) at 80% power.
    static func study(seeds: Int, effect: Double = effect) throws -> Study {
        var config = StudyConfig(models: [32, 64].map(StudyConfig.mlp))
        config.sequential = nil
        config.seeds = (1...seeds).map { UInt64($0) }
        config.planning = PlanningSettings(effect: effect, power: 0.8)
        return try Study(config)
    }

    /// The true per-seed spread of MLP 64 - MLP 32's threshold difference at `seeds` seeds when its truth
    /// is `effect` below zero: √n times the standard deviation of the central estimate (the analysis'
    /// own fit of each series' mean curve, `fitSeries`) over `count` simulated studies (indices from
    /// 60,000, as the power runs), and how many of them had both thresholds inside the swept fractions.
    static func trueSpread(seeds: Int, effect: Double, count: Int) throws -> (sigma: Double, defined: Int) {
        let study = try study(seeds: seeds, effect: effect)
        let truths = [SequentialFamilyNullTests.truth, SequentialFamilyPowerTests.lowered(by: effect)]
        let values = parallelMap(count: count, threads: ProcessInfo.processInfo.activeProcessorCount, { index -> Double? in
            let runs = study.runSpecs.map { SequentialFamilyNullTests.simulatedRun($0, in: study, study: 60_000 + index, truths: truths) }
            let fits = fitSeries(aggregate(runs, fractions: study.config.fractions, seriesCount: 2), seriesCount: 2, classes: 5)
            return fits[1].threshold.fraction.flatMap { b in fits[0].threshold.fraction.map { b - $0 } }
        }, onEach: { _, _ in })
        let defined = values.compactMap { $0 }
        return (MeanStd(of: defined).std * Double(seeds).squareRoot(), defined.count)
    }

    /// MLP 64 - MLP 32's threshold difference of simulated study `index`, the series' true curves `truths`.
    static func difference(_ study: Study, index: Int, truths: [SigmoidParameters]) throws -> SeriesDifference {
        let runs = study.runSpecs.map { SequentialFamilyNullTests.simulatedRun($0, in: study, study: index, truths: truths) }
        let results = StudyResults(study: study, runs: runs, toolVersion: "test", threads: 1)
        return try #require(results.statistics.differences.first { $0.quantity == .threshold && $0.base == 0 && $0.other == 1 })
    }

    /// The planned seed count: the plan of the 40-seed null pilot (study index 50,000) at its σ estimate.
    static func plannedSeeds() throws -> (seeds: Int, plan: SeedPlan) {
        let truth = SequentialFamilyNullTests.truth
        let pilot = try difference(try study(seeds: 40), index: 50_000, truths: [truth, truth])
        let plan = try #require(pilot.seedPlan, "the null pilot's difference is unresolved and planned: \(pilot.difference)")
        return (try #require(plan.seeds), plan)
    }

    /// The share of `count` simulated studies (indices from 60,000) of the planned seed count that
    /// resolve MLP 64 - MLP 32 below zero when its truth is `effect` below zero, and how many resolve
    /// it above zero (wrongly).
    static func power(count: Int, seeds: Int) throws -> (resolved: Int, wrong: Int) {
        let planned = try study(seeds: seeds)
        let truths = [SequentialFamilyNullTests.truth, SequentialFamilyPowerTests.lowered(by: effect)]
        let outcomes = parallelMap(count: count, threads: ProcessInfo.processInfo.activeProcessorCount, { index in
            try? difference(planned, index: 60_000 + index, truths: truths)
        }, onEach: { _, _ in })
        #expect(outcomes.allSatisfy { $0 != nil })
        let resolved = outcomes.compactMap { $0 }.filter { $0.decision == .resolved }
        let below = resolved.filter { ($0.difference.value ?? 0) < 0 }.count
        return (below, resolved.count - below)
    }

    /// The power of a two-sided paired t test at `confidence` with `seeds` seeds when the true difference
    /// is `effect` and the per-seed spread `sigma`: the noncentral t's P(|T| > t_{1-α/2, n-1}), integrated
    /// over the χ² of the spread's estimate on a grid of 4,000 quantiles (SciPy `stats.nct` at δ = 4 pp,
    /// σ = 2.925 pp: 0.7629, 0.8519 and 0.9102 with 6, 7 and 8 seeds).
    static func tTestPower(seeds: Int, effect: Double, sigma: Double, confidence: Double = 0.95) -> Double {
        let nu = Double(seeds - 1), critical = studentTQuantile(1 - (1 - confidence) / 2, df: nu)
        let shift = effect / sigma * Double(seeds).squareRoot(), grid = 4000
        let total = (0..<grid).reduce(0.0) { sum, k in
            let scale = critical * (chiSquareQuantile((Double(k) + 0.5) / Double(grid), df: nu) / nu).squareRoot()
            return sum + normalCDF(shift - scale) + normalCDF(-shift - scale)
        }
        return total / Double(grid)
    }

    /// The count planned at σ's estimate, run through the analysis: over 40 simulated studies (SEED_PLAN_STUDIES
    /// for another number, SEED_PLAN_SEEDS to run another seed count than the plan's, SEED_PLAN_EFFECT
    /// for another effect than 4 pp) the difference is resolved in the share a paired t test at the true
    /// per-seed spread would resolve it (the noncentral-t power at `trueSpread`, 2,000 studies: σ's SE
    /// about 1.6%, which moves that power by at most 1 point at 8 seeds), within three binomial SEs plus
    /// 2 points; it is at least the stated 80%, and none resolves it above zero. It is not 80% ± 5: the
    /// null pilot's σ (3.38 pp; the true null spread at 40 seeds is 3.19 pp) is above the alternative's
    /// spread at 8 seeds (2.93 pp), and with so few seeds one seed moves the power by 6 to 9 points (the
    /// analysis README, "A threshold's plan, by simulation", gives the measurements and the 2 pp runs).
    @Test func theThresholdSeedPlanReachesTheTTestPowerAtTheTrueSpread() throws {
        let (planned, plan) = try Self.plannedSeeds()
        #expect(planned == 8 || Self.effect != 0.04)
        let environment = ProcessInfo.processInfo.environment
        // 40 studies (some 45 CPU-s of a debug build; 100 took 107): three binomial SEs at the expected 91% are 13.6
        // points, so the agreement alone catches only gross errors (two seeds or more: one is 6 to 9 points at 4 pp),
        // `share >= 0.8` finer ones; SEED_PLAN_STUDIES=400 measures it closely (the analysis README).
        let count = Int(environment["SEED_PLAN_STUDIES"] ?? "") ?? 40
        let seeds = Int(environment["SEED_PLAN_SEEDS"] ?? "") ?? planned
        let truth = try Self.trueSpread(seeds: seeds, effect: Self.effect, count: 2000)
        #expect(truth.defined == 2000)
        let expected = Self.tTestPower(seeds: seeds, effect: Self.effect, sigma: truth.sigma)
        let (resolved, wrong) = try Self.power(count: count, seeds: seeds)
        let (low, high) = clopperPearson(resolved, of: count)
        let share = Double(resolved) / Double(count)
        print(String(format: "pilot sigma %.4f (interval %.4f to %.4f); planned %d seeds for %.2f, ran %d; true spread %.4f, t-test power %.4f; resolved below zero in %d of %d (%.2f%%, 95%% interval %.2f%% to %.2f%%), above zero in %d",
                     plan.sigma, plan.sigmaInterval.lower ?? .nan, plan.sigmaInterval.upper ?? .nan, planned, Self.effect, seeds,
                     truth.sigma, expected, resolved, count, 100 * share, 100 * low, 100 * high, wrong))
        #expect(wrong == 0)
        let error = (expected * (1 - expected) / Double(count)).squareRoot()
        #expect(abs(share - expected) <= 3 * error + 0.02, "the analysis' decision is the t test at the true spread")
        if seeds == planned { #expect(share >= 0.8, "the count at σ's estimate reaches at least its stated power") }
    }

    /// The noncentral-t power matches SciPy's `stats.nct` (values computed with SciPy for this test:
    /// 1 - nct.cdf(t, n - 1, δ √n / σ) + nct.cdf(-t, ...) at δ = 4 pp, σ = 2.925 pp).
    @Test func theTTestPowerMatchesSciPy() {
        for (seeds, expected) in [(6, 0.7629), (7, 0.8519), (8, 0.9102)] {
            #expect(abs(Self.tTestPower(seeds: seeds, effect: 0.04, sigma: 0.02925) - expected) < 5e-4)
        }
    }
}

/// The count a report leads with, checked by simulation (review r21s M1): a 3-seed pilot plans for the
/// default smallest effect (`planning.effect`, 2 pp) and leads with `SeedPlan.conservativeSeeds`, the
/// count at σ's one-sided upper 80% bound, worded "spread at its upper 80% bound; ... with at least 80%
/// power in about 80% of pilot outcomes". That claim is: the pilots whose leading count reaches the
/// count a study needs for 80% power (n*, the t-quantile count at the true per-seed spread) make up
/// about 80% of the pilots that plan. The pilots are simulated studies of 3 seeds with the true
/// difference of 2 pp (`ThresholdSeedPlanPowerTests`' noise and analysis); n* comes from the true
/// spread at that count, measured on the central estimates of simulated studies
/// (`ThresholdSeedPlanPowerTests.trueSpread`); a study of n* = 21 seeds resolves the difference in 79.2%
/// of 600 through the analysis' decision (`ThresholdSeedPlanPowerTests` with SEED_PLAN_EFFECT=0.02,
/// SEED_PLAN_SEEDS=21; the analysis README records it).
struct ThresholdConservativeSeedPlanTests {
    /// The default smallest effect of interest.
    static let effect = PlanningSettings().effect

    /// Over `count` 3-seed pilots (indices from 70,000): how many plan (unresolved, measured, with a
    /// defined spread), how many of those lead with at least `needed` seeds (a count above the plan's
    /// limit counts as reaching it), and the plans' σ.
    static func pilots(count: Int, needed: Int) throws -> (planned: Int, reaching: Int, sigmas: [Double]) {
        let study = try ThresholdSeedPlanPowerTests.study(seeds: 3, effect: effect)
        let truths = [SequentialFamilyNullTests.truth, SequentialFamilyPowerTests.lowered(by: effect)]
        let plans = parallelMap(count: count, threads: ProcessInfo.processInfo.activeProcessorCount, { index in
            (try? ThresholdSeedPlanPowerTests.difference(study, index: 70_000 + index, truths: truths))?.seedPlan
        }, onEach: { _, _ in })
        let planned = plans.compactMap { $0 }
        return (planned.count, planned.filter { ($0.conservativeSeeds ?? Int.max) >= needed }.count, planned.map(\.sigma))
    }

    /// The leading count reaches n* in about 80% of the pilots that plan. Routinely 150 pilots (a few
    /// seconds of a debug build): binomial SE at 80% is 3.3 points, so the asserted 70% to 90% is three
    /// SEs either side; THRESHOLD_PILOTS=1000 runs the full simulation (SE 1.3 points), whose result the
    /// analysis README records ("A threshold's plan, by simulation"). n* is derived, not read off a run:
    /// the t-quantile count at the true spread, measured on 2,000 studies of 21 seeds (the count at
    /// about that spread; σ's SE about 1.6%, so n* is known to about a seed).
    @Test func theLeadingSeedCountReachesTheNeededCountInAbout80PercentOfPilots() throws {
        let truth = try ThresholdSeedPlanPowerTests.trueSpread(seeds: 21, effect: Self.effect, count: 2000)
        #expect(truth.defined == 2000)
        let needed = try #require(seedsNeeded(effect: Self.effect, sigma: truth.sigma, confidence: 0.95, power: 0.8, limit: 200))
        let full = ProcessInfo.processInfo.environment["THRESHOLD_PILOTS"].flatMap { Int($0) }
        let count = full ?? 150
        let (planned, reaching, sigmas) = try Self.pilots(count: count, needed: needed)
        let share = Double(reaching) / Double(planned)
        let (low, high) = clopperPearson(reaching, of: planned)
        // The true spread at the pilots' 3 seeds, for the printed comparison with their σ: only in a full run (2,000 more fits).
        let sorted = sigmas.sorted()
        let pilotTruth = full == nil ? (sigma: Double.nan, defined: 0)
            : try ThresholdSeedPlanPowerTests.trueSpread(seeds: 3, effect: Self.effect, count: 2000)
        print(String(format: "true spread %.4f at 21 seeds, n* = %d; %d of %d pilots plan; their leading count reaches n* in %d (%.2f%%, 95%% interval %.2f%% to %.2f%%); true spread at 3 seeds %.4f (%d defined); pilot sigma mean %.4f, rms %.4f, median %.4f",
                     truth.sigma, needed, planned, count, reaching, 100 * share, 100 * low, 100 * high, pilotTruth.sigma, pilotTruth.defined,
                     MeanStd(of: sigmas).mean, (sigmas.map { $0 * $0 }.reduce(0, +) / Double(sigmas.count)).squareRoot(),
                     sorted[sorted.count / 2]))
        #expect(planned >= count * 8 / 10, "most 3-seed pilots of a 2 pp difference leave it unresolved and plan")
        #expect(share >= 0.7 && share <= 0.9)
    }
}
