import Foundation
import PoisoningEngine
import PoisoningUtilities

/// Granziol's (2026; THEORY.md section 4) two claims about the input-space curvature of poisoning,
/// answered from a study that measures it (`measure: [input-curvature]`):
/// - the spike grows like the square of the attack's efficacy (`SpikeGrowth`);
/// - below some near-clone distance d the attack keeps a success above 0.5 while the spike and the
///   detectors' AUROC fall to chance (`NearCloneRegime`).
/// The spike of a run is the top eigenvalue of the mean input Hessian of the loss over the triggered
/// test rows (`inputCurvatureTopTriggered`, for an attack that stamps a trigger; else over the clean
/// test rows, `inputCurvatureTopClean`) minus the same of the clean model of the same series and seed
/// (fraction 0): the curvature the poisons add. The efficacy is the attack's success over the clean
/// model's (its `Excess` metric). results.json holds these as `curvatureClaims`.
public struct CurvatureClaims: Sendable, Codable, Equatable {
    /// The spike's growth with efficacy for one model and defense: the exponent p of spike ∝ efficacy^p.
    public struct SpikeGrowth: Sendable, Codable, Equatable {
        /// The model's and the defense's indices.
        public let model, defense: Int
        /// The series fitted together (every attack of the model and defense with the same success metric).
        public let series: [Int]
        /// The efficacy's metric key (an attack's success over the clean model, e.g. "backdoorSuccessExcess").
        public let efficacyKey: String
        /// The curvature metric whose excess over the clean model is the spike.
        public let spikeKey: String
        /// The exponent over seeds: per seed the least-squares slope of log(spike) on log(efficacy)
        /// over that seed's runs at positive fractions (`exponent(efficacies:spikes:)`), their mean
        /// and its Student-t interval.
        public let exponent: PenaltyTradeOff.SeedValues
        /// The runs the per-seed fits used, and those they left out (efficacy or spike at most 0, whose
        /// logarithm is undefined, or a missing clean model).
        public let pointsUsed, pointsLeftOut: Int
        /// The answer to the claim (`SpikeGrowth.verdict(_:)`).
        public let verdict: ClaimVerdict

        /// The claim's answer from the exponent's interval: supported when it holds 2 and lies
        /// strictly between 1 and 3 (it tells a square from a linear and a cubic growth),
        /// contradicted when it excludes 2, not resolved when it holds 2 but reaches 1 or 3, or
        /// there is none (fewer than two seeds with an exponent).
        public static func verdict(_ interval: Interval?) -> ClaimVerdict {
            guard let lower = interval?.lower, let upper = interval?.upper else { return .notResolved }
            if lower > 2 || upper < 2 { return .contradicted }
            return lower > 1 && upper < 3 ? .supported : .notResolved
        }
    }

    /// What one near-clone distance shows against the claim.
    public enum NearCloneStatus: String, Sendable, Codable, Equatable {
        /// The success's interval lies above 0.5, the spike's reaches 0 (the clean model's level)
        /// and every detector's AUROC interval holds 0.5.
        case invisible
        /// The success's interval lies below 0.5, the spike's above 0, or a detector's AUROC interval excludes 0.5.
        case fails
        /// The success's interval holds 0.5, or an interval is missing (fewer than two seeds).
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
        /// Each defense that scores rows: its index and its detection AUROC at that fraction.
        public let detectors: [Detector]
        /// What the intervals show (`NearCloneStatus`).
        public let status: NearCloneStatus
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

    /// A sweep of near-clone distances for one model and one backdoor (the attacks that differ only in d).
    public struct NearCloneRegime: Sendable, Codable, Equatable {
        /// The model's index.
        public let model: Int
        /// The budget every point is measured at: the study's comparison budget.
        public let fraction: Double
        /// The curvature metric whose excess over the clean model is the spike.
        public let spikeKey: String
        /// One point per swept distance, ascending.
        public let points: [NearClonePoint]
        /// The largest swept d up to which every swept distance, from the smallest, is `invisible`;
        /// nil when the smallest is not.
        public let invisibleUpTo: Double?
        /// The answer (`NearCloneRegime.verdict(_:)`).
        public let verdict: ClaimVerdict

