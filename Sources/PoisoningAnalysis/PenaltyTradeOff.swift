import Foundation
import PoisoningEngine

/// The safety-efficacy trade-off of the input-gradient penalty (Granziol 2026; THEORY.md section 4)
/// in a study that sweeps its λ: per model and attack, one point per `input-gradient-penalty`
/// defense, each with the attack's success at the comparison budget (corrected for the clean model),
/// the clean model's test accuracy and its accuracy on the true labels of its training rows (its
/// fitting capacity), each a mean over seeds with its Student-t interval; and per curve the change
/// of each from the smallest swept λ to the largest, paired by seed, which says whether λ trades
/// success against capacity. Computed from the runs; results.json holds it as `penaltyTradeOff`.
public struct PenaltyTradeOff: Sendable, Codable, Equatable {
    /// A quantity over the study's seeds: how many seeds have it, their mean and the Student-t
    /// interval of the mean. In results.json `mean` is absent when no seed has the quantity (every
    /// run diverged or is missing) and `interval` with fewer than two.
    public struct SeedValues: Sendable, Codable, Equatable {
        /// The seeds with a value (finished runs).
        public let count: Int
        /// The mean of the values; nil when no seed has one.
        public let mean: Double?
        /// The Student-t interval of the mean (`studentTInterval`); nil with fewer than two values.
        public let interval: Interval?

        /// The count, mean and interval of `values` (one per seed, nil where missing), the spread
        /// raised to `resolution` (one row of the rows measured) as every interval over seeds is.
        init(_ values: [Double?], resolution: Double, confidence: Double) {
            let present = values.compactMap { $0 }
            count = present.count
            mean = present.isEmpty ? nil : MeanStd(of: present).mean
            interval = studentTInterval(values, resolution: resolution, confidence: confidence)
        }
    }

    /// One λ of one model under one attack.
    public struct Point: Sendable, Codable, Equatable {
        /// The series (the model and attack under this penalty).
        public let series: Int
        /// The penalty's λ.
        public let lambda: Double
        /// The attack's success at `PenaltyTradeOff.fraction`, corrected for the clean model of the
        /// same series and seed (see `Curve.successName`).
        public let success: SeedValues
        /// Test accuracy of the clean model (fraction 0) trained with this λ.
        public let cleanAccuracy: SeedValues
        /// Accuracy of the clean model on the true labels of its training rows: what it can fit.
        public let capacity: SeedValues

        /// Whether the success, the clean accuracy and the capacity each have a finished run (a
        /// penalty too strong for the learning rate diverges at every seed).
        public var isMeasured: Bool { success.mean != nil && cleanAccuracy.mean != nil && capacity.mean != nil }
    }

    /// Whether a quantity falls or rises from the smallest λ to the largest, as far as its interval decides.
    public enum Direction: String, Sendable, Codable, Equatable {
        /// The interval of the change lies below 0.
        case lower
        /// The interval of the change lies above 0.
        case higher
        /// The interval holds 0, or there is none (fewer than two seeds).
        case undecided

        /// The direction an interval of a change decides.
        init(_ interval: Interval?) {
            if let upper = interval?.upper, upper < 0 {
                self = .lower
            } else if let lower = interval?.lower, lower > 0 {
                self = .higher
            } else {
                self = .undecided
            }
        }
    }

    /// A change from the smallest swept λ to the largest, paired by seed.
    public struct Change: Sendable, Codable, Equatable {
        /// The mean and interval of the per-seed differences (largest λ minus smallest).
        public let difference: SeedValues
        /// What the interval decides.
        public let direction: Direction
        /// Seeds that would resolve a change of the study's planning effect with its power, from the
        /// observed spread of the differences; nil when more than 200 would, or the spread is unknown.
        public let seedsToResolve: Int?
    }

    /// The changes from the smallest λ to the largest of a curve's points that have finished runs.
    public struct Changes: Sendable, Codable, Equatable {
        /// The smallest and the largest λ compared.
        public let from, to: Double
        /// The success, the clean accuracy and the capacity.
        public let success, cleanAccuracy, capacity: Change
        /// What the changes of the success and the capacity answer.
        public let verdict: Verdict
        /// How they answer Granziol's (2026) claim that the penalty suppresses poisoning at a cost
        /// in capacity (`Changes.claim(baseline:success:capacity:margin:verdict:)`).
        public let claim: ClaimVerdict

