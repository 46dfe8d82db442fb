import Foundation
import PoisoningData
import PoisoningUtilities

// The fast kernels of the three layer types a network is made of: a dense layer (`Linear`), a ReLU
// and the softmax cross-entropy loss, each a paired forward and backward in the style of llm.c.
// They are plain loops over contiguous, row-major Float buffers; none allocates. `ReferenceKernels.swift`
// holds a naive version of each that the tests compare against.
//
// Every lane of the SIMD8 code does exactly the scalar IEEE operations (Swift never fuses a
// multiply and an add), so results do not depend on the vector width of the CPU. The kernels and
// their helpers share this one file so that debug builds, which optimise file by file, still inline
// the helpers.

/// A dense layer y = x Wᵀ + b over a batch of `rows` rows, with its weights in one of two layouts.
///
/// - `inputMajor` (hidden layers): Wᵀ is stored [inputs x outputs], so every loop runs along
///   contiguous outputs (the hidden units) and one block of outputs stays in registers.
/// - `outputMajor` (the classifier layer, few outputs): W is stored [outputs x inputs], as PyTorch
///   stores it, and each output is a dot product along contiguous inputs.
enum Linear {
    /// Forward, input-major: y[r,j] = b[j] + Σ_i x[r,i] Wᵀ[i,j], i ascending, sums started at the bias.
    /// Blocks of 32 (four independent SIMD8 sums), then 8 outputs, then a scalar tail, each block for
    /// all rows so that its slice of Wᵀ stays in cache.
    static func forwardInputMajor(weights w: UnsafePointer<Float>, bias b: UnsafePointer<Float>,
                                  input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                                  rows: Int, inputs d: Int, outputs n: Int) {
        var j = 0
        while j + 32 <= n {
            // Two rows at a time: eight independent sums, so that the adds' latency overlaps (an odd
            // batch's last row is computed twice, into the same place).
            var r = 0
            while r < rows {
                let second = min(r + 1, rows - 1)
                let x = input + r * d, x2 = input + second * d, y = output + r * n + j, y2 = output + second * n + j
                var s0 = load8(b + j), s1 = load8(b + j + 8), s2 = load8(b + j + 16), s3 = load8(b + j + 24)
                var t0 = s0, t1 = s1, t2 = s2, t3 = s3
                for i in 0..<d {
                    let row = w + i * n + j
                    let w0 = load8(row), w1 = load8(row + 8), w2 = load8(row + 16), w3 = load8(row + 24)
                    let xi = x[i], x2i = x2[i]
                    s0 += xi * w0
                    s1 += xi * w1
                    s2 += xi * w2
                    s3 += xi * w3
                    t0 += x2i * w0
                    t1 += x2i * w1
                    t2 += x2i * w2
                    t3 += x2i * w3
                }
                store8(y2, t0)
                store8(y2 + 8, t1)
                store8(y2 + 16, t2)
                store8(y2 + 24, t3)
                store8(y, s0)
                store8(y + 8, s1)
                store8(y + 16, s2)
                store8(y + 24, s3)
                r += 2
            }
            j += 32
        }
        while j + 8 <= n {
            for r in 0..<rows {
                let x = input + r * d
                var sum = load8(b + j)
                for i in 0..<d { sum += x[i] * load8(w + i * n + j) }
                store8(output + r * n + j, sum)
            }
            j += 8
        }
        while j < n {
            for r in 0..<rows {
                let x = input + r * d
                var sum = b[j]
                for i in 0..<d { sum += x[i] * w[i * n + j] }
                output[r * n + j] = sum
            }
            j += 1
        }
    }

    /// Forward, output-major: y[r,o] = b[o] + Σ_i x[r,i] W[o,i], the sum in the fixed order of `dot`.
    static func forwardOutputMajor(weights w: UnsafePointer<Float>, bias b: UnsafePointer<Float>,
                                   input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                                   rows: Int, inputs d: Int, outputs n: Int) {
        for r in 0..<rows {
            let x = input + r * d, y = output + r * n
            var o = 0
            while o + 4 <= n {   // four outputs share the loads of x; their sums are independent
                let sums = dot4(x, w + o * d, count: d)
                y[o] = b[o] + sums.0
                y[o + 1] = b[o + 1] + sums.1
                y[o + 2] = b[o + 2] + sums.2
                y[o + 3] = b[o + 3] + sums.3
                o += 4
            }
            while o < n {
                y[o] = b[o] + dot(x, w + o * d, count: d)
                o += 1
            }
        }
    }

