import Foundation

/// The input-gradient penalty R(x) = λ ||∂ℓ/∂x||² of one example and its gradient with respect to
/// every parameter, by double backpropagation written out for the network's layers (Drucker and Le
/// Cun 1992; the regulariser Granziol 2026 analyses against curvature-invisible backdoors).
///
/// With a_l = W_l h_{l-1} + b_l, h_l = ReLU(a_l), D_l = diag(a_l > 0), logits z and p = softmax(z):
/// the first backward gives v_L = p - onehot(y), v_l = D_l W_{l+1}ᵀ v_{l+1} and g = ∂ℓ/∂x = W_1ᵀ v_1.
/// The second backward runs through that computation from r = ∂R/∂g = 2λ g: ∂R/∂W_1 += v_1 rᵀ and
/// s_1 = W_1 r; then for each layer, with t = D_l s_l, ∂R/∂W_{l+1} += v_{l+1} tᵀ and
/// s_{l+1} = W_{l+1} t; the softmax's Jacobian turns s_L into e = ∂R/∂z, e_k = p_k (s_k - pᵀ s); and e
/// flows back through the forward network like a loss gradient (weights, biases, ReLU masks). The
/// masks are piecewise constant, so they contribute nothing more. Computed in Double, example by
/// example; the layer vectors are allocated once, the short vectors of the second backward per example.
final class InputGradientPenalty {
    let shape: NetworkShape
    let layers: [DenseLayer]
    /// λ.
    let lambda: Double
    /// Pre-activations a_l of each layer (the logits last), and the first backward's vectors v_l.
    private var preActivations: [[Double]]
    private var backwardVectors: [[Double]]
    private var input: [Double]

    /// A penalty λ ||∂ℓ/∂x||² for networks of `shape`.
    init(shape: NetworkShape, lambda: Double) {
        self.shape = shape
        self.layers = shape.layers
        self.lambda = lambda
        preActivations = shape.layers.map { [Double](repeating: 0, count: $0.outputs) }
        backwardVectors = shape.layers.map { [Double](repeating: 0, count: $0.outputs) }
        input = [Double](repeating: 0, count: shape.inputs)
    }

    /// W[o, i] of layer `l`.
    private func weight(_ theta: UnsafePointer<Float>, _ l: Int, _ o: Int, _ i: Int) -> Double {
        Double(theta[layers[l].weightIndex(output: o, input: i)])
    }

    /// The input of layer `l` (x for the first, else the previous layer's ReLU output).
    private func layerInput(_ l: Int, _ i: Int) -> Double {
        l == 0 ? input[i] : max(0, preActivations[l - 1][i])
    }

    /// Adds `scale` · ∂R/∂θ of example (x, y) to `gradient` and returns R.
    func accumulate(parameters theta: UnsafePointer<Float>, x: UnsafePointer<Float>, label: Int, scale: Double,
                    into gradient: UnsafeMutablePointer<Float>) -> Double {
        let count = layers.count
        for i in 0..<shape.inputs { input[i] = Double(x[i]) }
        // Forward: a_l = W_l h_{l-1} + b_l.
        for l in 0..<count {
            for o in 0..<layers[l].outputs {
                var sum = Double(theta[layers[l].biasOffset + o])
                for i in 0..<layers[l].inputs { sum += weight(theta, l, o, i) * layerInput(l, i) }
                preActivations[l][o] = sum
            }
        }
        let logits = preActivations[count - 1], top = logits.max()!
        let exps = logits.map { exp($0 - top) }, total = exps.reduce(0, +)
        let p = exps.map { $0 / total }
        // First backward: v_L = p - onehot(y); v_l = D_l W_{l+1}ᵀ v_{l+1}; g = W_1ᵀ v_1.
        for k in 0..<shape.classes { backwardVectors[count - 1][k] = p[k] - (k == label ? 1 : 0) }
        for l in stride(from: count - 2, through: 0, by: -1) {
            for j in 0..<layers[l].outputs {
                var sum = 0.0
                for k in 0..<layers[l + 1].outputs { sum += weight(theta, l + 1, k, j) * backwardVectors[l + 1][k] }
                backwardVectors[l][j] = preActivations[l][j] > 0 ? sum : 0
            }
        }
        var g = [Double](repeating: 0, count: shape.inputs)
        for i in 0..<shape.inputs {
            for j in 0..<layers[0].outputs { g[i] += weight(theta, 0, j, i) * backwardVectors[0][j] }
        }
        let penalty = lambda * g.reduce(0) { $0 + $1 * $1 }
        // Second backward. r = 2λ g; ∂R/∂W_1 += v_1 rᵀ; s_1 = W_1 r.
        let r = g.map { 2 * lambda * $0 }
        func add(_ index: Int, _ value: Double) { gradient[index] += Float(scale * value) }
        for j in 0..<layers[0].outputs {
            for i in 0..<shape.inputs { add(layers[0].weightIndex(output: j, input: i), backwardVectors[0][j] * r[i]) }
        }
        var s = (0..<layers[0].outputs).map { j in (0..<shape.inputs).reduce(0.0) { $0 + weight(theta, 0, j, $1) * r[$1] } }
        for l in 0..<(count - 1) {
            // t = D_l s_l; ∂R/∂W_{l+1}[k, j] += v_{l+1}[k] t[j]; s_{l+1} = W_{l+1} t.
            let t = (0..<layers[l].outputs).map { preActivations[l][$0] > 0 ? s[$0] : 0 }
            for k in 0..<layers[l + 1].outputs {
                for j in 0..<layers[l].outputs { add(layers[l + 1].weightIndex(output: k, input: j), backwardVectors[l + 1][k] * t[j]) }
            }
            s = (0..<layers[l + 1].outputs).map { k in (0..<layers[l].outputs).reduce(0.0) { $0 + weight(theta, l + 1, k, $1) * t[$1] } }
        }
        // Through the softmax: e_k = p_k (s_k - pᵀ s).
        let ps = zip(p, s).reduce(0) { $0 + $1.0 * $1.1 }
        var e = (0..<shape.classes).map { p[$0] * (s[$0] - ps) }
        // e back through the forward network: ∂/∂W_l[o, i] += e_o h_{l-1}[i], ∂/∂b_l[o] += e_o, then
        // e ← D_{l-1} W_lᵀ e.
        for l in stride(from: count - 1, through: 0, by: -1) {
            for o in 0..<layers[l].outputs {
                add(layers[l].biasOffset + o, e[o])
                for i in 0..<layers[l].inputs { add(layers[l].weightIndex(output: o, input: i), e[o] * layerInput(l, i)) }
            }
            guard l > 0 else { break }
            e = (0..<layers[l].inputs).map { i in
                preActivations[l - 1][i] > 0 ? (0..<layers[l].outputs).reduce(0.0) { $0 + weight(theta, l, $1, i) * e[$1] } : 0
            }
        }
        return penalty
    }
}
