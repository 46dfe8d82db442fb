import PoisoningData
import PoisoningUtilities

/// The two Cholesky factorizations of `KernelRidgeModel.ridgeSolve`, which give the same bits.
public enum CholeskyVariant: Sendable, CaseIterable {
    /// `blockedCholesky`, the one kernel ridge uses.
    case blocked
    /// `referenceCholesky`, the straightforward one it is checked and measured against.
    case reference

    /// Factors the row-major n x n matrix at `matrix` in place by this variant.
    func factor(_ matrix: UnsafeMutablePointer<Double>, n: Int) -> Bool {
        switch self {
        case .blocked: KernelRidgeModel.blockedCholesky(matrix, n: n)
        case .reference: KernelRidgeModel.referenceCholesky(matrix, n: n)
        }
    }
}

extension KernelRidgeModel {
    /// The width of `blockedCholesky`'s column blocks: a multiple of 4, so that every block starts a
    /// group of four terms of the dot products. 4 was the fastest at n = 1,000 (CPU time of the
    /// factorization, a standalone build with the same flags: 10 ms, against 12 ms at 8, 15 ms at 16
    /// and 25 ms at 32; the reference takes 29 ms): the block's rows stay in the L1 cache, and the
    /// part of each sum inside the block, done term by term, grows with the width.
    static let choleskyBlock = 4

    /// The straightforward Cholesky factorization A = L Lᵀ of the row-major n x n matrix at `a`, L
    /// (lower) overwriting A's lower triangle, column by column (left-looking, Cholesky–Crout):
    ///   L[j, j] = √(A[j, j] − Σ_{k<j} L[j, k]²),  L[i, j] = (A[i, j] − Σ_{k<j} L[i, k] L[j, k]) / L[j, j]  (i > j),
    /// each sum by `dot`. False when a pivot is not positive and finite. It reads every row prefix
    /// below the diagonal once per column (n³/6 Doubles, from beyond the L2 cache at n = 1,000): the
    /// reference `blockedCholesky` is checked against.
    static func referenceCholesky(_ a: UnsafeMutablePointer<Double>, n: Int) -> Bool {
        for j in 0..<n {
            let rowJ = a + j * n
            let pivot = rowJ[j] - dot(rowJ, rowJ, count: j)
            guard pivot > 0 && pivot.isFinite else { return false }
            let root = pivot.squareRoot()
            rowJ[j] = root
            for i in (j + 1)..<n {
                let rowI = a + i * n
                rowI[j] = (rowI[j] - dot(rowI, rowJ, count: j)) / root
            }
        }
        return true
    }

