import Foundation
import PoisoningEngine
import PoisoningUtilities

/// Granziol's (2026; THEORY.md section 4) two claims about the input-space curvature of poisoning,
/// answered from a study that measures it (`measure: [input-curvature]`):
/// - the spike grows like the square of the attack's efficacy (`SpikeGrowth`);
/// - below some near-clone distance d the attack keeps a success above 0.5 while the spike and the
///   detectors' AUROC fall to chance (`NearCloneRegime`), shown by equivalence tests against margins
///   (the spike's a share of the clustered reference's spike, `vanish-margin`; the AUROC's the study's
///   planning effect) and against a clustered attack that stays visible.
/// The spike of a run is the top eigenvalue of the mean input Hessian of the loss over the triggered
/// test rows (`inputCurvatureTopTriggered`, for an attack that stamps a trigger; else over the clean
/// test rows, `inputCurvatureTopClean`) minus the same of the clean model of the same series and seed
/// (fraction 0): the curvature the poisons add. The efficacy is the attack's success over the clean
/// model's (its `Excess` metric). results.json holds these as `curvatureClaims`.
public struct CurvatureClaims: Sendable, Codable, Equatable {
    /// The spike's growth with efficacy for one series (one model, attack and defense): the exponent p
    /// of spike ∝ efficacy^p across the swept fractions, the attack's geometry fixed (attacks that
    /// differ in it, such as near-clone distances, are never pooled into one fit).
    public struct SpikeGrowth: Sendable, Codable, Equatable {
        /// The series, and its model's and defense's indices.
        public let series, model, defense: Int
        /// The efficacy's metric key (an attack's success over the clean model, e.g. "backdoorSuccessExcess").
        public let efficacyKey: String
        /// The curvature metric whose excess over the clean model is the spike.
        public let spikeKey: String
        /// The exponent over seeds: per seed the least-squares slope of log(spike) on log(efficacy)
        /// over that seed's runs at positive fractions (`exponent(efficacies:spikes:)`), their mean
        /// and its Student-t interval. Only the fraction varies within a seed's fit.
        public let exponent: PenaltyTradeOff.SeedValues
        /// The runs the per-seed fits used, and those they left out (efficacy or spike at most 0, whose
        /// logarithm is undefined, or a missing clean model).
        public let pointsUsed, pointsLeftOut: Int
        /// The study's seeds, of which `exponent.count` have an exponent.
        public let seeds: Int
        /// Per positive fraction, ascending, the efficacy and the spike over seeds (paired by seed with
        /// the clean model): the sign test made before any fit, and the range of efficacies the fit covers.
        public let byFraction: [FractionSpike]
        /// The direct test between the smallest and the largest positive fraction (`DirectGrowth`),
        /// which divides by nothing; nil with fewer than two positive fractions.
        public let direct: DirectGrowth?
        /// Whether the model is in the setting THEORY.md section 4 derives the claim for: kernel ridge
        /// trained with squared error (`isPaperSetting`). False for a network trained with softmax
        /// cross-entropy, whose input Hessian J_zᵀ(diag p − p pᵀ)J_z shrinks as p becomes confident:
        /// the verdict is then the test's outcome outside the paper's setting, not an answer to the paper.
        public let paperSetting: Bool
        /// The answer to the claim (`SpikeGrowth.verdict(_:selective:lessCurved:flagged:direct:)`).
        public internal(set) var verdict: ClaimVerdict

        /// Whether the fit stands on a minority of the runs: more runs left out than used, or fewer
        /// than half the seeds with an exponent. Leaving out the runs whose spike is at most 0 selects
        /// on the outcome; when most are left out the exponent of the rest describes a selected few.
        public var isSelective: Bool { pointsLeftOut > pointsUsed || 2 * exponent.count < seeds }

        /// The fractions at which the poisoned model is resolved less curved than its clean model
        /// while the attack works: the efficacy's interval lies above 0 and the spike's below 0.
        public var lessCurvedFractions: [Double] { byFraction.filter(\.isLessCurved).map(\.fraction) }

        /// Whether the fit is ill-conditioned: the positive means of the efficacy over seeds span less
        /// than a factor 2, so small errors in the efficacy move the slope much.
        public var isIllConditioned: Bool {
            let efficacies = byFraction.compactMap(\.efficacy.mean).filter { $0 > 0 }
            guard let low = efficacies.min(), let high = efficacies.max() else { return false }
            return high < 2 * low
        }

        /// Whether no power law fits: between some two successive fractions the spike resolved rises
        /// (the interval of its change, paired by seed, lies above 0) and between others it resolved
        /// falls; a sign change of the means alone, noise included, does not count.
        public var risesAndFalls: Bool {
            byFraction.contains { ($0.change?.interval?.lower ?? 0) > 0 } && byFraction.contains { ($0.change?.interval?.upper ?? 0) < 0 }
        }

        /// log(ē₂/ē₁), the log of the ratio of the mean efficacies at the direct test's two fractions:
        /// D within ± it is p between 1 and 3; nil unless both means are positive.
        public var directSpan: Double? {
            guard let direct, let low = byFraction.first(where: { $0.fraction == direct.from })?.efficacy.mean,
                  let high = byFraction.first(where: { $0.fraction == direct.to })?.efficacy.mean, low > 0, high > 0 else { return nil }
            return abs(log(high / low))
        }

