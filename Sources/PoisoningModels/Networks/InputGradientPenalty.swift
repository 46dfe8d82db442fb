import Foundation
import PoisoningData
import PoisoningUtilities

/// The input-gradient penalty R(x) = λ ||∂ℓ/∂x||² of every example of a batch and its gradient with
/// respect to every parameter, by double backpropagation over the whole batch at once (Drucker and
/// Le Cun 1992; the regulariser Granziol 2026 analyses against curvature-invisible backdoors).
///
/// With a_l = W_l h_{l-1} + b_l, h_l = ReLU(a_l), D_l = diag(a_l > 0), logits z and p = softmax(z),
/// for one example: the first backward gives v_L = p - onehot(y), v_l = D_l W_{l+1}ᵀ v_{l+1} and
/// g = ∂ℓ/∂x = W_1ᵀ v_1. The second backward runs through that computation from r = ∂R/∂g = 2λ g:
/// ∂R/∂W_1 += v_1 rᵀ and s_1 = W_1 r; then for each layer, with t = D_l s_l, ∂R/∂W_{l+1} += v_{l+1} tᵀ
/// and s_{l+1} = W_{l+1} t; the softmax's Jacobian turns s_L into e = ∂R/∂z, e_k = p_k (s_k - pᵀ s);
/// and e flows back through the forward network like a loss gradient. The masks are piecewise
/// constant, so they contribute nothing more.
///
/// The batch never forms a gradient per example. Each v, g, s, t is one row of a [rows x units]
/// matrix, computed for all rows by one product with the layer's weights; the sum over the batch of
/// the outer products v_i r_iᵀ is the single matrix product Vᵀ R (likewise Vᵀ T); and e joins the
/// loss gradient dL/dz before the ordinary backward pass, which is linear in dL/dz, so the forward
/// network's part costs no pass of its own. `ReferenceInputGradientPenalty` is the per-example
/// version the tests compare against.
final class InputGradientPenalty {
    let shape: NetworkShape
    let layers: [DenseLayer]
    /// λ.
    let lambda: Float
    /// ∂R/∂z of the batch mean, e / rows [capacity x classes], after `prepare`: to be added to the
    /// loss gradient before backpropagation.
    let logitGradient: UnsafeMutablePointer<Float>
    /// The softmax p of each row [capacity x classes].
    private let probabilities: UnsafeMutablePointer<Float>
    /// Per layer: the rows' v_l, and their s_l (t_l after masking in place) [capacity x outputs].
    private let v: [UnsafeMutablePointer<Float>], s: [UnsafeMutablePointer<Float>]
    /// The rows' g = ∂ℓ/∂x, then r = 2λ g in place [capacity x inputs].
    private let inputGradients: UnsafeMutablePointer<Float>
    /// Σ_i v_i r_iᵀ and Σ_i v_{l+1,i} t_iᵀ in the parameter layout (the bias entries stay 0).
    private let weightTerms: UnsafeMutablePointer<Float>

    /// A penalty λ ||∂ℓ/∂x||² for batches of up to `capacity` rows of networks of `shape`.
    init(shape: NetworkShape, lambda: Double, capacity: Int) {
        self.shape = shape
        self.layers = shape.layers
        self.lambda = Float(lambda)
        logitGradient = .allocate(capacity: capacity * shape.classes)
        probabilities = .allocate(capacity: capacity * shape.classes)
        v = layers.map { .allocate(capacity: capacity * $0.outputs) }
        s = layers.map { .allocate(capacity: capacity * $0.outputs) }
        inputGradients = .allocate(capacity: capacity * shape.inputs)
        weightTerms = .allocate(capacity: shape.parameterCount)
        weightTerms.initialize(repeating: 0, count: shape.parameterCount)
    }

    /// The bytes a penalty of `shape` for `capacity` rows allocates: ∂R/∂z and p for every class, v
    /// and s for every unit of every layer, g for every input, and the weight terms, all Floats.
    static func bytes(_ shape: NetworkShape, capacity: Int) -> Double {
        let rows = Double(capacity), units = Double(shape.hidden.reduce(0, +) + shape.classes)
        return 4 * (2 * rows * Double(shape.classes) + 2 * rows * units + rows * Double(shape.inputs) + Double(shape.parameterCount))
    }

    deinit {
        for pointer in [logitGradient, probabilities, inputGradients, weightTerms] + v + s { pointer.deallocate() }
    }

