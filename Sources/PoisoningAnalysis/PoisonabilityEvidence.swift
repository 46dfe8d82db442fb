import Foundation
import PoisoningEngine
import PoisoningTheory

/// What the runs of one gradient-canceling series show about the poisonability threshold of Lu,
/// Kamath and Yu (2023), the one that applies to the series (`StudyResults.applicableThreshold(of:)`:
/// the weights-only τ_w under `cancel: weights`, τ under `cancel: weights-and-bias`; "τ" below stands
/// for either): τ per seed (the median of its runs'); per run at a positive fraction ε_d, the mixed
/// gradient's norm relative to the clean one beside the τ that run records (τ_w depends on the labels
/// the run's poisons keep, so each run is judged by its own); per swept positive fraction the mean over seeds of
/// that ratio and the per-seed differences between the retrained victim's and the target's test
/// accuracy (gradient canceling's empirical behaviour, which τ does not predict); and how far the
/// target is from stationary on the rows it was trained on.
public struct PoisonabilityEvidence: Sendable, Equatable {
    /// One swept positive fraction, over the seeds that finished.
    public struct FractionEvidence: Sendable, Equatable {
        /// The poison budget ε_d.
        public let fraction: Double
        /// The mean of ‖g(clean rows and poisons; w_target)‖ / ‖g(clean rows; w_target)‖.
        public let gradientRatio: Double
        /// Per seed, the victim's test accuracy minus its target's (paired by seed).
        public let accuracyDifferences: [Double]

        /// One fraction's evidence.
        public init(fraction: Double, gradientRatio: Double, accuracyDifferences: [Double]) {
            self.fraction = fraction
            self.gradientRatio = gradientRatio
            self.accuracyDifferences = accuracyDifferences
        }
    }

    /// One run at a positive fraction whose seed's target has a threshold.
    public struct RunEvidence: Sendable, Equatable {
        /// The run's seed.
        public let seed: UInt64
        /// The poison budget ε_d, the τ the run records, and the mixed/clean gradient ratio.
        public let fraction, tau, gradientRatio: Double
        /// Below τ, the floor every poison set keeps the mixed gradient above, as a share of the clean
        /// gradient (`floorRatio`); nil at or above τ or without the target's norm.
        public let boundRatio: Double?

        /// One run's evidence.
        public init(seed: UInt64, fraction: Double, tau: Double, gradientRatio: Double, boundRatio: Double? = nil) {
            self.seed = seed
            self.fraction = fraction
            self.tau = tau
            self.gradientRatio = gradientRatio
            self.boundRatio = boundRatio
        }

        /// The floor of the mixed gradient below τ over the clean one: every row has
        /// ⟨θ, ∇ℓ⟩ = ⟨h, p − y⟩ ≥ −W₀((c − 1)/e) (θ the last layer, h its logits), so over n clean rows
        /// and m poisons ⟨θ, v⟩ ≥ W₀((c − 1)/e)(τ − m/n) · n/(n + m) for the mean gradient v over the
        /// n + m rows, and by Cauchy–Schwarz ‖v‖ ≥ W₀((c − 1)/e)(τ − m/n)/‖θ‖ · n/(n + m), with θ
        /// centred (`targetNorm`: v has no class-sum component, so ⟨θ, v⟩ is the centred θ's); divided by
        /// ‖g(μ)‖. Nil at or above τ.
        public static func floorRatio(tau: Double, clean n: Int, poisons m: Int, classes: Int, targetNorm: Double, cleanGradientNorm: Double) -> Double? {
            let budget = Double(m) / Double(n)
            guard budget < tau, targetNorm > 0, cleanGradientNorm > 0 else { return nil }
            return lambertW0(Double(classes - 1) / M_E) * (tau - budget) / targetNorm * Double(n) / Double(n + m) / cleanGradientNorm
        }
    }

