import Foundation
import PoisoningAttacks
import PoisoningData
import PoisoningDefenses
import PoisoningModels
import PoisoningTheory
import PoisoningUtilities

/// The version of the engine's arithmetic: a run's result is a function of its settings, its data
/// and this version. It must change whenever a change to the engine changes any run's result (a
/// kernel's order of operations, a random stream, a metric), so that stored results of the old
/// arithmetic are never mistaken for results of the new. History: 1, tool 0.3.0; 2, DP-SGD's clipped
/// gradient computed for the whole batch (per-example norms by the outer-product identity), which
/// changes the order of its sums; 3, the input-gradient penalty computed for the whole batch in Float
/// (it was per example in Double); 4, issue 20: informed attacks' surrogates with a seed of their own,
/// class-flip's budget a share of the training set, saturated budgets flagged, in-range backdoor
/// triggers and Turner et al.'s clean-label perturbation, feature collision's scaled β, activation
/// clustering per Chen et al., k-NN relabel per Paudice et al., TPR at 5% FPR, and the accountant's
/// fractional orders; 5, gradient canceling records a label-flip target's gradient on its own rows
/// (`targetGradientNorm`); 6, gradient canceling's softmax-regression victim is trained on to
/// convergence and every targeted run records its gradient norm (`victimGradientNorm`), and the
/// norm of the target's last layer (`targetNorm`); 7, distances between models (`targetShift`,
/// `targetDistance`, a target's `distance`) and `targetNorm` centre the last layer (its class-sum
/// direction, which predictions ignore, removed), and the linear SVM's dual coordinate descent visits
/// the rows in a seeded random order with shrinking, stops once the projected gradients' spread
/// PGmax − PGmin (liblinear's rule) and their size are within its tolerance (stricter than liblinear), and
/// makes at most 1,000,000 passes by default; 8, gradient canceling's descent is by default L-BFGS
/// (5 pairs) with each step chosen by an Armijo line search on the paper's objective (at most 12 halvings, stopping
/// after 3 stalled steps, recorded as `descentStalled`, or after Algorithm 1's 1 + steps evaluations), Algorithm 1's SGD with momentum an option
/// (`optimizer`), and either stops once the mixed gradient is at most 1e-5 of the clean one; and a series under an
/// input-gradient penalty of λ 0 (which trains as no defense) records `inputCurvatureTopPoisonedBaseline`;
/// 9, gradient canceling cancels the weights' gradient only by default (`cancel`, as the authors' code),
/// recording the biases' leftover (`biasGradientRatio`) and when L-BFGS ran out of evaluations (`descentExhausted`);
/// 10, with `cancel: weights` it records the weights-only threshold of its target (`weightsOnlyThreshold`).
public let engineVersion = "10"

// Here rather than beside `MetricKey` (PoisoningUtilities): the Rényi order's range is the accountant's
// `renyiOrders` (PoisoningModels).
extension MetricKey {
    /// The values a metric can take: the gap and an attack's excess over the clean model lie in
    /// [-1, 1]; the loss, the stopping epoch, ε, a threshold τ or τ_w, gradient norms, parameter distances and
    /// input-curvature eigenvalues in [0, `largestUnboundedValue`]; the Rényi order in
    /// [1.1, 1024] (`renyiOrders`); every other metric (accuracies, precision, recall, AUROC, removed
    /// fraction, TPR at 5% FPR, the attacks' success rates) is a rate in [0, 1].
    public static func validRange(of key: String) -> ClosedRange<Double> {
        switch key {
        case generalizationGap: -1...1
        case finalLoss, stoppingEpoch, privacyEpsilon, poisonabilityThreshold, targetShift, cleanGradientNorm, mixedGradientNorm,
             targetGradientNorm, victimGradientNorm, targetNorm, targetDistance, biasGradientRatio, weightsOnlyThreshold, laterLayersGradientRatio:
                0...largestUnboundedValue
        // The largest eigenvalue of an input Hessian: at least 0 for a network's cross-entropy (positive
        // semi-definite), but below 0 where kernel ridge's squared error is concave in the input.
        case inputCurvatureTopClean, inputCurvatureTopTriggered, inputCurvatureTopPoisoned, inputCurvatureTopPoisonedBaseline:
                -largestUnboundedValue...largestUnboundedValue
        // Power iteration's relative residuals (at most about 1: ‖H u - λ u‖ ≤ ‖H u‖) and its counts of
        // unconverged eigenpairs and rows.
        case inputCurvatureResidual, inputCurvatureUnconverged, inputCurvatureFilterResidual, inputCurvatureFilterUnconverged:
                0...largestUnboundedValue
        case privacyOrder: renyiOrders.min()!...renyiOrders.max()!
        case _ where key.hasSuffix(excessSuffix): -1...1
        default: 0...1
        }
    }
}

