import PoisoningUtilities

extension KernelRidgeClassifier: InputHessianClassifier {
    /// A `KernelRidgeInputHessian` of this model.
    public func inputHessian(rows: Int) -> any InputHessianEvaluator { KernelRidgeInputHessian(model: self, rows: rows) }
}

/// Products of each row's input Hessian of kernel ridge's loss, the squared error the model is
/// solved for and measures (`KernelRidgeClassifier.rowLosses`, `KernelRidgeLossGradient`), with a
/// vector, in closed form. With f_k(x) = Σ_i A_ik k_i (k_i = k(x, x_i)) and e_k = f_k(x) − [y = k]:
/// ℓ = Σ_k e_k², ∇ℓ = 2 Σ_k e_k J_k with J_k = ∇f_k = Σ_i A_ik ∇k_i, and
///
///     H = ∂²ℓ/∂x² = 2 Σ_k J_k J_kᵀ + Σ_i b_i ∇²k_i,   b_i = 2 Σ_k A_ik e_k,
///
/// with, for v_i = x − x_i,
/// - RBF, k_i = exp(−‖v_i‖² / (2ℓ²)): ∇k_i = −k_i v_i / ℓ², ∇²k_i = k_i (v_i v_iᵀ / ℓ⁴ − I / ℓ²);
/// - Laplacian, k_i = exp(−‖v_i‖₁ / ℓ), s_i = sign(v_i): ∇k_i = −k_i s_i / ℓ and, wherever no
///   coordinate of v_i is zero, ∇²k_i = k_i s_i s_iᵀ / ℓ² (each |v_ij| is linear on either side of 0).
///   Where v_ij = 0 the kernel has a cusp in x_j: ∂k_i/∂x_j jumps from +k_i/ℓ to −k_i/ℓ, so neither
///   the gradient nor the Hessian exists there (in the sense of distributions ∇²k_i gains
///   −(2 k_i / ℓ) δ(v_ij) in entry (j, j)). As the gradient does, sign(0) = 0 is taken: x_i's terms
///   in those coordinates are left out. This is the case at a training row itself (x = x_i, every
///   coordinate: x_i's own cusp is left out of the curvature of the poisoned training rows) and
///   wherever a feature takes the same value in two rows (the blank pixels of images).
///
/// Unlike a network's, H depends on the row's label (through e) and need not be positive
/// semi-definite (the second term, and for the RBF kernel −(Σ_i b_i k_i / ℓ²) I, can have either
/// sign). `prepare` keeps each row's x, J and b_i k_i; a product then costs O(n d + c d) per row.
/// Sums in Double; allocates once, `prepare` and `multiply` do not allocate.
final class KernelRidgeInputHessian: InputHessianEvaluator {
    private let model: KernelRidgeClassifier
    /// Rows per batch.
    let rows: Int
    /// Each prepared row in Double [rows x d], J_k of each row [rows x c x d], and b_i k_i of each row
    /// against each training row [rows x n].
    private var inputs: [Double], jacobians: [Double], weights: [Double]
    /// One row's kernel values [n] and decision values, then errors [c] (for `prepare`), and its
    /// product's sums [d] (for `multiply`).
    private var similarities: [Double], errors: [Double], sums: [Double]

    /// Products for batches of exactly `rows` rows of `model`.
    init(model: KernelRidgeClassifier, rows: Int) {
        self.model = model
        self.rows = rows
        let d = model.featureCount, c = model.classCount, n = model.points.count / d
        inputs = [Double](repeating: 0, count: rows * d)
        jacobians = [Double](repeating: 0, count: rows * c * d)
        weights = [Double](repeating: 0, count: rows * n)
        similarities = [Double](repeating: 0, count: n)
        errors = [Double](repeating: 0, count: c)
        sums = [Double](repeating: 0, count: d)
    }

    /// The bytes a `KernelRidgeInputHessian` of `rows` rows allocates for a model of `n` training
    /// rows, `d` features and `c` classes.
    static func bytes(rows: Int, n: Int, d: Int, c: Int) -> Double {
        8 * (Double(rows) * Double(d + c * d + n) + Double(n + c + d))
    }

    /// The model's features.
    var inputCount: Int { model.featureCount }
    /// The squared error's Hessian can be indefinite.
    var positiveSemiDefinite: Bool { false }

