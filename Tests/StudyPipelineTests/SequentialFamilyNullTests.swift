import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
import StudyPipeline
import TestSupport

/// The adaptive reference study's family false-resolution rate, through the real analysis: simulated
/// studies under the null (the three MLPs share one true curve, so the threshold trend and every
/// threshold difference are zero) run by `runSequentialStudy`, whose every look refits the sigmoid on
/// every bootstrap replicate exactly as `make-report --until-resolved` does. Only the training is
/// replaced: a run's test accuracy is the true curve (CoverageTests' L = 0.78, k = 5.17, x0 = 0.175,
/// b = 0.34) plus a per-seed offset shared by every fraction and model (sd 0.01: a seed's
/// initialisation and data order) plus independent noise with the reference study's per-fraction
/// spread, rounded to whole test rows of 150. The analysis README records the measured rate.
struct SequentialFamilyNullTests {
    static let truth = SigmoidParameters(amplitude: 0.78, steepness: 5.17, midpoint: 0.175, floor: 0.34)
    static let spread = [0.012, 0.017, 0.039, 0.037, 0.053, 0.029, 0.017, 0.025, 0.029]

    /// The adaptive reference study (`make-report --until-resolved`): its three MLPs and fractions,
    /// seeds 42, 123, 7, then 1, 2, ..., 3 at a time up to 40, until the threshold trend and the three
    /// threshold differences are resolved; its bootstrap with `replicates` replicates.
    static func study(replicates: Int = 1000) throws -> Study {
        var config = StudyConfig()
        config.analysis.replicates = replicates
        config.sequential = SequentialSeeds(values: config.seeds, start: 3, step: 3, max: 40, until: [.thresholdTrend, .thresholdPairs])
        return try Study(config)
    }

    /// The true curve of each series (MLP 32, 64, 128) under the null: one curve for all three.
    static let nullTruths = [truth, truth, truth]

    /// A simulated run of `spec` in the batch study `batch` of simulated study `index`, its series'
    /// true curve taken from `truths` (indexed by series): the same numbers whatever batch the seed
    /// falls in, and the same noise whatever the curves.
    static func simulatedRun(_ spec: RunSpec, in batch: Study, study index: Int, truths: [SigmoidParameters] = nullTruths) -> RunResult {
        var seedStream = Xoshiro256StarStar(seed: UInt64(index), purpose: "sequential-null seed \(spec.seed)")
        let offset = 0.01 * seedStream.nextStandardNormal()
        let position = batch.config.fractions.firstIndex(of: spec.fraction)!
        var runStream = Xoshiro256StarStar(seed: UInt64(index), purpose: "sequential-null seed \(spec.seed) series \(spec.series) at \(position)")
        let exact = truths[spec.series].value(at: spec.fraction) + offset + spread[position] * runStream.nextStandardNormal()
        let accuracy = (min(max(exact, 0), 1) * 150).rounded() / 150
        return madeUpRun(spec, in: batch, metrics: runMetrics(test: accuracy, train: 0.95, trainClean: 0.95, loss: 0.2))
    }

    /// Simulated study `index`, its series' true curves `truths`, run to its stop by `runSequentialStudy`.
    static func run(_ index: Int, study: Study, threads: Int, truths: [SigmoidParameters] = nullTruths) throws -> SequentialStudyRun {
        try runSequentialStudy(study, threads: threads, trainBatch: { batch in
            let results = batch.runSpecs.map { simulatedRun($0, in: batch, study: index, truths: truths) }
            return StudyRuns(indices: Array(batch.runSpecs.indices), results: results, runSeconds: results.map { _ in 0 })
        }, progress: { _ in })
    }

    /// Simulated study `index` run to its stop: the comparisons it resolved (all falsely), each with the
    /// seeds of the look that resolved it, those undetermined at a look (`SignDecision`), and the seeds it ran.
    static func simulate(_ index: Int, study: Study, threads: Int) throws -> (resolved: [String], undetermined: [String], seeds: Int) {
        let record = try #require(try run(index, study: study, threads: threads).results.sequential)
        return (record.looks.flatMap { look in look.resolved.map { "\($0) at \(look.seeds) seeds" } },
                record.looks.flatMap { look in look.undetermined.map { "\($0) at \(look.seeds) seeds" } }, record.seeds)
    }

