import Foundation
import PoisoningData
import PoisoningModels
import PoisoningUtilities

// A dense network (softmax regression, an MLP) as a target: its `TargetableClassifier` conformance and
// the threshold τ of its last layer.

extension NetworkParameters: TargetableClassifier {
    /// `values` in Double.
    public var parameterValues: [Double] { values.map(Double.init) }

    /// `values` in Double with the last layer centred (`centredLastLayer`).
    public var centredParameterValues: [Double] { centredLastLayer(self) }

    /// These parameters with `values` rounded to Float.
    public func withParameterValues(_ values: [Double]) -> NetworkParameters {
        NetworkParameters(shape: shape, values: values.map(Float.init))
    }

    /// The mean cross-entropy's gradient (`lossAndGradient`), in Double.
    public func meanLossGradient(on data: Dataset) -> [Double] { lossAndGradient(on: data).gradient.map(Double.init) }

    /// τ(c) of the last layer (`poisonabilityThreshold(of:on:)`).
    public func poisonabilityThreshold(on data: Dataset) -> PoisonabilityThreshold { PoisoningTheory.poisonabilityThreshold(of: self, on: data) }
}

/// Every parameter of `network` in Double (`parameterValues`' order) with its last layer's class-sum
/// direction removed: logits h = W φ + b are shifted alike in every class by adding a vector v to each
/// class's row of W and a number β to each class's bias (h_k + vᵀφ + β), which leaves p = softmax(h),
/// the loss and every prediction unchanged. Each input's weights and the biases become
///     W_ki − (1/c) Σ_j W_ji,   b_k − (1/c) Σ_j b_j,
/// the projection orthogonal to that direction. The gradient of the cross-entropy never has a
/// component along it (Σ_k (p_k − y_k) = 0), so training keeps the initialisation's; measured
/// without it, distances compare what the models predict. Hidden layers are kept as they are.
public func centredLastLayer(_ network: NetworkParameters) -> [Double] {
    var values = network.parameterValues
    let layer = network.shape.layers.last!, c = layer.outputs
    for i in 0..<layer.inputs {
        var mean = 0.0
        for k in 0..<c { mean += values[layer.weightIndex(output: k, input: i)] }
        mean /= Double(c)
        for k in 0..<c { values[layer.weightIndex(output: k, input: i)] -= mean }
    }
    var mean = 0.0
    for k in 0..<c { mean += values[layer.biasOffset + k] }
    mean /= Double(c)
    for k in 0..<c { values[layer.biasOffset + k] -= mean }
    return values
}

/// ‖θ‖ of the last layer of `network` (its weights and bias; every parameter of softmax regression),
/// centred (`centredLastLayer`), in Double. The last layer's part g of any mean gradient has no
/// component along the class-sum direction, so ⟨θ, g⟩ = ⟨θ_centred, g⟩ ≤ ‖θ_centred‖ ‖g‖: the
/// centred norm bounds ‖g‖ below as the full one does, and more tightly.
public func centredLastLayerNorm(_ network: NetworkParameters) -> Double {
    let layer = network.shape.layers.last!, values = centredLastLayer(network)
    var sum = 0.0
    for index in layer.weightOffset..<(layer.biasOffset + layer.outputs) { sum += values[index] * values[index] }
    return sum.squareRoot()
}

/// The threshold τ of a target network on the clean rows `data`: τ(c) of its last layer, exact (a
/// necessary condition) for softmax regression, a lower bound for a network with hidden layers.
public func poisonabilityThreshold(of target: NetworkParameters, on data: Dataset) -> PoisonabilityThreshold {
    softmaxPoisonabilityThreshold(innerProduct: lastLayerGradientProduct(target, on: data), classes: target.shape.classes,
                                  lowerBound: !target.shape.hidden.isEmpty)
}

/// <θ, G(μ; θ)> for the last (linear) layer θ = (W, b) of a network on the rows of `data`: with the
/// last layer's inputs φ(x) (the features themselves for softmax regression, the last hidden layer's
/// activations for an MLP), h = W φ(x) + b and p = softmax(h), the layer's mean gradient is
/// G = E[(p − y) ⊗ (φ(x), 1)], so <θ, G> = E[<h, p − y>] = (1/n) Σ_rows Σ_k h_k (p_k − y_k).
/// The bias is part of θ (a feature that is always 1). The paper's definition, with θ as given; it
/// is the same for θ centred (`centredLastLayer`): a shift h_k + s common to every class adds
/// s Σ_k (p_k − y_k) = 0. With `includingBias: false` the bias's part is left out: <W, G_W> =
/// E[<Wφ, p − y>] = E[Σ_k (h_k − b_k)(p_k − y_k)], the product `weightsOnlyThreshold(of:on:poisonLabels:)`
/// needs (also unchanged by centring). One pass over the rows, in Double from the Float parameters and φ.
public func lastLayerGradientProduct(_ parameters: NetworkParameters, on data: Dataset, includingBias: Bool = true) -> Double {
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
        // p = softmax(h), shifted by max h; Σ_k h_k (p_k − y_k), or Σ_k (h_k − b_k)(p_k − y_k) without the bias.
        let top = h.max()!
        var total = 0.0
        for k in 0..<c { total += exp(h[k] - top) }
        var product = 0.0
        for k in 0..<c {
            let projected = includingBias ? h[k] : h[k] - Double(w[layer.biasOffset + k])
            product += projected * (exp(h[k] - top) / total - (k == data.labels[row] ? 1 : 0))
        }
        sum += product
    }
    return sum / Double(data.count)
}