        /// Whether the exponent's fit is flagged (`isIllConditioned` or `risesAndFalls`): the verdict
        /// then rests on the direct test (`direct`), not on the exponent.
        public var isFlagged: Bool { isIllConditioned || risesAndFalls }

        /// The claim's answer: contradicted when at some fraction the poisoned model is resolved less
        /// curved while the attack works (`lessCurved`: a spike ∝ efficacy² is never below 0, and
        /// leaving such runs out of a log-log fit would hide it); else from the exponent's interval:
        /// not resolved when the fit is `selective` or there is no interval (fewer than two seeds with
        /// an exponent); else supported when it holds 2 and lies strictly between 1 and 3 (it tells a
        /// square from a linear and a cubic growth), contradicted when it excludes 2, not resolved
        /// when it holds 2 but reaches 1 or 3. A `flagged` fit (`isFlagged`) is decided by the `direct`
        /// test's interval instead: contradicted when it excludes 0 (the spike grows resolved more slowly
        /// or faster than the square between the two fractions); supported when it lies within ± `span`,
        /// the log of the ratio of the two fractions' mean efficacies (p between 1 and 3, as
        /// D = (p − 2) log(e₂/e₁)); else not resolved.
        public static func verdict(_ interval: Interval?, selective: Bool = false, lessCurved: Bool = false,
                                   flagged: Bool = false, direct: Interval? = nil, span: Double? = nil) -> ClaimVerdict {
            if lessCurved { return .contradicted }
            if !selective, flagged {
                guard let lower = direct?.lower, let upper = direct?.upper else { return .notResolved }
                if lower > 0 || upper < 0 { return .contradicted }
                return (span.map { lower > -$0 && upper < $0 } ?? false) ? .supported : .notResolved
            }
            guard !selective, let lower = interval?.lower, let upper = interval?.upper else { return .notResolved }
            if lower > 2 || upper < 2 { return .contradicted }
            return lower > 1 && upper < 3 ? .supported : .notResolved
        }
    }

    /// One positive fraction of a spike fit's series: its efficacy and its spike over seeds.
    public struct FractionSpike: Sendable, Codable, Equatable {
        /// The poison fraction.
        public let fraction: Double
        /// The attack's success over the clean model of the same seed.
        public let efficacy: PenaltyTradeOff.SeedValues
        /// The curvature minus the clean model's of the same seed (negative: the poisoned model is less curved).
        public let spike: PenaltyTradeOff.SeedValues
        /// The spike's change from the previous positive fraction, paired by seed; nil at the smallest.
        public let change: PenaltyTradeOff.SeedValues?

        /// Whether the attack works (the efficacy's interval above 0) while the poisoned model is less
        /// curved than its clean model (the spike's interval below 0): the sign test of the claim.
        public var isLessCurved: Bool {
            guard let efficacyLower = efficacy.interval?.lower, let spikeUpper = spike.interval?.upper else { return false }
            return efficacyLower > 0 && spikeUpper < 0
        }
    }

    /// What one near-clone distance shows against the claim.
    public enum NearCloneStatus: String, Sendable, Codable, Equatable {
        /// Effective and shown invisible by equivalence tests: the success's interval lies above 0.5,
        /// the spike's within ± its margin of 0 (the spike vanishes) and every detector's AUROC interval
        /// within 0.5 ± the margin (two one-sided tests against the margin, as `PenaltyTradeOff.Changes.claim` runs them).
        case invisible
        /// The success's interval lies below 0.5, the spike's beyond ± its margin (either way: a poisoned
        /// model less curved than its clean model is a trace too), or a detector's AUROC interval excludes 0.5.
        case fails
        /// Neither: the success's interval holds 0.5, an interval holds an end of its margin (neither
        /// within nor beyond it: absence of evidence, not evidence of absence), the spike has no margin
        /// (no clustered spike to measure it against), or an interval is missing (fewer than two seeds).
        case notResolved = "not-resolved"
    }

    /// One swept near-clone distance.
    public struct NearClonePoint: Sendable, Codable, Equatable {
        /// The distance d and the attack that moves its poisons by it.
        public let distance: Double
        public let attack: Int
        /// The undefended series' success over the clean model, at `NearCloneRegime.fraction`.
        public let success: PenaltyTradeOff.SeedValues
        /// The undefended series' spike at that fraction, paired by seed with its clean model.
        public let spike: PenaltyTradeOff.SeedValues
        /// The spike's margin: the study's `vanish-margin` times |the clustered reference's mean spike|
        /// (`CurvatureClaims.spikeMargin(reference:vanishMargin:)`; for a clustered reference's own
        /// point, its own spike), the same for every point of a sweep; nil when there is no working
        /// reference or its spike's interval holds 0 (no clustered spike to vanish relative to).
        public let spikeMargin: Double?
        /// Each defense that scores rows: its index and its detection AUROC at that fraction.
        public let detectors: [Detector]
        /// What the intervals show (`NearCloneStatus`).
        public let status: NearCloneStatus
        /// Whether the poisons are visible: the spike's interval lies beyond ± its margin, or a
        /// detector's AUROC interval excludes 0.5, or its seeds split in orientation with none near 0.5.
        public let visible: Bool
        /// When the status is not resolved because intervals hold an end of their margins: the seeds
        /// that would resolve every such interval against its margin (within it where its mean lies
        /// within, beyond it where its mean lies beyond; the success's against 0.5, a margin of 0) with
        /// the study's planning power, were the means and spreads as observed
        /// (`CurvatureClaims.seedsToResolve`); nil otherwise, or when more than 200 would.
        public let seedsToResolve: Int?
    }

