import Foundation

/// Parameters of the descending sigmoid acc(x) = L / (1 + exp(k (x - x0))) + b.
public struct SigmoidParameters: Sendable, Codable, Equatable {
    /// L: the height of the drop.
    public var amplitude: Double
    /// k: the steepness (larger is sharper).
    public var steepness: Double
    /// x0: the fraction at the middle of the drop.
    public var midpoint: Double
    /// b: the accuracy the curve falls to.
    public var floor: Double

    /// Parameters in the order of the formula: L, k, x0, b.
    public init(amplitude: Double, steepness: Double, midpoint: Double, floor: Double) {
        self.amplitude = amplitude
        self.steepness = steepness
        self.midpoint = midpoint
        self.floor = floor
    }

    enum CodingKeys: String, CodingKey {
        case amplitude = "L", steepness = "k", midpoint = "x0", floor = "b"
    }

    /// The curve's value at x.
    public func value(at x: Double) -> Double {
        amplitude / (1 + exp(steepness * (x - midpoint))) + floor
    }

    init(_ vector: [Double]) { self.init(amplitude: vector[0], steepness: vector[1], midpoint: vector[2], floor: vector[3]) }
    var vector: [Double] { [amplitude, steepness, midpoint, floor] }
}

/// The box the fit searches and the point it starts from.
public struct SigmoidFitBounds: Sendable, Equatable {
    /// Lower bounds of (L, k, x0, b).
    public let lower: SigmoidParameters
    /// Upper bounds of (L, k, x0, b).
    public let upper: SigmoidParameters

    /// The reference study's bounds: L in [0, 1.5], k in [0.1, 100], x0 in [0, 1], b in [0, 1].
    public static let study = study(largestFraction: 1)

    /// The study's bounds for a sweep whose largest fraction is `largestFraction`: x0 in [0, max(1,
    /// largestFraction)], so that an attack that adds rows (budgets above 1) can have its drop's
    /// middle anywhere in the sweep; the other bounds as `study`.
    public static func study(largestFraction: Double) -> SigmoidFitBounds {
        SigmoidFitBounds(lower: SigmoidParameters(amplitude: 0, steepness: 0.1, midpoint: 0, floor: 0),
                         upper: SigmoidParameters(amplitude: 1.5, steepness: 100, midpoint: max(1, largestFraction), floor: 1))
    }

    /// The study's start point for data y: L = max - min, k = 10, x0 = 0.2, b = min, clipped into the box.
    public func studyStart(for y: [Double]) -> SigmoidParameters {
        let lowest = y.min() ?? 0, highest = y.max() ?? 0
        return clip(SigmoidParameters(amplitude: highest - lowest, steepness: 10, midpoint: 0.2, floor: lowest))
    }

    /// Whether `value` of parameter `index` (0 L, 1 k, 2 x0, 3 b) reaches a bound of the box: lies
    /// within 1e-3 of the parameter's span of either bound, the precision at which the report prints
    /// it (k = 99.9996 in [0.1, 100] reads "100.0" and reaches the bound).
    public func reaches(_ value: Double, parameter index: Int) -> Bool {
        let low = lower.vector[index], high = upper.vector[index], tolerance = 1e-3 * (high - low)
        return abs(value - low) < tolerance || abs(value - high) < tolerance
    }

    func clip(_ p: SigmoidParameters) -> SigmoidParameters {
        SigmoidParameters(zip(zip(p.vector, lower.vector), upper.vector).map { min(max($0.0, $0.1), $1) })
    }
}

/// A successful least-squares fit.
public struct FittedSigmoid: Sendable, Equatable {
    /// The parameters at the optimum.
    public let parameters: SigmoidParameters
    /// Residual sum of squares Σ (acc(x_i) - y_i)².
    public let residualSumOfSquares: Double
    /// Coefficient of determination 1 - RSS / Σ (y_i - ȳ)².
    public let rSquared: Double
    /// Levenberg-Marquardt iterations used.
    public let iterations: Int
}

/// Why a curve could not be fitted.
public enum SigmoidFitError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer points than the four parameters.
    case tooFewPoints(Int)
    /// Every y is the same (to 1e-12): nothing to fit, R² undefined.
    case flatCurve(Double)
    /// Some x or y is NaN or infinite.
    case nonFiniteData

    /// A sentence for reports.
    public var description: String {
        switch self {
        case .tooFewPoints(let count):
            "a 4-parameter sigmoid needs at least 4 fractions with results, got \(count)"
        case .flatCurve(let value):
            "accuracy is \(value) at every fraction, so there is no transition to fit"
        case .nonFiniteData:
            "the data contain NaN or infinite values"
        }
    }
}

