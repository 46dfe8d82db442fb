import Foundation
import PoisoningEngine

/// What the runs of one gradient-canceling series show about the poisonability threshold τ of Lu,
/// Kamath and Yu (2023): τ per seed and, per swept positive fraction ε_d, the mean over seeds of the
/// mixed gradient's norm relative to the clean one and of the retrained victim's test accuracy.
public struct PoisonabilityEvidence: Sendable, Equatable {
    /// One swept positive fraction: the means over the seeds that finished.
    public struct FractionEvidence: Sendable, Equatable {
        /// The poison budget ε_d.
        public let fraction: Double
        /// ‖g(clean rows and poisons; w_target)‖ / ‖g(clean rows; w_target)‖.
        public let gradientRatio: Double
        /// The retrained victim's test accuracy.
        public let victimAccuracy: Double

        /// One fraction's evidence.
        public init(fraction: Double, gradientRatio: Double, victimAccuracy: Double) {
            self.fraction = fraction
            self.gradientRatio = gradientRatio
            self.victimAccuracy = victimAccuracy
        }
    }

    /// τ of each seed whose target has a threshold.
    public let taus: [Double]
    /// The seeds whose target has none (<W, G> ≤ 0).
    public let seedsWithoutThreshold: Int
    /// The target's mean test accuracy over the seeds.
    public let targetAccuracy: Double
    /// The swept positive fractions, ascending.
    public let fractions: [FractionEvidence]

    /// The evidence of one series.
    public init(taus: [Double], seedsWithoutThreshold: Int, targetAccuracy: Double, fractions: [FractionEvidence]) {
        self.taus = taus
        self.seedsWithoutThreshold = seedsWithoutThreshold
        self.targetAccuracy = targetAccuracy
        self.fractions = fractions.sorted { $0.fraction < $1.fraction }
    }

    /// The evidence of series `series` of `results` (a gradient-canceling series): τ from each seed's
    /// run at the smallest swept fraction (τ is the same at every fraction), the ratios and accuracies
    /// from every finished run at a positive fraction.
    public init(_ results: StudyResults, series: Int) {
        let runs = results.runs.filter { $0.series == series && $0.metrics != nil }
        let smallest = runs.map(\.fraction).min() ?? 0
        let firstRuns = runs.filter { $0.fraction == smallest }
        let taus = firstRuns.compactMap { $0.metrics?[MetricKey.poisonabilityThreshold] }
        let targets = firstRuns.compactMap { $0.metrics?[MetricKey.targetAccuracy] }
        let fractions = Set(runs.map(\.fraction)).filter { $0 > 0 }.sorted().map { fraction in
            let here = runs.filter { $0.fraction == fraction }.compactMap(\.metrics)
            let ratios = here.compactMap { m in m[MetricKey.mixedGradientNorm].flatMap { mixed in m[MetricKey.cleanGradientNorm].map { mixed / $0 } } }
            return FractionEvidence(fraction: fraction, gradientRatio: averageOf(ratios),
                                    victimAccuracy: averageOf(here.compactMap { $0[MetricKey.testAccuracy] }))
        }
        self.init(taus: taus, seedsWithoutThreshold: firstRuns.count - taus.count, targetAccuracy: averageOf(targets), fractions: fractions)
    }

    /// The mixed gradient counts as cancelled below this share of the clean one.
    public static let cancelledRatio = 0.01

    /// The fractions below every seed's τ and above every seed's τ (none without a τ).
    public var sides: (below: [FractionEvidence], above: [FractionEvidence]) {
        guard let low = taus.min(), let high = taus.max() else { return ([], []) }
        return (fractions.filter { $0.fraction < low }, fractions.filter { $0.fraction > high })
    }

    /// Whether the paper's prediction holds in parameter space: below τ the mixed gradient stays at or
    /// above `cancelledRatio` of the clean one at every fraction, and at the largest fraction above τ
    /// it falls under it; nil when the sweep has no fraction on one side of τ, or no seed has a τ.
    public var holdsInParameterSpace: Bool? {
        let (below, above) = sides
        guard !below.isEmpty, let largest = above.last else { return nil }
        return below.allSatisfy { $0.gradientRatio >= Self.cancelledRatio } && largest.gradientRatio < Self.cancelledRatio
    }

    /// The smallest swept positive fraction at which the victim's mean accuracy is at most the
    /// target's; nil when none is.
    public var reachesTargetAccuracy: FractionEvidence? {
        fractions.first { $0.victimAccuracy <= targetAccuracy }
    }

    /// One sentence on parameter space, from the numbers it quotes.
    public var parameterSpaceSentence: String {
        guard let low = taus.min(), let high = taus.max() else {
            return "No seed's target has a threshold (<W, G> ≤ 0), so the paper predicts no floor for the mixed gradient."
        }
        let (below, above) = sides
        let band = low == high ? "τ = \(percent(low))" : "τ (\(percent(low))–\(percent(high)) over the seeds)"
        guard !below.isEmpty, let largest = above.last else {
            let missing = below.isEmpty ? "below" : "above"
            return "In parameter space the runs cannot decide: no swept fraction lies \(missing) \(band); sweep fractions on both sides of it."
        }
        let floor = below.min { $0.gradientRatio < $1.gradientRatio }!
        let belowText = "below \(band) the mixed gradient stays at \(ratioText(floor.gradientRatio)) of the clean one or more "
            + "(least at \(percent(floor.fraction)))"
        let aboveText = "at \(percent(largest.fraction)), above it, it is \(ratioText(largest.gradientRatio))"
        if holdsInParameterSpace == true {
            return "In parameter space the paper's prediction holds: \(belowText), and \(aboveText), about 0 (under "
                + "\(ratioText(Self.cancelledRatio)))."
        }
        return "In parameter space the paper's prediction does not hold: \(belowText), and \(aboveText) "
            + "(cancelled means under \(ratioText(Self.cancelledRatio)) above τ and never below)."
    }

    /// One sentence on accuracy, from the numbers it quotes; nil when no seed's target has a threshold.
    public var accuracySentence: String? {
        guard let low = taus.min() else { return nil }
        let meanTau = averageOf(taus)
        let target = fixed(targetAccuracy, decimals: 3)
        guard let reached = reachesTargetAccuracy else {
            let lowest = fractions.min { $0.victimAccuracy < $1.victimAccuracy }
            return "In accuracy the victim never reaches the target's \(target) in the swept range"
                + (lowest.map { " (its lowest mean accuracy is \(fixed($0.victimAccuracy, decimals: 3)) at \(percent($0.fraction)))" } ?? "") + "."
        }
        let reachedText = "the victim's mean accuracy \(fixed(reached.victimAccuracy, decimals: 3)) reaches the target's \(target) "
            + "from \(percent(reached.fraction)) = \(fixed(reached.fraction / meanTau, decimals: 2)) τ (mean τ \(percent(meanTau)))"
        if reached.fraction < low {
            return "In accuracy it does not: \(reachedText), below every seed's τ."
        }
        return "In accuracy it holds: \(reachedText), not below τ."
    }
}

/// The mean of `values`; NaN when there are none.
private func averageOf(_ values: [Double]) -> Double { values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }

/// A share of the clean gradient: "5.1%" from 0.1%, "1.5e-06" below it.
public func ratioText(_ ratio: Double) -> String {
    ratio >= 0.001 ? percent(ratio) : String(format: "%.1e", ratio)
}

