import Foundation
import Testing
@testable import PoisoningAnalysis
import PoisoningEngine

/// Review of issue 22, finding 2: examples/poisonability called gradient canceling's series "sharp"
/// while its own caveats listed their fits as poorly identified (x0 at its bound 0; a curve that never
/// reaches its threshold). No shape is read from such a fit, and "sharp" needs a well-identified one.
struct ShapeIdentificationTests {
    /// A series whose sigmoid beats the simpler curves decisively (evidence ratio 100, a design that
    /// shows it) with k's interval [8, 12], all above the sharpness threshold 5; its midpoint `x0`, and
    /// whether the data determine the rest of the fit (`atBounds`, `ceiling`).
    func statistics(x0: Double, k: Double = 10, atBounds: [String] = [], ceiling: Double? = 0.9) -> SeriesStatistics {
        let none = Estimate(value: nil, interval: nil)
        return SeriesStatistics(series: 0, cleanAccuracy: none, cleanAccuracyWilson: nil, threshold: none, amplitude: none,
                                steepness: Estimate(value: k, interval: Interval(lower: 8, upper: max(12, k))),
                                midpoint: Estimate(value: x0, interval: nil), floor: none, gapAtLargestFraction: none, band: nil,
                                curves: [], preferredCurve: .sigmoid,
                                curveEvidence: CurveEvidence(sigmoidEvidenceRatio: 100, seedSpread: 0.03, expectedAtThisDesign: 100,
                                                             decisiveDesign: nil),
                                parametersAtBounds: atBounds, dropRemainingAtLargestFraction: 0.01, fittedCeiling: ceiling)
    }

    @Test func aWellIdentifiedSteepFitIsSharp() {
        #expect(transitionShape(statistics(x0: 0.3), sharpSteepness: 5, thresholdStatus: .withinRange, largestFraction: 0.5) == .sharp)
        #expect(shapeParametersAtBounds(statistics(x0: 0.3), largestFraction: 0.5).isEmpty)
        #expect(!isPoorlyIdentified(statistics(x0: 0.3)))
    }

    @Test func anEstimateOfX0OrKAtItsBoundGivesNoShape() {
        // x0's bounds are [0, max(1, largest fraction)]: 0 and 4 on a budget axis to 4.
        #expect(shapeParametersAtBounds(statistics(x0: 0), largestFraction: 4) == ["x0"])
        #expect(transitionShape(statistics(x0: 0), sharpSteepness: 5, thresholdStatus: .aboveRange, largestFraction: 4) == .undecided)
        #expect(transitionShape(statistics(x0: 4), sharpSteepness: 5, thresholdStatus: .withinRange, largestFraction: 4) == .undecided)
        #expect(transitionShape(statistics(x0: 3.9), sharpSteepness: 5, thresholdStatus: .withinRange, largestFraction: 4) == .sharp)
        // k's bound 100 (the fit's upper bound): an estimate there is no measured steepness.
        #expect(shapeParametersAtBounds(statistics(x0: 0.3, k: 100), largestFraction: 0.5) == ["k"])
        #expect(transitionShape(statistics(x0: 0.3, k: 100), sharpSteepness: 5, thresholdStatus: .withinRange, largestFraction: 0.5)
                == .undecided)
    }

    @Test func aCurveThatNeverReachesItsThresholdHasNoTransitionToCallSharp() {
        #expect(transitionShape(statistics(x0: 0.3), sharpSteepness: 5, thresholdStatus: .notReached, largestFraction: 0.5) == .undecided)
        #expect(transitionShape(statistics(x0: 0.3), sharpSteepness: 5, thresholdStatus: .aboveRange, largestFraction: 0.5) == .sharp)
    }

    @Test func aPoorlyIdentifiedFitIsNeverCalledSharp() {
        #expect(transitionShape(statistics(x0: 0.3, atBounds: ["L"]), sharpSteepness: 5, thresholdStatus: .withinRange,
                                largestFraction: 0.5) == .undecided)
        #expect(transitionShape(statistics(x0: 0.3, ceiling: 1.05), sharpSteepness: 5, thresholdStatus: .withinRange,
                                largestFraction: 0.5) == .undecided)
    }
}