/// The outcome of one run. `metrics` is nil, and `divergence` says why, when the loss became NaN
/// or infinite, or when the attack failed for a reason of its own (`failure`); such a run is never
/// averaged in.
public struct RunResult: Sendable, Codable, Equatable {
    /// Poison fraction asked for.
    public let fraction: Double
    /// Index of the series (model, attack, defense).
    public let series: Int
    /// Seed.
    public let seed: UInt64
    /// Number of training rows the attack poisoned.
    public let poisonedCount: Int
    /// poisonedCount / training rows: the fraction actually realised.
    public let realisedFraction: Double
    /// The run's measurements by `MetricKey` (a metric that is undefined for the run is absent);
    /// nil when it diverged.
    public let metrics: [String: Double]?
    /// Why the run has no metrics, e.g. "loss became non-finite at epoch 3 (lr 10)".
    public let divergence: String?
    /// True when the attack's budget asked for more rows than it may touch (`PoisonedTrainingSet.saturated`);
    /// absent (nil) otherwise. Fits and thresholds leave saturated budgets out.
    public let saturated: Bool?
    /// Why the run's attack failed for a reason of its own (`PoisoningAttack.failure`, e.g. a solve
    /// that stopped short of its tolerance), when it did: the run then has no metrics, and its
    /// `divergence` is `failureMessage` of this reason. Nil (absent) for a run that finished or
    /// diverged, so that a failed run is told from a diverged one by this field, never by its message.
    public let failure: String?
    /// In a study with targets (`targets:`), each target made from the run seed's clean model and
    /// measured, in the study's order (`TargetMeasurement`), whether the run finished or not; nil
    /// (absent) in a study without targets, and for a model that cannot have targets (kernel ridge).
    public let targets: [TargetMeasurement]?

    /// The outcome of one run: `metrics` when it finished, `divergence` when it did not, with the
    /// attack's `failure` when it failed rather than diverged.
    public init(fraction: Double, series: Int, seed: UInt64, poisonedCount: Int, realisedFraction: Double,
                metrics: [String: Double]?, divergence: String?, saturated: Bool = false, targets: [TargetMeasurement]? = nil,
                failure: String? = nil) {
        self.fraction = fraction
        self.series = series
        self.seed = seed
        self.poisonedCount = poisonedCount
        self.realisedFraction = realisedFraction
        self.metrics = metrics
        self.divergence = divergence
        self.saturated = saturated ? true : nil
        self.targets = targets
        self.failure = failure
    }

    /// Whether the attack's budget was saturated (`saturated`).
    public var isSaturated: Bool { saturated == true }

    /// The `divergence` of the run of `seriesLabel`, `fraction` and `seed` whose attack failed for
    /// `reason` (a solve that stopped short, not a loss that became non-finite): "run L, fraction F,
    /// seed S failed: reason".
    public static func failureMessage(seriesLabel: String, fraction: Double, seed: UInt64, reason: String) -> String {
        "run \(seriesLabel), fraction \(fraction), seed \(seed) failed: \(reason)"
    }

    /// Whether the run's attack failed (it has a `failure`) rather than the run diverged or finished.
    public var hasFailed: Bool { failure != nil }

    /// Whether this is the run `spec` describes: the same fraction (bit for bit: -0.0 is not 0.0, as
    /// the run store's keys tell them apart), series and seed.
    public func matches(_ spec: RunSpec) -> Bool {
        fraction.bitPattern == spec.fraction.bitPattern && series == spec.series && seed == spec.seed
    }