        /// The claim's answer from the points' statuses, ascending in d: supported when the smallest
        /// swept d is `invisible`, contradicted when every swept d `fails`, not resolved otherwise.
        public static func verdict(_ statuses: [NearCloneStatus]) -> ClaimVerdict {
            if statuses.first == .invisible { return .supported }
            return !statuses.isEmpty && statuses.allSatisfy { $0 == .fails } ? .contradicted : .notResolved
        }
    }

    /// The confidence of every interval.
    public let confidence: Double
    /// One fit per model and defense with an attack whose success has a clean baseline and at least
    /// two runs at positive fractions per seed.
    public let spikeGrowth: [SpikeGrowth]
    /// One per model and near-clone backdoor with an undefended series and a defense that scores rows.
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
        let confidence = confidence

        // Spike growth: per model, defense and success metric with a baseline.
        var growth = [SpikeGrowth]()
        for model in results.config.models.indices {
            for defense in results.config.defenses.indices {
                var groups = [(key: String, series: [Int])]()
                for index in results.series.indices where results.series[index].model == model && results.series[index].defense == defense {
                    guard let metric = results.successMetric(of: index), metric.hasBaseline else { continue }
                    if let at = groups.firstIndex(where: { $0.key == metric.excess.key }) { groups[at].series.append(index) } else {
                        groups.append((metric.excess.key, [index]))
                    }
                }
                for group in groups where group.series.count * positive.count >= 2 {
                    let key = spikeKey(group.series[0])
                    var used = 0, leftOut = 0
                    let exponents = seeds.map { seed -> Double? in
                        var efficacies = [Double](), spikes = [Double]()
                        for series in group.series {
                            for fraction in positive {
                                guard let efficacy = metrics[RunPlace(series: series, fraction: fraction, seed: seed)]?[group.key] else { continue }
                                guard let value = spike(series, fraction, seed, key: key), efficacy > 0, value > 0 else {
                                    leftOut += 1
                                    continue
                                }
                                efficacies.append(efficacy)
                                spikes.append(value)
                            }
                        }
                        used += efficacies.count
                        return Self.exponent(efficacies: efficacies, spikes: spikes)
                    }
                    let values = PenaltyTradeOff.SeedValues(exponents, resolution: 0, confidence: confidence)
                    growth.append(SpikeGrowth(model: model, defense: defense, series: group.series, efficacyKey: group.key, spikeKey: key,
                                              exponent: values, pointsUsed: used, pointsLeftOut: leftOut,
                                              verdict: SpikeGrowth.verdict(values.interval)))
                }
            }
        }
        spikeGrowth = growth

