import Foundation
import PoisoningData
import PoisoningUtilities

/// Products of each row's input Hessian of the loss, H_r = ∂²ℓ_r/∂x², with a vector, exact, for
/// batches of a fixed number of rows (what `InputHessianClassifier.inputHessian` gives; power
/// iteration on them is in `InputCurvature.swift`). Allocates once; `prepare` and `multiply` do not.
public protocol InputHessianEvaluator: AnyObject {
    /// Rows per batch.
    var rows: Int { get }
    /// Input features per row.
    var inputCount: Int { get }
    /// Whether every H_r is positive semi-definite, so that power iteration's dominant eigenvalue is
    /// the largest one (a network's with softmax cross-entropy; not kernel ridge's squared error).
    var positiveSemiDefinite: Bool { get }
    /// Keeps what the products of the batch `inputs` [rows x inputCount] with labels `labels` [rows] need.
    func prepare(inputs: UnsafePointer<Float>, labels: UnsafePointer<Int>)
    /// After `prepare`: H_r u_r for every row r of the prepared batch, u [rows x inputCount] (one
    /// direction per row) into `product` [rows x inputCount].
    func multiply(_ u: UnsafePointer<Float>, into product: UnsafeMutablePointer<Float>)
}

/// An `InputHessianEvaluator` that also builds the prepared rows' Hessians themselves, in closed form
/// and for less than the d Hessian-vector products per row that building one column by column takes
/// (`InputHessianEvaluator.meanTop` and `rowTops` use it below `InputHessian.exactInputLimit` inputs).
public protocol InputHessianAssembler: InputHessianEvaluator {
    /// After `prepare`: H_r of the prepared row `row`, symmetric, in Double into `hessian` [inputCount x inputCount].
    func rowHessian(_ row: Int, into hessian: UnsafeMutablePointer<Double>)
    /// After `prepare`: the mean H̄ = (1/rows) Σ_r H_r over the prepared rows, symmetric, in Double
    /// into `hessian` [inputCount x inputCount].
    func meanHessian(into hessian: UnsafeMutablePointer<Double>)
}

extension InputHessianEvaluator {
    /// H_r u_r for every row of `inputs` [rows x inputCount] with `labels` [rows] and `directions`
    /// [rows x inputCount], for Swift arrays (allocates; for tests and one-off products).
    public func products(inputs: [Float], labels: [Int], directions: [Float]) -> [Float] {
        precondition(inputs.count == rows * inputCount && directions.count == inputs.count && labels.count == rows)
        var result = [Float](repeating: 0, count: inputs.count)
        inputs.withUnsafeBufferPointer { x in labels.withUnsafeBufferPointer { y in prepare(inputs: x.baseAddress!, labels: y.baseAddress!) } }
        directions.withUnsafeBufferPointer { u in
            result.withUnsafeMutableBufferPointer { product in multiply(u.baseAddress!, into: product.baseAddress!) }
        }
        return result
    }
}

/// Hessian-vector products of each row's softmax cross-entropy with respect to its input, for a
/// dense ReLU network (an MLP, or logistic regression: a network without hidden layers), by one
/// forward-mode pass over the reverse pass (the R-operator, Pearlmutter 1994).
///
/// With a_l = W_l h_{l-1} + b_l, h_l = ReLU(a_l), D_l = diag(a_l > 0), logits z and p = softmax(z),
/// ∂ℓ/∂x = J_zᵀ (p - onehot(y)) with J_z = W_L D_{L-1} W_{L-1} ⋯ D_1 W_1. The masks D_l are piecewise
/// constant, so (almost everywhere) the derivative of J_z in x is zero and the Hessian is
/// H = ∂²ℓ/∂x² = J_zᵀ (diag(p) - p pᵀ) J_z: positive semi-definite and independent of the label y.
/// A product H u is computed exactly as
/// - tangent pass (forward mode, R{·} = directional derivative along u): R{a_1} = W_1 u,
///   R{h_l} = D_l R{a_l}, R{a_{l+1}} = W_{l+1} R{h_l}, up to R{z} = J_z u (no biases);
/// - the softmax's Jacobian: e = (diag(p) - p pᵀ) R{z}, e_k = p_k (R{z}_k - pᵀ R{z});
/// - the reverse pass of the input gradient from e: dx = J_zᵀ e, through the layers'
///   input-gradient kernels and the same masks.
///
/// `prepare` runs the forward pass once for a batch; every `multiply` after it reuses the batch's
/// activations (the masks) and probabilities, so a power iteration costs one tangent and one reverse
/// pass per product. Allocates once; `prepare` and `multiply` do not allocate. The tests check the
/// products against finite differences of the input gradient in Double.
public final class InputHessian: InputHessianEvaluator {
    /// The network.
    public let parameters: NetworkParameters
    /// Rows per batch.
    public let rows: Int
    /// The network's inputs.
    public var inputCount: Int { parameters.shape.inputs }
    /// H = J_zᵀ (diag(p) - p pᵀ) J_z is positive semi-definite.
    public var positiveSemiDefinite: Bool { true }
    private let workspace: NetworkWorkspace
    /// p = softmax(z) of every row of the prepared batch [rows x classes].
    private let probabilities: UnsafeMutablePointer<Float>
    /// Per layer: the tangents R{a_l} of every row [rows x outputs]; the last is R{z}, then e in place.
    private let tangents: [UnsafeMutablePointer<Float>]

