import PoisoningData
import PoisoningUtilities

/// The top eigenvalue of an input Hessian of the loss, its unit eigenvector and how far the pair is
/// from an exact one.
public struct InputCurvature: Sendable, Equatable {
    /// The largest eigenvalue λ (at least 0 where the Hessian is positive semi-definite, as a network's is).
    public let value: Double
    /// Its unit eigenvector v [inputs].
    public let vector: [Float]
    /// The residual ‖H v - λ v‖ (in λ's units): rounding only for the exact decomposition, at most
    /// `InputHessian.residualTolerance` · |λ| once power iteration has converged.
    public let residual: Double
    /// The residual relative to the Hessian's scale, ‖H v - λ v‖ / max(|λ|, σ): σ the spectral radius
    /// (the exact decomposition's largest |eigenvalue|; power iteration's shift σ where H may be
    /// indefinite, else 0, as |λ_max| is the radius of a positive semi-definite H); 0 where both are 0
    /// (H v = 0), 1 where they are 0 and H v is not (‖H v - λ v‖ is then ‖H v‖). Power iteration has
    /// converged where it is at most `InputHessian.residualTolerance`.
    public let relativeResidual: Double
    /// Whether the pair met the residual tolerance: always for the exact decomposition; for power
    /// iteration, false where it stopped at `InputHessian.maximumProducts` products short of it (λ is
    /// then the last Rayleigh quotient, at most the largest eigenvalue).
    public let converged: Bool

    /// `residual` / `scale`; 0 where both are 0, 1 where only `scale` is (see `relativeResidual`).
    static func relative(_ residual: Double, scale: Double) -> Double {
        scale > 0 ? residual / scale : residual > 0 ? 1 : 0
    }
}

/// The top eigenpair of each row's own input Hessian (`InputHessianEvaluator.rowTops`), each field
/// by row as `InputCurvature` has it for one Hessian.
public struct RowCurvatures: Sendable, Equatable {
    /// λ_r of each row.
    public let values: [Double]
    /// The unit eigenvectors [rows x inputs].
    public let vectors: [Float]
    /// ‖H_r v_r - λ_r v_r‖ of each row.
    public let residuals: [Double]
    /// Each residual relative to its Hessian's scale (`InputCurvature.relativeResidual`).
    public let relativeResiduals: [Double]
    /// Whether each row's pair met the residual tolerance (`InputCurvature.converged`).
    public let converged: [Bool]

    /// The rows' curvatures, in row order.
    public init(_ rows: [InputCurvature]) {
        values = rows.map(\.value)
        vectors = rows.flatMap(\.vector)
        residuals = rows.map(\.residual)
        relativeResiduals = rows.map(\.relativeResidual)
        converged = rows.map(\.converged)
    }

    /// Fields already by row.
    public init(values: [Double], vectors: [Float], residuals: [Double], relativeResiduals: [Double], converged: [Bool]) {
        self.values = values
        self.vectors = vectors
        self.residuals = residuals
        self.relativeResiduals = relativeResiduals
        self.converged = converged
    }
}

extension InputHessian {
    /// Up to this many input features the Hessians are built exactly, one product per basis vector,
    /// and decomposed in full (`SymmetricEigen`); above it power iteration finds the top eigenpair.
    public static let exactInputLimit = 64
    /// Power iteration stops once ‖H u - λ u‖ ≤ this · max(|λ|, σ) (σ the shift, 0 in the first run).
    public static let residualTolerance = 1e-4
    /// The most Hessian-vector products one power-iteration run makes.
    public static let maximumProducts = 1000
}

