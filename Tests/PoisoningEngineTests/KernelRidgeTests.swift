import Foundation
import Testing
@testable import PoisoningAttacks
@testable import PoisoningData
@testable import PoisoningDefenses
@testable import PoisoningEngine
@testable import PoisoningModels
@testable import PoisoningTheory
@testable import PoisoningUtilities

/// One case of scripts/kernel_ridge_reference.py's values: scikit-learn's KernelRidge on the fixed
/// float32 data at one kernel, length scale and ridge.
struct KernelRidgeCase: Decodable {
    let kernel: String
    let lengthScale: Double
    let lambda: Double
    let decision: [Double]
    let predictions: [Int]
}

/// Fixtures/kernel_ridge_reference.json.
typealias KernelRidgeReference = ModelReferenceFixture<KernelRidgeCase>

/// Kernel ridge regression against scikit-learn, its input gradient against finite differences.
struct KernelRidgeTests {
    static func solved(_ kernel: RidgeKernel, lengthScale: Double, lambda: Double, on train: Dataset) throws -> KernelRidgeClassifier {
        try solvedOnce(KernelRidge(kernel: kernel, lengthScale: lengthScale, lambda: lambda), on: train, as: KernelRidgeClassifier.self)
    }

    /// Both solves are exact (Cholesky in Double): decision values agree to 1e-4 (found within
    /// 1e-12), and so every prediction (the fixture's smallest gap between the two largest decision
    /// values is 0.0057).
    @Test(arguments: 0..<4)
    func decisionValuesAndPredictionsAreScikitLearns(_ index: Int) throws {
        let reference = try KernelRidgeReference.load("kernel_ridge_reference")
        #expect(reference.cases.count == 4)
        let expected = reference.cases[index]
        let model = try Self.solved(RidgeKernel(rawValue: expected.kernel)!, lengthScale: expected.lengthScale, lambda: expected.lambda,
                                    on: reference.train)
        let decision = model.decisionValues(on: reference.test)
        #expect(decision.count == expected.decision.count)
        let worst = zip(decision, expected.decision).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-4, "largest difference \(worst)")
        #expect(model.predictions(on: reference.test) == expected.predictions)
        #expect(model.logits(on: reference.test) == decision.map(Float.init))
    }

    /// The input gradient is the central difference of the row losses (in Double, at steps of 2⁻¹²,
    /// exact in Float for these features), for both kernels, to 1e-3 of its size.
    @Test(arguments: RidgeKernel.allCases)
    func theInputGradientIsTheLossesSlope(_ kernel: RidgeKernel) throws {
        let reference = try KernelRidgeReference.load("kernel_ridge_reference")
        let model = try Self.solved(kernel, lengthScale: 1.5, lambda: 0.1, on: reference.train)
        let rows = 6, d = reference.features
        let inputs = Array(reference.testFeatures.prefix(rows * d)), labels = Array(reference.testLabels.prefix(rows))
        let evaluator = model.lossInputGradient(rows: rows)
        var losses = [Double](repeating: 0, count: rows), gradient = [Float](repeating: 0, count: rows * d)
        evaluator.evaluate(inputs: inputs, labels: labels, losses: &losses, gradient: &gradient)
        let measured = model.rowLosses(on: Dataset(features: inputs, labels: labels, featureCount: d, classCount: reference.classes))
        #expect(losses == measured)
        let h: Float = 1.0 / 4096
        for r in 0..<rows {
            for j in 0..<d {
                var up = inputs, down = inputs
                up[r * d + j] += h
                down[r * d + j] -= h
                let lossUp = model.rowLosses(on: Dataset(features: up, labels: labels, featureCount: d, classCount: reference.classes))[r]
                let lossDown = model.rowLosses(on: Dataset(features: down, labels: labels, featureCount: d, classCount: reference.classes))[r]
                let slope = (lossUp - lossDown) / Double(up[r * d + j] - down[r * d + j])
                #expect(abs(Double(gradient[r * d + j]) - slope) <= 1e-3 * max(1, abs(slope)), "row \(r), feature \(j): \(gradient[r * d + j]) vs \(slope)")
            }
        }
    }

    /// A study file pairing kernel ridge with a defense that needs a representation is refused when
    /// it is read; one it can run runs (clean-label backdoor: PGD on its input gradient).
    @Test func kernelRidgeRunsWhatItCanAndIsRefusedTheRest() throws {
        let data = StudyConfig.component(GaussianClusters.kind, ["samples": .int(80), "features": .int(4), "classes": .int(3)])
        let refused = StudyConfig(data: data, models: [StudyConfig.component(KernelRidge.kind, ["kernel": .string("laplacian")])],
                                  defenses: [StudyConfig.component(SpectralSignature.kind)], fractions: [0, 0.1], seeds: [1])
        #expect(throws: SpecificationError(path: "defenses[0]", location: nil,
                                           message: "spectral-signature needs a model with a representation; kernel-ridge has none")) {
            try Study(refused)
        }
        let runs = StudyConfig(data: data, models: [StudyConfig.component(KernelRidge.kind)],
                               attacks: [StudyConfig.component(Backdoor.kind, ["clean-label": .bool(true)])], fractions: [0, 0.1], seeds: [1])
        let study = try Study(runs)
        #expect(study.series[0].modelLabel == "kernel ridge rbf (ℓ = 1.0, λ = 1.0)")
        #expect(study.series[0].parameterCount == study.split.train.count * 3)
        let results = runStudy(study, threads: 1).results
        #expect(results.allSatisfy { $0.metrics?[MetricKey.testAccuracy].map { $0 > 0.5 } == true })
    }
}
