import PoisoningData
import PoisoningUtilities

extension NetworkWorkspace {
    /// The softmax cross-entropy of every row of `inputs` [rows x inputs] against its label and its
    /// gradient with respect to that row, into `losses` [rows] and `inputGradient` [rows x inputs]:
    /// ℓ_r = log Σ_k exp z_rk - z_r,y_r and ∂ℓ_r/∂x_r = J_z(x_r)ᵀ (softmax(z_r) - onehot(y_r)).
    /// One forward pass, the loss kernel row by row (a batch of one, so each row's own gradient, not
    /// the batch mean's), then from the logits down each layer's input-gradient kernel, the ReLUs
    /// masking it (dx = dy W for a dense layer, dh ⊙ [h > 0] for a ReLU); no weight gradient is formed.
    /// With the reference kernel set, the naive kernels of `ReferenceKernels.swift` (whose dense
    /// backward also writes the weight gradients, unused). Does not allocate.
    func lossInputGradient(parameters: UnsafePointer<Float>, inputs: UnsafePointer<Float>, labels: UnsafePointer<Int>, rows: Int,
                           losses: UnsafeMutablePointer<Double>, inputGradient: UnsafeMutablePointer<Float>) {
        forward(parameters: parameters, inputs: inputs, rows: rows)
        let c = shape.classes
        for r in 0..<rows {
            // In place: logits of row r → softmax(z_r) - onehot(y_r) (rows: 1, so no 1/rows factor).
            losses[r] = switch kernels {
            case .fast: SoftmaxCrossEntropy.forwardBackward(logits: logits + r * c, labels: labels + r, rows: 1, classes: c)
            case .reference: ReferenceSoftmaxCrossEntropy.forwardBackward(logits: logits + r * c, labels: labels + r, rows: 1, classes: c)
            }
        }
        for index in layers.indices.reversed() {
            let layer = layers[index]
            let outputGradient = layer.isHidden ? activationGradients[index] : logits
            let dx = index == 0 ? inputGradient : activationGradients[index - 1]
            let w = parameters + layer.weightOffset
            switch (kernels, layer.isHidden) {
            case (.fast, true):
                ReLU.backward(outputGradient, activations: activations[index], count: rows * layer.outputs)
                Linear.inputGradientInputMajor(weights: w, outputGradient: outputGradient, inputGradient: dx, rows: rows,
                                               inputs: layer.inputs, outputs: layer.outputs)
            case (.fast, false):
                Linear.inputGradientOutputMajor(weights: w, outputGradient: outputGradient, inputGradient: dx, rows: rows,
                                                inputs: layer.inputs, outputs: layer.outputs)
            case (.reference, _):
                if layer.isHidden { ReferenceReLU.backward(outputGradient, activations: activations[index], count: rows * layer.outputs) }
                let input = index == 0 ? inputs : UnsafePointer(activations[index - 1])
                ReferenceLinear.backward(weights: w, input: input, outputGradient: outputGradient, weightGradient: gradient + layer.weightOffset,
                                         biasGradient: gradient + layer.biasOffset, inputGradient: dx, rows: rows,
                                         inputs: layer.inputs, outputs: layer.outputs, inputMajor: layer.isHidden)
            }
        }
    }
}

/// The softmax cross-entropy of a batch of rows against their labels under a fixed network, with
/// each row's input gradient: ℓ(x, y) = log Σ_k exp z_k(x) - z_y(x) and
/// ∂ℓ/∂x = J_z(x)ᵀ (softmax(z(x)) - onehot(y)), by one forward pass and the layers' input-gradient
/// kernels from the logits down (`NetworkWorkspace.lossInputGradient`). What projected gradient
/// ascent on the loss needs (`projectedGradientAscent`). Allocates once; `evaluate` with pointers
/// does not allocate.
public final class LossInputGradient {
    /// The network.
    public let parameters: NetworkParameters
    /// Rows per call.
    public let rows: Int
    private let workspace: NetworkWorkspace

    /// A loss gradient for batches of exactly `rows` rows, with the fast kernels (`kernels` .reference
    /// for the naive ones, in tests).
    init(parameters: NetworkParameters, rows: Int, kernels: KernelSet) {
        self.parameters = parameters
        self.rows = rows
        workspace = NetworkWorkspace(shape: parameters.shape, capacity: max(rows, 1), kernels: kernels)
    }

    /// A loss gradient for batches of exactly `rows` rows.
    public convenience init(parameters: NetworkParameters, rows: Int) {
        self.init(parameters: parameters, rows: rows, kernels: .fast)
    }

    /// The bytes a loss gradient of `shape` for `rows` rows allocates (its workspace).
    static func bytes(_ shape: NetworkShape, rows: Int) -> Double { NetworkWorkspace.bytes(shape, capacity: max(rows, 1)) }

    /// Each row's loss and its input gradient, for Swift arrays (allocates; for tests and one-off
    /// evaluations).
    public func evaluate(_ inputs: [Float], labels: [Int]) -> (losses: [Double], gradient: [Float]) {
        precondition(inputs.count == rows * parameters.shape.inputs && labels.count == rows)
        var losses = [Double](repeating: 0, count: rows), gradient = [Float](repeating: 0, count: inputs.count)
        inputs.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                losses.withUnsafeMutableBufferPointer { l in
                    gradient.withUnsafeMutableBufferPointer { g in
                        evaluate(inputs: x.baseAddress!, labels: y.baseAddress!, losses: l.baseAddress!, gradient: g.baseAddress!)
                    }
                }
            }
        }
        return (losses, gradient)
    }

    /// Writes each row's loss into `losses` [rows] and its input gradient into `gradient`
    /// [rows x inputs], for inputs [rows x inputs] and labels [rows] (each in 0..<classes).
    public func evaluate(inputs: UnsafePointer<Float>, labels: UnsafePointer<Int>, losses: UnsafeMutablePointer<Double>,
                         gradient: UnsafeMutablePointer<Float>) {
        guard rows > 0 else { return }
        parameters.values.withUnsafeBufferPointer { theta in
            workspace.lossInputGradient(parameters: theta.baseAddress!, inputs: inputs, labels: labels, rows: rows, losses: losses,
                                        inputGradient: gradient)
        }
    }
}
