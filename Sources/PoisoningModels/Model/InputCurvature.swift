import PoisoningData
import PoisoningUtilities

/// The top eigenvalue of an input Hessian of the loss and its unit eigenvector.
public struct InputCurvature: Sendable, Equatable {
    /// The largest eigenvalue λ (the Hessian is positive semi-definite, so λ ≥ 0).
    public let value: Double
    /// Its unit eigenvector v [inputs].
    public let vector: [Float]
}

extension InputHessian {
    /// The number of Hessian-vector products a power iteration makes by default.
    public static let defaultIterations = 30

    /// The top eigenpair of the mean input Hessian H̄ = (1/n) Σ_r H_r over the `rows` rows of
    /// `inputs` [rows x inputs], by power iteration: u_0 uniform in [-1, 1]^d from the stream
    /// (`seed`, "input curvature"), normalised; then `iterations` times w = H̄ u_k, λ = u_kᵀ w (the
    /// Rayleigh quotient) and u_{k+1} = w / ‖w‖. The result is λ of the last product with its u_k.
    /// H̄ is positive semi-definite, so λ converges to its largest eigenvalue (at the rate
    /// (λ_2/λ_1)^k); a product of zero (every row's p one-hot) gives λ = 0. Sums in Double.
    public func meanTop(inputs: [Float], iterations: Int = defaultIterations, seed: UInt64) -> InputCurvature {
        let d = parameters.shape.inputs
        precondition(rows > 0 && inputs.count == rows * d, "exactly \(rows) rows required")
        var u = Self.startVector(count: d, seed: seed)
        Self.normalise(&u, row: 0, width: d)
        var broadcast = [Float](repeating: 0, count: rows * d), product = broadcast
        var mean = [Double](repeating: 0, count: d), value = 0.0
        inputs.withUnsafeBufferPointer { x in prepare(inputs: x.baseAddress!) }
        for step in 0..<max(iterations, 1) {
            for r in 0..<rows { for i in 0..<d { broadcast[r * d + i] = u[i] } }
            broadcast.withUnsafeBufferPointer { b in
                product.withUnsafeMutableBufferPointer { p in multiply(b.baseAddress!, into: p.baseAddress!) }
            }
            for i in 0..<d { mean[i] = 0 }
            for r in 0..<rows { for i in 0..<d { mean[i] += Double(product[r * d + i]) } }
            for i in 0..<d { mean[i] /= Double(rows) }
            value = zip(u, mean).reduce(0) { $0 + Double($1.0) * $1.1 }
            let norm = mean.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { return InputCurvature(value: 0, vector: u) }
            if step + 1 < iterations { for i in 0..<d { u[i] = Float(mean[i] / norm) } }
        }
        return InputCurvature(value: value, vector: u)
    }

    /// The top eigenvalue of each row's own input Hessian H_r for the rows of `inputs` [rows x
    /// inputs], by `iterations` steps of power iteration run for every row at once (one batched
    /// product per step), each row from its own start vector (drawn in row order from the stream
    /// (`seed`, "input curvature")), as `meanTop` does for the mean. Returns λ_r and the unit
    /// eigenvectors [rows x inputs].
    public func rowTops(inputs: [Float], iterations: Int = defaultIterations, seed: UInt64) -> (values: [Double], vectors: [Float]) {
        let d = parameters.shape.inputs
        precondition(inputs.count == rows * d, "exactly \(rows) rows required")
        var u = Self.startVector(count: rows * d, seed: seed)
        for r in 0..<rows { Self.normalise(&u, row: r, width: d) }
        var product = [Float](repeating: 0, count: rows * d), values = [Double](repeating: 0, count: rows)
        inputs.withUnsafeBufferPointer { x in prepare(inputs: x.baseAddress!) }
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
                guard squares > 0, step + 1 < iterations else { continue }
                let inverse = 1 / squares.squareRoot()
                for i in 0..<d { u[r * d + i] = Float(Double(product[r * d + i]) * inverse) }
            }
        }
        return (values, u)
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