    /// Products for batches of exactly `rows` rows of `parameters`' network.
    public init(parameters: NetworkParameters, rows: Int) {
        self.parameters = parameters
        self.rows = rows
        let capacity = max(rows, 1)
        workspace = NetworkWorkspace(shape: parameters.shape, capacity: capacity)
        probabilities = .allocate(capacity: capacity * parameters.shape.classes)
        tangents = parameters.shape.layers.map { .allocate(capacity: capacity * $0.outputs) }
    }

    /// The bytes an `InputHessian` of `shape` for `rows` rows allocates: its workspace, p for every
    /// class and a tangent for every unit, all Floats.
    public static func bytes(_ shape: NetworkShape, rows: Int) -> Double {
        let capacity = Double(max(rows, 1)), units = Double(shape.hidden.reduce(0, +) + shape.classes)
        return NetworkWorkspace.bytes(shape, capacity: max(rows, 1)) + 4 * capacity * (Double(shape.classes) + units)
    }

    deinit {
        probabilities.deallocate()
        tangents.forEach { $0.deallocate() }
    }

    /// Forward pass of the batch `inputs` [rows x inputs]: keeps every hidden layer's activations
    /// (their masks D_l) and p = softmax(z) of every row (with the stable shift by max z). The
    /// Hessian does not depend on the labels.
    public func prepare(inputs: UnsafePointer<Float>, labels: UnsafePointer<Int>) {
        let c = parameters.shape.classes
        parameters.values.withUnsafeBufferPointer { theta in
            workspace.forward(parameters: theta.baseAddress!, inputs: inputs, rows: rows)
        }
        SoftmaxCrossEntropy.probabilities(of: workspace.logits, into: probabilities, rows: rows, classes: c)
    }

    /// After `prepare`: H_r u_r for every row r of the prepared batch, u [rows x inputs] (one
    /// direction per row) into `product` [rows x inputs].
    public func multiply(_ u: UnsafePointer<Float>, into product: UnsafeMutablePointer<Float>) {
        parameters.values.withUnsafeBufferPointer { theta in multiply(parameters: theta.baseAddress!, u, into: product) }
    }

    private func multiply(parameters theta: UnsafePointer<Float>, _ u: UnsafePointer<Float>, into product: UnsafeMutablePointer<Float>) {
        let layers = workspace.layers, top = layers.count - 1, c = parameters.shape.classes
        // Tangent pass: R{a_1} = W_1 u; R{a_{l+1}} = W_{l+1} (D_l R{a_l}); the last is R{z}.
        for (index, layer) in layers.enumerated() {
            let input = index == 0 ? u : UnsafePointer(tangents[index - 1])
            let w = theta + layer.weightOffset, output = tangents[index]
            if index > 0 { ReLU.backward(tangents[index - 1], activations: workspace.activations[index - 1], count: rows * layers[index - 1].outputs) }
            for r in 0..<rows {
                let x = input + r * layer.inputs, y = output + r * layer.outputs
                if layer.isHidden {   // Wᵀ stored [inputs x outputs]: y = Σ_i x_i Wᵀ[i, ·]
                    y.update(repeating: 0, count: layer.outputs)
                    for i in 0..<layer.inputs { addScaled(y, x[i], w + i * layer.outputs, count: layer.outputs) }
                } else {              // W stored [outputs x inputs]: y_o = W[o, ·] · x
                    for o in 0..<layer.outputs { y[o] = dot(x, w + o * layer.inputs, count: layer.inputs) }
                }
            }
        }
        // The softmax's Jacobian, in place: e_k = p_k (R{z}_k - pᵀ R{z}).
        for r in 0..<rows {
            let p = probabilities + r * c, e = tangents[top] + r * c
            var pz: Float = 0
            for k in 0..<c { pz += p[k] * e[k] }
            for k in 0..<c { e[k] = p[k] * (e[k] - pz) }
        }
        // Reverse pass from e down to the input, dx = J_zᵀ e: dh = W_{l+1}ᵀ da_{l+1}, da_l = D_l dh.
        for index in layers.indices.reversed() {
            let layer = layers[index]
            let outputGradient = index == top ? tangents[top] : workspace.activationGradients[index]
            let dx = index == 0 ? product : workspace.activationGradients[index - 1]
            let w = theta + layer.weightOffset
            if layer.isHidden {
                ReLU.backward(outputGradient, activations: workspace.activations[index], count: rows * layer.outputs)
                Linear.inputGradientInputMajor(weights: w, outputGradient: outputGradient, inputGradient: dx, rows: rows,
                                               inputs: layer.inputs, outputs: layer.outputs)
            } else {
                Linear.inputGradientOutputMajor(weights: w, outputGradient: outputGradient, inputGradient: dx, rows: rows,
                                                inputs: layer.inputs, outputs: layer.outputs)
            }
        }
    }
}
