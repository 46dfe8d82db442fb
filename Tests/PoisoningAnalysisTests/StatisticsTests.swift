import Foundation
import Testing
import PoisoningEngine
import TestSupport
@testable import PoisoningAnalysis

/// The distributions, intervals and model-comparison formulas against SciPy (values recorded by
/// scripts/reference_statistics.py) and hand computations.
struct DistributionTests {
    /// |a - b| <= tolerance · max(1, |b|).
    func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-12) -> Bool { abs(a - b) <= tolerance * max(1, abs(b)) }

    @Test(arguments: [(1e-10, -6.361340902404056), (0.001, -3.090232306167813), (0.025, -1.9599639845400545),
                      (0.2, -0.8416212335729142), (0.5, 0.0), (0.9, 1.2815515655446004), (0.975, 1.959963984540054),
                      (0.999999, 4.753424308817087)])
    func normalQuantileMatchesSciPy(p: Double, expected: Double) {
        #expect(close(normalQuantile(p), expected, 1e-13))
    }

    @Test func incompleteBetaAndGammaMatchSciPy() {
        #expect(close(regularizedIncompleteBeta(0.3, a: 2, b: 3), 0.34829999999999994))
        #expect(close(regularizedIncompleteBeta(0.9, a: 0.5, b: 0.5), 0.7951672353008665))
        #expect(abs(regularizedIncompleteBeta(0.01, a: 10, b: 1.5) / 3.683280560496163e-20 - 1) < 1e-11)
        #expect(close(regularizedIncompleteBeta(0.7, a: 40, b: 25), 0.9235651838294204))
        #expect(close(regularizedLowerGamma(0.5, 0.2), 0.47291074313446196))
        #expect(close(regularizedLowerGamma(3, 2.5), 0.45618688411667035))
        #expect(close(regularizedLowerGamma(10, 15), 0.9301463393005901))
        #expect(close(regularizedLowerGamma(4.5, 30), 0.999999998659322))
    }

    @Test func studentTMatchesSciPy() {
        #expect(close(studentTCDF(-2, df: 2), 0.09175170953613698))
        #expect(close(studentTCDF(1.3, df: 5), 0.8748496829146615))
        #expect(close(studentTCDF(4.3, df: 2), 0.9749714229414542))
        #expect(close(studentTCDF(0.2, df: 30), 0.5785849214703376))
        #expect(close(studentTQuantile(0.975, df: 2), 4.302652729749462, 1e-11))
        #expect(close(studentTQuantile(0.975, df: 4), 2.7764451051977934, 1e-11))
        #expect(close(studentTQuantile(0.95, df: 9), 1.833112932656237, 1e-11))
        #expect(close(studentTQuantile(0.025, df: 17.5), -2.105232972227985, 1e-11))
    }

    @Test func fAndChiSquareTailsMatchSciPy() {
        #expect(close(fUpperTail(2.5, d1: 5, d2: 18), 0.06910195341777989))
        #expect(close(fUpperTail(0.4, d1: 3, d2: 12), 0.7555447129145094))
        #expect(abs(fUpperTail(11, d1: 6, d2: 18) / 3.4154887057040735e-05 - 1) < 1e-10)
        #expect(close(chiSquareUpperTail(3, df: 4), 0.5578254003710748))
        #expect(close(chiSquareUpperTail(25, df: 12), 0.014822874597441575))
        #expect(close(chiSquareUpperTail(0.5, df: 1), 0.47950012218695337))
    }

    /// `studentTQuantile` and `chiSquareQuantile` share one bisection; their outputs are those of the
    /// two separate bisections they replaced (copied below verbatim), bit for bit.
    @Test func theSharedBisectionGivesTheQuantilesOfTheSeparateOnesBitForBit() {
        func separateT(_ p: Double, df: Double) -> Double {
            if p == 0.5 { return 0 }
            var (low, high) = (-1.0, 1.0)
            while studentTCDF(low, df: df) > p { low *= 2 }
            while studentTCDF(high, df: df) < p { high *= 2 }
            for _ in 0..<200 {
                let middle = (low + high) / 2
                if studentTCDF(middle, df: df) < p { low = middle } else { high = middle }
                if high - low <= 1e-14 * max(1, abs(middle)) { break }
            }
            return (low + high) / 2
        }
        func separateChiSquare(_ p: Double, df: Double) -> Double {
            var (low, high) = (0.0, max(1.0, df))
            while 1 - chiSquareUpperTail(high, df: df) < p { high *= 2 }
            for _ in 0..<200 {
                let middle = (low + high) / 2
                if 1 - chiSquareUpperTail(middle, df: df) < p { low = middle } else { high = middle }
                if high - low <= 1e-14 * max(1e-300, middle) { break }
            }
            return (low + high) / 2
        }
        let levels = [1e-9, 1e-4, 0.001, 0.0125, 0.025, 0.1, 0.3, 0.5, 0.7, 0.9, 0.975, 0.9875, 0.999, 0.9999, 1 - 1e-9]
        for df in [0.5, 1, 2, 2.5, 3, 5, 9, 17.5, 39, 120, 1000] {
            for p in levels {
                #expect(studentTQuantile(p, df: df).bitPattern == separateT(p, df: df).bitPattern, "t: p \(p), df \(df)")
                #expect(chiSquareQuantile(p, df: df).bitPattern == separateChiSquare(p, df: df).bitPattern, "χ²: p \(p), df \(df)")
            }
        }
    }
}