    /// A defense's detection AUROC at one distance.
    public struct Detector: Sendable, Codable, Equatable {
        /// The defense's index.
        public let defense: Int
        /// Its AUROC over seeds; no mean and no interval (count 0) when the seeds split in orientation.
        public let auroc: PenaltyTradeOff.SeedValues
        /// How the seeds split when some AUROCs lie clearly below 0.5 and some clearly above
        /// (`OrientationSplit`); nil otherwise.
        public let orientationSplit: OrientationSplit?
        /// Each seed's AUROC, in seed order, when `orientationSplit` is set (a figure draws them); nil otherwise.
        public let splitSeedValues: [Double]?
    }

    /// The clustered point a near-clone sweep's verdict contrasts with: an attack that works (its
    /// success's interval lies above 0) at a distance beyond `nearCloneReach`, toward the source mean
    /// or with a success's interval above 0.5 (`isClusteredReference`).
    public struct ClusteredReference: Sendable, Codable, Equatable {
        /// Its attack and distance (an attack of another sweep, such as `toward: source-mean`, or the sweep's own largest d).
        public let attack: Int
        public let distance: Double
        /// Whether its poisons are visible (`NearClonePoint.visible`, its spike judged against `vanish-margin` times itself).
        public let visible: Bool
        /// Its spike over seeds: the clustered spike a near-clone spike vanishes relative to.
        public let spike: PenaltyTradeOff.SeedValues
    }

    /// The attacks of one model and one backdoor that differ only in the near-clone distance d.
    /// A near-clone sweep (two distances or more, the smallest within `nearCloneReach` of clones)
    /// answers the claim; any other (a single distance, such as Granziol's clustered dirty-label
    /// poisons `toward: source-mean` at d 1000) is a clustered reference: no verdict of its own, the
    /// visible contrast the sweeps' verdicts need.
    public struct NearCloneRegime: Sendable, Codable, Equatable {
        /// The model's index.
        public let model: Int
        /// The budget every point is measured at: the study's comparison budget.
        public let fraction: Double
        /// The curvature metric whose excess over the clean model is the spike.
        public let spikeKey: String
        /// The equivalence margin of the AUROC (within 0.5 ± margin): the study's planning effect.
        public let margin: Double
        /// The spike's margin as a share of the clustered reference's spike: input-curvature's
        /// `vanish-margin` (default 0.1), so that "the spike vanishes" is relative to the clustered spike.
        public let vanishMargin: Double
        /// One point per swept distance, ascending.
        public let points: [NearClonePoint]
        /// For a near-clone sweep, the clustered point it contrasts with, among the points of the model's
        /// clustered references of the same backdoor (every attack option outside `near-clone`, such as the
        /// target and the trigger, equal to the sweep's) and the sweep's own largest d that are one (`isClusteredReference`):
        /// the first visible with a spike resolved away from 0, else the first visible, else the
        /// first; nil for a clustered reference, or when there is none.
        public let reference: ClusteredReference?
        /// The largest swept d up to which every swept distance, from the smallest, is `invisible`;
        /// nil when the smallest is not.
        public let invisibleUpTo: Double?
        /// The answer (`NearCloneRegime.verdict(_:contrast:)`; not testable for a sweep without a
        /// reference unless every swept d fails on its success or AUROC); nil for a clustered reference.
        public let verdict: ClaimVerdict?
        /// Whether the model is kernel ridge with squared error, the paper's setting (`isPaperSetting`);
        /// false for a network trained with softmax cross-entropy, whose spike can vanish with confidence alone.
        public let paperSetting: Bool

        /// Whether the distances make a near-clone sweep: at least two, the smallest at most `nearCloneReach`.
        public static func isSweep(_ distances: [Double]) -> Bool {
            distances.count >= 2 && (distances.min() ?? .infinity) <= nearCloneReach
        }

        /// The claim's answer from the points' statuses, ascending in d, and whether the clustered
        /// reference is visible (`contrast`; nil without a reference): contradicted when every swept d
        /// `fails`; without a reference, not testable otherwise (the claim contrasts near clones with
        /// clustered poisons, and "the spike vanishes" is relative to the clustered spike); supported
        /// when the smallest swept d is `invisible` and the reference visible (near clones hide where
        /// clustered poisons show); not resolved otherwise, including an invisible smallest d beside a
        /// reference that is not visible either (the instruments then show no contrast to lose).
        /// Without a reference the statuses must be judged without the spike (`statusWithoutSpike`):
        /// a spike can fail a distance only against the clustered spike's margin.
        public static func verdict(_ statuses: [NearCloneStatus], contrast: Bool?) -> ClaimVerdict {
            if !statuses.isEmpty && statuses.allSatisfy({ $0 == .fails }) { return .contradicted }
            guard let contrast else { return .notTestable }
            return statuses.first == .invisible && contrast ? .supported : .notResolved
        }
    }

    /// The largest smallest-distance of a near-clone sweep, in standardised units: a sweep must start
    /// with poisons moved by at most one unit, near clones of their source rows.
    public static let nearCloneReach = 1.0