    /// After `workspace.forward` of the batch (`workspace.logits` still the logits): computes
    /// `logitGradient` and the weight terms of the batch mean of R, and returns Σ_rows R.
    func prepare(workspace: NetworkWorkspace, parameters: UnsafePointer<Float>, labels: UnsafePointer<Int>, rows: Int) -> Double {
        let c = shape.classes, d = shape.inputs, top = layers.count - 1
        // p = softmax(z) with the stable shift; v_L = p - onehot(y).
        SoftmaxCrossEntropy.probabilities(of: workspace.logits, into: probabilities, rows: rows, classes: c)
        for r in 0..<rows {
            let p = probabilities + r * c, vL = v[top] + r * c
            for k in 0..<c { vL[k] = k == labels[r] ? p[k] - 1 : p[k] }
        }
        // First backward: v_l = D_l (v_{l+1} W_{l+1}) down to the first layer, then g = v_1 W_1.
        for l in stride(from: top - 1, through: 0, by: -1) {
            multiplyByWeights(layer: l + 1, parameters: parameters, v[l + 1], into: v[l], rows: rows)
            ReLU.backward(v[l], activations: workspace.activations[l], count: rows * layers[l].outputs)
        }
        multiplyByWeights(layer: 0, parameters: parameters, v[0], into: inputGradients, rows: rows)
        // R = λ ||g||² per row; r = 2λ g in place.
        var penaltySum = 0.0
        for r in 0..<rows {
            let g = inputGradients + r * d
            var squares: Float = 0
            for i in 0..<d { squares += g[i] * g[i] }
            penaltySum += Double(lambda * squares)
        }
        let twiceLambda = 2 * lambda
        for index in 0..<(rows * d) { inputGradients[index] *= twiceLambda }
        // Second backward: Σ_i v_1 rᵀ, s_1 = r W_1ᵀ; then t = D_l s_l, Σ_i v_{l+1} tᵀ, s_{l+1} = t W_{l+1}ᵀ.
        outerProductSum(layer: 0, outputs: v[0], inputs: inputGradients, rows: rows)
        multiplyByTransposedWeights(layer: 0, parameters: parameters, inputGradients, into: s[0], rows: rows)
        for l in 0..<top {
            ReLU.backward(s[l], activations: workspace.activations[l], count: rows * layers[l].outputs)
            outerProductSum(layer: l + 1, outputs: v[l + 1], inputs: s[l], rows: rows)
            multiplyByTransposedWeights(layer: l + 1, parameters: parameters, s[l], into: s[l + 1], rows: rows)
        }
        // Through the softmax, for the batch mean: e_k / rows = p_k (s_k - pᵀ s) / rows.
        let scale = 1 / Float(rows)
        for r in 0..<rows {
            let p = probabilities + r * c, sL = s[top] + r * c, e = logitGradient + r * c
            var ps: Float = 0
            for k in 0..<c { ps += p[k] * sL[k] }
            for k in 0..<c { e[k] = p[k] * (sL[k] - ps) * scale }
        }
        return penaltySum
    }

    /// After `prepare` and a backward pass that included `logitGradient`: adds the weight terms of
    /// the batch mean, (1/rows) Σ_i v rᵀ and (1/rows) Σ_i v tᵀ, to `gradient`.
    func addWeightTerms(to gradient: UnsafeMutablePointer<Float>, rows: Int) {
        let scale = 1 / Float(rows)
        for layer in layers {
            addScaled(gradient + layer.weightOffset, scale, weightTerms + layer.weightOffset, count: layer.inputs * layer.outputs)
        }
    }

    /// x[r, i] = Σ_o y[r, o] W[o, i] for `layer`'s weights: y [rows x outputs] back to [rows x
    /// inputs], as the layer's backward pass computes its input gradient.
    private func multiplyByWeights(layer index: Int, parameters: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                                   into x: UnsafeMutablePointer<Float>, rows: Int) {
        let layer = layers[index], w = parameters + layer.weightOffset
        if layer.isHidden {
            Linear.inputGradientInputMajor(weights: w, outputGradient: y, inputGradient: x, rows: rows, inputs: layer.inputs, outputs: layer.outputs)
        } else {
            Linear.inputGradientOutputMajor(weights: w, outputGradient: y, inputGradient: x, rows: rows, inputs: layer.inputs, outputs: layer.outputs)
        }
    }

    /// y[r, o] = Σ_i x[r, i] W[o, i] for `layer`'s weights (no bias): x [rows x inputs] to [rows x outputs].
    private func multiplyByTransposedWeights(layer index: Int, parameters: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                                             into y: UnsafeMutablePointer<Float>, rows: Int) {
        let layer = layers[index], w = parameters + layer.weightOffset, m = layer.inputs, n = layer.outputs
        for r in 0..<rows {
            let xr = x + r * m, yr = y + r * n
            if layer.isHidden {
                yr.update(repeating: 0, count: n)
                for i in 0..<m { addScaled(yr, xr[i], w + i * n, count: n) }
            } else {
                for o in 0..<n { yr[o] = dot(xr, w + o * m, count: m) }
            }
        }
    }

    /// The weight terms of `layer`: Σ_r outputs[r, o] inputs[r, i] at W[o, i]'s place in the
    /// parameter layout (outputs [rows x outputs], inputs [rows x inputs]).
    private func outerProductSum(layer index: Int, outputs a: UnsafePointer<Float>, inputs b: UnsafePointer<Float>, rows: Int) {
        let layer = layers[index], target = weightTerms + layer.weightOffset
        if layer.isHidden {   // [inputs x outputs]
            sumOverRows(into: target, outputs: layer.inputs, weights: b, rows: a, count: rows, width: layer.outputs)
        } else {              // [outputs x inputs]
            sumOverRows(into: target, outputs: layer.outputs, weights: a, rows: b, count: rows, width: layer.inputs)
        }
    }
}
