import Foundation
import Testing
@testable import PoisoningAttacks
@testable import PoisoningData
@testable import PoisoningEngine
@testable import PoisoningModels
@testable import PoisoningTheory
@testable import PoisoningUtilities

/// Validity of τ_w on a controlled case with a bias: gradient canceling with `cancel: weights` (the
/// attack's own code, free features) cancels the weights' gradient at 1.1 τ_w and cannot at 0.9 τ_w,
/// where τ_w is well below τ (so τ, which counts the bias as a feature, is no bound for these runs).
struct WeightsOnlyCancelingTests {
    /// Two Gaussian clusters in 2-D (seed 3, std 1.5, 500 samples), binary logistic regression at
    /// seed 1, the GradPC target at ε_w 0.5 (bias b₁ − b₀ ≈ −0.19, τ_w ≈ 0.75 τ), gradient canceling
    /// with `project: false` (the threshold's free features) and 20,000 evaluations (at 4,000 the descent is exhausted at 1.2% of the clean gradient at 1.1 τ_w; with 20,000 it reaches 2.2e-4 there, and 3.1e-6 at 1.26 τ_w = 0.94 τ). Each budget is set
    /// from the τ_w the previous run recorded for its poison labels (the first picks of one shuffle, so
    /// π₁ barely moves with m) and the run is judged by the τ_w it records itself.
    @Test func weightsOnlyCancelingFollowsTauWNotTau() throws {
        let split = GaussianClusters(samples: 500, features: 2, classes: 2, clusterStd: 1.5, seed: 3).makeSplit()
        let trainer = ModelTrainer(model: NetworkShape(inputs: 2, hidden: [], classes: 2), settings: TrainingSettings(), seed: 1)
        let attack = GradientCanceling(targetLabel: "gradpc 0.5", target: GradPCTarget(epsW: 0.5), steps: 20_000, project: false)
        func run(_ fraction: Double) throws -> (tau: Double, tauW: Double, ratio: Double) {
            let poisoned = try #require(attack.poison(split, fraction: fraction, seed: 1, trainer: trainer))
            let m = poisoned.measurements
            return (try #require(m[MetricKey.poisonabilityThreshold]), try #require(m[MetricKey.weightsOnlyThreshold]),
                    try #require(m[MetricKey.mixedGradientNorm]) / (try #require(m[MetricKey.cleanGradientNorm])))
        }
        let probe = try run(0.1)
        #expect(probe.tauW < 0.8 * probe.tau, "τ_w \(probe.tauW) against τ \(probe.tau)")
        for (multiple, cancels) in [(1.1, true), (0.9, false)] {
            var fraction = multiple * probe.tauW
            fraction = multiple * (try run(fraction)).tauW
            let outcome = try run(fraction)
            let atMultiple = fraction / outcome.tauW
            #expect(abs(atMultiple - multiple) < 0.03, "budget \(fraction) = \(atMultiple) τ_w")
            #expect(fraction < outcome.tau, "budget \(fraction) is not below τ \(outcome.tau)")
            if cancels {
                #expect(outcome.ratio <= 1e-3, "at \(atMultiple) τ_w = \(fraction / outcome.tau) τ mixed/clean \(outcome.ratio)")
            } else {
                #expect(outcome.ratio > 1e-3, "at \(atMultiple) τ_w mixed/clean \(outcome.ratio): cancelled below τ_w")
            }
        }
    }
}
