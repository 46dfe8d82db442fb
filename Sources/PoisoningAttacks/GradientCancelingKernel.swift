import Foundation
import PoisoningData
import PoisoningModels

/// The two implementations of Gradient Canceling's objective (`GradientCanceling`), which give the
/// same bits: every sum is taken over the same terms in the same order, only the memory they are
/// read from differs.
public enum GradientCancelingKernel: String, Sendable, CaseIterable {
    /// `GradientCancelingObjective`, which the attack runs: one block of memory allocated when the
    /// objective is made, the transposed products read from transposed copies (contiguous), a
    /// hidden unit that is off skipped where its term is zero anyway.
    case fast
    /// `ReferenceGradientCancelingObjective`: the formulas as they read, the transposed products
    /// walking W and V down their columns; kept to check the fast kernel against, bit for bit, and to
    /// measure it against (`make-report bench --models-only`).
    case reference
}

/// Gradient Canceling's objective L = ½‖v‖², v = g(μ; θ) + ε_d g(ν; θ), at a target network θ, for the
/// clean rows it was made with and poisons with `poisonLabels` (see `ReferenceGradientCancelingObjective`
/// for the formulas).
protocol CancelingObjective {
    /// The objective at `target` (softmax regression or an MLP) for the clean rows `clean` and poisons
    /// with `poisonLabels`; v keeps the entries `cancel` names (`CanceledGradient.cancelsWeights(ofLayer:)`,
    /// `cancelsBias`) and the others are left out of v (set to 0), so that L and its gradient cancel
    /// those parameters' gradient only.
    init(target: NetworkParameters, clean: Dataset, poisonLabels: [Int], cancel: CanceledGradient)
    /// The number of clean rows.
    var n: Int { get }
    /// The poisons' labels.
    var poisonLabels: [Int] { get }
    /// L = ½‖v‖² at the poisons [m x d] (m = poisonLabels.count), and ∂L/∂x into `gradient` [m x d].
    mutating func evaluate(_ poisons: [Double], gradient: inout [Double]) -> Double
    /// ‖g(mixture; θ)‖ = ‖(cleanSum + Σ_poisons ∇ℓ)‖ / (n + m) over the parameters it cancels (every
    /// one with `weights-and-bias`, every weight with `weights`, the first layer's weights with
    /// `first-layer`): the mean gradient over the clean rows and the poisons [m x d] (none: the clean gradient).
    mutating func mixedGradientNorm(_ poisons: [Double]) -> Double
    /// The same norm over every layer's bias entries only (whether cancelled or not).
    mutating func biasGradientNorm(_ poisons: [Double]) -> Double
    /// The same norm over the weights of the layers after the first, which `first-layer` leaves out
    /// (whether cancelled or not; 0 for softmax regression, which has one layer).
    mutating func laterLayersGradientNorm(_ poisons: [Double]) -> Double
}

/// The entries of v a norm of the mixture is taken over (`CancelingObjective.mixedGradientNorm`,
/// `biasGradientNorm`, `laterLayersGradientNorm`).
enum GradientPart {
    /// The entries the objective cancels.
    case cancelled
    /// Every layer's bias entries.
    case biases
    /// The weights of the layers after the first.
    case laterLayersWeights

    /// Whether the norm takes layer `layer`'s weight entries (`cancel` the objective's mask).
    func includesWeights(ofLayer layer: Int, cancel: CanceledGradient) -> Bool {
        switch self {
        case .cancelled: cancel.cancelsWeights(ofLayer: layer)
        case .biases: false
        case .laterLayersWeights: layer > 0
        }
    }

    /// Whether the norm takes the bias entries (`cancel` the objective's mask).
    func includesBias(cancel: CanceledGradient) -> Bool {
        switch self {
        case .cancelled: cancel.cancelsBias
        case .biases: true
        case .laterLayersWeights: false
        }
    }
}

extension CancelingObjective {
    /// The objective cancelling every parameter's gradient, the bias's included.
    init(target: NetworkParameters, clean: Dataset, poisonLabels: [Int]) {
        self.init(target: target, clean: clean, poisonLabels: poisonLabels, cancel: .weightsAndBias)
    }