    /// Backward, input-major, from dL/dy [rows x outputs]:
    /// dWᵀ[i,j] = Σ_r x[r,i] dy[r,j];  db[j] = Σ_r dy[r,j] (row by row, from row 0);
    /// dx[r,i] = Σ_j dy[r,j] Wᵀ[i,j] (in the order of `dot`), only when `inputGradient` is given.
    static func backwardInputMajor(weights w: UnsafePointer<Float>, input: UnsafePointer<Float>,
                                   outputGradient dy: UnsafePointer<Float>,
                                   weightGradient gW: UnsafeMutablePointer<Float>, biasGradient gB: UnsafeMutablePointer<Float>,
                                   inputGradient dx: UnsafeMutablePointer<Float>?, rows: Int, inputs d: Int, outputs n: Int) {
        sumOverRows(into: gW, outputs: d, weights: input, rows: dy, count: rows, width: n)
        gB.update(from: dy, count: n)
        for r in 1..<max(rows, 1) { addScaled(gB, 1, dy + r * n, count: n) }   // 1 · x = x exactly
        guard let dx else { return }
        inputGradientInputMajor(weights: w, outputGradient: dy, inputGradient: dx, rows: rows, inputs: d, outputs: n)
    }

    /// dx[r,i] = Σ_j dy[r,j] Wᵀ[i,j] for an input-major layer, in the order of `dot` along
    /// contiguous outputs: the input gradient of `backwardInputMajor`.
    static func inputGradientInputMajor(weights w: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
                                        inputGradient dx: UnsafeMutablePointer<Float>, rows: Int, inputs d: Int, outputs n: Int) {
        for r in 0..<rows {
            for i in 0..<d { dx[r * d + i] = dot(dy + r * n, w + i * n, count: n) }
        }
    }

    /// Backward, output-major, from dL/dy [rows x outputs]:
    /// db[o] = Σ_r dy[r,o] (from 0);  dW[o,i] = Σ_r dy[r,o] x[r,i];
    /// dx[r,i] = Σ_o dy[r,o] W[o,i] (o ascending, from 0), only when `inputGradient` is given.
    static func backwardOutputMajor(weights w: UnsafePointer<Float>, input: UnsafePointer<Float>,
                                    outputGradient dy: UnsafePointer<Float>,
                                    weightGradient gW: UnsafeMutablePointer<Float>, biasGradient gB: UnsafeMutablePointer<Float>,
                                    inputGradient dx: UnsafeMutablePointer<Float>?, rows: Int, inputs d: Int, outputs n: Int) {
        // Row by row, so that the outputs' sums are independent chains.
        gB.update(repeating: 0, count: n)
        for r in 0..<rows {
            for o in 0..<n { gB[o] += dy[r * n + o] }
        }
        sumOverRows(into: gW, outputs: n, weights: dy, rows: input, count: rows, width: d)
        guard let dx else { return }
        inputGradientOutputMajor(weights: w, outputGradient: dy, inputGradient: dx, rows: rows, inputs: d, outputs: n)
    }