    /// For each row: x, k_i, f, e = f − onehot(y), b_i k_i = 2 k_i Σ_k A_ik e_k and
    /// J_k = Σ_i A_ik ∇k_i (∇k_i = −k_i v_i / ℓ² or −k_i s_i / ℓ).
    func prepare(inputs x: UnsafePointer<Float>, labels: UnsafePointer<Int>) {
        let d = model.featureCount, c = model.classCount, n = similarities.count
        let points = model.points, dual = model.dual, scale = model.lengthScale
        for r in 0..<rows {
            for j in 0..<d { inputs[r * d + j] = Double(x[r * d + j]) }
            for k in 0..<c { errors[k] = 0 }
            for i in 0..<n {
                similarities[i] = KernelRidgeModel.kernelValue(model.kernel, lengthScale: scale, inputs, r * d, points, i * d, features: d)
                for k in 0..<c { errors[k] += similarities[i] * dual[i * c + k] }
            }
            for k in 0..<c { errors[k] -= labels[r] == k ? 1 : 0 }
            let jacobian = r * c * d
            for m in jacobian..<(jacobian + c * d) { jacobians[m] = 0 }
            for i in 0..<n {
                var weight = 0.0
                for k in 0..<c { weight += dual[i * c + k] * 2 * errors[k] }
                weights[r * n + i] = weight * similarities[i]
                guard similarities[i] != 0 else { continue }
                for j in 0..<d {
                    let delta = inputs[r * d + j] - points[i * d + j]
                    // ∂k_i/∂x_j
                    let slope = switch model.kernel {
                    case .rbf: -similarities[i] * delta / (scale * scale)
                    case .laplacian: -similarities[i] * Self.sign(delta) / scale
                    }
                    for k in 0..<c { jacobians[jacobian + k * d + j] += dual[i * c + k] * slope }
                }
            }
        }
    }

    /// H u = 2 Σ_k (J_kᵀ u) J_k + Σ_i b_i k_i (v_i (v_iᵀ u) / ℓ⁴ − u / ℓ²) (RBF) or
    /// + Σ_i b_i k_i s_i (s_iᵀ u) / ℓ² (Laplacian), for every row.
    func multiply(_ u: UnsafePointer<Float>, into product: UnsafeMutablePointer<Float>) {
        let d = model.featureCount, c = model.classCount, n = similarities.count
        let points = model.points, squared = model.lengthScale * model.lengthScale
        for r in 0..<rows {
            let direction = u + r * d, jacobian = r * c * d
            for j in 0..<d { sums[j] = 0 }
            // The Gauss-Newton part, 2 Σ_k (J_kᵀ u) J_k.
            for k in 0..<c {
                var projection = 0.0
                for j in 0..<d { projection += jacobians[jacobian + k * d + j] * Double(direction[j]) }
                for j in 0..<d { sums[j] += 2 * projection * jacobians[jacobian + k * d + j] }
            }
            // The kernels' part; for the RBF kernel the identity term −(Σ_i b_i k_i / ℓ²) u at the end.
            var identity = 0.0
            for i in 0..<n {
                let weight = weights[r * n + i]
                guard weight != 0 else { continue }
                var projection = 0.0
                switch model.kernel {
                case .rbf:
                    for j in 0..<d { projection += (inputs[r * d + j] - points[i * d + j]) * Double(direction[j]) }
                    let scaled = weight * projection / (squared * squared)
                    for j in 0..<d { sums[j] += scaled * (inputs[r * d + j] - points[i * d + j]) }
                    identity += weight
                case .laplacian:
                    for j in 0..<d { projection += Self.sign(inputs[r * d + j] - points[i * d + j]) * Double(direction[j]) }
                    let scaled = weight * projection / squared
                    for j in 0..<d { sums[j] += scaled * Self.sign(inputs[r * d + j] - points[i * d + j]) }
                }
            }
            for j in 0..<d { product[r * d + j] = Float(sums[j] - identity * Double(direction[j]) / squared) }
        }
    }

    /// sign(v), with sign(0) = 0.
    static func sign(_ v: Double) -> Double { v > 0 ? 1 : v < 0 ? -1 : 0 }
}
