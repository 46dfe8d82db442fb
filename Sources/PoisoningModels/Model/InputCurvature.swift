import PoisoningData
import PoisoningUtilities

/// The top eigenvalue of an input Hessian of the loss and its unit eigenvector.
public struct InputCurvature: Sendable, Equatable {
    /// The largest eigenvalue λ (at least 0 where the Hessian is positive semi-definite, as a network's is).
    public let value: Double
    /// Its unit eigenvector v [inputs].
    public let vector: [Float]
}

extension InputHessian {
    /// The number of Hessian-vector products a power iteration makes by default.
    public static let defaultIterations = 30
}

extension InputHessianEvaluator {
    /// The top eigenpair of the mean input Hessian H̄ = (1/n) Σ_r H_r over the `rows` rows of
    /// `inputs` [rows x inputs] with `labels`, by power iteration: u_0 uniform in [-1, 1]^d from the
    /// stream (`seed`, "input curvature"), normalised; then `iterations` times w = H̄ u_k, λ = u_kᵀ w
    /// (the Rayleigh quotient) and u_{k+1} = w / ‖w‖. The result is λ of the last product with its
    /// u_k. Power iteration converges to the eigenvalue of largest magnitude (at the rate
    /// (|λ_2|/|λ_1|)^k): where H̄ is positive semi-definite that is its largest; a product of zero
    /// (every row's p one-hot) gives λ = 0. Where H̄ may be indefinite (`positiveSemiDefinite` false)
    /// the dominant eigenvalue can be the most negative one, or the iteration can hover between
    /// λ_max and a λ_min of similar magnitude; so a second run of `iterations` products follows, from
    /// the same u_0, on H̄ + σ I with σ = ‖H̄ u‖ of the first run's last product (close to the spectral
    /// radius ρ once converged; with σ ≥ |λ_min| every eigenvalue of H̄ + σ I is at least 0, and its
    /// dominant one is λ_max + σ, at the rate ((λ_2 + σ)/(λ_max + σ))^k): λ is u_kᵀ H̄ u_k of that run.
    /// Sums in Double.
    public func meanTop(inputs: [Float], labels: [Int], iterations: Int = InputHessian.defaultIterations, seed: UInt64) -> InputCurvature {
        let d = inputCount
        precondition(rows > 0 && inputs.count == rows * d && labels.count == rows, "exactly \(rows) rows required")
        var start = Self.startVector(count: d, seed: seed)
        Self.normalise(&start, row: 0, width: d)
        inputs.withUnsafeBufferPointer { x in labels.withUnsafeBufferPointer { y in prepare(inputs: x.baseAddress!, labels: y.baseAddress!) } }
        let first = meanPowerIteration(start: start, shift: 0, iterations: iterations)
        guard !positiveSemiDefinite else { return first.curvature }
        return meanPowerIteration(start: start, shift: first.productNorm, iterations: iterations).curvature
    }

    /// Power iteration on H̄ + `shift` I from the unit vector `start` after `prepare`: the Rayleigh
    /// quotient u_kᵀ H̄ u_k of the last product with its u_k, and ‖H̄ u_k‖.
    private func meanPowerIteration(start: [Float], shift: Double, iterations: Int) -> (curvature: InputCurvature, productNorm: Double) {
        let d = inputCount
        var u = start
        var broadcast = [Float](repeating: 0, count: rows * d), product = broadcast
        var mean = [Double](repeating: 0, count: d), value = 0.0, productNorm = 0.0
        for step in 0..<max(iterations, 1) {
            for r in 0..<rows { for i in 0..<d { broadcast[r * d + i] = u[i] } }
            broadcast.withUnsafeBufferPointer { b in
                product.withUnsafeMutableBufferPointer { p in multiply(b.baseAddress!, into: p.baseAddress!) }
            }
            for i in 0..<d { mean[i] = 0 }
            for r in 0..<rows { for i in 0..<d { mean[i] += Double(product[r * d + i]) } }
            for i in 0..<d { mean[i] /= Double(rows) }
            value = zip(u, mean).reduce(0) { $0 + Double($1.0) * $1.1 }
            productNorm = mean.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if shift != 0 { for i in 0..<d { mean[i] += shift * Double(u[i]) } }   // (H̄ + σ I) u
            let norm = shift == 0 ? productNorm : mean.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { return (InputCurvature(value: 0, vector: u), productNorm) }
            if step + 1 < iterations { for i in 0..<d { u[i] = Float(mean[i] / norm) } }
        }
        return (InputCurvature(value: value, vector: u), productNorm)
    }