/// Fits acc(x) = L / (1 + exp(k (x - x0))) + b to (x, y) by bounded least squares, from `start` (the
/// bootstrap starts from the central fit) or else the study's
/// start point inside the study's box, the problem SciPy's bounded `curve_fit` solved for the study.
///
/// Method: projected Levenberg-Marquardt. Each iteration solves (JᵀJ + λ diag(JᵀJ)) δ = -Jᵀr over the
/// parameters not pinned at a bound by the gradient, clips θ + δ into the box, and keeps the step
/// only if the residual sum of squares falls (λ /= 3), else λ *= 4. It stops when a kept step
/// improves the RSS by less than 1e-15 relative, when λ exceeds 1e16 (no descent left), or after
/// 2000 iterations, so it always terminates.
public func fitDescendingSigmoid(x: [Double], y: [Double], bounds: SigmoidFitBounds = .study,
                                 start: SigmoidParameters? = nil) -> Result<FittedSigmoid, SigmoidFitError> {
    precondition(x.count == y.count, "x and y must pair up")
    guard x.allSatisfy(\.isFinite) && y.allSatisfy(\.isFinite) else { return .failure(.nonFiniteData) }
    guard x.count >= 4 else { return .failure(.tooFewPoints(x.count)) }
    guard y.max()! - y.min()! > 1e-12 else { return .failure(.flatCurve(y[0])) }
    let mean = y.reduce(0, +) / Double(y.count)
    let totalSquares = y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }

    let lower = SIMD4(bounds.lower.vector), upper = SIMD4(bounds.upper.vector)
    var theta = SIMD4(start.map(bounds.clip)?.vector ?? bounds.studyStart(for: y).vector)
    // 1 + exp(k (x - x0)) at every point, for θ and for the step tried.
    var denominators = [Double](repeating: 0, count: x.count), candidateDenominators = denominators
    var cost = residualSumOfSquares(theta, x, y, denominators: &denominators)
    var damping = 1e-3
    var iterations = 0
    // The normal equations at θ, recomputed only when a step is kept: a rejected step leaves θ as it was.
    var (gradient, normal) = normalEquations(theta, x, y, denominators: denominators)
    while iterations < 2000 && damping < 1e16 {
        iterations += 1
        // A parameter at a bound whose descent direction (-gradient) leaves the box stays fixed.
        var free = InlineArray<4, Int>(repeating: 0), freeCount = 0, descends = false
        for j in 0..<4 where !((theta[j] <= lower[j] && gradient[j] > 0) || (theta[j] >= upper[j] && gradient[j] < 0)) {
            free[freeCount] = j
            freeCount += 1
            descends = descends || gradient[j] != 0
        }
        guard descends else { break }
        var system = SmallMatrix(size: freeCount), rhs = InlineArray<4, Double>(repeating: 0)
        for row in 0..<freeCount {
            let i = free[row]
            for column in 0..<freeCount { system[row, column] = normal[i, free[column]] }
            system[row, row] += damping * max(normal[i, i], 1e-12)
            rhs[row] = -gradient[i]
        }
        guard let step = system.solve(rhs) else {
            damping *= 4
            continue
        }
        var candidate = theta
        for row in 0..<freeCount {
            let j = free[row]
            candidate[j] = min(max(theta[j] + step[row], lower[j]), upper[j])
        }
        // A step too small to move θ (the damping's climb once the fit has converged) would cost
        // exactly `cost`, and be refused as such: the sum is not computed again.
        let candidateCost = candidate == theta ? cost : residualSumOfSquares(candidate, x, y, denominators: &candidateDenominators)
        if candidateCost < cost {
            let improvement = (cost - candidateCost) / max(cost, .leastNormalMagnitude)
            theta = candidate
            cost = candidateCost
            damping = max(damping / 3, 1e-12)
            if improvement < 1e-15 { break }
            swap(&denominators, &candidateDenominators)
            (gradient, normal) = normalEquations(theta, x, y, denominators: denominators)
        } else {
            damping *= 4
        }
    }
    let parameters = SigmoidParameters(amplitude: theta[0], steepness: theta[1], midpoint: theta[2], floor: theta[3])
    return .success(FittedSigmoid(parameters: parameters, residualSumOfSquares: cost,
                                  rSquared: 1 - cost / totalSquares, iterations: iterations))
}

/// Σ (acc(x_i; θ) - y_i)² for θ = (L, k, x0, b), writing each point's 1 + exp(k (x_i - x0)) into
/// `denominators` (for the normal equations, should θ be kept).
private func residualSumOfSquares(_ theta: SIMD4<Double>, _ x: [Double], _ y: [Double], denominators: inout [Double]) -> Double {
    var sum = 0.0
    for i in x.indices {
        let denominator = 1 + exp(theta[1] * (x[i] - theta[2]))
        denominators[i] = denominator
        let residual = theta[0] / denominator + theta[3] - y[i]
        sum += residual * residual
    }
    return sum
}

