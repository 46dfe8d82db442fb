import Foundation
import Testing
@testable import PoisoningAttacks
@testable import PoisoningData
@testable import PoisoningDefenses
@testable import PoisoningEngine
@testable import PoisoningModels
@testable import PoisoningTheory
@testable import PoisoningUtilities

/// Each fast layer kernel against its naive reference on random buffers whose sizes cover every
/// code path (blocks of 32 and 8 and a scalar tail; five-output groups and their remainder).
struct KernelTests {
    static func randomBuffer(_ count: Int, seed: UInt64) -> UnsafeMutablePointer<Float> {
        var random = Xoshiro256StarStar(seed: seed, purpose: "kernel-test")
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
        for index in 0..<count { buffer[index] = 2 * random.nextUnitFloat() - 1 }
        return buffer
    }

    static func largestDifference(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        (0..<count).map { abs(a[$0] - b[$0]) }.max() ?? 0
    }

    @Test(arguments: [(rows: 7, inputs: 11, outputs: 45), (rows: 3, inputs: 45, outputs: 7), (rows: 5, inputs: 1, outputs: 3)])
    func linearForwardAndBackwardMatchTheNaiveKernels(rows: Int, inputs: Int, outputs: Int) {
        for inputMajor in [true, false] {
            let w = Self.randomBuffer(inputs * outputs, seed: 1), b = Self.randomBuffer(outputs, seed: 2)
            let x = Self.randomBuffer(rows * inputs, seed: 3), dy = Self.randomBuffer(rows * outputs, seed: 4)
            let fast = Self.randomBuffer(rows * outputs, seed: 9), naive = Self.randomBuffer(rows * outputs, seed: 9)
            if inputMajor {
                Linear.forwardInputMajor(weights: w, bias: b, input: x, output: fast, rows: rows, inputs: inputs, outputs: outputs)
            } else {
                Linear.forwardOutputMajor(weights: w, bias: b, input: x, output: fast, rows: rows, inputs: inputs, outputs: outputs)
            }
            ReferenceLinear.forward(weights: w, bias: b, input: x, output: naive, rows: rows, inputs: inputs, outputs: outputs,
                                    inputMajor: inputMajor)
            #expect(Self.largestDifference(fast, naive, count: rows * outputs) < 1e-5)

            let gW = [Self.randomBuffer(inputs * outputs, seed: 5), Self.randomBuffer(inputs * outputs, seed: 5)]
            let gB = [Self.randomBuffer(outputs, seed: 6), Self.randomBuffer(outputs, seed: 6)]
            let dx = [Self.randomBuffer(rows * inputs, seed: 7), Self.randomBuffer(rows * inputs, seed: 7)]
            if inputMajor {
                Linear.backwardInputMajor(weights: w, input: x, outputGradient: dy, weightGradient: gW[0], biasGradient: gB[0],
                                          inputGradient: dx[0], rows: rows, inputs: inputs, outputs: outputs)
            } else {
                Linear.backwardOutputMajor(weights: w, input: x, outputGradient: dy, weightGradient: gW[0], biasGradient: gB[0],
                                           inputGradient: dx[0], rows: rows, inputs: inputs, outputs: outputs)
            }
            ReferenceLinear.backward(weights: w, input: x, outputGradient: dy, weightGradient: gW[1], biasGradient: gB[1],
                                     inputGradient: dx[1], rows: rows, inputs: inputs, outputs: outputs, inputMajor: inputMajor)
            #expect(Self.largestDifference(gW[0], gW[1], count: inputs * outputs) < 1e-5, "dW, inputMajor \(inputMajor)")
            #expect(Self.largestDifference(gB[0], gB[1], count: outputs) < 1e-5, "db, inputMajor \(inputMajor)")
            #expect(Self.largestDifference(dx[0], dx[1], count: rows * inputs) < 1e-5, "dx, inputMajor \(inputMajor)")
            for buffer in [w, b, x, dy, fast, naive] + gW + gB + dx { buffer.deallocate() }
        }
    }

