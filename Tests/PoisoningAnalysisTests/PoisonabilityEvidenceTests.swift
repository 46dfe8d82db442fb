import Testing
import PoisoningAnalysis

/// The "Predicted vs measured" findings, on constructed evidence: each verdict both ways, and
/// "cannot decide" when the sweep does not bracket τ.
struct PoisonabilityEvidenceTests {
    typealias Point = PoisonabilityEvidence.FractionEvidence

    /// τ of 1.0 and 1.2 over two seeds, target accuracy 0.6, the given (fraction, ratio, accuracy) means
    /// and the runs (fraction, τ, ratio).
    func evidence(_ points: [(Double, Double, Double)], runs: [(Double, Double, Double)] = [],
                  taus: [Double] = [1.0, 1.2]) -> PoisonabilityEvidence {
        PoisonabilityEvidence(taus: taus, runs: runs.map { PoisonabilityEvidence.RunEvidence(fraction: $0.0, tau: $0.1, gradientRatio: $0.2) },
                              seedsWithoutThreshold: 0, targetAccuracy: 0.6,
                              fractions: points.map { Point(fraction: $0.0, gradientRatio: $0.1, victimAccuracy: $0.2) })
    }

    @Test func theParameterSpaceFindingHoldsOnlyWhenTheGradientFallsTenfoldAboveEachSeedsTau() {
        // Seeds of τ 1.0 and 1.2; 1.1 lies above the first and below the second.
        let runs = [(0.5, 1.0, 0.3), (0.5, 1.2, 0.08), (1.1, 1.0, 0.02), (1.1, 1.2, 0.05), (2.0, 1.0, 1.5e-6), (2.0, 1.2, 0.004)]
        let holds = evidence([], runs: runs)
        #expect(holds.holdsInParameterSpace == true)
        #expect(holds.parameterSpaceSentence == "In parameter space the paper's prediction holds: below its seed's τ every run's "
            + "mixed gradient stays at 5.0% of the clean one or more (least at 110.0%, τ = 120.0%), and at 200.0%, above τ, it is "
            + "at most 0.4%, 12.5 times lower.")
        // A fall of less than tenfold: 0.05 against 0.006.
        let shallow = evidence([], runs: runs.dropLast() + [(2.0, 1.2, 0.006)])
        #expect(shallow.holdsInParameterSpace == false)
        #expect(shallow.parameterSpaceSentence.hasPrefix("In parameter space the paper's prediction does not hold: below its seed's "
            + "τ every run's mixed gradient stays at 5.0% of the clean one or more (least at 110.0%, τ = 120.0%), and at 200.0%, "
            + "above τ, it is at most 0.6%, 8.3 times lower (a fall by 10 times or more was asked)."))
        // Every run above its τ: the runs cannot decide.
        let short = evidence([], runs: [(2.0, 1.0, 1e-6)])
        #expect(short.holdsInParameterSpace == nil)
        #expect(short.parameterSpaceSentence
            == "In parameter space the runs cannot decide: no run lies below its seed's τ; sweep fractions on both sides of it.")
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
        #expect(none.parameterSpaceSentence == "No seed's target has a threshold (the product of its weights and its clean "
            + "gradient is at most 0), so the paper predicts no floor for the mixed gradient.")
    }
}
