import PoisoningData
import PoisoningUtilities

/// Which implementation of the layer kernels a workspace runs.
enum KernelSet {
    /// `Linear`, `ReLU`, `SoftmaxCrossEntropy`: the ones training uses.
    case fast
    /// `ReferenceLinear`, `ReferenceReLU`, `ReferenceSoftmaxCrossEntropy`: naive loops, for tests.
    case reference
}

/// Scratch memory and the forward and backward passes of a network for batches of up to `capacity`
/// rows. Everything is allocated once in `init`; the passes never allocate. One workspace belongs
/// to one run on one thread.
///
/// Forward: for each hidden layer, a = x Wᵀ + b then h = ReLU(a) in place; then the logits
/// z = h Wᵀ + b. Backward: dL/dz from the softmax cross-entropy, then each layer's backward in
/// reverse, the ReLU's masking the gradient that flows into its layer.
final class NetworkWorkspace {
    let shape: NetworkShape
    let layers: [DenseLayer]
    let capacity: Int
    let kernels: KernelSet
    /// Post-ReLU activations of each hidden layer [capacity x width].
    let activations: [UnsafeMutablePointer<Float>]
    /// dL/d(activation) of each hidden layer [capacity x width], masked in place by its ReLU.
    let activationGradients: [UnsafeMutablePointer<Float>]
    /// Logits z [capacity x classes]; `backward` overwrites them with dL/dz.
    let logits: UnsafeMutablePointer<Float>
    /// dL/dθ in the parameter layout [parameterCount].
    let gradient: UnsafeMutablePointer<Float>
    /// DP-SGD: dL/dz of the batch, kept between its two backward passes [capacity x classes].
    private let logitGradients: UnsafeMutablePointer<Float>
    /// DP-SGD: each row's squared per-example gradient norm, times rows² [capacity].
    private let rowSquares: UnsafeMutablePointer<Float>

    init(shape: NetworkShape, capacity: Int, kernels: KernelSet = .fast) {
        self.shape = shape
        self.layers = shape.layers
        self.capacity = capacity
        self.kernels = kernels
        activations = shape.hidden.map { .allocate(capacity: capacity * $0) }
        activationGradients = shape.hidden.map { .allocate(capacity: capacity * $0) }
        logits = .allocate(capacity: capacity * shape.classes)
        gradient = .allocate(capacity: shape.parameterCount)
        logitGradients = .allocate(capacity: capacity * shape.classes)
        rowSquares = .allocate(capacity: capacity)
    }

    /// The bytes a workspace of `shape` for `capacity` rows allocates: activations and their
    /// gradients for every hidden unit, logits and DP-SGD's copy of their gradients for every class,
    /// one gradient per parameter and one square per row, all Floats.
    static func bytes(_ shape: NetworkShape, capacity: Int) -> Double {
        let rows = Double(capacity)
        return 4 * (2 * rows * Double(shape.hidden.reduce(0, +)) + 2 * rows * Double(shape.classes) + Double(shape.parameterCount) + rows)
    }

    deinit {
        activations.forEach { $0.deallocate() }
        activationGradients.forEach { $0.deallocate() }
        logits.deallocate()
        gradient.deallocate()
        logitGradients.deallocate()
        rowSquares.deallocate()
    }

    /// The input of layer `index`: the batch for the first layer, else the previous activations.
    private func layerInput(_ index: Int, _ inputs: UnsafePointer<Float>) -> UnsafePointer<Float> {
        index == 0 ? inputs : UnsafePointer(activations[index - 1])
    }

    /// Forward pass of `rows` inputs [rows x inputs] into `activations` and `logits`.
    func forward(parameters: UnsafePointer<Float>, inputs: UnsafePointer<Float>, rows: Int) {
        for (index, layer) in layers.enumerated() {
            let input = layerInput(index, inputs)
            let output = layer.isHidden ? activations[index] : logits
            let (w, b) = (parameters + layer.weightOffset, parameters + layer.biasOffset)
            switch (kernels, layer.isHidden) {
            case (.fast, true):
                Linear.forwardInputMajor(weights: w, bias: b, input: input, output: output, rows: rows,
                                         inputs: layer.inputs, outputs: layer.outputs)
                ReLU.forward(output, count: rows * layer.outputs)
            case (.fast, false):
                Linear.forwardOutputMajor(weights: w, bias: b, input: input, output: output, rows: rows,
                                          inputs: layer.inputs, outputs: layer.outputs)
            case (.reference, _):
                ReferenceLinear.forward(weights: w, bias: b, input: input, output: output, rows: rows,
                                        inputs: layer.inputs, outputs: layer.outputs, inputMajor: layer.isHidden)
                if layer.isHidden { ReferenceReLU.forward(output, count: rows * layer.outputs) }
            }
        }
    }

