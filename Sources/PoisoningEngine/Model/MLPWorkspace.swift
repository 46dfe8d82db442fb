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
    /// dL/dh, then masked in place to dL/d(pre-activation) [capacity x hidden].
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
    /// h = ReLU(x W1ᵀ + b1)  (h[r,j] = max(0, b1[j] + Σ_i x[r,i] W1[j,i])),
    /// z = h W2ᵀ + b2        (z[r,c] = b2[c] + Σ_j h[r,j] W2[c,j]).
    func forward(parameters: UnsafePointer<Float>, inputs: UnsafePointer<Float>, rows: Int) {
        let d = shape.inputs, hSize = shape.hidden, c = shape.classes
        let w1 = parameters + shape.w1Offset, b1 = parameters + shape.b1Offset
        let w2 = parameters + shape.w2Offset, b2 = parameters + shape.b2Offset
        for r in 0..<rows {
            let x = inputs + r * d
            let h = hidden + r * hSize
            for j in 0..<hSize {
                let weights = w1 + j * d
                var sum = b1[j]
                for i in 0..<d { sum += x[i] * weights[i] }
                h[j] = sum > 0 ? sum : 0
            }
            let z = logits + r * c
            for k in 0..<c {
                let weights = w2 + k * hSize
                var sum = b2[k]
                for j in 0..<hSize { sum += h[j] * weights[j] }
                z[k] = sum
            }
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
    /// Layer 1: dW1[j,i] = Σ_r da[r,j] x[r,i];  db1[j] = Σ_r da[r,j].
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

        // Layer 2 backward.
        gradient.update(repeating: 0, count: shape.parameterCount)
        for r in 0..<rows {
            let dz = logits + r * c
            let h = hidden + r * hSize
            for k in 0..<c {
                let g = dz[k]
                gB2[k] += g
                let row = gW2 + k * hSize
                for j in 0..<hSize { row[j] += g * h[j] }
            }
        }
        for r in 0..<rows {
            let dz = logits + r * c
            let h = hidden + r * hSize
            let da = hiddenGradient + r * hSize
            for j in 0..<hSize { da[j] = 0 }
            for k in 0..<c {
                let g = dz[k]
                let weights = w2 + k * hSize
                for j in 0..<hSize { da[j] += g * weights[j] }
            }
            // ReLU backward: the gradient passes only where the unit was active.
            for j in 0..<hSize where h[j] <= 0 { da[j] = 0 }
        }

        // Layer 1 backward.
        for r in 0..<rows {
            let da = hiddenGradient + r * hSize
            let x = inputs + r * d
            for j in 0..<hSize {
                let g = da[j]
                gB1[j] += g
                let row = gW1 + j * d
                for i in 0..<d { row[i] += g * x[i] }
            }
        }
        return lossSum
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
