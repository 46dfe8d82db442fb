import Foundation
import PoisoningEngine

/// One curve fitted to a series' mean test accuracy, for the comparison of curves.
public struct CurveFitSummary: Sendable, Codable, Equatable {
    /// The curve.
    public let model: CurveModel
    /// Its parameters: (L, k, x0, b) for the sigmoid, polynomial coefficients (constant first) otherwise.
    public let parameters: [Double]
    /// Residual sum of squares against the means.
    public let residualSumOfSquares: Double
    /// AICc; nil when there are too few fractions for its correction.
    public let aicc: Double?
    /// Akaike weight among the curves with an AICc.
    public let weight: Double?
}

/// Whether the runs tell the sigmoid from the simpler curves, and which sweep would.
public struct CurveEvidence: Sendable, Codable, Equatable {
    /// w_sigmoid / max(w_line, w_quadratic) on the runs (`sigmoidEvidenceRatio`).
    public let sigmoidEvidenceRatio: Double
    /// σ: the seed-demeaned spread of a seed's test accuracy, from the seeds run at every fraction:
    /// the two-way residual y_ij - ȳ_i· - ȳ_·j + ȳ_·· (fraction i, seed j) pooled over (m - 1)(s - 1)
    /// degrees of freedom, at least one test row. What a seed shares across fractions moves all its
    /// accuracies together, and every compared curve has a free constant that absorbs it, so it is
    /// left out. Nil with fewer than two seeds run at every fraction.
    public let seedSpread: Double?
    /// The evidence ratio the study's own fractions and seeds are expected to give were the fitted
    /// sigmoid the truth (`expectedSigmoidEvidence`); nil without a seed spread.
    public let expectedAtThisDesign: Double?
    /// Whether that expectation reaches `decisiveEvidenceRatio`: only then does a simpler curve's
    /// decisive win speak against the sigmoid.
    public var designCanDecide: Bool { (expectedAtThisDesign ?? 0) >= decisiveEvidenceRatio }
    /// Whether the runs tell the curves apart: the sigmoid's evidence ratio reaches
    /// `decisiveEvidenceRatio`, or falls to its inverse where `designCanDecide`.
    public var distinguishesCurves: Bool {
        sigmoidEvidenceRatio >= decisiveEvidenceRatio || (sigmoidEvidenceRatio <= 1 / decisiveEvidenceRatio && designCanDecide)
    }
    /// The smallest design on `CurveDesignMenu` expected to reach `decisiveEvidenceRatio` for the
    /// fitted sigmoid (`smallestDecisiveDesign`); nil when none does or there is no seed spread.
    public let decisiveDesign: CurveDesign?
}

/// The fitted curve's pointwise confidence band over the swept fractions.
public struct CurveBand: Sendable, Codable, Equatable {
    /// Fractions, evenly spaced from the smallest to the largest swept.
    public let fractions: [Double]
    /// Lower end of the band at each fraction.
    public let lower: [Double]
    /// Upper end of the band at each fraction.
    public let upper: [Double]
}

/// The uncertainty of one series' quantities, and how well each curve describes it.
public struct SeriesStatistics: Sendable, Codable, Equatable {
    /// Index of the series.
    public let series: Int
    /// Mean test accuracy at the smallest fraction, with its exact Student-t interval over seeds.
    public let cleanAccuracy: Estimate
    /// The Wilson interval of the clean accuracy as a proportion of the shared test rows.
    public let cleanAccuracyWilson: Interval?
    /// Critical threshold and its interval: the fraction within the swept fractions; beyond the
    /// largest (or not reached), a lower bound at the largest; before the smallest (or starting below
    /// the target), an upper bound at the smallest; no value without a fit. The interval's ends lie
    /// within the swept fractions: an end beyond them is open, or that end of the range when the
    /// whole interval lies beyond it.
    public let threshold: Estimate
    /// Sigmoid parameters with their intervals.
    public let amplitude: Estimate
    public let steepness: Estimate
    public let midpoint: Estimate
    public let floor: Estimate
    /// Generalization gap at the largest fraction, with its exact Student-t interval over seeds.
    public let gapAtLargestFraction: Estimate
    /// The sigmoid's confidence band; nil without a fit or intervals.
    public let band: CurveBand?
    /// The sigmoid, the line and the quadratic, each fitted to the means.
    public let curves: [CurveFitSummary]
    /// The curve with the largest Akaike weight; nil when none has an AICc.
    public let preferredCurve: CurveModel?
    /// The sigmoid against the simpler curves; nil when they are not compared (no sigmoid, or too
    /// few fractions for AICc).
    public let curveEvidence: CurveEvidence?
    /// Sigmoid parameters ("L", "k", "x0", "b") whose estimate or interval reaches the fit's bounds
    /// (within the printed precision, `SigmoidFitBounds.reaches`): the data do not pin them down.
    public let parametersAtBounds: [String]
    /// Share of the fitted drop still ahead at the largest fraction, 1 / (1 + exp(k (x_max - x0))):
    /// when large, the curve's floor b is an extrapolation.
    public let dropRemainingAtLargestFraction: Double?
    /// L + b, where the fitted curve starts (x → -∞); above 1 the sigmoid's upper plateau is not
    /// a real accuracy, so L and b are not separately identified by the data.
    public let fittedCeiling: Double?
}

