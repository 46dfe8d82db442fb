import Foundation
import PoisoningData
import PoisoningModels
import PoisoningUtilities

/// The poisonability threshold of Lu, Kamath and Yu (2023, "Exploring the limits of model-targeted
/// indiscriminate data poisoning attacks", ICML): the poison budget ε_d (poisons as a share of the
/// n clean rows) below which no poison set of any content makes a target model w stationary on the
/// mixture of clean data μ and poisons ν, (1 − λ)g(μ; w) + λ g(ν; w) = 0 with λ = ε_d / (1 + ε_d).
public enum PoisonabilityThreshold: Sendable, Equatable {
    /// A budget ε_d ≥ `tau` is necessary for making every parameter stationary, the bias included
    /// (`cancel: weights-and-bias`, which needs more when the poisons keep their labels); for binary
    /// margin models with a bias of 0 it is also sufficient. For the weights' gradient alone (`cancel:
    /// weights`, the default) τ is neither exact nor a bound once the bias is not 0: that threshold is
    /// τ_w (`weightsOnlyThreshold(of:on:poisonLabels:)`). With
    /// `lowerBound` the condition was applied to a network's last layer only, so τ is only a lower
    /// bound on the budget a poison set needs.
    case threshold(tau: Double, lowerBound: Bool)
    /// <w, g(μ; w)> ≤ 0 (on the side the loss's interval leaves open): the poison's gradient can
    /// cancel the clean one at any budget, so no threshold exists.
    case none

    /// τ, or nil when no threshold exists.
    public var tau: Double? {
        if case .threshold(let tau, _) = self { tau } else { nil }
    }
}

/// A margin loss ℓ(t) of a binary linear classifier (t = y·w·x, y = ±1), by the interval [a, b] of
/// t·ℓ'(t) over all t: the range of the poison's gradient projected on w (THEORY.md §1).
public enum MarginLoss: Sendable, CaseIterable {
    /// ℓ(t) = ln(1 + e^(−t)): t·ℓ'(t) = −t/(1 + eᵗ), smallest at t = 1 + W₀(1/e) where it is −W₀(1/e)
    /// (from the stationarity condition eᵗ(t − 1) = 1); unbounded above as t → −∞.
    case logistic
    /// ℓ(t) = max(0, 1 − t): t·ℓ'(t) = −t for t < 1 and 0 above, so the interval is [−1, +∞) (−1 at
    /// t = 1 with the subgradient ℓ'(1) = −1, approached from below otherwise).
    case hinge

    /// inf_t t·ℓ'(t) and sup_t t·ℓ'(t).
    public var interval: (a: Double, b: Double) {
        switch self {
        case .logistic: (-lambertW0(exp(-1.0)), .infinity)
        case .hinge: (-1, .infinity)
        }
    }
}

/// The exact threshold of a binary margin model from `innerProduct` = <w, g(μ; w)> and the interval
/// [a, b] of t·ℓ'(t): w is λ-poisonable iff λ > <w, g> / (<w, g> − a) when <w, g> > 0 (the poisons'
/// projected gradient is at least a), or λ > <w, g> / (<w, g> − b) when <w, g> < 0. In the budget
/// ε_d = λ/(1 − λ) that is ε_d > <w, g>/(−a), or <w, g>/(−b). A side whose bound is infinite (a = −∞,
/// least squares; b = +∞, the logistic and hinge losses) needs no budget: no threshold exists, and
/// none when <w, g> = 0 (w is already stationary).
public func marginPoisonabilityThreshold(innerProduct: Double, interval: (a: Double, b: Double)) -> PoisonabilityThreshold {
    precondition(interval.a <= 0 && interval.b >= 0, "t·ℓ'(t) is 0 at t = 0, so the interval holds 0")
    if innerProduct > 0, interval.a > -.infinity, interval.a < 0 {
        return .threshold(tau: innerProduct / -interval.a, lowerBound: false)
    }
    if innerProduct < 0, interval.b < .infinity, interval.b > 0 {
        return .threshold(tau: innerProduct / -interval.b, lowerBound: false)
    }
    return .none
}

/// τ(c) = <W, G(μ; W)> / W₀((c − 1)/e) for softmax regression with c classes (cross-entropy), the
/// necessary condition from the trace of the stationarity condition (THEORY.md §1); for c = 2 it is
/// the binary logistic threshold <w, g>/W₀(1/e). `innerProduct` is <W, G>; none exists when it is ≤ 0.
public func softmaxPoisonabilityThreshold(innerProduct: Double, classes: Int, lowerBound: Bool) -> PoisonabilityThreshold {
    precondition(classes >= 2, "a softmax model has at least two classes")
    guard innerProduct > 0 else { return .none }
    return .threshold(tau: innerProduct / lambertW0(Double(classes - 1) / exp(1.0)), lowerBound: lowerBound)
}