    /// The same factorization as `referenceCholesky`, bit for bit, blocked for the cache. The columns
    /// are taken in blocks of `choleskyBlock`; for each block, the rows from the block's first column
    /// j0 down, two at a time, compute their entries in the block, in column order:
    ///   - the bulk of each sum, Σ_{k<j0} L[i, k] L[j, k], for both rows and the block's columns in
    ///     one pass over the two rows' prefixes (`bulkSums`: each row is read once per block instead
    ///     of once per column, and each load of a block row serves both rows);
    ///   - the rest, Σ_{j0≤k<j} L[i, k] L[j, k], from entries of rows i and j that this block has
    ///     already written (row j ≤ i comes first, and column k < j of row i just before);
    ///   - then L[i, j] as in the reference.
    /// Bit-identical: each sum keeps `dot`'s four partial sums, term k in partial sum k mod 4 while
    /// k < 4⌊j/4⌋ and in the first afterwards, each in increasing k, added as (s0 + s1) + (s2 + s3);
    /// as j0 is a multiple of 4, every bulk term falls in a group of four. Swift fuses no multiply and
    /// add, so a SIMD4 lane rounds as the scalar sum does.
    static func blockedCholesky(_ a: UnsafeMutablePointer<Double>, n: Int) -> Bool {
        let block = choleskyBlock
        // The two rows' partial sums, the first row's at 0 ..< block and the second's after them.
        var partialSums = [SIMD4<Double>](repeating: .zero, count: 2 * block)
        return partialSums.withUnsafeMutableBufferPointer { bulk -> Bool in
            for j0 in stride(from: 0, to: n, by: block) {
                let width = min(block, n - j0)
                var i = j0
                while i < n {
                    let rows = min(2, n - i)
                    // Columns j0 ..< j0 + columns of the last row lie in the block and at or left of its
                    // diagonal (the first row does not need the last of them when it is the second's pivot).
                    let columns = min(i + rows - j0, width)
                    bulkSums(a + i * n, a + (i + rows - 1) * n, block: a + j0 * n, rowStride: n, length: j0, columns: columns,
                             into: bulk.baseAddress!, and: bulk.baseAddress! + block)
                    for r in 0..<rows {
                        let row = i + r, rowI = a + row * n
                        for b in 0..<min(row - j0 + 1, width) {
                            let j = j0 + b, rowJ = a + j * n
                            var sums = bulk[r * block + b]
                            let grouped = j & ~3   // 4⌊j/4⌋: terms from here on go to the first partial sum
                            for k in j0..<j { sums[k < grouped ? k & 3 : 0] += rowI[k] * rowJ[k] }
                            let total = (sums[0] + sums[1]) + (sums[2] + sums[3])
                            if j == row {
                                let pivot = rowI[row] - total
                                guard pivot > 0 && pivot.isFinite else { return false }
                                rowI[row] = pivot.squareRoot()
                            } else {
                                rowI[j] = (rowI[j] - total) / rowJ[j]
                            }
                        }
                    }
                    i += rows
                }
            }
            return true
        }
    }

    /// first[b] and second[b] = the four partial sums (lane k mod 4) of Σ_{k<length} x[k] y_b[k] and
    /// Σ_{k<length} z[k] y_b[k] for the `columns` rows y_b = block + b · rowStride, four rows per pass
    /// over x and z; `length` is a multiple of 4.
    private static func bulkSums(_ x: UnsafePointer<Double>, _ z: UnsafePointer<Double>, block: UnsafePointer<Double>, rowStride: Int,
                                 length: Int, columns: Int, into first: UnsafeMutablePointer<SIMD4<Double>>,
                                 and second: UnsafeMutablePointer<SIMD4<Double>>) {
        var b = 0
        while b < columns {
            // Four rows; past the last column, the last row again (its sums are not stored).
            let y0 = block + b * rowStride, y1 = block + min(b + 1, columns - 1) * rowStride
            let y2 = block + min(b + 2, columns - 1) * rowStride, y3 = block + min(b + 3, columns - 1) * rowStride
            var (s0, s1, s2, s3) = (SIMD4<Double>.zero, SIMD4<Double>.zero, SIMD4<Double>.zero, SIMD4<Double>.zero)
            var (t0, t1, t2, t3) = (SIMD4<Double>.zero, SIMD4<Double>.zero, SIMD4<Double>.zero, SIMD4<Double>.zero)
            var k = 0
            while k < length {
                let u = load(x + k), v = load(z + k)
                let w0 = load(y0 + k), w1 = load(y1 + k), w2 = load(y2 + k), w3 = load(y3 + k)
                s0 += u * w0
                t0 += v * w0
                s1 += u * w1
                t1 += v * w1
                s2 += u * w2
                t2 += v * w2
                s3 += u * w3
                t3 += v * w3
                k += 4
            }
            first[b] = s0
            second[b] = t0
            if b + 1 < columns { (first[b + 1], second[b + 1]) = (s1, t1) }
            if b + 2 < columns { (first[b + 2], second[b + 2]) = (s2, t2) }
            if b + 3 < columns { (first[b + 3], second[b + 3]) = (s3, t3) }
            b += 4
        }
    }

    /// The four Doubles at `pointer`.
    private static func load(_ pointer: UnsafePointer<Double>) -> SIMD4<Double> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD4<Double>.self)
    }
}