/// A series' bootstrap replicates of the quantities compared between series.
struct SeriesReplicates: Sendable {
    /// The range of the swept fractions, at whose ends the thresholds are censored.
    let swept: ClosedRange<Double>
    /// Thresholds (see `CriticalThreshold.censored`): a fraction within `swept`, +infinity beyond its
    /// upper end (or not reached), -infinity before its lower end (or starting below), NaN (no fit).
    let threshold: [Double]
    /// How the replicates are drawn (`SeedBootstrap.design`), which says how to read an interval off them.
    let design: ReplicateDesign
    /// Per seed (study order, nil where missing): clean accuracy, for paired t intervals of differences.
    let cleanAccuracy: [Double?]
    /// Per seed: gap at the largest fraction.
    let gap: [Double?]
    /// Fitted k and x0 (NaN where the refit failed).
    let steepness: [Double]
    let midpoint: [Double]
    /// With more than 3 seeds, the thresholds of the pilot bootstrap (`SeedBootstrap.pilot`; these
    /// replicates' own when they are drawn from it) and how they are drawn: the ends of differences and
    /// trends are placed on it (`placingFittedEnds`). Nil with 3 seeds or fewer, or without a central fit.
    var pilotThreshold: [Double]? = nil
    var pilotDesign: ReplicateDesign? = nil

    /// The pilot's replicates (`pilotThreshold`) in place of these, nil without them.
    var pilot: SeriesReplicates? {
        pilotThreshold.flatMap { threshold in
            pilotDesign.map { SeriesReplicates(swept: swept, threshold: threshold, design: $0, cleanAccuracy: cleanAccuracy, gap: gap,
                                               steepness: steepness, midpoint: midpoint) }
        }
    }
}

/// Share of the fitted drop still ahead at the largest fraction above which the floor counts as
/// extrapolated.
public let extrapolatedFloorShare = 0.25

/// Per-seed values of `key` for one series: values[fraction index][seed index], nil where the run
/// diverged or lacks the metric.
func seedValues(_ runs: [RunResult], series: Int, key: String, fractions: [Double], seeds: [UInt64]) -> [[Double?]] {
    var table = [[Double?]](repeating: [Double?](repeating: nil, count: seeds.count), count: fractions.count)
    for run in runs where run.series == series {
        guard let row = fractions.firstIndex(of: run.fraction), let column = seeds.firstIndex(of: run.seed) else { continue }
        table[row][column] = run.metrics?[key]
    }
    return table
}