extension InputHessianEvaluator {
    /// The top eigenpair of the mean input Hessian H̄ = (1/n) Σ_r H_r over the `rows` rows of
    /// `inputs` [rows x inputs] with `labels`, with its residual ‖H̄ v - λ v‖.
    ///
    /// Up to `exactLimit` inputs (d): H̄ exactly, from an `InputHessianAssembler`'s closed form where
    /// the evaluator is one and `assembled` holds; otherwise (and as the reference the tests hold the
    /// closed form to) column j the row mean of H_r e_j (d products), symmetrised ((H̄ + H̄ᵀ) / 2,
    /// against Float rounding). Then its largest eigenvalue with its
    /// eigenvector from the full decomposition (`SymmetricEigen`), the vector's sign fixed so that its
    /// largest entry in magnitude (the first such) is positive; no start vector, and right however close
    /// the two top eigenvalues are (power iteration converges at the rate (λ_2/λ_1)^k, which for a
    /// trained network's top-two ratio of 0.92 leaves 30 products far from the eigenvector).
    ///
    /// Above it, power iteration: u_0 uniform in [-1, 1]^d from the stream (`seed`, "input
    /// curvature"), normalised; then w = H̄ u_k, λ = u_kᵀ w (the Rayleigh quotient), u_{k+1} = w / ‖w‖,
    /// until ‖w - λ u_k‖ ≤ `tolerance` · |λ| or after `maximumProducts` products; a product of zero
    /// (every row's p one-hot) gives λ = 0. Where H̄ may be indefinite (`positiveSemiDefinite` false)
    /// the dominant eigenvalue can be the most negative one, so a second run follows, from the first
    /// run's vector when its λ is positive (else from u_0, as λ_min's eigenvector is orthogonal to
    /// λ_max's), on H̄ + σ I with σ = ‖H̄ u‖ of the first run's last product (close to the spectral
    /// radius ρ once converged; with σ ≥ |λ_min| every eigenvalue of H̄ + σ I is at least 0, and its
    /// dominant one is λ_max + σ), stopping at ‖H̄ u - λ u‖ ≤ `tolerance` · max(|λ|, σ): λ is u_kᵀ H̄ u_k
    /// of that run. Sums in Double.
    public func meanTop(inputs: [Float], labels: [Int], seed: UInt64, exactLimit: Int = InputHessian.exactInputLimit,
                        tolerance: Double = InputHessian.residualTolerance, maximumProducts: Int = InputHessian.maximumProducts,
                        assembled: Bool = true) -> InputCurvature {
        let d = inputCount
        precondition(rows > 0 && inputs.count == rows * d && labels.count == rows, "exactly \(rows) rows required")
        inputs.withUnsafeBufferPointer { x in labels.withUnsafeBufferPointer { y in prepare(inputs: x.baseAddress!, labels: y.baseAddress!) } }
        if d <= exactLimit, assembled, let assembler = self as? any InputHessianAssembler {
            var mean = [Double](repeating: 0, count: d * d)
            mean.withUnsafeMutableBufferPointer { assembler.meanHessian(into: $0.baseAddress!) }
            return Self.exactTop(mean, d: d)
        }
        if d <= exactLimit {
            var mean = [Double](repeating: 0, count: d * d)
            exactColumns { j, product in
                for i in 0..<d {
                    var sum = 0.0
                    for r in 0..<rows { sum += Double(product[r * d + i]) }
                    mean[i * d + j] = sum / Double(rows)
                }
            }
            return Self.exactTop(Self.symmetrised(mean, d: d), d: d)
        }
        var start = Self.startVector(count: d, seed: seed)
        Self.normalise(&start, row: 0, width: d)
        let first = meanPowerIteration(start: start, shift: 0, tolerance: tolerance, maximumProducts: maximumProducts)
        guard !positiveSemiDefinite else { return first.curvature }
        // From the first run's vector when it found a positive eigenvalue (λ_max, confirmed at once);
        // from u_0 when it found a negative one (λ_min's eigenvector is orthogonal to λ_max's).
        return meanPowerIteration(start: first.curvature.value > 0 ? first.curvature.vector : start, shift: first.productNorm,
                                  tolerance: tolerance, maximumProducts: maximumProducts).curvature
    }

    /// After `prepare`: H_r e_j for every row r, for each basis vector e_j in turn (one batched product
    /// each), given to `column` with j [rows x d].
    private func exactColumns(_ column: (Int, [Float]) -> Void) {
        let d = inputCount
        var basis = [Float](repeating: 0, count: rows * d), product = basis
        for j in 0..<d {
            for r in 0..<rows {
                if j > 0 { basis[r * d + j - 1] = 0 }
                basis[r * d + j] = 1
            }
            basis.withUnsafeBufferPointer { b in
                product.withUnsafeMutableBufferPointer { p in multiply(b.baseAddress!, into: p.baseAddress!) }
            }
            column(j, product)
        }
    }

    /// (M + Mᵀ) / 2 of the square `matrix` [d x d]: Float rounding leaves the exact products' columns
    /// slightly asymmetric.
    static func symmetrised(_ matrix: [Double], d: Int) -> [Double] {
        var result = matrix
        for i in 0..<d { for j in 0..<d { result[i * d + j] = (matrix[i * d + j] + matrix[j * d + i]) / 2 } }
        return result
    }

    /// The largest eigenvalue of the symmetric `matrix` [d x d] with its unit eigenvector (largest
    /// entry in magnitude positive) and the residual ‖M v - λ v‖ of the Float vector, in Double, and
    /// relative to the spectral radius max(|λ_max|, |λ_min|).
    static func exactTop(_ matrix: [Double], d: Int) -> InputCurvature {
        let spectrum = SymmetricEigen.decomposition(matrix, n: d), top = spectrum[0]
        let largest = top.vector.indices.max { abs(top.vector[$0]) < abs(top.vector[$1]) || (abs(top.vector[$0]) == abs(top.vector[$1]) && $0 > $1) }
        let sign = largest.map { top.vector[$0] < 0 ? -1.0 : 1.0 } ?? 1
        let vector = top.vector.map { Float(sign * $0) }
        var squares = 0.0
        for i in 0..<d {
            var product = -top.value * Double(vector[i])
            for j in 0..<d { product += matrix[i * d + j] * Double(vector[j]) }
            squares += product * product
        }
        let radius = max(abs(top.value), abs(spectrum.last!.value))
        return InputCurvature(value: top.value, vector: vector, residual: squares.squareRoot(),
                              relativeResidual: InputCurvature.relative(squares.squareRoot(), scale: radius), converged: true)
    }

