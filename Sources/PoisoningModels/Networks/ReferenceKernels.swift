import Foundation
import PoisoningData
import PoisoningUtilities

// Naive reference versions of the kernels in `Kernels.swift`: the same formulas as the simplest
// loops, with W always indexed as W[o, i] whatever the storage layout. They are slow and exist only
// so that the tests can check the fast kernels against them (equal up to float rounding, since the
// fast kernels sum in another order).

/// Naive dense layer: y = x Wᵀ + b and its backward pass.
enum ReferenceLinear {
    /// Where W[o, i] lives in the weight buffer of a layer with `inputs` inputs and `outputs` outputs.
    static func weightIndex(_ o: Int, _ i: Int, inputs: Int, outputs: Int, inputMajor: Bool) -> Int {
        inputMajor ? i * outputs + o : o * inputs + i
    }

    /// y[r,o] = b[o] + Σ_i x[r,i] W[o,i].
    static func forward(weights w: UnsafePointer<Float>, bias b: UnsafePointer<Float>, input x: UnsafePointer<Float>,
                        output y: UnsafeMutablePointer<Float>, rows: Int, inputs d: Int, outputs n: Int, inputMajor: Bool) {
        for r in 0..<rows {
            for o in 0..<n {
                var sum = b[o]
                for i in 0..<d { sum += x[r * d + i] * w[weightIndex(o, i, inputs: d, outputs: n, inputMajor: inputMajor)] }
                y[r * n + o] = sum
            }
        }
    }

    /// dW[o,i] = Σ_r dy[r,o] x[r,i];  db[o] = Σ_r dy[r,o];  dx[r,i] = Σ_o dy[r,o] W[o,i].
    static func backward(weights w: UnsafePointer<Float>, input x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
                         weightGradient gW: UnsafeMutablePointer<Float>, biasGradient gB: UnsafeMutablePointer<Float>,
                         inputGradient dx: UnsafeMutablePointer<Float>?, rows: Int, inputs d: Int, outputs n: Int,
                         inputMajor: Bool) {
        for o in 0..<n {
            var bias: Float = 0
            for r in 0..<rows { bias += dy[r * n + o] }
            gB[o] = bias
            for i in 0..<d {
                var sum: Float = 0
                for r in 0..<rows { sum += dy[r * n + o] * x[r * d + i] }
                gW[weightIndex(o, i, inputs: d, outputs: n, inputMajor: inputMajor)] = sum
            }
        }
        guard let dx else { return }
        for r in 0..<rows {
            for i in 0..<d {
                var sum: Float = 0
                for o in 0..<n { sum += dy[r * n + o] * w[weightIndex(o, i, inputs: d, outputs: n, inputMajor: inputMajor)] }
                dx[r * d + i] = sum
            }
        }
    }
}

/// Naive ReLU.
enum ReferenceReLU {
    /// h = max(0, a), in place.
    static func forward(_ values: UnsafeMutablePointer<Float>, count: Int) {
        for j in 0..<count where !(values[j] > 0) { values[j] = 0 }
    }

    /// dL/da = dL/dh · [h > 0], in place.
    static func backward(_ gradient: UnsafeMutablePointer<Float>, activations h: UnsafePointer<Float>, count: Int) {
        for j in 0..<count where !(h[j] > 0) { gradient[j] = 0 }
    }
}

/// Naive softmax cross-entropy, in Double.
enum ReferenceSoftmaxCrossEntropy {
    /// In place, with targets t_k = (1 - ε) [k = y] + ε / c: logits become (softmax(z) - t) / rows;
    /// returns Σ_r (log Σ_k exp z[r,k] - Σ_k t_k z[r,k]).
    static func forwardBackward(logits: UnsafeMutablePointer<Float>, labels: UnsafePointer<Int>, rows: Int, classes c: Int,
                                smoothing: Double = 0) -> Double {
        var lossSum = 0.0
        for r in 0..<rows {
            let z = (0..<c).map { Double(logits[r * c + $0]) }
            let target = (0..<c).map { (1 - smoothing) * ($0 == labels[r] ? 1 : 0) + smoothing / Double(c) }
            let maximum = z.max()!
            let total = z.reduce(0) { $0 + exp($1 - maximum) }
            lossSum += maximum + log(total) - zip(target, z).reduce(0) { $0 + $1.0 * $1.1 }
            for k in 0..<c {
                let probability = exp(z[k] - maximum) / total
                logits[r * c + k] = Float((probability - target[k]) / Double(rows))
            }
        }
        return lossSum
    }
}

extension NetworkWorkspace {
    /// The naive DP-SGD clipped gradient that `clippedBackward` replaces, for tests: one forward and
    /// backward pass per row for g_i, each scaled by min(1, C / ||g_i||), summed, divided by rows.
    /// Returns the gradient and the sum of the per-row losses.
    static func referenceClippedGradient(shape: NetworkShape, parameters: UnsafePointer<Float>, inputs: UnsafePointer<Float>,
                                         labels: UnsafePointer<Int>, rows: Int, labelSmoothing: Float,
                                         bound: Float) -> (gradient: [Float], lossSum: Double) {
        let example = NetworkWorkspace(shape: shape, capacity: 1)
        var sum = [Float](repeating: 0, count: shape.parameterCount)
        var lossSum = 0.0
        for r in 0..<rows {
            example.forward(parameters: parameters, inputs: inputs + r * shape.inputs, rows: 1)
            lossSum += example.backward(parameters: parameters, inputs: inputs + r * shape.inputs, labels: labels + r, rows: 1,
                                        labelSmoothing: labelSmoothing)
            var squares: Float = 0
            for j in 0..<shape.parameterCount { squares += example.gradient[j] * example.gradient[j] }
            let norm = squares.squareRoot()
            let scale = norm > bound ? bound / norm : 1
            for j in 0..<shape.parameterCount { sum[j] += scale * example.gradient[j] }
        }
        return (sum.map { $0 / Float(rows) }, lossSum)
    }
}
