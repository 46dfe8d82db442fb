import PoisoningData
import PoisoningUtilities

extension NetworkParameters {
    /// Width of the network's representation of an input: the last hidden layer's, or the classes of
    /// a network without hidden layers (whose representation is its logits).
    public var representationWidth: Int { shape.hidden.last ?? shape.classes }

    /// The representation φ(x) of every row of `inputs` [rows x representationWidth]: the last hidden
    /// layer's post-ReLU activations (the logits for logistic regression).
    public func representations(of inputs: Dataset) -> [Float] {
        forwardOutputs(of: inputs, width: representationWidth) { $0.representation }
    }

    /// The logits of every row of `inputs` [rows x classes].
    public func logits(on inputs: Dataset) -> [Float] {
        forwardOutputs(of: inputs, width: shape.classes) { $0.logits }
    }

    /// A buffer of the forward pass, row by row, for all rows of `inputs`.
    private func forwardOutputs(of inputs: Dataset, width: Int, _ buffer: (NetworkWorkspace) -> UnsafeMutablePointer<Float>) -> [Float] {
        precondition(inputs.featureCount == shape.inputs, "inputs do not fit the model")
        guard inputs.count > 0 else { return [] }
        var result = [Float](repeating: 0, count: inputs.count * width)
        let workspace = NetworkWorkspace(shape: shape, capacity: min(inputs.count, 1024))
        values.withUnsafeBufferPointer { parameters in
            inputs.features.withUnsafeBufferPointer { features in
                result.withUnsafeMutableBufferPointer { output in
                    workspace.forwardInChunks(parameters: parameters.baseAddress!, inputs: features.baseAddress!, rows: inputs.count) {
                        start, count in
                        (output.baseAddress! + start * width).update(from: buffer(workspace), count: count * width)
                    }
                }
            }
        }
        return result
    }
}

/// The feature-collision distance of a batch of inputs to target representations under a fixed
/// network, with its input gradient: for every row, d(x) = ||φ(x) - φ_t||² and
/// ∂d/∂x = J_φ(x)ᵀ 2 (φ(x) - φ_t), by one forward pass and the layers' backward passes from the
/// representation down. Allocates once; `evaluate` does not allocate.
public final class RepresentationDistance {
    /// The network.
    public let parameters: NetworkParameters
    /// Rows per call.
    public let rows: Int
    private let workspace: NetworkWorkspace
    private let difference: UnsafeMutablePointer<Float>

    /// A distance for batches of exactly `rows` inputs.
    public init(parameters: NetworkParameters, rows: Int) {
        self.parameters = parameters
        self.rows = rows
        workspace = NetworkWorkspace(shape: parameters.shape, capacity: rows)
        difference = .allocate(capacity: rows * parameters.representationWidth)
    }

    deinit { difference.deallocate() }

    /// Each row's squared distance and its gradient, for Swift arrays (allocates; for tests and
    /// one-off evaluations).
    public func evaluate(_ inputs: [Float], targets: [Float]) -> (distances: [Double], gradient: [Float]) {
        precondition(inputs.count == rows * parameters.shape.inputs && targets.count == rows * parameters.representationWidth)
        var distances = [Double](repeating: 0, count: rows), gradient = [Float](repeating: 0, count: inputs.count)
        inputs.withUnsafeBufferPointer { x in
            targets.withUnsafeBufferPointer { t in
                distances.withUnsafeMutableBufferPointer { d in
                    gradient.withUnsafeMutableBufferPointer { g in
                        evaluate(inputs: x.baseAddress!, targets: t.baseAddress!, distances: d.baseAddress!, gradient: g.baseAddress!)
                    }
                }
            }
        }
        return (distances, gradient)
    }

    /// Writes each row's squared distance into `distances` [rows] and its gradient into `gradient`
    /// [rows x inputs], for inputs [rows x inputs] and targets [rows x representationWidth].
    public func evaluate(inputs: UnsafePointer<Float>, targets: UnsafePointer<Float>, distances: UnsafeMutablePointer<Double>,
                         gradient: UnsafeMutablePointer<Float>) {
        let width = parameters.representationWidth
        parameters.values.withUnsafeBufferPointer { theta in
            workspace.forward(parameters: theta.baseAddress!, inputs: inputs, rows: rows)
            let phi = workspace.representation
            for r in 0..<rows {
                var sum = 0.0
                for j in 0..<width {
                    // d = Σ (φ - φ_t)², ∂d/∂φ = 2 (φ - φ_t).
                    let delta = phi[r * width + j] - targets[r * width + j]
                    sum += Double(delta) * Double(delta)
                    difference[r * width + j] = 2 * delta
                }
                distances[r] = sum
            }
            workspace.backwardToInputs(parameters: theta.baseAddress!, inputs: inputs, representationGradient: difference,
                                       inputGradient: gradient, rows: rows)
        }
    }
}
