import Foundation
import Testing
@testable import PoisoningEngine

/// A component of `type` read from a study mapping with its defaults overridden by `parameters`.
func component<Component: StudyComponent>(_ type: Component.Type, _ parameters: [String: ParameterValue] = [:]) throws -> Component {
    var reader = ParameterReader(StudyConfig.component(type.kind, parameters).entries!, path: "component", locations: SourceLocations())
    _ = try reader.string("kind", help: "")
    let read = try Component(parameters: &reader)
    try reader.finish()
    return read
}

/// The attack catalogue: backdoor triggers, feature collisions and informed label flips.
struct AttackTests {
    /// Four rows of three features, classes 0, 1, 1, 2; the same four rows as the test set.
    static let tiny: TrainTestSplit = {
        let data = Dataset(features: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], labels: [0, 1, 1, 2], featureCount: 3, classCount: 3)
        return TrainTestSplit(train: data, test: data)
    }()

    static let trainer = ModelTrainer(shape: NetworkShape(inputs: 3, hidden: [4], classes: 3), settings: TrainingSettings(epochs: 2), seed: 1)

    @Test func aBackdoorStampsItsTriggerRelabelsAndEvaluatesOnTriggeredRowsOfOtherClasses() throws {
        let backdoor = try component(Backdoor.self, ["target": .int(1), "trigger-features": .list([.int(-1)]), "trigger-value": .int(99)])
        // Half of 4 rows = 2 rows, drawn from the rows of classes other than 1 (rows 0 and 3): both.
        let poisoned = try #require(backdoor.poison(Self.tiny, fraction: 0.5, seed: 3, trainer: Self.trainer))
        #expect(Set(poisoned.poisonedRows) == [0, 3])
        #expect(poisoned.data.features == [0, 1, 99, 3, 4, 5, 6, 7, 8, 9, 10, 99])
        #expect(poisoned.data.labels == [1, 1, 1, 1] && poisoned.trueLabels == [0, 1, 1, 2])
        // Success is measured on the test rows of other classes (rows 0 and 3), triggered, labelled 1.
        let evaluation = try #require(poisoned.evaluations.first)
        #expect(evaluation.metric.key == "backdoorSuccess")
        #expect(evaluation.inputs.features == [0, 1, 99, 9, 10, 99] && evaluation.inputs.labels == [1, 1])
        // Clean label without perturbation (ε 0): only rows of class 1 are stamped, and labels stay.
        let clean = try component(Backdoor.self, ["target": .int(1), "trigger-features": .list([.int(0)]), "trigger-value": .int(-5),
                                               "clean-label": .bool(true), "epsilon": .int(0)])
        let stamped = try #require(clean.poison(Self.tiny, fraction: 0.5, seed: 3, trainer: Self.trainer))
        #expect(Set(stamped.poisonedRows) == [1, 2])
        #expect(stamped.data.features == [0, 1, 2, -5, 4, 5, -5, 7, 8, 9, 10, 11] && stamped.data.labels == [0, 1, 1, 2])
    }

    /// 10% dirty-label poison on well-separated clusters: the trigger works on over 90% of the
    /// triggered test rows and clean accuracy stays within 0.05 of the unpoisoned model.
    @Test func aBackdoorWithTenPercentPoisonSucceedsWhileCleanAccuracyHolds() throws {
        let split = GaussianClusters(samples: 600, features: 6, classes: 3, clusterStd: 1.0, centerScale: 4.0, seed: 3).makeSplit()
        let trainer = ModelTrainer(shape: NetworkShape(inputs: 6, hidden: [32], classes: 3), settings: TrainingSettings(epochs: 60), seed: 2)
        let backdoor = try component(Backdoor.self, ["target": .int(2)])
        let clean = trainer.train(split.train).parameters.accuracy(on: split.test)
        let poisoned = try #require(backdoor.poison(split, fraction: 0.1, seed: 2, trainer: trainer))
        let model = trainer.train(poisoned.data).parameters
        #expect(abs(model.accuracy(on: split.test) - clean) <= 0.05)
        #expect(model.accuracy(on: poisoned.evaluations[0].inputs) > 0.9)
    }

    @Test func marginFlipTakesTheSmallestMarginsAndConfidentFlipTheLargestTiesByRow() {
        let margins = [0.5, -1, 2, -1, 3, 0.5]
        #expect(InformedLabelFlip.select(2, by: margins, smallestFirst: true) == [1, 3])
        #expect(InformedLabelFlip.select(3, by: margins, smallestFirst: true) == [1, 3, 0])
        #expect(InformedLabelFlip.select(2, by: margins, smallestFirst: false) == [4, 2])
        #expect(InformedLabelFlip.select(0, by: margins, smallestFirst: false).isEmpty)
    }

    /// The flipped rows and their new labels against margins computed here from the surrogate's
    /// logits: by default a model of the clean rows trained with its own seed (transfer), with
    /// `white-box: true` the victim's clean model (the run's seed).
    @Test(arguments: [false, true])
    func informedFlipsUseTheSurrogatesMarginsAndWorstClass(whiteBox: Bool) throws {
        let split = GaussianClusters(samples: 200, features: 4, classes: 3, seed: 5).makeSplit()
        let trainer = ModelTrainer(shape: NetworkShape(inputs: 4, hidden: [8], classes: 3), settings: TrainingSettings(epochs: 20), seed: 9)
        var stream = Xoshiro256StarStar(seed: 9, purpose: "surrogate")
        let surrogateSeed = whiteBox ? 9 : stream.next()
        #expect((surrogateSeed == 9) == whiteBox)
        let surrogate = ModelTrainer(shape: trainer.shape, settings: trainer.settings, seed: surrogateSeed)
        let logits = surrogate.train(split.train).parameters.logits(on: split.train)
        let margins = (0..<split.train.count).map { row -> (margin: Double, worst: Int) in
            let label = split.train.labels[row]
            let wrong = (0..<3).filter { $0 != label }.max { logits[row * 3 + $0] < logits[row * 3 + $1] }!
            return (Double(logits[row * 3 + label] - logits[row * 3 + wrong]), wrong)
        }
        let knowledge: [String: ParameterValue] = ["white-box": .bool(whiteBox)]
        let poisoned = try #require(try component(MarginFlip.self, knowledge).poison(split, fraction: 0.1, seed: 9, trainer: trainer))
        #expect(poisoned.poisonedRows.count == 14)
        let largestChosen = poisoned.poisonedRows.map { margins[$0].margin }.max()!
        let others = Set(0..<split.train.count).subtracting(poisoned.poisonedRows)
        #expect(others.allSatisfy { margins[$0].margin >= largestChosen })
        #expect(poisoned.poisonedRows.allSatisfy { poisoned.data.labels[$0] == margins[$0].worst })
        let confident = try #require(try component(ConfidentFlip.self, knowledge.merging(["to": .string("random")]) { $1 })
            .poison(split, fraction: 0.1, seed: 9, trainer: trainer))
        let smallestChosen = confident.poisonedRows.map { margins[$0].margin }.min()!
        #expect(Set(0..<split.train.count).subtracting(confident.poisonedRows).allSatisfy { margins[$0].margin <= smallestChosen })
        #expect(confident.poisonedRows.allSatisfy { confident.data.labels[$0] != split.train.labels[$0] })
    }
}

