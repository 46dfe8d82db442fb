import Foundation
import PoisoningData
import PoisoningUtilities

/// The naive reference of `InputGradientPenalty`, for tests: the same double backpropagation
/// example by example, in Double, with every per-example outer product added into the gradient.
///
/// With a_l = W_l h_{l-1} + b_l, h_l = ReLU(a_l), D_l = diag(a_l > 0), logits z and p = softmax(z):
/// the first backward gives v_L = p - onehot(y), v_l = D_l W_{l+1}ᵀ v_{l+1} and g = ∂ℓ/∂x = W_1ᵀ v_1.
/// The second backward runs through that computation from r = ∂R/∂g = 2λ g: ∂R/∂W_1 += v_1 rᵀ and
/// s_1 = W_1 r; then for each layer, with t = D_l s_l, ∂R/∂W_{l+1} += v_{l+1} tᵀ and
/// s_{l+1} = W_{l+1} t; the softmax's Jacobian turns s_L into e = ∂R/∂z, e_k = p_k (s_k - pᵀ s); and e
/// flows back through the forward network like a loss gradient (weights, biases, ReLU masks). The
/// masks are piecewise constant, so they contribute nothing more.
final class ReferenceInputGradientPenalty {
    let shape: NetworkShape
    let layers: [DenseLayer]
    /// λ.
    let lambda: Double
    /// Per layer: its weights W[o, i] in Double at o · inputs + i (copied by `load`), and the
    /// accumulated ∂R/∂W and ∂R/∂b in the same layout (added to a gradient by `flush`).
    private let weights: UnsafeMutablePointer<Double>, weightGradients: UnsafeMutablePointer<Double>
    private let biasGradients: UnsafeMutablePointer<Double>
    /// Offsets of each layer's weights and of its units in the per-unit buffers.
    private let weightOffsets: [Int], unitOffsets: [Int]
    /// Per layer: pre-activations a_l (the logits last), the first backward's v_l, the second's s_l;
    /// plus the input, r, the softmax p, e and a scratch vector. All allocated once.
    private let pre: UnsafeMutablePointer<Double>, v: UnsafeMutablePointer<Double>, s: UnsafeMutablePointer<Double>
    private let input: UnsafeMutablePointer<Double>, r: UnsafeMutablePointer<Double>, p: UnsafeMutablePointer<Double>
    private let e: UnsafeMutablePointer<Double>, next: UnsafeMutablePointer<Double>

    /// A penalty λ ||∂ℓ/∂x||² for networks of `shape`.
    init(shape: NetworkShape, lambda: Double) {
        self.shape = shape
        self.layers = shape.layers
        self.lambda = lambda
        let weightCounts = layers.map { $0.inputs * $0.outputs }, units = layers.map(\.outputs)
        weightOffsets = weightCounts.indices.map { weightCounts[..<$0].reduce(0, +) }
        unitOffsets = units.indices.map { units[..<$0].reduce(0, +) }
        func buffer(_ count: Int) -> UnsafeMutablePointer<Double> {
            let pointer = UnsafeMutablePointer<Double>.allocate(capacity: max(count, 1))
            pointer.initialize(repeating: 0, count: max(count, 1))
            return pointer
        }
        let widest = max(shape.classes, shape.hidden.max() ?? 0, shape.inputs)
        (weights, weightGradients) = (buffer(weightCounts.reduce(0, +)), buffer(weightCounts.reduce(0, +)))
        (biasGradients, pre, v, s) = (buffer(units.reduce(0, +)), buffer(units.reduce(0, +)), buffer(units.reduce(0, +)),
                                      buffer(units.reduce(0, +)))
        (input, r, p, e, next) = (buffer(shape.inputs), buffer(shape.inputs), buffer(shape.classes), buffer(widest), buffer(widest))
    }

    deinit {
        for pointer in [weights, weightGradients, biasGradients, pre, v, s, input, r, p, e, next] { pointer.deallocate() }
    }

    /// Copies the current parameters' weights, once per batch.
    func load(_ theta: UnsafePointer<Float>) {
        for (l, layer) in layers.enumerated() {
            for o in 0..<layer.outputs {
                for i in 0..<layer.inputs { weights[weightOffsets[l] + o * layer.inputs + i] = Double(theta[layer.weightIndex(output: o, input: i)]) }
            }
        }
    }

    /// Adds `scale` times the accumulated ∂R/∂θ to `gradient` (in the parameter layout) and clears it.
    func flush(scale: Double, into gradient: UnsafeMutablePointer<Float>) {
        for (l, layer) in layers.enumerated() {
            for o in 0..<layer.outputs {
                gradient[layer.biasOffset + o] += Float(scale * biasGradients[unitOffsets[l] + o])
                biasGradients[unitOffsets[l] + o] = 0
                for i in 0..<layer.inputs {
                    gradient[layer.weightIndex(output: o, input: i)] += Float(scale * weightGradients[weightOffsets[l] + o * layer.inputs + i])
                    weightGradients[weightOffsets[l] + o * layer.inputs + i] = 0
                }
            }
        }
    }

