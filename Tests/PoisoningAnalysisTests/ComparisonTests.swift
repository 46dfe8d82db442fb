import Foundation
import Testing
import PoisoningEngine
import TestSupport
@testable import PoisoningAnalysis

/// `compare` on identical, shifted and published-format studies.
struct ComparisonTests {
    static let fractions = (0...8).map { Double($0) * 0.0625 }

    /// A study of MLPs 16 and 32 over 4 seeds whose accuracy follows a sigmoid plus a seed noise of
    /// 0.01 that varies with the fraction, shifted by `shift`; as results.json bytes.
    static func resultsJSON(shift: Double = 0, widths: [Int] = [16, 32], fractions: [Double] = fractions, seeds: [UInt64] = [1, 2, 3, 4],
                            epochs: Int = 5) throws -> Data {
        let study = widthStudy(widths, fractions: fractions, seeds: seeds, epochs: epochs)
        let curve = SigmoidParameters(amplitude: 0.7, steepness: 12, midpoint: 0.25, floor: 0.2)
        let runs = study.runSpecs.map { spec in
            let i = fractions.firstIndex(of: spec.fraction)!
            let noise = 0.01 * [1.0, -1.0, 0.5, -0.5][(Int(spec.seed) + i + spec.series) % 4]
            let test = curve.value(at: spec.fraction) + noise + shift
            return madeUpRun(spec, in: study, metrics: runMetrics(test: test, train: 0.95, trainClean: 0.95, loss: 0.2))
        }
        return try StudyResults(study: study, runs: runs, toolVersion: "test").jsonData()
    }

    @Test func identicalStudiesAgreeEverywhere() throws {
        let study = try ComparableStudy(json: Self.resultsJSON())
        let comparison = compareStudies(study, study, confidence: 0.95, replicates: 300)
        #expect(comparison.unmatched.isEmpty && comparison.commonSeries == ["MLP 16", "MLP 32"])
        #expect(comparison.points.count == 2 * 9 * 3)
        #expect(comparison.points.allSatisfy { !$0.exceedsSeedNoise && $0.difference.value == 0 && $0.p == 1 })
        let agreement = try #require(comparison.agreement)
        #expect(agreement.p == 1 && agreement.statistic == 0 && agreement.degreesOfFreedom == 36)
        #expect(comparison.fits.allSatisfy { !$0.resolved })
    }

    @Test func aShiftOfFiveSeedSpreadsIsDetected() throws {
        let comparison = compareStudies(try ComparableStudy(json: Self.resultsJSON()),
                                        try ComparableStudy(json: Self.resultsJSON(shift: -0.05)), confidence: 0.95, replicates: 300)
        let accuracy = comparison.points.filter { $0.metric == MetricKey.testAccuracy }
        #expect(accuracy.allSatisfy { $0.exceedsSeedNoise && abs($0.difference.value! + 0.05) < 1e-12 })
        #expect(try #require(comparison.agreement).p < 1e-6)
        let clean = comparison.fits.filter { $0.quantity == "cleanAccuracy" }
        #expect(clean.count == 2 && clean.allSatisfy(\.resolved))
    }

