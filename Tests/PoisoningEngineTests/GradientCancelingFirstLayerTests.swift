import Foundation
import Testing
@testable import PoisoningAttacks
@testable import PoisoningData
@testable import PoisoningEngine
@testable import PoisoningModels
@testable import PoisoningTheory
@testable import PoisoningUtilities

/// `cancel: first-layer`, the authors' network code (github watml/plim, `GC/mnist_nn-0.03-5e-1.py`:
/// the norm of `grad_p[0]`, the first layer's weight): its objective is ½‖v_{W_1}‖², the first layer's
/// weights' part of the mixed gradient, and on a controlled case it lowers that part while the later
/// layers' part stays large.
struct GradientCancelingFirstLayerTests {
    /// On the MLPs of `GradientCancelingTests` (one hidden layer of 5 units, two of 5 and 3), the norms
    /// of the mixture partition the full gradient: ‖v_{W_1}‖² (first-layer's mixed norm) + ‖v_{W_2…W_L}‖²
    /// (`laterLayersGradientNorm`) + ‖v_b‖² (`biasGradientNorm`) = ‖v‖² (weights-and-bias's mixed norm), and
    /// every layer's weights (weights' mixed norm) = first + later; L = ½‖v_{W_1}‖² ((n + m)/n)²; and
    /// ∂L/∂x is the central difference of L (step 1e-6) to 1e-7 of its largest entry, and differs from
    /// the `weights` objective's (the later layers' part is left out of it).
    @Test(arguments: [GradientCancelingTests.networks[1], GradientCancelingTests.networks[2]])
    func theObjectiveIsTheFirstLayersPartAndItsGradientItsFiniteDifference(target: NetworkParameters) {
        let clean = PoisonabilityTests.referenceRows(classes: 3), poisons = GradientCancelingTests.poisons
        let labels = GradientCancelingTests.poisonLabels
        func objective(_ cancel: CanceledGradient) -> GradientCancelingObjective {
            GradientCancelingObjective(target: target, clean: clean, poisonLabels: labels, cancel: cancel)
        }
        var first = objective(.firstLayer), weights = objective(.weights), all = objective(.weightsAndBias)
        let firstNorm = first.mixedGradientNorm(poisons), later = first.laterLayersGradientNorm(poisons), bias = first.biasGradientNorm(poisons)
        let whole = all.mixedGradientNorm(poisons), weightNorm = weights.mixedGradientNorm(poisons)
        #expect(firstNorm > 0 && later > 0 && bias > 0)
        #expect(abs(firstNorm * firstNorm + later * later + bias * bias - whole * whole) <= 1e-12 * whole * whole)
        #expect(abs(firstNorm * firstNorm + later * later - weightNorm * weightNorm) <= 1e-12 * weightNorm * weightNorm)
        var gradient = [Double](repeating: 0, count: poisons.count), scratch = gradient, weightsGradient = gradient
        let value = first.evaluate(poisons, gradient: &gradient)
        let n = Double(clean.count), m = Double(labels.count), scaled = firstNorm * (n + m) / n
        #expect(abs(value - 0.5 * scaled * scaled) <= 1e-12 * value)
        _ = weights.evaluate(poisons, gradient: &weightsGradient)
        #expect(gradient != weightsGradient)
        let largest = gradient.map(abs).max()!
        #expect(largest > 1e-4)
        for i in poisons.indices {
            var up = poisons, down = poisons
            up[i] += 1e-6
            down[i] -= 1e-6
            let difference = (first.evaluate(up, gradient: &scratch) - first.evaluate(down, gradient: &scratch)) / 2e-6
            #expect(abs(difference - gradient[i]) <= 1e-7 * largest, "\(target.shape.hidden) feature \(i): \(gradient[i]) vs \(difference)")
        }
    }

