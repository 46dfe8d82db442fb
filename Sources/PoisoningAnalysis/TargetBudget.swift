import Foundation
import PoisoningEngine

/// The measured budget from which gradient canceling makes the target stationary on the mixture,
/// for one gradient-canceling series, beside each seed's predicted threshold τ (Lu, Kamath and Yu
/// 2023), and τ's mean over seeds with its interval.
///
/// The prediction is about stationarity: the target is reachable iff the poisons' gradient can
/// cancel the clean one, which no poison set does below τ. So a run counts as reaching it when its
/// mixed gradient (over the parameters the attack cancels: the weights by default) is at most
/// `cancelledRatio` (10⁻³, the attack's own rule, `PoisonabilityEvidence.cancelledRatio`) of the clean
/// one at the target, and per seed the budget is the *first* swept positive fraction at which its
/// run does, so that a budget below τ is never hidden by a larger one that does not; none when no
/// swept fraction does. The verdict judges these budgets.
///
/// Beside it, a separate finding the prediction does not concern directly (`SeedBudget.reached`): the
/// first swept fraction at which the retrained victim *is* the target, within `reachedDistance` of it
/// (relative, `targetDistance`) and agreeing with it on every test row (`targetAgreement` = 1). With
/// `cancel: weights` the biases' gradient is left, so the victim's bias, and with it its weights,
/// can settle away from the target's even where the weights' gradient is cancelled. A weaker bar
/// (`SeedBudget.halfway`): the first swept fraction at which the victim closes at least `closedShare`
/// of the clean model's disagreement with the target, agreement ≥ a₀ + closedShare · (1 − a₀), a₀
/// the clean model's agreement of the same seed.
public struct TargetBudget: Sendable, Codable, Equatable {
    /// One seed: its τ (absent when its target has none), its measured budget (the first swept budget
    /// at which the mixed gradient is cancelled; absent when none is), and the victim's finding: the
    /// clean model's agreement with the target and the first budgets at which the victim is the target
    /// and closes half the way to it.
    public struct SeedBudget: Sendable, Codable, Equatable {
        /// The seed.
        public let seed: UInt64
        /// Its target's threshold τ; nil when ⟨W, G⟩ ≤ 0.
        public let tau: Double?
        /// The clean model's agreement with the target a₀; nil when the series has no run at fraction 0.
        public let baseline: Double?
        /// The smallest swept positive fraction at which the mixed gradient is at most `cancelledRatio`
        /// of the clean one (the target stationary on the mixture); nil when none is.
        public let budget: Double?
        /// The smallest swept positive fraction at which its (converged) retrained victim is the target,
        /// within `reachedDistance` of it and agreeing with it on every test row; nil when none is.
        public let reached: Double?
        /// The smallest swept positive fraction at which its victim closes `closedShare` of the clean
        /// model's disagreement with the target (the bar); nil when none does.
        public let halfway: Double?
        /// Its runs at positive fractions whose victim is judged (converged); nil in a results.json
        /// written before it was recorded.
        public let judged: Int?
        /// Its runs whose victim is not converged (`victimGradientNorm` above `MetricKey.victimGradientTolerance`),
        /// whose agreement is not judged; nil when there are none.
        public let unconverged: Int?

        /// One seed's budgets beside its τ and its clean model's agreement.
        public init(seed: UInt64, tau: Double?, baseline: Double?, budget: Double?, reached: Double? = nil, halfway: Double? = nil,
                    judged: Int? = nil, unconverged: Int? = nil) {
            self.seed = seed
            self.tau = tau
            self.baseline = baseline
            self.budget = budget
            self.reached = reached
            self.halfway = halfway
            self.judged = judged
            self.unconverged = unconverged
        }

        /// The agreement the victim must reach, a₀ + closedShare · (1 − a₀); nil without a₀.
        public var bar: Double? { baseline.map { $0 + TargetBudget.closedShare * (1 - $0) } }

        /// Whether the mixed gradient is cancelled at a budget below τ.
        public var isBelowTau: Bool { tau.flatMap { tau in budget.map { $0 < tau } } == true }
    }