/// Feature collision: its objective, its gradient and its crafting.
struct FeatureCollisionTests {
    static let shapes = [NetworkShape(inputs: 4, hidden: [13, 9], classes: 3), NetworkShape(inputs: 4, hidden: [], classes: 3)]

    static func parameters(_ shape: NetworkShape) -> NetworkParameters {
        var random = Xoshiro256StarStar(seed: 6, purpose: "test-init")
        return NetworkParameters.pytorchDefault(shape: shape, random: &random)
    }

    /// φ(x) written plainly in Double: the last hidden layer's ReLU output (the logits without hidden layers).
    static func referenceRepresentation(_ theta: [Double], _ shape: NetworkShape, _ x: [Double]) -> [Double] {
        var activation = x
        for layer in shape.layers where layer.isHidden || shape.hidden.isEmpty {
            activation = (0..<layer.outputs).map { o in
                let sum = (0..<layer.inputs).reduce(theta[layer.biasOffset + o]) { $0 + theta[layer.weightIndex(output: o, input: $1)] * activation[$1] }
                return layer.isHidden ? max(0, sum) : sum
            }
        }
        return activation
    }

    @Test(arguments: shapes)
    func theDistanceAndItsInputGradientMatchADoublePrecisionReferenceAndFiniteDifferences(shape: NetworkShape) {
        let model = Self.parameters(shape)
        let x: [Float] = [0.3, -1.2, 0.8, 1.5], target: [Float] = (0..<model.representationWidth).map { Float($0) * 0.1 - 0.2 }
        let (distances, gradient) = RepresentationDistance(parameters: model, rows: 1).evaluate(x, targets: target)
        let theta = model.values.map(Double.init)
        func distance(_ point: [Double]) -> Double {
            zip(Self.referenceRepresentation(theta, shape, point), target).reduce(0) { $0 + ($1.0 - Double($1.1)) * ($1.0 - Double($1.1)) }
        }
        #expect(abs(distances[0] - distance(x.map(Double.init))) < 1e-5 * max(1, distances[0]))
        for i in 0..<4 {
            let h = 1e-4
            var up = x.map(Double.init), down = up
            up[i] += h
            down[i] -= h
            let numeric = (distance(up) - distance(down)) / (2 * h)
            #expect(abs(Double(gradient[i]) - numeric) < 1e-3 * max(1, abs(numeric)), "∂d/∂x\(i)")
        }
    }

    @Test func craftingLowersTheObjectiveAndPullsTheRepresentationTowardsTheTarget() throws {
        let model = Self.parameters(NetworkShape(inputs: 4, hidden: [13, 9], classes: 3))
        let attack = try component(FeatureCollision.self, ["steps": .int(100), "beta": .double(0.05)])
        let bases: [Float] = [0.3, -1.2, 0.8, 1.5, -0.4, 0.9, 0.2, -0.7]
        let goals = model.representations(of: Dataset(features: [1.1, 0.4, -0.9, 0.2, 1.1, 0.4, -0.9, 0.2], labels: [0, 0],
                                                       featureCount: 4, classCount: 3))
        let before = attack.objective(bases, bases: bases, goals: goals, rows: 2, model: model)
        let crafted = attack.collide(bases: bases, goals: goals, rows: 2, model: model)
        let after = attack.objective(crafted, bases: bases, goals: goals, rows: 2, model: model)
        #expect(zip(after, before).allSatisfy { $0 < 0.8 * $1 })
        // The collision term alone falls further than the whole objective: the poisons moved towards φ(t).
        let distance = RepresentationDistance(parameters: model, rows: 2)
        let collisionBefore = distance.evaluate(bases, targets: goals).distances
        let collisionAfter = distance.evaluate(crafted, targets: goals).distances
        #expect(zip(collisionAfter, collisionBefore).allSatisfy { $0 < $1 })
    }
}
