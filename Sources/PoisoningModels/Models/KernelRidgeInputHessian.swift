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
/// The Hessians themselves (`InputHessianAssembler`) follow from the same terms in one pass over the
/// n training rows: a row's H_r for O(n d² / 2), a third of what the d products that build it column
/// by column cost, and for the RBF kernel the mean H̄ of R rows for O(R n d + (R + n) d²) by expanding
/// v_i v_iᵀ (`meanHessian`). Sums in Double; allocates once, `prepare`, `multiply`, `rowHessian` and
/// `meanHessian` do not allocate.
final class KernelRidgeInputHessian: InputHessianAssembler {
    private let model: KernelRidgeClassifier
    /// Rows per batch.
    let rows: Int
    /// Each prepared row in Double [rows x d], J_k of each row [rows x c x d], and b_i k_i of each row
    /// against each training row [rows x n].
    private var inputs: [Double], jacobians: [Double], weights: [Double]
    /// One row's kernel values [n] and decision values, then errors [c] (for `prepare`), and its
    /// product's sums [d] (for `multiply`).
    private var similarities: [Double], errors: [Double], sums: [Double]
    /// ∂k_i/∂x of one training row [d] (for `prepare`), then for `rowHessian` and `meanHessian`: v_i or
    /// s_i of one training row [d], Σ_i b_i k_i x_i of one prepared row [d], Σ_r b_i k_i of each training row over the prepared rows [n], and one d x d sum.
    private var difference: [Double], weightedPoints: [Double], pointWeights: [Double], gaussNewton: [Double]

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
        difference = [Double](repeating: 0, count: d)
        weightedPoints = [Double](repeating: 0, count: d)
        pointWeights = [Double](repeating: 0, count: n)
        gaussNewton = [Double](repeating: 0, count: d * d)
    }

    /// The bytes a `KernelRidgeInputHessian` of `rows` rows allocates for a model of `n` training
    /// rows, `d` features and `c` classes.
    static func bytes(rows: Int, n: Int, d: Int, c: Int) -> Double {
        8 * (Double(rows) * Double(d + c * d + n) + Double(2 * n + c + 3 * d + d * d))
    }

    /// The model's features.
    var inputCount: Int { model.featureCount }
    /// The squared error's Hessian can be indefinite.
    var positiveSemiDefinite: Bool { false }

    /// For each row: x, k_i, f, e = f − onehot(y), b_i k_i = 2 k_i Σ_k A_ik e_k and
    /// J_k = Σ_i A_ik ∇k_i (∇k_i = −k_i v_i / ℓ² or −k_i s_i / ℓ), each J_k summed over the training
    /// rows i in order, one contiguous row of d at a time (the products' cost: O(n c d) per row).
    func prepare(inputs x: UnsafePointer<Float>, labels: UnsafePointer<Int>) {
        let d = model.featureCount, c = model.classCount, n = similarities.count
        let scale = model.lengthScale, kernel = model.kernel
        model.points.withUnsafeBufferPointer { points in
            model.dual.withUnsafeBufferPointer { dual in
                inputs.withUnsafeMutableBufferPointer { prepared in
                    jacobians.withUnsafeMutableBufferPointer { jacobians in
                        weights.withUnsafeMutableBufferPointer { weights in
                            similarities.withUnsafeMutableBufferPointer { k in
                                errors.withUnsafeMutableBufferPointer { errors in
                                    difference.withUnsafeMutableBufferPointer { slope in
                                        for r in 0..<rows {
                                            let row = prepared.baseAddress! + r * d
                                            for j in 0..<d { row[j] = Double(x[r * d + j]) }
                                            for m in 0..<c { errors[m] = 0 }
                                            KernelRidgeModel.kernelValues(kernel, lengthScale: scale, row, points.baseAddress!, count: n, features: d,
                                                                          into: k.baseAddress!)
                                            for i in 0..<n { for m in 0..<c { errors[m] += k[i] * dual[i * c + m] } }
                                            for m in 0..<c { errors[m] -= labels[r] == m ? 1 : 0 }
                                            let jacobian = jacobians.baseAddress! + r * c * d
                                            jacobian.update(repeating: 0, count: c * d)
                                            for i in 0..<n {
                                                var weight = 0.0
                                                for m in 0..<c { weight += dual[i * c + m] * 2 * errors[m] }
                                                weights[r * n + i] = weight * k[i]
                                                guard k[i] != 0 else { continue }
                                                let point = points.baseAddress! + i * d
                                                // ∂k_i/∂x_j for every j
                                                switch kernel {
                                                case .rbf: for j in 0..<d { slope[j] = -k[i] * (row[j] - point[j]) / (scale * scale) }
                                                case .laplacian: for j in 0..<d { slope[j] = -k[i] * Self.sign(row[j] - point[j]) / scale }
                                                }
                                                for m in 0..<c {
                                                    let coefficient = dual[i * c + m], target = jacobian + m * d
                                                    for j in 0..<d { target[j] += coefficient * slope[j] }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
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

    /// H_r = 2 Σ_k J_k J_kᵀ + (1/ℓ⁴) Σ_i b_i k_i v_i v_iᵀ − (Σ_i b_i k_i / ℓ²) I (RBF) or
    /// 2 Σ_k J_k J_kᵀ + (1/ℓ²) Σ_i b_i k_i s_i s_iᵀ (Laplacian) of the prepared row `row`: the lower
    /// triangle summed over the training rows i in order, then mirrored.
    func rowHessian(_ row: Int, into hessian: UnsafeMutablePointer<Double>) {
        let d = model.featureCount, n = similarities.count
        hessian.update(repeating: 0, count: d * d)
        var identity = 0.0
        withPreparedTerms { x, points, weights in
            difference.withUnsafeMutableBufferPointer { v in
                for i in 0..<n {
                    let weight = weights[row * n + i]
                    guard weight != 0 else { continue }
                    for j in 0..<d {
                        let delta = x[row * d + j] - points[i * d + j]
                        v[j] = model.kernel == .rbf ? delta : Self.sign(delta)   // v_i or s_i
                    }
                    Self.addOuterProduct(weight, v.baseAddress!, into: hessian, d: d)
                    identity += weight
                }
            }
        }
        finish(hessian, row: row, identity: model.kernel == .rbf ? identity : 0)
    }

    /// H̄ = (1/R) Σ_r H_r over the R prepared rows. For the RBF kernel, with S_r = Σ_i b_ri k_ri,
    /// m_r = Σ_i b_ri k_ri x_i and ω_i = Σ_r b_ri k_ri, the kernels' outer products sum to
    ///
    ///     Σ_r Σ_i b_ri k_ri v_ri v_riᵀ = Σ_r (S_r x_r x_rᵀ − x_r m_rᵀ − m_r x_rᵀ) + Σ_i ω_i x_i x_iᵀ,
    ///
    /// so H̄ = (1/R) [(1/ℓ⁴) (that sum) + 2 Σ_r Σ_k J_rk J_rkᵀ − (Σ_r S_r / ℓ²) I], without an outer
    /// product per training row and prepared row. For the Laplacian kernel (s_i does not expand) the
    /// mean of the rows' `rowHessian`s.
    func meanHessian(into hessian: UnsafeMutablePointer<Double>) {
        let d = model.featureCount, n = similarities.count, count = Double(rows)
        guard model.kernel == .rbf else {
            hessian.update(repeating: 0, count: d * d)
            gaussNewton.withUnsafeMutableBufferPointer { single in
                for r in 0..<rows {
                    rowHessian(r, into: single.baseAddress!)
                    for m in 0..<(d * d) { hessian[m] += single[m] }
                }
            }
            for m in 0..<(d * d) { hessian[m] /= count }
            return
        }
        hessian.update(repeating: 0, count: d * d)
        var identity = 0.0
        withPreparedTerms { x, points, weights in
            weightedPoints.withUnsafeMutableBufferPointer { m in
                pointWeights.withUnsafeMutableBufferPointer { omega in
                    omega.update(repeating: 0)
                    for r in 0..<rows {
                        var total = 0.0   // S_r
                        m.update(repeating: 0)
                        for i in 0..<n {
                            let weight = weights[r * n + i]
                            guard weight != 0 else { continue }
                            total += weight
                            omega[i] += weight
                            for j in 0..<d { m[j] += weight * points[i * d + j] }
                        }
                        identity += total
                        // S_r x_r x_rᵀ − x_r m_rᵀ − m_r x_rᵀ, lower triangle.
                        for a in 0..<d {
                            let xa = x[r * d + a], ma = m[a]
                            for b in 0...a { hessian[a * d + b] += total * xa * x[r * d + b] - xa * m[b] - ma * x[r * d + b] }
                        }
                    }
                    for i in 0..<n where omega[i] != 0 {   // Σ_i ω_i x_i x_iᵀ
                        Self.addOuterProduct(omega[i], points.baseAddress! + i * d, into: hessian, d: d)
                    }
                }
            }
        }
        // 2 Σ_r Σ_k J_rk J_rkᵀ, lower triangle, beside.
        gaussNewton.withUnsafeMutableBufferPointer { sum in
            sum.update(repeating: 0)
            for r in 0..<rows { addGaussNewton(r, into: sum.baseAddress!) }
            let squared = model.lengthScale * model.lengthScale, scale = 1 / (squared * squared)
            for a in 0..<d {
                for b in 0...a {
                    var value = scale * hessian[a * d + b] + sum[a * d + b]
                    if a == b { value -= identity / squared }
                    hessian[a * d + b] = value / count
                    hessian[b * d + a] = value / count
                }
            }
        }
    }

    /// `body` with the prepared rows x [rows x d], the training rows x_i [n x d] and b_i k_i of each
    /// prepared row against each training row [rows x n]: the terms `rowHessian` and `meanHessian` read.
    private func withPreparedTerms(_ body: (UnsafeBufferPointer<Double>, UnsafeBufferPointer<Double>, UnsafeBufferPointer<Double>) -> Void) {
        inputs.withUnsafeBufferPointer { x in
            model.points.withUnsafeBufferPointer { points in weights.withUnsafeBufferPointer { weights in body(x, points, weights) } }
        }
    }

    /// The lower triangle of `hessian` [d x d] += `weight` v vᵀ.
    private static func addOuterProduct(_ weight: Double, _ v: UnsafePointer<Double>, into hessian: UnsafeMutablePointer<Double>, d: Int) {
        for a in 0..<d {
            let scaled = weight * v[a], target = hessian + a * d
            for b in 0...a { target[b] += scaled * v[b] }
        }
    }

    /// The lower triangle of `hessian` [d x d] += 2 Σ_k J_k J_kᵀ of the prepared row `row`.
    private func addGaussNewton(_ row: Int, into hessian: UnsafeMutablePointer<Double>) {
        let d = model.featureCount, c = model.classCount
        jacobians.withUnsafeBufferPointer { jacobians in
            for k in 0..<c { Self.addOuterProduct(2, jacobians.baseAddress! + row * c * d + k * d, into: hessian, d: d) }
        }
    }

    /// Turns the lower triangle of `hessian` [d x d], Σ_i b_i k_i v_i v_iᵀ (RBF) or Σ_i b_i k_i s_i s_iᵀ
    /// (Laplacian) of the prepared row `row`, into its H_r: scaled by 1/ℓ⁴ or 1/ℓ², plus 2 Σ_k J_k J_kᵀ,
    /// minus (`identity` / ℓ²) I, mirrored to the upper triangle.
    private func finish(_ hessian: UnsafeMutablePointer<Double>, row: Int, identity: Double) {
        let d = model.featureCount, squared = model.lengthScale * model.lengthScale
        let scale = model.kernel == .rbf ? 1 / (squared * squared) : 1 / squared
        for m in 0..<(d * d) { hessian[m] *= scale }
        addGaussNewton(row, into: hessian)
        for a in 0..<d {
            hessian[a * d + a] -= identity / squared
            for b in 0..<a { hessian[b * d + a] = hessian[a * d + b] }
        }
    }

    /// sign(v), with sign(0) = 0.
    static func sign(_ v: Double) -> Double { v > 0 ? 1 : v < 0 ? -1 : 0 }
}
