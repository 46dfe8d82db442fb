import Testing
import PoisoningAnalysis
import PoisoningEngine

/// A run below its threshold whose mixed gradient is cancelled contradicts the prediction (r24f
/// blocker 2: the below-τ check quoted the least ratio as "stays at X or more" and could not fail),
/// and which threshold a gradient-canceling run is judged by (τ_w under `cancel: weights`, τ under
/// `cancel: weights-and-bias`).
struct BelowThresholdCancellationTests {
    /// Seeds 1 (τ 1.0) and 2 (τ 1.2), each cancelled at 2.0 (judged there): with seed 2's run at 0.5
    /// (0.42 τ) cancelled to 8.4e-6 the finding is a contradiction; the
    /// same runs with that run at 0.08 have none.
    @Test func aCancelledRunBelowItsThresholdContradictsThePrediction() {
        func evidence(_ belowRatio: Double) -> PoisonabilityEvidence {
            let runs: [(UInt64, Double, Double, Double)] = [(1, 0.5, 1.0, 0.3), (2, 0.5, 1.2, belowRatio), (1, 2.0, 1.0, 1.5e-6), (2, 2.0, 1.2, 5e-4)]
            return PoisonabilityEvidence(taus: [1.0, 1.2], runs: runs.map { PoisonabilityEvidence.RunEvidence(seed: $0.0, fraction: $0.1, tau: $0.2, gradientRatio: $0.3) },
                                         seedsWithoutThreshold: 0, targetAccuracy: 0.6, fractions: [], testRows: 300)
        }
        let agreeing = evidence(0.08)
        #expect(agreeing.contradictingRuns.isEmpty)
        let contradicted = evidence(8.4e-6)
                #expect(contradicted.contradictingRuns.map(\.seed) == [2])
        // Hedged as the verdict is (r24g minor): the floor below τ tends to 0 as ε_d nears τ.
        #expect(contradicted.parameterSpaceSentence == "In parameter space the runs go against the prediction: 1 run below the τ it records "
            + "brings the mixed gradient to 0.1% of the clean one or less (deepest: seed 2 at 50.0% = 0.42 τ, τ = 120.0%, leaves 8.4e-06 of "
            + "it); below τ no poison set brings it to 0, but the floor tends to 0 as ε_d nears τ, so this contradicts τ unless that floor is "
            + "under 0.1% of the clean gradient there.")
        // Exactly at the attack's rule (1e-3) counts as cancelled; just above it does not.
        #expect(evidence(1e-3).contradictingRuns.count == 1)
        #expect(evidence(1.0001e-3).contradictingRuns.isEmpty)
        // A contradiction decides even without a run at 1.25 τ or more; two of them are counted, the deepest named.
        let below = [(UInt64(1), 0.3, 1.0, 2e-4), (UInt64(2), 0.9, 1.2, 1e-5)].map {
            PoisonabilityEvidence.RunEvidence(seed: $0.0, fraction: $0.1, tau: $0.2, gradientRatio: $0.3)
        }
        let onlyBelow = PoisonabilityEvidence(taus: [1.0, 1.2], runs: below, seedsWithoutThreshold: 0, targetAccuracy: 0.6, fractions: [], testRows: 300)
        #expect(onlyBelow.contradictingRuns.count == 2)
        #expect(onlyBelow.parameterSpaceSentence.hasPrefix("In parameter space the runs go against the prediction: 2 runs below the τ they "
            + "record bring the mixed gradient to 0.1% of the clean one or less (deepest: seed 1 at 30.0% = 0.30 τ, τ = 100.0%, leaves "
            + "2.0e-04 of it)"))
    }

    /// τ_w under `cancel: weights` (and `first-layer`, whose runs record it on softmax regression only),
    /// τ under `cancel: weights-and-bias`; nil when the run records none, as a `first-layer` run on an
    /// MLP, which records τ but no τ_w: τ is its last layer's condition, which it does not cancel.
    @Test func theApplicableThresholdFollowsTheCancelledGradient() {
        let metrics = [MetricKey.poisonabilityThreshold: 0.8, MetricKey.weightsOnlyThreshold: 0.15]
        #expect(applicableThreshold(metrics: metrics, cancel: .weights) == 0.15)
        #expect(applicableThreshold(metrics: metrics, cancel: .firstLayer) == 0.15)
        #expect(applicableThreshold(metrics: metrics, cancel: .weightsAndBias) == 0.8)
        #expect(applicableThreshold(metrics: [MetricKey.poisonabilityThreshold: 0.8], cancel: .weights) == nil)
        #expect(applicableThreshold(metrics: [MetricKey.poisonabilityThreshold: 0.8], cancel: .firstLayer) == nil)
    }
}