    /// Each study alone is analysed as its own report analyses it: its intervals are the report's,
    /// exactly, whatever compare's --bootstrap-seed (which moves only the fitted differences' bootstrap
    /// draws); the clean accuracy's difference is Welch's interval: with the same seed noise on both
    /// sides (sd 0.0091287 over 4 seeds) and a shift of -0.05, -0.05 ± t_{0.975, 6} · 0.0091287 · √(1/2),
    /// t_{0.975, 6} = 2.4469118511449692 (SciPy).
    @Test func eachStudyAloneHasItsReportsIntervals() throws {
        let data = try Self.resultsJSON()
        let report = try StudyResults.read(data).statistics.series
        let first = try ComparableStudy(json: data), second = try ComparableStudy(json: Self.resultsJSON(shift: -0.05))
        for bootstrapSeed: UInt64 in [0, 7] {
            let comparison = compareStudies(first, second, confidence: 0.95, replicates: 300, bootstrapSeed: bootstrapSeed)
            for (index, label) in ["MLP 16", "MLP 32"].enumerated() {
                let fits = Dictionary(uniqueKeysWithValues: comparison.fits.filter { $0.series == label }.map { ($0.quantity, $0) })
                #expect(fits["threshold"]?.first == report[index].threshold)
                #expect(fits["steepness"]?.first == report[index].steepness)
                #expect(fits["midpoint"]?.first == report[index].midpoint)
                #expect(fits["cleanAccuracy"]?.first == report[index].cleanAccuracy)
                #expect(report[index].threshold.interval != nil)
                let clean = try #require(fits["cleanAccuracy"]?.difference.interval)
                let half = 2.4469118511449692 * (2.5e-4 / 3).squareRoot() * 0.5.squareRoot()
                let (lower, upper) = (try #require(clean.lower), try #require(clean.upper))
                #expect(abs(lower - (-0.05 - half)) < 1e-9 && abs(upper - (-0.05 + half)) < 1e-9, "\(clean)")
            }
        }
    }

    @Test func mismatchedAxesAreComparedOnTheirCommonPointsAndListed() throws {
        let comparison = compareStudies(try ComparableStudy(json: Self.resultsJSON()),
                                        try ComparableStudy(json: Self.resultsJSON(widths: [32, 64], fractions: Array(Self.fractions.prefix(7)))),
                                        confidence: 0.95, replicates: 300)
        #expect(comparison.commonSeries == ["MLP 32"] && comparison.commonFractions == Array(Self.fractions.prefix(7)))
        #expect(comparison.unmatched == ["series MLP 16 (only in the first)", "fraction 43.8% (only in the first)",
                                         "fraction 50.0% (only in the first)", "series MLP 64 (only in the second)"])
        #expect(comparison.points.count == 7 * 3)
    }

    @Test func thePublishedFormatIsRead() throws {
        let url = try #require(Bundle.module.url(forResource: "published-format-example", withExtension: "json", subdirectory: "Fixtures"))
        let published = try ComparableStudy(json: Data(contentsOf: url))
        #expect(published.format == "published")
        #expect(published.seriesLabels == ["MLP 16", "MLP 32"] && published.fractions == [0, 0.3] && published.seeds == [1, 2])
        #expect(published.testCount == 150 && published.classCount == 5 && published.runs.count == 8)
        let last = try #require(published.runs.last)
        #expect(last.series == 1 && last.fraction == 0.3 && last.seed == 2)
        #expect(last.metrics?[MetricKey.testAccuracy] == 0.6066666666666667)
        #expect(last.metrics?[MetricKey.generalizationGap] == 0.179047619047619)
        #expect(last.metrics?[MetricKey.trainCleanAccuracy] == 0.7357142857142857)
        // Against itself: no difference anywhere.
        let comparison = compareStudies(published, published, confidence: 0.95, replicates: 200)
        #expect(comparison.points.count == 2 * 2 * 3 && comparison.agreement?.p == 1)
    }

    @Test func otherJSONIsRefusedWithTheReason() {
        #expect(throws: ComparisonInputError.self) { try ComparableStudy(json: Data(#"{"config": {}}"#.utf8)) }
        do {
            _ = try ComparableStudy(json: Data(#"{"config": {"n_samples": 5}, "runs": []}"#.utf8))
        } catch let error as ComparisonInputError {
            #expect(error.reason.contains("config: missing field 'n_classes'"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    /// The reason `ComparableStudy` refuses `text`, or "accepted".
    func refusal(_ text: String) -> String {
        do {
            _ = try ComparableStudy(json: Data(text.utf8))
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    @Test func impossibleValuesAreRefusedByTheStudyFilesOwnRules() throws {
        let url = try #require(Bundle.module.url(forResource: "published-format-example", withExtension: "json", subdirectory: "Fixtures"))
        let published = try String(contentsOf: url, encoding: .utf8)
        /// The fixture with its first occurrence of `old` replaced by `new`.
        func edited(_ old: String, _ new: String) -> String {
            published.replacingOccurrences(of: old, with: new, range: published.range(of: old))
        }
        #expect(refusal(published) == "accepted")
        let prefix = "in the published study's format, but "
        #expect(refusal(edited(#""test_accuracy": 0.88"#, #""test_accuracy": 5.0"#))
            == prefix + "runs[0].test_accuracy is 5.0, outside its valid range [0, 1]")
        #expect(refusal(edited(#""test_accuracy": 0.88"#, #""test_accuracy": -1e308"#))
            == prefix + "runs[0].test_accuracy is -1e+308, outside its valid range [0, 1]")
        #expect(refusal(edited(#""final_loss": 0.1"#, #""final_loss": -1"#)) == prefix + "runs[0].final_loss is -1.0, outside its valid range [0, 1e+100]")
        // A loss whose square overflows (the bound was Double's largest value: a standard deviation became inf).
        #expect(refusal(edited(#""final_loss": 0.1"#, #""final_loss": 1e300"#))
            == prefix + "runs[0].final_loss is 1e+300, outside its valid range [0, 1e+100]")
        #expect(refusal(edited(#""n_classes": 5"#, #""n_classes": 0"#)) == prefix + "config.n_classes: must lie in [2, 10000]")
        #expect(refusal(edited(#""n_samples": 500"#, #""n_samples": -10"#)) == prefix + "config.n_samples: must lie in [2, 10000000]")
        #expect(refusal(edited(#""train_fraction": 0.7"#, #""train_fraction": 1.0"#))
            == prefix + "config.train_fraction: must leave at least one training and one test sample")
        #expect(refusal(edited("0.3\n", "1.5\n")) == prefix + "config.poison_fractions: 1.5 is above 1, but the published study's "
            + "label flips change existing training rows, so at most all of them (1)")
        #expect(refusal(edited("0.3\n", "10.5\n")) == prefix + "config.poison_fractions: each value must lie in [0.0, 10.0]")
        #expect(refusal(edited("16,\n", "0,\n")) == prefix + "config.hidden_widths: each width must lie in [1, 65536]")
        #expect(refusal(edited(#""hidden_width": 16"#, #""hidden_width": 32"#))
            == prefix + "runs[2] repeats the poison_fraction, hidden_width and seed of an earlier run")
        #expect(refusal(edited(#""poison_fraction": 0.0"#, #""poison_fraction": 0.1"#))
            == prefix + "runs[0].poison_fraction is 0.1, which config.poison_fractions does not list")
        let noRuns = String(published[..<published.range(of: #""runs""#)!.lowerBound]) + #""runs": []}"#
        #expect(refusal(noRuns) == prefix + "it has no runs")
        #expect(refusal(edited(#""test_accuracy": 0.88"#, #""test_accuracy": NaN"#)).hasPrefix("neither a make-report results.json"))
        // Our own format: a file consistent with its runs, but with accuracies above 1.
        let above = try Self.resultsJSON(shift: 0.5)
        #expect(refusal(String(decoding: above, as: UTF8.self))
            .hasPrefix("a make-report results.json that cannot be used: run 0 is impossible: its testAccuracy is 1."))
    }
}

