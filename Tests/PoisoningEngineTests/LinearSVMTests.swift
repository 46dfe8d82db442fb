import Foundation
import Testing
@testable import PoisoningAttacks
@testable import PoisoningData
@testable import PoisoningDefenses
@testable import PoisoningEngine
@testable import PoisoningModels
@testable import PoisoningTheory
@testable import PoisoningUtilities

/// One case of scripts/linear_svm_reference.py's values: scikit-learn's LinearSVC(loss='hinge') on
/// the fixed float32 data at one C.
struct LinearSVMCase: Decodable {
    let c: Double
    let decision: [Double]
    let predictions: [Int]
    let objectives: [Double]
}

/// Fixtures/linear_svm_reference.json.
typealias LinearSVMReference = ModelReferenceFixture<LinearSVMCase>

/// The one-vs-rest linear SVM against scikit-learn, its input gradient against finite differences.
struct LinearSVMTests {
    static func solved(c: Double, on train: Dataset) throws -> LinearSVMClassifier {
        try solvedOnce(LinearSVM(c: c, tolerance: 1e-10, maxPasses: 100_000), on: train, as: LinearSVMClassifier.self)
    }

    /// Both solvers reach the unique optimum of the same strictly convex problem: decision values
    /// agree to 1e-4 (found within 1e-7), every prediction agrees (the fixture's smallest gap between
    /// the two largest decision values is 0.07), and each class's primal objective
    /// ½ ||(w, b)||² + C Σ hinge is scikit-learn's to 1e-6 of its size.
    @Test(arguments: 0..<3)
    func decisionValuesPredictionsAndObjectivesAreScikitLearns(_ index: Int) throws {
        let reference = try LinearSVMReference.load("linear_svm_reference")
        #expect(reference.cases.count == 3)
        let expected = reference.cases[index]
        let model = try Self.solved(c: expected.c, on: reference.train)
        let decision = model.decisionValues(on: reference.test)
        let worst = zip(decision, expected.decision).map { abs($0 - $1) }.max()!
        #expect(decision.count == expected.decision.count && worst < 1e-4, "largest difference \(worst)")
        #expect(model.predictions(on: reference.test) == expected.predictions)
        let train = reference.train, d = reference.features
        for k in 0..<reference.classes {
            let w = Array(model.weights[(k * (d + 1))..<((k + 1) * (d + 1))])
            let hinge = (0..<train.count).reduce(0.0) { sum, i in
                let value = (0..<d).reduce(w[d]) { $0 + w[$1] * Double(train.features[i * d + $1]) }
                return sum + max(0, 1 - (train.labels[i] == k ? 1 : -1) * value)
            }
            let objective = 0.5 * w.reduce(0) { $0 + $1 * $1 } + expected.c * hinge
            #expect(abs(objective - expected.objectives[k]) <= 1e-6 * expected.objectives[k], "class \(k): \(objective)")
        }
    }

    /// The shipped defaults (tolerance 1e-8, 10,000 passes, read from a study without keys) solve the
    /// fixture: every class's solve converges (no `failure`), the decision values are scikit-learn's
    /// to 1e-4 and every prediction agrees, at each of its three C; one pass does not converge and
    /// says so.
    @Test(arguments: 0..<3)
    func theShippedDefaultsSolveTheFixture(_ index: Int) throws {
        let reference = try LinearSVMReference.load("linear_svm_reference")
        let expected = reference.cases[index]
        let shipped = try component(LinearSVM.self, ["c": .double(expected.c)])
        #expect(shipped.tolerance == 1e-8 && shipped.maxPasses == 10_000)
        let sizes = SplitSizes(trainRows: reference.train.count, testRows: 0, features: reference.features, classes: reference.classes)
        let fit = shipped.model(for: sizes).train(reference.train, settings: TrainingSettings(), seed: 1, adjustment: TrainingAdjustment())
        #expect(fit.failure == nil && fit.divergedEpoch == nil)
        let model = try #require(fit.model as? LinearSVMClassifier)
        let worst = zip(model.decisionValues(on: reference.test), expected.decision).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-4, "largest difference \(worst)")
        #expect(model.predictions(on: reference.test) == expected.predictions)
        let short = LinearSVM(c: expected.c, tolerance: 1e-8, maxPasses: 1).model(for: sizes)
            .train(reference.train, settings: TrainingSettings(), seed: 1, adjustment: TrainingAdjustment())
        #expect(short.failure?.hasPrefix("the linear SVM (C = \(expected.c)) did not converge: dual coordinate descent reached its max-passes 1") == true)
    }

    /// The input gradient is the central difference of the row losses (steps of 2⁻¹² in Float, on
    /// rows whose hinges are all away from their kinks by more than the step's effect), to 1e-6.
    @Test func theInputGradientIsTheLossesSlope() throws {
        let reference = try LinearSVMReference.load("linear_svm_reference")
        let model = try Self.solved(c: 1, on: reference.train)
        let rows = 8, d = reference.features, classes = reference.classes
        let inputs = Array(reference.testFeatures.prefix(rows * d)), labels = Array(reference.testLabels.prefix(rows))
        let batch = Dataset(features: inputs, labels: labels, featureCount: d, classCount: classes)
        let evaluator = model.lossInputGradient(rows: rows)
        var losses = [Double](repeating: 0, count: rows), gradient = [Float](repeating: 0, count: rows * d)
        evaluator.evaluate(inputs: inputs, labels: labels, losses: &losses, gradient: &gradient)
        #expect(losses == model.rowLosses(on: batch))
        let decision = model.decisionValues(on: batch)
        let h: Float = 1.0 / 4096
        var checked = 0
        for r in 0..<rows {
            // Skip a row with a hinge within 0.01 of its kink (the loss is not differentiable there).
            let nearKink = (0..<classes).contains { k in abs(1 - (labels[r] == k ? 1 : -1) * decision[r * classes + k]) < 0.01 }
            guard !nearKink else { continue }
            checked += 1
            for j in 0..<d {
                var up = inputs, down = inputs
                up[r * d + j] += h
                down[r * d + j] -= h
                let lossUp = model.rowLosses(on: Dataset(features: up, labels: labels, featureCount: d, classCount: classes))[r]
                let lossDown = model.rowLosses(on: Dataset(features: down, labels: labels, featureCount: d, classCount: classes))[r]
                let slope = (lossUp - lossDown) / Double(up[r * d + j] - down[r * d + j])
                #expect(abs(Double(gradient[r * d + j]) - slope) <= 1e-6 * max(1, abs(slope)), "row \(r), feature \(j)")
            }
        }
        #expect(checked >= 6)
    }
}
