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

/// Whether the build targets a CPU with 32 vector registers (AVX-512; set by Package.swift), where the
/// kernels' 4 x 32 register blocks (sixteen sums plus their operands) fit without spilling. With 16
/// registers (AVX2) the largest blocks are 4 x 16.
#if WIDE_VECTOR_REGISTER_FILE
let hasWideVectorRegisterFile = true
#else
let hasWideVectorRegisterFile = false
#endif

/// A dense layer y = x Wᵀ + b over a batch of `rows` rows, with its weights in one of two layouts.
///
/// - `inputMajor` (hidden layers): Wᵀ is stored [inputs x outputs], so every loop runs along
///   contiguous outputs (the hidden units) and one block of outputs stays in registers.
/// - `outputMajor` (the classifier layer, few outputs): W is stored [outputs x inputs], as PyTorch
///   stores it, and each output is a dot product along contiguous inputs.
enum Linear {
    /// Forward, input-major: y[r,j] = b[j] + Σ_i x[r,i] Wᵀ[i,j], i ascending, sums started at the bias.
    /// Register blocks of four rows by 32 outputs where the vector register file holds their sixteen
    /// sums (`hasWideVectorRegisterFile`), then 16 and 8 outputs, then a scalar tail; each block of
    /// outputs for all rows, so that its slice of Wᵀ stays in cache. Blocking changes only which sums
    /// run side by side, never the order of one sum: the result is the scalar loop's, bit for bit.
    static func forwardInputMajor(weights w: UnsafePointer<Float>, bias b: UnsafePointer<Float>,
                                  input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                                  rows: Int, inputs d: Int, outputs n: Int) {
        var j = 0
        if hasWideVectorRegisterFile {
            while j + 32 <= n {
                forwardBlock32(weights: w, bias: b, input: input, output: output, rows: rows, inputs: d, outputs: n, from: j)
                j += 32
            }
        }
        while j + 16 <= n {
            forwardBlock16(weights: w, bias: b, input: input, output: output, rows: rows, inputs: d, outputs: n, from: j)
            j += 16
        }
        while j + 8 <= n {
            forwardBlock8(weights: w, bias: b, input: input, output: output, rows: rows, inputs: d, outputs: n, from: j)
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

    /// Outputs j..<j+32 of `forwardInputMajor` for every row, four rows at a time: 16 independent
    /// SIMD8 sums, so that each step's 4 loads of Wᵀ and four of x serve 16 products. A batch's last
    /// rows repeat its final row (the same sums, stored twice in one place).
    @inline(__always)
    static func forwardBlock32(weights w: UnsafePointer<Float>, bias b: UnsafePointer<Float>,
                              input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                              rows: Int, inputs d: Int, outputs n: Int, from j: Int) {
        var r = 0
        while r < rows {
            let r1 = min(r + 1, rows - 1), r2 = min(r + 2, rows - 1), r3 = min(r + 3, rows - 1)
            let x0 = input + r * d, x1 = input + r1 * d, x2 = input + r2 * d, x3 = input + r3 * d
            let bias0 = load8(b + j), bias1 = load8(b + j + 8), bias2 = load8(b + j + 16), bias3 = load8(b + j + 24)
            var s00 = bias0, s01 = bias1, s02 = bias2, s03 = bias3
            var s10 = bias0, s11 = bias1, s12 = bias2, s13 = bias3
            var s20 = bias0, s21 = bias1, s22 = bias2, s23 = bias3
            var s30 = bias0, s31 = bias1, s32 = bias2, s33 = bias3
            for i in 0..<d {
                let row = w + i * n + j
                let w0 = load8(row), w1 = load8(row + 8), w2 = load8(row + 16), w3 = load8(row + 24)
                let a = x0[i]
                s00 += a * w0
                s01 += a * w1
                s02 += a * w2
                s03 += a * w3
                let c = x1[i]
                s10 += c * w0
                s11 += c * w1
                s12 += c * w2
                s13 += c * w3
                let e = x2[i]
                s20 += e * w0
                s21 += e * w1
                s22 += e * w2
                s23 += e * w3
                let f = x3[i]
                s30 += f * w0
                s31 += f * w1
                s32 += f * w2
                s33 += f * w3
            }
            store8(output + r3 * n + j, s30)
            store8(output + r3 * n + j + 8, s31)
            store8(output + r3 * n + j + 16, s32)
            store8(output + r3 * n + j + 24, s33)
            store8(output + r2 * n + j, s20)
            store8(output + r2 * n + j + 8, s21)
            store8(output + r2 * n + j + 16, s22)
            store8(output + r2 * n + j + 24, s23)
            store8(output + r1 * n + j, s10)
            store8(output + r1 * n + j + 8, s11)
            store8(output + r1 * n + j + 16, s12)
            store8(output + r1 * n + j + 24, s13)
            store8(output + r * n + j, s00)
            store8(output + r * n + j + 8, s01)
            store8(output + r * n + j + 16, s02)
            store8(output + r * n + j + 24, s03)
            r += 4
        }
    }

    /// Outputs j..<j+16 of `forwardInputMajor` for every row, four rows at a time: 8 independent
    /// SIMD8 sums, so that each step's 2 loads of Wᵀ and four of x serve 8 products. A batch's last
    /// rows repeat its final row (the same sums, stored twice in one place).
    @inline(__always)
    static func forwardBlock16(weights w: UnsafePointer<Float>, bias b: UnsafePointer<Float>,
                              input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                              rows: Int, inputs d: Int, outputs n: Int, from j: Int) {
        var r = 0
        while r < rows {
            let r1 = min(r + 1, rows - 1), r2 = min(r + 2, rows - 1), r3 = min(r + 3, rows - 1)
            let x0 = input + r * d, x1 = input + r1 * d, x2 = input + r2 * d, x3 = input + r3 * d
            let bias0 = load8(b + j), bias1 = load8(b + j + 8)
            var s00 = bias0, s01 = bias1
            var s10 = bias0, s11 = bias1
            var s20 = bias0, s21 = bias1
            var s30 = bias0, s31 = bias1
            for i in 0..<d {
                let row = w + i * n + j
                let w0 = load8(row), w1 = load8(row + 8)
                let a = x0[i]
                s00 += a * w0
                s01 += a * w1
                let c = x1[i]
                s10 += c * w0
                s11 += c * w1
                let e = x2[i]
                s20 += e * w0
                s21 += e * w1
                let f = x3[i]
                s30 += f * w0
                s31 += f * w1
            }
            store8(output + r3 * n + j, s30)
            store8(output + r3 * n + j + 8, s31)
            store8(output + r2 * n + j, s20)
            store8(output + r2 * n + j + 8, s21)
            store8(output + r1 * n + j, s10)
            store8(output + r1 * n + j + 8, s11)
            store8(output + r * n + j, s00)
            store8(output + r * n + j + 8, s01)
            r += 4
        }
    }

    /// Outputs j..<j+8 of `forwardInputMajor` for every row, four rows at a time: 4 independent
    /// SIMD8 sums, so that each step's 1 loads of Wᵀ and four of x serve 4 products. A batch's last
    /// rows repeat its final row (the same sums, stored twice in one place).
    @inline(__always)
    static func forwardBlock8(weights w: UnsafePointer<Float>, bias b: UnsafePointer<Float>,
                              input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                              rows: Int, inputs d: Int, outputs n: Int, from j: Int) {
        var r = 0
        while r < rows {
            let r1 = min(r + 1, rows - 1), r2 = min(r + 2, rows - 1), r3 = min(r + 3, rows - 1)
            let x0 = input + r * d, x1 = input + r1 * d, x2 = input + r2 * d, x3 = input + r3 * d
            let bias0 = load8(b + j)
            var s00 = bias0
            var s10 = bias0
            var s20 = bias0
            var s30 = bias0
            for i in 0..<d {
                let row = w + i * n + j
                let w0 = load8(row)
                let a = x0[i]
                s00 += a * w0
                let c = x1[i]
                s10 += c * w0
                let e = x2[i]
                s20 += e * w0
                let f = x3[i]
                s30 += f * w0
            }
            store8(output + r3 * n + j, s30)
            store8(output + r2 * n + j, s20)
            store8(output + r1 * n + j, s10)
            store8(output + r * n + j, s00)
            r += 4
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

    /// dx[r,i] = Σ_j dy[r,j] Wᵀ[i,j] for an input-major layer, each in exactly the order of `dot`
    /// along contiguous outputs: the input gradient of `backwardInputMajor`. Register blocks of 4 rows
    /// x 2 inputs keep `dot`'s two partial sums for each of the eight pairs (sixteen SIMD8 sums), so
    /// each step's loads of dy and Wᵀ serve eight dot products; the last rows and input of a block
    /// repeat the final ones (the same sums, stored twice in one place).
    static func inputGradientInputMajor(weights w: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
                                        inputGradient dx: UnsafeMutablePointer<Float>, rows: Int, inputs d: Int, outputs n: Int) {
        var r = 0
        while r < rows {
            let rows4 = (r, min(r + 1, rows - 1), min(r + 2, rows - 1), min(r + 3, rows - 1))
            let g0 = dy + rows4.0 * n, g1 = dy + rows4.1 * n, g2 = dy + rows4.2 * n, g3 = dy + rows4.3 * n
            var i = 0
            while i < d {
                let i1 = min(i + 1, d - 1)
                let v0 = w + i * n, v1 = w + i1 * n
                // even/odd: `dot`'s partial sums over alternate blocks of eight; the first digit is the row.
                var even00 = SIMD8<Float>(), odd00 = SIMD8<Float>(), even01 = SIMD8<Float>(), odd01 = SIMD8<Float>()
                var even10 = SIMD8<Float>(), odd10 = SIMD8<Float>(), even11 = SIMD8<Float>(), odd11 = SIMD8<Float>()
                var even20 = SIMD8<Float>(), odd20 = SIMD8<Float>(), even21 = SIMD8<Float>(), odd21 = SIMD8<Float>()
                var even30 = SIMD8<Float>(), odd30 = SIMD8<Float>(), even31 = SIMD8<Float>(), odd31 = SIMD8<Float>()
                var j = 0
                while j + 16 <= n {
                    let low0 = load8(v0 + j), high0 = load8(v0 + j + 8), low1 = load8(v1 + j), high1 = load8(v1 + j + 8)
                    var low = load8(g0 + j), high = load8(g0 + j + 8)
                    even00 += low * low0
                    odd00 += high * high0
                    even01 += low * low1
                    odd01 += high * high1
                    low = load8(g1 + j)
                    high = load8(g1 + j + 8)
                    even10 += low * low0
                    odd10 += high * high0
                    even11 += low * low1
                    odd11 += high * high1
                    low = load8(g2 + j)
                    high = load8(g2 + j + 8)
                    even20 += low * low0
                    odd20 += high * high0
                    even21 += low * low1
                    odd21 += high * high1
                    low = load8(g3 + j)
                    high = load8(g3 + j + 8)
                    even30 += low * low0
                    odd30 += high * high0
                    even31 += low * low1
                    odd31 += high * high1
                    j += 16
                }
                if j + 8 <= n {
                    let low0 = load8(v0 + j), low1 = load8(v1 + j)
                    var low = load8(g0 + j)
                    even00 += low * low0
                    even01 += low * low1
                    low = load8(g1 + j)
                    even10 += low * low0
                    even11 += low * low1
                    low = load8(g2 + j)
                    even20 += low * low0
                    even21 += low * low1
                    low = load8(g3 + j)
                    even30 += low * low0
                    even31 += low * low1
                    j += 8
                }
                var sum00 = (even00 + odd00).sum(), sum01 = (even01 + odd01).sum()
                var sum10 = (even10 + odd10).sum(), sum11 = (even11 + odd11).sum()
                var sum20 = (even20 + odd20).sum(), sum21 = (even21 + odd21).sum()
                var sum30 = (even30 + odd30).sum(), sum31 = (even31 + odd31).sum()
                while j < n {
                    sum00 += g0[j] * v0[j]
                    sum01 += g0[j] * v1[j]
                    sum10 += g1[j] * v0[j]
                    sum11 += g1[j] * v1[j]
                    sum20 += g2[j] * v0[j]
                    sum21 += g2[j] * v1[j]
                    sum30 += g3[j] * v0[j]
                    sum31 += g3[j] * v1[j]
                    j += 1
                }
                dx[rows4.3 * d + i1] = sum31
                dx[rows4.3 * d + i] = sum30
                dx[rows4.2 * d + i1] = sum21
                dx[rows4.2 * d + i] = sum20
                dx[rows4.1 * d + i1] = sum11
                dx[rows4.1 * d + i] = sum10
                dx[rows4.0 * d + i1] = sum01
                dx[rows4.0 * d + i] = sum00
                i += 2
            }
            r += 4
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

/// target[o, j] = Σ_r weights[r, o] · rows[r, j] over r ascending, from zero, for o in 0..<outputs
/// and j in 0..<width; `weights` is [count x outputs], `rows` [count x width], `target` [outputs x width].
/// Register blocks of four outputs by 32 columns where the vector register file holds their sixteen
/// sums (`hasWideVectorRegisterFile`), then 16 and 8 columns, then a scalar tail; each block of
/// columns for all outputs, so that its slice of `rows` stays in cache. Each sum runs in the order of
/// the scalar loop, so the result is the same bit for bit.
@inline(__always)
func sumOverRows(into target: UnsafeMutablePointer<Float>, outputs: Int, weights: UnsafePointer<Float>,
                 rows: UnsafePointer<Float>, count: Int, width: Int) {
    let vectorEnd = width - width % 8
    var j = 0
    if hasWideVectorRegisterFile {
        while j + 32 <= vectorEnd {
            sumOverRowsBlock32(into: target, outputs: outputs, weights: weights, rows: rows, count: count, width: width, from: j)
            j += 32
        }
    }
    while j + 16 <= vectorEnd {
        sumOverRowsBlock16(into: target, outputs: outputs, weights: weights, rows: rows, count: count, width: width, from: j)
        j += 16
    }
    while j + 8 <= vectorEnd {
        sumOverRowsBlock8(into: target, outputs: outputs, weights: weights, rows: rows, count: count, width: width, from: j)
        j += 8
    }
    for o in 0..<outputs {
        for j in vectorEnd..<width {
            var sum: Float = 0
            for r in 0..<count { sum += weights[r * outputs + o] * rows[r * width + j] }
            target[o * width + j] = sum
        }
    }
}

/// Columns j..<j+32 of `sumOverRows` for every output, four outputs at a time: 16 independent
/// SIMD8 sums, so that each step's 4 loads of `rows` and four weights serve 16 products. The last
/// outputs of a block repeat the final one (the same sums, stored twice in one place).
@inline(__always)
func sumOverRowsBlock32(into target: UnsafeMutablePointer<Float>, outputs: Int, weights: UnsafePointer<Float>,
                          rows: UnsafePointer<Float>, count: Int, width: Int, from j: Int) {
    var o = 0
    while o < outputs {
        let o1 = min(o + 1, outputs - 1), o2 = min(o + 2, outputs - 1), o3 = min(o + 3, outputs - 1)
        var s00 = SIMD8<Float>(), s01 = SIMD8<Float>(), s02 = SIMD8<Float>(), s03 = SIMD8<Float>()
        var s10 = SIMD8<Float>(), s11 = SIMD8<Float>(), s12 = SIMD8<Float>(), s13 = SIMD8<Float>()
        var s20 = SIMD8<Float>(), s21 = SIMD8<Float>(), s22 = SIMD8<Float>(), s23 = SIMD8<Float>()
        var s30 = SIMD8<Float>(), s31 = SIMD8<Float>(), s32 = SIMD8<Float>(), s33 = SIMD8<Float>()
        for r in 0..<count {
            let v = rows + r * width + j, w = weights + r * outputs
            let v0 = load8(v), v1 = load8(v + 8), v2 = load8(v + 16), v3 = load8(v + 24)
            let a = w[o]
            s00 += a * v0
            s01 += a * v1
            s02 += a * v2
            s03 += a * v3
            let c = w[o1]
            s10 += c * v0
            s11 += c * v1
            s12 += c * v2
            s13 += c * v3
            let e = w[o2]
            s20 += e * v0
            s21 += e * v1
            s22 += e * v2
            s23 += e * v3
            let f = w[o3]
            s30 += f * v0
            s31 += f * v1
            s32 += f * v2
            s33 += f * v3
        }
        store8(target + o3 * width + j, s30)
        store8(target + o3 * width + j + 8, s31)
        store8(target + o3 * width + j + 16, s32)
        store8(target + o3 * width + j + 24, s33)
        store8(target + o2 * width + j, s20)
        store8(target + o2 * width + j + 8, s21)
        store8(target + o2 * width + j + 16, s22)
        store8(target + o2 * width + j + 24, s23)
        store8(target + o1 * width + j, s10)
        store8(target + o1 * width + j + 8, s11)
        store8(target + o1 * width + j + 16, s12)
        store8(target + o1 * width + j + 24, s13)
        store8(target + o * width + j, s00)
        store8(target + o * width + j + 8, s01)
        store8(target + o * width + j + 16, s02)
        store8(target + o * width + j + 24, s03)
        o += 4
    }
}

/// Columns j..<j+16 of `sumOverRows` for every output, four outputs at a time: 8 independent
/// SIMD8 sums, so that each step's 2 loads of `rows` and four weights serve 8 products. The last
/// outputs of a block repeat the final one (the same sums, stored twice in one place).
@inline(__always)
func sumOverRowsBlock16(into target: UnsafeMutablePointer<Float>, outputs: Int, weights: UnsafePointer<Float>,
                          rows: UnsafePointer<Float>, count: Int, width: Int, from j: Int) {
    var o = 0
    while o < outputs {
        let o1 = min(o + 1, outputs - 1), o2 = min(o + 2, outputs - 1), o3 = min(o + 3, outputs - 1)
        var s00 = SIMD8<Float>(), s01 = SIMD8<Float>()
        var s10 = SIMD8<Float>(), s11 = SIMD8<Float>()
        var s20 = SIMD8<Float>(), s21 = SIMD8<Float>()
        var s30 = SIMD8<Float>(), s31 = SIMD8<Float>()
        for r in 0..<count {
            let v = rows + r * width + j, w = weights + r * outputs
            let v0 = load8(v), v1 = load8(v + 8)
            let a = w[o]
            s00 += a * v0
            s01 += a * v1
            let c = w[o1]
            s10 += c * v0
            s11 += c * v1
            let e = w[o2]
            s20 += e * v0
            s21 += e * v1
            let f = w[o3]
            s30 += f * v0
            s31 += f * v1
        }
        store8(target + o3 * width + j, s30)
        store8(target + o3 * width + j + 8, s31)
        store8(target + o2 * width + j, s20)
        store8(target + o2 * width + j + 8, s21)
        store8(target + o1 * width + j, s10)
        store8(target + o1 * width + j + 8, s11)
        store8(target + o * width + j, s00)
        store8(target + o * width + j + 8, s01)
        o += 4
    }
}

/// Columns j..<j+8 of `sumOverRows` for every output, four outputs at a time: 4 independent
/// SIMD8 sums, so that each step's 1 loads of `rows` and four weights serve 4 products. The last
/// outputs of a block repeat the final one (the same sums, stored twice in one place).
@inline(__always)
func sumOverRowsBlock8(into target: UnsafeMutablePointer<Float>, outputs: Int, weights: UnsafePointer<Float>,
                          rows: UnsafePointer<Float>, count: Int, width: Int, from j: Int) {
    var o = 0
    while o < outputs {
        let o1 = min(o + 1, outputs - 1), o2 = min(o + 2, outputs - 1), o3 = min(o + 3, outputs - 1)
        var s00 = SIMD8<Float>()
        var s10 = SIMD8<Float>()
        var s20 = SIMD8<Float>()
        var s30 = SIMD8<Float>()
        for r in 0..<count {
            let v = rows + r * width + j, w = weights + r * outputs
            let v0 = load8(v)
            let a = w[o]
            s00 += a * v0
            let c = w[o1]
            s10 += c * v0
            let e = w[o2]
            s20 += e * v0
            let f = w[o3]
            s30 += f * v0
        }
        store8(target + o3 * width + j, s30)
        store8(target + o2 * width + j, s20)
        store8(target + o1 * width + j, s10)
        store8(target + o * width + j, s00)
        o += 4
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