    /// τ of each seed whose target has a threshold: the median of the thresholds its runs record.
    public let taus: [Double]
    /// The runs at positive fractions that record a τ, each beside its own.
    public let runs: [RunEvidence]
    /// The seeds whose target has none (⟨W, G⟩ ≤ 0).
    public let seedsWithoutThreshold: Int
    /// The threshold's symbol in sentences: "τ_w" or "τ" (`thresholdSymbol(cancelsBias:)`).
    public let symbol: String
    /// The target's mean test accuracy over the seeds.
    public let targetAccuracy: Double
    /// The swept positive fractions, ascending.
    public let fractions: [FractionEvidence]
    /// The confidence of the intervals.
    public let confidence: Double
    /// The test rows each accuracy is measured on.
    public let testRows: Int
    /// The effect of interest and power that seed planning uses.
    public let planning: PlanningSettings
    /// Over the seeds, the largest ‖g(the target's own training rows; w)‖ / ‖g(clean rows; w)‖; nil
    /// when the target is not trained on rows (GradPC).
    public let targetGradientRatio: Double?

    /// The evidence of one series.
    public init(taus: [Double], runs: [RunEvidence], seedsWithoutThreshold: Int, targetAccuracy: Double, fractions: [FractionEvidence],
                confidence: Double = 0.95, testRows: Int, planning: PlanningSettings = PlanningSettings(), targetGradientRatio: Double? = nil,
                symbol: String = "τ") {
        self.taus = taus
        self.runs = runs
        self.seedsWithoutThreshold = seedsWithoutThreshold
        self.symbol = symbol
        self.targetAccuracy = targetAccuracy
        self.fractions = fractions.sorted { $0.fraction < $1.fraction }
        self.confidence = confidence
        self.testRows = testRows
        self.planning = planning
        self.targetGradientRatio = targetGradientRatio
    }

    /// The evidence of series `series` of `results` (a gradient-canceling series): per run at a positive
    /// fraction the threshold that applies (`StudyResults.applicableThreshold(of:)`) as that run records
    /// it (τ is the same at every fraction; τ_w depends on the labels the run's poisons keep, drawn per
    /// run), per seed the median of its runs', the ratios and accuracies per fraction from the finished
    /// runs there that record a threshold (the table labels each fraction by its runs' side of their own,
    /// so a run without one, ⟨W, G⟩ ≤ 0, is left out rather than averaged in).
    public init(_ results: StudyResults, series: Int) {
        let runs = results.runs.filter { $0.series == series && $0.metrics != nil }.sorted { ($0.fraction, $0.seed) < ($1.fraction, $1.seed) }
        let smallest = runs.map(\.fraction).min() ?? 0
        let firstRuns = runs.filter { $0.fraction == smallest }
        // As `TargetBudget`'s: the median of the seed's runs at positive fractions (τ_w depends on the poisons' labels).
        let positive = runs.filter { $0.fraction > 0 }
        let seeds = Set(positive.map(\.seed)).sorted()
        let taus = seeds.compactMap { seed in median(positive.filter { $0.seed == seed }.compactMap { results.applicableThreshold(of: $0) }) }
        let ratio = { (m: [String: Double]) in m[MetricKey.mixedGradientNorm].flatMap { mixed in m[MetricKey.cleanGradientNorm].map { mixed / $0 } } }
        let runEvidence = runs.filter { $0.fraction > 0 }.compactMap { run -> RunEvidence? in
            guard let tau = results.applicableThreshold(of: run), let metrics = run.metrics, let value = ratio(metrics) else { return nil }
            // The floor bounds the gradient over every parameter: none for runs that leave the biases' out (`biasGradientRatio`).
            let bound = metrics[MetricKey.biasGradientRatio] != nil ? nil : metrics[MetricKey.targetNorm].flatMap { norm in metrics[MetricKey.cleanGradientNorm].flatMap { clean in
                RunEvidence.floorRatio(tau: tau, clean: results.data.trainCount, poisons: run.poisonedCount, classes: results.data.classCount,
                                       targetNorm: norm, cleanGradientNorm: clean)
            } }
            return RunEvidence(seed: run.seed, fraction: run.fraction, tau: tau, gradientRatio: value, boundRatio: bound)
        }
        let targets = firstRuns.compactMap { $0.metrics?[MetricKey.targetAccuracy] }
        let fractions = Set(runs.map(\.fraction)).filter { $0 > 0 }.sorted().map { fraction in
            // Only the runs that record a threshold: a run without one lies on neither side of it.
            let here = runs.filter { $0.fraction == fraction && results.applicableThreshold(of: $0) != nil }.compactMap(\.metrics)
            return FractionEvidence(fraction: fraction, gradientRatio: averageOf(here.compactMap(ratio)),
                                    accuracyDifferences: here.compactMap { m in
                                        m[MetricKey.testAccuracy].flatMap { victim in m[MetricKey.targetAccuracy].map { victim - $0 } }
                                    })
        }
        let ownRatios = firstRuns.compactMap(\.metrics).compactMap { m in
            m[MetricKey.targetGradientNorm].flatMap { own in m[MetricKey.cleanGradientNorm].map { own / $0 } }
        }
        self.init(taus: taus, runs: runEvidence, seedsWithoutThreshold: seeds.count - taus.count, targetAccuracy: averageOf(targets),
                  fractions: fractions, confidence: results.statistics.confidence, testRows: results.data.testCount,
                  planning: results.config.planning, targetGradientRatio: ownRatios.max(), symbol: results.thresholdSymbol(series: series))
    }

