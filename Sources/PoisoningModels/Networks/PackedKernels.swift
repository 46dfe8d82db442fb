import PoisoningData
import PoisoningUtilities

// The dense-layer kernels of `Linear` for eight packed runs (see PackedTraining.swift): every
// scalar of a run is one lane of a `Lanes` value, and each lane performs exactly the operations of
// the one-run kernel in the same order, which is stated on each function. Plain loops, no
// allocation; several independent sums per loop so that the adds' latency overlaps.

/// The row stride, in `Lanes`, of a packed matrix with `units` columns: `units` rounded up to 2
/// modulo 4, so that a row spans an odd number of 64-byte cache lines. With the plain stride, a
/// width of 128 puts rows exactly 4 KiB apart, and a column block's rows (the weights a forward
/// block reads for every input, a gradient's rows summed over the batch) all fall into the same
/// few sets of the L1 cache and evict each other.
@inline(__always)
func paddedStride(_ units: Int) -> Int { units + (6 - units % 4) % 4 }

/// `Linear`'s dense layer y = x Wᵀ + b for packed runs. Every [rows x units] matrix (inputs,
/// outputs, their gradients, the weights) has the row stride `paddedStride(units)`.
enum PackedLinear {
    /// Forward, input-major (Wᵀ [inputs x outputs]): y[r,j] = b[j] + Σ_i x[r,i] Wᵀ[i,j], i ascending,
    /// the sum started at the bias, as `Linear.forwardInputMajor`.
    static func forwardInputMajor(weights w: UnsafePointer<Lanes>, bias b: UnsafePointer<Lanes>, input: UnsafePointer<Lanes>,
                                  output: UnsafeMutablePointer<Lanes>, rows: Int, inputs m: Int, outputs n: Int) {
        // Columns outer, rows inner, so that a block's slice of Wᵀ stays in L1 across the rows.
        let sx = paddedStride(m), sy = paddedStride(n)
        var j = 0
        while j + 4 <= n {
            var r = 0
            while r < rows {   // two rows at a time share each load of Wᵀ (the last row of an odd batch twice)
                let second = min(r + 1, rows - 1)
                let x = input + r * sx, x2 = input + second * sx
                var s0 = b[j], s1 = b[j + 1], s2 = b[j + 2], s3 = b[j + 3]
                var t0 = s0, t1 = s1, t2 = s2, t3 = s3
                for i in 0..<m {
                    let xi = x[i], x2i = x2[i], row = w + i * sy + j
                    let w0 = row[0], w1 = row[1], w2 = row[2], w3 = row[3]
                    s0 += xi * w0
                    s1 += xi * w1
                    s2 += xi * w2
                    s3 += xi * w3
                    t0 += x2i * w0
                    t1 += x2i * w1
                    t2 += x2i * w2
                    t3 += x2i * w3
                }
                let y = output + r * sy + j, y2 = output + second * sy + j
                (y2[0], y2[1], y2[2], y2[3]) = (t0, t1, t2, t3)
                (y[0], y[1], y[2], y[3]) = (s0, s1, s2, s3)
                r += 2
            }
            j += 4
        }
        while j < n {
            for r in 0..<rows {
                let x = input + r * sx
                var sum = b[j]
                for i in 0..<m { sum += x[i] * w[i * sy + j] }
                output[r * sy + j] = sum
            }
            j += 1
        }
    }

    /// Forward, output-major (W [outputs x inputs]): y[r,o] = b[o] + dot(x[r], W[o]) in `dot`'s
    /// order, as `Linear.forwardOutputMajor`.
    static func forwardOutputMajor(weights w: UnsafePointer<Lanes>, bias b: UnsafePointer<Lanes>, input: UnsafePointer<Lanes>,
                                   output: UnsafeMutablePointer<Lanes>, rows: Int, inputs m: Int, outputs n: Int) {
        let sx = paddedStride(m), sy = paddedStride(n)
        for r in 0..<rows {
            let x = input + r * sx, y = output + r * sy
            for o in 0..<n { y[o] = b[o] + packedDot(x, w + o * sx, count: m) }
        }
    }

