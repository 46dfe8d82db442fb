import Testing
import PoisoningAnalysis

/// The "Predicted vs measured" findings, on constructed evidence: each verdict both ways, and
/// "cannot decide" when the sweep does not bracket τ.
struct PoisonabilityEvidenceTests {
    typealias Point = PoisonabilityEvidence.FractionEvidence

    /// τ of 1.0 and 1.2 over two seeds, target accuracy 0.6, and the given (fraction, ratio, accuracy).
    func evidence(_ points: [(Double, Double, Double)], taus: [Double] = [1.0, 1.2]) -> PoisonabilityEvidence {
        PoisonabilityEvidence(taus: taus, seedsWithoutThreshold: 0, targetAccuracy: 0.6,
                              fractions: points.map { Point(fraction: $0.0, gradientRatio: $0.1, victimAccuracy: $0.2) })
    }

    @Test func theParameterSpaceFindingHoldsOnlyWithAFloorBelowTauAndCancellingAbove() {
        let holds = evidence([(0.2, 0.3, 0.58), (0.5, 0.08, 0.55), (1.1, 0.02, 0.55), (2.0, 1.5e-6, 0.6)])
        #expect(holds.holdsInParameterSpace == true)
        #expect(holds.parameterSpaceSentence == "In parameter space the paper's prediction holds: below τ (100.0%–120.0% over the "
            + "seeds) the mixed gradient stays at 8.0% of the clean one or more (least at 50.0%), and at 200.0%, above it, it is "
            + "1.5e-06, about 0 (under 1.0%).")
        // Cancelled below τ: against the prediction.
        let cancelledEarly = evidence([(0.2, 0.3, 0.58), (0.5, 0.004, 0.55), (2.0, 1.5e-6, 0.6)])
        #expect(cancelledEarly.holdsInParameterSpace == false)
        #expect(cancelledEarly.parameterSpaceSentence.hasPrefix("In parameter space the paper's prediction does not hold: below τ "
            + "(100.0%–120.0% over the seeds) the mixed gradient stays at 0.4% of the clean one or more (least at 50.0%)"))
        // Not cancelled above τ.
        #expect(evidence([(0.5, 0.08, 0.55), (2.0, 0.05, 0.6)]).holdsInParameterSpace == false)
        // No fraction above every seed's τ (1.1 lies between them): the runs cannot decide.
        let short = evidence([(0.5, 0.08, 0.55), (1.1, 0.001, 0.6)])
        #expect(short.holdsInParameterSpace == nil)
        #expect(short.parameterSpaceSentence == "In parameter space the runs cannot decide: no swept fraction lies above τ "
            + "(100.0%–120.0% over the seeds); sweep fractions on both sides of it.")
    }

    @Test func theAccuracyFindingComparesWhereTheVictimReachesTheTargetWithTau() {
        // The victim reaches the target's 0.600 at 0.5, half the mean τ 1.1: the paper's budget is not needed.
        let early = evidence([(0.2, 0.3, 0.65), (0.5, 0.08, 0.59), (2.0, 1e-6, 0.6)])
        #expect(early.reachesTargetAccuracy?.fraction == 0.5)
        #expect(early.accuracySentence == "In accuracy it does not: the victim's mean accuracy 0.590 reaches the target's 0.600 "
            + "from 50.0% = 0.45 τ (mean τ 110.0%), below every seed's τ.")
        let late = evidence([(0.2, 0.3, 0.7), (0.5, 0.08, 0.65), (2.0, 1e-6, 0.6)])
        #expect(late.accuracySentence == "In accuracy it holds: the victim's mean accuracy 0.600 reaches the target's 0.600 "
            + "from 200.0% = 1.82 τ (mean τ 110.0%), not below τ.")
        let never = evidence([(0.2, 0.3, 0.7), (2.0, 1e-6, 0.65)])
        #expect(never.accuracySentence == "In accuracy the victim never reaches the target's 0.600 in the swept range (its lowest "
            + "mean accuracy is 0.650 at 200.0%).")
    }

    @Test func withoutAThresholdTheSectionSaysSo() {
        let none = evidence([(0.5, 0.001, 0.5)], taus: [])
        #expect(none.holdsInParameterSpace == nil && none.accuracySentence == nil)
        #expect(none.parameterSpaceSentence
            == "No seed's target has a threshold (<W, G> ≤ 0), so the paper predicts no floor for the mixed gradient.")
    }
}