struct IntervalTests {
    @Test(arguments: [(134, 150, 0.8337537774158531, 0.9332696303479265), (75, 150, 0.42099012028854144, 0.5790098797114586),
                      (150, 150, 0.9750297556319234, 1.0), (3, 350, 0.00291925658987322, 0.024893930857110468)])
    func wilsonMatchesSciPy(successes: Int, trials: Int, lower: Double, upper: Double) {
        let interval = wilsonInterval(proportion: Double(successes) / Double(trials), trials: trials, confidence: 0.95)
        #expect(abs(interval.lower! - lower) < 1e-12 && abs(interval.upper! - upper) < 1e-12)
    }

    @Test func percentileIntervalInterpolatesLikeNumPyAndKeepsInfiniteEndsOpen() throws {
        let values = (0...100).map(Double.init)   // quantiles at 2.5% and 97.5% are 2.5 and 97.5
        let interval = percentileInterval(values, confidence: 0.95)
        #expect(abs(interval!.lower! - 2.5) < 1e-12 && abs(interval!.upper! - 97.5) < 1e-12)
        let reaching = (0..<90).map(Double.init) + Array(repeating: .infinity, count: 10)
        let open = percentileInterval(reaching, confidence: 0.95)
        #expect(abs(open!.lower! - 2.475) < 1e-12 && open!.upper == nil)
        // Undefined in 2% of replicates: still bounded; in 3% (> α/2): no interval.
        let fewUndefined = (0..<98).map(Double.init) + [.nan, .nan]
        #expect(percentileInterval(fewUndefined, confidence: 0.95) != nil)
        let manyUndefined = (0..<97).map(Double.init) + [.nan, .nan, .nan]
        #expect(percentileInterval(manyUndefined, confidence: 0.95) == nil)
        // Wholly at -∞ (a threshold not reached in every replicate of the subtracted series): still excludes zero.
        let belowEverything = try #require(percentileInterval(Array(repeating: -.infinity, count: 100), confidence: 0.95))
        #expect(belowEverything == Interval(lower: nil, upper: -.greatestFiniteMagnitude) && belowEverything.excludes(0))
    }

    @Test func intervalEndsBeyondTheRangeReadOrMoreAndAtMost() {
        #expect(intervalText(Interval(lower: 0.336, upper: nil), percent) == "33.6% or more")
        #expect(intervalText(Interval(lower: nil, upper: 0.016), percentagePoints) == "at most +1.6 pp")
        #expect(intervalText(Interval(lower: 0.25, upper: 0.5), percent, separator: ", ") == "25.0%, 50.0%")
        #expect(intervalText(nil, percent) == "none")
    }