        /// The claim's answer. Not testable when the success at the smallest λ (`baseline`, the
        /// attack's effect before the penalty) is not resolved above `margin` (the study's planning
        /// effect): the lower end of its interval is at most `margin`, so there is no resolved effect
        /// for the penalty to suppress. Else supported when the success and the capacity both fall
        /// (each interval below 0, a trade-off); contradicted where the runs resolve it false: the
        /// success rises, or it falls while the capacity rises (no cost), or the capacity falls while
        /// an equivalence test shows that the success does not fall by more than `margin`: the lower
        /// end of the success change's interval lies above -`margin` (of the two one-sided tests
        /// against ±`margin`, the one that matters here, each at half the interval's significance
        /// level: a (1 - α) interval instead of the (1 - 2α) of a level-α test, which only makes it
        /// stricter); not resolved otherwise, and when `baseline` has no interval (one seed).
        static func claim(baseline: Interval?, success: Change, capacity: Change, margin: Double, verdict: Verdict) -> ClaimVerdict {
            guard let effect = baseline?.lower else { return .notResolved }
            guard effect > margin else { return .notTestable }
            switch verdict {
            case .tradeOff: return .supported
            case .noCost, .successRises: return .contradicted
            case .costNotResolved: return .notResolved
            case .successNotResolved:
                guard capacity.direction == .lower, let lower = success.difference.interval?.lower, lower > -margin else { return .notResolved }
                return .contradicted
            }
        }
    }

    /// Whether λ trades attack success against capacity, as the changes from the smallest λ to the
    /// largest decide it: a trade-off only when both are resolved downward.
    public enum Verdict: String, Sendable, Codable, Equatable {
        /// The success and the capacity both fall: the penalty suppresses the attack at a cost in what the model fits.
        case tradeOff = "trade-off"
        /// The success falls and the capacity rises: no trade-off.
        case noCost = "no-cost"
        /// The success falls; whether the capacity does the runs cannot tell.
        case costNotResolved = "cost-not-resolved"
        /// The success rises: no trade-off.
        case successRises = "success-rises"
        /// Whether the success falls the runs cannot tell.
        case successNotResolved = "success-not-resolved"

        /// The verdict of the directions of the success's and the capacity's changes.
        init(success: Direction, capacity: Direction) {
            switch (success, capacity) {
            case (.lower, .lower): self = .tradeOff
            case (.lower, .higher): self = .noCost
            case (.lower, .undecided): self = .costNotResolved
            case (.higher, _): self = .successRises
            case (.undecided, _): self = .successNotResolved
            }
        }
    }

    /// One model under one attack, against λ.
    public struct Curve: Sendable, Codable, Equatable {
        /// The model's and the attack's indices.
        public let model, attack: Int
        /// What the success is, e.g. "backdoor success, excess over clean" or, for an attack that
        /// measures no success of its own, "test accuracy lost".
        public let successName: String
        /// What it measures, in a sentence.
        public let successMeaning: String
        /// One point per penalty defense, λ ascending (in study order among equal λ).
        public let points: [Point]
        /// From the smallest λ to the largest among the points with finished runs (`Point.isMeasured`);
        /// nil unless two values of λ have them.
        public let changes: Changes?
    }

    /// The budget the success is measured at: the study's comparison budget (`Findings.comparisonBudget`).
    public let fraction: Double
    /// The confidence of every interval.
    public let confidence: Double
    /// One curve per model and attack, in study order (attack, then model).
    public let curves: [Curve]