    /// After `forward` on the same batch: the gradient of the batch-mean softmax cross-entropy
    /// against `labels` (smoothed by `labelSmoothing`) with respect to every parameter, into
    /// `gradient`. With `extraLogitGradient` [rows x classes], that is added to dL/dz before the
    /// backward pass, which is linear in it (the input-gradient penalty's e). Returns the *sum* of
    /// the per-row losses.
    func backward(parameters: UnsafePointer<Float>, inputs: UnsafePointer<Float>, labels: UnsafePointer<Int>,
                  rows: Int, labelSmoothing: Float = 0, extraLogitGradient: UnsafePointer<Float>? = nil) -> Double {
        let lossSum = lossGradient(labels: labels, rows: rows, labelSmoothing: labelSmoothing)
        if let extraLogitGradient { addScaled(logits, 1, extraLogitGradient, count: rows * shape.classes) }
        backpropagate(parameters: parameters, inputs: inputs, rows: rows)
        return lossSum
    }

    /// After `forward` on the same batch: DP-SGD's clipped gradient, (1/rows) Σ_i min(1, C/||g_i||) g_i
    /// with g_i row i's own gradient, into `gradient`, without a pass per row. A dense layer's
    /// per-example weight gradient is the outer product δ_i a_iᵀ, so ||g_i||² = Σ_layers ||δ_i||²
    /// (||a_i||² + 1) (the 1 for the bias); and backpropagation is linear in the output deltas, so
    /// the clipped sum is one more pass with row i's dL/dz scaled by its factor (Goodfellow 2015,
    /// "Efficient per-example gradient computations"). Returns the sum of the per-row losses.
    func clippedBackward(parameters: UnsafePointer<Float>, inputs: UnsafePointer<Float>, labels: UnsafePointer<Int>,
                         rows: Int, labelSmoothing: Float, bound: Float) -> Double {
        let lossSum = lossGradient(labels: labels, rows: rows, labelSmoothing: labelSmoothing)
        let classes = shape.classes
        logitGradients.update(from: logits, count: rows * classes)
        // Pass 1: the per-example norms (δ here is dL/dz of the batch mean, so g_i = rows · δ_i a_iᵀ).
        rowSquares.update(repeating: 0, count: rows)
        backpropagate(parameters: parameters, inputs: inputs, rows: rows, rowSquares: rowSquares)
        // Pass 2: row i's dL/dz times min(1, C / ||g_i||), backpropagated into the clipped mean.
        for r in 0..<rows {
            let norm = Float(rows) * rowSquares[r].squareRoot()
            let scale = norm > bound ? bound / norm : 1
            for k in 0..<classes { logits[r * classes + k] = logitGradients[r * classes + k] * scale }
        }
        backpropagate(parameters: parameters, inputs: inputs, rows: rows)
        return lossSum
    }

    /// dL/dz of the batch-mean loss into `logits`; returns the sum of the per-row losses.
    private func lossGradient(labels: UnsafePointer<Int>, rows: Int, labelSmoothing: Float) -> Double {
        switch kernels {
        case .fast: SoftmaxCrossEntropy.forwardBackward(logits: logits, labels: labels, rows: rows, classes: shape.classes,
                                                        smoothing: labelSmoothing)
        case .reference: ReferenceSoftmaxCrossEntropy.forwardBackward(logits: logits, labels: labels, rows: rows,
                                                                      classes: shape.classes, smoothing: Double(labelSmoothing))
        }
    }