    /// Why this cannot be the outcome of a run of a study with `trainingRows` training rows whose
    /// series may record the metrics `recordable`, or nil; either is skipped when not known. A run
    /// has metrics or the reason it diverged, not both; its metrics are those every run records, and
    /// others its series can record (its attack's and its defense's), each in its
    /// `MetricKey.validRange`, with the gap trainAccuracy - testAccuracy as the run computes it, to
    /// within the rounding its numbers show (`gapTolerance`); its poisoned count is at most its fraction's budget of the training rows
    /// (`poisonCount`), and its realised fraction is that count's share. These are the checks a reader
    /// can make without training the run again: a metric of its attack or defense that was removed
    /// passes (such metrics are legitimately absent when undefined), and so does a poisoned count
    /// lowered within the budget (the count depends on the attack, the data and the seed, and only
    /// the run can tell it).
    public func problem(trainingRows: Int?, recordable: Set<String>?) -> String? {
        if saturated == false { return "its saturated flag is false (a run records it only when true)" }
        if let problem = targets?.lazy.compactMap(\.problem).first { return "its target \(problem)" }
        if let failure, failure.isEmpty || divergence == nil {
            return "it names its attack's failure but \(failure.isEmpty ? "gives no reason" : "not the message of a run that stopped")"
        }
        if let metrics {
            if let problem = metricsProblem(metrics, recordable: recordable) { return problem }
        } else if divergence == nil {
            return "it has neither metrics nor the reason it diverged"
        }
        guard poisonedCount >= 0, realisedFraction.isFinite, realisedFraction >= 0, realisedFraction <= 1 || fraction > 1 else {
            return "its poisoned count \(poisonedCount) or realised fraction \(realisedFraction) is impossible"
        }
        // Every attack poisons at most its budget, round(fraction · training rows) (an attack that adds
        // rows adds that many, beyond the training rows when the fraction exceeds 1; a saturated one, or
        // one whose victim trains on a part of the rows, fewer).
        if let trainingRows, poisonedCount > poisonCount(fraction: fraction, of: trainingRows) {
            return "its poisoned count \(poisonedCount) exceeds the \(poisonCount(fraction: fraction, of: trainingRows)) rows its fraction "
                + "\(fraction) asks of \(trainingRows) training rows"
        }
        if let trainingRows, realisedFraction != Double(poisonedCount) / Double(trainingRows) {
            return "its realised fraction \(realisedFraction) is not its \(poisonedCount) poisoned rows' share"
        }
        if isSaturated, let trainingRows, poisonedCount >= poisonCount(fraction: fraction, of: trainingRows) {
            return "it is marked saturated, yet it poisoned all \(poisonedCount) rows its budget asked for"
        }
        return nil
    }

    /// Why `metrics`, this run's, cannot be a finished run's (see `problem`), or nil.
    private func metricsProblem(_ metrics: [String: Double], recordable: Set<String>?) -> String? {
        guard divergence == nil else { return "it has both metrics and the reason it diverged" }
        if let missing = MetricKey.recordedByEveryRun.first(where: { metrics[$0] == nil }) { return "it has no \(missing)" }
        if let recordable, let unknown = metrics.keys.sorted().first(where: { !recordable.contains($0) }) {
            return "it has \(metricName(unknown)), a metric its series does not record"
        }
        if let (key, value) = firstMetricOutOfRange {
            return "its \(metricName(key)) is \(value), outside \(MetricKey.validRange(of: key))"
        }
        let (train, test, gap) = (metrics[MetricKey.trainAccuracy]!, metrics[MetricKey.testAccuracy]!, metrics[MetricKey.generalizationGap]!)
        let tolerance = gapTolerance(train, test, gap)
        guard abs(gap - (train - test)) <= tolerance else {
            return "its generalizationGap is \(gap), expected its trainAccuracy \(train) - testAccuracy \(test) = \(train - test) "
                + "(to within \(String(format: "%.3g", tolerance)), the rounding its numbers show)"
        }
        return nil
    }

    /// The first metric (by key) outside its `MetricKey.validRange`, or nil.
    public var firstMetricOutOfRange: (key: String, value: Double)? {
        (metrics ?? [:]).sorted { $0.key < $1.key }.first { !MetricKey.validRange(of: $0.key).contains($0.value) }
            .map { (key: $0.key, value: $0.value) }
    }

    /// The same outcome with `metrics` (a finished run's, with metrics derived from other runs).
    public func withMetrics(_ metrics: [String: Double]) -> RunResult {
        RunResult(fraction: fraction, series: series, seed: seed, poisonedCount: poisonedCount, realisedFraction: realisedFraction,
                  metrics: metrics, divergence: divergence, saturated: isSaturated, targets: targets, failure: failure)
    }

