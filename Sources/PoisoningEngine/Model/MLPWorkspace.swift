import Foundation

/// Scratch memory and the forward/backward kernels of a two-layer MLP for batches of up to
/// `capacity` rows. Everything is allocated once in `init`; the kernels never allocate.
///
/// Kernels take raw pointers to the parameter vector (layout `MLPShape`) and to row-major inputs.
/// One workspace belongs to one run on one thread.
final class MLPWorkspace {
    let shape: MLPShape
    let capacity: Int
    /// Post-ReLU hidden activations h [capacity x hidden].
    let hidden: UnsafeMutablePointer<Float>
    /// Logits z [capacity x classes]; `backward` overwrites them with dL/dz.
    let logits: UnsafeMutablePointer<Float>
    /// dL/d(pre-activation) of the hidden layer: dL/dh masked by the ReLU [capacity x hidden].
    let hiddenGradient: UnsafeMutablePointer<Float>
    /// dL/dθ in the parameter layout [parameterCount].
    let gradient: UnsafeMutablePointer<Float>

    init(shape: MLPShape, capacity: Int) {
        self.shape = shape
        self.capacity = capacity
        hidden = .allocate(capacity: capacity * shape.hidden)
        logits = .allocate(capacity: capacity * shape.classes)
        hiddenGradient = .allocate(capacity: capacity * shape.hidden)
        gradient = .allocate(capacity: shape.parameterCount)
    }

    deinit {
        hidden.deallocate()
        logits.deallocate()
        hiddenGradient.deallocate()
        gradient.deallocate()
    }

    /// Forward pass for `rows` inputs x [rows x inputs]:
    /// h = ReLU(x W1ᵀ + b1)  (h[r,j] = max(0, b1[j] + Σ_i x[r,i] W1[j,i]), i ascending),
    /// z = h W2ᵀ + b2        (z[r,c] = b2[c] + Σ_j h[r,j] W2[c,j], in the fixed order of `dot`).
    /// Layer 1 keeps the sums of 32 (then 8) hidden units in registers over i, block by block.
    func forward(parameters: UnsafePointer<Float>, inputs: UnsafePointer<Float>, rows: Int) {
        let d = shape.inputs, hSize = shape.hidden, c = shape.classes
        let w1 = parameters + shape.w1Offset, b1 = parameters + shape.b1Offset
        let w2 = parameters + shape.w2Offset, b2 = parameters + shape.b2Offset
        // Layer 1, a block of hidden units at a time for all rows, so the block of W1ᵀ stays in cache.
        var j = 0
        while j + 32 <= hSize {   // four independent sums per row at once
            for r in 0..<rows {
                let x = inputs + r * d, h = hidden + r * hSize + j
                var s0 = load8(b1 + j), s1 = load8(b1 + j + 8), s2 = load8(b1 + j + 16), s3 = load8(b1 + j + 24)
                for i in 0..<d {
                    let xi = x[i], row = w1 + i * hSize + j
                    s0 += xi * load8(row)
                    s1 += xi * load8(row + 8)
                    s2 += xi * load8(row + 16)
                    s3 += xi * load8(row + 24)
                }
                store8(h, relu(s0))
                store8(h + 8, relu(s1))
                store8(h + 16, relu(s2))
                store8(h + 24, relu(s3))
            }
            j += 32
        }
        while j + 8 <= hSize {
            for r in 0..<rows {
                let x = inputs + r * d
                var sum = load8(b1 + j)
                for i in 0..<d { sum += x[i] * load8(w1 + i * hSize + j) }
                store8(hidden + r * hSize + j, relu(sum))
            }
            j += 8
        }
        while j < hSize {
            for r in 0..<rows {
                let x = inputs + r * d
                var sum = b1[j]
                for i in 0..<d { sum += x[i] * w1[i * hSize + j] }
                hidden[r * hSize + j] = sum > 0 ? sum : 0
            }
            j += 1
        }
        // Layer 2.
        for r in 0..<rows {
            let h = hidden + r * hSize, z = logits + r * c
            for k in 0..<c { z[k] = b2[k] + dot(h, w2 + k * hSize, count: hSize) }
        }
    }

    /// Softmax cross-entropy of the logits from the last `forward` against `labels`, and the
    /// gradient of the batch-mean loss with respect to every parameter (into `gradient`).
    /// Returns the *sum* of the per-row losses.
    ///
    /// Per row: m = max z, lse = m + log Σ exp(z - m), loss = lse - z[y] (stable log-sum-exp);
    /// dL/dz = (softmax(z) - onehot(y)) / rows.
    /// Layer 2: dW2[c,j] = Σ_r dz[r,c] h[r,j];  db2[c] = Σ_r dz[r,c];  dh[r,j] = Σ_c dz[r,c] W2[c,j].
    /// ReLU:    da[r,j] = dh[r,j] if h[r,j] > 0 else 0.
    /// Layer 1: dW1ᵀ[i,j] = Σ_r x[r,i] da[r,j];  db1[j] = Σ_r da[r,j].
    /// Every sum runs in ascending r (or c), eight hidden units at a time with the sum in a register.
    func backward(parameters: UnsafePointer<Float>, inputs: UnsafePointer<Float>,
                  labels: UnsafePointer<Int>, rows: Int) -> Double {
        let d = shape.inputs, hSize = shape.hidden, c = shape.classes
        let w2 = parameters + shape.w2Offset
        let gW1 = gradient + shape.w1Offset, gB1 = gradient + shape.b1Offset
        let gW2 = gradient + shape.w2Offset, gB2 = gradient + shape.b2Offset
        let scale = 1 / Float(rows)
        var lossSum = 0.0

        // Softmax cross-entropy, dL/dz in place of z.
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
            lossSum += Double(logf(total) - shiftedTarget)   // lse - z[y] = log Σ exp(z - m) - (z[y] - m)
            let inverseTotal = 1 / total
            for k in 0..<c { z[k] = z[k] * inverseTotal * scale }
            z[label] -= scale
        }