    /// From dL/dz in `logits`, each layer's backward in reverse into `gradient`, the ReLU's masking
    /// the gradient that flows into its layer. With `rowSquares`, adds to row i's entry
    /// Σ_layers ||δ_i||² (||a_i||² + 1), δ_i the row's gradient at the layer's output and a_i its input.
    private func backpropagate(parameters: UnsafePointer<Float>, inputs: UnsafePointer<Float>, rows: Int,
                               rowSquares: UnsafeMutablePointer<Float>? = nil) {
        for index in layers.indices.reversed() {
            let layer = layers[index]
            let outputGradient = layer.isHidden ? activationGradients[index] : logits
            if layer.isHidden {
                switch kernels {
                case .fast: ReLU.backward(outputGradient, activations: activations[index], count: rows * layer.outputs)
                case .reference: ReferenceReLU.backward(outputGradient, activations: activations[index], count: rows * layer.outputs)
                }
            }
            let input = layerInput(index, inputs)
            if let rowSquares {
                for r in 0..<rows {
                    var deltaSquares: Float = 0, inputSquares: Float = 1
                    for o in 0..<layer.outputs { deltaSquares += outputGradient[r * layer.outputs + o] * outputGradient[r * layer.outputs + o] }
                    for i in 0..<layer.inputs { inputSquares += input[r * layer.inputs + i] * input[r * layer.inputs + i] }
                    rowSquares[r] += deltaSquares * inputSquares
                }
            }
            let inputGradient = index == 0 ? nil : activationGradients[index - 1]
            let (w, gW, gB) = (parameters + layer.weightOffset, gradient + layer.weightOffset, gradient + layer.biasOffset)
            switch (kernels, layer.isHidden) {
            case (.fast, true):
                Linear.backwardInputMajor(weights: w, input: input, outputGradient: outputGradient, weightGradient: gW,
                                          biasGradient: gB, inputGradient: inputGradient, rows: rows,
                                          inputs: layer.inputs, outputs: layer.outputs)
            case (.fast, false):
                Linear.backwardOutputMajor(weights: w, input: input, outputGradient: outputGradient, weightGradient: gW,
                                           biasGradient: gB, inputGradient: inputGradient, rows: rows,
                                           inputs: layer.inputs, outputs: layer.outputs)
            case (.reference, _):
                ReferenceLinear.backward(weights: w, input: input, outputGradient: outputGradient, weightGradient: gW,
                                         biasGradient: gB, inputGradient: inputGradient, rows: rows,
                                         inputs: layer.inputs, outputs: layer.outputs, inputMajor: layer.isHidden)
            }
        }
    }

    /// The layer whose output is the network's representation of an input: the last hidden layer's
    /// post-ReLU activations, or the logits of a network without hidden layers.
    var representationLayer: Int { max(shape.hidden.count - 1, 0) }

    /// The representation buffer after `forward`: [rows x width].
    var representation: UnsafeMutablePointer<Float> { shape.hidden.isEmpty ? logits : activations[representationLayer] }

    /// After `forward` on the same batch: from dL/d(representation) [rows x width], the gradient with
    /// respect to the inputs, into `inputGradient` [rows x inputs], through each layer's backward
    /// from the representation layer down (the weight gradients it also computes are not used).
    func backwardToInputs(parameters: UnsafePointer<Float>, inputs: UnsafePointer<Float>,
                          representationGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>, rows: Int) {
        let top = representationLayer
        let width = layers[top].outputs
        (shape.hidden.isEmpty ? logits : activationGradients[top]).update(from: representationGradient, count: rows * width)
        for index in stride(from: top, through: 0, by: -1) {
            let layer = layers[index]
            let outputGradient = layer.isHidden ? activationGradients[index] : logits
            if layer.isHidden { ReLU.backward(outputGradient, activations: activations[index], count: rows * layer.outputs) }
            let dx = index == 0 ? inputGradient : activationGradients[index - 1]
            let (w, gW, gB) = (parameters + layer.weightOffset, gradient + layer.weightOffset, gradient + layer.biasOffset)
            if layer.isHidden {
                Linear.backwardInputMajor(weights: w, input: layerInput(index, inputs), outputGradient: outputGradient, weightGradient: gW,
                                          biasGradient: gB, inputGradient: dx, rows: rows, inputs: layer.inputs, outputs: layer.outputs)
            } else {
                Linear.backwardOutputMajor(weights: w, input: layerInput(index, inputs), outputGradient: outputGradient, weightGradient: gW,
                                           biasGradient: gB, inputGradient: dx, rows: rows, inputs: layer.inputs, outputs: layer.outputs)
            }
        }
    }

    /// Calls `body(start, chunkRows)` after a forward pass of each chunk of at most `capacity` of the
    /// `rows` inputs, so that `logits` holds that chunk's logits.
    func forwardInChunks(parameters: UnsafePointer<Float>, inputs: UnsafePointer<Float>, rows: Int,
                         _ body: (_ start: Int, _ count: Int) -> Void) {
        var start = 0
        while start < rows {
            let chunk = min(capacity, rows - start)
            forward(parameters: parameters, inputs: inputs + start * shape.inputs, rows: chunk)
            body(start, chunk)
            start += chunk
        }
    }
}