    /// The register-blocked kernels change only which sums run side by side, never the order of one
    /// sum, so each must equal, bit for bit, the plain loop that defines its order: the forward and
    /// weight-gradient sums run in ascending order from the bias or zero, and each input-gradient entry
    /// is one call of `dot`. The shapes cover blocks of 32, 16 and 8 columns, the scalar tails, batches
    /// and input counts that are not multiples of the blocks' four rows and two inputs, and one row.
    @Test(arguments: [(rows: 64, inputs: 256, outputs: 256), (rows: 67, inputs: 29, outputs: 61), (rows: 1, inputs: 9, outputs: 24),
                      (rows: 3, inputs: 1, outputs: 3), (rows: 6, inputs: 45, outputs: 120), (rows: 5, inputs: 7, outputs: 16)])
    func blockedKernelsEqualTheirDefiningLoopsBitForBit(rows: Int, inputs d: Int, outputs n: Int) {
        let w = Self.randomBuffer(d * n, seed: 11), b = Self.randomBuffer(n, seed: 12)
        let x = Self.randomBuffer(rows * d, seed: 13), dy = Self.randomBuffer(rows * n, seed: 14)
        let y = Self.randomBuffer(rows * n, seed: 15), gW = Self.randomBuffer(d * n, seed: 16), dx = Self.randomBuffer(rows * d, seed: 17)
        defer { for buffer in [w, b, x, dy, y, gW, dx] { buffer.deallocate() } }
        Linear.forwardInputMajor(weights: w, bias: b, input: x, output: y, rows: rows, inputs: d, outputs: n)
        sumOverRows(into: gW, outputs: d, weights: x, rows: dy, count: rows, width: n)
        Linear.inputGradientInputMajor(weights: w, outputGradient: dy, inputGradient: dx, rows: rows, inputs: d, outputs: n)
        var forwardMismatches = 0, weightMismatches = 0, inputMismatches = 0
        for r in 0..<rows {
            for j in 0..<n {
                var sum = b[j]
                for i in 0..<d { sum += x[r * d + i] * w[i * n + j] }
                if sum.bitPattern != y[r * n + j].bitPattern { forwardMismatches += 1 }
            }
            for i in 0..<d where dot(dy + r * n, w + i * n, count: n).bitPattern != dx[r * d + i].bitPattern { inputMismatches += 1 }
        }
        for i in 0..<d {
            for j in 0..<n {
                var sum: Float = 0
                for r in 0..<rows { sum += x[r * d + i] * dy[r * n + j] }
                if sum.bitPattern != gW[i * n + j].bitPattern { weightMismatches += 1 }
            }
        }
        #expect(forwardMismatches == 0 && weightMismatches == 0 && inputMismatches == 0,
                "forward \(forwardMismatches), weight gradient \(weightMismatches), input gradient \(inputMismatches) of \(rows) x \(d) x \(n)")
    }

    @Test func reluForwardAndBackwardMatchTheNaiveKernels() {
        let count = 45
        let fast = Self.randomBuffer(count, seed: 1), naive = Self.randomBuffer(count, seed: 1)
        ReLU.forward(fast, count: count)
        ReferenceReLU.forward(naive, count: count)
        #expect(Self.largestDifference(fast, naive, count: count) == 0)
        #expect((0..<count).allSatisfy { fast[$0] >= 0 } && (0..<count).contains { fast[$0] == 0 })
        let gradientFast = Self.randomBuffer(count, seed: 2), gradientNaive = Self.randomBuffer(count, seed: 2)
        ReLU.backward(gradientFast, activations: fast, count: count)
        ReferenceReLU.backward(gradientNaive, activations: naive, count: count)
        #expect(Self.largestDifference(gradientFast, gradientNaive, count: count) == 0)
        #expect((0..<count).allSatisfy { fast[$0] > 0 || gradientFast[$0] == 0 })
        for buffer in [fast, naive, gradientFast, gradientNaive] { buffer.deallocate() }
    }

    @Test func softmaxCrossEntropyMatchesTheNaiveKernel() {
        let (rows, classes) = (6, 5)
        let fast = Self.randomBuffer(rows * classes, seed: 3), naive = Self.randomBuffer(rows * classes, seed: 3)
        let labels = UnsafeMutablePointer<Int>.allocate(capacity: rows)
        for r in 0..<rows { labels[r] = (r * 3) % classes }
        let losses = UnsafeMutablePointer<Double>.allocate(capacity: rows)
        SoftmaxCrossEntropy.forward(logits: fast, labels: labels, losses: losses, rows: rows, classes: classes)
        let fastSum = SoftmaxCrossEntropy.forwardBackward(logits: fast, labels: labels, rows: rows, classes: classes)
        let naiveSum = ReferenceSoftmaxCrossEntropy.forwardBackward(logits: naive, labels: labels, rows: rows, classes: classes)
        #expect(abs(fastSum - naiveSum) < 1e-5)
        #expect(abs((0..<rows).reduce(0) { $0 + losses[$1] } - naiveSum) < 1e-5)
        #expect(Self.largestDifference(fast, naive, count: rows * classes) < 1e-6)
        // Each row of dL/dz sums to zero: softmax sums to one, the one-hot to one.
        #expect((0..<rows).allSatisfy { r in abs((0..<classes).reduce(Float(0)) { $0 + fast[r * classes + $1] }) < 1e-6 })
        for buffer in [fast, naive] { buffer.deallocate() }
        labels.deallocate()
        losses.deallocate()
    }

    /// Label smoothing: fast against naive, and one row against the closed form
    /// loss = log Σ exp z - Σ_k t_k z_k with t = (1 - ε) onehot + ε / c.
    @Test func smoothedSoftmaxCrossEntropyMatchesTheNaiveKernelAndTheClosedForm() {
        let (rows, classes, epsilon) = (6, 5, Float(0.2))
        let fast = Self.randomBuffer(rows * classes, seed: 4), naive = Self.randomBuffer(rows * classes, seed: 4)
        let z = (0..<classes).map { Double(fast[$0]) }
        let labels = UnsafeMutablePointer<Int>.allocate(capacity: rows)
        for r in 0..<rows { labels[r] = (r * 2) % classes }
        let fastSum = SoftmaxCrossEntropy.forwardBackward(logits: fast, labels: labels, rows: rows, classes: classes, smoothing: epsilon)
        let naiveSum = ReferenceSoftmaxCrossEntropy.forwardBackward(logits: naive, labels: labels, rows: rows, classes: classes,
                                                                    smoothing: Double(epsilon))
        #expect(abs(fastSum - naiveSum) < 1e-5)
        #expect(Self.largestDifference(fast, naive, count: rows * classes) < 1e-6)
        // Row 0 (label 0) by hand; its gradient is (softmax - t) / rows.
        let target = (0..<classes).map { (1 - Double(epsilon)) * ($0 == 0 ? 1 : 0) + Double(epsilon) / Double(classes) }
        let logSum = log(z.map { exp($0) }.reduce(0, +))
        let rowLoss = logSum - zip(target, z).reduce(0) { $0 + $1.0 * $1.1 }
        let naiveRow = UnsafeMutablePointer<Float>.allocate(capacity: classes)
        for k in 0..<classes { naiveRow[k] = Float(z[k]) }
        let single = ReferenceSoftmaxCrossEntropy.forwardBackward(logits: naiveRow, labels: labels, rows: 1, classes: classes,
                                                                  smoothing: Double(epsilon))
        #expect(abs(single - rowLoss) < 1e-9)
        #expect((0..<classes).allSatisfy { abs(Double(fast[$0]) - (exp(z[$0] - logSum) - target[$0]) / Double(rows)) < 1e-6 })
        for buffer in [fast, naive, naiveRow] { buffer.deallocate() }
        labels.deallocate()
    }
}