    /// The first simulated studies, as the full simulation ran them: none resolves a comparison, so
    /// each runs all its looks to 40 seeds. (A reduced run of the simulation below; its outcomes are
    /// exact, so any change to the analysis that moves them shows here.)
    @Test func theFirstSimulatedNullStudiesRunTheirBudgetWithoutAFalseResolution() throws {
        let study = try Self.study()
        for index in 0..<2 {
            let outcome = try Self.simulate(index, study: study, threads: 2)
            #expect(outcome.resolved.isEmpty && outcome.seeds == 40, "study \(index): \(outcome)")
        }
    }

    /// Simulated null study 148: at its second look (36 seeds) the threshold trend and MLP 128 - MLP 32
    /// are undetermined at 1,000 replicates (the trend's 99.36% interval reaches +0.06 pp per doubling,
    /// within two of that end's Monte Carlo errors of 0.075 pp). The look is analysed again with more
    /// replicates (`escalatingReplicates`): at 8,000 neither is undetermined any more, both read not
    /// resolved, and the study goes on; both resolve (falsely) at the third look (39 seeds), as the full
    /// simulation (undetermined counted as not resolved) found. With the antithetic layout for more than 3
    /// seeds, the third look is analysed again at 2,000 and the last one needed 8,000 replicates.
    @Test func anUndeterminedComparisonKeepsTheAdaptiveStudyGoing() throws {
        let study = try Self.study()
        let record = try #require(try Self.run(148, study: study, threads: 2).results.sequential)
        let trend = "threshold-trend (random label flip, no defense)", pair = "threshold-pairs (MLP 128 - MLP 32)"
        #expect(record.looks.map(\.seeds) == [33, 36, 39, 40])
        #expect(record.looks[1].resolved.isEmpty && record.looks[1].undetermined.isEmpty, "\(record.looks)")
        #expect(record.looks.map(\.replicates) == [1000, 8000, 2000, 8000])
        #expect(record.looks[2].resolved == [trend, pair])
        let look = try sequentialLookStudy(study, seeds: 36)
        let results = StudyResults(study: look, runs: look.runSpecs.map { Self.simulatedRun($0, in: look, study: 148) },
                                   toolVersion: "test", threads: 2, confidence: record.looks[1].confidence)
        let trendInterval = try #require(results.statistics.trends[0].slope.interval)
        let upper = try #require(trendInterval.upper), error = try #require(trendInterval.monteCarloError?.upper)
        #expect(results.statistics.trends[0].decision == .undetermined && upper > 0 && upper <= 2 * error)
    }

    /// An adaptive study's results.json whose last look was analysed again with more replicates than
    /// the study's 1,000 (simulated null study 148: its last look, 40 seeds, needed 8,000, which the ray
    /// bootstrap rounds up to whole blocks) reads back: `validate`'s and `compare`'s reader rebuild the analysis
    /// with the replicates the record gives for the last look. It used to rebuild with the study's
    /// 1,000 and refuse the file as not the analysis of its runs.
    @Test func aResultsFileWhoseLastLookWasAnalysedAgainReadsBack() throws {
        let results = try Self.run(148, study: try Self.study(), threads: 2).results
        let record = try #require(results.sequential)
        #expect(record.looks.last?.replicates == 8000 && results.config.analysis.replicates == 1000)
        #expect(results.statistics.replicates > 1000)
        let data = try results.jsonData()
        let read = try StudyResults.read(data)
        #expect(try read.jsonData() == data)
        let comparable = try ComparableStudy(json: data)
        #expect(comparable.seeds.count == 40)
    }

    /// `clopperPearson` gives SciPy's beta-quantile interval (`scripts/clopper_pearson_reference.py`,
    /// output in `scripts/clopper_pearson_reference.out`), for shares near 0, 1/2 and 1 of 1,000.
    @Test(arguments: [(21, 1000, 0.013045192290387683, 0.0319223351804155), (8, 1000, 0.003459976165329311, 0.015702049176074682),
                      (998, 1000, 0.9927941610885425, 0.9997576988831227), (1000, 1000, 0.9963179161031344, 1.0),
                      (500, 1000, 0.46854917297179194, 0.531450827028208), (0, 1000, 0.0, 0.003682083896865671)])
    func clopperPearsonMatchesSciPy(successes: Int, trials: Int, lower: Double, upper: Double) {
        let (low, high) = clopperPearson(successes, of: trials)
        #expect(abs(low - lower) < 1e-9 && abs(high - upper) < 1e-9, "\(successes) of \(trials): \(low) to \(high)")
    }