    /// Whether a point of `attack` can be the clustered reference of a sweep: its poisons moved beyond
    /// `nearCloneReach` (clustered, not near clones), its attack working (the success's interval above
    /// 0), and its poisons Granziol's clustered dirty-label poisons (`toward: source-mean`,
    /// `movesTowardSourceMean`) or its success's interval above 0.5 (an attack that works as well as
    /// the near clones must). A cluster toward the target mean lies on the target class's data, its
    /// label consistent with its place: below a success of 0.5 it is no clustered backdoor to contrast with.
    public static func isClusteredReference(_ point: NearClonePoint, attack: ParameterValue) -> Bool {
        isClusteredReference(distance: point.distance, success: point.success.interval, towardSourceMean: movesTowardSourceMean(attack))
    }

    /// Whether a point at `distance` whose success has the interval `success`, of an attack that moves
    /// its poisons toward their own class's mean or not (`towardSourceMean`), can be a clustered reference.
    public static func isClusteredReference(distance: Double, success: Interval?, towardSourceMean: Bool) -> Bool {
        let lower = success?.lower ?? 0
        return distance > nearCloneReach && lower > 0 && (towardSourceMean || lower > 0.5)
    }

    /// Whether `attack` moves its near-clone poisons toward the mean of their own class's training rows
    /// (`near-clone: {toward: source-mean}`): beyond every row's distance, Granziol's clustered dirty-label poisons.
    public static func movesTowardSourceMean(_ attack: ParameterValue) -> Bool {
        attack.value(at: "near-clone.toward") == .string("source-mean")
    }

    /// The attack that would give a sweep of `attack` its clustered reference: `attack` with
    /// `near-clone: {distance: 1000, toward: source-mean}` (every poison on its own class's mean,
    /// labelled as the target), its other options unchanged.
    public static func sourceMeanReference(for attack: ParameterValue) -> ParameterValue {
        withNearClone(attack, .mapping([ParameterEntry(key: "distance", value: .int(1000)),
                                        ParameterEntry(key: "toward", value: .string("source-mean"))]))
    }

    /// `attack` with its `near-clone` option replaced by `nearClone` (added when it has none).
    public static func withNearClone(_ attack: ParameterValue, _ nearClone: ParameterValue) -> ParameterValue {
        var entries = (attack.entries ?? []).filter { $0.key != "near-clone" }
        let at = (attack.entries ?? []).firstIndex { $0.key == "near-clone" } ?? entries.count
        entries.insert(ParameterEntry(key: "near-clone", value: nearClone), at: min(at, entries.count))
        return .mapping(entries)
    }

    /// Whether a defense of a study file trains as no defense does (`kind: none`, or an
    /// input-gradient penalty of λ 0, `TrainingSetDefense.trainsAsUndefended`): an undefended series.
    public static func trainsAsUndefended(_ defense: ParameterValue) -> Bool {
        switch (defense.value(at: "kind"), defense.value(at: "lambda")) {
        case (.string(NoDefense.kind)?, _): true
        case (.string(InputGradientPenaltyDefense.kind)?, .double(let lambda)?): lambda == 0
        case (.string(InputGradientPenaltyDefense.kind)?, .int(let lambda)?): lambda == 0
        default: false
        }
    }

    /// The confidence of every interval.
    public let confidence: Double
    /// One fit per series whose attack is a dirty-label backdoor (`isDirtyLabelBackdoor`: the claim is
    /// about no other attack) with a clean baseline of its success, in a study with at least two
    /// positive fractions.
    public let spikeGrowth: [SpikeGrowth]
    /// One per model and near-clone backdoor with an undefended series and a defense that scores
    /// rows: the near-clone sweeps and the clustered references.
    public let nearClone: [NearCloneRegime]

    /// The exponent p of spike ∝ efficacy^p in one seed: the least-squares slope of log(spike) on
    /// log(efficacy), p = Σ (u - ū)(w - w̄) / Σ (u - ū)² with u = log efficacy and w = log spike, over
    /// the pairs with both positive; nil unless two of them have different efficacies.
    public static func exponent(efficacies: [Double], spikes: [Double]) -> Double? {
        let pairs = zip(efficacies, spikes).filter { $0.0 > 0 && $0.1 > 0 }.map { (log($0.0), log($0.1)) }
        guard pairs.count >= 2 else { return nil }
        let count = Double(pairs.count)
        let meanU = pairs.reduce(0) { $0 + $1.0 } / count, meanW = pairs.reduce(0) { $0 + $1.1 } / count
        let sxx = pairs.reduce(0) { $0 + ($1.0 - meanU) * ($1.0 - meanU) }
        let sxy = pairs.reduce(0) { $0 + ($1.0 - meanU) * ($1.1 - meanW) }
        return sxx > 0 ? sxy / sxx : nil
    }

    /// The near-clone options of `attack` other than its distance (`toward`), as its study file gives them.
    public static func nearCloneOptions(of attack: ParameterValue) -> [ParameterEntry] {
        (attack.value(at: "near-clone")?.entries ?? []).filter { $0.key != "distance" }
    }

    /// The options of `attack` outside `near-clone` (kind, target, trigger, ...) as one text: two
    /// near-clone attacks with equal texts are the same backdoor moved differently.
    public static func optionsOutsideNearClone(_ attack: ParameterValue) -> String {
        ParameterValue.mapping((attack.entries ?? []).filter { $0.key != "near-clone" }).description
    }