    /// dx[r,i] = Σ_o dy[r,o] W[o,i] for an output-major layer (o ascending, from 0): the input
    /// gradient of `backwardOutputMajor`.
    static func inputGradientOutputMajor(weights w: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
                                         inputGradient dx: UnsafeMutablePointer<Float>, rows: Int, inputs d: Int, outputs n: Int) {
        for r in 0..<rows {
            let g = dy + r * n, target = dx + r * d
            var i = 0
            while i + 32 <= d {   // four independent sums of eight inputs each
                var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
                for o in 0..<n {
                    let go = g[o], row = w + o * d + i
                    s0 += go * load8(row)
                    s1 += go * load8(row + 8)
                    s2 += go * load8(row + 16)
                    s3 += go * load8(row + 24)
                }
                store8(target + i, s0)
                store8(target + i + 8, s1)
                store8(target + i + 16, s2)
                store8(target + i + 24, s3)
                i += 32
            }
            while i + 8 <= d {
                var sum = SIMD8<Float>()
                for o in 0..<n { sum += g[o] * load8(w + o * d + i) }
                store8(target + i, sum)
                i += 8
            }
            while i < d {
                var sum: Float = 0
                for o in 0..<n { sum += g[o] * w[o * d + i] }
                target[i] = sum
                i += 1
            }
        }
    }
}

/// The rectifier h = max(0, a), applied in place to the output of the layer before it.
enum ReLU {
    /// Forward, in place: v ← v if v > 0 else 0 (NaN becomes 0).
    static func forward(_ values: UnsafeMutablePointer<Float>, count: Int) {
        var j = 0
        while j + 8 <= count {
            store8(values + j, relu(load8(values + j)))
            j += 8
        }
        while j < count {
            values[j] = values[j] > 0 ? values[j] : 0
            j += 1
        }
    }

    /// Backward, in place: dL/da = dL/dh where h > 0, else 0 (h is the forward output).
    static func backward(_ gradient: UnsafeMutablePointer<Float>, activations h: UnsafePointer<Float>, count: Int) {
        var j = 0
        while j + 8 <= count {
            store8(gradient + j, load8(gradient + j).replacing(with: 0, where: .!(load8(h + j) .> 0)))
            j += 8
        }
        while j < count {
            if !(h[j] > 0) { gradient[j] = 0 }
            j += 1
        }
    }
}

/// Softmax cross-entropy of logits z against integer labels, with the stable log-sum-exp:
/// per row m = max z, loss = log Σ exp(z - m) - (z[y] - m).
enum SoftmaxCrossEntropy {
    /// The loss of each row into `losses` (logits unchanged).
    static func forward(logits: UnsafePointer<Float>, labels: UnsafePointer<Int>, losses: UnsafeMutablePointer<Double>,
                        rows: Int, classes c: Int) {
        for r in 0..<rows {
            let z = logits + r * c
            var maximum = z[0]
            for k in 1..<c where z[k] > maximum { maximum = z[k] }
            var total: Float = 0
            for k in 0..<c { total += expf(z[k] - maximum) }
            losses[r] = Double(logf(total) - (z[labels[r]] - maximum))
        }
    }

    /// Each row's softmax p = exp(z - m) / Σ exp(z - m), m = max z, into `probabilities` [rows x c]
    /// (logits unchanged): what the input-gradient penalty and the input Hessian start from.
    static func probabilities(of logits: UnsafePointer<Float>, into probabilities: UnsafeMutablePointer<Float>,
                              rows: Int, classes c: Int) {
        for r in 0..<rows {
            let z = logits + r * c, p = probabilities + r * c
            var maximum = z[0]
            for k in 1..<c where z[k] > maximum { maximum = z[k] }
            var total: Float = 0
            for k in 0..<c {
                p[k] = expf(z[k] - maximum)
                total += p[k]
            }
            let inverse = 1 / total
            for k in 0..<c { p[k] *= inverse }
        }
    }

