import Foundation
import PoisoningEngine
import PoisoningUtilities

extension CurvatureClaims {
    /// The direct test of spike ∝ efficacy² between two budgets, which divides by nothing (unlike
    /// the exponent, a ratio of log changes whose denominator is near 0 when the efficacy barely
    /// moves): per seed D = log(s₂/s₁) − 2 log(e₂/e₁), s the spike and e the efficacy at the smaller
    /// fraction (1) and the larger (2); D is 0 when the spike grows as the square, below 0 when it
    /// grows more slowly (or falls), above 0 when faster.
    public struct DirectGrowth: Sendable, Codable, Equatable {
        /// The two positive fractions compared: the study's smallest and largest.
        public let from, to: Double
        /// D over the seeds whose spike and efficacy are positive at both, with its Student-t interval.
        public let values: PenaltyTradeOff.SeedValues
    }

    /// Per seed D = log(s₂/s₁) − 2 log(e₂/e₁) (`DirectGrowth`) from the efficacies and spikes at the
    /// two fractions, by seed; nil for a seed where one is missing or at most 0 (no logarithm).
    public static func directStatistics(efficacies: ([Double?], [Double?]), spikes: ([Double?], [Double?])) -> [Double?] {
        efficacies.0.indices.map { seed in
            guard let e1 = efficacies.0[seed], let e2 = efficacies.1[seed], let s1 = spikes.0[seed], let s2 = spikes.1[seed],
                  e1 > 0, e2 > 0, s1 > 0, s2 > 0 else { return nil }
            return log(s2 / s1) - 2 * log(e2 / e1)
        }
    }

    /// Per seed `to` − `from`; nil where either is missing.
    public static func pairedChanges(from: [Double?], to: [Double?]) -> [Double?] {
        zip(from, to).map { pair in pair.0.flatMap { a in pair.1.map { $0 - a } } }
    }

    /// Whether Granziol's spike-growth claim is about `attack`: a dirty-label backdoor (poisons
    /// stamped with the trigger and relabelled as the target, `clean-label` false). Clean-label
    /// backdoors, feature collision and label flips are other attacks: the claim does not apply.
    public static func isDirtyLabelBackdoor(_ attack: ParameterValue) -> Bool {
        attack.value(at: "kind") == .string(Backdoor.kind) && attack.value(at: "clean-label") != .bool(true)
    }

    /// Whether `model` is in the setting THEORY.md section 4 derives the curvature claims for:
    /// kernel ridge, trained with squared error. Networks (MLP, logistic regression) are trained
    /// with softmax cross-entropy.
    public static func isPaperSetting(_ model: ParameterValue) -> Bool {
        model.value(at: "kind") == .string(KernelRidge.kind)
    }
}