/// The statistics of one series and its replicates, over the swept fractions `sweep`: the curve's
/// (fit, threshold, band, curve comparison) over those the fit uses (`SeriesFit.fittedFractions`:
/// saturated budgets left out), the gap, a measurement, at the largest swept fraction. The refits and
/// the intervals are shared out among `threads` workers (the same bytes for any number). With more
/// than 3 seeds the ends of L, k, x0 and b, and unless `placingThresholds` is false those of the
/// threshold, are placed on the pilot bootstrap (`placingParameterEnds`, `placingFittedEnds`).
func seriesStatistics(fit: SeriesFit, runs: [RunResult], fractions sweep: [Double], seeds: [UInt64], testCount: Int,
                      bootstrap: SeedBootstrap?, confidence: Double, threads: Int,
                      placingThresholds: Bool = true) -> (SeriesStatistics, SeriesReplicates?) {
    let allFractions = sweep.sorted(), fractions = fit.fittedFractions(allFractions)
    let accuracy = seedValues(runs, series: fit.series, key: MetricKey.testAccuracy, fractions: fractions, seeds: seeds)
    let gapValues = seedValues(runs, series: fit.series, key: MetricKey.generalizationGap, fractions: allFractions, seeds: seeds)
    let measured = fractions.indices.filter { accuracy[$0].contains { $0 != nil } }
    let x = measured.map { fractions[$0] }
    let means = measured.map { mean(accuracy[$0]) }
    let curves = compareCurves(x: x, means: means, sigmoid: fit)
    let evidence = curveEvidence(curves, sigmoid: fit.parameters, fractions: x, seedValues: measured.map { accuracy[$0] },
                                 seeds: seeds.count, resolution: 1 / Double(testCount))
    let gapObserved = gapValues.last.map(mean)

    let clean = fit.cleanAccuracy
    let swept = (fractions.first ?? 0)...(fractions.last ?? 0)
    let wilson = clean.map { wilsonInterval(proportion: $0, trials: testCount, confidence: confidence) }
    guard let bootstrap, let first = measured.first, first == 0 else {
        let none = { (value: Double?) in Estimate(value: value, interval: nil) }
        let p = fit.parameters
        return (SeriesStatistics(series: fit.series, cleanAccuracy: none(clean), cleanAccuracyWilson: wilson,
                                 threshold: thresholdEstimate(fit.threshold.censored(curve: p), swept: swept, interval: nil), amplitude: none(p?.amplitude), steepness: none(p?.steepness),
                                 midpoint: none(p?.midpoint), floor: none(p?.floor), gapAtLargestFraction: none(gapObserved?.isNaN == false ? gapObserved : nil),
                                 band: nil, curves: curves, preferredCurve: preferred(curves), curveEvidence: evidence,
                                 parametersAtBounds: p.map { parametersAtBounds($0, intervals: [], largestFraction: allFractions.last ?? 1) } ?? [],
                                 dropRemainingAtLargestFraction: p.map { remainingDrop($0, at: fractions.last!) },
                                 fittedCeiling: p.map { $0.amplitude + $0.floor }), nil)
    }
    let resolution = 1 / Double(testCount)
    let chance = fit.chanceAccuracy
    let bounds = SigmoidFitBounds.study(largestFraction: allFractions.last ?? 1)
    let grid = (0...40).map { fractions.first! + (fractions.last! - fractions.first!) * Double($0) / 40 }
    /// Every replicate of `draws` refitted, in chunks shared out among the workers: per replicate L, k,
    /// x0, b, the threshold and the curve at each fraction of `grid` (NaN where the refit fails). Each
    /// refit depends on its replicate alone, so the replicates are the same for any number of workers.
    /// The replicate means (`replicateMeans[point][r]`) raise spreads below one test row to one test row
    /// (see `SeedBootstrap.replicateMeans`).
    func refits(_ draws: SeedBootstrap, grid: [Double]) -> [[Double]] {
        let replicateMeans = measured.map { draws.replicateMeans(accuracy[$0], resolution: resolution) }
        let cleanReplicates = replicateMeans[0]
        let chunk = 32, replicateCount = draws.replicateCount
        return parallelMap(count: (replicateCount + chunk - 1) / chunk, threads: threads) { index -> [[Double]] in
            (index * chunk..<min((index + 1) * chunk, replicateCount)).map { r -> [Double] in
                guard case .success(let refit) = fitDescendingSigmoid(x: x, y: replicateMeans.map { $0[r] }, bounds: bounds,
                                                                      start: fit.parameters) else {
                    return Array(repeating: .nan, count: 5 + grid.count)
                }
                let p = refit.parameters
                return [p.amplitude, p.steepness, p.midpoint, p.floor,
                        censoredThreshold(of: p, target: (cleanReplicates[r] + chance) / 2, swept: swept)] + grid.map(p.value)
            }
        }.flatMap { $0 }
    }
    let refitted = refits(bootstrap, grid: grid)
    let replicates = { (quantity: Int) in refitted.map { $0[quantity] } }
    let parameterReplicates = (0..<4).map(replicates), thresholds = replicates(4), gridValues = grid.indices.map { replicates(5 + $0) }
    let p = fit.parameters
    // Every interval on its own worker: L, k, x0 and b, the threshold (with a central fit) and the
    // band's ends. The band is drawn: its ends to 10⁻³ of their replicates' range are ample, and cost
    // half as much, and their Monte Carlo errors, never shown, are not computed (half the cost
    // again); clipped to [0, 1] (with few seeds the t scale can reach beyond).
    let quantities = parameterReplicates.map { ($0, 1e-5, IntervalReading.whole) } + (p == nil ? [] : [(thresholds, 1e-5, .whole)])
        + gridValues.map { ($0, 1e-3, .endsAlone) }
    let intervals = parallelMap(count: quantities.count, threads: threads) { index in
        bootstrap.design.interval(quantities[index].0, confidence: confidence, precision: quantities[index].1, reading: quantities[index].2)
    }
    let parameterIntervals = Array(intervals[0..<4])
    let thresholdInterval = p == nil ? nil : intervals[4].map { intervalWithinSwept($0, swept) }
    // Reported ends: with more than 3 seeds an end the pilot bootstrap (the default stream, this one
    // when it is drawn from it) cannot place to a quarter of 0.5 pp with 95% confidence is withheld as
    // imprecise (`placingParameterEnds`, `placingFittedEnds`), so which ends are shown does not depend
    // on the stream; with 3 the errors are upper bounds (see SeedBootstrap). The pilot's thresholds
    // are kept for the ends of differences and trends. `placingThresholds` false (an adaptive look,
    // `studyStatistics`) leaves the threshold's ends, and those of its differences and trends, shown.
    var reportedParameterIntervals = parameterIntervals, reportedThresholdInterval = thresholdInterval
    var pilotThresholds: (values: [Double], design: ReplicateDesign)?
    if bootstrap.seedCount > 3 {
        let pilotRefits = bootstrap.pilot.map { refits($0, grid: []) }
        let pilotDesign = bootstrap.pilot?.design ?? bootstrap.design
        let pilotQuantities = pilotRefits.map { refitted in (0..<(p == nil ? 4 : 5)).map { j in refitted.map { $0[j] } } }
        let pilotIntervals = pilotQuantities.map { quantities in
            parallelMap(count: quantities.count, threads: threads) { j in
                pilotDesign.interval(quantities[j], confidence: confidence, precision: 1e-5)
            }
        } ?? Array(intervals[0..<(p == nil ? 4 : 5)])
        reportedParameterIntervals = parameterIntervals.indices.map { j in
            parameterIntervals[j].map { placingParameterEnds($0, parameter: j, pilot: pilotIntervals[j]) }
        }
        if p != nil, placingThresholds {
            reportedThresholdInterval = thresholdInterval.map {
                placingFittedEnds($0, pilot: pilotIntervals[4].map { intervalWithinSwept($0, swept) })
            }
            pilotThresholds = (pilotQuantities?[4] ?? thresholds, pilotDesign)
        }
    }
    let bandEnds = intervals.suffix(grid.count).map { $0.map { clip($0, to: 0...1) } }
    let band = p != nil && bandEnds.allSatisfy({ $0?.isBounded == true })
        ? CurveBand(fractions: grid, lower: bandEnds.map { $0!.lower! }, upper: bandEnds.map { $0!.upper! }) : nil
    let statistics = SeriesStatistics(
        series: fit.series,
        cleanAccuracy: Estimate(value: clean, interval: studentTInterval(accuracy[0], resolution: resolution, confidence: confidence)
                                    .map { clip($0, to: 0...1) }),
        cleanAccuracyWilson: wilson,
        threshold: thresholdEstimate(fit.threshold.censored(curve: p), swept: swept,
                                     interval: reportedThresholdInterval),
        amplitude: Estimate.fitted(value: p?.amplitude, interval: p == nil ? nil : reportedParameterIntervals[0]),
        steepness: Estimate.fitted(value: p?.steepness, interval: p == nil ? nil : reportedParameterIntervals[1]),
        midpoint: Estimate.fitted(value: p?.midpoint, interval: p == nil ? nil : reportedParameterIntervals[2]),
        floor: Estimate.fitted(value: p?.floor, interval: p == nil ? nil : reportedParameterIntervals[3]),
        gapAtLargestFraction: Estimate(value: gapObserved?.isNaN == false ? gapObserved : nil,
                                       interval: gapValues.last.flatMap { studentTInterval($0, resolution: resolution, confidence: confidence) }
                                           .map { clip($0, to: -1...1) }),
        band: band, curves: curves, preferredCurve: preferred(curves), curveEvidence: evidence,
        parametersAtBounds: p.map { parametersAtBounds($0, intervals: parameterIntervals, largestFraction: allFractions.last ?? 1) } ?? [],
        dropRemainingAtLargestFraction: p.map { remainingDrop($0, at: fractions.last!) },
        fittedCeiling: p.map { $0.amplitude + $0.floor })
    return (statistics, SeriesReplicates(swept: swept, threshold: p == nil ? Array(repeating: .nan, count: thresholds.count) : thresholds,
                                         design: bootstrap.design, cleanAccuracy: accuracy[0], gap: gapValues.last ?? [],
                                         steepness: parameterReplicates[1], midpoint: parameterReplicates[2],
                                         pilotThreshold: pilotThresholds?.values, pilotDesign: pilotThresholds?.design))
}