    /// The near-clone options of `attack` other than its distance in words, "toward source mean";
    /// empty without them. Names the sweep of attacks that share them.
    public static func nearCloneOptionsText(of attack: ParameterValue) -> String {
        nearCloneOptions(of: attack).map { entry in
            guard case .string(let text) = entry.value else { return "\(entry.key) \(entry.value)" }
            return "\(entry.key) \(text.replacingOccurrences(of: "-", with: " "))"
        }.joined(separator: ", ")
    }

    /// A swept distance as the report names it: "d 1000", with the attack's other near-clone options
    /// in parentheses, "d 1000 (toward source mean)", so that two attacks at one distance that differ
    /// in another option are told apart wherever their points are named.
    public static func distanceLabel(_ distance: Double, attack: ParameterValue) -> String {
        let options = nearCloneOptionsText(of: attack)
        return "d \(PenaltyTradeOff.lambdaText(distance))" + (options.isEmpty ? "" : " (\(options))")
    }

    /// The claims' answers for `results`; nil unless it records an input-curvature metric and some
    /// model has a spike fit or a near-clone sweep.
    public init?(_ results: StudyResults) {
        let measured = Set((results.measuredMetrics ?? []).map(\.key))
        guard measured.contains(MetricKey.inputCurvatureTopClean) else { return nil }
        confidence = results.statistics.confidence
        var metrics = [RunPlace: [String: Double]]()
        for run in results.runs { metrics[RunPlace(series: run.series, fraction: run.fraction, seed: run.seed)] = run.metrics }
        let seeds = results.config.seeds, positive = results.config.fractions.filter { $0 > 0 }.sorted()
        /// The spike key of `series`: the triggered rows' curvature when its clean model records it.
        func spikeKey(_ series: Int) -> String {
            let triggered = seeds.contains { metrics[RunPlace(series: series, fraction: 0, seed: $0)]?[MetricKey.inputCurvatureTopTriggered] != nil }
            return triggered ? MetricKey.inputCurvatureTopTriggered : MetricKey.inputCurvatureTopClean
        }
        /// The spike of one run: its curvature minus its clean model's; nil when either is missing.
        func spike(_ series: Int, _ fraction: Double, _ seed: UInt64, key: String) -> Double? {
            guard let poisoned = metrics[RunPlace(series: series, fraction: fraction, seed: seed)]?[key],
                  let clean = metrics[RunPlace(series: series, fraction: 0, seed: seed)]?[key] else { return nil }
            return poisoned - clean
        }
        let confidence = confidence, testResolution = 1 / Double(results.data.testCount)

        // Spike growth: per series whose attack's success has a baseline, across the positive fractions.
        var growth = [SpikeGrowth]()
        if positive.count >= 2 {
            for (index, series) in results.series.enumerated() {
                guard let metric = results.successMetric(of: index), metric.hasBaseline,
                      Self.isDirtyLabelBackdoor(results.config.attacks[series.attack]) else { continue }
                let key = spikeKey(index), efficacyKey = metric.excess.key
                /// Per seed, the efficacy and the spike at `fraction`.
                func efficacies(_ fraction: Double) -> [Double?] { seeds.map { metrics[RunPlace(series: index, fraction: fraction, seed: $0)]?[efficacyKey] } }
                func spikes(_ fraction: Double) -> [Double?] { seeds.map { spike(index, fraction, $0, key: key) } }
                // The sign test before the fit: per fraction, the efficacy and the spike paired by seed.
                let byFraction = positive.enumerated().map { step, fraction in
                    FractionSpike(fraction: fraction,
                                  efficacy: PenaltyTradeOff.SeedValues(efficacies(fraction), resolution: testResolution, confidence: confidence),
                                  spike: PenaltyTradeOff.SeedValues(spikes(fraction), resolution: 0, confidence: confidence),
                                  change: step == 0 ? nil : PenaltyTradeOff.SeedValues(Self.pairedChanges(from: spikes(positive[step - 1]), to: spikes(fraction)),
                                                                                       resolution: 0, confidence: confidence))
                }
                let direct = DirectGrowth(from: positive[0], to: positive[positive.count - 1],
                                          values: PenaltyTradeOff.SeedValues(
                                            Self.directStatistics(efficacies: (efficacies(positive[0]), efficacies(positive[positive.count - 1])),
                                                                  spikes: (spikes(positive[0]), spikes(positive[positive.count - 1]))),
                                            resolution: 0, confidence: confidence))
                var used = 0, leftOut = 0
                let exponents = seeds.map { seed -> Double? in
                    var efficacies = [Double](), spikes = [Double]()
                    for fraction in positive {
                        guard let efficacy = metrics[RunPlace(series: index, fraction: fraction, seed: seed)]?[efficacyKey] else { continue }
                        guard let value = spike(index, fraction, seed, key: key), efficacy > 0, value > 0 else {
                            leftOut += 1
                            continue
                        }
                        efficacies.append(efficacy)
                        spikes.append(value)
                    }
                    used += efficacies.count
                    return Self.exponent(efficacies: efficacies, spikes: spikes)
                }
                let values = PenaltyTradeOff.SeedValues(exponents, resolution: 0, confidence: confidence)
                let selective = leftOut > used || 2 * values.count < seeds.count
                var fit = SpikeGrowth(series: index, model: series.model, defense: series.defense, efficacyKey: efficacyKey, spikeKey: key,
                                      exponent: values, pointsUsed: used, pointsLeftOut: leftOut, seeds: seeds.count, byFraction: byFraction,
                                      direct: direct, paperSetting: Self.isPaperSetting(results.config.models[series.model]), verdict: .notResolved)
                fit.verdict = SpikeGrowth.verdict(values.interval, selective: selective, lessCurved: byFraction.contains(where: \.isLessCurved),
                                                  flagged: values.mean != nil && fit.isFlagged, direct: direct.values.interval,
                                                  span: fit.directSpan)
                growth.append(fit)
            }
        }
        spikeGrowth = growth

        // Near clones: per model and backdoor, the attacks that differ only in their distance.
        var regimes = [NearCloneRegime]()
        let defenses = results.config.defenses, margin = results.config.planning.effect
        let vanishMargin = InputCurvatureMeasurement.vanishMargin(results.config)
        let undefended = defenses.indices.filter { Self.trainsAsUndefended(defenses[$0]) }
        if let budget = results.findings.comparisonBudget, let bare = undefended.first {
            var sweeps = [(rest: String, base: String, attacks: [(attack: Int, distance: Double)])]()
            for (attack, component) in results.config.attacks.enumerated() {
                let distance: Double
                switch component.value(at: "near-clone.distance") {
                case .double(let value)?: distance = value
                case .int(let value)?: distance = Double(value)
                default: continue
                }
                // A sweep's attacks differ in the distance alone: another near-clone option (`toward`) makes another sweep.
                let rest = ParameterValue.mapping((component.entries ?? []).map { entry in
                    entry.key == "near-clone" ? ParameterEntry(key: entry.key, value: .mapping(Self.nearCloneOptions(of: component))) : entry
                }).description
                // Its options outside `near-clone` (target, trigger, ...): a clustered reference must share them with the sweep.
                let base = Self.optionsOutsideNearClone(component)
                if let at = sweeps.firstIndex(where: { $0.rest == rest }) { sweeps[at].attacks.append((attack, distance)) } else {
                    sweeps.append((rest, base, [(attack, distance)]))
                }
            }
            let planning = results.config.planning
            for model in results.config.models.indices {
                /// The series of this model, `attack` and `defense`.
                func series(_ attack: Int, _ defense: Int) -> Int? {
                    results.series.firstIndex { $0.model == model && $0.attack == attack && $0.defense == defense }
                }
                var measured = [(key: String, base: String, points: [MeasuredDistance])]()
                for sweep in sweeps {
                    let detecting = defenses.indices.filter { defense in
                        sweep.attacks.contains { entry in
                            series(entry.attack, defense).map { s in results.points.contains { $0.series == s && ($0.metric(MetricKey.detectionAUROC) != nil || $0.orientationSplit(MetricKey.detectionAUROC) != nil) } } ?? false
                        }
                    }
                    guard !detecting.isEmpty, let first = sweep.attacks.first, let firstSeries = series(first.attack, bare),
                          let successKey = results.successMetric(of: firstSeries).flatMap({ $0.hasBaseline ? $0.excess.key : nil }) else { continue }
                    let key = spikeKey(firstSeries)
                    let points = sweep.attacks.sorted { $0.distance < $1.distance }.compactMap { entry -> MeasuredDistance? in
                        guard let plain = series(entry.attack, bare) else { return nil }
                        let successValues = seeds.map { metrics[RunPlace(series: plain, fraction: budget, seed: $0)]?[successKey] }
                        let success = PenaltyTradeOff.SeedValues(successValues, resolution: testResolution, confidence: confidence)
                        let spikeValues = seeds.map { spike(plain, budget, $0, key: key) }
                        var aurocValues = [[Double?]]()
                        let detectors = detecting.map { defense in
                            let values = seeds.map { seed in
                                series(entry.attack, defense).flatMap { metrics[RunPlace(series: $0, fraction: budget, seed: seed)]?[MetricKey.detectionAUROC] }
                            }
                            // Seeds split in orientation get no mean: one over both orientations reads as chance.
                            let split = OrientationSplit(values: values.compactMap { $0 })
                            aurocValues.append(split == nil ? values : [])
                            return Detector(defense: defense, auroc: PenaltyTradeOff.SeedValues(split == nil ? values : [], resolution: 0, confidence: confidence),
                                            orientationSplit: split, splitSeedValues: split == nil ? nil : values.compactMap { $0 })
                        }
                        return MeasuredDistance(distance: entry.distance, attack: entry.attack, successValues: successValues, success: success,
                                                spikeValues: spikeValues,
                                                spike: PenaltyTradeOff.SeedValues(spikeValues, resolution: 0, confidence: confidence),
                                                detectors: detectors, aurocValues: aurocValues)
                    }
                    if !points.isEmpty { measured.append((key, sweep.base, points)) }
                }
                /// A distance judged against the spike's margin `spikeMargin` and the AUROC's `margin`, with
                /// the seeds that would resolve its open intervals when it is not resolved.
                func judged(_ point: MeasuredDistance, spikeMargin: Double?) -> NearClonePoint {
                    let status = Self.status(success: point.success.interval, spike: point.spike.interval, spikeMargin: spikeMargin,
                                             aurocs: point.detectors.map(\.auroc.interval), margin: margin,
                                             splits: point.detectors.compactMap(\.orientationSplit))
                    // The intervals that hold a margin's end: the success's against 0.5, the spike's against ± its
                    // margin, each AUROC's against 0.5 ± the margin; and the seeds that would resolve each, were its
                    // mean and spread as observed.
                    var open = [(values: [Double?], center: Double, margin: Double)]()
                    if status == .notResolved {
                        if Self.holdsMarginEnd(point.success.interval, of: 0.5, margin: 0) { open.append((point.successValues, 0.5, 0)) }
                        if let spikeMargin, Self.holdsMarginEnd(point.spike.interval, of: 0, margin: spikeMargin) {
                            open.append((point.spikeValues, 0, spikeMargin))
                        }
                        for (detector, values) in zip(point.detectors, point.aurocValues) where detector.orientationSplit == nil
                            && Self.holdsMarginEnd(detector.auroc.interval, of: 0.5, margin: margin) {
                            open.append((values, 0.5, margin))
                        }
                    }
                    let needed = open.map { Self.seedsToResolve($0.values, center: $0.center, margin: $0.margin, confidence: confidence,
                                                                 power: planning.power) }
                    return NearClonePoint(distance: point.distance, attack: point.attack, success: point.success, spike: point.spike,
                                          spikeMargin: spikeMargin, detectors: point.detectors, status: status,
                                          visible: Self.isVisible(spike: point.spike.interval, spikeMargin: spikeMargin,
                                                                  aurocs: point.detectors.map(\.auroc.interval),
                                                                  splits: point.detectors.compactMap(\.orientationSplit)),
                                          seedsToResolve: needed.isEmpty || needed.contains(nil) ? nil : needed.compactMap { $0 }.max())
                }
                /// A clustered point judged against its own spike: whether it shows is the contrast a sweep needs.
                func judgedAlone(_ point: MeasuredDistance) -> NearClonePoint {
                    judged(point, spikeMargin: Self.spikeMargin(reference: point.spike, vanishMargin: vanishMargin))
                }
                // The clustered references of this model: their points, and their options outside `near-clone`.
                let clustered = measured.filter { !NearCloneRegime.isSweep($0.points.map(\.distance)) }
                for (key, base, points) in measured {
                    let sweep = NearCloneRegime.isSweep(points.map(\.distance))
                    var reference: ClusteredReference?
                    var judgedPoints = points.map(judgedAlone)
                    if sweep {
                        // The reference: a working clustered point of the same backdoor (target, trigger and every
                        // option outside `near-clone` equal to the sweep's), visible with a spike to measure against first.
                        let candidates = (clustered.filter { $0.base == base }.flatMap(\.points) + points.suffix(1)).filter {
                            Self.isClusteredReference(distance: $0.distance, success: $0.success.interval,
                                                      towardSourceMean: Self.movesTowardSourceMean(results.config.attacks[$0.attack]))
                        }.map { (measured: $0, judged: judgedAlone($0)) }
                        let chosen = candidates.first { $0.judged.visible && $0.judged.spikeMargin != nil }
                            ?? candidates.first { $0.judged.visible } ?? candidates.first
                        reference = chosen.map {
                            ClusteredReference(attack: $0.judged.attack, distance: $0.judged.distance, visible: $0.judged.visible,
                                               spike: $0.measured.spike)
                        }
                        let spikeMargin = chosen?.judged.spikeMargin
                        judgedPoints = points.map { judged($0, spikeMargin: spikeMargin) }
                    }
                    let leading = judgedPoints.prefix { $0.status == .invisible }
                    // Without a reference the spike has no clustered spike to be judged against: only the success and the AUROC decide.
                    let statuses = reference == nil ? points.map(Self.statusWithoutSpike) : judgedPoints.map(\.status)
                    regimes.append(NearCloneRegime(model: model, fraction: budget, spikeKey: key, margin: margin, vanishMargin: vanishMargin,
                                                   points: judgedPoints, reference: reference,
                                                   invisibleUpTo: sweep ? leading.last?.distance : nil,
                                                   verdict: sweep ? NearCloneRegime.verdict(statuses, contrast: reference.map(\.visible)) : nil,
                                                   paperSetting: Self.isPaperSetting(results.config.models[model])))
                }
            }
        }
        nearClone = regimes
        guard !spikeGrowth.isEmpty || !nearClone.isEmpty else { return nil }
    }