    /// Run with SEQUENTIAL_NULL_STUDIES=N (and SEQUENTIAL_NULL_FIRST=K to start at study K, for runs
    /// split in parts; SEQUENTIAL_NULL_LIST=i,j,... for those studies instead; SEQUENTIAL_NULL_REPLICATES
    /// for another bootstrap size than 1,000): prints each study and what it resolved, and the share of
    /// the studies that resolve some comparison, with its 95% Clopper-Pearson interval (the analysis
    /// README records the measured rate); with at least 1,000 studies, asserts that share is at most 5.5%.
    @Test func theFamilyFalseResolutionRateIsMeasured() throws {
        let environment = ProcessInfo.processInfo.environment
        let listed = environment["SEQUENTIAL_NULL_LIST"].map { $0.split(separator: ",").compactMap { Int($0) } }
        guard let indices = listed ?? Int(environment["SEQUENTIAL_NULL_STUDIES"] ?? "").map({ studies in
            let first = Int(environment["SEQUENTIAL_NULL_FIRST"] ?? "") ?? 0
            return Array(first..<(first + studies))
        }) else { return }
        let study = try Self.study(replicates: Int(environment["SEQUENTIAL_NULL_REPLICATES"] ?? "") ?? 1000)
        // onEach hears how many studies are done, not which: each outcome carries its study's index.
        let simulated = parallelMap(count: indices.count, threads: ProcessInfo.processInfo.activeProcessorCount, { position in
            let index = indices[position]
            return (try? Self.simulate(index, study: study, threads: 1)).map { (index, $0.resolved, $0.undetermined) } ?? (index, ["failed"], [])
        }, onEach: { _, outcome in
            print("study \(outcome.0): \(outcome.1.isEmpty ? "none" : outcome.1.joined(separator: ", "))"
                + (outcome.2.isEmpty ? "" : "; undetermined: " + outcome.2.joined(separator: ", ")))
        })
        let outcomes = simulated.map(\.1)
        let falselyResolved = outcomes.filter { !$0.isEmpty }.count
        #expect(!outcomes.contains(["failed"]))
        let (low, high) = clopperPearson(falselyResolved, of: indices.count)
        print(String(format: "%d of %d studies resolve some comparison falsely (%.2f%%, 95%% interval %.2f%% to %.2f%%) at %d replicates",
                     falselyResolved, indices.count, 100 * Double(falselyResolved) / Double(indices.count), 100 * low, 100 * high,
                     study.config.analysis.replicates))
        if indices.count >= 1000 {
            #expect(Double(falselyResolved) / Double(indices.count) <= 0.055, "the 5.5% target")
        }
    }
}

/// The 95% Clopper-Pearson interval of a binomial share of `successes` in `trials`, by bisection on
/// the binomial tails (`SequentialFamilyNullTests.clopperPearsonMatchesSciPy` checks it).
func clopperPearson(_ successes: Int, of trials: Int) -> (Double, Double) {
    /// P(X <= k) for X ~ Binomial(n, p), summed term by term, each term
    /// exp(ln C(n, i) + i ln p + (n - i) ln(1 - p)) with ln C(n, i) from lgamma: (1 - p)^n alone would
    /// underflow to zero for shares near 1 with a thousand trials.
    func cdf(_ k: Int, _ p: Double) -> Double {
        let n = Double(trials)
        var total = 0.0
        for count in 0...max(k, 0) {
            let i = Double(count)
            let logChoose = lgamma(n + 1) - lgamma(i + 1) - lgamma(n - i + 1)
            total += exp(logChoose + i * log(p) + (n - i) * log(1 - p))
        }
        return total
    }
    /// The p in (0, 1) where `f` (decreasing in p) crosses `target`.
    func solve(_ f: (Double) -> Double, _ target: Double) -> Double {
        var low = 0.0, high = 1.0
        for _ in 0..<100 {
            let middle = (low + high) / 2
            if f(middle) > target { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }
    let lower = successes == 0 ? 0 : solve({ cdf(successes - 1, $0) }, 0.975)
    let upper = successes == trials ? 1 : solve({ cdf(successes, $0) }, 0.025)
    return (lower, upper)
}