/// A threshold's interval with an end wholly beyond the swept fractions (the most extreme finite
/// number, see `percentileInterval`) moved to that end of `swept`: the thresholds lie beyond it.
private func intervalWithinSwept(_ interval: Interval, _ swept: ClosedRange<Double>) -> Interval {
    interval.mapEnds { $0 == .greatestFiniteMagnitude ? swept.upperBound : $0 == -.greatestFiniteMagnitude ? swept.lowerBound : $0 }
}

/// An interval with both ends moved into `range`.
private func clip(_ interval: Interval, to range: ClosedRange<Double>) -> Interval {
    interval.mapEnds { min(max($0, range.lowerBound), range.upperBound) }
}

/// The mean of the values present (NaN when none).
private func mean(_ values: [Double?]) -> Double {
    let present = values.compactMap { $0 }
    return present.isEmpty ? .nan : present.reduce(0, +) / Double(present.count)
}

/// The sigmoid (from the study's fit), the line and the quadratic on the means, with AICc and Akaike
/// weights.
private func compareCurves(x: [Double], means: [Double], sigmoid fit: SeriesFit) -> [CurveFitSummary] {
    var fitted = [(CurveModel, [Double], [Double])]()   // model, parameters, fitted values
    if let p = fit.parameters {
        fitted.append((.sigmoid, [p.amplitude, p.steepness, p.midpoint, p.floor], x.map(p.value)))
    }
    for (model, degree) in [(CurveModel.line, 1), (.quadratic, 2)] {
        if let coefficients = fitPolynomial(x: x, y: means, degree: degree) {
            fitted.append((model, coefficients, x.map { polynomialValue(coefficients, at: $0) }))
        }
    }
    let summaries = fitted.map { model, parameters, values in
        let rss = zip(means, values).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        return (model, parameters, rss, aicc(residualSumOfSquares: rss, points: x.count, parameters: model.parameterCount))
    }
    let criteria = summaries.compactMap(\.3)
    let weights = criteria.count == summaries.count ? akaikeWeights(criteria) : nil
    return summaries.enumerated().map { index, summary in
        CurveFitSummary(model: summary.0, parameters: summary.1, residualSumOfSquares: summary.2, aicc: summary.3,
                        weight: weights?[index])
    }
}