    /// The input of layer `l`: x for the first, else the previous layer's ReLU output.
    @inline(__always) private func layerInput(_ l: Int, _ i: Int) -> Double {
        l == 0 ? input[i] : max(0, pre[unitOffsets[l - 1] + i])
    }

    /// Accumulates ∂R/∂θ of example (x, y) under the loaded weights and `theta`'s biases; returns R.
    func accumulate(biases theta: UnsafePointer<Float>, x: UnsafePointer<Float>, label: Int) -> Double {
        let count = layers.count, d = shape.inputs, c = shape.classes
        for i in 0..<d { input[i] = Double(x[i]) }
        // Forward: a_l = W_l h_{l-1} + b_l.
        for l in 0..<count {
            let n = layers[l].inputs
            for o in 0..<layers[l].outputs {
                var sum = Double(theta[layers[l].biasOffset + o])
                for i in 0..<n { sum += weights[weightOffsets[l] + o * n + i] * layerInput(l, i) }
                pre[unitOffsets[l] + o] = sum
            }
        }
        var top = pre[unitOffsets[count - 1] + 0]
        for k in 1..<c where pre[unitOffsets[count - 1] + k] > top { top = pre[unitOffsets[count - 1] + k] }
        var total = 0.0
        for k in 0..<c {
            p[k] = exp(pre[unitOffsets[count - 1] + k] - top)
            total += p[k]
        }
        for k in 0..<c { p[k] /= total }
        // First backward: v_L = p - onehot(y); v_l = D_l W_{l+1}ᵀ v_{l+1}; g = W_1ᵀ v_1, r = 2λ g.
        for k in 0..<c { v[unitOffsets[count - 1] + k] = p[k] - (k == label ? 1 : 0) }
        for l in stride(from: count - 2, through: 0, by: -1) {
            let n = layers[l].outputs
            for j in 0..<n {
                var sum = 0.0
                if pre[unitOffsets[l] + j] > 0 { for k in 0..<layers[l + 1].outputs { sum += weights[weightOffsets[l + 1] + k * n + j] * v[unitOffsets[l + 1] + k] } }
                v[unitOffsets[l] + j] = sum
            }
        }
        var penalty = 0.0
        for i in 0..<d {
            var sum = 0.0
            for j in 0..<layers[0].outputs { sum += weights[weightOffsets[0] + j * d + i] * v[unitOffsets[0] + j] }
            penalty += sum * sum
            r[i] = 2 * lambda * sum
        }
        // Second backward. ∂R/∂W_1 += v_1 rᵀ; s_1 = W_1 r.
        for j in 0..<layers[0].outputs {
            var sum = 0.0
            for i in 0..<d {
                weightGradients[weightOffsets[0] + j * d + i] += v[unitOffsets[0] + j] * r[i]
                sum += weights[weightOffsets[0] + j * d + i] * r[i]
            }
            s[unitOffsets[0] + j] = sum
        }
        for l in 0..<(count - 1) {
            // t = D_l s_l (in place); ∂R/∂W_{l+1}[k, j] += v_{l+1}[k] t[j]; s_{l+1} = W_{l+1} t.
            let n = layers[l].outputs
            for j in 0..<n where pre[unitOffsets[l] + j] <= 0 { s[unitOffsets[l] + j] = 0 }
            for k in 0..<layers[l + 1].outputs {
                var sum = 0.0
                for j in 0..<n {
                    weightGradients[weightOffsets[l + 1] + k * n + j] += v[unitOffsets[l + 1] + k] * s[unitOffsets[l] + j]
                    sum += weights[weightOffsets[l + 1] + k * n + j] * s[unitOffsets[l] + j]
                }
                s[unitOffsets[l + 1] + k] = sum
            }
        }
        // Through the softmax: e_k = p_k (s_k - pᵀ s), s = s_L.
        var ps = 0.0
        for k in 0..<c { ps += p[k] * s[unitOffsets[count - 1] + k] }
        for k in 0..<c { e[k] = p[k] * (s[unitOffsets[count - 1] + k] - ps) }
        // e back through the forward network: ∂/∂W_l[o, i] += e_o h_{l-1}[i], ∂/∂b_l[o] += e_o, then
        // e ← D_{l-1} W_lᵀ e.
        for l in stride(from: count - 1, through: 0, by: -1) {
            let n = layers[l].inputs
            for o in 0..<layers[l].outputs {
                biasGradients[unitOffsets[l] + o] += e[o]
                for i in 0..<n { weightGradients[weightOffsets[l] + o * n + i] += e[o] * layerInput(l, i) }
            }
            guard l > 0 else { break }
            for i in 0..<n {
                var sum = 0.0
                if pre[unitOffsets[l - 1] + i] > 0 { for o in 0..<layers[l].outputs { sum += weights[weightOffsets[l] + o * n + i] * e[o] } }
                next[i] = sum
            }
            for i in 0..<n { e[i] = next[i] }
        }
        return lambda * penalty
    }
}
