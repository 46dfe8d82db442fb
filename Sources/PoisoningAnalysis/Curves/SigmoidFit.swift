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
        isAt(value, lower.vector[index], parameter: index) || isAt(value, upper.vector[index], parameter: index)
    }

    /// Whether `value` of parameter `index` lies within 1e-3 of the parameter's span of `bound`.
    private func isAt(_ value: Double, _ bound: Double, parameter index: Int) -> Bool {
        abs(value - bound) < 1e-3 * (upper.vector[index] - lower.vector[index])
    }

    /// `interval` of parameter `index` (0 L, 1 k, 2 x0, 3 b) with each end that sits at the box's bound
    /// on its own side (`reaches`: a lower end at the lower bound, an upper end at the upper bound) made
    /// open (nil), with its Monte Carlo error: such an end is where the refits stopped, not where the
    /// data put it (an end withheld as imprecise too). An L interval [0.39, 1.50] reads [0.39, open).
    public func openingEndsAtBounds(_ interval: Interval, parameter index: Int) -> Interval {
        let lowerOpen = interval.lower.map { isAt($0, lower.vector[index], parameter: index) } == true
        let upperOpen = interval.upper.map { isAt($0, upper.vector[index], parameter: index) } == true
        guard lowerOpen || upperOpen else { return interval }
        let errors = interval.monteCarloError.map { EndErrors(lower: lowerOpen ? nil : $0.lower, upper: upperOpen ? nil : $0.upper) }
        return Interval(lower: lowerOpen ? nil : interval.lower, upper: upperOpen ? nil : interval.upper,
                        monteCarloError: errors?.lower == nil && errors?.upper == nil ? nil : errors,
                        undetermined: interval.undetermined, movedToEstimate: interval.movedToEstimate,
                        imprecise: interval.imprecise?.filter { $0 == .lower ? !lowerOpen : !upperOpen })
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

/// The fewest points (fractions with results) the 4-parameter sigmoid is fitted to: one per parameter.
public let sigmoidMinimumPoints = 4

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
            "a 4-parameter sigmoid needs at least \(sigmoidMinimumPoints) fractions with results, got \(count)"
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
    guard x.count >= sigmoidMinimumPoints else { return .failure(.tooFewPoints(x.count)) }
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
        // The damped system over the free parameters, in their order, then an identity row for
        // each fixed one (see `AugmentedSystem`).
        let system = freeCount == 4 ? AugmentedSystem(normal, gradient, damping: damping)
            : AugmentedSystem(normal, gradient, damping: damping, free: free, freeCount: freeCount)
        guard let step = system.solve() else {
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

/// The normal equations' matrix JᵀJ, one row per parameter (L, k, x0, b).
struct NormalMatrix {
    /// Row j: J_j J summed over the points (lane k: Σ J_j J_k).
    var rows: InlineArray<4, SIMD4<Double>>
}

/// g = Jᵀr and JᵀJ for residuals r_i = acc(x_i) - y_i, with s = 1 / (1 + exp(k (x - x0))) (the
/// denominators at θ from `residualSumOfSquares`):
/// ∂acc/∂L = s, ∂acc/∂k = -L s (1 - s) (x - x0), ∂acc/∂x0 = L s (1 - s) k, ∂acc/∂b = 1.
private func normalEquations(_ theta: SIMD4<Double>, _ x: [Double], _ y: [Double], denominators: [Double]) -> (SIMD4<Double>, NormalMatrix) {
    let (amplitude, steepness, midpoint, floor) = (theta[0], theta[1], theta[2], theta[3])
    var gradient = SIMD4<Double>()
    // Row j of JᵀJ sums J_j J over the points (lane k: J_j J_k).
    var row0 = SIMD4<Double>(), row1 = row0, row2 = row0, row3 = row0
    for i in x.indices {
        let xi = x[i], yi = y[i]
        let s = 1 / denominators[i]
        let slope = amplitude * s * (1 - s)
        let jacobian = SIMD4(s, -slope * (xi - midpoint), slope * steepness, 1)
        let residual = amplitude * s + floor - yi
        gradient += jacobian * residual
        row0 += jacobian[0] * jacobian
        row1 += jacobian[1] * jacobian
        row2 += jacobian[2] * jacobian
        row3 += jacobian[3] * jacobian
    }
    return (gradient, NormalMatrix(rows: [row0, row1, row2, row3]))
}

/// A 4 x 4 linear system A v = b as the augmented matrix [A | b]: row i holds A's row i in lanes
/// 0-3 and b_i in lane 4, so that eliminating or swapping a row carries its right-hand side along.
/// A system over fewer unknowns fills its first rows and columns and is padded with identity rows
/// and columns (right-hand side 0): Gaussian elimination never picks such a row as a pivot for a
/// real column (its entry there is 0), its factors are ±0 and change no other entry, and the padded
/// unknowns solve to +0, so the real unknowns get the same bits as from the smaller system
/// (`SigmoidFitEquivalenceTests` compares them with `solveLinearSystem`). Lanes 5-7 hold 0.
///
/// The solver is straight-line code on four named rows, each column's step inlined with its index a
/// constant, so that the rows stay in registers and every lane is read at a fixed position.
/// `@_transparent` guarantees that inlining: with `@inline(__always)` the whole-module release
/// build kept `solve` and `eliminate` out of line, reading rows and lanes at run-time indices
/// (a fit then cost 27% more).
struct AugmentedSystem {
    var row0, row1, row2, row3: SIMD8<Double>

    /// (JᵀJ + λ diag(JᵀJ)) δ = -Jᵀr over every parameter, with each diagonal entry of JᵀJ at least 1e-12.
    @_transparent
    init(_ normal: NormalMatrix, _ gradient: SIMD4<Double>, damping: Double) {
        row0 = Self.dampedRow(normal.rows[0], diagonal: 0, rhs: -gradient[0], damping: damping)
        row1 = Self.dampedRow(normal.rows[1], diagonal: 1, rhs: -gradient[1], damping: damping)
        row2 = Self.dampedRow(normal.rows[2], diagonal: 2, rhs: -gradient[2], damping: damping)
        row3 = Self.dampedRow(normal.rows[3], diagonal: 3, rhs: -gradient[3], damping: damping)
    }

    /// The same system over the parameters `free[0..<freeCount]` alone (the others fixed), padded
    /// with identity rows; built entry by entry in memory, then loaded into the rows.
    init(_ normal: NormalMatrix, _ gradient: SIMD4<Double>, damping: Double, free: InlineArray<4, Int>, freeCount: Int) {
        var entries = InlineArray<32, Double>(repeating: 0)
        for row in 0..<4 {
            guard row < freeCount else {
                entries[row * 8 + row] = 1
                continue
            }
            let i = free[row]
            for column in 0..<freeCount { entries[row * 8 + column] = normal.rows[i][free[column]] }
            entries[row * 8 + row] += damping * max(normal.rows[i][i], 1e-12)
            entries[row * 8 + 4] = -gradient[i]
        }
        func load(_ row: Int) -> SIMD8<Double> {
            let e = row * 8
            return SIMD8(entries[e], entries[e + 1], entries[e + 2], entries[e + 3], entries[e + 4], entries[e + 5], entries[e + 6], entries[e + 7])
        }
        (row0, row1, row2, row3) = (load(0), load(1), load(2), load(3))
    }

    /// [row + λ max(row_d, 1e-12) e_d | rhs] for row `d` of JᵀJ.
    @_transparent
    private static func dampedRow(_ row: SIMD4<Double>, diagonal: Int, rhs: Double, damping: Double) -> SIMD8<Double> {
        var equation = SIMD8(lowHalf: row, highHalf: SIMD4(rhs, 0, 0, 0))
        equation[diagonal] += damping * max(row[diagonal], 1e-12)
        return equation
    }

    /// Row i (0-3).
    subscript(row: Int) -> SIMD8<Double> {
        @_transparent get {
            switch row {
            case 0: row0
            case 1: row1
            case 2: row2
            default: row3
            }
        }
        @_transparent set {
            switch row {
            case 0: row0 = newValue
            case 1: row1 = newValue
            case 2: row2 = newValue
            default: row3 = newValue
            }
        }
    }

    /// Solves A v = b by Gaussian elimination with partial pivoting, the same operations as
    /// `solveLinearSystem`; nil when A is singular.
    @_transparent
    func solve() -> SIMD4<Double>? {
        var a = self
        guard a.eliminate(column: 0), a.eliminate(column: 1), a.eliminate(column: 2), a.eliminate(column: 3) else { return nil }
        // Back substitution: v_r = (b_r - Σ_{k > r} a_rk v_k) / a_rr.
        let v3 = a.row3[4] / a.row3[3]
        let v2 = (a.row2[4] - a.row2[3] * v3) / a.row2[2]
        let v1 = (a.row1[4] - a.row1[2] * v2 - a.row1[3] * v3) / a.row1[1]
        let v0 = (a.row0[4] - a.row0[1] * v1 - a.row0[2] * v2 - a.row0[3] * v3) / a.row0[0]
        let solution = SIMD4(v0, v1, v2, v3)
        for row in 0..<4 where !solution[row].isFinite { return nil }
        return solution
    }

    /// One step of the elimination: the row with the largest |a_rc| (r >= c, the first such)
    /// swapped into row c, then row r -= (a_rc / a_cc) row c for every r > c, in every lane (lanes
    /// before c are never read again); false when the column has no usable pivot.
    @_transparent
    private mutating func eliminate(column: Int) -> Bool {
        var pivot = column, largest = abs(self[column][column])
        for row in (column + 1)..<4 where abs(self[row][column]) > largest { (pivot, largest) = (row, abs(self[row][column])) }
        let pivotRow = self[pivot]
        guard abs(pivotRow[column]) > 1e-300, pivotRow[column].isFinite else { return false }
        if pivot != column { (self[column], self[pivot]) = (pivotRow, self[column]) }
        for row in (column + 1)..<4 {
            let factor = self[row][column] / pivotRow[column]
            self[row] -= factor * pivotRow
        }
        return true
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
