import Testing
@testable import PoisoningAnalysis

/// `placingParameterEnds`: an end of L, x0 or b whose Monte Carlo error exceeds 0.125 pp, or of k
/// whose error exceeds 0.75% of the end, is undetermined (nil, listed, its error kept); the others,
/// and every end without an error, are kept as they are.
struct ParameterEndPrecisionTests {
    @Test func anEndBeyondAQuarterOfHalfAPointIsUndetermined() {
        let interval = Interval(lower: 1.06, upper: 1.4999, monteCarloError: EndErrors(lower: 0.0075, upper: 0.00002))
        let placed = placingParameterEnds(interval, parameter: 0)
        #expect(placed == Interval(lower: nil, upper: 1.4999, monteCarloError: EndErrors(lower: 0.0075, upper: 0.00002),
                                   undetermined: [.lower]))
        // At the limit itself the end is kept; just beyond it, not.
        let atLimit = Interval(lower: 0.02, upper: 0.26, monteCarloError: EndErrors(lower: 0.00125, upper: 0.0012501))
        #expect(placingParameterEnds(atLimit, parameter: 2) == Interval(lower: 0.02, upper: nil, monteCarloError: atLimit.monteCarloError,
                                                                       undetermined: [.upper]))
    }

    @Test func kIsHeldToItsRelativePrecision() {
        // 0.02 on an end of 2.0 is 1% (> 0.75%): undetermined; 0.1 on 20.0 is 0.5%: kept, though 10 pp in absolute terms.
        let interval = Interval(lower: 2.0, upper: 20.0, monteCarloError: EndErrors(lower: 0.02, upper: 0.1))
        #expect(placingParameterEnds(interval, parameter: 1)
                    == Interval(lower: nil, upper: 20.0, monteCarloError: interval.monteCarloError, undetermined: [.lower]))
        // The same errors on b (absolute 0.125 pp): both ends undetermined.
        #expect(placingParameterEnds(interval, parameter: 3).undetermined == [.lower, .upper])
    }

    @Test func placedEndsAndExistingMarksAreKept() {
        // An open end, an end moved to the estimate and an interval without errors pass unchanged.
        let open = Interval(lower: nil, upper: 0.3, monteCarloError: EndErrors(lower: nil, upper: 0.0005), movedToEstimate: [.upper])
        #expect(placingParameterEnds(open, parameter: 2) == open)
        let exact = Interval(lower: 0.1, upper: 0.3)
        #expect(placingParameterEnds(exact, parameter: 0) == exact)
        // An imprecise end that had been moved to the estimate is no longer listed as moved.
        let moved = Interval(lower: 0.1, upper: 0.3, monteCarloError: EndErrors(lower: 0.002, upper: 0.0001), movedToEstimate: [.lower])
        #expect(placingParameterEnds(moved, parameter: 3)
                    == Interval(lower: nil, upper: 0.3, monteCarloError: moved.monteCarloError, undetermined: [.lower]))
    }
}
