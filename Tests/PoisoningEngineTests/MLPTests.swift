import Foundation
import Testing
@testable import PoisoningEngine

/// The MLP's forward and backward passes against an independent Double-precision computation,
/// and a loss trajectory against an independent NumPy implementation.
struct MLPTests {
    /// A small, fixed problem: 7 rows, 4 features, 3 classes, width 45: one 32-unit block of the
    /// kernels, one 8-unit block and a scalar tail of 5, so that every code path is checked.
    let shape = MLPShape(inputs: 4, hidden: 45, classes: 3)
    var batch: Dataset {
        var random = Xoshiro256StarStar(seed: 5, purpose: "test-inputs")
        let features = (0..<28).map { _ in 4 * random.nextUnitFloat() - 2 }
        return Dataset(features: features, labels: [0, 2, 1, 1, 0, 2, 2], featureCount: 4, classCount: 3)
    }
    var parameters: MLPParameters {
        var random = Xoshiro256StarStar(seed: 6, purpose: "test-init")
        return MLPParameters.pytorchDefault(shape: shape, random: &random)
    }

    /// Batch-mean cross-entropy written plainly in Double, independently of the Float kernels.
    func referenceLoss(_ theta: [Double], _ data: Dataset) -> Double {
        let d = shape.inputs, h = shape.hidden, c = shape.classes
        var total = 0.0
        for r in 0..<data.count {
            var hidden = [Double](repeating: 0, count: h)
            for j in 0..<h {
                var sum = theta[shape.b1Offset + j]
                // W1[j, i] is stored transposed, at w1Offset + i * hidden + j.
                for i in 0..<d { sum += theta[shape.w1Offset + i * h + j] * Double(data.features[r * d + i]) }
                hidden[j] = max(0, sum)
            }
            var logits = [Double](repeating: 0, count: c)
            for k in 0..<c {
                var sum = theta[shape.b2Offset + k]
                for j in 0..<h { sum += theta[shape.w2Offset + k * h + j] * hidden[j] }
                logits[k] = sum
            }
            let logSumExp = log(logits.map { exp($0) }.reduce(0, +))
            total += logSumExp - logits[data.labels[r]]
        }
        return total / Double(data.count)
    }

    @Test func forwardLossMatchesDoublePrecisionReference() {
        let (loss, _) = parameters.lossAndGradient(inputs: batch, labels: batch.labels)
        let reference = referenceLoss(parameters.values.map(Double.init), batch)
        #expect(abs(loss - reference) < 1e-6 * max(1, reference))
    }

    @Test func everyGradientEntryMatchesCentralFiniteDifferences() {
        let (_, gradient) = parameters.lossAndGradient(inputs: batch, labels: batch.labels)
        let theta = parameters.values.map(Double.init)
        let step = 1e-6
        var worst = 0.0
        for index in 0..<shape.parameterCount {
            var plus = theta, minus = theta
            plus[index] += step
            minus[index] -= step
            let numeric = (referenceLoss(plus, batch) - referenceLoss(minus, batch)) / (2 * step)
            worst = max(worst, abs(numeric - Double(gradient[index])))
        }
        // Float kernels against a Double reference: errors of order 1e-7 relative to O(1) terms.
        #expect(worst < 2e-6, "largest gradient error \(worst)")
        #expect(gradient.contains { abs($0) > 1e-3 }, "the check must exercise non-trivial gradients")
    }

    @Test func extremeLogitsGiveFiniteLossAndGradient() {
        var large = parameters
        for index in shape.b2Offset..<shape.parameterCount { large.values[index] = 0 }
        large.values[shape.b2Offset] = 5000
        let (loss, gradient) = large.lossAndGradient(inputs: batch, labels: batch.labels)
        #expect(loss.isFinite && gradient.allSatisfy(\.isFinite))
        // Rows labelled other than 0 pay about 5000 each: 5 of 7 rows.
        #expect(abs(loss - 5000.0 * 5 / 7) < 10)
    }

    @Test func initialisationIsUniformWithinPyTorchBounds() {
        let wide = MLPShape(inputs: 10, hidden: 128, classes: 5)
        var random = Xoshiro256StarStar(seed: 1, purpose: "init")
        let values = MLPParameters.pytorchDefault(shape: wide, random: &random).values
        let firstBound: Float = 1 / Float(10).squareRoot(), secondBound: Float = 1 / Float(128).squareRoot()
        #expect(values[..<wide.w2Offset].allSatisfy { abs($0) <= firstBound })
        #expect(values[wide.w2Offset...].allSatisfy { abs($0) <= secondBound })
        #expect(values[..<wide.w2Offset].max()! > 0.95 * firstBound)
        #expect(values[wide.w2Offset...].min()! < -0.95 * secondBound)
    }

    /// Width 8, 5 epochs, batch 64, lr 0.05, seed 42 on the study's training set poisoned at 15%:
    /// recorded from the float64 NumPy implementation in `scripts/reference_values.py` (section training).
    @Test func lossTrajectoryMatchesIndependentNumPyImplementation() {
        let train = GaussianClusters().makeSplit().train
        let poisoned = RandomLabelFlip().poison(train, fraction: 0.15, seed: 42)
        let outcome = trainMLP(inputs: train, labels: poisoned.labels, hidden: 8,
                               settings: TrainingSettings(epochs: 5, batchSize: 64, learningRate: 0.05), seed: 42)
        var initStream = Xoshiro256StarStar(seed: 42, purpose: "init")
        let initial = MLPParameters.pytorchDefault(shape: outcome.parameters.shape, random: &initStream)
        // W1[0, 0], W1[0, 1], W1[0, 2] as PyTorch orders them; stored transposed (index i * hidden + j).
        let hidden = outcome.parameters.shape.hidden
        #expect((0..<3).map { initial.values[$0 * hidden] } == [-0.20926092565059662, 0.2220935970544815, 0.04067552462220192])
        let reference = [1.5473718075627994, 1.4003170135618974, 1.3162774316459958, 1.2476823766573641,
                         1.1952407595532193]
        #expect(outcome.epochLosses.count == 5 && outcome.divergedEpoch == nil)
        for (ours, theirs) in zip(outcome.epochLosses, reference) {
            #expect(abs(ours - theirs) < 1e-5, "epoch loss \(ours) vs NumPy \(theirs)")
        }
    }

    @Test func hugeLearningRateIsReportedAsDivergence() {
        let config = StudyConfig(widths: [32], fractions: [0], seeds: [1],
                                 training: TrainingSettings(epochs: 50, learningRate: 1e6))
        let result = executeRun(config.runSpecs[0], config: config, split: config.data.makeSplit())
        #expect(result.metrics == nil)
        let message = result.divergence ?? ""
        #expect(message.contains("width 32") && message.contains("learning rate 1000000"))
    }
}