    /// Forward and backward of the batch-mean loss at once, in place: the logits become
    /// dL/dz = (softmax(z) - onehot(y)) / rows. Returns the *sum* of the per-row losses. With label
    /// smoothing ε > 0 the targets are t_k = (1 - ε) [k = y] + ε / c, the loss of a row
    /// log Σ exp(z - m) - Σ_k t_k (z_k - m) and dL/dz = (softmax(z) - t) / rows.
    static func forwardBackward(logits: UnsafeMutablePointer<Float>, labels: UnsafePointer<Int>,
                                rows: Int, classes c: Int, smoothing: Float = 0) -> Double {
        if smoothing > 0 { return smoothedForwardBackward(logits: logits, labels: labels, rows: rows, classes: c, smoothing: smoothing) }
        let scale = 1 / Float(rows)
        var lossSum = 0.0
        for r in 0..<rows {
            let z = logits + r * c
            var maximum = z[0]
            for k in 1..<c where z[k] > maximum { maximum = z[k] }
            let label = labels[r]
            let shiftedTarget = z[label] - maximum
            var total: Float = 0
            for k in 0..<c {
                z[k] = expf(z[k] - maximum)   // z now holds exp(z - m)
                total += z[k]
            }
            lossSum += Double(logf(total) - shiftedTarget)
            let inverseTotal = 1 / total
            for k in 0..<c { z[k] = z[k] * inverseTotal * scale }
            z[label] -= scale
        }
        return lossSum
    }

    /// `forwardBackward` with label smoothing ε > 0.
    private static func smoothedForwardBackward(logits: UnsafeMutablePointer<Float>, labels: UnsafePointer<Int>,
                                                rows: Int, classes c: Int, smoothing: Float) -> Double {
        let scale = 1 / Float(rows), spread = smoothing / Float(c), onLabel = 1 - smoothing
        var lossSum = 0.0
        for r in 0..<rows {
            let z = logits + r * c
            var maximum = z[0]
            for k in 1..<c where z[k] > maximum { maximum = z[k] }
            let label = labels[r]
            var targetDot: Float = onLabel * (z[label] - maximum)
            var total: Float = 0
            for k in 0..<c {
                targetDot += spread * (z[k] - maximum)
                z[k] = expf(z[k] - maximum)
                total += z[k]
            }
            lossSum += Double(logf(total) - targetDot)
            let inverseTotal = 1 / total
            for k in 0..<c { z[k] = (z[k] * inverseTotal - spread) * scale }
            z[label] -= onLabel * scale
        }
        return lossSum
    }
}

// MARK: Helpers

/// target[o, j] = Σ_r weights[r, o] · rows[r, j] over r ascending, for o in 0..<outputs and j in
/// 0..<width; `weights` is [count x outputs], `rows` [count x width], `target` [outputs x width].
/// Five outputs at a time share each load of a block of eight columns of `rows`, so `rows` is read
/// about outputs/5 times instead of once per output; their five sums run as independent chains.
@inline(__always)
func sumOverRows(into target: UnsafeMutablePointer<Float>, outputs: Int, weights: UnsafePointer<Float>,
                 rows: UnsafePointer<Float>, count: Int, width: Int) {
    let vectorEnd = width - width % 8
    var o = 0
    while o + 5 <= outputs {
        var j = 0
        while j < vectorEnd {   // two blocks of columns, ten independent sums (a last odd block twice)
            let k = min(j + 8, vectorEnd - 8)
            var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>(), s4 = SIMD8<Float>()
            var t0 = SIMD8<Float>(), t1 = SIMD8<Float>(), t2 = SIMD8<Float>(), t3 = SIMD8<Float>(), t4 = SIMD8<Float>()
            for r in 0..<count {
                let v = load8(rows + r * width + j), u = load8(rows + r * width + k), w = weights + r * outputs + o
                let w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3], w4 = w[4]
                s0 += w0 * v
                s1 += w1 * v
                s2 += w2 * v
                s3 += w3 * v
                s4 += w4 * v
                t0 += w0 * u
                t1 += w1 * u
                t2 += w2 * u
                t3 += w3 * u
                t4 += w4 * u
            }
            store8(target + o * width + k, t0)
            store8(target + (o + 1) * width + k, t1)
            store8(target + (o + 2) * width + k, t2)
            store8(target + (o + 3) * width + k, t3)
            store8(target + (o + 4) * width + k, t4)
            store8(target + o * width + j, s0)
            store8(target + (o + 1) * width + j, s1)
            store8(target + (o + 2) * width + j, s2)
            store8(target + (o + 3) * width + j, s3)
            store8(target + (o + 4) * width + j, s4)
            j += 16
        }
        o += 5
    }
    while o < outputs {
        for j in stride(from: 0, to: vectorEnd, by: 8) {
            var sum = SIMD8<Float>()
            for r in 0..<count { sum += weights[r * outputs + o] * load8(rows + r * width + j) }
            store8(target + o * width + j, sum)
        }
        o += 1
    }
    for o in 0..<outputs {
        for j in vectorEnd..<width {
            var sum: Float = 0
            for r in 0..<count { sum += weights[r * outputs + o] * rows[r * width + j] }
            target[o * width + j] = sum
        }
    }
}