    /// Power iteration on H̄ + `shift` I from the unit vector `start` after `prepare`, until
    /// ‖H̄ u_k - λ u_k‖ ≤ `tolerance` · max(|λ|, `shift`) or after `maximumProducts` products: the
    /// Rayleigh quotient λ = u_kᵀ H̄ u_k of the last product with its u_k, residual and whether it met
    /// the tolerance, and ‖H̄ u_k‖.
    private func meanPowerIteration(start: [Float], shift: Double, tolerance: Double, maximumProducts: Int)
        -> (curvature: InputCurvature, productNorm: Double) {
        let d = inputCount
        var u = start
        var broadcast = [Float](repeating: 0, count: rows * d), product = broadcast
        var mean = [Double](repeating: 0, count: d), value = 0.0, productNorm = 0.0, residual = 0.0, converged = false
        for step in 0..<max(maximumProducts, 1) {
            for r in 0..<rows { for i in 0..<d { broadcast[r * d + i] = u[i] } }
            broadcast.withUnsafeBufferPointer { b in
                product.withUnsafeMutableBufferPointer { p in multiply(b.baseAddress!, into: p.baseAddress!) }
            }
            for i in 0..<d { mean[i] = 0 }
            for r in 0..<rows { for i in 0..<d { mean[i] += Double(product[r * d + i]) } }
            for i in 0..<d { mean[i] /= Double(rows) }
            value = zip(u, mean).reduce(0) { $0 + Double($1.0) * $1.1 }
            productNorm = mean.reduce(0) { $0 + $1 * $1 }.squareRoot()
            residual = (0..<d).reduce(0.0) { $0 + (mean[$1] - value * Double(u[$1])) * (mean[$1] - value * Double(u[$1])) }.squareRoot()
            converged = residual <= tolerance * max(abs(value), shift)
            if converged || step + 1 == maximumProducts { break }
            if shift != 0 { for i in 0..<d { mean[i] += shift * Double(u[i]) } }   // (H̄ + σ I) u
            let norm = shift == 0 ? productNorm : mean.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { break }
            for i in 0..<d { u[i] = Float(mean[i] / norm) }
        }
        let scale = max(abs(value), shift)
        return (InputCurvature(value: value, vector: u, residual: residual,
                               relativeResidual: InputCurvature.relative(residual, scale: scale), converged: converged), productNorm)
    }

    /// The top eigenvalue of each row's own input Hessian H_r for the rows of `inputs` [rows x
    /// inputs] with `labels`, as `meanTop` finds the mean's: up to `exactLimit` inputs from each H_r
    /// built exactly (by an `InputHessianAssembler` in closed form, one row at a time, where `assembled`
    /// holds; otherwise from d batched products) and decomposed in full; above it by power iteration run for
    /// every row at once (one batched product per step, until every row's residual meets the
    /// tolerance or after `maximumProducts`), each row from its own start vector (drawn in row order
    /// from the stream (`seed`, "input curvature")), with its second run (from the first run's vector
    /// where that found a positive eigenvalue) on each H_r + σ_r I where H_r may be indefinite. Returns λ_r, the unit eigenvectors [rows x
    /// inputs], the residuals ‖H_r v_r - λ_r v_r‖, absolute and relative, and whether each met the tolerance.
    public func rowTops(inputs: [Float], labels: [Int], seed: UInt64, exactLimit: Int = InputHessian.exactInputLimit,
                        tolerance: Double = InputHessian.residualTolerance, maximumProducts: Int = InputHessian.maximumProducts,
                        assembled: Bool = true) -> RowCurvatures {
        let d = inputCount
        precondition(inputs.count == rows * d && labels.count == rows, "exactly \(rows) rows required")
        inputs.withUnsafeBufferPointer { x in labels.withUnsafeBufferPointer { y in prepare(inputs: x.baseAddress!, labels: y.baseAddress!) } }
        if d <= exactLimit, assembled, let assembler = self as? any InputHessianAssembler {
            var hessian = [Double](repeating: 0, count: d * d)
            return RowCurvatures((0..<rows).map { r in
                hessian.withUnsafeMutableBufferPointer { assembler.rowHessian(r, into: $0.baseAddress!) }
                return Self.exactTop(hessian, d: d)
            })
        }
        if d <= exactLimit {
            var hessians = [Float](repeating: 0, count: rows * d * d)   // row r's H_r at r d², by rows
            exactColumns { j, product in
                for r in 0..<rows { for i in 0..<d { hessians[r * d * d + i * d + j] = product[r * d + i] } }
            }
            return RowCurvatures((0..<rows).map { r in
                Self.exactTop(Self.symmetrised(hessians[(r * d * d)..<((r + 1) * d * d)].map(Double.init), d: d), d: d)
            })
        }
        var start = Self.startVector(count: rows * d, seed: seed)
        for r in 0..<rows { Self.normalise(&start, row: r, width: d) }
        let first = rowPowerIteration(start: start, shifts: [Double](repeating: 0, count: rows), tolerance: tolerance, maximumProducts: maximumProducts)
        guard !positiveSemiDefinite else { return first.curvatures }
        // Each row from its first run's vector when that found a positive eigenvalue, else from its u_0 (as `meanTop`).
        var secondStart = start
        for r in 0..<rows where first.curvatures.values[r] > 0 { for i in 0..<d { secondStart[r * d + i] = first.curvatures.vectors[r * d + i] } }
        let second = rowPowerIteration(start: secondStart, shifts: first.productNorms, tolerance: tolerance, maximumProducts: maximumProducts)
        return second.curvatures
    }