    /// An undetermined end is named after the determined one, in every separator's context.
    @Test func anUndeterminedEndIsNamedAfterTheOther() {
        let upperUnknown = Interval(lower: -0.031, upper: nil, undetermined: [.upper])
        #expect(intervalText(upperUnknown, percentagePoints) == "from -3.1 pp; its upper end undetermined")
        #expect(intervalText(upperUnknown, percentagePoints, separator: ", ") == "from -3.1 pp; its upper end undetermined")
        let lowerUnknown = Interval(lower: nil, upper: 0.007, undetermined: [.lower])
        #expect(intervalText(lowerUnknown, percentagePoints) == "up to +0.7 pp; its lower end undetermined")
        #expect(intervalText(Interval(lower: nil, upper: nil, undetermined: [.lower]), percent)
                == "unbounded above; its lower end undetermined")
        #expect(intervalText(Interval(lower: nil, upper: nil, undetermined: [.upper]), percent)
                == "unbounded below; its upper end undetermined")
        #expect(intervalText(Interval(lower: nil, upper: nil, undetermined: [.lower, .upper]), percent) == "undetermined")
    }

    /// An end withheld as imprecise (`Interval.imprecise`) keeps its value in the interval but reads
    /// "withheld", named after the other end as an undetermined one is; a bounded parameter's end at the
    /// fit's bound reads in `openWords` beside it.
    @Test func aWithheldEndReadsWithheldAndHidesItsValue() {
        let withheld = Interval(lower: 0.42, upper: 1.31, imprecise: [.lower])
        #expect(intervalText(withheld, percent) == "up to 131.0%; its lower end withheld")
        #expect(intervalText(Interval(lower: 0.42, upper: 1.31, imprecise: [.lower, .upper]), percent) == "withheld")
        #expect(intervalText(Interval(lower: 0.42, upper: nil, undetermined: [.upper], imprecise: [.lower]), percent)
                == "its lower end withheld, its upper end undetermined")
        #expect(intervalText(Interval(lower: nil, upper: 0.3, imprecise: [.upper]), percent,
                             openWords: (lower: "down to the fit's bound", upper: "up to the fit's bound"))
                == "down to the fit's bound; its upper end withheld")
        #expect(withheld.shownLower == nil && withheld.shownUpper == 1.31 && withheld.lower == 0.42)
        // Negating swaps the withheld end, as it swaps the values.
        #expect(Estimate(value: 0.8, interval: withheld).negated.interval == Interval(lower: -1.31, upper: -0.42, imprecise: [.upper]))
    }

    @Test func boundsReadAsInequalitiesAndDropAnIntervalThatAddsNothing() {
        let beyond = Estimate(value: 0.5, interval: Interval(lower: 0.5, upper: nil), bound: .lower)
        #expect(estimateText(beyond, percent) == "> 50.0%" && informativeIntervalText(beyond, percent) == nil)
        let reaching = Estimate(value: 0.5, interval: Interval(lower: 0.412, upper: nil), bound: .lower)
        #expect(informativeIntervalText(reaching, percent) == "41.2% or more")
        #expect(estimateText(Estimate(value: -0.2, interval: nil, bound: .upper), percentagePoints) == "< -20.0 pp")
        #expect(estimateText(Estimate(value: 0.3, interval: nil), percent) == "30.0%")
        #expect(estimateText(Estimate(value: nil, interval: nil), percent) == "n/a")
    }

    @Test func aBoundResolvesOnlyTheSignItAllows() {
        #expect(Estimate(value: 0.02, interval: Interval(lower: 0.01, upper: nil), bound: .lower).signResolved)
        #expect(!Estimate(value: 0.02, interval: Interval(lower: -0.01, upper: nil), bound: .lower).signResolved)
        // An interval below zero never resolves a lower bound as negative.
        #expect(!Estimate(value: 0.02, interval: Interval(lower: -0.3, upper: -0.1), bound: .lower).signResolved)
        #expect(Estimate(value: -0.02, interval: Interval(lower: nil, upper: -0.01), bound: .upper).signResolved)
        #expect(!Estimate(value: -0.02, interval: Interval(lower: 0.1, upper: 0.3), bound: .upper).signResolved)
        #expect(Estimate(value: 0.02, interval: Interval(lower: 0.01, upper: 0.03)).signResolved)
        #expect(!Estimate(value: 0.02, interval: nil, bound: .lower).signResolved)
        let negated = Estimate(value: 0.2, interval: Interval(lower: 0.1, upper: nil), bound: .lower).negated
        #expect(negated == Estimate(value: -0.2, interval: Interval(lower: nil, upper: -0.1), bound: .upper) && negated.signResolved)
    }

    @Test func intervalsExcludeValuesOnlyWhenWhollyOnOneSide() {
        #expect(Interval(lower: 0.01, upper: 0.2).excludes(0))
        #expect(Interval(lower: -0.2, upper: -0.01).excludes(0))
        #expect(!Interval(lower: -0.01, upper: 0.2).excludes(0))
        #expect(Interval(lower: 0.05, upper: nil).excludes(0))
        #expect(!Interval(lower: nil, upper: 0.3).excludes(0))
    }

    /// The sample size of a paired comparison with per-seed σ: the smallest n with
    /// (t_{.975,n-1} + t_{.8,n-1}) σ / √n <= δ (SciPy, scripts/reference_statistics.py), which for
    /// large n approaches the closed form ((z_{.975} + z_{.8}) σ / δ)².
    @Test func seedPlanningFollowsTheTBasedSampleSize() {
        let cases: [(d: Double, sigma: Double, expected: Int, normal: Double)] = [
            (0.03, 0.05, 24, 21.802443706525253), (0.035, 0.022, 6, 3.1011084011632306), (0.01, 0.05, 199, 196.22199335872722),
        ]
        for (d, sigma, expected, normal) in cases {
            let needed = seedsNeeded(effect: d, sigma: sigma, confidence: 0.95, power: 0.8, limit: 10_000)
            #expect(needed == expected)
            // The closed form, computed here from the normal quantiles.
            let z = normalQuantile(0.975) + normalQuantile(0.8)
            #expect(abs(pow(z * sigma / d, 2) - normal) < 1e-6)
            #expect(Double(needed!) >= normal && Double(needed!) <= normal + 4)
        }
        #expect(seedsNeeded(effect: 0.01, sigma: 0.05, confidence: 0.95, power: 0.8, limit: 198) == nil)
        #expect(seedsNeeded(effect: 0.02, sigma: 0, confidence: 0.95, power: 0.8, limit: 200) == 2)
    }

    /// σ of a paired difference of means: the standard deviation of the per-seed differences where
    /// both runs finished (0.1, 0.05, 0: σ = 0.05 on 2 degrees of freedom), at least one test row.
    @Test func thePairedSpreadIsTheSpreadOfPerSeedDifferences() throws {
        let spread = try #require(pairedSpread([0.8, 0.9, nil, 0.7], [0.7, 0.85, 0.6, 0.7], resolution: 0.001))
        #expect(abs(spread.sigma - 0.05) < 1e-12 && spread.degrees == 2)
        #expect(pairedSpread([0.8, 0.9], [0.7, 0.8], resolution: 0.001)?.sigma == 0.001)
        #expect(pairedSpread([0.8, nil], [0.7, 0.8], resolution: 0.001) == nil)
    }

    /// χ² quantiles against SciPy's `chi2.ppf`.
    @Test func chiSquareQuantilesMatchSciPy() {
        let cases: [(p: Double, df: Double, expected: Double)] = [
            (0.025, 2, 0.05063561596857975), (0.975, 2, 7.377758908227871), (0.025, 9, 2.7003894999803584), (0.975, 9, 19.02276779864163),
        ]
        for (p, df, expected) in cases { #expect(abs(chiSquareQuantile(p, df: df) - expected) < 1e-9 * max(1, expected)) }
    }

    /// The plan's range is the sample size at both ends of σ's χ² interval: with 3 seeds (2 degrees of
    /// freedom) σ's 95% interval is σ √(2 / 7.3778) to σ √(2 / 0.050636), i.e. 0.521σ to 6.28σ, so the
    /// seeds needed span a factor of about 145.
    @Test func theSeedPlanSpansTheIntervalOfSigma() throws {
        let plan = SeedPlan(effect: 0.02, power: 0.8, sigma: 0.02, degreesOfFreedom: 2, confidence: 0.95)
        let interval = try #require(plan.sigmaInterval.lower).isFinite ? plan.sigmaInterval : nil
        #expect(abs(try #require(interval?.lower) - 0.02 * (2 / 7.377758908227871).squareRoot()) < 1e-12)
        #expect(abs(try #require(interval?.upper) - 0.02 * (2 / 0.05063561596857975).squareRoot()) < 1e-12)
        #expect(plan.seeds == seedsNeeded(effect: 0.02, sigma: 0.02, confidence: 0.95, power: 0.8, limit: 200))
        #expect(plan.seeds == 10)
        #expect(plan.fewestSeeds == seedsNeeded(effect: 0.02, sigma: interval!.lower!, confidence: 0.95, power: 0.8, limit: 200))
        #expect(plan.mostSeeds == nil && plan.limit == 200)   // 6.28σ = 0.126 needs about 310 seeds
        // The conservative count: σ's one-sided upper 80% bound, χ²_{0.2, 2} = -2 ln 0.8 (closed form for 2 degrees of freedom).
        let upper80 = 0.02 * (2 / (-2 * log(0.8))).squareRoot()
        #expect(plan.conservativeSeeds == seedsNeeded(effect: 0.02, sigma: upper80, confidence: 0.95, power: 0.8, limit: 200))
        #expect(plan.conservativeSeeds! > plan.seeds! && plan.conservativeSeeds! < 200)
        let many = SeedPlan(effect: 0.02, power: 0.8, sigma: 0.02, degreesOfFreedom: 19, confidence: 0.95)
        #expect(many.fewestSeeds! < 10 && many.seeds == 10 && many.mostSeeds! > 10 && many.mostSeeds! <= 200)
    }

    /// The planned seed count reaches the stated power: for known σ and δ, 4,000 simulated paired
    /// studies of that many seeds (a fixed stream), each resolving the difference when its t interval
    /// excludes zero, resolve it in 80% ± 5 points of the studies (the exact noncentral-t power at
    /// these n is 0.808, 0.803 and 0.833: scripts/reference_statistics.py).
    @Test func thePlannedSeedCountReachesItsPowerInSimulation() throws {
        var random = Xoshiro256StarStar(seed: 21, purpose: "seed-planning-power")
        /// The share of `studies` simulated paired studies of n seeds, differences N(δ, σ²), whose
        /// 95% t interval excludes zero.
        func power(n: Int, effect: Double, sigma: Double, studies: Int) -> Double {
            let t = studentTQuantile(0.975, df: Double(n - 1))
            var resolved = 0
            for _ in 0..<studies {
                let values = (0..<n).map { _ in effect + sigma * random.nextStandardNormal() }
                let summary = MeanStd(of: values)
                if abs(summary.mean) > t * summary.std / Double(n).squareRoot() { resolved += 1 }
            }
            return Double(resolved) / Double(studies)
        }
        for (effect, sigma) in [(0.02, 0.04), (0.02, 0.02), (0.03, 0.02)] {
            let n = try #require(seedsNeeded(effect: effect, sigma: sigma, confidence: 0.95, power: 0.8, limit: 200))
            let measured = power(n: n, effect: effect, sigma: sigma, studies: 4000)
            #expect(abs(measured - 0.8) <= 0.05, "δ = \(effect), σ = \(sigma): \(n) seeds resolve \(measured)")
        }
    }

    /// The plan's range covers the seeds a study really needs: for σ = 1 and δ = 0.5σ and σ, 4,000
    /// simulated studies of 3 seeds (a fixed stream) each estimate σ from their paired differences and
    /// plan a range; the range holds the n needed at the true σ in 95% ± 2 points of them (σ's χ²
    /// interval covers σ in 95%, and n grows with σ): measured 94.7% (true n = 34) and 95.4% (n = 10).
    /// The count at the estimated spread alone falls short of the true n in 62.5% and 59.2% of them
    /// (asserted: more than 30%), which is why the report gives the range. The conservative count the
    /// report leads with (the spread at its upper 80% bound) reaches the true n in 80% of studies or
    /// a little more (n moves in whole seeds; SciPy simulation at δ = σ: 82.8%), asserted 78% to 88%,
    /// and is never below the count at the estimated spread.
    @Test func theSeedPlansRangeCoversTheTrueSeedCountInSimulation() throws {
        var random = Xoshiro256StarStar(seed: 21, purpose: "seed-planning-coverage")
        for effect in [0.5, 1.0] {
            let trueSeeds = try #require(seedsNeeded(effect: effect, sigma: 1, confidence: 0.95, power: 0.8, limit: 200))
            let studies = 4000
            var covered = 0, pointShort = 0, conservativeReaches = 0
            for _ in 0..<studies {
                let sigma = MeanStd(of: (0..<3).map { _ in random.nextStandardNormal() }).std
                let plan = SeedPlan(effect: effect, power: 0.8, sigma: sigma, degreesOfFreedom: 2, confidence: 0.95)
                if let fewest = plan.fewestSeeds, fewest <= trueSeeds, (plan.mostSeeds ?? .max) >= trueSeeds { covered += 1 }
                if (plan.seeds ?? .max) < trueSeeds { pointShort += 1 }
                if (plan.conservativeSeeds ?? .max) >= trueSeeds { conservativeReaches += 1 }
                #expect((plan.conservativeSeeds ?? .max) >= (plan.seeds ?? .max))
            }
            let conservative = Double(conservativeReaches) / Double(studies)
            #expect(conservative >= 0.78 && conservative <= 0.88, "δ = \(effect)σ: the conservative count reaches \(trueSeeds) in \(conservative)")
            let coverage = Double(covered) / Double(studies)
            #expect(abs(coverage - 0.95) <= 0.02, "δ = \(effect)σ: the range covers \(trueSeeds) seeds in \(coverage)")
            #expect(Double(pointShort) / Double(studies) > 0.3, "δ = \(effect)σ: the estimate alone falls short in \(pointShort)")
        }
    }
}