/// y[j] += a · x[j] for j in 0..<count.
@inline(__always)
func addScaled(_ y: UnsafeMutablePointer<Float>, _ a: Float, _ x: UnsafePointer<Float>, count: Int) {
    let scale = SIMD8<Float>(repeating: a)
    var j = 0
    while j + 8 <= count {
        store8(y + j, load8(y + j) + scale * load8(x + j))
        j += 8
    }
    while j < count {
        y[j] += a * x[j]
        j += 1
    }
}

/// Σ_j a[j] · b[j] in a fixed order: two SIMD8 partial sums over alternate blocks of eight, added
/// lane-wise, then summed across lanes, then the scalar tail in ascending j.
@inline(__always)
func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    var even = SIMD8<Float>(), odd = SIMD8<Float>()
    var j = 0
    while j + 16 <= count {
        even += load8(a + j) * load8(b + j)
        odd += load8(a + j + 8) * load8(b + j + 8)
        j += 16
    }
    if j + 8 <= count {
        even += load8(a + j) * load8(b + j)
        j += 8
    }
    var sum = (even + odd).sum()
    while j < count {
        sum += a[j] * b[j]
        j += 1
    }
    return sum
}

/// `dot(a, b + k · count, count:)` for k = 0, 1, 2, 3 (four consecutive rows of a row-major
/// matrix), each in exactly `dot`'s order; the four share every load of `a`.
@inline(__always)
func dot4(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> (Float, Float, Float, Float) {
    let b1 = b + count, b2 = b1 + count, b3 = b2 + count
    var even0 = SIMD8<Float>(), odd0 = SIMD8<Float>(), even1 = SIMD8<Float>(), odd1 = SIMD8<Float>()
    var even2 = SIMD8<Float>(), odd2 = SIMD8<Float>(), even3 = SIMD8<Float>(), odd3 = SIMD8<Float>()
    var j = 0
    while j + 16 <= count {
        let low = load8(a + j), high = load8(a + j + 8)
        even0 += low * load8(b + j)
        odd0 += high * load8(b + j + 8)
        even1 += low * load8(b1 + j)
        odd1 += high * load8(b1 + j + 8)
        even2 += low * load8(b2 + j)
        odd2 += high * load8(b2 + j + 8)
        even3 += low * load8(b3 + j)
        odd3 += high * load8(b3 + j + 8)
        j += 16
    }
    if j + 8 <= count {
        let low = load8(a + j)
        even0 += low * load8(b + j)
        even1 += low * load8(b1 + j)
        even2 += low * load8(b2 + j)
        even3 += low * load8(b3 + j)
        j += 8
    }
    var sum0 = (even0 + odd0).sum(), sum1 = (even1 + odd1).sum(), sum2 = (even2 + odd2).sum(), sum3 = (even3 + odd3).sum()
    while j < count {
        sum0 += a[j] * b[j]
        sum1 += a[j] * b1[j]
        sum2 += a[j] * b2[j]
        sum3 += a[j] * b3[j]
        j += 1
    }
    return (sum0, sum1, sum2, sum3)
}

/// Eight consecutive Floats from `pointer` (no alignment needed).
@inline(__always)
func load8(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
}

/// Stores eight Floats at `pointer` (no alignment needed).
@inline(__always)
func store8(_ pointer: UnsafeMutablePointer<Float>, _ value: SIMD8<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
}

/// ReLU of eight lanes: v if v > 0 else 0 (NaN becomes 0).
@inline(__always)
func relu(_ v: SIMD8<Float>) -> SIMD8<Float> {
    v.replacing(with: 0, where: .!(v .> 0))
}