/// The pooled seed-level shift, its equivalence test and the multiplicity count.
struct PooledShiftTests {
    /// A study of `series` × `fractions` × `seeds` in memory, its test accuracy from `value(series, fraction index, seed)`.
    static func study(series: [String], fractions: [Double], seeds: [UInt64],
                      value: (Int, Int, UInt64) -> Double?) -> ComparableStudy {
        let runs = seeds.flatMap { seed in
            series.indices.flatMap { s in
                fractions.indices.compactMap { f in
                    value(s, f, seed).map {
                        RunResult(fraction: fractions[f], series: s, seed: seed, poisonedCount: 0, realisedFraction: fractions[f],
                                  metrics: [MetricKey.testAccuracy: $0], divergence: nil)
                    }
                }
            }
        }
        return ComparableStudy(seriesLabels: series, fractions: fractions, seeds: seeds, classCount: 5, testCount: 150, runs: runs,
                               format: "simulated")
    }

    /// The fixture of `scripts/compare_reference.py`.
    struct Reference: Decodable {
        struct Run: Decodable { let series: Int, fraction: Double, seed: UInt64, testAccuracy: Double }
        struct Side: Decodable { let seeds: [UInt64], runs: [Run] }
        struct Expected: Decodable {
            let firstSeedAverages: [Double], secondSeedAverages: [Double], shift: Double, degreesOfFreedom: Double, p: Double
            let interval: [Double], equivalenceInterval: [Double], pBelowMargin: Double, pAboveMargin: Double
        }
        let series: [String], fractions: [Double], margin: Double, confidence: Double
        let first: Side, second: Side, expected: Expected

