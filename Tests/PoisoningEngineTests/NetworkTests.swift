import Foundation
import Testing
@testable import PoisoningAttacks
@testable import PoisoningData
@testable import PoisoningDefenses
@testable import PoisoningEngine
@testable import PoisoningModels
@testable import PoisoningTheory
@testable import PoisoningUtilities

/// Networks (MLPs of one and two hidden layers, logistic regression) against an independent
/// Double-precision computation, central finite differences, the naive reference kernels, and a
/// loss trajectory recorded from an independent NumPy implementation.
struct NetworkTests {
    /// 7 rows, 4 features, 3 classes.
    static var batch: Dataset {
        var random = Xoshiro256StarStar(seed: 5, purpose: "test-inputs")
        let features = (0..<28).map { _ in 4 * random.nextUnitFloat() - 2 }
        return Dataset(features: features, labels: [0, 2, 1, 1, 0, 2, 2], featureCount: 4, classCount: 3)
    }

    /// Width 45 is one 32-unit block of the kernels, one 8-unit block and a scalar tail of 5, so that
    /// every code path is checked; [13, 9] adds a hidden-to-hidden layer; [] is logistic regression.
    static let shapes = [
        NetworkShape(inputs: 4, hidden: [45], classes: 3),
        NetworkShape(inputs: 4, hidden: [13, 9], classes: 3),
        NetworkShape(inputs: 4, hidden: [], classes: 3),
    ]

    static func parameters(_ shape: NetworkShape) -> NetworkParameters {
        var random = Xoshiro256StarStar(seed: 6, purpose: "test-init")
        return NetworkParameters.pytorchDefault(shape: shape, random: &random)
    }

    /// Batch-mean cross-entropy written plainly in Double from W[o, i] = theta[weightIndex(o, i)],
    /// independently of the Float kernels.
    static func referenceLoss(_ theta: [Double], _ shape: NetworkShape, _ data: Dataset) -> Double {
        var total = 0.0
        for r in 0..<data.count {
            var activation = (0..<shape.inputs).map { Double(data.features[r * shape.inputs + $0]) }
            for layer in shape.layers {
                activation = (0..<layer.outputs).map { o in
                    let sum = (0..<layer.inputs).reduce(theta[layer.biasOffset + o]) {
                        $0 + theta[layer.weightIndex(output: o, input: $1)] * activation[$1]
                    }
                    return layer.isHidden ? max(0, sum) : sum
                }
            }
            total += log(activation.map { exp($0) }.reduce(0, +)) - activation[data.labels[r]]
        }
        return total / Double(data.count)
    }

    @Test(arguments: shapes)
    func forwardLossMatchesDoublePrecisionReference(shape: NetworkShape) {
        let parameters = Self.parameters(shape)
        let (loss, _) = parameters.lossAndGradient(on: Self.batch)
        let reference = Self.referenceLoss(parameters.values.map(Double.init), shape, Self.batch)
        #expect(abs(loss - reference) < 1e-6 * max(1, reference))
        let rowLosses = parameters.rowLosses(on: Self.batch)
        #expect(abs(rowLosses.reduce(0, +) / 7 - reference) < 1e-6)
    }

    @Test(arguments: shapes)
    func everyGradientEntryMatchesCentralFiniteDifferences(shape: NetworkShape) {
        let parameters = Self.parameters(shape)
        let (_, gradient) = parameters.lossAndGradient(on: Self.batch)
        let theta = parameters.values.map(Double.init)
        let step = 1e-6
        var worst = 0.0
        for index in 0..<shape.parameterCount {
            var plus = theta, minus = theta
            plus[index] += step
            minus[index] -= step
            let numeric = (Self.referenceLoss(plus, shape, Self.batch) - Self.referenceLoss(minus, shape, Self.batch)) / (2 * step)
            worst = max(worst, abs(numeric - Double(gradient[index])))
        }
        // Float kernels against a Double reference: errors of order 1e-7 relative to O(1) terms.
        #expect(worst < 2e-6, "largest gradient error \(worst)")
        #expect(gradient.contains { abs($0) > 1e-3 }, "the check must exercise non-trivial gradients")
    }