struct SeedBootstrapTests {
    /// For the mean at one fraction the bootstrap's interval is the Student t interval
    /// ȳ ± t_{.975, n-1} s / √n (SciPy: 0.75548 to 0.90452 for 0.80, 0.83, 0.86 and 3 seeds; with
    /// 5 seeds 0.80, 0.83, 0.86, 0.81, 0.85: 0.7983 to 0.8617), here read off the rays: what is left
    /// is the bias of reading the distribution off 8 radii per ray, not Monte Carlo noise.
    @Test(arguments: [([0.80, 0.83, 0.86], 0.7554758686474902, 0.9045241313525098),
                      ([0.80, 0.83, 0.86, 0.81, 0.85], 0.7983436552191667, 0.861656344780833)])
    func theRayIntervalOfAMeanIsTheStudentTInterval(values: [Double], lower: Double, upper: Double) throws {
        let bootstrap = SeedBootstrap(seedCount: values.count, replicates: 1000)
        let interval = try #require(bootstrap.design.interval(bootstrap.replicateMeans(values, resolution: 0.001), confidence: 0.95))
        #expect(abs(interval.lower! - lower) < 0.002 && abs(interval.upper! - upper) < 0.002)
        #expect(try #require(interval.monteCarloError?.upper) < 0.002)
    }