    /// Backward, input-major, as `Linear.backwardInputMajor`: dWᵀ[i,j] = Σ_r x[r,i] dy[r,j] (from
    /// zero, r ascending); db = dy[0] + dy[1] + ... (from row 0's value); dx[r,i] = dot(dy[r], Wᵀ[i])
    /// in `dot`'s order, only when `inputGradient` is given.
    static func backwardInputMajor(weights w: UnsafePointer<Lanes>, input: UnsafePointer<Lanes>, outputGradient dy: UnsafePointer<Lanes>,
                                   weightGradient gW: UnsafeMutablePointer<Lanes>, biasGradient gB: UnsafeMutablePointer<Lanes>,
                                   inputGradient dx: UnsafeMutablePointer<Lanes>?, rows: Int, inputs m: Int, outputs n: Int) {
        let sx = paddedStride(m), sy = paddedStride(n)
        packedSumOverRows(into: gW, outputs: m, weights: input, weightStride: sx, rows: dy, rowStride: sy, count: rows, width: n)
        gB.update(from: dy, count: n)
        for r in 1..<max(rows, 1) {
            for j in 0..<n { gB[j] += dy[r * sy + j] }   // `addScaled(gB, 1, dy)`: 1 · x = x exactly
        }
        guard let dx else { return }
        for r in 0..<rows {
            for i in 0..<m { dx[r * sx + i] = packedDot(dy + r * sy, w + i * sy, count: n) }
        }
    }

    /// Backward, output-major, as `Linear.backwardOutputMajor`: db[o] = Σ_r dy[r,o] (from zero);
    /// dW[o,i] = Σ_r dy[r,o] x[r,i] (from zero); dx[r,i] = Σ_o dy[r,o] W[o,i] (from zero, o
    /// ascending), only when `inputGradient` is given.
    static func backwardOutputMajor(weights w: UnsafePointer<Lanes>, input: UnsafePointer<Lanes>, outputGradient dy: UnsafePointer<Lanes>,
                                    weightGradient gW: UnsafeMutablePointer<Lanes>, biasGradient gB: UnsafeMutablePointer<Lanes>,
                                    inputGradient dx: UnsafeMutablePointer<Lanes>?, rows: Int, inputs m: Int, outputs n: Int) {
        let sx = paddedStride(m), sy = paddedStride(n)
        gB.update(repeating: Lanes(), count: n)
        for r in 0..<rows {
            for o in 0..<n { gB[o] += dy[r * sy + o] }
        }
        packedSumOverRows(into: gW, outputs: n, weights: dy, weightStride: sy, rows: input, rowStride: sx, count: rows, width: m)
        guard let dx else { return }
        for r in 0..<rows {
            let g = dy + r * sy, target = dx + r * sx
            var i = 0
            while i + 4 <= m {
                var s0 = Lanes(), s1 = Lanes(), s2 = Lanes(), s3 = Lanes()
                for o in 0..<n {
                    let go = g[o], row = w + o * sx + i
                    s0 += go * row[0]
                    s1 += go * row[1]
                    s2 += go * row[2]
                    s3 += go * row[3]
                }
                (target[i], target[i + 1], target[i + 2], target[i + 3]) = (s0, s1, s2, s3)
                i += 4
            }
            while i < m {
                var sum = Lanes()
                for o in 0..<n { sum += g[o] * w[o * sx + i] }
                target[i] = sum
                i += 1
            }
        }
    }
}

