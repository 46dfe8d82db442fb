import Foundation
import Testing
import PoisoningEngine
@testable import PoisoningAnalysis

/// The group-sequential boundaries against closed forms, published values and an independent SciPy
/// computation (scripts/group_sequential_reference.py), and the stopping rule by simulation.
struct GroupSequentialTests {
    @Test func spendingReachesHalfOfAlphaPerSideAndOneLookIsTheFixedSampleTest() {
        #expect(obrienFlemingSpending(0, alpha: 0.05) == 0)
        #expect(abs(obrienFlemingSpending(1, alpha: 0.05) - 0.025) < 1e-15)
        // a(0.25) = 2 - 2 Φ(2 z_{1-0.05/4}) = 2 Φ(-4.482805): SciPy 7.36680843586949e-06.
        #expect(abs(obrienFlemingSpending(0.25, alpha: 0.05) / 7.36680843586949e-06 - 1) < 1e-9)
        #expect(abs(groupSequentialBoundaries(fractions: [1], alpha: 0.05)[0] - 1.959963984540054) < 1e-12)
        #expect(abs(groupSequentialBoundaries(fractions: [1], alpha: 0.01)[0] - 2.5758293035489) < 1e-12)
        #expect(abs(sequentialConfidence(boundary: 1.959963984540054) - 0.95) < 1e-14)
    }