        // Layer 2: db2[c] and dW2[c, j] summed over rows; then da[r, j] summed over classes, masked by ReLU.
        for k in 0..<c {
            var bias: Float = 0
            for r in 0..<rows { bias += logits[r * c + k] }
            gB2[k] = bias
        }
        sumOverRows(into: gW2, outputs: c, weights: logits, rows: hidden, count: rows)
        for r in 0..<rows {
            let dz = logits + r * c, h = hidden + r * hSize, da = hiddenGradient + r * hSize
            var j = 0
            while j + 8 <= hSize {
                var sum = SIMD8<Float>()
                for k in 0..<c { sum += dz[k] * load8(w2 + k * hSize + j) }
                store8(da + j, sum.replacing(with: 0, where: .!(load8(h + j) .> 0)))
                j += 8
            }
            while j < hSize {
                var sum: Float = 0
                for k in 0..<c { sum += dz[k] * w2[k * hSize + j] }
                da[j] = h[j] > 0 ? sum : 0
                j += 1
            }
        }

        // Layer 1: dW1ᵀ[i, j] and db1[j] summed over rows.
        sumOverRows(into: gW1, outputs: d, weights: inputs, rows: hiddenGradient, count: rows)
        // db1[j] = Σ_r da[r, j], row by row into the gradient (each a sum in ascending r; 1 · x = x exactly).
        gB1.update(from: hiddenGradient, count: hSize)
        for r in 1..<rows { addScaled(gB1, 1, hiddenGradient + r * hSize, count: hSize) }
        return lossSum
    }

    /// target[o, j] = Σ_r weights[r, o] · rows[r, j] over r ascending, for o in 0..<outputs and every
    /// hidden unit j; `weights` is [count x outputs], `rows` [count x hidden], `target` [outputs x hidden].
    /// Five outputs at a time share each load of a block of eight units of `rows`, so `rows` is read
    /// about outputs/5 times instead of once per output; their five sums run as independent chains.
    private func sumOverRows(into target: UnsafeMutablePointer<Float>, outputs: Int, weights: UnsafePointer<Float>,
                             rows: UnsafePointer<Float>, count: Int) {
        let hSize = shape.hidden
        let vectorEnd = hSize - hSize % 8
        var o = 0
        while o + 5 <= outputs {
            for j in stride(from: 0, to: vectorEnd, by: 8) {
                var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>(), s4 = SIMD8<Float>()
                for r in 0..<count {
                    let v = load8(rows + r * hSize + j), w = weights + r * outputs + o
                    s0 += w[0] * v
                    s1 += w[1] * v
                    s2 += w[2] * v
                    s3 += w[3] * v
                    s4 += w[4] * v
                }
                store8(target + o * hSize + j, s0)
                store8(target + (o + 1) * hSize + j, s1)
                store8(target + (o + 2) * hSize + j, s2)
                store8(target + (o + 3) * hSize + j, s3)
                store8(target + (o + 4) * hSize + j, s4)
            }
            o += 5
        }
        while o < outputs {
            for j in stride(from: 0, to: vectorEnd, by: 8) {
                var sum = SIMD8<Float>()
                for r in 0..<count { sum += weights[r * outputs + o] * load8(rows + r * hSize + j) }
                store8(target + o * hSize + j, sum)
            }
            o += 1
        }
        for o in 0..<outputs {
            for j in vectorEnd..<hSize {
                var sum: Float = 0
                for r in 0..<count { sum += weights[r * outputs + o] * rows[r * hSize + j] }
                target[o * hSize + j] = sum
            }
        }
    }

    /// The number of the `rows` inputs whose arg-max logit (first on ties) equals their label,
    /// evaluated in chunks of `capacity` rows.
    func correctCount(parameters: UnsafePointer<Float>, inputs: UnsafePointer<Float>,
                      labels: UnsafePointer<Int>, rows: Int) -> Int {
        var correct = 0
        var start = 0
        while start < rows {
            let chunk = min(capacity, rows - start)
            forward(parameters: parameters, inputs: inputs + start * shape.inputs, rows: chunk)
            for r in 0..<chunk {
                let z = logits + r * shape.classes
                var best = 0
                for k in 1..<shape.classes where z[k] > z[best] { best = k }
                if best == labels[start + r] { correct += 1 }
            }
            start += chunk
        }
        return correct
    }
}

// MARK: SIMD8 helpers
//
// Kernels over contiguous Float buffers, written with SIMD8 so that they vectorize whatever the
// compiler can prove about aliasing. Each lane does exactly the scalar IEEE operations (no fused
// multiply-add), so results do not depend on the vector width of the CPU. They live in this file
// so that debug builds, which compile file by file, still inline them into the kernels above.

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