    /// N = ‖cleanSum + Σ_poisons ∇ℓ‖ = n‖v‖ = n√(2L), the norm of the summed gradient that the attack
    /// descends, at the poisons [m x d], and ∂N/∂x = (n/‖v‖) ∂L/∂x into `gradient` [m x d] (zero
    /// where v = 0, N's minimum).
    mutating func evaluateNorm(_ poisons: [Double], gradient: inout [Double]) -> Double {
        let norm = (2 * evaluate(poisons, gradient: &gradient)).squareRoot()
        let scale = norm > 0 ? Double(n) / norm : 0
        for i in gradient.indices { gradient[i] *= scale }
        return Double(n) * norm
    }
}

/// Gradient Canceling's objective, the kernel the attack runs (`GradientCancelingKernel.fast`): the
/// formulas of `ReferenceGradientCancelingObjective`, each sum over the same terms in the same order,
/// so that its values and gradients are the reference's to the bit, but
/// - everything (the target's W_l, their transposes W_lᵀ, b_l, the clean rows' summed gradient, v, Vᵀ
///   and the per-poison scratch) lives in one block of Doubles, allocated when the objective is made
///   and read through one pointer per call;
/// - the transposed products W_{l+1}ᵀ δ_{l+1} (backpropagation), W_lᵀ q_l and V_lᵀ δ_l (the
///   double-backward pass) read W_lᵀ (copied once) and V_lᵀ (transposed once per evaluation, after v is
///   summed) along their rows, contiguous, instead of walking W_l and V_l down their columns;
/// - a hidden unit that is off (a ≤ 0) gets δ = 0 and adjoint 0 without its sum, which the reference
///   computes and then multiplies away.
struct GradientCancelingObjective: CancelingObjective {
    /// Where each part starts in `memory`, and the sizes: the layers as in the reference; W_l
    /// [outputs x inputs] and W_lᵀ [inputs x outputs] at `weights` and `transposedWeights` plus the
    /// layer's weightStart, b_l at `bias` plus biasStart, the clean rows' summed gradient and v laid
    /// out like the reference's v, V_lᵀ [inputs x outputs] at `transposedV` plus weightStart, per
    /// poison slot its activations, δs and p, then one row's β, two adjoints and β_L − <p, β_L>.
    struct Layout {
        let d, c, n, rowWidth, units: Int
        let layers: [ReferenceGradientCancelingObjective.Layer]
        /// Which entries v keeps (the others are set to 0 after each sum).
        let cancel: CanceledGradient
        let weightCount, gradientCount: Int
        let weights, transposedWeights, bias, cleanSum, v, transposedV, activations, deltas, p, beta, adjoint, nextAdjoint, difference, total: Int
    }

    /// The offsets and sizes.
    let layout: Layout
    /// The poisons' labels.
    let poisonLabels: [Int]
    /// The target's parameters, the clean rows' gradient and every buffer (`Layout`).
    private var memory: [Double]

    /// The number of clean rows.
    var n: Int { layout.n }