    /// The first boundary is the closed form z_{1-a(t_1)}, the boundaries fall towards the last, which
    /// lies above z_{1-α/2}, and they are the published ones: gsDesign's sfLDOF at 0.025 per side (Lan
    /// & DeMets 1983) for five equal looks gives 4.877, 3.357, 2.680, 2.290 and 2.031
    /// (scripts/group_sequential_reference.out recomputes them).
    @Test func boundariesAreThePublishedOnes() {
        let c = groupSequentialBoundaries(fractions: [0.2, 0.4, 0.6, 0.8, 1], alpha: 0.05)
        #expect(abs(c[0] - (-normalQuantile(obrienFlemingSpending(0.2, alpha: 0.05)))) < 1e-12)
        #expect(zip(c, c.dropFirst()).allSatisfy { $0 > $1 })
        for (value, published) in zip(c, [4.877, 3.357, 2.680, 2.290, 2.031]) { #expect(abs(value - published) < 1e-3, "\(c)") }
    }

    struct ReferenceDesign: Decodable {
        let name: String
        let alpha: Double
        let fractions: [Double]
        let boundaries: [Double]
        let seeds: [Int]?
    }

    /// The independent NumPy integration (checked against SciPy's multivariate normal CDF to about
    /// 1e-9 in probability): agreement to 1e-3 on the z scale, and the adaptive designs' looks.
    @Test func boundariesMatchTheSciPyReference() throws {
        let url = try #require(Bundle.module.url(forResource: "group_sequential_reference", withExtension: "json", subdirectory: "Fixtures"))
        struct File: Decodable { let designs: [ReferenceDesign] }
        let designs = try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).designs
        #expect(designs.count == 4)
        for design in designs {
            let c = groupSequentialBoundaries(fractions: design.fractions, alpha: design.alpha)
            #expect(c.count == design.boundaries.count)
            for (value, reference) in zip(c, design.boundaries) { #expect(abs(value - reference) < 1e-3, "\(design.name)") }
            if let seeds = design.seeds {
                let looks = sequentialLooks(start: 3, step: 3, max: 40, alpha: design.alpha, replicates: 1000)
                #expect(looks.map(\.seeds) == seeds)
                for (look, reference) in zip(looks, design.boundaries) { #expect(abs(look.boundary - reference) < 1e-3) }
            }
        }
    }

    @Test func looksTheBootstrapCannotMeasureAreNotTaken() {
        let looks = sequentialLooks(start: 3, step: 3, max: 40, alpha: 0.05, replicates: 1000)
        #expect(looks.last?.seeds == 40)
        // The first look leaves at least 2 of 1,000 replicates beyond each end; one look earlier would not.
        #expect((1 - looks[0].confidence) / 2 * 1000 >= 2)
        let earlier = [looks[0].seeds - 3] + looks.map(\.seeds)
        let c = groupSequentialBoundaries(fractions: earlier.map { Double($0) / 40 }, alpha: 0.05)
        #expect((1 - sequentialConfidence(boundary: c[0])) / 2 * 1000 < 2)
        // With more replicates, earlier looks are taken.
        #expect(sequentialLooks(start: 3, step: 3, max: 40, alpha: 0.05, replicates: 100_000).count > looks.count)
        #expect(sequentialLooks(start: 5, step: 10, max: 5, alpha: 0.05, replicates: 1000).map(\.seeds) == [5])
    }

    @Test func aResolvedComparisonStaysResolvedAndTheRuleStopsWhenAllAre() {
        let looks = sequentialLooks(start: 10, step: 10, max: 40, alpha: 0.05, replicates: 100_000)
        let answers: [[String: Bool]] = [["a": true, "b": false], ["a": false, "b": false], ["a": false, "b": true], ["a": true, "b": true]]
        let outcome = runSequentialRule(looks: looks) { index, _ in answers[index] }
        #expect(outcome == SequentialOutcome(resolvedAt: ["a": 0, "b": 2], stoppedAt: 2, stop: .allResolved))
        let never = runSequentialRule(looks: looks) { _, _ in ["a": false] }
        #expect(never == SequentialOutcome(resolvedAt: [:], stoppedAt: looks.count - 1, stop: .budgetSpent))
    }

    /// The fraction of `studies` simulated adaptive studies (start 3, step 3, max 40, 1,000 replicates:
    /// the reference study's design) that resolve a mean seed-level paired difference, drawn normal
    /// with mean `effect` and sd `spread`, through `runSequentialRule` with the t interval at each
    /// look's adjusted confidence (the interval of a mean), and the mean number of seeds run.
    func resolvedShare(effect: Double, spread: Double, studies: Int, seed: UInt32) -> (share: Double, meanSeeds: Double) {
        let looks = sequentialLooks(start: 3, step: 3, max: 40, alpha: 0.05, replicates: 1000)
        var random = NumPyRandomState(seed: seed)
        var resolved = 0, seeds = 0
        for _ in 0..<studies {
            let differences = (0..<40).map { _ in effect + spread * random.standardNormal() }
            let outcome = runSequentialRule(looks: looks) { _, look in
                let sample = differences.prefix(look.seeds), n = Double(look.seeds)
                let mean = sample.reduce(0, +) / n
                let sd = (sample.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
                let half = studentTQuantile(1 - (1 - look.confidence) / 2, df: n - 1) * sd / n.squareRoot()
                return ["difference": abs(mean) > half]
            }
            if outcome.resolvedAt["difference"] != nil { resolved += 1 }
            seeds += looks[outcome.stoppedAt].seeds
        }
        return (Double(resolved) / Double(studies), Double(seeds) / Double(studies))
    }

    /// Under no difference, 4,000 simulated studies resolve falsely at most 5.5% of the time
    /// (measured: see the analysis README).
    @Test func noDifferenceResolvesFalselyAtMostFiveAndAHalfPercent() {
        let null = resolvedShare(effect: 0, spread: 0.05, studies: 4000, seed: 2101)
        #expect(null.share <= 0.055, "false resolutions: \(null.share)")
        #expect(null.share >= 0.03, "false resolutions: \(null.share)")
    }

    /// A known 3 pp difference with a per-seed sd of 5 pp (about twice the 2.2 pp the reference study's
    /// 3 seeds give its threshold differences; see the README) is resolved in at least 80% of 2,000
    /// simulated studies.
    @Test func aThreePointDifferenceIsResolvedInAtLeastEightyPercent() {
        let effect = resolvedShare(effect: 0.03, spread: 0.05, studies: 2000, seed: 2102)
        #expect(effect.share >= 0.80, "resolved: \(effect.share)")
    }

    /// What a simulated reference design's family of comparisons did: the share of studies in which
    /// some comparison whose true value is 0 was resolved, each comparison's share resolved, and the
    /// mean seeds run.
    struct FamilyOutcome {
        let anyFalse: Double
        let resolved: [String: Double]
        let meanSeeds: Double
    }

    /// The reference study's four comparisons, simulated: three models (log2 sizes 0, 1 and 2, as MLP
    /// 32, 64 and 128 about double their parameters) whose per-seed thresholds are `means[j]` plus
    /// independent normal noise of sd `spread` / √2, so that each pair's per-seed difference has sd
    /// `spread` (a seed effect shared by the models cancels in every comparison and is left out). The
    /// comparisons are the trend (the per-seed least-squares slope, (y_128 - y_32) / 2) and the three
    /// pairs, each resolved when `excludesZero(look index, look, per-seed values)` says so, through
    /// `runSequentialRule` with the looks the reference design gets spending `alpha` per comparison
    /// (1,000 replicates; `runSequentialStudy` spends 0.05 / 4). A surrogate for the threshold
    /// questions: a threshold's interval is read off refits of the sigmoid, here off the per-seed values.
    func family(means: [Double], spread: Double, studies: Int, seed: UInt32, alpha: Double = 0.05 / 4,
                excludesZero: (Int, SequentialLookPlan, [Double]) throws -> Bool) rethrows -> FamilyOutcome {
        let looks = sequentialLooks(start: 3, step: 3, max: 40, alpha: alpha, replicates: 1000)
        let contrasts: [(name: String, weights: [Double])] = [
            ("trend", [-0.5, 0, 0.5]), ("64 - 32", [-1, 1, 0]), ("128 - 32", [-1, 0, 1]), ("128 - 64", [0, -1, 1]),
        ]
        let truth = contrasts.map { zip($0.weights, means).reduce(0) { $0 + $1.0 * $1.1 } }
        var random = NumPyRandomState(seed: seed)
        var anyFalse = 0, seeds = 0, resolved = [String: Int]()
        for _ in 0..<studies {
            let thresholds = (0..<40).map { _ in means.map { $0 + spread / 2.0.squareRoot() * random.standardNormal() } }
            let outcome = try runSequentialRule(looks: looks) { index, look in
                let sample = thresholds.prefix(look.seeds)
                return try Dictionary(uniqueKeysWithValues: contrasts.map { contrast in
                    let values = sample.map { y in zip(contrast.weights, y).reduce(0) { $0 + $1.0 * $1.1 } }
                    return (contrast.name, try excludesZero(index, look, values))
                })
            }
            for name in outcome.resolvedAt.keys { resolved[name, default: 0] += 1 }
            if zip(contrasts, truth).contains(where: { $1 == 0 && outcome.resolvedAt[$0.name] != nil }) { anyFalse += 1 }
            seeds += looks[outcome.stoppedAt].seeds
        }
        return FamilyOutcome(anyFalse: Double(anyFalse) / Double(studies),
                             resolved: Dictionary(uniqueKeysWithValues: contrasts.map { ($0.name, Double(resolved[$0.name] ?? 0) / Double(studies)) }),
                             meanSeeds: Double(seeds) / Double(studies))
    }

    /// Whether the exact t interval of the mean of `values` at the look's level excludes zero.
    func tExcludesZero(_ look: SequentialLookPlan, _ values: [Double]) -> Bool {
        let summary = MeanStd(of: values), n = Double(values.count)
        return abs(summary.mean) > studentTQuantile(1 - (1 - look.confidence) / 2, df: n - 1) * summary.std / n.squareRoot()
    }

    /// Under the global null (no threshold differs), at most 5.5% of 2,000 simulated studies resolve
    /// some comparison falsely with α split among the four (measured: see the analysis README); at
    /// the full α per comparison, as before the split, far more do.
    @Test func theFamilyOfFourComparisonsResolvesFalselyAtMostFiveAndAHalfPercent() {
        let split = family(means: [0, 0, 0], spread: 0.05, studies: 2000, seed: 2104) { tExcludesZero($1, $2) }
        #expect(split.anyFalse <= 0.055, "family-wise false resolutions: \(split.anyFalse)")
        #expect(split.anyFalse >= 0.02, "family-wise false resolutions: \(split.anyFalse)")
        let unsplit = family(means: [0, 0, 0], spread: 0.05, studies: 2000, seed: 2104, alpha: 0.05) { tExcludesZero($1, $2) }
        #expect(unsplit.anyFalse >= 0.09, "family-wise false resolutions at the full α each: \(unsplit.anyFalse)")
    }

    /// With MLP 128's threshold 3 pp below the others' (per-seed sd of a pair's difference 5 pp, as
    /// above), the 128-vs-64 comparison is resolved in at least 80% of 2,000 simulated studies.
    @Test func aThreePointDifferenceInTheFamilyIsResolvedInAtLeastEightyPercent() throws {
        let outcome = family(means: [0, 0, -0.03], spread: 0.05, studies: 2000, seed: 2105) { tExcludesZero($1, $2) }
        #expect(try #require(outcome.resolved["128 - 64"]) >= 0.80, "resolved: \(outcome.resolved)")
        #expect(outcome.anyFalse <= 0.055, "false resolutions of 64 - 32: \(outcome.anyFalse)")
    }

    /// The family's null through the ray bootstrap (bootstrap stream 0, as a study reads it): each
    /// look's interval of each comparison is the ray percentile interval of its per-seed values at the
    /// look's level instead of the exact t interval (a threshold difference's replicates are the
    /// differences of the series' replicates, paired by replicate: for a linear contrast, the
    /// replicates of its per-seed values), so the share measures what the bootstrap's reading of small
    /// levels (its last radius at T's 98.4% quantile, its directions' Monte Carlo error) does to the
    /// family-wise rate. Run with SEQUENTIAL_RAY_STUDIES=N (N simulated studies, on the null stream of
    /// the t test above; measured: see the analysis README); it also prints the shares the tests above
    /// assert on.
    @Test func theRayBootstrapsFamilyNullRateIsMeasured() throws {
        guard let studies = Int(ProcessInfo.processInfo.environment["SEQUENTIAL_RAY_STUDIES"] ?? "") else { return }
        let looks = sequentialLooks(start: 3, step: 3, max: 40, alpha: 0.05 / 4, replicates: 1000)
        let bootstraps = looks.map { SeedBootstrap(seedCount: $0.seeds, replicates: 1000) }
        let ray = try family(means: [0, 0, 0], spread: 0.05, studies: studies, seed: 2104) { index, look, values in
            let bootstrap = bootstraps[index]
            let interval = bootstrap.design.interval(bootstrap.replicateMeans(values.map { Optional($0) }, resolution: 1e-9),
                                                     confidence: look.confidence)
            return try #require(interval).excludes(0)
        }
        let exact = family(means: [0, 0, 0], spread: 0.05, studies: studies, seed: 2104) { tExcludesZero($1, $2) }
        print("family-wise false resolutions of \(studies) studies: ray bootstrap \(ray.anyFalse), exact t \(exact.anyFalse), "
            + "looks \(looks.map(\.seeds)), mean seeds \(ray.meanSeeds) and \(exact.meanSeeds)")
        let unsplit = family(means: [0, 0, 0], spread: 0.05, studies: 2000, seed: 2104, alpha: 0.05) { tExcludesZero($1, $2) }
        let power = family(means: [0, 0, -0.03], spread: 0.05, studies: 2000, seed: 2105) { tExcludesZero($1, $2) }
        let single = (resolvedShare(effect: 0, spread: 0.05, studies: 4000, seed: 2101),
                      resolvedShare(effect: 0.03, spread: 0.05, studies: 2000, seed: 2102))
        print("2,000 studies, exact t: unsplit null \(unsplit.anyFalse); 3 pp: \(power.resolved), false \(power.anyFalse), "
            + "mean seeds \(power.meanSeeds); one comparison: null \(single.0), 3 pp \(single.1)")
    }

    /// An adaptive study's planned comparisons are those its statistics make: in a study of 2 models
    /// x 2 attacks x 2 defenses, 12 pairs that differ in one axis (4 per axis) and 4 trends, as the
    /// statistics' differences (per quantity) and trends list them.
    @Test func thePlannedComparisonsAreThoseTheStatisticsMake() throws {
        var config = StudyConfig(models: [8, 16].map(StudyConfig.mlp),
                                 attacks: [StudyConfig.component(RandomLabelFlip.kind), StudyConfig.component(ClassFlip.kind)],
                                 defenses: [StudyConfig.component(NoDefense.kind), StudyConfig.component(LossFilter.kind)],
                                 fractions: [0, 0.3], seeds: [1, 2])
        config.training = TrainingSettings(epochs: 2)
        config.analysis = AnalysisSettings(replicates: 200)
        let study = try Study(config)
        let pairs = comparedSeriesPairs(study.series)
        #expect(pairs.count == 12)
        #expect(Dictionary(grouping: pairs, by: \.axis).mapValues(\.count) == [.model: 4, .attack: 4, .defense: 4])
        let questions: [SequentialQuestion] = [.thresholdPairs, .cleanPairs, .thresholdTrend]
        #expect(sequentialComparisonCount(series: study.series, modelKinds: study.config.modelKinds, questions: questions) == 12 + 12 + 4)
        let results = StudyResults(study: study, runs: runStudy(study, threads: 2).results, toolVersion: "test")
        let threshold = results.statistics.differences.filter { $0.quantity == .threshold }
        #expect(threshold.map { [$0.base, $0.other] } == pairs.map { [$0.first, $0.second] })
        #expect(sequentialComparisons(results.statistics, series: study.series, questions: questions).count == 12 + 12 + 4)
    }
}