    @Test(arguments: shapes)
    func fastAndNaiveKernelsGiveTheSameLossAndGradient(shape: NetworkShape) {
        let parameters = Self.parameters(shape)
        let fast = parameters.lossAndGradient(on: Self.batch, kernels: .fast)
        let naive = parameters.lossAndGradient(on: Self.batch, kernels: .reference)
        #expect(abs(fast.loss - naive.loss) < 1e-6)
        let worst = zip(fast.gradient, naive.gradient).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-6, "largest difference \(worst)")
    }

    @Test func extremeLogitsGiveFiniteLossAndGradient() {
        let shape = Self.shapes[0]
        var large = Self.parameters(shape)
        let output = shape.layers.last!
        for index in output.weightOffset..<shape.parameterCount { large.values[index] = 0 }
        large.values[output.biasOffset] = 5000
        let (loss, gradient) = large.lossAndGradient(on: Self.batch)
        #expect(loss.isFinite && gradient.allSatisfy(\.isFinite))
        // Rows labelled other than 0 pay about 5000 each: 5 of 7 rows.
        #expect(abs(loss - 5000.0 * 5 / 7) < 10)
    }

    @Test func initialisationIsUniformWithinPyTorchBoundsPerLayer() {
        let shape = NetworkShape(inputs: 10, hidden: [128, 64], classes: 5)
        var random = Xoshiro256StarStar(seed: 1, purpose: "init")
        let values = NetworkParameters.pytorchDefault(shape: shape, random: &random).values
        for layer in shape.layers {
            let bound = 1 / Float(layer.inputs).squareRoot()
            let slice = values[layer.weightOffset..<(layer.biasOffset + layer.outputs)]
            #expect(slice.allSatisfy { abs($0) <= bound })
            #expect(slice.max()! > 0.9 * bound && slice.min()! < -0.9 * bound)
        }
        #expect(shape.parameterCount == 10 * 128 + 128 + 128 * 64 + 64 + 64 * 5 + 5)
    }

    /// Width 8, 5 epochs, batch 64, lr 0.05, seed 42 on the study's training set poisoned at 15%:
    /// recorded from the float64 NumPy implementation in `scripts/reference_values.py` (section training).
    @Test func lossTrajectoryMatchesIndependentNumPyImplementation() {
        let split = GaussianClusters().makeSplit()
        let poisoned = RandomLabelFlip().poison(split, fraction: 0.15, seed: 42)
        let shape = NetworkShape(inputs: 10, hidden: [8], classes: 5)
        let outcome = trainNetwork(shape, on: poisoned.data, settings: TrainingSettings(epochs: 5, batchSize: 64, learningRate: 0.05),
                                   seed: 42)
        var initStream = Xoshiro256StarStar(seed: 42, purpose: "init")
        let initial = NetworkParameters.pytorchDefault(shape: shape, random: &initStream)
        let first = shape.layers[0]
        #expect((0..<3).map { initial.values[first.weightIndex(output: 0, input: $0)] }
            == [-0.20926092565059662, 0.2220935970544815, 0.04067552462220192])
        let reference = [1.5473718075627994, 1.4003170135618974, 1.3162774316459958, 1.2476823766573641,
                         1.1952407595532193]
        #expect(outcome.epochLosses.count == 5 && outcome.divergedEpoch == nil)
        for (ours, theirs) in zip(outcome.epochLosses, reference) {
            #expect(abs(ours - theirs) < 1e-5, "epoch loss \(ours) vs NumPy \(theirs)")
        }
    }

    @Test func hugeLearningRateIsReportedAsDivergence() throws {
        let study = try Study(StudyConfig(models: [StudyConfig.mlp(32)], fractions: [0], seeds: [1],
                                          training: TrainingSettings(epochs: 50, learningRate: 1e6)))
        let result = executeRun(study.runSpecs[0], study: study)
        #expect(result.metrics == nil)
        let message = result.divergence ?? ""
        #expect(message.contains("MLP 32") && message.contains("learning rate 1000000"), "\(message)")
    }
}

extension NetworkShape: CustomTestStringConvertible {
    public var testDescription: String { "hidden \(hidden)" }
}

/// The input-gradient penalty's parameter gradient against central finite differences of an
/// independent Double computation of R = λ ||∂ℓ/∂x||².
struct InputGradientPenaltyTests {
    static let shapes = [NetworkShape(inputs: 3, hidden: [5, 4], classes: 3), NetworkShape(inputs: 3, hidden: [], classes: 3)]

    /// R by the chain rule written plainly: the Jacobian ∂z/∂x layer by layer, then g = Jᵀ (p - y).
    static func referencePenalty(_ theta: [Double], _ shape: NetworkShape, x: [Double], label: Int, lambda: Double) -> Double {
        var activation = x
        var jacobian = (0..<x.count).map { i in (0..<x.count).map { $0 == i ? 1.0 : 0.0 } }   // ∂h/∂x, [units][inputs]
        for layer in shape.layers {
            let pre = (0..<layer.outputs).map { o in
                (0..<layer.inputs).reduce(theta[layer.biasOffset + o]) { $0 + theta[layer.weightIndex(output: o, input: $1)] * activation[$1] }
            }
            let linear = (0..<layer.outputs).map { o in
                (0..<x.count).map { i in (0..<layer.inputs).reduce(0.0) { $0 + theta[layer.weightIndex(output: o, input: $1)] * jacobian[$1][i] } }
            }
            activation = layer.isHidden ? pre.map { max(0, $0) } : pre
            jacobian = layer.isHidden ? (0..<layer.outputs).map { pre[$0] > 0 ? linear[$0] : linear[$0].map { _ in 0 } } : linear
        }
        let top = activation.max()!, exps = activation.map { exp($0 - top) }, total = exps.reduce(0, +)
        let delta = exps.enumerated().map { $1 / total - ($0 == label ? 1 : 0) }
        let g = (0..<x.count).map { i in delta.indices.reduce(0.0) { $0 + jacobian[$1][i] * delta[$1] } }
        return lambda * g.reduce(0) { $0 + $1 * $1 }
    }