    /// The objective at `target` for the clean rows `clean` and poisons with `poisonLabels`: copies W_l,
    /// W_lᵀ and b_l in Double, and sums the clean rows' gradients once.
    init(target: NetworkParameters, clean: Dataset, poisonLabels: [Int], cancel: CanceledGradient) {
        let shape = target.shape
        var layers = [ReferenceGradientCancelingObjective.Layer]()
        var weightCount = 0, biasCount = 0, gradientCount = 0, unitStart = 0, inputStart = 0
        for layer in shape.layers {
            layers.append(.init(inputs: layer.inputs, outputs: layer.outputs, weightStart: weightCount, biasStart: biasCount,
                                gradientStart: gradientCount, inputStart: inputStart, unitStart: unitStart))
            weightCount += layer.outputs * layer.inputs
            biasCount += layer.outputs
            gradientCount += layer.outputs * (layer.inputs + 1)
            inputStart = shape.inputs + unitStart
            unitStart += layer.outputs
        }
        let d = shape.inputs, c = shape.classes, units = unitStart, rowWidth = d + unitStart - c
        let slots = max(poisonLabels.count, 1), widest = shape.layers.map { max($0.inputs, $0.outputs) }.max()!
        let weights = 0, transposedWeights = weights + weightCount, bias = transposedWeights + weightCount, cleanSum = bias + biasCount
        let v = cleanSum + gradientCount, transposedV = v + gradientCount, activations = transposedV + weightCount
        let deltas = activations + slots * rowWidth, p = deltas + slots * units, beta = p + slots * c
        let adjoint = beta + units, nextAdjoint = adjoint + widest, difference = nextAdjoint + widest
        layout = Layout(d: d, c: c, n: clean.count, rowWidth: rowWidth, units: units, layers: layers, cancel: cancel, weightCount: weightCount,
                        gradientCount: gradientCount, weights: weights, transposedWeights: transposedWeights, bias: bias, cleanSum: cleanSum,
                        v: v, transposedV: transposedV, activations: activations, deltas: deltas, p: p, beta: beta, adjoint: adjoint,
                        nextAdjoint: nextAdjoint, difference: difference, total: difference + c)
        self.poisonLabels = poisonLabels
        memory = [Double](repeating: 0, count: layout.total)
        for (layer, parameters) in zip(layers, shape.layers) {
            for o in 0..<layer.outputs {
                for i in 0..<layer.inputs {
                    let w = Double(target.values[parameters.weightIndex(output: o, input: i)])
                    memory[weights + layer.weightStart + o * layer.inputs + i] = w
                    memory[transposedWeights + layer.weightStart + i * layer.outputs + o] = w
                }
                memory[bias + layer.biasStart + o] = Double(target.values[parameters.biasOffset + o])
            }
        }
        let layout = layout
        memory.withUnsafeMutableBufferPointer { buffer in
            let m = buffer.baseAddress!
            for row in 0..<clean.count {
                for i in 0..<d { m[activations + i] = Double(clean.features[row * d + i]) }
                layout.addRowGradient(m, slot: 0, label: clean.labels[row])
            }
            for i in 0..<gradientCount { m[cleanSum + i] = m[v + i] }
        }
    }

    /// L = ½‖v‖² at the poisons [m x d] (m = poisonLabels.count), and ∂L/∂x into `gradient` [m x d].
    mutating func evaluate(_ poisons: [Double], gradient: inout [Double]) -> Double {
        precondition(poisons.count == poisonLabels.count * layout.d && gradient.count == poisons.count, "poisons do not fit")
        let layout = layout, labels = poisonLabels
        return memory.withUnsafeMutableBufferPointer { buffer in
            poisons.withUnsafeBufferPointer { x in
                gradient.withUnsafeMutableBufferPointer { out in
                    layout.evaluate(buffer.baseAddress!, poisons: x.baseAddress!, labels: labels, gradient: out.baseAddress!)
                }
            }
        }
    }

    /// ‖g(mixture; θ)‖ = ‖(cleanSum + Σ_poisons ∇ℓ)‖ / (n + m) over the cancelled entries: the mean
    /// gradient over the clean rows and the poisons [m x d] (none: the clean gradient).
    mutating func mixedGradientNorm(_ poisons: [Double]) -> Double { mixtureNorm(poisons, part: .cancelled) }

    /// The same norm over every layer's bias entries only (whether cancelled or not).
    mutating func biasGradientNorm(_ poisons: [Double]) -> Double { mixtureNorm(poisons, part: .biases) }

    /// The same norm over the weights of the layers after the first (whether cancelled or not).
    mutating func laterLayersGradientNorm(_ poisons: [Double]) -> Double { mixtureNorm(poisons, part: .laterLayersWeights) }

    /// ‖v‖ n/(n + m) over the entries of v that `part` names.
    private mutating func mixtureNorm(_ poisons: [Double], part: GradientPart) -> Double {
        let m = poisons.count / layout.d
        precondition(m == 0 || m == poisonLabels.count, "poisons do not fit")
        let layout = layout, labels = poisonLabels
        let squares = memory.withUnsafeMutableBufferPointer { buffer in
            poisons.withUnsafeBufferPointer { x in
                let memory = buffer.baseAddress!
                layout.fillMixture(memory, poisons: x.baseAddress, count: m, labels: labels)
                var total = 0.0
                for (index, layer) in layout.layers.enumerated() {
                    let weights = part.includesWeights(ofLayer: index, cancel: layout.cancel), bias = part.includesBias(cancel: layout.cancel)
                    for o in 0..<layer.outputs {
                        let row = layout.v + layer.gradientStart + o * (layer.inputs + 1)
                        if weights { for i in 0..<layer.inputs { total += memory[row + i] * memory[row + i] } }
                        if bias { total += memory[row + layer.inputs] * memory[row + layer.inputs] }
                    }
                }
                return total
            }
        }
        return squares.squareRoot() * Double(layout.n) / Double(layout.n + m)
    }
}