    /// The mixed/clean gradient ratio below which the mixture counts as stationary at the target (the
    /// attack's own rule, `GradientCanceling.cancelledRatio`), and above which a target's gradient on
    /// its own training rows counts as not stationary.
    public static let cancelledRatio = 1e-3
    /// The margin δ above τ within which a seed's first cancelled budget counts as cancellation at τ
    /// (`TargetBudget`'s verdict judges the paired interval of (budget − τ)/τ against it), since just above τ the poison sets that reach the target are few (right at τ
    /// every poison must sit at the same margin) and may lie outside the clean rows' range, and a
    /// descent from clean rows needs room to find one; with `cancel: weights-and-bias` τ is only
    /// necessary and the margin does not cover the biases' extra condition.
    public static let judgedMargin = 0.25

    /// The fractions at which every run lies below the τ it records, and those at which every run lies
    /// above it (none without a τ), for the table.
    public var sides: (below: [FractionEvidence], above: [FractionEvidence]) {
        let here = { (point: FractionEvidence) in runs.filter { $0.fraction == point.fraction } }
        return (fractions.filter { point in !here(point).isEmpty && here(point).allSatisfy { $0.fraction < $0.tau } },
                fractions.filter { point in !here(point).isEmpty && here(point).allSatisfy { $0.fraction > $0.tau } })
    }

    /// The mean over the runs at `point` of ε_d/τ, each run's own τ.
    func inTau(_ point: FractionEvidence) -> Double {
        averageOf(runs.filter { $0.fraction == point.fraction }.map { $0.fraction / $0.tau })
    }

    /// The runs below the τ they record.
    var runsBelowTau: [RunEvidence] { runs.filter { $0.fraction < $0.tau } }

    /// The runs below the τ they record whose mixed/clean ratio is at most `cancelledRatio`, least
    /// fraction/τ first: each goes against the prediction (below the threshold no poison set brings the
    /// mixed gradient to 0; where computed, the floor is W₀((c − 1)/e)(τ − ε_d)/‖θ‖ · n/(n + m) of it,
    /// which tends to 0 as ε_d nears τ, so a run just below τ may reach `cancelledRatio` legitimately).
    public var contradictingRuns: [RunEvidence] {
        runsBelowTau.filter { $0.gradientRatio <= Self.cancelledRatio }.sorted { $0.fraction / $0.tau < $1.fraction / $1.tau }
    }