/// `sumOverRows` for packed runs: target[o, j] = Σ_r weights[r, o] · rows[r, j] from zero, r
/// ascending (`target` with the row stride of `rows`). Blocks of four columns outer, so that a
/// block's slice of `rows` is read from memory once and stays in L1 for every output; two outputs by
/// four columns per pass (eight independent sums).
private func packedSumOverRows(into target: UnsafeMutablePointer<Lanes>, outputs: Int, weights: UnsafePointer<Lanes>, weightStride: Int,
                               rows: UnsafePointer<Lanes>, rowStride: Int, count: Int, width: Int) {
    var j = 0
    while j + 4 <= width {
        var o = 0
        while o < outputs {   // two outputs at a time (an odd last output twice, into the same place)
            let p = min(o + 1, outputs - 1)
            var s0 = Lanes(), s1 = Lanes(), s2 = Lanes(), s3 = Lanes(), t0 = Lanes(), t1 = Lanes(), t2 = Lanes(), t3 = Lanes()
            for r in 0..<count {
                let v = rows + r * rowStride + j, w0 = weights[r * weightStride + o], w1 = weights[r * weightStride + p]
                s0 += w0 * v[0]
                s1 += w0 * v[1]
                s2 += w0 * v[2]
                s3 += w0 * v[3]
                t0 += w1 * v[0]
                t1 += w1 * v[1]
                t2 += w1 * v[2]
                t3 += w1 * v[3]
            }
            let first = target + o * rowStride + j, second = target + p * rowStride + j
            (second[0], second[1], second[2], second[3]) = (t0, t1, t2, t3)
            (first[0], first[1], first[2], first[3]) = (s0, s1, s2, s3)
            o += 2
        }
        j += 4
    }
    while j < width {
        for o in 0..<outputs {
            var sum = Lanes()
            for r in 0..<count { sum += weights[r * weightStride + o] * rows[r * rowStride + j] }
            target[o * rowStride + j] = sum
        }
        j += 1
    }
}

/// `dot(a, b, count:)` lane by lane, in its exact order: position k of each block of eight sums
/// into an even (blocks 0, 2, 4, ... and a last unpaired block) and an odd (blocks 1, 3, ...)
/// partial; the partials are added position-wise, the eight positions summed in ascending order
/// (`SIMD8.sum`), then the scalar tail in ascending order.
@inline(__always)
private func packedDot(_ a: UnsafePointer<Lanes>, _ b: UnsafePointer<Lanes>, count: Int) -> Lanes {
    let pairs = count / 16, unpaired = count % 16 >= 8
    var e0 = Lanes(), e1 = Lanes(), e2 = Lanes(), e3 = Lanes(), e4 = Lanes(), e5 = Lanes(), e6 = Lanes(), e7 = Lanes()
    for block in stride(from: 0, to: 16 * pairs + (unpaired ? 16 : 0), by: 16) {
        let x = a + block, y = b + block
        e0 += x[0] * y[0]
        e1 += x[1] * y[1]
        e2 += x[2] * y[2]
        e3 += x[3] * y[3]
        e4 += x[4] * y[4]
        e5 += x[5] * y[5]
        e6 += x[6] * y[6]
        e7 += x[7] * y[7]
    }
    var o0 = Lanes(), o1 = Lanes(), o2 = Lanes(), o3 = Lanes(), o4 = Lanes(), o5 = Lanes(), o6 = Lanes(), o7 = Lanes()
    for block in stride(from: 8, to: 16 * pairs, by: 16) {
        let x = a + block, y = b + block
        o0 += x[0] * y[0]
        o1 += x[1] * y[1]
        o2 += x[2] * y[2]
        o3 += x[3] * y[3]
        o4 += x[4] * y[4]
        o5 += x[5] * y[5]
        o6 += x[6] * y[6]
        o7 += x[7] * y[7]
    }
    // SIMD8.sum() starts from -0, and -0 + v = v exactly, so the sum starts at the first position.
    var sum = e0 + o0
    sum += e1 + o1
    sum += e2 + o2
    sum += e3 + o3
    sum += e4 + o4
    sum += e5 + o5
    sum += e6 + o6
    sum += e7 + o7
    for j in (16 * pairs + (unpaired ? 8 : 0))..<count { sum += a[j] * b[j] }
    return sum
}
