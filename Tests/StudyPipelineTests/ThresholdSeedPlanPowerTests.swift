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
/// true difference. Measured, the plan for thresholds is conservative: it promises at least its power
/// (90% at the planned count), which the test asserts, not 80% ± 5 points.
struct ThresholdSeedPlanPowerTests {
    /// The smallest effect of interest planned for: 4 pp of poison fraction, which this noise
    /// resolves with a handful of seeds (a small study keeps the simulation cheap).
    static let effect = 0.04

    /// The two-MLP study with seeds 1 to `seeds`, planning for `effect` at 80% power.
    static func study(seeds: Int) throws -> Study {
        var config = StudyConfig(models: [32, 64].map(StudyConfig.mlp))
        config.sequential = nil
        config.seeds = (1...seeds).map { UInt64($0) }
        config.planning = PlanningSettings(effect: effect, power: 0.8)
        return try Study(config)
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

    /// The planned count reaches at least its stated 80% power, and not far more, over 100 simulated
    /// studies (about 17 s in a debug build; SEED_PLAN_STUDIES for another number, SEED_PLAN_SEEDS to
    /// run another seed count than the plan's). Measured on 400: 90.25% (361; 95% interval 86.9% to
    /// 93.0%) at the planned 8 seeds, so for thresholds the plan is conservative (the analysis README,
    /// "Seed planning", records the counts that reach 80%); no study resolves the difference above zero.
    @Test func theThresholdSeedPlanReachesItsStatedPower() throws {
        let (planned, plan) = try Self.plannedSeeds()
        #expect(planned == 8)
        let environment = ProcessInfo.processInfo.environment
        let count = Int(environment["SEED_PLAN_STUDIES"] ?? "") ?? 100
        let seeds = Int(environment["SEED_PLAN_SEEDS"] ?? "") ?? planned
        let (resolved, wrong) = try Self.power(count: count, seeds: seeds)
        let (low, high) = clopperPearson(resolved, of: count)
        print(String(format: "pilot sigma %.4f (interval %.4f to %.4f); planned %d seeds for %.2f, ran %d; resolved below zero in %d of %d (%.2f%%, 95%% interval %.2f%% to %.2f%%), above zero in %d",
                     plan.sigma, plan.sigmaInterval.lower ?? .nan, plan.sigmaInterval.upper ?? .nan, planned, Self.effect, seeds,
                     resolved, count, 100 * Double(resolved) / Double(count), 100 * low, 100 * high, wrong))
        #expect(wrong == 0)
        if seeds == planned {
            let share = Double(resolved) / Double(count)
            #expect(share >= 0.8 && share <= 0.97, "the plan's stated 80% power, at least, and not wildly more")
        }
    }
}
