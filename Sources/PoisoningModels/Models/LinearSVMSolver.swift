import PoisoningData
import PoisoningUtilities

/// A one-vs-rest linear SVM's training rows in Double with the bias's constant 1 appended
/// (x'_i = (x_i, 1)) and their squared norms Q_ii = ||x'_i||², shared by the classes' binary problems.
///
/// Each binary problem (signs y_i = ±1) is the dual of min ½ ||w||² + C Σ_i max(0, 1 − y_i w · x'_i):
/// min_α ½ αᵀQα − Σ_i α_i subject to 0 ≤ α_i ≤ C, with Q_ij = y_i y_j x'_i · x'_j and w = Σ_i α_i y_i x'_i.
/// Its gradient in α_i is G_i = y_i w · x'_i − 1; the projected gradient PG_i is G_i where α_i is
/// free, min(G_i, 0) at α_i = 0 and max(G_i, 0) at α_i = C, and α is optimal exactly when every
/// PG_i is 0. `solve` is Hsieh, Chang, Lin, Keerthi and Sundararajan's dual coordinate descent
/// (ICML 2008, Algorithm 1) with a random order of the rows each pass (their §3.1) and shrinking
/// (§3.2), as liblinear's `solve_l2r_l1l2_svc` does it; `referenceSolve` is the plain Algorithm 1,
/// the rows in order every pass, kept as the straightforward reference the tests compare it with.
struct LinearSVMProblem {
    /// The rows with their bias feature [count x features].
    let rows: [Double]
    /// Q_ii = ||x'_i||² (at least 1: the bias feature).
    let norms: [Double]
    /// Rows.
    let count: Int
    /// Features, the bias's included (the data's features + 1).
    let features: Int

    /// The rows of `data` in Double with the bias feature, and their squared norms.
    init(_ data: Dataset) {
        let d = data.featureCount, n = data.count, f = d + 1
        var rows = [Double](repeating: 1, count: n * f)
        for i in 0..<n { for j in 0..<d { rows[i * f + j] = Double(data.features[i * d + j]) } }
        self.rows = rows
        norms = (0..<n).map { i in (0..<f).reduce(0.0) { $0 + rows[i * f + $1] * rows[i * f + $1] } }
        count = n
        features = f
    }

