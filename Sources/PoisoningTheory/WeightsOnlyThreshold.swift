import Foundation
import PoisoningData
import PoisoningModels
import PoisoningUtilities

// The threshold τ_w of gradient canceling's default `cancel: weights`, which makes only the weights'
// gradient stationary at the target, (1 − λ) g_W(μ) + λ g_W(ν) = 0, the biases' left as they are.
// τ = <θ, g(μ)>/W₀(1/e) counts the bias as a feature that is always 1, so it is neither exact nor a
// bound for that condition when the target's bias is not 0 (r24f): both the product with the clean
// gradient and each poison's least term change. scripts/weights_only_threshold.py checks each step.

/// W₀(e^(−s·b − 1)), s = +1 for label 1 and −1 for label 0: minus the least value over the margin t
/// of a binary logistic row's weights-only term (t − s·b)·ℓ'(t), ℓ(t) = ln(1 + e^(−t)), b = b₁ − b₀
/// the bias of the two-logit softmax (the code's binary model), t = s·z, z = h₁ − h₀ = w·x + b.
/// Derivation: d/dt[−(t − c)/(1 + eᵗ)] = 0 ⇔ (t − c − 1)e^(t − c − 1) = e^(−c − 1), c = s·b, so
/// t − c − 1 = u = W₀(e^(−c − 1)), eᵗ = 1/u and the value is −(1 + u)/(1 + 1/u) = −u.
public func weightsOnlyMarginFloor(bias: Double, label: Int) -> Double {
    lambertW0(exp((label == 1 ? -bias : bias) - 1))
}

/// The weights-only threshold of a binary logistic model, from `innerProduct` = <W, G_W(μ)> (the
/// weights' part of <θ, g(μ)>, `lastLayerGradientProduct(_:on:includingBias: false)`), its bias
/// b = b₁ − b₀ and the poisons' share π₁ of label 1 (kept from their source rows):
///     τ_w = <W, G_W(μ)> / ((1 − π₁) W₀(e^(b − 1)) + π₁ W₀(e^(−b − 1))).
/// Derivation: (1) project the stationarity condition of the weights on w = w₁ − w₀: a row's term is
/// (p₁ − y)(w·x) = s·ℓ'(t)(z − b) = (t − s·b)ℓ'(t), so (1 − λ)<W, G_W(μ)> + λ E_ν[(t − s·b)ℓ'(t)] = 0;
/// (2) each poison's term is at least −`weightsOnlyMarginFloor` and unbounded above, so it holds iff
/// ε_d = λ/(1 − λ) ≥ <W, G_W(μ)>/D, D the share-weighted floors; (3) with free features the part of a
/// poison orthogonal to w is free, so the rest of the condition costs nothing: τ_w is exact
/// (`lowerBound: false`), and a necessary bound only when features are boxed or `lowerBound` (a
/// network's last layer, its hidden representation relaxed to any logits). None when <W, G_W> ≤ 0.
/// For b = 0 it is τ = <θ, g>/W₀(1/e).
public func binaryWeightsOnlyThreshold(innerProduct: Double, bias: Double, labelOneShare: Double, lowerBound: Bool) -> PoisonabilityThreshold {
    precondition((0...1).contains(labelOneShare), "a share lies in [0, 1]")
    guard innerProduct > 0 else { return .none }
    let floor = (1 - labelOneShare) * weightsOnlyMarginFloor(bias: bias, label: 0) + labelOneShare * weightsOnlyMarginFloor(bias: bias, label: 1)
    return .threshold(tau: innerProduct / floor, lowerBound: lowerBound)
}

/// A necessary weights-only budget for c > 2 classes, a lower bound on the exact threshold: every
/// row's term Σ_k (h_k − b_k)(p_k − y_k) is at least −W₀((c − 1)/e) − (max_k b_k − b_y), since
/// <h, p − y> ≥ −W₀((c − 1)/e) (τ(c)'s trace bound) and −<b, p − y> = b_y − <b, p> ≥ b_y − max_k b_k; so
///     ε_d ≥ <W, G_W(μ)> / Σ_y π_y (W₀((c − 1)/e) + max_k b_k − b_y),
/// π_y the poisons' label shares (`labelShares`, summing to 1). For c = 2 it is looser than
/// `binaryWeightsOnlyThreshold`; none when <W, G_W> ≤ 0.
public func softmaxWeightsOnlyThresholdBound(innerProduct: Double, biases: [Double], labelShares: [Double]) -> PoisonabilityThreshold {
    precondition(biases.count == labelShares.count && biases.count >= 2, "one share per class")
    guard innerProduct > 0 else { return .none }
    let trace = lambertW0(Double(biases.count - 1) / exp(1.0)), top = biases.max()!
    let floor = zip(biases, labelShares).reduce(0.0) { $0 + $1.1 * (trace + top - $1.0) }
    return .threshold(tau: innerProduct / floor, lowerBound: true)
}

/// The weights-only threshold τ_w of `target` on the clean rows `data` for poisons labelled
/// `poisonLabels` (their shares; the clean rows' when there are none, the shares a poison drawn from
/// them has in expectation). Two classes: `binaryWeightsOnlyThreshold`, exact for softmax
/// regression (free features), a lower bound for an MLP (its last layer's weights, the representation
/// relaxed to any logits). More classes: `softmaxWeightsOnlyThresholdBound`, a lower bound.
public func weightsOnlyThreshold(of target: NetworkParameters, on data: Dataset, poisonLabels: [Int]) -> PoisonabilityThreshold {
    let layer = target.shape.layers.last!, c = layer.outputs
    let labels = poisonLabels.isEmpty ? data.labels : poisonLabels
    var shares = [Double](repeating: 0, count: c)
    for label in labels { shares[label] += 1 }
    shares = shares.map { $0 / Double(labels.count) }
    let biases = (0..<c).map { Double(target.values[layer.biasOffset + $0]) }
    let product = lastLayerGradientProduct(target, on: data, includingBias: false)
    guard c == 2 else { return softmaxWeightsOnlyThresholdBound(innerProduct: product, biases: biases, labelShares: shares) }
    return binaryWeightsOnlyThreshold(innerProduct: product, bias: biases[1] - biases[0], labelOneShare: shares[1],
                                      lowerBound: !target.shape.hidden.isEmpty)
}