    /// The top eigenvalue of each row's own input Hessian H_r for the rows of `inputs` [rows x
    /// inputs] with `labels`, by `iterations` steps of power iteration run for every row at once (one
    /// batched product per step), each row from its own start vector (drawn in row order from the
    /// stream (`seed`, "input curvature")), as `meanTop` does for the mean, with its second run on
    /// each H_r + σ_r I where H_r may be indefinite. Returns λ_r and the unit eigenvectors [rows x inputs].
    public func rowTops(inputs: [Float], labels: [Int], iterations: Int = InputHessian.defaultIterations, seed: UInt64)
        -> (values: [Double], vectors: [Float]) {
        let d = inputCount
        precondition(inputs.count == rows * d && labels.count == rows, "exactly \(rows) rows required")
        var start = Self.startVector(count: rows * d, seed: seed)
        for r in 0..<rows { Self.normalise(&start, row: r, width: d) }
        inputs.withUnsafeBufferPointer { x in labels.withUnsafeBufferPointer { y in prepare(inputs: x.baseAddress!, labels: y.baseAddress!) } }
        let first = rowPowerIteration(start: start, shifts: [Double](repeating: 0, count: rows), iterations: iterations)
        guard !positiveSemiDefinite else { return (first.values, first.vectors) }
        let second = rowPowerIteration(start: start, shifts: first.productNorms, iterations: iterations)
        return (second.values, second.vectors)
    }

    /// Power iteration on every H_r + `shifts[r]` I at once from the unit rows of `start` after
    /// `prepare`: each row's Rayleigh quotient u_rᵀ H_r u_r of the last product, its u_r, and ‖H_r u_r‖.
    private func rowPowerIteration(start: [Float], shifts: [Double], iterations: Int)
        -> (values: [Double], vectors: [Float], productNorms: [Double]) {
        let d = inputCount
        var u = start
        var product = [Float](repeating: 0, count: rows * d), values = [Double](repeating: 0, count: rows)
        var productNorms = [Double](repeating: 0, count: rows)
        for step in 0..<max(iterations, 1) {
            u.withUnsafeBufferPointer { b in
                product.withUnsafeMutableBufferPointer { p in multiply(b.baseAddress!, into: p.baseAddress!) }
            }
            for r in 0..<rows {
                var rayleigh = 0.0, squares = 0.0
                for i in 0..<d {
                    rayleigh += Double(u[r * d + i]) * Double(product[r * d + i])
                    squares += Double(product[r * d + i]) * Double(product[r * d + i])
                }
                values[r] = rayleigh
                productNorms[r] = squares.squareRoot()
                let shift = shifts[r]
                if shift != 0 {   // (H_r + σ_r I) u_r
                    squares = 0
                    for i in 0..<d {
                        let w = Double(product[r * d + i]) + shift * Double(u[r * d + i])
                        product[r * d + i] = Float(w)
                        squares += w * w
                    }
                }
                guard squares > 0, step + 1 < iterations else { continue }
                let inverse = 1 / squares.squareRoot()
                for i in 0..<d { u[r * d + i] = Float(Double(product[r * d + i]) * inverse) }
            }
        }
        return (values, u, productNorms)
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