    /// The solution of the binary problem with signs `signs` (±1 per row): dual coordinate descent
    /// until one pass over all rows ends with the projected gradients' spread PGmax − PGmin and
    /// their largest size |PGmax|, |PGmin| all at most `tolerance` (`meets`: stricter than liblinear,
    /// whose rule bounds the spread PGmax − PGmin ≤ `eps` alone), or `maxPasses` passes (liblinear's
    /// `max_iter`). Each pass visits the active rows in a random
    /// order drawn from `order` (Fisher-Yates). Shrinking: a row at α = 0 whose G exceeds the
    /// previous pass's PGmax (or at α = C whose G is below its PGmin) leaves the active set, since
    /// it would stay at its bound; when the active rows meet the tolerance, every row returns and
    /// the solve goes on until a pass over all rows meets it (the final check). With `shrinking`
    /// false no row leaves (LIBSVM's `-h 0`): the same passes over every row, for the tests that
    /// measure what shrinking saves. One pass costs O(active rows × features) and allocates nothing;
    /// `rowVisits` counts the rows whose gradient it computed, the shrunk ones included.
    func solve(signs: [Double], c: Double, tolerance: Double, maxPasses: Int, order: inout Xoshiro256StarStar,
               shrinking: Bool = true) -> LinearSVMDualSolution {
        precondition(signs.count == count && c > 0 && tolerance > 0 && maxPasses > 0, "a binary problem of the rows, with positive C, tolerance and passes")
        let n = count, f = features
        var alpha = [Double](repeating: 0, count: n), w = [Double](repeating: 0, count: f)
        var index = Array(0..<n)
        var active = n, passes = 0, rowVisits = 0, converged = false
        // The previous pass's PGmax and PGmin, the shrinking thresholds (±∞: shrink nothing).
        var previousUpper = Double.infinity, previousLower = -Double.infinity
        // The pass runs over raw buffers: an array's bounds and uniqueness checks on every w_j, α_i and
        // index access cost as much as the arithmetic at these sizes (11 features), and the sums are
        // the same, term by term in the same order, so the bits are too.
        rows.withUnsafeBufferPointer { x in
        norms.withUnsafeBufferPointer { q in
        signs.withUnsafeBufferPointer { y in
        alpha.withUnsafeMutableBufferPointer { alpha in
        w.withUnsafeMutableBufferPointer { w in
        index.withUnsafeMutableBufferPointer { index in
            while passes < maxPasses {
                passes += 1
                // Every row active at the pass's start is visited once: kept (s += 1) or shrunk (active −= 1).
                rowVisits += active
                for s in 0..<active { index.swapAt(s, s + order.nextInt(below: active - s)) }
                var upper = -Double.infinity, lower = Double.infinity
                var s = 0
                while s < active {
                    let i = index[s], row = x.baseAddress! + i * f
                    // G = y_i w · x'_i − 1.
                    var margin = 0.0
                    for j in 0..<f { margin += w[j] * row[j] }
                    let g = y[i] * margin - 1
                    var projected = 0.0
                    if alpha[i] == 0 {
                        if g > previousUpper {
                            active -= 1
                            index.swapAt(s, active)
                            continue
                        }
                        projected = min(g, 0)
                    } else if alpha[i] == c {
                        if g < previousLower {
                            active -= 1
                            index.swapAt(s, active)
                            continue
                        }
                        projected = max(g, 0)
                    } else {
                        projected = g
                    }
                    upper = max(upper, projected)
                    lower = min(lower, projected)
                    if projected != 0 {
                        // α_i ← clip(α_i − G / Q_ii, 0, C); w ← w + (α_i^new − α_i^old) y_i x'_i.
                        let old = alpha[i]
                        alpha[i] = min(max(old - g / q[i], 0), c)
                        let step = (alpha[i] - old) * y[i]
                        for j in 0..<f { w[j] += step * row[j] }
                    }
                    s += 1
                }
                // A pass whose rows were all shrunk away changed nothing: its projected gradients count as 0.
                if active == 0 { (upper, lower) = (0, 0) }
                if Self.meets(upper: upper, lower: lower, tolerance: tolerance) {
                    if active == n {
                        converged = true
                        break
                    }
                    active = n
                    (previousUpper, previousLower) = (.infinity, -.infinity)
                    continue
                }
                previousUpper = shrinking && upper > 0 ? upper : .infinity
                previousLower = shrinking && lower < 0 ? lower : -.infinity
            }
        }
        }
        }
        }
        }
        }
        return LinearSVMDualSolution(w: w, alpha: alpha, passes: passes, rowVisits: rowVisits, converged: converged,
                                     gap: converged ? nil : gap(signs: signs, c: c, alpha: alpha, w: w))
    }

    /// The plain Algorithm 1 of Hsieh et al. (2008): every pass visits all rows in order 0..<count,
    /// without shrinking, until a pass meets the same rule as `solve` or `maxPasses` passes. The
    /// reference `solve` is tested against; no study uses it.
    func referenceSolve(signs: [Double], c: Double, tolerance: Double, maxPasses: Int) -> LinearSVMDualSolution {
        precondition(signs.count == count && c > 0 && tolerance > 0 && maxPasses > 0, "a binary problem of the rows, with positive C, tolerance and passes")
        let n = count, f = features
        var alpha = [Double](repeating: 0, count: n), w = [Double](repeating: 0, count: f)
        var passes = 0, converged = false
        while passes < maxPasses && !converged {
            passes += 1
            var upper = -Double.infinity, lower = Double.infinity
            for i in 0..<n {
                let g = dualGradient(row: i, sign: signs[i], w: w)
                let projected = Self.projected(g, alpha: alpha[i], c: c)
                upper = max(upper, projected)
                lower = min(lower, projected)
                guard projected != 0 else { continue }
                let old = alpha[i]
                alpha[i] = min(max(old - g / norms[i], 0), c)
                let step = (alpha[i] - old) * signs[i]
                for j in 0..<f { w[j] += step * rows[i * f + j] }
            }
            converged = Self.meets(upper: upper, lower: lower, tolerance: tolerance)
        }
        return LinearSVMDualSolution(w: w, alpha: alpha, passes: passes, rowVisits: passes * n, converged: converged,
                                     gap: converged ? nil : gap(signs: signs, c: c, alpha: alpha, w: w))
    }

