import Foundation
import Testing
@testable import PoisoningEngine

/// Gradient Canceling (Lu, Kamath, Yu 2023): its gradient against finite differences, its mixed
/// gradient against the network's own backward pass, the targets' definitions, and on a controlled
/// case what the paper says: below τ no poison set cancels the clean gradient, above τ GC does.
struct GradientCancelingTests {
    /// Three poisons for the reference rows of `PoisonabilityTests` (softmax regression, 3 classes).
    static let poisons: [Double] = [0.3, -1.2, 0.7, 0.05, -0.4, 0.9, -1.1, 0.6, 1.3, 0.2, -0.8, -0.3]
    static let poisonLabels = [2, 0, 1]

    /// ∂L/∂x from the double-backward pass agrees with central differences of L (step 1e-6) to 1e-7
    /// of the gradient's largest entry, for every feature of every poison.
    @Test func theAttackGradientIsTheObjectivesFiniteDifference() {
        let target = PoisonabilityTests.referenceNetwork(classes: 3, hidden: false)
        var objective = GradientCancelingObjective(target: target, clean: PoisonabilityTests.referenceRows(classes: 3),
                                                   poisonLabels: Self.poisonLabels)
        var gradient = [Double](repeating: 0, count: Self.poisons.count)
        _ = objective.evaluate(Self.poisons, gradient: &gradient)
        var scratch = gradient
        let largest = gradient.map(abs).max()!
        #expect(largest > 1e-4)
        for i in Self.poisons.indices {
            var up = Self.poisons, down = Self.poisons
            up[i] += 1e-6
            down[i] -= 1e-6
            let difference = (objective.evaluate(up, gradient: &scratch) - objective.evaluate(down, gradient: &scratch)) / 2e-6
            #expect(abs(difference - gradient[i]) <= 1e-7 * largest, "feature \(i): \(gradient[i]) vs \(difference)")
        }
    }

    /// The mixed gradient norm ‖g(clean rows and poisons; θ)‖ is the norm of the network's own mean
    /// gradient (its Float backward pass) over those rows, to 1e-5 of it; with no poisons, the clean one.
    @Test func theMixedGradientIsTheNetworksGradientOverTheMixture() {
        let target = PoisonabilityTests.referenceNetwork(classes: 3, hidden: false)
        let clean = PoisonabilityTests.referenceRows(classes: 3)
        var objective = GradientCancelingObjective(target: target, clean: clean, poisonLabels: Self.poisonLabels)
        var mixture = clean
        mixture.features += Self.poisons.map(Float.init)
        mixture.labels += Self.poisonLabels
        for (data, poisons) in [(mixture, Self.poisons), (clean, [])] {
            let network = target.lossAndGradient(on: data).gradient.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
            #expect(abs(objective.mixedGradientNorm(poisons) - network) <= 1e-5 * network)
        }
    }

    /// GradPC's target lies within ε_w of the clean model (relative norm), at its edge after 100
    /// steps, with a higher validation loss; a label-flip target of fraction 0 is the clean model.
    @Test func theTargetsAreWhatTheySay() throws {
        let split = GaussianClusters(samples: 200, features: 5, classes: 2, seed: 4).makeSplit()
        let trainer = ModelTrainer(model: NetworkShape(inputs: 5, hidden: [], classes: 2), settings: TrainingSettings(epochs: 20, batchSize: 16), seed: 9)
        let clean = try #require(trainer.train(split.train).model as? NetworkParameters)
        let target = try #require(GradPCTarget(epsW: 0.5).target(clean: clean, train: split.train, trainer: trainer, seed: 9))
        let distance = relativeParameterDistance(target, from: clean)
        #expect(distance <= 0.5 * (1 + 1e-6) && distance >= 0.5 * (1 - 1e-3))
        #expect(target.lossAndGradient(on: split.train).loss > clean.lossAndGradient(on: split.train).loss)
        let unflipped = try #require(LabelFlipTarget(fraction: 0).target(clean: clean, train: split.train, trainer: trainer, seed: 9))
        #expect(unflipped == clean)
    }
}