    /// Below τ, the run closest to its floor (`RunEvidence.floorRatio`): its measured ratio beside its
    /// bound. Nil without bounds. The floor holds for every poison set, so staying above it below τ
    /// is a consistency check of the bound and of the measurement, not a test of the paper.
    var consistencyText: String? {
        let bounded = runsBelowTau.filter { $0.boundRatio != nil }
        guard let closest = bounded.min(by: { $0.gradientRatio / $0.boundRatio! < $1.gradientRatio / $1.boundRatio! }),
              let bound = closest.boundRatio else { return nil }
        return "a consistency check, which cannot fail: below τ no poison set brings the mixed gradient under "
            + "W₀((c − 1)/e)(τ − ε_d)/‖θ‖ · n/(n + m), θ the target's last layer centred; closest to it, seed \(closest.seed) at \(percent(closest.fraction)) measures "
            + "\(ratioText(closest.gradientRatio)) of the clean gradient against the bound \(ratioText(bound))"
    }

    /// One sentence when a run below its own τ is cancelled (`contradictingRuns`), naming the one
    /// deepest below τ, hedged as `TargetBudget`'s verdict is: below τ the mixed gradient cannot reach
    /// 0, but its floor tends to 0 as ε_d nears τ (and for τ_w none is computed), so a cancelled run goes
    /// against the prediction unless that floor is under `cancelledRatio` there; nil when none is.
    var contradictionSentence: String? {
        let runs = contradictingRuns
        guard let deepest = runs.first else { return nil }
        return "In parameter space the runs go against the prediction: \(runs.count) run\(runs.count == 1 ? "" : "s") below the \(symbol) "
            + "\(runs.count == 1 ? "it records" : "they record") bring\(runs.count == 1 ? "s" : "") the mixed gradient to \(ratioText(Self.cancelledRatio)) "
            + "of the clean one or less (deepest: seed \(deepest.seed) at \(percent(deepest.fraction)) = "
            + "\(fixed(deepest.fraction / deepest.tau, decimals: 2)) \(symbol), \(symbol) = \(percent(deepest.tau)), leaves \(ratioText(deepest.gradientRatio)) of it); "
            + "below \(symbol) no poison set brings it to 0, but the floor tends to 0 as ε_d nears \(symbol)"
            + (symbol == "τ" ? "" : " and none is computed for \(symbol)") + ", so this contradicts \(symbol) unless that floor is under "
            + "\(ratioText(Self.cancelledRatio)) of the clean gradient there."
    }

    /// One sentence on parameter space below τ, from the numbers it quotes: a run cancelled below its
    /// seed's τ (`contradictionSentence`), else how far every run there stays from cancelling (the
    /// verdict on cancellation above τ is `TargetBudget`'s).
    public var parameterSpaceSentence: String {
        guard !taus.isEmpty else {
            guard seedsWithoutThreshold > 0 else {
                return "No run at a positive budget finished, so no \(symbol) was computed and the runs show nothing of parameter space."
            }
            return "No seed's target has a threshold (the product of its weights and its clean gradient is at most 0), "
                + "so the paper predicts no floor for the mixed gradient."
        }
        if let contradiction = contradictionSentence { return contradiction }
        guard let floor = runsBelowTau.min(by: { $0.gradientRatio < $1.gradientRatio }) else {
            return "No run lies below the \(symbol) it records, so the runs do not show the floor below it; sweep fractions on both sides of \(symbol)"
                + (taus.max().map { fractionCapClause(threshold: $0, symbol: symbol) } ?? "") + "."
        }
        return "In parameter space, below the \(symbol) it records every run's mixed gradient stays at \(ratioText(floor.gradientRatio)) of the clean one "
            + "or more (least at \(percent(floor.fraction)), \(symbol) = \(percent(floor.tau)))" + (consistencyText.map { " (\($0))" } ?? "") + "."
    }

    /// The victim's accuracy minus the target's at `point`: the mean over seeds and its paired
    /// Student-t interval (spread at least one test row); nil interval with fewer than two seeds.
    public func accuracyDifference(_ point: FractionEvidence) -> (mean: Double, interval: Interval?) {
        (averageOf(point.accuracyDifferences),
         studentTInterval(point.accuracyDifferences, resolution: 1 / Double(testRows), confidence: confidence))
    }