extension GradientCancelingObjective.Layout {
    /// The forward and backward pass of the row in `slot` (its input x already in its activations),
    /// as the reference's: writes its hidden activations h_l, p = softmax(z) and δs into the slot, and
    /// adds its gradient ∇_θ ℓ = (δ_l ⊗ (h_{l−1}, 1))_l to v. `m` is the objective's memory.
    func addRowGradient(_ m: UnsafeMutablePointer<Double>, slot: Int, label: Int) {
        let a = m + activations + slot * rowWidth, u = m + deltas + slot * units, probabilities = m + p + slot * c
        let top = layers.count - 1
        // Forward: a_l = W_l h_{l−1} + b_l, h_l = max(a_l, 0) for hidden layers; the logits into p.
        for index in 0...top {
            let layer = layers[index], inputs = a + layer.inputStart
            let output = index < top ? a + d + layer.unitStart : probabilities
            for o in 0..<layer.outputs {
                let row = m + weights + layer.weightStart + o * layer.inputs
                var value = m[bias + layer.biasStart + o]
                for i in 0..<layer.inputs { value += row[i] * inputs[i] }
                output[o] = index < top ? max(value, 0) : value
            }
        }
        // p = softmax(z), shifted by max z.
        var largest = -Double.infinity
        for k in 0..<c { largest = max(largest, probabilities[k]) }
        var total = 0.0
        for k in 0..<c {
            probabilities[k] = exp(probabilities[k] - largest)
            total += probabilities[k]
        }
        for k in 0..<c { probabilities[k] /= total }
        // Backward: δ_L = p − e_y, δ_l = D_l W_{l+1}ᵀ δ_{l+1} (W_{l+1}ᵀ's row o, contiguous); v_l += δ_l ⊗ (h_{l−1}, 1).
        for index in stride(from: top, through: 0, by: -1) {
            let layer = layers[index], delta = u + layer.unitStart, inputs = a + layer.inputStart
            if index == top {
                for o in 0..<layer.outputs { delta[o] = probabilities[o] - (o == label ? 1 : 0) }
            } else {
                let next = layers[index + 1], nextDelta = u + next.unitStart, hidden = a + d + layer.unitStart
                for o in 0..<layer.outputs {
                    guard hidden[o] > 0 else {
                        delta[o] = 0
                        continue
                    }
                    let column = m + transposedWeights + next.weightStart + o * next.outputs
                    var sum = 0.0
                    for k in 0..<next.outputs { sum += column[k] * nextDelta[k] }
                    delta[o] = sum
                }
            }
            for o in 0..<layer.outputs {
                let row = m + v + layer.gradientStart + o * (layer.inputs + 1), unit = delta[o]
                for i in 0..<layer.inputs { row[i] += unit * inputs[i] }
                row[layer.inputs] += unit
            }
        }
    }

    /// Fills v = (cleanSum + Σ_poisons ∇_θ ℓ) / n, and each of the `count` poisons' activations, δs and p
    /// (`poisons` [count x d], nil when count is 0).
    func fillMixture(_ m: UnsafeMutablePointer<Double>, poisons: UnsafePointer<Double>?, count: Int, labels: [Int]) {
        for i in 0..<gradientCount { m[v + i] = m[cleanSum + i] }
        for j in 0..<count {
            for i in 0..<d { m[activations + j * rowWidth + i] = poisons![j * d + i] }
            addRowGradient(m, slot: j, label: labels[j])
        }
        for i in 0..<gradientCount { m[v + i] /= Double(n) }
    }

