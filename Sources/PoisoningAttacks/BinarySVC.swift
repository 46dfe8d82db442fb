import Foundation
import PoisoningData
import PoisoningUtilities

/// The kernel of a `BinarySVC`: linear, k(x, x') = x · x', or RBF, k(x, x') = exp(−γ ||x − x'||²)
/// (scikit-learn's `SVC(kernel='linear')` and `SVC(kernel='rbf', gamma=γ)`).
public struct SVCKernel: Sendable, Hashable {
    /// The kernel's family.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// x · x'.
        case linear
        /// exp(−γ ||x − x'||²).
        case rbf
    }

    /// The family.
    public let kind: Kind
    /// γ of the RBF kernel (unused by the linear one).
    public let gamma: Double

    /// A kernel (γ > 0).
    public init(_ kind: Kind, gamma: Double = 1) {
        precondition(gamma > 0, "the RBF kernel needs a positive gamma")
        self.kind = kind
        self.gamma = gamma
    }

    /// k(x, y) for x at `xOffset` of `x` and y at `yOffset` of `y`, `features` values each.
    public func value(_ x: [Double], _ xOffset: Int, _ y: [Double], _ yOffset: Int, features d: Int) -> Double {
        var sum = 0.0
        switch kind {
        case .linear:
            for j in 0..<d { sum += x[xOffset + j] * y[yOffset + j] }
            return sum
        case .rbf:
            for j in 0..<d {
                let delta = x[xOffset + j] - y[yOffset + j]
                sum += delta * delta
            }
            return exp(-gamma * sum)
        }
    }

    /// Adds `scale` · ∂k(x, u)/∂u to `into` [features], for x at `xOffset` of `x` and u at `uOffset`
    /// of `u`: x for the linear kernel, 2γ (x − u) k(x, u) for the RBF; `value` is k(x, u).
    public func addGradient(scale: Double, value: Double, _ x: [Double], _ xOffset: Int, _ u: [Double], _ uOffset: Int,
                            features d: Int, into: inout [Double]) {
        switch kind {
        case .linear:
            for j in 0..<d { into[j] += scale * x[xOffset + j] }
        case .rbf:
            let factor = scale * 2 * gamma * value
            for j in 0..<d { into[j] += factor * (x[xOffset + j] - u[uOffset + j]) }
        }
    }
}

/// A binary C-support vector classifier with a bias, solved in its dual: for rows x_i with signs
/// y_i = ±1, min ½ αᵀQα − Σ α_i subject to Σ y_i α_i = 0 and 0 ≤ α_i ≤ C, Q_ij = y_i y_j k(x_i, x_j);
/// its decision value is f(x) = Σ α_i y_i k(x_i, x) + b. Solved by SMO with libsvm's second-order
/// working-set selection (Fan, Chen and Lin 2005), in Double, until the largest KKT violation
/// m(α) − M(α) is at most `tolerance`; the bias is libsvm's: the mean of y_i − (Qα)_i y_i over the
/// free support vectors (0 < α_i < C), or the middle of the interval the bounded ones allow when
/// none is free. The same problem and bias as scikit-learn's `SVC` (libsvm), which
/// `scripts/binary_svc_reference.py` checks. The kernel matrix is held whole (n² Doubles).
public struct BinarySVC: Sendable {
    /// The dual variables α, one per row.
    public var alpha: [Double]
    /// The bias b.
    public var bias: Double
    /// Whether the violation fell to the tolerance before the iteration limit.
    public var converged: Bool

    /// The default limit of SMO steps for `n` rows: libsvm's own, max(10⁷, 100 n). Each step costs
    /// O(n). A tighter limit, max(10⁵, 1,000 n), stopped 6 of the 630 runs of examples/svm (C = 1 on
    /// standardised digits, fraction 0.15, seeds 4 and 10) short of the tolerance, which libsvm's
    /// limit reaches; on the digits 1 and 7 (126 rows) even C = 10⁶ on the raw pixels converges
    /// within 20,000 steps.
    public static func stepLimit(rows n: Int) -> Int { max(10_000_000, 100 * n) }

