/// The full eigen-decomposition of a small symmetric matrix in Double (for principal directions and
/// for exact input-Hessian spectra).
public enum SymmetricEigen {
    /// The eigenvalues of the symmetric matrix `a` [n x n], descending (ties: the earlier one first),
    /// each with its unit eigenvector: Householder reduction to a tridiagonal matrix, then implicit
    /// symmetric QR steps with Wilkinson shifts (Golub and Van Loan, "Matrix computations", 8.3),
    /// every transformation accumulated into the eigenvectors, all in Double. An off-diagonal entry
    /// counts as zero once it is within machine epsilon of its two diagonal neighbours.
    public static func decomposition(_ a: [Double], n: Int) -> [(value: Double, vector: [Double])] {
        var t = a                                                   // becomes tridiagonal, then diagonal
        var q = [Double](repeating: 0, count: n * n)                // its eigenvectors, by column
        for i in 0..<n { q[i * n + i] = 1 }
        // Householder: for each column k, reflect rows and columns k+1... so that column k has zeros below k+1.
        for k in 0..<max(n - 2, 0) {
            let x = ((k + 1)..<n).map { t[$0 * n + k] }
            let norm = x.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { continue }
            let alpha = x[0] > 0 ? -norm : norm
            var v = x
            v[0] -= alpha
            let vNorm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard vNorm > 0 else { continue }
            v = v.map { $0 / vNorm }
            let m = n - k - 1
            // H A H = A - 2 v wᵀ - 2 w vᵀ on the trailing block, w = p - (vᵀ p) v, p = A v.
            var p = [Double](repeating: 0, count: m)
            for i in 0..<m { for j in 0..<m { p[i] += t[(k + 1 + i) * n + k + 1 + j] * v[j] } }
            let vp = zip(v, p).reduce(0) { $0 + $1.0 * $1.1 }
            let w = (0..<m).map { p[$0] - vp * v[$0] }
            for i in 0..<m {
                for j in 0..<m { t[(k + 1 + i) * n + k + 1 + j] -= 2 * (v[i] * w[j] + w[i] * v[j]) }
            }
            t[(k + 1) * n + k] = alpha
            t[k * n + k + 1] = alpha
            for i in 1..<m {
                t[(k + 1 + i) * n + k] = 0
                t[k * n + k + 1 + i] = 0
            }
            // Q ← Q H.
            for r in 0..<n {
                var dot = 0.0
                for j in 0..<m { dot += q[r * n + k + 1 + j] * v[j] }
                for j in 0..<m { q[r * n + k + 1 + j] -= 2 * dot * v[j] }
            }
        }
        /// Rotates rows and columns `i` and `i + 1` of t (entries `lo...hi` of them) and columns `i`
        /// and `i + 1` of q by the rotation (c, s): t ← Gᵀ t G, q ← q G.
        func rotate(_ i: Int, _ c: Double, _ s: Double, lo: Int, hi: Int) {
            for j in max(lo, i - 1)...min(hi, i + 2) {
                let (x, y) = (t[i * n + j], t[(i + 1) * n + j])
                (t[i * n + j], t[(i + 1) * n + j]) = (c * x - s * y, s * x + c * y)
            }
            for j in max(lo, i - 1)...min(hi, i + 2) {
                let (x, y) = (t[j * n + i], t[j * n + i + 1])
                (t[j * n + i], t[j * n + i + 1]) = (c * x - s * y, s * x + c * y)
            }
            for r in 0..<n {
                let (x, y) = (q[r * n + i], q[r * n + i + 1])
                (q[r * n + i], q[r * n + i + 1]) = (c * x - s * y, s * x + c * y)
            }
        }
        var hi = n - 1, steps = 0
        while hi > 0 && steps < 30 * n {
            for i in 0..<hi where abs(t[(i + 1) * n + i]) <= Double.ulpOfOne * (abs(t[i * n + i]) + abs(t[(i + 1) * n + i + 1])) {
                t[(i + 1) * n + i] = 0
                t[i * n + i + 1] = 0
            }
            if t[hi * n + hi - 1] == 0 {
                hi -= 1
                continue
            }
            var lo = hi - 1
            while lo > 0 && t[lo * n + lo - 1] != 0 { lo -= 1 }
            // One implicit QR step on the unreduced block lo...hi, shifted by the eigenvalue of its
            // trailing 2 x 2 block nearer its last diagonal entry.
            let e = t[hi * n + hi - 1], d = (t[(hi - 1) * n + hi - 1] - t[hi * n + hi]) / 2
            let shift = t[hi * n + hi] - e * e / (d + (d >= 0 ? 1 : -1) * (d * d + e * e).squareRoot())
            var (x, z) = (t[lo * n + lo] - shift, t[(lo + 1) * n + lo])
            for i in lo..<hi {
                if i > lo { (x, z) = (t[i * n + i - 1], t[(i + 1) * n + i - 1]) }
                let r = (x * x + z * z).squareRoot()
                guard r > 0 else { continue }
                rotate(i, x / r, -z / r, lo: lo, hi: hi)
                if i > lo {
                    // The rotation chased the bulge down: t[i + 1][i - 1] is now zero but for rounding.
                    (t[(i + 1) * n + i - 1], t[(i - 1) * n + i + 1]) = (0, 0)
                    (t[i * n + i - 1], t[(i - 1) * n + i]) = (r, r)
                }
            }
            steps += 1
        }
        let order = (0..<n).sorted { t[$0 * n + $0] != t[$1 * n + $1] ? t[$0 * n + $0] > t[$1 * n + $1] : $0 < $1 }
        return order.map { column in (t[column * n + column], (0..<n).map { q[$0 * n + column] }) }
    }
}