    /// The exact t interval of a mean (no bootstrap): SciPy's t.interval(0.95, 2, 0.83, 0.03 / √3) is
    /// 0.75548 to 0.90452; agreeing seeds get one test row as their spread.
    @Test func meansGetTheExactStudentTInterval() throws {
        let interval = try #require(studentTInterval([0.80, 0.83, 0.86], resolution: 0.001, confidence: 0.95))
        #expect(abs(interval.lower! - 0.7554758686474902) < 1e-9 && abs(interval.upper! - 0.9045241313525098) < 1e-9)
        let agreeing = try #require(studentTInterval([0.8, nil, 0.8, 0.8], resolution: 1.0 / 150, confidence: 0.95))
        #expect(abs(agreeing.upper! - 0.8 - 4.302652729749462 / 150 / 3.0.squareRoot()) < 1e-9)
        #expect(studentTInterval([0.8, nil], resolution: 0.001, confidence: 0.95) == nil)
    }

    @Test func agreeingSeedsGetTheResolutionAsTheirSpreadAndMissingRunsAreLeftOut() throws {
        let bootstrap = SeedBootstrap(seedCount: 3, replicates: 1000)
        let interval = { (values: [Double?], resolution: Double) in
            try #require(bootstrap.design.interval(bootstrap.replicateMeans(values, resolution: resolution), confidence: 0.95))
        }
        // s = 0 is raised to 1/150: t interval 0.8 ± 4.3027 · (1/150) / √3 = 0.8 ± 0.01656.
        let agreeing = try interval([0.8, 0.8, 0.8], 1.0 / 150)
        #expect(abs(agreeing.upper! - 0.8 - 4.302652729749462 / 150 / 3.0.squareRoot()) < 0.001)
        // A diverged run: 0.85 + 0.05 (v_1 - v_3) / √2 with (v_1 - v_3) / √2 a Student t with the
        // study's 2 degrees of freedom: 0.85 ± 0.05 · 4.3027.
        let partial = try interval([0.8, nil, 0.9], 0.001)
        #expect(abs(partial.lower! - (0.85 - 0.05 * 4.302652729749462)) < 0.005)
        #expect(abs(partial.upper! - (0.85 + 0.05 * 4.302652729749462)) < 0.005)
        #expect(bootstrap.replicateMeans([nil, nil, 0.7], resolution: 0.001).allSatisfy { $0 == 0.7 })
    }