    /// "+0.001 [-0.020, +0.022] at 50.0%".
    func differenceText(_ point: FractionEvidence) -> String {
        let (mean, interval) = accuracyDifference(point)
        let bracket = interval.flatMap { i in i.lower.flatMap { l in i.upper.map { " [\(signed(l)), \(signed($0))]" } } } ?? ""
        return "\(signed(mean))\(bracket) at \(percent(point.fraction))"
    }

    /// Whether the victim is decidedly more accurate than the target at `point` (the interval's lower
    /// end above 0), decidedly no more accurate (its upper end at most 0), or neither (nil).
    func isAboveTarget(_ point: FractionEvidence) -> Bool? {
        guard let interval = accuracyDifference(point).interval, let lower = interval.lower, let upper = interval.upper else { return nil }
        return lower > 0 ? true : upper <= 0 ? false : nil
    }

    /// One sentence on accuracy, from the paired intervals of victim − target it quotes; nil when no
    /// seed's target has a threshold. τ predicts nothing about accuracy (it bounds the budget at which
    /// poisons can make the target's parameters stationary), so the sentence reports gradient
    /// canceling's empirical behaviour, as the paper's Figure 2 shows it: at the largest swept budget
    /// at which every run lies below the τ it records, and the first budget at which every run lies
    /// above it where the victim is no longer more accurate than the target, with whether every larger
    /// such budget agrees (or the first that tells them apart again: "from" would hide it).
    public var accuracySentence: String? {
        guard !taus.isEmpty, let low = runs.map(\.tau).min(), let high = runs.map(\.tau).max() else { return nil }
        let (below, above) = sides
        let opening = "In accuracy (victim − target, paired over seeds, with its \(confidenceText(confidence)) interval; gradient canceling's "
            + "empirical behaviour, as in the paper's Figure 2, which \(symbol) does not predict)"
        guard let last = below.last, !above.isEmpty else {
            return opening + " the runs cannot decide: at no swept budget does every run lie " + (below.isEmpty ? "below its own \(symbol) (the lowest recorded is \(percent(low)))"
                : "above its own \(symbol) (the highest recorded is \(percent(high)))") + "; sweep budgets on both sides of \(symbol)"
                + fractionCapClause(threshold: high, symbol: symbol) + "."
        }
        let belowText: String
        switch isAboveTarget(last) {
        case true?: belowText = "at the largest swept budget at which every run lies below its own \(symbol) the victim is still more accurate than the target (\(differenceText(last)))"
        case false?: belowText = "at the largest swept budget at which every run lies below its own \(symbol) the victim is already no more accurate than the target (\(differenceText(last)))"
        case nil: belowText = "at the largest swept budget at which every run lies below its own \(symbol) the runs cannot tell the victim's accuracy from the target's (\(differenceText(last)), the interval holds 0)"
        }
        let aboveText: String
        if let reached = above.first(where: { isAboveTarget($0) != true }) {
            // "First at", and whether every larger such budget agrees: a larger one may tell them apart again.
            let again = above.first { $0.fraction > reached.fraction && isAboveTarget($0) == true }
            aboveText = "where every run lies above its own \(symbol) it is first " + (isAboveTarget(reached) == false ? "no more accurate than the target" : "not told apart from it")
                + " with \(differenceText(reached)) = \(fixed(inTau(reached), decimals: 2)) \(symbol) (the mean over its runs of ε_d over each run's own \(symbol))"
                + (again.map { ", but more accurate again at \(differenceText($0))" } ?? (above.last!.fraction > reached.fraction ? ", and at every larger such budget too" : ""))
        } else {
            aboveText = "where every run lies above its own \(symbol) it stays more accurate than the target at every budget (\(differenceText(above.last!)))"
        }
        return opening + " " + belowText + "; " + aboveText + "." + (isAboveTarget(last) == nil ? " " + design(last) : "")
    }