    /// How the measured budgets sit against each seed's τ (the prediction: the target is not reached
    /// below τ, and gradient canceling reaches it above).
    public enum Verdict: String, Sendable, Codable, Equatable {
        /// No seed's mixed gradient is cancelled below its τ, every seed's is at some swept budget above
        /// it, and the paired interval of the excess (budget − τ)/τ over seeds lies at or below
        /// `judgedMargin`: the runs agree with both halves of the prediction.
        case consistent
        /// No seed's mixed gradient is cancelled below its τ and every seed's is above it, but the
        /// interval of the excess lies above `judgedMargin`: gradient canceling needed more than (1 + margin)τ.
        case reachedLate
        /// No seed's mixed gradient is cancelled below its τ and every seed's is above it, but the
        /// interval of the excess holds `judgedMargin` (or there are fewer than two seeds): the runs
        /// cannot tell cancellation near τ from late cancellation.
        case excessUndecided
        /// Some seed's mixed gradient is cancelled (to `cancelledRatio`) at a budget below its τ: against
        /// the prediction, unless its floor there (which tends to 0 as ε_d → τ) is below `cancelledRatio`.
        case successBelowTau
        /// No seed's mixed gradient is cancelled below its τ, but some seed's is at no swept budget:
        /// gradient canceling did not cancel it there (what this attack reached, not a bound on the problem).
        case notReachedAboveTau
    }

    /// The excess over τ, as a share of τ, within which a seed's first budget counts as success at τ
    /// (`PoisonabilityEvidence.judgedMargin`, the margin the report judges runs by: 1.25 τ).
    public static let judgedMargin = PoisonabilityEvidence.judgedMargin
    /// The mixed/clean gradient ratio at or below which a run's target counts as stationary on the
    /// mixture (`PoisonabilityEvidence.cancelledRatio`, gradient canceling's own rule).
    public static let cancelledRatio = PoisonabilityEvidence.cancelledRatio
    /// The share of the clean model's disagreement with the target that the halfway bar asks the victim to close.
    public static let closedShare = 0.5
    /// The relative parameter distance from the target within which a victim that agrees with it on
    /// every test row counts as the target.
    public static let reachedDistance = 0.01

    /// The series (a gradient-canceling series).
    public let series: Int
    /// `closedShare`, recorded with the numbers it made.
    public let closedShare: Double
    /// Per seed that finished, in seed order.
    public let seeds: [SeedBudget]
    /// The mean budget over the seeds with its Student-t interval at the study's confidence, its
    /// spread at least the smallest gap between swept fractions (a budget is known to the grid only)
    /// and its ends clipped to the swept positive fractions; nil unless every seed is reached (and
    /// there are two).
    public let budget: Estimate?
    /// True when `budget`'s Student-t interval reached below the smallest swept positive fraction, its
    /// lower end clipped there (the grid cannot resolve below it); nil otherwise.
    public let lowerClipped: Bool?
    /// τ's mean over the seeds whose target has one, with its Student-t interval at the study's
    /// confidence (its lower end clipped at 0: τ is a budget); nil with fewer than two such seeds.
    public let tau: Estimate?
    /// The mean over seeds of the excess (budget − τ)/τ of the first budget reaching the target over
    /// the seed's τ, with its paired Student-t interval at the study's confidence; nil unless every
    /// seed has a τ and a budget (and there are two).
    public let excess: Estimate?
    /// Nil when no seed's target has a τ.
    public let verdict: Verdict?

    /// The budgets of `seeds` of series `series`, their estimate, τ's and the verdict; `swept` the
    /// swept positive fractions, ascending.
    public init(series: Int, seeds: [SeedBudget], swept: [Double], confidence: Double) {
        self.series = series
        closedShare = Self.closedShare
        self.seeds = seeds
        let budgets = seeds.compactMap(\.budget)
        if budgets.count == seeds.count, budgets.count >= 2, let low = swept.min(), let high = swept.max(),
           let interval = studentTInterval(budgets, resolution: zip(swept.dropFirst(), swept).map { $0 - $1 }.min() ?? 0,
                                           confidence: confidence) {
            budget = Estimate(value: budgets.reduce(0, +) / Double(budgets.count),
                              interval: Interval(lower: interval.lower.map { max($0, low) }, upper: interval.upper.map { min($0, high) }))
            lowerClipped = interval.lower.map { $0 < low } == true ? true : nil
        } else {
            budget = nil
            lowerClipped = nil
        }
        let taus = seeds.compactMap(\.tau)
        if let interval = studentTInterval(taus, resolution: 0, confidence: confidence) {
            tau = Estimate(value: taus.reduce(0, +) / Double(taus.count), interval: Interval(lower: interval.lower.map { max($0, 0) },
                                                                                               upper: interval.upper))
        } else {
            tau = nil
        }
        // The excess of each seed's first budget over its τ, in units of τ: (budget − τ)/τ, paired by seed.
        let excesses = seeds.compactMap { seed in seed.tau.flatMap { tau in seed.budget.map { ($0 - tau) / tau } } }
        if excesses.count == seeds.count, let interval = studentTInterval(excesses, resolution: 0, confidence: confidence) {
            excess = Estimate(value: excesses.reduce(0, +) / Double(excesses.count), interval: interval)
        } else {
            excess = nil
        }
        let predicted = seeds.filter { $0.tau != nil }
        if predicted.isEmpty {
            verdict = nil
        } else if predicted.contains(where: \.isBelowTau) {
            verdict = .successBelowTau
        } else if predicted.contains(where: { $0.budget == nil }) {
            verdict = .notReachedAboveTau
        } else if let upper = excess?.interval?.upper, upper <= Self.judgedMargin {
            verdict = .consistent
        } else if let lower = excess?.interval?.lower, lower > Self.judgedMargin {
            verdict = .reachedLate
        } else {
            verdict = .excessUndecided
        }
    }