    /// The same outcome, as series `series` of another study of the same run.
    public func withSeries(_ series: Int) -> RunResult {
        RunResult(fraction: fraction, series: series, seed: seed, poisonedCount: poisonedCount, realisedFraction: realisedFraction,
                  metrics: metrics, divergence: divergence, saturated: isSaturated, targets: targets, failure: failure)
    }
}

/// The most by which a run's gap may differ from its trainAccuracy - testAccuracy when the three
/// numbers are read back from text: each written with at most D decimals (D the most any of them
/// shows in its shortest exact form, and at least 3) is off by at most half a unit of the D-th
/// decimal, so their difference by 1.5 units; plus 4 units in the last place of 1, for the binary
/// subtraction. A results file rounded to 4 decimals (a pandas round trip) passes with 1.5e-4, one
/// rounded to 3 with 1.5e-3; numbers written in full, as make-report and Python write them, have 16
/// or more decimals, and the check stays exact to about 1e-15. A fixed 1e-6 would refuse the rounded
/// file (its gap can be off by 1e-4), and half a unit would refuse some of them too. Coarser rounding
/// is refused: accuracies of 0.9 and 0.9 do not make a gap of 0.1 possible.
func gapTolerance(_ values: Double...) -> Double {
    let decimals = max(3, values.map(decimalPlaces).max() ?? 0)
    return 1.5 * pow(10, -Double(decimals)) + 4 * Double.ulpOfOne
}

/// The decimals of `value`'s shortest text that reads back as it (Swift's `description`), e.g. 4
/// for 0.1235, 9 for 1.2345e-05, 0 for 1.0.
func decimalPlaces(_ value: Double) -> Int {
    guard value.isFinite else { return 0 }
    let parts = value.description.lowercased().split(separator: "e")
    let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
    let fraction = parts[0].split(separator: ".").dropFirst().first.map { $0.reversed().drop { $0 == "0" }.count } ?? 0
    return max(0, fraction - exponent)
}

/// A metric's key for a message: as it is when it is a short identifier, else quoted as
/// `quotedUserText` quotes it (a tampered file may hold any key).
private func metricName(_ key: String) -> String {
    if key.count <= 40, key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) { return key }
    return quotedUserText(key)
}

extension RunResult {
    /// Why this finished run's metrics cannot be the counts of rows they are shares of, in a study
    /// with `trainingRows` training and `testRows` test rows, or nil: a check that a stored run must
    /// pass besides `problem`, so that a forged but self-consistent entry (its checksum recomputed)
    /// is unlikely to pass. The run computes each of these metrics as a whole number of rows over a
    /// whole number of rows, so: testAccuracy is k / testRows; trainAccuracy and trainCleanAccuracy
    /// are shares of one count of training rows, at most `trainingRows` plus the rows the attack
    /// poisoned (an attack may add rows), so the least common multiple of their smallest
    /// denominators is at most that; removedFraction and detectionPrecision likewise, and
    /// detectionRecall has a denominator of at most the poisoned count. detectionPrecision is
    /// present exactly when removedFraction is above 0, detectionRecall exactly when rows were
    /// poisoned, and neither without removedFraction. Counts above 2^25 rows are not checked (their
    /// shares are no longer told apart by their doubles alone).
    public func countProblem(trainingRows: Int, testRows: Int) -> String? {
        guard let metrics, divergence == nil else { return nil }
        let rowBound = trainingRows + max(poisonedCount, 0)
        guard testRows > 0, rowBound <= maximumCheckedRowCount else { return nil }
        if let test = metrics[MetricKey.testAccuracy], !isShare(test, of: testRows) {
            return "its testAccuracy \(test) is not a whole number of its study's \(testRows) test rows"
        }
        let trainShares = [MetricKey.trainAccuracy, MetricKey.trainCleanAccuracy].compactMap { metrics[$0] }
        if let rows = commonDenominator(trainShares, atMost: rowBound), rows > rowBound || rows == 0 {
            return "its trainAccuracy and trainCleanAccuracy are not shares of one count of at most \(rowBound) training rows"
        }
        let removed = metrics[MetricKey.removedFraction]
        let precision = metrics[MetricKey.detectionPrecision], recall = metrics[MetricKey.detectionRecall]
        guard let removed else {
            if precision != nil || recall != nil { return "it has detection metrics without removedFraction" }
            return nil
        }
        if (precision != nil) != (removed > 0) {
            return "it has \(precision == nil ? "no" : "a") detectionPrecision with removedFraction \(removed)"
        }
        if (recall != nil) != (poisonedCount > 0) {
            return "it has \(recall == nil ? "no" : "a") detectionRecall with \(poisonedCount) poisoned rows"
        }
        if commonDenominator([removed], atMost: rowBound) == 0 || precision.map({ commonDenominator([$0], atMost: rowBound) == 0 }) == true {
            return "its removedFraction or detectionPrecision is not a share of at most \(rowBound) training rows"
        }
        if let recall, commonDenominator([recall], atMost: poisonedCount) == 0 {
            return "its detectionRecall \(recall) is not a share of its \(poisonedCount) poisoned rows"
        }
        return nil
    }
}

