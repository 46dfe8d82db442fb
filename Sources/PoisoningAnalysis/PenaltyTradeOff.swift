import Foundation
import PoisoningEngine

/// The safety-efficacy trade-off of the input-gradient penalty (Granziol 2026; THEORY.md section 4)
/// in a study that sweeps its λ: per model and attack, one point per `input-gradient-penalty`
/// defense, each with the attack's success at the comparison budget (corrected for the clean model),
/// the clean model's test accuracy and its accuracy on the true labels of its training rows (its
/// fitting capacity), each a mean over seeds with its Student-t interval; and per curve the change
/// of each from the smallest swept λ to the largest, paired by seed, which says whether λ trades
/// success against capacity. Computed from the runs, so it needs nothing results.json does not hold.
public struct PenaltyTradeOff: Sendable, Equatable {
    /// A quantity over the study's seeds: its value per seed (nil where the run diverged), in the
    /// order of the study's seeds, their mean and the Student-t interval of the mean.
    public struct SeedValues: Sendable, Equatable {
        /// One value per seed of the study, nil where it is missing.
        public let values: [Double?]
        /// The mean of the values present (NaN when none is).
        public let mean: Double
        /// The Student-t interval of the mean (`studentTInterval`); nil with fewer than two values.
        public let interval: Interval?

        /// The mean and interval of `values`, the spread raised to `resolution` (one row of the rows
        /// measured) as every interval over seeds is.
        init(_ values: [Double?], resolution: Double, confidence: Double) {
            let present = values.compactMap { $0 }
            self.values = values
            mean = present.isEmpty ? .nan : MeanStd(of: present).mean
            interval = studentTInterval(values, resolution: resolution, confidence: confidence)
        }

        /// Per seed, `other`'s value minus this one's (nil where either is missing): the paired differences.
        func differences(to other: SeedValues) -> [Double?] {
            zip(values, other.values).map { mine, theirs in mine.flatMap { a in theirs.map { $0 - a } } }
        }
    }

    /// One λ of one model under one attack.
    public struct Point: Sendable, Equatable {
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
        public var isMeasured: Bool { !success.mean.isNaN && !cleanAccuracy.mean.isNaN && !capacity.mean.isNaN }
    }

    /// Whether a quantity falls or rises from the smallest λ to the largest, as far as its interval decides.
    public enum Direction: String, Sendable, Equatable {
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
    public struct Change: Sendable, Equatable {
        /// The mean and interval of the per-seed differences (largest λ minus smallest).
        public let difference: SeedValues
        /// What the interval decides.
        public let direction: Direction
        /// Seeds that would resolve a change of the study's planning effect with its power, from the
        /// observed spread of the differences; nil when more than 200 would, or the spread is unknown.
        public let seedsToResolve: Int?
    }

    /// The changes from the smallest λ to the largest of a curve's points that have finished runs.
    public struct Changes: Sendable, Equatable {
        /// The smallest and the largest λ compared.
        public let from, to: Double
        /// The success, the clean accuracy and the capacity.
        public let success, cleanAccuracy, capacity: Change
    }

    /// One model under one attack, against λ.
    public struct Curve: Sendable, Equatable {
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
        /// The change from `first` to `last` of one quantity, its interval's spread raised to `resolution`.
        func change(_ first: SeedValues, _ last: SeedValues, resolution: Double) -> Change {
            let difference = SeedValues(first.differences(to: last), resolution: resolution, confidence: confidence)
            let present = difference.values.compactMap { $0 }
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
                let points = members.map { member -> Point in
                    let success: [Double?]
                    if let metric {
                        success = values(member.series, budget, metric.hasBaseline ? metric.excess.key : metric.key)
                    } else {
                        let clean = values(member.series, 0, MetricKey.testAccuracy), poisoned = values(member.series, budget, MetricKey.testAccuracy)
                        success = zip(clean, poisoned).map { clean, poisoned in clean.flatMap { c in poisoned.map { c - $0 } } }
                    }
                    return Point(series: member.series, lambda: member.lambda,
                                 success: SeedValues(success, resolution: testResolution, confidence: confidence),
                                 cleanAccuracy: SeedValues(values(member.series, 0, MetricKey.testAccuracy), resolution: testResolution,
                                                           confidence: confidence),
                                 capacity: SeedValues(values(member.series, 0, MetricKey.trainCleanAccuracy), resolution: trainResolution,
                                                      confidence: confidence))
                }
                let measured = points.filter(\.isMeasured)
                var changes: Changes?
                if let low = measured.first, let high = measured.last, high.lambda > low.lambda {
                    changes = Changes(from: low.lambda, to: high.lambda,
                                      success: change(low.success, high.success, resolution: testResolution),
                                      cleanAccuracy: change(low.cleanAccuracy, high.cleanAccuracy, resolution: testResolution),
                                      capacity: change(low.capacity, high.capacity, resolution: trainResolution))
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