    /// Sobol' points with the committed direction numbers are SciPy's (unscrambled, first 64 points in
    /// 65 dimensions; scripts/sobol_direction_numbers.py).
    @Test func sobolPointsAreSciPys() throws {
        struct Reference: Decodable { let points: [[UInt64]] }
        let url = try #require(Bundle.module.url(forResource: "sobol-reference", withExtension: "json", subdirectory: "Fixtures"))
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
        let points = SobolSequence(dimensions: 65).points(64)
        #expect(points.map { $0.map(UInt64.init) } == reference.points)
    }

    /// An end is unbounded only when the share beyond every value clears α/2 by two Monte Carlo errors,
    /// bounded when it stays below by as much, and undetermined in between; the words are those two.
    @Test func censoredEndsAreDecidedWithTheirMonteCarloError() throws {
        // 8 blocks of 100: the share at +∞ is 1%, 2.5% ± spread, or 6% in every block.
        func blocks(_ shares: [Int]) -> [Double] {
            shares.flatMap { count in (0..<100).map { $0 < count ? Double.infinity : Double($0) } }
        }
        let bounded = try #require(bootstrapInterval(blocks(Array(repeating: 1, count: 8)), blocks: 8, confidence: 0.95))
        #expect(bounded.upper != nil && bounded.undetermined == nil && bounded.monteCarloError?.upper != nil)
        let open = try #require(bootstrapInterval(blocks(Array(repeating: 6, count: 8)), blocks: 8, confidence: 0.95))
        #expect(open.upper == nil && open.undetermined == nil)
        let near = try #require(bootstrapInterval(blocks([1, 4, 2, 3, 2, 3, 1, 4]), blocks: 8, confidence: 0.95))
        #expect(near.upper == nil && near.isUndetermined(.upper) && !near.excludes(1_000))
        #expect(intervalText(near, percent) == "from \(percent(near.lower!)); its upper end undetermined")
        #expect(intervalText(open, percent) == "\(percent(open.lower!)) or more")
        #expect(intervalText(Interval(lower: nil, upper: nil), percent) == "unbounded" && intervalText(nil, percent) == "none")
    }
}

struct PlanningInputTests {
    /// The standard error read off the quartiles: IQR / (2 t_{0.75, n-1}); t_{0.75, 2} = 0.816496580927726 (SciPy).
    @Test func standardErrorComesFromTheQuartiles() throws {
        let values = (0...100).map(Double.init)   // quartiles 25 and 75
        let se = try #require(quartileStandardError(values, design: .monteCarlo(blocks: 1), seeds: 3, confidence: 0.95))
        #expect(abs(se - 50 / (2 * 0.816496580927726)) < 1e-9)
        // Infinite replicates beyond the upper quartile do not matter; at the quartile they do.
        let someOpen = (0...100).map { $0 > 90 ? Double.infinity : Double($0) }
        #expect(quartileStandardError(someOpen, design: .monteCarlo(blocks: 1), seeds: 3, confidence: 0.95) == se)
        let manyOpen = (0...100).map { $0 > 60 ? Double.infinity : Double($0) }
        #expect(quartileStandardError(manyOpen, design: .monteCarlo(blocks: 1), seeds: 3, confidence: 0.95) == nil)
        #expect(quartileStandardError(values, design: .monteCarlo(blocks: 1), seeds: 1, confidence: 0.95) == nil)
    }
}