    /// What design would decide the difference at `point`: the seeds that resolve the planning effect
    /// at the measured per-seed spread, or the test rows that would with these seeds were that spread
    /// all the test sample's (it shrinks as 1/√rows).
    func design(_ point: FractionEvidence) -> String {
        let k = point.accuracyDifferences.count, mean = averageOf(point.accuracyDifferences)
        let spread = max(k < 2 ? 0 : (point.accuracyDifferences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(k - 1)).squareRoot(),
                         1 / Double(testRows))
        let limit = 200
        let effect = "a difference of \(fixed(planning.effect, decimals: 3)) (the planning effect, "
            + "\(fixed(planning.effect * Double(testRows), decimals: 1)) of the \(testRows) test rows)"
        let power = String(format: "%.0f%% power", planning.power * 100)
        guard let needed = seedsNeeded(effect: planning.effect, sigma: spread, confidence: confidence, power: planning.power, limit: limit) else {
            return "Resolving \(effect) at \(power) needs more than \(limit) seeds at the measured per-seed spread \(fixed(spread, decimals: 3))."
        }
        guard needed > k else {
            return "These \(k) seeds resolve \(effect) at \(power) (per-seed spread \(fixed(spread, decimals: 3))): the measured difference is smaller than that."
        }
        let rows = Int((Double(testRows) * Double(needed) / Double(k)).rounded(.up))
        return "Resolving \(effect) at \(power) needs about \(needed) seeds at the measured per-seed spread \(fixed(spread, decimals: 3)) "
            + "(\(k) were run), or, were that spread all the test sample's (it shrinks as 1/√rows), about \(rows) test rows "
            + "with these \(k) seeds (\(testRows) × \(needed)/\(k))."
    }

    /// One sentence when the target is not stationary on the rows it was trained on (its gradient
    /// there above `cancelledRatio` of the clean gradient at it); nil otherwise.
    public var stationaritySentence: String? {
        guard let own = targetGradientRatio, own > Self.cancelledRatio else { return nil }
        return "The target is not stationary on its own training rows: its gradient there is up to \(ratioText(own)) of the clean "
            + "gradient at it (over the seeds), above the \(ratioText(Self.cancelledRatio)) at which this section counts a mixture as "
            + "stationary. \(symbol) is computed at these parameters and takes the target for the end of its training; a target trained to "
            + "convergence can have another \(symbol), or one where these have none."
    }
}

extension StudyResults {
    /// Whether the τ of series `series` is a lower bound only: its model has hidden layers (an MLP),
    /// so τ is the condition on its last layer, the hidden representation taken as fixed input
    /// (`poisonabilityThreshold(of:on:)`): a necessary budget, and the whole network may need more.
    public func tauIsLowerBound(series: Int) -> Bool {
        config.models[self.series[series].model].value(at: "kind") == .string(MLP.kind)
    }
}

/// Where a threshold lies at or beyond the largest fraction a study may sweep (`StudyConfig.maximumFraction`):
/// "; but fractions are capped at 1000.0%, so no study can sweep above τ_w = 1952.0%"; empty otherwise.
func fractionCapClause(threshold: Double, symbol: String) -> String {
    threshold < StudyConfig.maximumFraction ? ""
        : "; but fractions are capped at \(percent(StudyConfig.maximumFraction)), so no study can sweep above \(symbol) = \(percent(threshold))"
}

/// The mean of `values`; NaN when there are none.
private func averageOf(_ values: [Double]) -> Double { values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }

/// "+0.012" or "-0.004": an accuracy difference with its sign.
func signed(_ value: Double) -> String { signedFixed(value, decimals: 3) }

/// A share of the clean gradient: "5.1%" from 0.1%, "1.5e-06" below it.
public func ratioText(_ ratio: Double) -> String {
    ratio >= 0.001 ? percent(ratio) : String(format: "%.1e", ratio)
}