/// g = Jᵀr and JᵀJ for residuals r_i = acc(x_i) - y_i, with s = 1 / (1 + exp(k (x - x0))) (the
/// denominators at θ from `residualSumOfSquares`):
/// ∂acc/∂L = s, ∂acc/∂k = -L s (1 - s) (x - x0), ∂acc/∂x0 = L s (1 - s) k, ∂acc/∂b = 1.
private func normalEquations(_ theta: SIMD4<Double>, _ x: [Double], _ y: [Double], denominators: [Double]) -> (SIMD4<Double>, SmallMatrix) {
    let (amplitude, steepness, midpoint, floor) = (theta[0], theta[1], theta[2], theta[3])
    var gradient = SIMD4<Double>()
    var normal = SmallMatrix(size: 4)
    for i in x.indices {
        let xi = x[i], yi = y[i]
        let s = 1 / denominators[i]
        let slope = amplitude * s * (1 - s)
        let jacobian = SIMD4(s, -slope * (xi - midpoint), slope * steepness, 1)
        let residual = amplitude * s + floor - yi
        for i in 0..<4 {
            gradient[i] += jacobian[i] * residual
            for j in 0..<4 { normal[i, j] += jacobian[i] * jacobian[j] }
        }
    }
    return (gradient, normal)
}

/// A square matrix of size at most 4, stored without allocation (row-major in a 4 x 4 block, scalars
/// addressed directly: a SIMD vector's lane at a run-time index costs a copy of the whole vector).
private struct SmallMatrix {
    let size: Int
    var entries = InlineArray<16, Double>(repeating: 0)

    init(size: Int) { self.size = size }

    subscript(row: Int, column: Int) -> Double {
        get { entries[row * 4 + column] }
        set { entries[row * 4 + column] = newValue }
    }

    /// Solves A v = rhs (first `size` entries) by Gaussian elimination with partial pivoting, the
    /// same operations as `solveLinearSystem`; nil when A is singular.
    func solve(_ rhs: InlineArray<4, Double>) -> InlineArray<4, Double>? {
        // The full system (every parameter free, the common case) with its size a constant, which
        // lets the compiler unroll the loops.
        size == 4 ? eliminate(rhs, size: 4) : eliminate(rhs, size: size)
    }

    /// `solve` for a matrix of `size`.
    @inline(__always)
    private func eliminate(_ rhs: InlineArray<4, Double>, size: Int) -> InlineArray<4, Double>? {
        var a = self, b = rhs
        for column in 0..<size {
            var pivot = column
            for row in (column + 1)..<max(size, column + 1) where abs(a[row, column]) > abs(a[pivot, column]) { pivot = row }
            guard abs(a[pivot, column]) > 1e-300, a[pivot, column].isFinite else { return nil }
            if pivot != column {
                for k in 0..<size { (a[column, k], a[pivot, k]) = (a[pivot, k], a[column, k]) }
                (b[column], b[pivot]) = (b[pivot], b[column])
            }
            for row in (column + 1)..<max(size, column + 1) {
                let factor = a[row, column] / a[column, column]
                for k in column..<size { a[row, k] -= factor * a[column, k] }
                b[row] -= factor * b[column]
            }
        }
        var solution = InlineArray<4, Double>(repeating: 0)
        for row in stride(from: size - 1, through: 0, by: -1) {
            var sum = b[row]
            for k in (row + 1)..<max(size, row + 1) { sum -= a[row, k] * solution[k] }
            solution[row] = sum / a[row, row]
        }
        for row in 0..<size where !solution[row].isFinite { return nil }
        return solution
    }
}

/// Solves A v = rhs by Gaussian elimination with partial pivoting; nil when A is singular.
func solveLinearSystem(_ matrix: [[Double]], _ rhs: [Double]) -> [Double]? {
    let n = rhs.count
    var a = matrix, b = rhs
    for column in 0..<n {
        let pivot = (column..<n).max { abs(a[$0][column]) < abs(a[$1][column]) }!
        guard abs(a[pivot][column]) > 1e-300, a[pivot][column].isFinite else { return nil }
        a.swapAt(column, pivot)
        b.swapAt(column, pivot)
        for row in (column + 1)..<n {
            let factor = a[row][column] / a[column][column]
            for k in column..<n { a[row][k] -= factor * a[column][k] }
            b[row] -= factor * b[column]
        }
    }
    var solution = [Double](repeating: 0, count: n)
    for row in stride(from: n - 1, through: 0, by: -1) {
        var sum = b[row]
        for k in (row + 1)..<n { sum -= a[row][k] * solution[k] }
        solution[row] = sum / a[row][row]
    }
    return solution.allSatisfy(\.isFinite) ? solution : nil
}