    /// Row i's dual gradient G_i = y_i w · x'_i − 1 at `w` (the sum over the features in order, as
    /// `solve`'s inline loop adds it). `solve` keeps its own loop over a buffer pointer, since its
    /// shrinking interleaves with the bound checks.
    func dualGradient(row i: Int, sign: Double, w: [Double]) -> Double {
        var margin = 0.0
        for j in 0..<features { margin += w[j] * rows[i * features + j] }
        return sign * margin - 1
    }

    /// The projected gradient of a row with dual gradient `g` at `alpha`: g where 0 < α < C,
    /// min(g, 0) at α = 0 and max(g, 0) at α = C.
    static func projected(_ g: Double, alpha: Double, c: Double) -> Double {
        alpha == 0 ? min(g, 0) : alpha == c ? max(g, 0) : g
    }

    /// The stopping rule on one pass's largest and smallest projected gradients: PGmax − PGmin ≤
    /// tolerance (liblinear's whole rule, its `eps`), and also |PGmax| ≤ tolerance and |PGmin| ≤
    /// tolerance, so that every projected gradient lies within ±tolerance of 0. It is stricter than
    /// liblinear's: a small spread alone lets every PG_i sit near one nonzero value (α then not
    /// optimal, since this problem has no equality constraint that a shared shift would satisfy).
    static func meets(upper: Double, lower: Double, tolerance: Double) -> Bool {
        upper - lower <= tolerance && abs(upper) <= tolerance && abs(lower) <= tolerance
    }

    /// The duality gap P(w) − D(α) = ||w||² + C Σ_i max(0, 1 − y_i w · x'_i) − Σ_i α_i at `alpha` and
    /// its `w` = Σ α_i y_i x'_i, with P(w) = ½ ||w||² + C Σ hinge the primal and D(α) = Σ α_i − ½ ||w||²
    /// the dual (at least 0, up to rounding: read as 0 below it). It bounds how far w is from the
    /// optimum w*: P is 1-strongly convex, so ½ ||w − w*||² ≤ P(w) − P(w*) ≤ P(w) − D(α).
    func dualityGap(signs: [Double], c: Double, alpha: [Double], w: [Double]) -> Double {
        var squaredNorm = 0.0, hinge = 0.0, alphaSum = 0.0
        for j in 0..<features { squaredNorm += w[j] * w[j] }
        for i in 0..<count {
            hinge += max(0, -dualGradient(row: i, sign: signs[i], w: w))   // 1 − y_i w · x'_i = −G_i
            alphaSum += alpha[i]
        }
        return max(0, squaredNorm + c * hinge - alphaSum)
    }

    /// max(PGmax − PGmin, |PGmax|, |PGmin|) over all rows at `alpha` and `w` without changing them:
    /// how far the stopping rule is from holding, stated in a failed run's reason.
    func gap(signs: [Double], c: Double, alpha: [Double], w: [Double]) -> Double {
        var upper = -Double.infinity, lower = Double.infinity
        for i in 0..<count {
            let projected = Self.projected(dualGradient(row: i, sign: signs[i], w: w), alpha: alpha[i], c: c)
            upper = max(upper, projected)
            lower = min(lower, projected)
        }
        return max(upper - lower, abs(upper), abs(lower))
    }
}

/// One binary problem's dual coordinate descent: the primal weights (bias last), the dual
/// variables, the passes made and rows visited, and whether the stopping rule held (else the gap it
/// ended at).
struct LinearSVMDualSolution {
    /// w = Σ α_i y_i x'_i, the bias last.
    let w: [Double]
    /// The dual variables, each in [0, C].
    let alpha: [Double]
    /// Passes over the (active) rows.
    let passes: Int
    /// Row visits over all passes: the rows whose dual gradient G_i (a dot product over the features)
    /// was computed, each pass's active rows (those shrunk during the pass included); passes × rows
    /// without shrinking. The solve's work, which shrinking lowers.
    let rowVisits: Int
    /// Whether a pass over all rows met the tolerance.
    let converged: Bool
    /// When it did not: max(PGmax − PGmin, |PGmax|, |PGmin|) over all rows at the end.
    let gap: Double?
}
