import Foundation
import Testing
@testable import PoisoningAttacks
@testable import PoisoningData
@testable import PoisoningDefenses
@testable import PoisoningEngine
@testable import PoisoningModels
@testable import PoisoningTheory
@testable import PoisoningUtilities

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

    static let trainer = ModelTrainer(model: NetworkShape(inputs: 3, hidden: [4], classes: 3), settings: TrainingSettings(epochs: 2), seed: 1)

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
        let trainer = ModelTrainer(model: NetworkShape(inputs: 6, hidden: [32], classes: 3), settings: TrainingSettings(epochs: 60), seed: 2)
        let backdoor = try component(Backdoor.self, ["target": .int(2)])
        let clean = trainer.train(split.train).model.accuracy(on: split.test)
        let poisoned = try #require(backdoor.poison(split, fraction: 0.1, seed: 2, trainer: trainer))
        let model = trainer.train(poisoned.data).model
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
        let trainer = ModelTrainer(model: NetworkShape(inputs: 4, hidden: [8], classes: 3), settings: TrainingSettings(epochs: 20), seed: 9)
        var stream = Xoshiro256StarStar(seed: 9, purpose: "surrogate")
        let surrogateSeed = whiteBox ? 9 : stream.next()
        #expect((surrogateSeed == 9) == whiteBox)
        let surrogate = ModelTrainer(model: trainer.model, settings: trainer.settings, seed: surrogateSeed)
        let logits = surrogate.train(split.train).model.logits(on: split.train)
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

    /// A step size far too large for plain forward-backward splitting: the steps that raise the
    /// objective are discarded and λ halved until they lower it, so no poison ends above its start.
    @Test func aStepThatRaisesTheObjectiveIsDiscarded() throws {
        let model = Self.parameters(NetworkShape(inputs: 4, hidden: [13, 9], classes: 3))
        let attack = try component(FeatureCollision.self, ["steps": .int(40), "step-size": .double(500), "beta": .double(0.05)])
        let bases: [Float] = [0.3, -1.2, 0.8, 1.5, -0.4, 0.9, 0.2, -0.7, 2.0, 0.1, -1.5, 0.6]
        let goals = model.representations(of: Dataset(features: [1.1, 0.4, -0.9, 0.2, -1.0, 1.3, 0.5, 0.8, 0.0, -0.6, 1.2, -0.3],
                                                       labels: [0, 0, 0], featureCount: 4, classCount: 3))
        let before = attack.objective(bases, bases: bases, goals: goals, rows: 3, model: model)
        let crafted = attack.collide(bases: bases, goals: goals, rows: 3, model: model)
        let after = attack.objective(crafted, bases: bases, goals: goals, rows: 3, model: model)
        #expect(zip(after, before).allSatisfy { $0 <= $1 })
        #expect(zip(after, before).contains { $0 < 0.9 * $1 })
        #expect(crafted.allSatisfy { $0.isFinite })
    }

    /// β = β0 · m² / n², m the representation's width (last hidden layer; the classes without hidden
    /// layers), n the inputs: the paper's 0.25 · 2048² / dim_b² with our dimensions.
    @Test func betaIsBetaZeroTimesTheRepresentationsWidthSquaredOverTheInputsSquared() throws {
        let paper = try component(FeatureCollision.self)
        #expect(paper.beta0 == 0.25 && paper.fixedBeta == nil)
        // The attacks example: MLP 64 on 10 features, 0.25 · 64² / 10² = 10.24; logistic, 5 classes: 0.25 · 25 / 100.
        #expect(abs(paper.beta(representationWidth: 64, inputs: 10) - 10.24) < 1e-12)
        #expect(paper.beta(representationWidth: NetworkShape(inputs: 10, hidden: [], classes: 5).representationWidth!, inputs: 10) == 0.0625)
        // The last hidden layer counts: 0.25 · 9² / 4² = 1.265625 (exact in binary).
        #expect(paper.beta(representationWidth: NetworkShape(inputs: 4, hidden: [13, 9], classes: 3).representationWidth!, inputs: 4) == 1.265625)
        // The paper's own case: InceptionV3's 2048 features, a 299 x 299 x 3 image.
        #expect(abs(FeatureCollision.scaledBeta(beta0: 0.25, representationWidth: 2048, inputs: 299 * 299 * 3)
            - 0.25 * pow(2048.0 / 268_203.0, 2)) < 1e-18)
        let unit = try component(FeatureCollision.self, ["beta0": .double(1)])
        #expect(unit.beta(representationWidth: 12, inputs: 3) == 16)
        // An explicit β replaces the scaling (β0 beside it would be ignored, so it is refused); auto restores it.
        let fixed = try component(FeatureCollision.self, ["beta": .double(3)])
        #expect(fixed.beta(representationWidth: 64, inputs: 10) == 3)
        #expect(throws: SpecificationError.self) { try component(FeatureCollision.self, ["beta": .double(3), "beta0": .double(7)]) }
        #expect(try component(FeatureCollision.self, ["beta": .string("auto")]).fixedBeta == nil)
        #expect(throws: SpecificationError.self) { try component(FeatureCollision.self, ["beta": .string("large")]) }
        #expect(throws: SpecificationError.self) { try component(FeatureCollision.self, ["beta": .int(0)]) }
    }

    /// The watermark is b ← (1 − γ) b + γ t, row i blended with target row i mod (targets), and nothing at γ = 0.
    @Test func theWatermarkBlendsEachBaseRowWithItsTarget() {
        let bases: [Float] = [4, -8, 0, 12, 2, 6], targets: [Float] = [8, 0, -4, 4]
        var quarter = bases
        // γ = 0.25 keeps every product and sum exact in Float: 0.75 · 4 + 0.25 · 8 = 5, ...; row 2 takes target 0 again.
        FeatureCollision.watermark(&quarter, targets: targets, featureCount: 2, opacity: 0.25)
        #expect(quarter == [5, -6, -1, 10, 3.5, 4.5])
        var none = bases
        FeatureCollision.watermark(&none, targets: targets, featureCount: 2, opacity: 0)
        #expect(none == bases)
        var paper = bases
        FeatureCollision.watermark(&paper, targets: targets, featureCount: 2, opacity: 0.3)
        for i in 0..<6 {
            let expected = 0.7 * Double(bases[i]) + 0.3 * Double(targets[(i / 2 % 2) * 2 + i % 2])
            #expect(abs(Double(paper[i]) - expected) < 1e-5)
        }
    }

    /// A poison counts when it is strictly nearer the base class's mean than its target.
    @Test func aPoisonIsInItsBaseClassWhenNearerTheClassMeanThanItsTarget() {
        let mean: [Double] = [0, 0], targets: [Float] = [10, 0, 0, 10]
        // Rows 0 and 2 go to target (10, 0), rows 1 and 3 to (0, 10): in, out, a tie (out), in.
        let poisons: [Float] = [4, 0, 0, 6, 5, 0, 3, 3]
        #expect(FeatureCollision.shareInBaseClass(poisons, targets: targets, featureCount: 2, baseMean: mean) == 0.5)
        #expect(FeatureCollision.shareInBaseClass([], targets: targets, featureCount: 2, baseMean: mean) == nil)
        let data = Dataset(features: [1, 2, 3, 4, 5, 6, 100, 100], labels: [1, 0, 1, 2], featureCount: 2, classCount: 3)
        #expect(FeatureCollision.classMean(of: data, class: 1) == [3, 4])
    }

    /// Through the whole attack: the watermark is applied before the optimisation and is the
    /// proximal term's anchor. With β = 1e9 the proximal step x ← (x̂ + λβ b) / (1 + λβ) puts every
    /// poison within about |x̂ − b| / (λβ) of its anchor b, so the poisons must equal the watermarked
    /// bases (1 − γ) b + γ t, and not the bases themselves (γ |t − b| away).
    @Test func thePoisonsAreAnchoredAtTheWatermarkedBase() throws {
        let split = GaussianClusters(samples: 300, features: 5, classes: 3, clusterStd: 1, centerScale: 4, seed: 11).makeSplit()
        let trainer = ModelTrainer(model: NetworkShape(inputs: 5, hidden: [16], classes: 3), settings: TrainingSettings(epochs: 10), seed: 4)
        let attack = try component(FeatureCollision.self, ["opacity": .double(0.3), "beta": .double(1e9), "steps": .int(50)])
        let poisoned = try #require(attack.poison(split, fraction: 0.1, seed: 4, trainer: trainer))
        let targets = poisoned.evaluations[0].inputs, d = 5
        #expect(poisoned.poisonedRows.count == 21 && targets.count == 5)
        var farFromBase = 0
        for (i, row) in poisoned.poisonedRows.enumerated() {
            let t = i % targets.count
            for j in 0..<d {
                let b = Double(split.train.features[row * d + j]), target = Double(targets.features[t * d + j])
                let poison = Double(poisoned.data.features[row * d + j])
                #expect(abs(poison - (0.7 * b + 0.3 * target)) < 1e-4)
                if abs(poison - b) > 0.01 { farFromBase += 1 }
            }
        }
        #expect(farFromBase > 21 * d / 2)
        #expect(poisoned.data.labels == split.train.labels)
        // Its measurement is the share computed here from the rows it returned.
        let expected = FeatureCollision.shareInBaseClass(poisoned.poisonedRows.flatMap { poisoned.data.features[($0 * d)..<(($0 + 1) * d)] },
                                                         targets: targets.features, featureCount: d,
                                                         baseMean: FeatureCollision.classMean(of: split.train, class: 1))
        let share = try #require(expected)
        #expect(poisoned.measurements == ["poisonsInBaseClass": share])
        // No poison, no measurement.
        #expect(try #require(attack.poison(split, fraction: 0, seed: 4, trainer: trainer)).measurements.isEmpty)
    }

    /// At the paper's β, where the optimisation moves the poisons, they are exactly the crafting of
    /// the watermarked bases (the watermark before the optimisation), which differs from watermarking
    /// the crafting of the plain bases (the watermark after it).
    @Test func theWatermarkComesBeforeTheOptimisation() throws {
        let split = GaussianClusters(samples: 300, features: 5, classes: 3, clusterStd: 1, centerScale: 4, seed: 11).makeSplit()
        let trainer = ModelTrainer(model: NetworkShape(inputs: 5, hidden: [16], classes: 3), settings: TrainingSettings(epochs: 10), seed: 4)
        let attack = try component(FeatureCollision.self, ["opacity": .double(0.3)])
        let poisoned = try #require(attack.poison(split, fraction: 0.1, seed: 4, trainer: trainer))
        let model = trainer.surrogate(.transfer).train(split.train).model as! NetworkParameters
        let targets = poisoned.evaluations[0].inputs, rows = poisoned.poisonedRows.count, d = 5
        let representations = model.representations(of: targets), width = model.representationWidth
        let goals = (0..<rows).flatMap { i in representations[((i % targets.count) * width)..<((i % targets.count + 1) * width)] }
        let bases = poisoned.poisonedRows.flatMap { split.train.features[($0 * d)..<(($0 + 1) * d)] }
        var watermarked = bases
        FeatureCollision.watermark(&watermarked, targets: targets.features, featureCount: d, opacity: 0.3)
        let before = attack.collide(bases: watermarked, goals: goals, rows: rows, model: model)
        var after = attack.collide(bases: bases, goals: goals, rows: rows, model: model)
        FeatureCollision.watermark(&after, targets: targets.features, featureCount: d, opacity: 0.3)
        let crafted = poisoned.poisonedRows.flatMap { poisoned.data.features[($0 * d)..<(($0 + 1) * d)] }
        #expect(crafted == before)
        #expect(zip(crafted, after).map { abs($0 - $1) }.max()! > 0.01)
        #expect(zip(crafted, watermarked).map { abs($0 - $1) }.max()! > 0.01)
    }

    /// The paper's claim at its β: the poisons stay near their bases. A guarantee, not luck: the
    /// iterations never raise J (a rising step is discarded), so β ||x − b||² ≤ J(x) ≤ J(b) = ||φ(b) − φ(t)||², so
    /// every poison lies within r = ||φ(b) − φ(t)|| / √β of its base, and by the triangle inequality it
    /// is nearer the base class's mean μ than its target whenever ||b − μ|| + 2r < ||b − t||. On the
    /// attacks example's sizes (10 features, MLP 64: β = 10.24) with well-separated clusters that
    /// condition holds for every poison (by 1.2 at the least), so poisonsInBaseClass must be exactly 1.
    /// At the old β = 0.1, and at 0.001, the same poisons all leave their class: the measure tells them apart.
    @Test func atThePapersBetaEveryPoisonStaysInItsBaseClass() throws {
        let split = GaussianClusters(samples: 600, features: 10, classes: 3, clusterStd: 1, centerScale: 4, seed: 8).makeSplit()
        let shape = NetworkShape(inputs: 10, hidden: [64], classes: 3)
        let trainer = ModelTrainer(model: shape, settings: TrainingSettings(epochs: 30), seed: 5)
        let attack = try component(FeatureCollision.self)
        let beta = attack.beta(representationWidth: 64, inputs: 10), d = 10
        #expect(abs(beta - 10.24) < 1e-12)
        let poisoned = try #require(attack.poison(split, fraction: 0.1, seed: 5, trainer: trainer))
        // The surrogate the attack trained (the transfer setting's seed), trained again here.
        let model = trainer.surrogate(.transfer).train(split.train).model as! NetworkParameters
        let targets = poisoned.evaluations[0].inputs, rows = poisoned.poisonedRows.count
        #expect(rows == 42)
        let bases = poisoned.poisonedRows.flatMap { split.train.features[($0 * d)..<(($0 + 1) * d)] }
        let crafted = poisoned.poisonedRows.flatMap { poisoned.data.features[($0 * d)..<(($0 + 1) * d)] }
        let targetRows = (0..<rows).flatMap { i in targets.features[((i % targets.count) * d)..<((i % targets.count + 1) * d)] }
        let goals = model.representations(of: Dataset(features: targetRows, labels: [Int](repeating: 1, count: rows),
                                                      featureCount: d, classCount: 3))
        let start = attack.objective(bases, bases: bases, goals: goals, rows: rows, model: model)
        let end = attack.objective(crafted, bases: bases, goals: goals, rows: rows, model: model)
        let mean = FeatureCollision.classMean(of: split.train, class: 1)
        func norm(_ a: ArraySlice<Float>, _ b: [Double]) -> Double {
            zip(a, b).reduce(0) { $0 + (Double($1.0) - $1.1) * (Double($1.0) - $1.1) }.squareRoot()
        }
        var guaranteed = 0
        for i in 0..<rows {
            let row = (i * d)..<((i + 1) * d)
            #expect(end[i] <= start[i] * (1 + 1e-6), "poison \(i): the objective rose")
            let radius = (start[i] / beta).squareRoot()
            let moved = norm(crafted[row], bases[row].map(Double.init))
            #expect(moved <= radius * (1 + 1e-4) + 1e-5, "poison \(i) left its ball")
            if norm(bases[row], mean) + 2 * radius < norm(bases[row], targetRows[row].map(Double.init)) { guaranteed += 1 }
        }
        #expect(guaranteed == rows)
        #expect(poisoned.measurements["poisonsInBaseClass"] == 1)
        // Smaller βs let the same poisons become copies of their targets.
        for loose in [0.1, 0.001] {
            let attack = try component(FeatureCollision.self, ["beta": .double(loose)])
            let leaving = try #require(attack.poison(split, fraction: 0.1, seed: 5, trainer: trainer))
            #expect(try #require(leaving.measurements["poisonsInBaseClass"]) < 0.5, "β = \(loose)")
        }
    }
}