    /// The budgets of series `series` from its finished runs (`mixedGradientNorm` over `cleanGradientNorm`,
    /// `targetDistance`, `targetAgreement` and its clean baseline per run; τ from each seed's run at its
    /// smallest fraction, the same at every fraction). A run whose victim is not converged
    /// (`victimGradientNorm` above `MetricKey.victimGradientTolerance`) is not judged for the victim's
    /// finding: its agreement measures where its training stopped as much as the poisons. The mixed
    /// gradient is measured at the target, not at the victim, so every finished run counts for `budget`.
    public init(runs: [RunResult], series: Int, confidence: Double) {
        let finished = runs.filter { $0.series == series && $0.metrics != nil && $0.fraction > 0 }
        let swept = Set(finished.map(\.fraction)).sorted()
        let converged = { (run: RunResult) in (run.metrics?[MetricKey.victimGradientNorm]).map { $0 <= MetricKey.victimGradientTolerance } ?? true }
        let seeds = Set(finished.map(\.seed)).sorted().map { seed -> SeedBudget in
            let own = finished.filter { $0.seed == seed }.sorted { $0.fraction < $1.fraction }
            let baseline = own.lazy.compactMap { $0.metrics?[MetricKey.targetAgreement + MetricKey.baselineSuffix] }.first
            let bar = SeedBudget(seed: seed, tau: nil, baseline: baseline, budget: nil).bar
            // ‖g(mixture; w)‖ / ‖g(μ; w)‖ ≤ 10⁻³: the target is stationary on the mixture to the attack's own rule.
            let cancelled = own.first { run in
                guard let mixed = run.metrics?[MetricKey.mixedGradientNorm], let clean = run.metrics?[MetricKey.cleanGradientNorm], clean > 0 else {
                    return false
                }
                return mixed / clean <= Self.cancelledRatio
            }?.fraction
            let halfway = bar.flatMap { bar in
                own.first { converged($0) && ($0.metrics?[MetricKey.targetAgreement]).map { $0 >= bar } == true }?.fraction
            }
            let reached = own.first { run in
                guard converged(run), let distance = run.metrics?[MetricKey.targetDistance], let agreement = run.metrics?[MetricKey.targetAgreement] else {
                    return false
                }
                return distance <= Self.reachedDistance && agreement >= 1
            }?.fraction
            let unconverged = own.filter { !converged($0) }.count
            return SeedBudget(seed: seed, tau: own.first?.metrics?[MetricKey.poisonabilityThreshold], baseline: baseline, budget: cancelled,
                              reached: reached, halfway: halfway, judged: own.count - unconverged, unconverged: unconverged > 0 ? unconverged : nil)
        }
        self.init(series: series, seeds: seeds, swept: swept, confidence: confidence)
    }