    /// Power iteration on every H_r + `shifts[r]` I at once from the unit rows of `start` after
    /// `prepare`, until every row's ‖H_r u_r - λ_r u_r‖ ≤ `tolerance` · max(|λ_r|, σ_r) or after
    /// `maximumProducts` products: each row's Rayleigh quotient u_rᵀ H_r u_r of the last product, its
    /// u_r, its residual (absolute and relative to max(|λ_r|, σ_r)), whether it met the tolerance, and ‖H_r u_r‖.
    private func rowPowerIteration(start: [Float], shifts: [Double], tolerance: Double, maximumProducts: Int)
        -> (curvatures: RowCurvatures, productNorms: [Double]) {
        let d = inputCount
        var u = start
        var product = [Float](repeating: 0, count: rows * d), values = [Double](repeating: 0, count: rows)
        var productNorms = values, residuals = values, met = [Bool](repeating: false, count: rows)
        for step in 0..<max(maximumProducts, 1) {
            u.withUnsafeBufferPointer { b in
                product.withUnsafeMutableBufferPointer { p in multiply(b.baseAddress!, into: p.baseAddress!) }
            }
            var converged = true
            for r in 0..<rows {
                var rayleigh = 0.0, squares = 0.0
                for i in 0..<d {
                    rayleigh += Double(u[r * d + i]) * Double(product[r * d + i])
                    squares += Double(product[r * d + i]) * Double(product[r * d + i])
                }
                var residual = 0.0
                for i in 0..<d {
                    let difference = Double(product[r * d + i]) - rayleigh * Double(u[r * d + i])
                    residual += difference * difference
                }
                values[r] = rayleigh
                productNorms[r] = squares.squareRoot()
                residuals[r] = residual.squareRoot()
                met[r] = residuals[r] <= tolerance * max(abs(rayleigh), shifts[r])
                if !met[r] { converged = false }
            }
            if converged || step + 1 == maximumProducts { break }
            for r in 0..<rows {
                var squares = 0.0
                for i in 0..<d {
                    let w = Double(product[r * d + i]) + shifts[r] * Double(u[r * d + i])   // (H_r + σ_r I) u_r
                    product[r * d + i] = Float(w)
                    squares += w * w
                }
                guard squares > 0 else { continue }
                let inverse = 1 / squares.squareRoot()
                for i in 0..<d { u[r * d + i] = Float(Double(product[r * d + i]) * inverse) }
            }
        }
        let relative = (0..<rows).map { InputCurvature.relative(residuals[$0], scale: max(abs(values[$0]), shifts[$0])) }
        return (RowCurvatures(values: values, vectors: u, residuals: residuals, relativeResiduals: relative, converged: met), productNorms)
    }

    /// `count` numbers uniform in [-1, 1] from the stream (`seed`, "input curvature"), in order.
    static func startVector(count: Int, seed: UInt64) -> [Float] {
        var random = Xoshiro256StarStar(seed: seed, purpose: "input curvature")
        return (0..<count).map { _ in 2 * random.nextUnitFloat() - 1 }
    }

    /// Row `row` of `u` [rows x width] scaled to unit length.
    static func normalise(_ u: inout [Float], row: Int, width: Int) {
        var squares = 0.0
        for i in 0..<width { squares += Double(u[row * width + i]) * Double(u[row * width + i]) }
        guard squares > 0 else { return }
        let inverse = 1 / squares.squareRoot()
        for i in 0..<width { u[row * width + i] = Float(Double(u[row * width + i]) * inverse) }
    }
}