    /// The trade-off of `results`; nil unless its `input-gradient-penalty` defenses give at least two
    /// values of λ and it sweeps fraction 0 (the clean models) and a positive fraction.
    public init?(_ results: StudyResults) {
        let penalties = results.config.defenses.indices.compactMap { index -> (defense: Int, lambda: Double)? in
            let defense = results.config.defenses[index]
            guard defense.value(at: "kind") == .string(InputGradientPenaltyDefense.kind) else { return nil }
            switch defense.value(at: "lambda") {
            case .double(let lambda)?: return (index, lambda)
            case .int(let lambda)?: return (index, Double(lambda))
            default: return nil
            }
        }.sorted { $0.lambda != $1.lambda ? $0.lambda < $1.lambda : $0.defense < $1.defense }
        guard Set(penalties.map(\.lambda)).count >= 2, results.config.fractions.contains(0),
              let budget = results.findings.comparisonBudget else { return nil }
        fraction = budget
        confidence = results.statistics.confidence
        let seeds = results.config.seeds
        var metrics = [RunCell: [String: Double]]()
        for run in results.runs { metrics[RunCell(series: run.series, fraction: run.fraction, seed: run.seed)] = run.metrics }
        /// The values of `key` per seed of the study for `series` at `fraction`.
        func values(_ series: Int, _ fraction: Double, _ key: String) -> [Double?] {
            seeds.map { metrics[RunCell(series: series, fraction: fraction, seed: $0)]?[key] }
        }
        let testResolution = 1 / Double(results.data.testCount), trainResolution = 1 / Double(results.data.trainCount)
        let (confidence, planning) = (confidence, results.config.planning)
        /// The change from `first` to `last` of one quantity (per seed, nil where missing), paired by
        /// seed, its interval's spread raised to `resolution`.
        func change(_ first: [Double?], _ last: [Double?], resolution: Double) -> Change {
            let paired = zip(first, last).map { low, high in low.flatMap { a in high.map { $0 - a } } }
            let difference = SeedValues(paired, resolution: resolution, confidence: confidence)
            let present = paired.compactMap { $0 }
            let spread = present.count < 2 ? nil : max(resolution, MeanStd(of: present).std)
            return Change(difference: difference, direction: Direction(difference.interval),
                          seedsToResolve: spread.flatMap {
                              seedsNeeded(effect: planning.effect, sigma: $0, confidence: confidence, power: planning.power, limit: 200)
                          })
        }
        var curves = [Curve]()
        for attack in results.config.attacks.indices {
            for model in results.config.models.indices {
                let members = penalties.compactMap { penalty in
                    results.series.firstIndex { $0.model == model && $0.attack == attack && $0.defense == penalty.defense }
                        .map { (series: $0, lambda: penalty.lambda) }
                }
                guard let first = members.first else { continue }
                let metric = results.successMetric(of: first.series)
                let successName: String, successMeaning: String
                if let metric {
                    successName = metric.hasBaseline ? metric.excess.name : metric.name
                    successMeaning = metric.hasBaseline ? metric.excess.meaning : metric.meaning
                } else {
                    successName = "Test accuracy lost"
                    successMeaning = "the clean model's test accuracy minus the poisoned model's, of the same series and seed"
                }
                /// Per λ: its point and the per-seed success, clean accuracy and capacity behind it.
                let measuredPoints = members.map { member -> (point: Point, success: [Double?], clean: [Double?], capacity: [Double?]) in
                    let success: [Double?]
                    let clean = values(member.series, 0, MetricKey.testAccuracy)
                    let capacity = values(member.series, 0, MetricKey.trainCleanAccuracy)
                    if let metric {
                        success = values(member.series, budget, metric.hasBaseline ? metric.excess.key : metric.key)
                    } else {
                        let poisoned = values(member.series, budget, MetricKey.testAccuracy)
                        success = zip(clean, poisoned).map { clean, poisoned in clean.flatMap { c in poisoned.map { c - $0 } } }
                    }
                    let point = Point(series: member.series, lambda: member.lambda,
                                      success: SeedValues(success, resolution: testResolution, confidence: confidence),
                                      cleanAccuracy: SeedValues(clean, resolution: testResolution, confidence: confidence),
                                      capacity: SeedValues(capacity, resolution: trainResolution, confidence: confidence))
                    return (point, success, clean, capacity)
                }
                let points = measuredPoints.map(\.point)
                let measured = measuredPoints.filter(\.point.isMeasured)
                var changes: Changes?
                if let low = measured.first, let high = measured.last, high.point.lambda > low.point.lambda {
                    let success = change(low.success, high.success, resolution: testResolution)
                    let capacity = change(low.capacity, high.capacity, resolution: trainResolution)
                    let verdict = Verdict(success: success.direction, capacity: capacity.direction)
                    changes = Changes(from: low.point.lambda, to: high.point.lambda, success: success,
                                      cleanAccuracy: change(low.clean, high.clean, resolution: testResolution), capacity: capacity,
                                      verdict: verdict,
                                      claim: Changes.claim(baseline: low.point.success.interval, success: success, capacity: capacity,
                                                           margin: results.config.planning.effect, verdict: verdict))
                }
                curves.append(Curve(model: model, attack: attack, successName: successName, successMeaning: successMeaning, points: points,
                                    changes: changes))
            }
        }
        self.curves = curves
    }

    /// λ as a study file writes it: "0", "0.01", "10".
    public static func lambdaText(_ lambda: Double) -> String {
        lambda == lambda.rounded() && abs(lambda) < 1e15 ? String(Int(lambda)) : "\(lambda)"
    }
}

/// A run's place in the sweep: its series, fraction and seed.
private struct RunCell: Hashable {
    let series: Int
    let fraction: Double
    let seed: UInt64
}