        // Near clones: per model and backdoor, the attacks that differ only in their distance.
        var regimes = [NearCloneRegime]()
        let defenses = results.config.defenses
        let undefended = defenses.indices.filter { defenses[$0].value(at: "kind") == .string("none") }
        if let budget = results.findings.comparisonBudget, let bare = undefended.first {
            var sweeps = [(rest: String, attacks: [(attack: Int, distance: Double)])]()
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
                if let at = sweeps.firstIndex(where: { $0.rest == rest }) { sweeps[at].attacks.append((attack, distance)) } else {
                    sweeps.append((rest, [(attack, distance)]))
                }
            }
            let testResolution = 1 / Double(results.data.testCount)
            for model in results.config.models.indices {
                for sweep in sweeps {
                    /// The series of this model, `attack` and `defense`.
                    func series(_ attack: Int, _ defense: Int) -> Int? {
                        results.series.firstIndex { $0.model == model && $0.attack == attack && $0.defense == defense }
                    }
                    let detecting = defenses.indices.filter { defense in
                        sweep.attacks.contains { entry in
                            series(entry.attack, defense).map { s in results.points.contains { $0.series == s && ($0.metric(MetricKey.detectionAUROC) != nil || $0.orientationSplit(MetricKey.detectionAUROC) != nil) } } ?? false
                        }
                    }
                    guard !detecting.isEmpty, let first = sweep.attacks.first, let firstSeries = series(first.attack, bare),
                          let successKey = results.successMetric(of: firstSeries).flatMap({ $0.hasBaseline ? $0.excess.key : nil }) else { continue }
                    let key = spikeKey(firstSeries)
                    let points = sweep.attacks.sorted { $0.distance < $1.distance }.compactMap { entry -> NearClonePoint? in
                        guard let plain = series(entry.attack, bare) else { return nil }
                        let success = PenaltyTradeOff.SeedValues(
                            seeds.map { metrics[RunPlace(series: plain, fraction: budget, seed: $0)]?[successKey] },
                            resolution: testResolution, confidence: confidence)
                        let spikes = PenaltyTradeOff.SeedValues(seeds.map { spike(plain, budget, $0, key: key) }, resolution: 0,
                                                                confidence: confidence)
                        let detectors = detecting.map { defense in
                            let values = seeds.map { seed in
                                series(entry.attack, defense).flatMap { metrics[RunPlace(series: $0, fraction: budget, seed: seed)]?[MetricKey.detectionAUROC] }
                            }
                            // Seeds split in orientation get no mean: one over both orientations reads as chance.
                            let split = OrientationSplit(values: values.compactMap { $0 })
                            return Detector(defense: defense, auroc: PenaltyTradeOff.SeedValues(split == nil ? values : [], resolution: 0, confidence: confidence),
                                            orientationSplit: split, splitSeedValues: split == nil ? nil : values.compactMap { $0 })
                        }
                        return NearClonePoint(distance: entry.distance, attack: entry.attack, success: success, spike: spikes, detectors: detectors,
                                              status: Self.status(success: success.interval, spike: spikes.interval,
                                                                  aurocs: detectors.map(\.auroc.interval),
                                                                  splits: detectors.compactMap(\.orientationSplit)))
                    }
                    guard !points.isEmpty else { continue }
                    let leading = points.prefix { $0.status == .invisible }
                    regimes.append(NearCloneRegime(model: model, fraction: budget, spikeKey: key, points: points,
                                                   invisibleUpTo: leading.last?.distance,
                                                   verdict: NearCloneRegime.verdict(points.map(\.status))))
                }
            }
        }
        nearClone = regimes
        guard !spikeGrowth.isEmpty || !nearClone.isEmpty else { return nil }
    }

    /// What one distance shows: `fails` when the success's interval lies below 0.5, the spike's
    /// above 0, a detector's AUROC interval excludes 0.5 or a detector's seeds split in orientation
    /// with none between (`splits`: every seed's scores separate the poisons, in one direction or
    /// the other); else `notResolved` when an interval is missing (a split with seeds between has
    /// none) or the success's holds 0.5; else `invisible`.
    public static func status(success: Interval?, spike: Interval?, aurocs: [Interval?], splits: [OrientationSplit] = []) -> NearCloneStatus {
        let excludesHalf = aurocs.contains { interval in
            guard let lower = interval?.lower, let upper = interval?.upper else { return false }
            return lower > 0.5 || upper < 0.5
        } || splits.contains { $0.between == 0 }
        if let upper = success?.upper, upper < 0.5 { return .fails }
        if let lower = spike?.lower, lower > 0 { return .fails }
        if excludesHalf { return .fails }
        guard let successLower = success?.lower, spike?.lower != nil, aurocs.allSatisfy({ $0?.lower != nil && $0?.upper != nil })
        else { return .notResolved }
        return successLower > 0.5 ? .invisible : .notResolved
    }
}

/// A run's place in the sweep: its series, fraction and seed.
private struct RunPlace: Hashable {
    let series: Int
    let fraction: Double
    let seed: UInt64
}