/// The largest count of rows `RunResult.countProblem` checks shares of: 2^25. Two fractions with
/// denominators at most this differ by more than 2^-50, four times the largest rounding error of a
/// double in [0, 1], so a share's double names its fraction.
let maximumCheckedRowCount = 1 << 25

/// Whether `value` is a whole number of `count` (Double(k) / Double(count), as the run computes it).
func isShare(_ value: Double, of count: Int) -> Bool {
    let whole = (value * Double(count)).rounded()
    return whole >= 0 && whole <= Double(count) && Double(Int(whole)) / Double(count) == value
}

/// The least common multiple of the smallest denominators of `values` (each a double in [0, 1]
/// that is p / q, computed in doubles, with q at most `bound`), 0 when one of them is no such
/// fraction, or nil when `values` is empty.
func commonDenominator(_ values: [Double], atMost bound: Int) -> Int? {
    guard !values.isEmpty else { return nil }
    var result = 1
    for value in values {
        guard let denominator = smallestDenominator(of: value, atMost: bound) else { return 0 }
        result = result / gcd(result, denominator) * denominator
        if result > bound { return result }
    }
    return result
}

/// The smallest q ≤ `bound` (at most `maximumCheckedRowCount`) such that Double(p) / Double(q) is
/// `value` for some whole p, or nil. By Legendre's theorem the fraction is a convergent of the
/// continued fraction of `value` (it lies within 2^-53 of it, below 1 / (2 q²)), so the
/// convergents are tried in turn, computed exactly from `value`'s binary fraction.
func smallestDenominator(of value: Double, atMost bound: Int) -> Int? {
    guard value >= 0, value <= 1, bound >= 1 else { return nil }
    if value == 0 || value == 1 { return 1 }
    guard value >= 0.5 / Double(bound) else { return nil }
    // value = numerator / 2^shift exactly, shift at most 53 + 26.
    let shift = 52 - Int(value.exponent)
    var (numerator, denominator) = (UInt128(value.significandBitPattern | (1 << 52)), UInt128(1) << shift)
    var (p0, q0, p1, q1): (UInt128, UInt128, UInt128, UInt128) = (0, 1, 1, 0)
    while denominator != 0 {
        let term = numerator / denominator
        (numerator, denominator) = (denominator, numerator % denominator)
        (p0, q0, p1, q1) = (p1, q1, term * p1 + p0, term * q1 + q0)
        guard q1 <= UInt128(bound) else { return nil }
        if Double(p1) / Double(q1) == value { return Int(q1) }
    }
    return nil
}

/// The greatest common divisor of two positive integers.
private func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }

extension RunResult {
    /// Whether the run's retrained victim is converged: its `victimGradientNorm` at most
    /// `MetricKey.victimGradientTolerance`, or not recorded (no victim retrained to a target).
    public var victimConverged: Bool {
        (metrics?[MetricKey.victimGradientNorm]).map { $0 <= MetricKey.victimGradientTolerance } ?? true
    }

    /// The run's value of metric `key` as it enters means and intervals over seeds: nil for a
    /// converged-victim metric (`MetricKey.convergedVictimKeys`) of a run whose victim is not
    /// converged (`victimConverged`), else `metrics[key]`.
    public func countedMetric(_ key: String) -> Double? {
        MetricKey.convergedVictimKeys.contains(key) && !victimConverged ? nil : metrics?[key]
    }
}