    /// What a distance shows without its spike (`status` with neither spike nor margin): `fails`
    /// when its success's interval lies below 0.5 or a detector sees the poisons (an AUROC interval
    /// excluding 0.5, or seeds split in orientation with none near 0.5), else `notResolved` (never
    /// `invisible`: that needs the spike within its margin).
    fileprivate static func statusWithoutSpike(_ point: MeasuredDistance) -> NearCloneStatus {
        status(success: point.success.interval, spike: nil, spikeMargin: nil, aurocs: point.detectors.map(\.auroc.interval),
               margin: 0, splits: point.detectors.compactMap(\.orientationSplit))
    }

    /// Whether `interval` lies strictly within `center` ± `margin`: the two one-sided tests of
    /// equivalence, each at half the interval's significance level; false without an interval.
    public static func isWithin(_ interval: Interval?, of center: Double, margin: Double) -> Bool {
        guard let lower = interval?.lower, let upper = interval?.upper else { return false }
        return lower > center - margin && upper < center + margin
    }

    /// Whether `interval` holds an end of `center` ± `margin` (neither within nor beyond it): the
    /// intervals more seeds could resolve against the margin; false without an interval.
    public static func holdsMarginEnd(_ interval: Interval?, of center: Double, margin: Double) -> Bool {
        guard let lower = interval?.lower, let upper = interval?.upper else { return false }
        return !isWithin(interval, of: center, margin: margin) && lower <= center + margin && upper >= center - margin
    }