    /// The report's cell: "112.0% [20.0%, 340.0%]" ("[5.0% (clipped), …]" when the lower end is the
    /// smallest swept budget the interval reached below), or which seeds are not cancelled.
    public var cell: String {
        if let value = budget?.value {
            let interval = budget?.interval, clipped = lowerClipped == true ? " (clipped)" : ""
            return percent(value) + (interval?.lower.flatMap { lower in interval?.upper.map { " [\(percent(lower))\(clipped), \(percent($0))]" } } ?? "")
        }
        let missing = seeds.filter { $0.budget == nil }.map { String($0.seed) }
        if missing.isEmpty { return seeds.first.flatMap(\.budget).map(percent) ?? "n/a" }
        return "not cancelled in the swept range (seed\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")))"
    }

    /// "the first budget exceeds τ by 19.0% of τ on average [6.5%, 31.5%]", the excess's clause; empty without it.
    private var excessClause: String {
        guard let excess, let value = excess.value else { return "" }
        let interval = excess.interval.flatMap { interval in interval.lower.flatMap { lower in interval.upper.map { " [\(percent(lower)), \(percent($0))]" } } } ?? ""
        return "the first budget exceeds τ by \(percent(value)) of τ on average\(interval) (paired over seeds)"
    }

    /// The verdict's sentence: the criterion, each seed's first cancelled budget beside its τ, and the
    /// verdict. `necessaryOnly`: τ is only a necessary budget for this series (softmax regression with
    /// more than two classes, `cancel: weights-and-bias`, an MLP's last layer), so late or missing
    /// cancellation above it does not go against the prediction.
    public func sentence(necessaryOnly: Bool = false) -> String {
        let perSeed = seeds.map { seed in
            "seed \(seed.seed) " + (seed.budget.map { "at \(percent($0))" } ?? "not in the swept range")
                + (seed.tau.map { " (τ \(percent($0)))" } ?? "")
        }.joined(separator: ", ")
        let opening = "Per seed, the first swept budget at which gradient canceling makes the target stationary on the mixture, its mixed "
            + "gradient at most \(ratioText(Self.cancelledRatio)) of the clean one (the event τ predicts): \(perSeed)"
        let allowed = necessaryOnly ? " τ is necessary only here, so this does not go against the prediction." : ""
        switch verdict {
        case nil:
            return opening + "; no τ is predicted."
        case .consistent:
            return opening + "; " + excessClause + ", at most the \(percent(Self.judgedMargin)) margin: the runs agree with the prediction, "
                + "no seed's gradient is cancelled below its τ and every seed's is within \(1 + Self.judgedMargin) τ on average."
        case .reachedLate:
            return opening + "; no seed's gradient is cancelled below its τ, but " + excessClause + ", above the "
                + "\(percent(Self.judgedMargin)) margin: gradient canceling cancelled it later than the prediction's τ (what this attack "
                + "needed, not a bound on the problem)." + allowed
        case .excessUndecided:
            return opening + "; no seed's gradient is cancelled below its τ and every seed's is above it, but "
                + (excess == nil ? "there is no interval of the first budget's excess over τ (it needs two seeds, each with a τ)"
                    : excessClause + ", which holds the \(percent(Self.judgedMargin)) margin")
                + ": the runs cannot tell cancellation near τ from late cancellation; more seeds, or fractions swept closer above τ, would."
        case .successBelowTau:
            let below = seeds.filter(\.isBelowTau).map { String($0.seed) }
            return opening + "; seed\(below.count == 1 ? "" : "s") \(below.joined(separator: ", ")) "
                + "cancel\(below.count == 1 ? "s" : "") it below τ, against the prediction (unless the floor below τ, which tends to 0 as "
                + "ε_d nears τ, is under \(ratioText(Self.cancelledRatio)) of the clean gradient there)."
        case .notReachedAboveTau:
            let missing = seeds.filter { $0.tau != nil && $0.budget == nil }.map { String($0.seed) }
            return opening + "; no seed's gradient is cancelled below its τ, but gradient canceling did not cancel it at any swept budget "
                + "for seed\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")) (what this attack reached, not a bound on "
                + "the problem)." + allowed
        }
    }

    /// The victim's finding, separate from the verdict: per seed the first swept budget at which the
    /// retrained victim is the target and the halfway budget, or that no run's victim is judged.
    public var victimSentence: String {
        let unconverged = seeds.compactMap(\.unconverged).reduce(0, +)
        let opening = "Separately, per seed, the first swept budget at which the retrained victim is the target (within "
            + "\(percent(Self.reachedDistance)) of its parameters and agreeing with it on every test row; halfway: the first at which it "
            + "closes \(percent(closedShare)) of the clean model's disagreement with the target)"
        if seeds.allSatisfy({ $0.judged == 0 }) {
            return opening + ": no run's victim is judged (none is converged to a gradient norm of "
                + "1e\(Int(log10(MetricKey.victimGradientTolerance).rounded())) on its training rows)."
        }
        let perSeed = seeds.map { seed in
            let halfway = seed.baseline == nil ? "no clean run at fraction 0"
                : "halfway " + (seed.halfway.map { percent($0) } ?? "not in the swept range")
            return "seed \(seed.seed) " + (seed.judged == 0 ? "not judged" : seed.reached.map { "at \(percent($0))" } ?? "not in the swept range")
                + " (" + halfway + ")"
        }.joined(separator: ", ")
        return opening + ": \(perSeed)"
            + (unconverged == 0 ? "" : " (\(unconverged) run\(unconverged == 1 ? "" : "s") not judged: the victim's gradient norm on its training rows "
                + "is above 1e\(Int(log10(MetricKey.victimGradientTolerance).rounded())), not converged)") + "."
    }
}