    /// The solution for the kernel matrix `gram` [n x n] (symmetric) and the rows' signs, starting
    /// from `start` (a feasible α: in the box, Σ y_i α_i = 0; zeros by default), with at most
    /// `maxIterations` SMO steps (`stepLimit(rows:)` by default); `converged` says whether it reached
    /// `tolerance` within them.
    public static func solve(gram: [Double], signs: [Double], c: Double, tolerance: Double, start: [Double]? = nil,
                             maxIterations: Int? = nil) -> BinarySVC {
        let n = signs.count
        precondition(gram.count == n * n && c > 0 && tolerance > 0, "a kernel matrix of the rows and a positive C and tolerance required")
        let maxIterations = maxIterations ?? stepLimit(rows: n)
        var alpha = start ?? [Double](repeating: 0, count: n)
        precondition(alpha.count == n, "one start value per row required")
        // G = Qα − 1, the dual objective's gradient.
        var g = [Double](repeating: -1, count: n)
        for i in 0..<n where alpha[i] != 0 {
            for t in 0..<n { g[t] += signs[t] * signs[i] * gram[t * n + i] * alpha[i] }
        }
        let tau = 1e-12
        var converged = false
        for _ in 0..<maxIterations {
            // i: the most violating index of I_up, by −y_t G_t; then j by the second-order gain.
            var i = -1, largest = -Double.infinity
            for t in 0..<n where (signs[t] > 0 ? alpha[t] < c : alpha[t] > 0) && -signs[t] * g[t] >= largest {
                largest = -signs[t] * g[t]
                i = t
            }
            var j = -1, smallest = Double.infinity, bestGain = Double.infinity
            for t in 0..<n where signs[t] > 0 ? alpha[t] > 0 : alpha[t] < c {
                let value = -signs[t] * g[t]
                smallest = min(smallest, value)
                guard i >= 0, value < largest else { continue }
                let b = largest - value
                let a = max(gram[i * n + i] + gram[t * n + t] - 2 * gram[i * n + t], tau)
                let gain = -b * b / a
                if gain <= bestGain {
                    bestGain = gain
                    j = t
                }
            }
            if i < 0 || j < 0 || largest - smallest <= tolerance {
                converged = true
                break
            }
            let qii = gram[i * n + i], qjj = gram[j * n + j], qij = signs[i] * signs[j] * gram[i * n + j]
            let (oldI, oldJ) = (alpha[i], alpha[j])
            if signs[i] != signs[j] {
                let quad = max(qii + qjj + 2 * qij, tau)
                let delta = (-g[i] - g[j]) / quad, diff = alpha[i] - alpha[j]
                alpha[i] += delta
                alpha[j] += delta
                if diff > 0 {
                    if alpha[j] < 0 { alpha[j] = 0; alpha[i] = diff }
                } else if alpha[i] < 0 { alpha[i] = 0; alpha[j] = -diff }
                if diff > 0 {
                    if alpha[i] > c { alpha[i] = c; alpha[j] = c - diff }
                } else if alpha[j] > c { alpha[j] = c; alpha[i] = c + diff }
            } else {
                let quad = max(qii + qjj - 2 * qij, tau)
                let delta = (g[i] - g[j]) / quad, sum = alpha[i] + alpha[j]
                alpha[i] -= delta
                alpha[j] += delta
                if sum > c {
                    if alpha[i] > c { alpha[i] = c; alpha[j] = sum - c }
                } else if alpha[j] < 0 { alpha[j] = 0; alpha[i] = sum }
                if sum > c {
                    if alpha[j] > c { alpha[j] = c; alpha[i] = sum - c }
                } else if alpha[i] < 0 { alpha[i] = 0; alpha[j] = sum }
            }
            let (stepI, stepJ) = ((alpha[i] - oldI) * signs[i], (alpha[j] - oldJ) * signs[j])
            for t in 0..<n { g[t] += signs[t] * (gram[t * n + i] * stepI + gram[t * n + j] * stepJ) }
        }
        return BinarySVC(alpha: alpha, bias: -rho(alpha: alpha, gradient: g, signs: signs, c: c), converged: converged)
    }

    /// libsvm's ρ = −b: the mean of y_t G_t over the free variables, or the middle of the bounds
    /// that the variables at 0 and at C put on it.
    static func rho(alpha: [Double], gradient g: [Double], signs: [Double], c: Double) -> Double {
        var upper = Double.infinity, lower = -Double.infinity, freeSum = 0.0, free = 0
        for t in alpha.indices {
            let yg = signs[t] * g[t]
            if alpha[t] >= c {
                if signs[t] < 0 { upper = min(upper, yg) } else { lower = max(lower, yg) }
            } else if alpha[t] <= 0 {
                if signs[t] > 0 { upper = min(upper, yg) } else { lower = max(lower, yg) }
            } else {
                free += 1
                freeSum += yg
            }
        }
        if free > 0 { return freeSum / Double(free) }
        return upper.isFinite && lower.isFinite ? (upper + lower) / 2 : upper.isFinite ? upper : lower.isFinite ? lower : 0
    }

    /// f(x) = Σ α_i y_i k(x_i, x) + b from the kernel values `similarities` [n] of x against the rows.
    public func decision(similarities: [Double], signs: [Double]) -> Double {
        var sum = bias
        for i in alpha.indices where alpha[i] != 0 { sum += alpha[i] * signs[i] * similarities[i] }
        return sum
    }
}