    /// The spike's margin a clustered reference sets: `vanishMargin` times |its mean spike| when its
    /// interval excludes 0 (a spike to lose), else nil (no clustered spike, so none can vanish).
    public static func spikeMargin(reference spike: PenaltyTradeOff.SeedValues, vanishMargin: Double) -> Double? {
        guard let mean = spike.mean, let lower = spike.interval?.lower, let upper = spike.interval?.upper, lower > 0 || upper < 0 else { return nil }
        return vanishMargin * abs(mean)
    }

    /// The seeds a new study would need for the interval of `values` (one per seed) to resolve against
    /// `center` ± `margin`, were their mean m and spread σ as observed: within it when |m − center| <
    /// margin (half-width below margin − |m − center|, each of the two one-sided tests missing with half
    /// the power's miss), beyond it when |m − center| > margin (half-width below |m − center| − margin,
    /// at `power`), by `seedsNeeded`; nil with fewer than two values, a mean on the margin's end, or more than 200 seeds.
    public static func seedsToResolve(_ values: [Double?], center: Double, margin: Double, confidence: Double, power: Double) -> Int? {
        let present = values.compactMap { $0 }
        guard present.count >= 2 else { return nil }
        let spread = MeanStd(of: present), offset = abs(spread.mean - center)
        guard offset != margin else { return nil }
        return seedsNeeded(effect: abs(margin - offset), sigma: spread.std, confidence: confidence,
                           power: offset < margin ? (1 + power) / 2 : power, limit: 200)
    }