/// The sigmoid against the simpler curves: the evidence ratio on the runs, and with the seed-demeaned
/// spread of the accuracies (`CurveEvidence.seedSpread`; (`seedValues[fraction][seed]`, nil where missing) what the study's design
/// and the designs of `CurveDesignMenu` are expected to show were the fitted sigmoid the truth. A
/// spread below `resolution` (one test row) is raised to it, as in the bootstrap.
private func curveEvidence(_ curves: [CurveFitSummary], sigmoid: SigmoidParameters?, fractions: [Double], seedValues: [[Double?]],
                           seeds: Int, resolution: Double) -> CurveEvidence? {
    guard let sigmoid, let ratio = sigmoidEvidenceRatio(sigmoidAICc: curves.first { $0.model == .sigmoid }?.aicc,
                                                        simplerAICc: curves.filter { $0.model != .sigmoid }.map(\.aicc)) else { return nil }
    let complete = (seedValues.first ?? []).indices.filter { seed in seedValues.allSatisfy { seed < $0.count && $0[seed] != nil } }
    guard complete.count > 1, seedValues.count > 1, let first = fractions.first, let last = fractions.last else {
        return CurveEvidence(sigmoidEvidenceRatio: ratio, seedSpread: nil, expectedAtThisDesign: nil, decisiveDesign: nil)
    }
    let table = seedValues.map { values in complete.map { values[$0]! } }
    let squares = seedDemeanedSquares(table)
    let degrees = (table.count - 1) * (complete.count - 1)
    let variance = max(squares / Double(degrees), resolution * resolution)
    return CurveEvidence(sigmoidEvidenceRatio: ratio, seedSpread: variance.squareRoot(),
                         expectedAtThisDesign: expectedSigmoidEvidence(truth: sigmoid, fractions: fractions, seedVariance: variance,
                                                                       seeds: seeds),
                         decisiveDesign: smallestDecisiveDesign(truth: sigmoid, range: first...last, seedVariance: variance))
}