struct CurveModelTests {
    /// AICc by hand: n = 9, RSS = 0.002, sigmoid K = 5: 9 ln(0.002/9) + 10 + 60/3.
    @Test func aiccMatchesAHandComputation() {
        let sigmoid = aicc(residualSumOfSquares: 0.002, points: 9, parameters: 4)!
        #expect(abs(sigmoid - (9 * log(0.002 / 9) + 10 + 20)) < 1e-12)
        let line = aicc(residualSumOfSquares: 0.01, points: 9, parameters: 2)!
        #expect(abs(line - (9 * log(0.01 / 9) + 6 + 24.0 / 5)) < 1e-12)
        #expect(aicc(residualSumOfSquares: 0.01, points: 5, parameters: 4) == nil)
        // Weights: Δ = (0, 2, 4) → e^0, e^-1, e^-2 normalised.
        let weights = akaikeWeights([10, 12, 14])
        let total = 1 + exp(-1.0) + exp(-2.0)
        #expect(abs(weights[0] - 1 / total) < 1e-15 && abs(weights[1] - exp(-1.0) / total) < 1e-15
            && abs(weights[2] - exp(-2.0) / total) < 1e-15)
    }

    @Test func polynomialFitsRecoverExactPolynomials() throws {
        let x = [0, 0.1, 0.2, 0.3, 0.5]
        let quadratic = try #require(fitPolynomial(x: x, y: x.map { 0.9 - 0.4 * $0 - 0.8 * $0 * $0 }, degree: 2))
        #expect(zip(quadratic, [0.9, -0.4, -0.8]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(abs(polynomialValue(quadratic, at: 0.4) - (0.9 - 0.16 - 0.128)) < 1e-12)
        #expect(fitPolynomial(x: [0.1, 0.1, 0.1], y: [1, 2, 3], degree: 1) == nil)
    }

    /// The evidence ratio is exp(Δ AICc / 2) against the best simpler curve: the numbers for 9
    /// fractions (RSS 0.00261 for the sigmoid, 0.00291 for the line, penalties 30 and 10.8) give
    /// Δ = 9 ln(0.00291 / 0.00261) - 19.2.
    @Test func theEvidenceRatioIsTheAkaikeWeightRatio() throws {
        let sigmoid = try #require(aicc(residualSumOfSquares: 0.00261, points: 9, parameters: 4))
        let line = try #require(aicc(residualSumOfSquares: 0.00291, points: 9, parameters: 2))
        #expect(abs((sigmoid - 9 * log(0.00261 / 9)) - 30) < 1e-12 && abs((line - 9 * log(0.00291 / 9)) - 10.8) < 1e-12)
        let ratio = try #require(sigmoidEvidenceRatio(sigmoidAICc: sigmoid, simplerAICc: [line, nil]))
        #expect(abs(log(ratio) - (9 * log(0.00291 / 0.00261) - 19.2) / 2) < 1e-12)
        let weights = akaikeWeights([sigmoid, line])
        #expect(abs(ratio - weights[0] / weights[1]) < 1e-12 * ratio)
        #expect(sigmoidEvidenceRatio(sigmoidAICc: nil, simplerAICc: [line]) == nil)
    }
}

/// Differences of quantities censored at the ends of the swept fractions (thresholds beyond them).
struct CensoredDifferenceTests {
    let swept = 0.0...0.5
    /// 100 replicates of a threshold spread evenly over [start, start + width).
    func spread(_ start: Double, _ width: Double) -> [Double] { (0..<100).map { start + width * Double($0) / 100 } }

    @Test func numbersGiveThePercentileIntervalOfTheirDifferences() throws {
        let other = spread(0.4, 0.1), base = spread(0.25, 0.05)
        let (difference, replicates) = censoredDifference(Estimate(value: 0.45, interval: nil), Estimate(value: 0.27, interval: nil),
                                                          replicates: ((other, swept), (base, swept)), design: .monteCarlo(blocks: 1), confidence: 0.95)
        #expect(try difference.bound == nil && abs(#require(difference.value) - 0.18) < 1e-12)
        #expect(difference.interval == percentileInterval(zip(other, base).map { $0 - $1 }, confidence: 0.95))
        #expect(replicates == zip(other, base).map { $0 - $1 })
    }

    @Test func aThresholdBeyondTheRangeMakesTheDifferenceALowerBoundAtThatEnd() throws {
        // `other` lies beyond 50% in every replicate: the difference exceeds 50% minus `base`.
        let base = spread(0.25, 0.1)
        let (difference, replicates) = censoredDifference(
            Estimate(value: 0.5, interval: nil, bound: .lower), Estimate(value: 0.3, interval: nil),
            replicates: ((Array(repeating: .infinity, count: 100), swept), (base, swept)), design: .monteCarlo(blocks: 1), confidence: 0.95)
        #expect(try difference.bound == .lower && abs(#require(difference.value) - 0.2) < 1e-12)
        let lower = try #require(percentileInterval(base.map { 0.5 - $0 }, confidence: 0.95)?.lower)
        #expect(difference.interval == Interval(lower: lower, upper: nil) && difference.signResolved)
        #expect(replicates.allSatisfy { $0 == .infinity })
        // The same pair the other way round: an upper bound.
        let (reversed, _) = censoredDifference(
            Estimate(value: 0.3, interval: nil), Estimate(value: 0.5, interval: nil, bound: .lower),
            replicates: ((base, swept), (Array(repeating: .infinity, count: 100), swept)), design: .monteCarlo(blocks: 1), confidence: 0.95)
        #expect(try reversed.bound == .upper && abs(#require(reversed.value) + 0.2) < 1e-12 && reversed.interval?.lower == nil)
        #expect(abs(try #require(reversed.interval?.upper) + lower) < 1e-12 && reversed.signResolved)
    }

    @Test func aBoundReachingBelowZeroIsNotResolved() throws {
        // `base` reaches 50% in some replicates, so 50% minus it reaches zero.
        let base = spread(0.42, 0.1).map { min($0, 0.5) }
        let (difference, _) = censoredDifference(
            Estimate(value: 0.5, interval: nil, bound: .lower), Estimate(value: 0.46, interval: nil),
            replicates: ((Array(repeating: .infinity, count: 100), swept), (base, swept)), design: .monteCarlo(blocks: 1), confidence: 0.95)
        #expect(difference.bound == .lower && (difference.interval?.lower ?? 1) <= 0 && !difference.signResolved)
    }