    /// Whether poisons are visible: the spike's interval lies beyond ± `spikeMargin` of 0 (above:
    /// the poisoned model more curved than its clean model; below: less curved, a trace all the
    /// same; never without a margin), a detector's AUROC interval excludes 0.5, or a detector's
    /// seeds split in orientation with none between (`splits`: every seed's scores separate the
    /// poisons, in one direction or the other).
    public static func isVisible(spike: Interval?, spikeMargin: Double?, aurocs: [Interval?], splits: [OrientationSplit] = []) -> Bool {
        if spikeBeyondMargin(spike, margin: spikeMargin) != nil { return true }
        return aurocs.contains { interval in
            guard let lower = interval?.lower, let upper = interval?.upper else { return false }
            return lower > 0.5 || upper < 0.5
        } || splits.contains { $0.between == 0 }
    }

    /// Which way a spike's interval lies beyond ± `margin` of 0: +1 wholly above `margin`, -1 wholly
    /// below `-margin`, nil otherwise, and always nil without a margin: a spike is judged only against
    /// a clustered spike resolved away from 0, so with none it shows nothing either way.
    public static func spikeBeyondMargin(_ spike: Interval?, margin: Double?) -> Int? {
        guard let margin else { return nil }
        if let lower = spike?.lower, lower > margin { return 1 }
        if let upper = spike?.upper, upper < -margin { return -1 }
        return nil
    }

    /// What one distance shows: `fails` when the success's interval lies below 0.5 or the poisons
    /// are visible (`isVisible`); else `invisible` when the success's interval lies above 0.5, the
    /// spike's within ± `spikeMargin` of 0 and every AUROC interval within 0.5 ± `margin`
    /// (`isWithin`), with no detector split in orientation; else `notResolved`.
    public static func status(success: Interval?, spike: Interval?, spikeMargin: Double?, aurocs: [Interval?], margin: Double,
                              splits: [OrientationSplit] = []) -> NearCloneStatus {
        if let upper = success?.upper, upper < 0.5 { return .fails }
        if isVisible(spike: spike, spikeMargin: spikeMargin, aurocs: aurocs, splits: splits) { return .fails }
        guard let successLower = success?.lower, successLower > 0.5, let spikeMargin, isWithin(spike, of: 0, margin: spikeMargin),
              splits.isEmpty, aurocs.allSatisfy({ isWithin($0, of: 0.5, margin: margin) }) else { return .notResolved }
        return .invisible
    }
}

/// One distance of a near-clone sweep as measured, before it is judged against the margins.
private struct MeasuredDistance {
    let distance: Double
    let attack: Int
    /// The success over the clean model per seed (nil where a run is missing) and over seeds.
    let successValues: [Double?]
    let success: PenaltyTradeOff.SeedValues
    /// The spike per seed (nil where a run or its clean model is missing) and over seeds.
    let spikeValues: [Double?]
    let spike: PenaltyTradeOff.SeedValues
    let detectors: [CurvatureClaims.Detector]
    /// Each detector's AUROC per seed; empty for a detector whose seeds split in orientation.
    let aurocValues: [[Double?]]
}

/// A run's place in the sweep: its series, fraction and seed.
private struct RunPlace: Hashable {
    let series: Int
    let fraction: Double
    let seed: UInt64
}
