import Foundation
import Testing
@testable import PoisoningAttacks
@testable import PoisoningData
@testable import PoisoningDefenses
@testable import PoisoningEngine
@testable import PoisoningModels
@testable import PoisoningTheory
@testable import PoisoningUtilities

/// A model's reference values from scikit-learn (Fixtures/NAME.json, written by
/// scripts/NAME.py through scripts/model_reference_data.py): the shared fixed float32 data and the
/// model's `Case`s.
struct ModelReferenceFixture<Case: Decodable>: Decodable {
    let scikitLearn: String
    let features: Int
    let classes: Int
    let trainFeatures: [Float]
    let trainLabels: [Int]
    let testFeatures: [Float]
    let testLabels: [Int]
    let cases: [Case]

    /// The fixture Fixtures/`name`.json.
    static func load(_ name: String) throws -> Self {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(Self.self, from: Data(contentsOf: url))
    }

    var train: Dataset { Dataset(features: trainFeatures, labels: trainLabels, featureCount: features, classCount: classes) }
    var test: Dataset { Dataset(features: testFeatures, labels: testLabels, featureCount: features, classCount: classes) }
}

/// `architecture`, a model solved at once (one epoch, not diverged), solved on `train`, as its
/// classifier type `Solved`.
func solvedOnce<Solved>(_ architecture: some ModelArchitecture, on train: Dataset, as _: Solved.Type) throws -> Solved {
    let model = architecture.model(for: SplitSizes(trainRows: train.count, testRows: 0, features: train.featureCount, classes: train.classCount))
    let fit = model.train(train, settings: TrainingSettings(), seed: 1, adjustment: TrainingAdjustment())
    #expect(fit.divergedEpoch == nil && fit.epochLosses.count == 1)
    return try #require(fit.model as? Solved)
}