    @Test(arguments: shapes)
    func theGradientMatchesFiniteDifferences(shape: NetworkShape) {
        var random = Xoshiro256StarStar(seed: 11, purpose: "test-init")
        let parameters = NetworkParameters.pytorchDefault(shape: shape, random: &random)
        let x: [Float] = [0.7, -1.1, 0.4], label = 2, lambda = 0.3
        let penalty = ReferenceInputGradientPenalty(shape: shape, lambda: lambda)
        var gradient = [Float](repeating: 0, count: shape.parameterCount)
        let value = parameters.values.withUnsafeBufferPointer { theta in
            x.withUnsafeBufferPointer { input in
                gradient.withUnsafeMutableBufferPointer { g in
                    penalty.load(theta.baseAddress!)
                    let value = penalty.accumulate(biases: theta.baseAddress!, x: input.baseAddress!, label: label)
                    penalty.flush(scale: 1, into: g.baseAddress!)
                    return value
                }
            }
        }
        let theta = parameters.values.map(Double.init), input = x.map(Double.init)
        #expect(abs(value - Self.referencePenalty(theta, shape, x: input, label: label, lambda: lambda)) < 1e-6)
        for index in 0..<shape.parameterCount {
            let h = 1e-5
            var up = theta, down = theta
            up[index] += h
            down[index] -= h
            let numeric = (Self.referencePenalty(up, shape, x: input, label: label, lambda: lambda)
                - Self.referencePenalty(down, shape, x: input, label: label, lambda: lambda)) / (2 * h)
            #expect(abs(Double(gradient[index]) - numeric) < 1e-4 * max(1, abs(numeric)), "parameter \(index)")
        }
    }

    /// The batched penalty (one matrix product per layer for the whole batch, e joined to the loss
    /// gradient) against the per-example Double reference added to the plain gradient, for
    /// networks of zero to two hidden layers and a batch with rows whose hidden units are all off.
    @Test(arguments: [[Int](), [6], [8, 5], [40]])
    func theBatchedPenaltyMatchesThePerExampleReference(hidden: [Int]) {
        let shape = NetworkShape(inputs: 7, hidden: hidden, classes: 4), rows = 13, lambda = 0.3
        var random = Xoshiro256StarStar(seed: 5, purpose: "penalty-test")
        let parameters = NetworkParameters.pytorchDefault(shape: shape, random: &random).values
        var inputs = (0..<(rows * 7)).map { _ in Float(random.nextStandardNormal()) * 2 }
        for i in 0..<7 { inputs[i] = -50 * abs(inputs[i]) - 50 }   // row 0: most units off
        let labels = (0..<rows).map { _ in random.nextInt(below: 4) }
        let fast = NetworkWorkspace(shape: shape, capacity: 16), plain = NetworkWorkspace(shape: shape, capacity: 16, kernels: .reference)
        let batched = InputGradientPenalty(shape: shape, lambda: lambda, capacity: 16)
        let reference = ReferenceInputGradientPenalty(shape: shape, lambda: lambda)
        parameters.withUnsafeBufferPointer { theta in
            inputs.withUnsafeBufferPointer { x in
                labels.withUnsafeBufferPointer { y in
                    let (t, xs, ys) = (theta.baseAddress!, x.baseAddress!, y.baseAddress!)
                    fast.forward(parameters: t, inputs: xs, rows: rows)
                    let penaltySum = batched.prepare(workspace: fast, parameters: t, labels: ys, rows: rows)
                    let lossSum = fast.backward(parameters: t, inputs: xs, labels: ys, rows: rows, extraLogitGradient: batched.logitGradient)
                    batched.addWeightTerms(to: fast.gradient, rows: rows)

                    plain.forward(parameters: t, inputs: xs, rows: rows)
                    let plainLossSum = plain.backward(parameters: t, inputs: xs, labels: ys, rows: rows)
                    reference.load(t)
                    let referenceSum = (0..<rows).reduce(0.0) { $0 + reference.accumulate(biases: t, x: xs + $1 * 7, label: labels[$1]) }
                    reference.flush(scale: 1 / Double(rows), into: plain.gradient)
                    #expect(referenceSum > 0.01 && abs(penaltySum - referenceSum) <= 1e-5 * referenceSum, "\(penaltySum) vs \(referenceSum)")
                    #expect(abs(lossSum - plainLossSum) <= 1e-5 * plainLossSum)
                    let largest = (0..<shape.parameterCount).map { abs(plain.gradient[$0]) }.max()!
                    for j in 0..<shape.parameterCount {
                        #expect(abs(fast.gradient[j] - plain.gradient[j]) <= 2e-5 * largest, "parameter \(j)")
                    }
                }
            }
        }
    }
}