    @Test func twoThresholdsBeyondTheSameEndHaveNoDifferenceAndOppositeEndsABound() throws {
        let beyond = Array(repeating: Double.infinity, count: 100), before = Array(repeating: -Double.infinity, count: 100)
        let (same, replicates) = censoredDifference(
            Estimate(value: 0.5, interval: nil, bound: .lower), Estimate(value: 0.5, interval: nil, bound: .lower),
            replicates: ((beyond, swept), (beyond, swept)), design: .monteCarlo(blocks: 1), confidence: 0.95)
        #expect(same == Estimate(value: nil, interval: nil) && !same.signResolved && replicates.allSatisfy(\.isNaN))
        let (opposite, _) = censoredDifference(
            Estimate(value: 0.5, interval: nil, bound: .lower), Estimate(value: 0, interval: nil, bound: .upper),
            replicates: ((beyond, swept), (before, swept)), design: .monteCarlo(blocks: 1), confidence: 0.95)
        #expect(opposite == Estimate(value: 0.5, interval: Interval(lower: 0.5, upper: nil), bound: .lower) && opposite.signResolved)
    }

    /// The seed plan's check of undefined replicates weighs them as the interval does, by each
    /// radius' mass along its ray. 16 radii per ray, values T cos(angle): undefined at the last two
    /// radii of every ray is 12.5% of the replicates but 1.6% of the distribution ((1 - 14/16)²), so
    /// the plan stands (a plain count refused it); at the last four, 6.25% of it, above α/2 = 2.5%.
    @Test func theSeedPlanWeighsUndefinedReplicatesAsTheIntervalDoes() throws {
        let layout = RayLayout(blocks: 8, raysPerBlock: 16, radii: 16) { p in studentTQuantile((1 + p) / 2, df: 2) }
        let rays = layout.blocks * layout.raysPerBlock
        func values(undefinedFrom first: Int) -> [Double] {
            (0..<rays).flatMap { ray in
                (0..<16).map { k in k >= first ? .nan : layout.nodeRadius(k) * cos(2 * Double.pi * (Double(ray) + 0.5) / Double(rays)) }
            }
        }
        let design = ReplicateDesign.rays(layout)
        #expect(abs(design.undefinedShare(values(undefinedFrom: 14)) - 1.0 / 64) < 1e-12)
        #expect(abs(design.undefinedShare(values(undefinedFrom: 12)) - 1.0 / 16) < 1e-12)
        #expect(quartileStandardError(values(undefinedFrom: 14), design: design, seeds: 3, confidence: 0.95) != nil)
        #expect(quartileStandardError(values(undefinedFrom: 12), design: design, seeds: 3, confidence: 0.95) == nil)
        #expect(ReplicateDesign.monteCarlo(blocks: 2).undefinedShare([1, .nan, 2, 3]) == 0.25)
    }

    /// The case that had it wrong: on the reference study MLP 128 - MLP 64's threshold difference has
    /// a bounded interval, -8.5 to +1.0 pp, yet its seed plan read "cannot tell": 8.35% of its 2,048
    /// replicates are undefined (both thresholds beyond 50%), above α/2, but they lie at the rays' tail
    /// radii and carry 2.04% of the distribution the interval reads. Now: 4 to 199 seeds (8 at the
    /// estimated spread).
    @Test func theReferenceStudysBoundedDifferenceHasASeedPlan() throws {
        let results = try IntervalStabilityTests.analysed(bootstrapSeed: 0, runs: ReferenceRecording.load().runs)
        let difference = try #require(results.statistics.differences.first { $0.quantity == .threshold && $0.base == 1 && $0.other == 2 })
        let interval = try #require(difference.difference.interval)
        #expect(interval.isBounded && difference.decision != .resolved)
        #expect(abs(interval.lower! + 0.085) < 0.001 && abs(interval.upper! - 0.010) < 0.001)
        let plan = try #require(difference.seedPlan)
        #expect((plan.fewestSeeds, plan.seeds, plan.mostSeeds) == (4, 8, 199))
        // Why it was missing: the undefined replicates (both thresholds beyond 50%) sit at the rays' tail radii.
        let config = results.config
        let bootstrap = SeedBootstrap(seedCount: config.seeds.count, replicates: config.analysis.replicates, seed: 0)
        let replicates = try [1, 2].map { index in
            try #require(seriesStatistics(fit: results.fits[index], runs: results.runs, fractions: config.fractions, seeds: config.seeds,
                                          testCount: results.data.testCount, bootstrap: bootstrap, confidence: 0.95, threads: 2).1)
        }
        let (_, differences) = censoredDifference(results.statistics.series[2].threshold, results.statistics.series[1].threshold,
                                                  replicates: ((replicates[1].threshold, replicates[1].swept),
                                                               (replicates[0].threshold, replicates[0].swept)),
                                                  design: bootstrap.design, confidence: 0.95)
        let counted = Double(differences.filter(\.isNaN).count) / Double(differences.count)
        let weighed = bootstrap.design.undefinedShare(differences)
        #expect(abs(counted - 0.0835) < 0.0005, "\(counted): the plain count the plan used to refuse, above α/2")
        #expect(abs(weighed - 0.0204) < 0.0005, "\(weighed): the share the interval reads, below α/2")
    }
}

