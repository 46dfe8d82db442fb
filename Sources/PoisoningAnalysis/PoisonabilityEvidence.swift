import Foundation
import PoisoningEngine

/// What the runs of one gradient-canceling series show about the poisonability threshold τ of Lu,
/// Kamath and Yu (2023): τ per seed; per run at a positive fraction ε_d, the mixed gradient's norm
/// relative to the clean one beside its seed's τ; and per swept positive fraction the means over
/// seeds of that ratio and of the retrained victim's test accuracy.
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

    /// One run at a positive fraction whose seed's target has a threshold.
    public struct RunEvidence: Sendable, Equatable {
        /// The poison budget ε_d, its seed's τ, and the mixed/clean gradient ratio.
        public let fraction, tau, gradientRatio: Double

        /// One run's evidence.
        public init(fraction: Double, tau: Double, gradientRatio: Double) {
            self.fraction = fraction
            self.tau = tau
            self.gradientRatio = gradientRatio
        }
    }

    /// τ of each seed whose target has a threshold.
    public let taus: [Double]
    /// The runs at positive fractions whose seed has a τ.
    public let runs: [RunEvidence]
    /// The seeds whose target has none (⟨W, G⟩ ≤ 0).
    public let seedsWithoutThreshold: Int
    /// The target's mean test accuracy over the seeds.
    public let targetAccuracy: Double
    /// The swept positive fractions, ascending.
    public let fractions: [FractionEvidence]

    /// The evidence of one series.
    public init(taus: [Double], runs: [RunEvidence], seedsWithoutThreshold: Int, targetAccuracy: Double, fractions: [FractionEvidence]) {
        self.taus = taus
        self.runs = runs
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
        let tauBySeed = Dictionary(firstRuns.compactMap { run in run.metrics?[MetricKey.poisonabilityThreshold].map { (run.seed, $0) } }) { a, _ in a }
        let ratio = { (m: [String: Double]) in m[MetricKey.mixedGradientNorm].flatMap { mixed in m[MetricKey.cleanGradientNorm].map { mixed / $0 } } }
        let runEvidence = runs.filter { $0.fraction > 0 }.compactMap { run -> RunEvidence? in
            guard let tau = tauBySeed[run.seed], let metrics = run.metrics, let value = ratio(metrics) else { return nil }
            return RunEvidence(fraction: run.fraction, tau: tau, gradientRatio: value)
        }
        let targets = firstRuns.compactMap { $0.metrics?[MetricKey.targetAccuracy] }
        let fractions = Set(runs.map(\.fraction)).filter { $0 > 0 }.sorted().map { fraction in
            let here = runs.filter { $0.fraction == fraction }.compactMap(\.metrics)
            return FractionEvidence(fraction: fraction, gradientRatio: averageOf(here.compactMap(ratio)),
                                    victimAccuracy: averageOf(here.compactMap { $0[MetricKey.testAccuracy] }))
        }
        self.init(taus: taus, runs: runEvidence, seedsWithoutThreshold: firstRuns.count - taus.count, targetAccuracy: averageOf(targets), fractions: fractions)
    }

    /// How many times lower than every ratio below τ the ratios at the largest fraction above τ must
    /// be for the gradient to count as falling at τ.
    public static let separationFactor = 10.0

    /// The fractions below every seed's τ and above every seed's τ (none without a τ), for the table.
    public var sides: (below: [FractionEvidence], above: [FractionEvidence]) {
        guard let low = taus.min(), let high = taus.max() else { return ([], []) }
        return (fractions.filter { $0.fraction < low }, fractions.filter { $0.fraction > high })
    }

    /// Per run, beside its own seed's τ: the runs below it, and the runs at the largest fraction that
    /// lies above the τ of some seed, those above their τ.
    var runSides: (below: [RunEvidence], above: [RunEvidence]) {
        let below = runs.filter { $0.fraction < $0.tau }
        let largest = runs.filter { $0.fraction > $0.tau }.map(\.fraction).max()
        return (below, runs.filter { $0.fraction == largest && $0.fraction > $0.tau })
    }

    /// Whether the paper's prediction holds in parameter space, run by run against its seed's τ: every
    /// ratio below τ is at least `separationFactor` times every ratio at the largest fraction above τ
    /// (below τ a floor, above it a fall towards 0); nil when no run lies on one side of its τ.
    public var holdsInParameterSpace: Bool? {
        let (below, above) = runSides
        guard let floor = below.map(\.gradientRatio).min(), let highest = above.map(\.gradientRatio).max() else { return nil }
        return floor >= Self.separationFactor * highest
    }

    /// The smallest swept positive fraction at which the victim's mean accuracy is at most the
    /// target's; nil when none is.
    public var reachesTargetAccuracy: FractionEvidence? {
        fractions.first { $0.victimAccuracy <= targetAccuracy }
    }

    /// One sentence on parameter space, from the numbers it quotes.
    public var parameterSpaceSentence: String {
        guard !taus.isEmpty else {
            return "No seed's target has a threshold (the product of its weights and its clean gradient is at most 0), "
                + "so the paper predicts no floor for the mixed gradient."
        }
        let (below, above) = runSides
        guard let floor = below.min(by: { $0.gradientRatio < $1.gradientRatio }),
              let highest = above.max(by: { $0.gradientRatio < $1.gradientRatio }) else {
            let missing = below.isEmpty ? "below" : "above"
            return "In parameter space the runs cannot decide: no run lies \(missing) its seed's τ; sweep fractions on both sides of it."
        }
        let factor = highest.gradientRatio > 0 ? floor.gradientRatio / highest.gradientRatio : .infinity
        let numbers = "below its seed's τ every run's mixed gradient stays at \(ratioText(floor.gradientRatio)) of the clean one or "
            + "more (least at \(percent(floor.fraction)), τ = \(percent(floor.tau))), and at \(percent(highest.fraction)), above τ, "
            + "it is at most \(ratioText(highest.gradientRatio))"
            + (factor.isFinite ? ", \(fixed(factor, decimals: factor < 100 ? 1 : 0)) times lower" : ", 0")
        if holdsInParameterSpace == true {
            return "In parameter space the paper's prediction holds: \(numbers)."
        }
        return "In parameter space the paper's prediction does not hold: \(numbers) (a fall by \(fixed(Self.separationFactor, decimals: 0)) "
            + "times or more was asked)."
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

extension StudyResults {
    /// Whether the τ of series `series` is a lower bound only: its model has hidden layers (an MLP),
    /// so τ is the condition on its last layer, the hidden representation taken as fixed input
    /// (`poisonabilityThreshold(of:on:)`): a necessary budget, and the whole network may need more.
    public func tauIsLowerBound(series: Int) -> Bool {
        config.models[self.series[series].model].value(at: "kind") == .string(MLP.kind)
    }
}

/// The mean of `values`; NaN when there are none.
private func averageOf(_ values: [Double]) -> Double { values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count) }

/// A share of the clean gradient: "5.1%" from 0.1%, "1.5e-06" below it.
public func ratioText(_ ratio: Double) -> String {
    ratio >= 0.001 ? percent(ratio) : String(format: "%.1e", ratio)
}

