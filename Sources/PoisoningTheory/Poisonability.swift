import Foundation
import PoisoningData
import PoisoningModels
import PoisoningUtilities

/// The poisonability threshold of Lu, Kamath and Yu (2023, "Exploring the limits of model-targeted
/// indiscriminate data poisoning attacks", ICML): the poison budget ε_d (poisons as a share of the
/// n clean rows) below which no poison set of any content makes a target model w stationary on the
/// mixture of clean data μ and poisons ν, (1 − λ)g(μ; w) + λ g(ν; w) = 0 with λ = ε_d / (1 + ε_d).
public enum PoisonabilityThreshold: Sendable, Equatable {
    /// A budget ε_d ≥ `tau` is necessary (and, for binary margin models, sufficient). With
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

/// <θ, G(μ; θ)> for the last (linear) layer θ = (W, b) of a network on the rows of `data`: with the
/// last layer's inputs φ(x) (the features themselves for softmax regression, the last hidden layer's
/// activations for an MLP), h = W φ(x) + b and p = softmax(h), the layer's mean gradient is
/// G = E[(p − y) ⊗ (φ(x), 1)], so <θ, G> = E[<h, p − y>] = (1/n) Σ_rows Σ_k h_k (p_k − y_k).
/// The bias is part of θ (a feature that is always 1). One pass over the rows, in Double from the
/// Float parameters and φ.
public func lastLayerGradientProduct(_ parameters: NetworkParameters, on data: Dataset) -> Double {
    precondition(data.count > 0 && data.featureCount == parameters.shape.inputs, "rows do not fit the model")
    let layer = parameters.shape.layers.last!
    let phi = parameters.shape.hidden.isEmpty ? data.features : parameters.representations(of: data)
    let width = layer.inputs, c = layer.outputs, w = parameters.values
    var h = [Double](repeating: 0, count: c)
    var sum = 0.0
    for row in 0..<data.count {
        // h = W φ + b.
        for k in 0..<c {
            var value = Double(w[layer.biasOffset + k])
            for i in 0..<width { value += Double(w[layer.weightIndex(output: k, input: i)]) * Double(phi[row * width + i]) }
            h[k] = value
        }
        // p = softmax(h), shifted by max h; Σ_k h_k (p_k − y_k).
        let top = h.max()!
        var total = 0.0
        for k in 0..<c { total += exp(h[k] - top) }
        var product = 0.0
        for k in 0..<c { product += h[k] * (exp(h[k] - top) / total - (k == data.labels[row] ? 1 : 0)) }
        sum += product
    }
    return sum / Double(data.count)
}

/// The threshold τ of a target network on the clean rows `data`: τ(c) of its last layer, exact (a
/// necessary condition) for softmax regression, a lower bound for a network with hidden layers.
public func poisonabilityThreshold(of target: NetworkParameters, on data: Dataset) -> PoisonabilityThreshold {
    softmaxPoisonabilityThreshold(innerProduct: lastLayerGradientProduct(target, on: data), classes: target.shape.classes,
                                  lowerBound: !target.shape.hidden.isEmpty)
}

/// How far above 1 a margin t may lie and still count as on the hinge's kink t = 1
/// (`linearSVMPoisonabilityThreshold`): 1e-6, a hundred times the linear SVM's default solver
/// tolerance (1e-8), far below any margin a row is meant to have.
public let hingeMarginTolerance = 1e-6

/// τ of a one-vs-rest linear SVM (`LinearSVMClassifier`) as a target on the n clean rows `data`.
/// Class k's hyperplane θ_k = (w_k, b_k) minimises ½‖θ_k‖² + C Σ_rows ℓ(t), ℓ the hinge loss
/// max(0, 1 − t) of the margin t = y_k θ_k · (x, 1): the loss the SVM trains (not a squared or smoothed
/// hinge). The penalty counts once whatever the number of rows, so it belongs to the clean part: the
/// clean rows' mean gradient of the objective is g_k(μ) = θ_k/(C n) + E_μ[ℓ'(t) y_k (x, 1)], and
///     <θ_k, g_k(μ)> = ‖θ_k‖²/(C n) + E_μ[t ℓ'(t)],   t ℓ'(t) = −t for t ≤ 1, 0 above
/// (at t = 1, where the hinge's subgradients are [−1, 0], the one that needs the least budget; rows
/// within `hingeMarginTolerance` above 1 count as on the margin, where a solved SVM puts its free
/// support vectors up to its solver's tolerance, so that a model stationary on the clean rows, as
/// the clean SVM itself, has a product of at most 0 and no threshold). The
/// poisons' E_ν[t ℓ'(t)] lies in [−1, +∞) (`MarginLoss.hinge`), so class k needs
/// ε_d ≥ τ_k = <θ_k, g_k(μ)> (`marginPoisonabilityThreshold`). The poisons are shared by the classes,
/// so τ is the largest τ_k: exact for two classes, whose hyperplanes are mirror images (θ_0 = −θ_1,
/// one binary problem: the solver and GradPC keep them so bit for bit), a necessary condition for
/// more. None when no class's product is positive. One pass over the rows, in Double.
public func linearSVMPoisonabilityThreshold(of model: LinearSVMClassifier, on data: Dataset) -> PoisonabilityThreshold {
    precondition(data.count > 0 && data.featureCount == model.featureCount, "rows do not fit the model")
    let d = model.featureCount, c = model.classCount, n = Double(data.count), f = model.decisionValues(on: data)
    var largest: Double?
    for k in 0..<c {
        var squaredNorm = 0.0
        for j in 0...d { squaredNorm += model.weights[k * (d + 1) + j] * model.weights[k * (d + 1) + j] }
        var margins = 0.0   // Σ_rows t ℓ'(t)
        for r in 0..<data.count {
            let t = (data.labels[r] == k ? 1 : -1) * f[r * c + k]
            if t <= 1 + hingeMarginTolerance { margins -= t }
        }
        let product = squaredNorm / (model.c * n) + margins / n
        if let tau = marginPoisonabilityThreshold(innerProduct: product, interval: MarginLoss.hinge.interval).tau {
            largest = max(largest ?? tau, tau)
        }
    }
    return largest.map { .threshold(tau: $0, lowerBound: false) } ?? .none
}