/// The sum of squared two-way residuals y_ij - ȳ_i· - ȳ_·j + ȳ_·· of a complete table
/// (`table[fraction][seed]`): the spread left once each fraction's mean and each seed's mean
/// deviation are removed.
func seedDemeanedSquares(_ table: [[Double]]) -> Double {
    let rows = Double(table.count), columns = Double(table[0].count)
    let rowMeans = table.map { $0.reduce(0, +) / columns }
    let grand = rowMeans.reduce(0, +) / rows
    let columnMeans = table[0].indices.map { j in table.reduce(0) { $0 + $1[j] } / rows }
    return table.indices.reduce(0) { sum, i in
        table[i].indices.reduce(sum) { sum, j in
            let residual = table[i][j] - rowMeans[i] - columnMeans[j] + grand
            return sum + residual * residual
        }
    }
}

/// The curve with the largest Akaike weight.
private func preferred(_ curves: [CurveFitSummary]) -> CurveModel? {
    curves.filter { $0.weight != nil }.max { $0.weight! < $1.weight! }?.model
}

/// The largest Monte Carlo standard error of an end of L, x0 or b, of a threshold, of a threshold
/// difference or of a trend shown as a number: 0.125 pp (a trend's per doubling), a quarter of the
/// 0.5 pp an end may move between bootstrap streams (issue 21). It is held per end with
/// 95% confidence (`parameterEndErrorBound`), so an end shown varies between streams with a standard
/// deviation of at most 0.125 pp: two streams' ends differ by more than 0.5 pp (2.8 standard
/// deviations of their difference) in under 0.5% of cases. k, a steepness, is held to a quarter of
/// its 3% (`parameterEndRelativePrecision`).
public let parameterEndPrecision = 0.00125

/// The largest Monte Carlo standard error of an end of k shown as a number, relative to the end: 0.75%,
/// a quarter of the 3% of k that stands for 0.5 pp of threshold (docs/statistics.md, k's criterion).
public let parameterEndRelativePrecision = 0.0075

/// The factor from an end's recorded Monte Carlo error (`monteCarloError`: the standard error ŝ of the
/// B = `SeedBootstrap.blockCount` blocks' ends times t_{B-1, 0.977} / 2) to the upper 95% confidence
/// bound on its standard error, ŝ √((B - 1) / χ²_{0.05, B-1}): 1.797 / 1.214 = 1.480 with 8 blocks. An end
/// is shown only when its error times this factor is within the limit: an error of at most 0.0845 pp.
public let parameterEndErrorBound: Double = {
    let degrees = Double(SeedBootstrap.blockCount - 1)
    return (degrees / chiSquareQuantile(0.05, df: degrees)).squareRoot() / (twoErrorQuantile(df: SeedBootstrap.blockCount - 1) / 2)
}()