    /// L = ½‖v‖² at the poisons [labels.count x d], and ∂L/∂x into `gradient` [labels.count x d]: the
    /// reference's double-backward pass, per poison j
    ///     β_1 = u_1,   β_l = u_l + W_l D_{l−1} β_{l−1},   u_l = V_l h_{l−1} + c_l,
    ///     g_{l−1} = W_lᵀ q_l + V_lᵀ δ_l,   q_L = p ∘ (β_L − <p, β_L>),   q_{l−1} = D_{l−1} g_{l−1},   ∂L/∂x = g_0 / n,
    /// with W_lᵀ and V_lᵀ read along their rows.
    func evaluate(_ m: UnsafeMutablePointer<Double>, poisons: UnsafePointer<Double>, labels: [Int],
                  gradient: UnsafeMutablePointer<Double>) -> Double {
        fillMixture(m, poisons: poisons, count: labels.count, labels: labels)
        // The entries `cancel` leaves out are set to 0: without the biases c_l = 0 (u_l = V_l h_{l−1}), and
        // with `first-layer` V_l = 0 for l > 1 too, so L = ½‖v_{W_1}‖² and its gradient below.
        for (index, layer) in layers.enumerated() {
            let weights = cancel.cancelsWeights(ofLayer: index), bias = cancel.cancelsBias
            guard !weights || !bias else { continue }
            for o in 0..<layer.outputs {
                let row = m + v + layer.gradientStart + o * (layer.inputs + 1)
                if !weights { for i in 0..<layer.inputs { row[i] = 0 } }
                if !bias { row[layer.inputs] = 0 }
            }
        }
        // V_lᵀ [inputs x outputs] from v's rows [outputs x (inputs + 1)].
        for layer in layers {
            for o in 0..<layer.outputs {
                for i in 0..<layer.inputs {
                    m[transposedV + layer.weightStart + i * layer.outputs + o] = m[v + layer.gradientStart + o * (layer.inputs + 1) + i]
                }
            }
        }
        let top = layers.count - 1, beta = m + self.beta, difference = m + self.difference
        for j in 0..<labels.count {
            let a = m + activations + j * rowWidth, u = m + deltas + j * units, probabilities = m + p + j * c
            // β_l = u_l + W_l D_{l−1} β_{l−1}, u_l = V_l h_{l−1} + c_l; then <p, β_L>.
            var pBeta = 0.0
            for index in 0...top {
                let layer = layers[index], inputs = a + layer.inputStart
                for o in 0..<layer.outputs {
                    let row = m + v + layer.gradientStart + o * (layer.inputs + 1)
                    var value = row[layer.inputs]
                    for i in 0..<layer.inputs { value += row[i] * inputs[i] }
                    if index > 0 {
                        let previous = layers[index - 1], weightRow = m + weights + layer.weightStart + o * layer.inputs
                        let hidden = a + d + previous.unitStart, previousBeta = beta + previous.unitStart
                        for i in 0..<layer.inputs where hidden[i] > 0 { value += weightRow[i] * previousBeta[i] }
                    }
                    beta[layer.unitStart + o] = value
                    if index == top { pBeta += probabilities[o] * value }
                }
            }
            // g_{l−1} = W_lᵀ q_l + V_lᵀ δ_l (rows i of W_lᵀ and V_lᵀ), q_L = p ∘ (β_L − <p, β_L>), q_{l−1} = D_{l−1} g_{l−1}.
            var adjoint = m + self.adjoint, nextAdjoint = m + self.nextAdjoint
            for index in stride(from: top, through: 0, by: -1) {
                let layer = layers[index], delta = u + layer.unitStart
                if index == top {
                    for k in 0..<layer.outputs { difference[k] = beta[layer.unitStart + k] - pBeta }
                }
                let hidden = index > 0 ? a + d + layers[index - 1].unitStart : a
                for i in 0..<layer.inputs {
                    if index > 0 && !(hidden[i] > 0) {
                        nextAdjoint[i] = 0
                        continue
                    }
                    let weightRow = m + transposedWeights + layer.weightStart + i * layer.outputs
                    let vRow = m + transposedV + layer.weightStart + i * layer.outputs
                    var g = 0.0
                    if index == top {
                        for k in 0..<layer.outputs { g += weightRow[k] * probabilities[k] * difference[k] + vRow[k] * delta[k] }
                    } else {
                        for k in 0..<layer.outputs { g += weightRow[k] * adjoint[k] + vRow[k] * delta[k] }
                    }
                    if index == 0 { gradient[j * d + i] = g / Double(n) } else { nextAdjoint[i] = g }
                }
                swap(&adjoint, &nextAdjoint)
            }
        }
        var squares = 0.0
        for i in 0..<gradientCount { squares += m[v + i] * m[v + i] }
        return 0.5 * squares
    }
}
