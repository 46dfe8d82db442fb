import Foundation
import PoisoningEngine

/// The measured budget from which gradient canceling makes the target stationary on the mixture,
/// for one gradient-canceling series, beside each seed's predicted threshold τ (Lu, Kamath and Yu
/// 2023), and τ's mean over seeds with its interval. τ here is the threshold that applies to the
/// series (`applicableThreshold(metrics:cancel:)`): the weights-only τ_w under `cancel: weights`,
/// the threshold τ under `cancel: weights-and-bias`. τ_w depends on the labels the poisons keep, drawn
/// per run, so it varies between a seed's runs (with few poisons, widely): every run is judged against
/// the threshold it records itself, never another run's.
///
/// The prediction is about stationarity: the target is reachable iff the poisons' gradient can
/// cancel the clean one, which no poison set does below τ. So a run counts as reaching it when its
/// mixed gradient (over the parameters the attack cancels: the weights by default) is at most
/// `cancelledRatio` (10⁻³, the attack's own rule, `PoisonabilityEvidence.cancelledRatio`) of the clean
/// one at the target, and per seed the budget is the *first* swept positive fraction at which its
/// run does, so that a budget below τ is never hidden by a larger one that does not; none when no
/// swept fraction does. The grid knows a seed's budget only to lie between the last swept fraction
/// whose run does not cancel and the first that does, (`lastUncancelled`, `budget`]; the verdict
/// judges these brackets, each end in units of the threshold its own run records.
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
        /// The seed's threshold τ for display and for the estimate over seeds: the median of the
        /// thresholds its runs at positive fractions record (τ_w varies with each run's poison labels;
        /// τ is the same in every run); nil when none records one (⟨W, G⟩ ≤ 0). The verdict judges
        /// each run by its own (`budgetTau`, `lastUncancelledTau`, `cancelledBelowTau`).
        public let tau: Double?
        /// The clean model's agreement with the target a₀; nil when the series has no run at fraction 0
        /// or its victim is not converged (`Study.withCleanBaselines`).
        public let baseline: Double?
        /// The smallest swept positive fraction at which the mixed gradient is at most `cancelledRatio`
        /// of the clean one (the target stationary on the mixture); nil when none is.
        public let budget: Double?
        /// The largest swept positive fraction below `budget` (at any fraction when `budget` is nil) whose
        /// run does not cancel the mixed gradient: the seed's first cancelling budget lies in
        /// (lastUncancelled, budget]. Nil when no run does not cancel (then in (0, budget]), or in a
        /// results.json written before it was recorded.
        public let lastUncancelled: Double?
        /// The threshold the run at `budget` records; nil without `budget`, without a threshold there, or
        /// in a results.json written before it was recorded (then `tau` stands for it).
        public let budgetTau: Double?
        /// The threshold the run at `lastUncancelled` records; nil as `budgetTau` is.
        public let lastUncancelledTau: Double?
        /// The smallest swept positive fraction whose run cancels the mixed gradient below the threshold
        /// that run records itself (against the prediction); nil when no run does.
        public let cancelledBelowTau: Double?
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
        /// Its runs below `budget` (at any fraction when `budget` is nil) that do not cancel the mixed
        /// gradient beyond (1 + `judgedMargin`) of the threshold each records, each as its fraction and
        /// its fraction over that threshold, ascending by fraction: not only `lastUncancelled`, since τ_w
        /// varies between a seed's runs and an earlier run may lie further beyond its own. Nil when there
        /// are none, or in a results.json written before it was recorded (then `lastUncancelled` alone
        /// tells lateness).
        public let lateFailures: [LateFailure]?
        /// Its runs above `budget` that do not cancel the mixed gradient beyond (1 + `judgedMargin`) of
        /// the threshold each records, ascending by fraction: the seed cancels at a smaller budget, so these
        /// are not late cancellation but budgets at which gradient canceling did not converge within its
        /// step cap (the prediction's "success above τ" does not hold there). They keep the verdict from
        /// `consistent` without making the seed late. Nil when there are none, or in a results.json
        /// written before it was recorded.
        public let failuresAbove: [LateFailure]?

        /// A run that failed to cancel the mixed gradient beyond (1 + `judgedMargin`) of its own threshold.
        public struct LateFailure: Sendable, Codable, Equatable {
            /// The run's poison fraction ε_d.
            public let fraction: Double
            /// ε_d over the threshold the run records.
            public let inTau: Double

            /// A failed run at `fraction`, `inTau` of its own threshold.
            public init(fraction: Double, inTau: Double) {
                self.fraction = fraction
                self.inTau = inTau
            }
        }

        /// One seed's budgets beside its τ and its clean model's agreement.
        public init(seed: UInt64, tau: Double?, baseline: Double?, budget: Double?, lastUncancelled: Double? = nil, budgetTau: Double? = nil,
                    lastUncancelledTau: Double? = nil, cancelledBelowTau: Double? = nil, reached: Double? = nil,
                    halfway: Double? = nil, judged: Int? = nil, unconverged: Int? = nil, lateFailures: [LateFailure]? = nil,
                    failuresAbove: [LateFailure]? = nil) {
            self.seed = seed
            self.tau = tau
            self.baseline = baseline
            self.budget = budget
            self.lastUncancelled = lastUncancelled
            self.budgetTau = budgetTau
            self.lastUncancelledTau = lastUncancelledTau
            self.cancelledBelowTau = cancelledBelowTau
            self.reached = reached
            self.halfway = halfway
            self.judged = judged
            self.unconverged = unconverged
            self.lateFailures = lateFailures
            self.failuresAbove = failuresAbove
        }

        /// The agreement the victim must reach, a₀ + closedShare · (1 − a₀); nil without a₀.
        public var bar: Double? { baseline.map { $0 + TargetBudget.closedShare * (1 - $0) } }

        /// Whether a run of this seed cancels the mixed gradient below the threshold it records.
        public var isBelowTau: Bool {
            cancelledBelowTau != nil || (budgetTau ?? tau).flatMap { tau in budget.map { $0 < tau } } == true
        }

        /// Whether its last run that does not cancel lies above the threshold that run records.
        public var failsAboveTau: Bool { (lastUncancelledTau ?? tau).flatMap { tau in lastUncancelled.map { $0 > tau } } == true }

        /// The first cancelling budget in units of its run's own threshold, ε_d/τ; nil without either.
        public var budgetInTau: Double? { (budgetTau ?? tau).flatMap { tau in budget.map { $0 / tau } } }

        /// The last budget below it that does not cancel in units of its run's own threshold (0 when the
        /// smallest swept fraction cancels); nil without a threshold.
        public var lastUncancelledInTau: Double? {
            guard let lastUncancelled else { return tau == nil && budgetTau == nil ? nil : 0 }
            return (lastUncancelledTau ?? tau).map { lastUncancelled / $0 }
        }

        /// Whether the seed cancels within (1 + `judgedMargin`) of its run's threshold (near the prediction).
        public var isNear: Bool { budgetInTau.map { $0 <= 1 + TargetBudget.judgedMargin } == true }

        /// Whether a run of the seed beyond (1 + `judgedMargin`) of its own threshold fails to cancel
        /// while no smaller fraction cancels: gradient canceling cancelled late, whatever the grid hides.
        public var isLate: Bool { !lateRuns.isEmpty }

        /// The runs that make the seed late (`lateFailures`; in a results.json written before they were
        /// recorded, `lastUncancelled` when it lies beyond the margin, the only one known).
        public var lateRuns: [LateFailure] {
            if let lateFailures { return lateFailures }
            guard let lastUncancelled, let inTau = lastUncancelledInTau, inTau > 1 + TargetBudget.judgedMargin else { return [] }
            return [LateFailure(fraction: lastUncancelled, inTau: inTau)]
        }

    }

    /// How the measured budgets sit against each seed's τ (the prediction: the target is not reached
    /// below τ, and gradient canceling reaches it above).
    public enum Verdict: String, Sendable, Codable, Equatable {
        /// No seed's mixed gradient is cancelled below its τ, every seed's is at some swept budget above
        /// it, the paired interval of the excess (budget − τ)/τ over seeds lies at or below
        /// `judgedMargin`, no seed is late (`SeedBudget.isLate`) and no seed's run beyond the margin above
        /// its first cancelling budget fails (`SeedBudget.failuresAbove`): the runs agree with both halves of
        /// the prediction. A late seed rules it out even when the average holds the margin: the
        /// prediction is per problem instance (a seed's clean data and target), so a seed whose run
        /// failed beyond (1 + margin) of its own τ is evidence of late cancellation for that seed, which
        /// an average over the other seeds cannot take back; such a study is `excessUndecided` (some
        /// seeds late) or `reachedLate` (all).
        case consistent
        /// No seed's mixed gradient is cancelled below its τ and every seed's is above it, and for every
        /// seed a run beyond (1 + `judgedMargin`) of its own τ fails to cancel it below its first
        /// cancelling budget (`SeedBudget.isLate`): gradient canceling needed more than (1 + margin)τ,
        /// within the attack's step cap, whatever the grid hides.
        case reachedLate
        /// No seed's mixed gradient is cancelled below its τ and every seed's is above it, but neither
        /// is the excess's interval at or below `judgedMargin` with no seed late, nor is every seed late:
        /// some seeds' grid brackets straddle (1 + margin)τ, or the seeds differ (some near, some late;
        /// then even an average within the margin holds on average only), or some seed's run beyond the
        /// margin above its first cancelling budget fails (`SeedBudget.failuresAbove`).
        case excessUndecided
        /// Some seed's mixed gradient is cancelled (to `cancelledRatio`) at a budget below its τ: against
        /// the prediction, unless its floor there (which tends to 0 as ε_d → τ) is below `cancelledRatio`.
        case successBelowTau
        /// No seed's mixed gradient is cancelled below its τ, but some seed's is at no swept budget, and
        /// for some such seed a run above its τ fails: gradient canceling did not cancel it there (what
        /// this attack reached, not a bound on the problem).
        case notReachedAboveTau
        /// No seed's mixed gradient is cancelled below its τ, some seed's is at no swept budget, but no
        /// such seed has a run above its τ: the runs cannot decide; budgets above τ would (where the
        /// fraction cap, `StudyConfig.maximumFraction`, lets a study sweep them).
        case notSweptAboveTau
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
    /// the τ its run records, with its paired Student-t interval at the study's confidence, over the seeds
    /// that have a τ (a seed without one, ⟨W, G⟩ ≤ 0, is not judged); nil unless each of those has a
    /// budget (and there are two).
    public let excess: Estimate?
    /// The mean over seeds of (lastUncancelled − τ)/τ, τ that run's own, the excess the grid shows each
    /// seed's first cancelling budget to exceed (lastUncancelled taken as 0 when the seed's smallest
    /// swept fraction cancels), with its paired Student-t interval; nil when `excess` is. Recorded
    /// beside the verdict, which judges lateness per seed (`SeedBudget.isLate`), not by this average.
    public let excessFloor: Estimate?
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
        // The excess of each seed's first budget over the τ its run records: (budget − τ)/τ, paired by seed.
        let excesses = seeds.compactMap { seed in seed.budgetInTau.map { $0 - 1 } }
        // The excess each seed's first budget is known to exceed: its last uncancelled run's over that run's τ (−1 when none).
        let floors = seeds.compactMap { seed in seed.budgetInTau.flatMap { _ in seed.lastUncancelledInTau.map { $0 - 1 } } }
        // Over the seeds with a threshold only: a seed without one (⟨W, G⟩ ≤ 0) is not judged, never a reason for no estimate.
        if excesses.count == seeds.filter({ $0.tau != nil || $0.budgetTau != nil }).count,
           let interval = studentTInterval(excesses, resolution: 0, confidence: confidence),
           let floorInterval = studentTInterval(floors, resolution: 0, confidence: confidence) {
            excess = Estimate(value: excesses.reduce(0, +) / Double(excesses.count), interval: interval)
            excessFloor = Estimate(value: floors.reduce(0, +) / Double(floors.count), interval: floorInterval)
        } else {
            excess = nil
            excessFloor = nil
        }
        let predicted = seeds.filter { $0.tau != nil || $0.budgetTau != nil }
        if predicted.isEmpty {
            verdict = nil
        } else if predicted.contains(where: \.isBelowTau) {
            verdict = .successBelowTau
        } else if predicted.contains(where: { $0.budget == nil }) {
            verdict = predicted.contains { $0.budget == nil && $0.failsAboveTau } ? .notReachedAboveTau : .notSweptAboveTau
        } else if let upper = excess?.interval?.upper, upper <= Self.judgedMargin, !predicted.contains(where: \.isLate),
                  !predicted.contains(where: { $0.failuresAbove != nil }) {
            verdict = .consistent
        } else if predicted.allSatisfy(\.isLate) {
            verdict = .reachedLate
        } else {
            verdict = .excessUndecided
        }
    }

    /// The budgets of series `series` from its finished runs (`mixedGradientNorm` over `cleanGradientNorm`,
    /// `targetDistance`, `targetAgreement` and its clean baseline per run; each run's τ the threshold that
    /// applies, `applicableThreshold(metrics:cancel:)`, as that run records it, the seed's `tau` their
    /// median; none at all when `cancel` is nil, a series for which no threshold is derived,
    /// `thresholdDerived(cancel:model:)`). A run whose victim is not converged
    /// (`victimGradientNorm` above `MetricKey.victimGradientTolerance`) is not judged for the victim's
    /// finding: its agreement measures where its training stopped as much as the poisons. The mixed
    /// gradient is measured at the target, not at the victim, so every finished run counts for `budget`.
    public init(runs: [RunResult], series: Int, confidence: Double, cancel: CanceledGradient?) {
        let finished = runs.filter { $0.series == series && $0.metrics != nil && $0.fraction > 0 }
        let swept = Set(finished.map(\.fraction)).sorted()
        let seeds = Set(finished.map(\.seed)).sorted().map { seed -> SeedBudget in
            let own = finished.filter { $0.seed == seed }.sorted { $0.fraction < $1.fraction }
            let baseline = own.lazy.compactMap { $0.metrics?[MetricKey.cleanTargetAgreement] }.first
            let bar = SeedBudget(seed: seed, tau: nil, baseline: baseline, budget: nil).bar
            // ‖g(mixture; w)‖ / ‖g(μ; w)‖ ≤ 10⁻³: the target is stationary on the mixture to the attack's own rule.
            let cancels = { (run: RunResult) in
                guard let mixed = run.metrics?[MetricKey.mixedGradientNorm], let clean = run.metrics?[MetricKey.cleanGradientNorm], clean > 0 else {
                    return false
                }
                return mixed / clean <= Self.cancelledRatio
            }
            // Each run's own threshold: τ_w depends on the labels its poisons keep.
            let threshold = { (run: RunResult) in cancel.flatMap { cancel in run.metrics.flatMap { applicableThreshold(metrics: $0, cancel: cancel) } } }
            let first = own.first(where: cancels)
            let cancelled = first?.fraction
            let failed = own.filter { run in !cancels(run) && cancelled.map { run.fraction < $0 } ?? true }
            let last = failed.last
            // A failed run beyond (1 + margin) of its own threshold, in units of it.
            let beyondMargin = { (run: RunResult) in
                threshold(run).flatMap { tau in run.fraction / tau > 1 + Self.judgedMargin ? SeedBudget.LateFailure(fraction: run.fraction, inTau: run.fraction / tau) : nil }
            }
            let lateFailures = failed.compactMap(beyondMargin)
            let failuresAbove = own.filter { run in !cancels(run) && cancelled.map { run.fraction > $0 } == true }.compactMap(beyondMargin)
            let belowOwn = own.first { run in cancels(run) && threshold(run).map { run.fraction < $0 } == true }
            let halfway = bar.flatMap { bar in
                own.first { $0.victimConverged && ($0.metrics?[MetricKey.targetAgreement]).map { $0 >= bar } == true }?.fraction
            }
            let reached = own.first { run in
                guard run.victimConverged, let distance = run.metrics?[MetricKey.targetDistance], let agreement = run.metrics?[MetricKey.targetAgreement] else {
                    return false
                }
                return distance <= Self.reachedDistance && agreement >= 1
            }?.fraction
            let unconverged = own.filter { !$0.victimConverged }.count
            return SeedBudget(seed: seed, tau: median(own.compactMap(threshold)), baseline: baseline, budget: cancelled,
                              lastUncancelled: last?.fraction, budgetTau: first.flatMap(threshold), lastUncancelledTau: last.flatMap(threshold),
                              cancelledBelowTau: belowOwn?.fraction, reached: reached, halfway: halfway, judged: own.count - unconverged, unconverged: unconverged > 0 ? unconverged : nil,
                              lateFailures: lateFailures.isEmpty ? nil : lateFailures, failuresAbove: failuresAbove.isEmpty ? nil : failuresAbove)
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

    /// "[6.5%, 31.5%]" for an estimate's interval; empty without one.
    private static func bracket(_ estimate: Estimate) -> String {
        estimate.interval.flatMap { interval in interval.lower.flatMap { lower in interval.upper.map { " [\(percent(lower)), \(percent($0))]" } } } ?? ""
    }

    /// "the first cancelling budget exceeds τ_w by 19.0% of τ_w on average [6.5%, 31.5%] (paired over seeds)"; empty without it.
    private func excessClause(_ symbol: String) -> String {
        guard let excess, let value = excess.value else { return "" }
        return "the first cancelling budget exceeds \(symbol) by \(percent(value)) of \(symbol) on average\(Self.bracket(excess)) (paired over seeds)"
    }

    /// One seed's bracket, each end also in units of the threshold its own run records: "seed 1 in
    /// (100.0%, 150.0%] = (1.05, 1.58] τ_w", "seed 2 not in the swept range (none up to 150.0% = 1.58 τ_w
    /// cancels)", "seed 3 in (0.0%, 5.0%] = (0, 0.50] τ_w".
    private static func seedText(_ seed: SeedBudget, symbol: String) -> String {
        let units = { (value: Double?) in value.map { " = \(fixed($0, decimals: 2)) \(symbol)" } ?? "" }
        guard let budget = seed.budget else {
            return "seed \(seed.seed) not in the swept range ("
                + (seed.lastUncancelled.map { "none up to \(percent($0))\(units(seed.lastUncancelledInTau)) cancels" } ?? "no run") + ")"
        }
        let bracket = seed.lastUncancelledInTau.flatMap { low in seed.budgetInTau.map { " = (\(fixed(low, decimals: 2)), \(fixed($0, decimals: 2))] \(symbol)" } }
        return "seed \(seed.seed) in (\(percent(seed.lastUncancelled ?? 0)), \(percent(budget))]" + (bracket ?? "")
    }

    /// The runs that make `seed` late, each at its fraction and in units of the threshold it records:
    /// "seed 3's run at 150.0% = 1.41 τ_w", "seed 3's runs at 50.0% = 1.43 τ_w and 150.0% = 1.41 τ_w".
    private static func lateRunsText(_ seed: SeedBudget, symbol: String) -> String {
        let runs = seed.lateRuns
        return "seed \(seed.seed)'s run\(runs.count == 1 ? "" : "s") at "
            + listing(runs.map { "\(percent($0.fraction)) = \(fixed($0.inTau, decimals: 2)) \(symbol)" })
    }

    /// "seeds 1, 3" or "seed 2".
    private static func seedList(_ seeds: [SeedBudget]) -> String {
        "seed\(seeds.count == 1 ? "" : "s") \(seeds.map { String($0.seed) }.joined(separator: ", "))"
    }

    /// The seeds none of whose runs records a threshold (⟨W, G⟩ ≤ 0): the verdict does not judge them.
    private var unjudged: [SeedBudget] { seeds.filter { $0.tau == nil && $0.budgetTau == nil } }

    /// "; 3 of 8 seeds have no τ_w (⟨W, G⟩ ≤ 0: seeds 1, 2, 5), not judged"; empty when every seed has one.
    private func unjudgedClause(_ symbol: String) -> String {
        let none = unjudged
        guard !none.isEmpty else { return "" }
        return "; \(none.count) of \(seeds.count) seeds \(none.count == 1 ? "has" : "have") no \(symbol) (⟨W, G⟩ ≤ 0: \(Self.seedList(none))), not judged"
    }

    /// "; above its first cancelling budget, seed 3's run at 100.0% = 2.10 τ_w failed to cancel: …"; empty
    /// when no seed has such a run (`SeedBudget.failuresAbove`). Such a run is not late cancellation (a
    /// smaller budget cancels) but a budget at which the attack did not converge within its step cap.
    private func failuresAboveClause(_ symbol: String) -> String {
        let failing = seeds.filter { $0.failuresAbove != nil }
        guard !failing.isEmpty else { return "" }
        let runs = failing.map { seed in
            let failures = seed.failuresAbove ?? []
            return "seed \(seed.seed)'s run\(failures.count == 1 ? "" : "s") at "
                + listing(failures.map { "\(percent($0.fraction)) = \(fixed($0.inTau, decimals: 2)) \(symbol)" })
        }
        let one = failing.count == 1 && failing[0].failuresAbove?.count == 1
        return "; above its seed's first cancelling budget, \(listing(runs)) failed to cancel beyond \(fixed(1 + Self.judgedMargin, decimals: 2)) \(symbol): "
            + "not late cancellation (a smaller budget cancels) but gradient canceling not converging at \(one ? "that budget" : "those budgets") "
            + "within its step cap, so the runs do not show success at every budget above \(symbol)"
    }

    /// `unjudgedClause` then `failuresAboveClause`: what every verdict's sentence ends with.
    private func closingClauses(_ symbol: String) -> String { unjudgedClause(symbol) + failuresAboveClause(symbol) }

    /// "every seed" or, when some have no threshold, "every seed with a τ_w".
    private func everySeed(_ symbol: String) -> String { unjudged.isEmpty ? "every seed" : "every seed with a \(symbol)" }

    /// "every seed's" or, when some have no threshold, "that of every seed with a τ_w".
    private func everySeeds(_ symbol: String) -> String { unjudged.isEmpty ? "every seed's" : "that of every seed with a \(symbol)" }

    /// Where "late" is measured: within the attack's step cap, so a run that fails may cancel with more steps.
    private static let stepCapClause = "late at the attack's step cap (a run that fails there might cancel with more steps)"

    /// The seeds judged one by one against (1 + `judgedMargin`) of their own runs' thresholds: those
    /// that cancel within it, those a run beyond it failed for (late), and those whose grid bracket
    /// straddles it (open), with what would decide the open ones.
    private func perSeedMarginText(symbol: String, margin: String) -> String {
        let predicted = seeds.filter { $0.budgetInTau != nil }
        // A late seed is late whatever its first cancelling run: near only without a failed run beyond the margin.
        let near = predicted.filter { $0.isNear && !$0.isLate }, late = predicted.filter(\.isLate)
        let open = predicted.filter { !$0.isNear && !$0.isLate }
        var parts: [String] = []
        if !near.isEmpty { parts.append("\(near.count) of \(predicted.count) seeds cancel within \(margin) (\(Self.seedList(near)))") }
        if !late.isEmpty {
            parts.append("\(late.count) of \(predicted.count) failed beyond \(margin) ("
                + late.map { Self.lateRunsText($0, symbol: symbol) }.joined(separator: "; ") + " failed to cancel; \(Self.stepCapClause))")
        }
        if !open.isEmpty {
            parts.append("for \(Self.seedList(open)) the grid brackets the first cancelling budget across \(margin): fractions swept between "
                + "\(symbol) and \(margin) for \(open.count == 1 ? "it" : "them") would tell near from late")
        } else if excess != nil {
            parts.append("no seed's bracket straddles \(margin), so more fractions cannot change this; more seeds would narrow the average")
        } else {
            parts.append("no seed's bracket straddles \(margin), so more fractions cannot change this")
        }
        return "per seed, " + parts.joined(separator: "; ") + closingClauses(symbol)
    }

    /// The verdict's sentence: the criterion, each seed's bracket of its first cancelling budget beside
    /// its threshold, and the verdict. `symbol` names the threshold that applies ("τ_w" under
    /// `cancel: weights`, "τ" under `cancel: weights-and-bias`); `necessaryOnly`: it is only a necessary
    /// budget for this series (softmax regression with more than two classes, `cancel: weights-and-bias`,
    /// an MLP's last layer), so late or missing cancellation above it does not go against the prediction.
    public func sentence(necessaryOnly: Bool = false, symbol: String = "τ") -> String {
        let perSeed = seeds.map { Self.seedText($0, symbol: symbol) }.joined(separator: ", ")
        let opening = "Per seed, where gradient canceling first makes the target stationary on the mixture, its mixed gradient at most "
            + "\(ratioText(Self.cancelledRatio)) of the clean one (the event \(symbol) predicts), between the last swept budget that does not "
            + "and the first that does, each also in units of "
            + (symbol == "τ" ? "τ" : "the \(symbol) its own run records (\(symbol) depends on the labels the run's poisons keep, so every run is judged by its own)")
            + ": \(perSeed)"
        let allowed = necessaryOnly ? " \(symbol) is necessary only here, so this does not go against the prediction." : ""
        let margin = "\(fixed(1 + Self.judgedMargin, decimals: 2)) \(symbol)"
        switch verdict {
        case nil:
            return seeds.isEmpty ? opening + "none: no run at a positive budget finished, so no \(symbol) was computed."
                : opening + "; no \(symbol) is predicted."
        case .consistent:
            return opening + "; " + excessClause(symbol) + ", at most the \(percent(Self.judgedMargin)) margin: the runs agree with the prediction, "
                + "no seed's gradient is cancelled below its \(symbol) and \(everySeeds(symbol)) is within \(margin) on average" + closingClauses(symbol) + "."
        case .reachedLate:
            // Each seed's furthest failed run beyond the margin, in units of the threshold that run records.
            let furthest = seeds.compactMap { $0.lateRuns.map(\.inTau).max() }
            // "1.71–2.40", or one number when the ends are equal.
            let (low, high) = (fixed(furthest.min() ?? 0, decimals: 2), fixed(furthest.max() ?? 0, decimals: 2))
            return opening + "; no seed's gradient is cancelled below its \(symbol), but for \(everySeed(symbol)) a run beyond \(margin) failed"
                + (symbol == "τ" ? "" : ", each run judged by its own \(symbol)") + " (each seed's furthest such run lies at "
                + "\(low == high ? low : low + "–" + high) \(symbol)): gradient canceling cancelled it later than the prediction's \(symbol), \(Self.stepCapClause); "
                + "what this attack needed, not a bound on the problem" + closingClauses(symbol) + "." + allowed
        case .excessUndecided:
            guard excess != nil else {
                // Fewer than two seeds with a threshold: judge those there are, one by one; more seeds are advised only when
                // every seed has one (a seed of these data without a threshold is not a shortage of seeds).
                let judged = seeds.count - unjudged.count
                return opening + "; no seed's gradient is cancelled below its \(symbol) and \(everySeeds(symbol)) is above it, but there is no interval "
                    + "of the first budget's excess over \(symbol) " + (unjudged.isEmpty ? "(it needs two seeds, each with a \(symbol): more seeds would give it); "
                        : "(it needs two seeds with a \(symbol); \(judged == 1 ? "one has" : "\(judged) have") one); ")
                    + perSeedMarginText(symbol: symbol, margin: margin) + "."
            }
            let above = excess?.interval?.lower.map { $0 > Self.judgedMargin } == true
            let within = excess?.interval?.upper.map { $0 <= Self.judgedMargin } == true
            // Within the margin on average, yet undecided: some seed is late, which the average must not hide.
            let late = seeds.filter(\.isLate)
            let averageOnly = ", at most the \(percent(Self.judgedMargin)) margin, so the runs are consistent with the prediction on average only"
                + (late.isEmpty ? " (a run above a first cancelling budget failed, named at the end); "
                    : ": " + listing(late.map { Self.lateRunsText($0, symbol: symbol) }) + " failed to cancel beyond \(margin), evidence of late cancellation "
                        + "for \(late.count == 1 ? "that seed" : "those seeds"); ")
            return opening + "; no seed's gradient is cancelled below its \(symbol) and \(everySeeds(symbol)) is above it; " + excessClause(symbol)
                + (above ? ", above the \(percent(Self.judgedMargin)) margin, but a first cancelling budget is only the upper end of its grid bracket; "
                    : within ? averageOnly
                    : ", which holds the \(percent(Self.judgedMargin)) margin, so on average the runs cannot tell cancellation near \(symbol) from late; ")
                + perSeedMarginText(symbol: symbol, margin: margin) + "."
        case .successBelowTau:
            // Each seed with the run that cancels below its own threshold: it need not be the seed's first cancelling run,
            // whose bracket the opening prints (and may lie above its threshold).
            let below = seeds.filter(\.isBelowTau).map { seed in String(seed.seed) + (seed.cancelledBelowTau.map { " (its run at \(percent($0)))" } ?? "") }
            return opening + "; seed\(below.count == 1 ? "" : "s") \(below.joined(separator: ", ")) "
                + "cancel\(below.count == 1 ? "s" : "") it below \(symbol == "τ" ? symbol : "the \(symbol) \(below.count == 1 ? "that run records" : "each such run records")"), against the prediction (unless the floor below \(symbol), which tends to 0 as "
                + "ε_d nears \(symbol), is under \(ratioText(Self.cancelledRatio)) of the clean gradient there)" + closingClauses(symbol) + "."
        case .notReachedAboveTau:
            let missing = seeds.filter { $0.budget == nil && $0.failsAboveTau }.map { String($0.seed) }
            let unswept = seeds.filter { $0.tau != nil && $0.budget == nil && !$0.failsAboveTau }.map { String($0.seed) }
            return opening + "; no seed's gradient is cancelled below its \(symbol), but gradient canceling did not cancel it at any swept budget "
                + "for seed\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")), runs above \(symbol) included (what this attack "
                + "reached, not a bound on the problem)"
                + (unswept.isEmpty ? "" : "; seed\(unswept.count == 1 ? "" : "s") \(unswept.joined(separator: ", ")) had no run above \(symbol)")
                + closingClauses(symbol) + "." + allowed
        case .notSweptAboveTau:
            return opening + "; " + undecidedText(symbol: symbol, unjudged: closingClauses(symbol))
        }
    }

    /// The verdict `notSweptAboveTau` in words: which seeds are cancelled nowhere without a run above
    /// their τ, which budgets would decide ((τ, (1 + judgedMargin)τ] per seed), and where the fraction
    /// cap (`StudyConfig.maximumFraction`) keeps a study from sweeping them.
    private func undecidedText(symbol: String, unjudged: String) -> String {
        let open = seeds.filter { $0.tau != nil && $0.budget == nil }
        let cap = StudyConfig.maximumFraction
        let ranges = open.map { seed in
            "seed \(seed.seed) (\(percent(seed.tau!)), \(percent(seed.tau! * (1 + Self.judgedMargin)))]"
        }.joined(separator: ", ")
        let beyond = open.filter { $0.tau! >= cap }.map { String($0.seed) }
        let partly = open.filter { $0.tau! < cap && $0.tau! * (1 + Self.judgedMargin) > cap }.map { String($0.seed) }
        var text = "no seed's gradient is cancelled below its \(symbol), but seed\(open.count == 1 ? "" : "s") "
            + "\(open.map { String($0.seed) }.joined(separator: ", ")) \(open.count == 1 ? "is" : "are") cancelled at no swept budget and "
            + "\(open.count == 1 ? "has" : "have") no run above \(symbol): the runs cannot decide whether gradient canceling reaches the "
            + "target above it. Budgets above \(symbol), up to \(fixed(1 + Self.judgedMargin, decimals: 2)) \(symbol), would decide: \(ranges)"
        if !beyond.isEmpty {
            text += "; fractions are capped at \(percent(cap)), so no study can sweep above \(symbol) for seed\(beyond.count == 1 ? "" : "s") "
                + "\(beyond.joined(separator: ", ")), and there the prediction cannot be tested by running gradient canceling"
        }
        if !partly.isEmpty {
            text += "; for seed\(partly.count == 1 ? "" : "s") \(partly.joined(separator: ", ")) only up to the cap of \(percent(cap))"
        }
        return text + unjudged + "."
    }

    /// The victim's finding, separate from the verdict: per seed the first swept budget at which the
    /// retrained victim is the target and the halfway budget, or that no run's victim is judged.
    public var victimSentence: String {
        let unconverged = seeds.compactMap(\.unconverged).reduce(0, +)
        let opening = "Separately, per seed, the first swept budget at which the retrained victim is the target (within "
            + "\(percent(Self.reachedDistance)) of its parameters and agreeing with it on every test row; halfway: the first at which it "
            + "closes \(percent(closedShare)) of the clean model's disagreement with the target)"
        if seeds.isEmpty { return opening + ": no run at a positive budget finished." }
        if seeds.allSatisfy({ $0.judged == 0 }) {
            return opening + ": no run's victim is judged (none is converged to a gradient norm of "
                + "1e\(Int(log10(MetricKey.victimGradientTolerance).rounded())) on its training rows)."
        }
        let perSeed = seeds.map { seed in
            let halfway = seed.baseline == nil ? "no converged clean model at fraction 0"
                : "halfway " + (seed.halfway.map { percent($0) } ?? "not in the swept range")
            // A seed with no judged victim has neither finding: no halfway either.
            return "seed \(seed.seed) " + (seed.judged == 0 ? "not judged"
                : (seed.reached.map { "at \(percent($0))" } ?? "not in the swept range") + " (" + halfway + ")")
        }.joined(separator: ", ")
        return opening + ": \(perSeed)"
            + (unconverged == 0 ? "" : " (\(unconverged) run\(unconverged == 1 ? "" : "s") not judged: the victim's gradient norm on its training rows "
                + "is above 1e\(Int(log10(MetricKey.victimGradientTolerance).rounded())), not converged)") + "."
    }
}

/// The median of `values` (the mean of the middle two for an even count); nil when there are none.
func median(_ values: [Double]) -> Double? {
    guard !values.isEmpty else { return nil }
    let sorted = values.sorted(), middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