/// `interval` of sigmoid parameter `parameter` (0 L, 1 k, 2 x0, 3 b), with more than 3 seeds, with
/// its ends placed on the `pilot` bootstrap's interval (`placingFittedEnds`), the limit for k being
/// `parameterEndRelativePrecision` of the pilot's end. Withheld ends lie where the parameters are
/// poorly identified: the refits spread along a ridge of nearly equal fits towards the fit's bounds
/// (an L that trades against b and x0 when the curve's floor lies beyond the sweep), where few
/// replicates lie and the distribution is flat, and in the 39 contrast dimensions of 40 seeds the
/// Sobol' directions integrate it little better than plain Monte Carlo.
public func placingParameterEnds(_ interval: Interval, parameter: Int, pilot: Interval?) -> Interval {
    placingFittedEnds(interval, pilot: pilot) { parameter == 1 ? parameterEndRelativePrecision * abs($1) : parameterEndPrecision }
}

/// `interval` of a fitted quantity (a threshold, a threshold difference or trend, a sigmoid parameter),
/// with more than 3 seeds, with every end withheld (listed in `imprecise`, its value and error kept)
/// unless the `pilot` bootstrap's interval (the same design on `SeedBootstrap.pilotSeed`; the interval
/// itself when drawn from it) places it: the pilot's end is a number whose Monte Carlo error, bounded
/// from above with 95% confidence (`parameterEndErrorBound`), is at most `limit` of the end (lower or
/// upper) and the pilot's value there (by default `parameterEndPrecision`, 0.125 pp). Which ends are shown is then a function of the runs
/// and the design alone, the same in every stream; each end shown has, with 95% confidence, a standard
/// error between streams of at most the limit. An end the pilot gives no error for (an exact end) is
/// shown.
public func placingFittedEnds(_ interval: Interval, pilot: Interval?,
                              limit: (IntervalEnd, Double) -> Double = { _, _ in parameterEndPrecision }) -> Interval {
    func withheld(_ end: IntervalEnd) -> Bool {
        guard (end == .lower ? interval.lower : interval.upper) != nil else { return false }
        guard let pilot, let pilotEnd = end == .lower ? pilot.lower : pilot.upper else { return true }
        guard let error = end == .lower ? pilot.monteCarloError?.lower : pilot.monteCarloError?.upper else { return false }
        return error * parameterEndErrorBound > limit(end, pilotEnd)
    }
    let ends = [IntervalEnd.lower, .upper].filter(withheld)
    guard !ends.isEmpty else { return interval }
    return Interval(lower: interval.lower, upper: interval.upper, monteCarloError: interval.monteCarloError,
                    undetermined: interval.undetermined, movedToEstimate: interval.movedToEstimate, imprecise: ends)
}

/// `estimate` with its interval's ends placed on the pilot's interval `pilot` (`placingFittedEnds`;
/// nil: the pilot has none, so every end is withheld).
func placingFittedEnds(_ estimate: Estimate, pilot: Interval?) -> Estimate {
    guard let interval = estimate.interval else { return estimate }
    return Estimate(value: estimate.value, interval: placingFittedEnds(interval, pilot: pilot), bound: estimate.bound)
}

/// Names of the sigmoid parameters whose estimate or interval reaches the study's bounds
/// for a sweep up to `largestFraction` (`SigmoidFitBounds.reaches`).
func parametersAtBounds(_ p: SigmoidParameters, intervals: [Interval?], largestFraction: Double) -> [String] {
    let values = [p.amplitude, p.steepness, p.midpoint, p.floor]
    return ["L", "k", "x0", "b"].indices.compactMap { j in
        let near = { (v: Double) in SigmoidFitBounds.study(largestFraction: largestFraction).reaches(v, parameter: j) }
        let interval = j < intervals.count ? intervals[j] : nil
        let touches = near(values[j]) || (interval?.lower).map(near) == true || (interval?.upper).map(near) == true
        return touches ? ["L", "k", "x0", "b"][j] : nil
    }
}

/// 1 / (1 + exp(k (x - x0))): the share of the fitted drop still ahead at x.
private func remainingDrop(_ p: SigmoidParameters, at x: Double) -> Double {
    1 / (1 + exp(p.steepness * (x - p.midpoint)))
}