    /// A controlled case: an MLP 10 → 8 → 5 on 5 Gaussian clusters (seed 3), its GradPC target at ε_w
    /// 0.1, unprojected poisons at half the target's weights-only threshold τ_w. What it checks, and
    /// only that: (1) the descent works on the objective it is given: after 3,000 steps the first
    /// layer's mixed gradient is at most 0.2 of the clean one (measured 0.12, its L-BFGS descent
    /// stalled there) and less than half of where one step leaves it; (2) the objective is not
    /// `weights`'s: the later layers' part it leaves (`laterLayersGradientRatio`) stays at 10% of the
    /// clean one or more; (3) the run records the biases' leftover, τ as the `weights` run does, and no
    /// τ_w (none is derived for the first layer). What it does not check: the paper's event, the mixed
    /// gradient at most 1e-3 of the clean one (`GradientCanceling.cancelledRatio`). No controlled case
    /// tried reaches it (0.25, 0.5, 0.75 and 2 τ_w left 0.12, 0.12, 0.077 and 0.079, on hidden widths 16
    /// and 32 too), so this test cannot show that `first-layer` cancels the first layer's gradient where
    /// a poison set that does exists; the report's method sentence and docs/study-files.md say so. (For
    /// ReLU layers ⟨W₁, ∇_{W₁}ℓ⟩ = ⟨W₂, ∇_{W₂}ℓ⟩ − ⟨b₁, ∇_{b₁}ℓ⟩ per row, so cancelling the first layer ties
    /// the last layer to τ_w's condition up to the bias term: 0.5 τ_w need not admit any cancelling set.)
    @Test func firstLayerLowersTheFirstLayersGradientAndRecordsTheLaterLayersLeftover() throws {
        let split = GaussianClusters(samples: 300, features: 10, classes: 5, seed: 3).makeSplit()
        let trainer = ModelTrainer(model: NetworkShape(inputs: 10, hidden: [8], classes: 5), settings: TrainingSettings(), seed: 1)
        var ratios = [CanceledGradient: Double](), measured = [CanceledGradient: [String: Double]]()
        let tauW = try #require(GradientCanceling(targetLabel: "gradpc 0.1", target: GradPCTarget(epsW: 0.1), steps: 1)
            .poison(split, fraction: 0.1, seed: 1, trainer: trainer)?.measurements[MetricKey.weightsOnlyThreshold])
        let oneStep = try #require(GradientCanceling(targetLabel: "gradpc 0.1", target: GradPCTarget(epsW: 0.1), cancel: .firstLayer, steps: 1,
                                                     project: false).poison(split, fraction: 0.5 * tauW, seed: 1, trainer: trainer)?.measurements)
        let initial = try #require(oneStep[MetricKey.mixedGradientNorm]) / (try #require(oneStep[MetricKey.cleanGradientNorm]))
        for cancel in [CanceledGradient.firstLayer, .weights] {
            let attack = GradientCanceling(targetLabel: "gradpc 0.1", target: GradPCTarget(epsW: 0.1), cancel: cancel, steps: 3000, project: false)
            let poisoned = try #require(attack.poison(split, fraction: 0.5 * tauW, seed: 1, trainer: trainer))
            let mixed = try #require(poisoned.measurements[MetricKey.mixedGradientNorm])
            let cleanNorm = try #require(poisoned.measurements[MetricKey.cleanGradientNorm])
            ratios[cancel] = mixed / cleanNorm
            measured[cancel] = poisoned.measurements
        }
        let first = try #require(measured[.firstLayer])
        #expect(ratios[.firstLayer]! <= 0.2 && ratios[.firstLayer]! < 0.5 * initial,
                "first layer: mixed/clean \(ratios[.firstLayer]!) at 0.5 τ_w (τ_w \(tauW)), \(initial) after one step")
        let later = try #require(first[MetricKey.laterLayersGradientRatio])
        #expect(later >= 0.1, "later layers left at \(later) of the clean one")
        #expect(first[MetricKey.weightsOnlyThreshold] == nil && first[MetricKey.biasGradientRatio] != nil)
        #expect(first[MetricKey.poisonabilityThreshold] == measured[.weights]![MetricKey.poisonabilityThreshold])
    }
}