        func study(_ side: Side) -> ComparableStudy {
            let values = Dictionary(uniqueKeysWithValues: side.runs.map { ("\($0.series) \($0.fraction) \($0.seed)", $0.testAccuracy) })
            return PooledShiftTests.study(series: series, fractions: fractions, seeds: side.seeds) { values["\($0) \(fractions[$1]) \($2)"] }
        }
    }

    @Test func pooledShiftMatchesSciPyAndStatsmodels() throws {
        let url = try #require(Bundle.module.url(forResource: "compare-reference", withExtension: "json", subdirectory: "Fixtures"))
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
        let first = reference.study(reference.first), second = reference.study(reference.second)
        let averages = seedAverages(first, reference.series, reference.fractions).averages
        let secondAverages = seedAverages(second, reference.series, reference.fractions)
        let expected = reference.expected
        #expect(zip(averages, expected.firstSeedAverages).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(secondAverages.leftOut == 1 && zip(secondAverages.averages, expected.secondSeedAverages).allSatisfy { abs($0 - $1) < 1e-12 })
        let shifts = pooledShifts(first, second, series: reference.series, fractions: reference.fractions,
                                  confidence: reference.confidence, margin: reference.margin)
        #expect(shifts.map(\.series) == [nil, "MLP 16", "MLP 32"])
        let pooled = shifts[0]
        let test = try #require(pooled.equivalence)
        let interval = try #require(pooled.shift.interval)
        let close = { (a: Double?, b: Double) in a.map { abs($0 - b) < 1e-9 } == true }
        #expect(pooled.points == 6 && pooled.firstSeeds == 3 && pooled.secondSeeds == 4 && pooled.seedsLeftOut == [0, 1])
        #expect(close(pooled.shift.value, expected.shift) && close(pooled.degreesOfFreedom, expected.degreesOfFreedom)
            && close(pooled.p, expected.p))
        #expect(close(interval.lower, expected.interval[0]) && close(interval.upper, expected.interval[1]))
        #expect(close(test.interval.lower, expected.equivalenceInterval[0]) && close(test.interval.upper, expected.equivalenceInterval[1]))
        #expect(close(test.pBelowMargin, expected.pBelowMargin) && close(test.pAboveMargin, expected.pAboveMargin))
        // +1.1 pp [-2.6, +4.8]: no shift resolved, and the 90% interval reaches +3.7 pp, past the margin.
        #expect(test.verdict == .undecided && abs(test.alpha - 0.05) < 1e-15 && test.margin == 0.02)
    }

    @Test func verdictsFollowTheIntervalsAndTheMargin() {
        let m = 0.02
        /// The verdict of a shift whose 95% interval is (a, b) and 90% interval (c, d).
        func verdict(_ a: Double, _ b: Double, _ c: Double, _ d: Double) -> EquivalenceVerdict {
            EquivalenceVerdict(interval: Interval(lower: a, upper: b), equivalenceInterval: Interval(lower: c, upper: d), margin: m)
        }
        #expect(verdict(-0.012, 0.015, -0.01, 0.012) == .equivalent)
        #expect(verdict(0.002, 0.019, 0.004, 0.017) == .differentButEquivalent)
        #expect(verdict(0.019, 0.05, 0.021, 0.045) == .differentBeyondMargin)
        #expect(verdict(-0.05, -0.021, -0.045, -0.0205) == .differentBeyondMargin)
        #expect(verdict(0.01, 0.04, 0.012, 0.035) == .differentNotShownEquivalent)
        #expect(verdict(-0.03, 0.03, -0.025, 0.025) == .undecided)
        // An end exactly on the margin is not inside it.
        #expect(verdict(-0.025, 0.025, -0.02, 0.01) == .undecided)
    }

    @Test func holmCountsStepDown() {
        #expect(holmRejections([0.5, 0.01, 0.04, 0.001], alpha: 0.05) == 2)
        #expect(holmRejections([0.03, 0.04], alpha: 0.05) == 0)
        #expect(holmRejections([0.02, 0.025], alpha: 0.05) == 2)
        #expect(holmRejections([], alpha: 0.05) == 0)
    }

    /// Simulated pairs of studies from one generator: 3 series × 9 fractions, a per-seed offset of
    /// sd `seedSD` shared by all of the seed's points, run noise of sd 0.005, the second study shifted
    /// by `shift`. The pooled shift of each pair, drawn from a fixed stream.
    static func simulatedShifts(pairs: Int, seeds: Int, seedSD: Double, shift: Double, margin: Double = 0.02,
                                stream: String) -> [PooledShift] {
        var random = Xoshiro256StarStar(seed: 21, purpose: stream)
        let series = ["MLP 32", "MLP 64", "MLP 128"], fractions = ComparisonTests.fractions
        return (0..<pairs).map { _ in
            let sides = [0.0, shift].map { offset in
                let seedOffsets = (0..<seeds).map { _ in seedSD * random.nextStandardNormal() }
                return study(series: series, fractions: fractions, seeds: (1...UInt64(seeds)).map { $0 }) { s, f, seed in
                    0.9 - 0.8 * fractions[f] - 0.01 * Double(s) + seedOffsets[Int(seed) - 1] + offset + 0.005 * random.nextStandardNormal()
                }
            }
            return pooledShifts(sides[0], sides[1], series: series, fractions: fractions, confidence: 0.95, margin: margin)[0]
        }
    }

    /// The share of `shifts` for which `condition` holds.
    static func rate(_ shifts: [PooledShift], _ condition: (PooledShift) -> Bool) -> Double {
        Double(shifts.filter(condition).count) / Double(shifts.count)
    }

    @Test func thePooledIntervalCoversZeroAt95PercentWhenSeedsShareAnOffset() {
        // 2,000 pairs of 3-seed studies with a seed offset (sd 2 pp) four times the run noise: the
        // pooled interval covers the true shift of 0 in at least 95% - 1.5 points (3 binomial
        // standard errors). Welch's interval is conservative with 3 seeds a side (its Satterthwaite
        // degrees of freedom fall below the pooled 4), so up to 98% (96.5% on this stream).
        let shifts = Self.simulatedShifts(pairs: 2000, seeds: 3, seedSD: 0.02, shift: 0, stream: "coverage")
        let coverage = Self.rate(shifts) { $0.shift.interval?.excludes(0) == false }
        #expect(coverage >= 0.935 && coverage <= 0.98, "coverage \(coverage)")
    }

    @Test func equivalenceIsDeclaredAtMostAtAlphaOnTheMarginAndAlmostAlwaysWithinIt() {
        // 2,000 pairs of 10-seed studies (seed offset sd 0.5 pp): at a true shift of exactly +2 pp or
        // -2 pp, TOST declares equivalence within 2 pp in 5% ± 1.5 points (3 binomial standard
        // errors; 5.1% and 5.9% on these streams); at a true shift of 0, in at least 99%, where the
        // 95% interval covers 0 in 95% ± 1.5 points; at 3 pp, never.
        for shift in [0.02, -0.02] {
            let rate = Self.rate(Self.simulatedShifts(pairs: 2000, seeds: 10, seedSD: 0.005, shift: shift, stream: "margin \(shift)")) {
                [.equivalent, .differentButEquivalent].contains($0.equivalence!.verdict)
            }
            #expect(abs(rate - 0.05) <= 0.015, "rate at \(shift): \(rate)")
        }
        let zero = Self.simulatedShifts(pairs: 2000, seeds: 10, seedSD: 0.005, shift: 0, stream: "zero")
        let coverage = Self.rate(zero) { $0.shift.interval?.excludes(0) == false }
        #expect(abs(coverage - 0.95) <= 0.015, "coverage \(coverage)")
        #expect(Self.rate(zero) { $0.equivalence!.verdict == .equivalent } >= 0.94)
        #expect(Self.rate(zero) { [.equivalent, .differentButEquivalent].contains($0.equivalence!.verdict) } >= 0.99)
        let three = Self.simulatedShifts(pairs: 2000, seeds: 10, seedSD: 0.005, shift: 0.03, stream: "three")
        #expect(three.allSatisfy { ![.equivalent, .differentButEquivalent].contains($0.equivalence!.verdict) })
        #expect(Self.rate(three) { $0.equivalence!.verdict == .differentBeyondMargin } >= 0.95)
    }

    /// Point means one unit in the last place apart (0.8933333333333333 and 0.8933333333333332, the
    /// same test rows summed in another order) are a tie, counted by neither side; a difference of
    /// 1e-9 still counts as higher.
    @Test func pointMeansEqualToFloatingPointNoiseAreTies() {
        let base = [0.8933333333333333, 0.7]
        let make = { (nudge: [Double]) in
            Self.study(series: ["MLP 16"], fractions: [0, 0.2], seeds: [1, 2]) { _, f, seed in base[f] + nudge[f] + (seed == 1 ? 0.001 : -0.001) }
        }
        let first = make([0, 0]), ulp = base[0].nextDown - base[0]
        let tied = pooledShifts(first, make([ulp, 0]), series: ["MLP 16"], fractions: [0, 0.2], confidence: 0.95, margin: 0.02)[0]
        #expect(tied.firstHigherPoints == 0 && tied.secondHigherPoints == 0 && tied.points == 2)
        let apart = pooledShifts(first, make([-1e-9, 0]), series: ["MLP 16"], fractions: [0, 0.2], confidence: 0.95, margin: 0.02)[0]
        #expect(apart.firstHigherPoints == 1 && apart.secondHigherPoints == 0)
    }

    @Test func aKnownShiftOfThreePointsIsNotEquivalentWithinTwo() {
        // Every seed of the second study 3 pp higher, seed-level spread 0.1 pp: different by more than 2 pp.
        let offsets: [UInt64: Double] = [1: 0.001, 2: -0.001, 3: 0.0005, 4: -0.0005]
        let make = { (shift: Double) in
            Self.study(series: ["MLP 16"], fractions: [0, 0.2], seeds: [1, 2, 3, 4]) { _, f, seed in 0.9 - 0.3 * Double(f) + offsets[seed]! + shift }
        }
        let pooled = pooledShifts(make(0), make(0.03), series: ["MLP 16"], fractions: [0, 0.2], confidence: 0.95, margin: 0.02)
        #expect(pooled.count == 1 && abs(pooled[0].shift.value! - 0.03) < 1e-12 && pooled[0].secondHigherPoints == 2)
        #expect(pooled[0].equivalence?.verdict == .differentBeyondMargin)
        let wide = pooledShifts(make(0), make(0.03), series: ["MLP 16"], fractions: [0, 0.2], confidence: 0.95, margin: 0.05)
        #expect(wide[0].equivalence?.verdict == .differentButEquivalent)
    }

    /// The bisection finds the scan's count (the reference: every n from 2 up) for spreads from a
    /// hundredth of the margin to beyond what 1,000 seeds can handle, at three levels and two margins,
    /// and for spreads on either side of the one at which a count becomes enough.
    @Test func theSeedsForEquivalenceByBisectionAreTheScans() {
        var random = Xoshiro256StarStar(seed: 5, purpose: "seeds for equivalence")
        var counts = Set<Int?>()
        for alpha in [0.01, 0.05, 0.1] {
            for margin in [0.02, 0.005] {
                for _ in 0..<40 {
                    let spread = margin * pow(10, -2 + 4 * random.nextUnitDouble())   // 0.01 to 100 margins
                    let scanned = seedsForEquivalenceByScan(spread: spread, alpha: alpha, margin: margin)
                    #expect(seedsForEquivalence(spread: spread, alpha: alpha, margin: margin) == scanned, "spread \(spread) at \(alpha)")
                    counts.insert(scanned)
                }
                // At a count n's own limiting spread (where its side equals the margin) and a hair on either side.
                for n in [2, 3, 7, 40, 999, 1000] {
                    let df = Double(2 * n - 2)
                    let limit = margin * Double(n).squareRoot() / (studentTQuantile(1 - alpha, df: df) + studentTQuantile(0.9, df: df))
                    for spread in [limit.nextDown, limit, limit.nextUp, limit * (1 - 1e-9), limit * (1 + 1e-9)] {
                        #expect(seedsForEquivalence(spread: spread, alpha: alpha, margin: margin)
                                == seedsForEquivalenceByScan(spread: spread, alpha: alpha, margin: margin), "n \(n) spread \(spread)")
                    }
                }
            }
        }
        // The draws reach the smallest count, nil, and many between.
        #expect(counts.contains(2) && counts.contains(nil) && counts.count > 50, "\(counts.count) counts")
    }

    @Test func theSeedsForEquivalenceFollowTheirFormula() throws {
        // s1 = s2 = 1 pp, margin 2 pp, alpha 0.05: the smallest n with (t_.95 + t_.9) · sqrt(2) · 0.01 / sqrt(n) <= 0.02
        // on 2n - 2 degrees of freedom: 6 (0.0184; 5 gives 0.0206, by SciPy's t quantiles).
        let n = try #require(seedsForEquivalence(spread: 2.0.squareRoot() * 0.01, alpha: 0.05, margin: 0.02))
        let width = { (n: Int) in
            (studentTQuantile(0.95, df: Double(2 * n - 2)) + studentTQuantile(0.9, df: Double(2 * n - 2))) * 2.0.squareRoot() * 0.01
                / Double(n).squareRoot()
        }
        #expect(n == 6 && width(n) <= 0.02 && width(n - 1) > 0.02)
        #expect(seedsForEquivalence(spread: 2.0.squareRoot(), alpha: 0.05, margin: 0.02) == nil)
        // The range over the spread's χ² interval on n1 + n2 - 2 = 4 degrees of freedom (SciPy:
        // χ²_{.975, 4} = 11.143287, χ²_{.025, 4} = 0.484419): 0.599 to 2.874 times the spread.
        let ends = equivalenceSpreadInterval(spread: 1, degreesOfFreedom: 4, confidence: 0.95)
        #expect(abs(ends.lower - (4 / 11.143286781877794).squareRoot()) < 1e-9 && abs(ends.upper - (4 / 0.4844185570879303).squareRoot()) < 1e-9)
        // The conservative count's spread, the upper end of the 60% interval, is the one-sided upper 80% bound
        // √(ν / χ²_{0.2, ν}) (SciPy: χ²_{0.2, 4} = 1.648776618065969).
        let bound = equivalenceSpreadInterval(spread: 1, degreesOfFreedom: 4, confidence: 0.6).upper
        #expect(abs(bound - (4 / 1.648776618065969).squareRoot()) < 1e-9)
        // A pooled shift leads with it: between the count at the estimated spread and that at the interval's upper end.
        let make = { (offsets: [UInt64: Double]) in
            Self.study(series: ["MLP 16"], fractions: [0, 0.2], seeds: [1, 2, 3]) { _, f, seed in 0.9 - 0.3 * Double(f) + offsets[seed]! }
        }
        let pooled = pooledShifts(make([1: 0.012, 2: -0.012, 3: 0]), make([1: -0.01, 2: 0.014, 3: 0.002]), series: ["MLP 16"],
                                  fractions: [0, 0.2], confidence: 0.95, margin: 0.02)[0]
        let estimated = try #require(pooled.seedsForEquivalence), conservative = try #require(pooled.conservativeSeedsForEquivalence)
        let most = try #require(pooled.mostSeedsForEquivalence)
        #expect(estimated < conservative && conservative < most, "\(estimated), \(conservative), \(most)")
    }

    /// Seeds that agree exactly on both sides: the spread of the seed averages over 2 points is raised
    /// to one test row at one point (1/150/2), so the shift of 0 has an interval of that width and no
    /// p-value is 0; at a single point the floor is one test row; a study compared with itself is flagged.
    @Test func studiesWithoutSpreadAreFlooredAtOneTestRowAndAStudyComparedWithItselfIsFlagged() throws {
        let flat = Self.study(series: ["MLP 16"], fractions: [0, 0.2], seeds: [1, 2, 3]) { _, f, _ in 0.9 - 0.3 * Double(f) }
        let shift = try #require(pooledShifts(flat, flat, series: ["MLP 16"], fractions: [0, 0.2], confidence: 0.95, margin: 0.02).first)
        let interval = try #require(shift.shift.interval)
        // SE = sqrt(2/3) / 300; Welch df = 4: t_.975,4 = 2.776445.
        let halfWidth = 2.7764451051977934 * (2.0 / 3).squareRoot() / 300
        #expect(abs(interval.upper! - halfWidth) < 1e-9 && abs(interval.lower! + halfWidth) < 1e-9)
        #expect(try #require(shift.equivalence).pAboveMargin > 0 && shift.p == 1)
        #expect(compareStudies(flat, flat, confidence: 0.95).identicalRuns)
        let other = Self.study(series: ["MLP 16"], fractions: [0, 0.2], seeds: [1, 2, 3]) { _, f, _ in 0.91 - 0.3 * Double(f) }
        #expect(!compareStudies(flat, other, confidence: 0.95).identicalRuns)
        let point = try #require(compareStudies(flat, other, confidence: 0.95).points.first { $0.metric == MetricKey.testAccuracy })
        #expect(try #require(point.p) > 0, "one test row of spread, not zero")
    }

    /// Two files that share some runs (seeds 3 and 4 of the same study: the same series, fractions,
    /// settings and results) are told apart from files that only look alike: the shared runs are
    /// counted, and runs with other results, or made with other settings (6 epochs instead of 5), are not.
    @Test func runsSharedByBothFilesAreCounted() throws {
        let first = try ComparableStudy(json: ComparisonTests.resultsJSON(seeds: [1, 2, 3, 4]))
        let overlapping = try ComparableStudy(json: ComparisonTests.resultsJSON(seeds: [3, 4, 5, 6]))
        let comparison = compareStudies(first, overlapping, confidence: 0.95, replicates: 200)
        #expect(!comparison.identicalRuns && comparison.sharedRuns == 2 * 9 * 2 && comparison.runCounts == [72, 72])
        #expect(sharedRunCount(overlapping, first) == 36)
        #expect(sharedRunCount(first, try ComparableStudy(json: ComparisonTests.resultsJSON(shift: 0.01, seeds: [3, 4, 5, 6]))) == 0)
        #expect(sharedRunCount(first, try ComparableStudy(json: ComparisonTests.resultsJSON(seeds: [3, 4, 5, 6], epochs: 6))) == 0)
        #expect(sharedRunCount(first, first) == 72)
    }

    /// compare's limit on an end of a difference of k (review r21m m2): 0.75% of the largest |k| that end
    /// stands on, the two estimates and the studies' own ends it is made of, never the difference's end.
    @Test func aDifferenceOfKIsPlacedOnTheLargestKItStandsOn() {
        let first = Estimate(value: 4, interval: Interval(lower: 2.5, upper: 9))
        let second = Estimate(value: 3.5, interval: Interval(lower: 2, upper: 14))
        // Lower end (second's lower 2, first's upper 9, estimates 4 and 3.5): 9. Upper end (14, 2.5, 4, 3.5): 14.
        #expect(differenceKScale(.lower, first: first, second: second) == 9)
        #expect(differenceKScale(.upper, first: first, second: second) == 14)
        // Open ends do not count; an estimate may be the largest.
        let open = Estimate(value: 5, interval: Interval(lower: nil, upper: nil))
        #expect(differenceKScale(.lower, first: open, second: Estimate(value: -6, interval: nil)) == 6)
        #expect(differenceKScale(.upper, first: Estimate(value: nil, interval: nil), second: Estimate(value: nil, interval: nil)) == 0)
        // Placed with it: a difference's lower end near 0 (-0.3, error 0.04 on the pilot) is shown at the
        // lower end's scale 9 (0.04 × 1.48 = 0.059 ≤ 0.0675) and withheld at the difference's own 0.3 (limit 0.00225).
        let difference = Interval(lower: -0.3, upper: 6, monteCarloError: EndErrors(lower: 0.04, upper: 0.02))
        let placed = placingFittedEnds(difference, pilot: difference) { end, _ in
            parameterEndRelativePrecision * differenceKScale(end, first: first, second: second)
        }
        #expect(placed.imprecise == nil)
        let onItsOwnEnd = placingFittedEnds(difference, pilot: difference) { _, end in parameterEndRelativePrecision * abs(end) }
        #expect(onItsOwnEnd.imprecise == [.lower])
        // The upper end at 0.05 × 1.48 = 0.074: above 0.0675 (scale 9), within 0.105 (scale 14).
        let wider = Interval(lower: -0.3, upper: 6, monteCarloError: EndErrors(lower: 0.05, upper: 0.05))
        #expect(placingFittedEnds(wider, pilot: wider) { end, _ in
            parameterEndRelativePrecision * differenceKScale(end, first: first, second: second)
        }.imprecise == [.lower])
    }
}
