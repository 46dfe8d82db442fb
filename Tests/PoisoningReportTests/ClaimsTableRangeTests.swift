import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
import TestSupport
@testable import PoisoningReport

/// The claims table's "Supported if" column (issue 21): the published values each threshold claim's
/// verdict calls supported, this run's interval widened for the published value's own noise, and
/// for a claimed direction the result it needs; never a degenerate range such as "50.0% to 50.0%".
struct ClaimsTableRangeTests {
    /// Both ends: the interval [22.9%, 35.2%] about 33.5% widened by √2 runs from
    /// 0.335 - 1.414 × 0.106 = 18.5% to 0.335 + 1.414 × 0.017 = 35.9%.
    @Test func aBoundedIntervalWidensOnEachSide() throws {
        let range = try #require(supportedThresholds(Estimate(value: 0.335, interval: Interval(lower: 0.229, upper: 0.352)),
                                                     widening: 2.0.squareRoot()))
        #expect(abs(range.lower! - 0.18510) < 1e-4 && abs(range.upper! - 0.35904) < 1e-4, "\(range)")
        #expect(supportedRangeText(lower: range.lower, upper: range.upper, centre: range.centre) == "18.5% to 35.9%")
    }

    /// One end open: the widened bounded end to the estimate is tested, everything beyond the
    /// estimate untested (only the open part), as the verdict reads it; never an empty range.
    @Test func anOpenEndSaysWhatItLeavesAndNeverWritesAnEmptyRange() {
        #expect(supportedRangeText(lower: 0.40 - 2.0.squareRoot() * 0.064, upper: nil, centre: 0.40)
            == "30.9% to 40.0%; above 40.0%: not tested (no interval end there)")
        #expect(supportedRangeText(lower: nil, upper: 0.10 + 2.0.squareRoot() * 0.10, centre: 0.10)
            == "10.0% to 24.1%; below 10.0%: not tested (no interval end there)")
        // A whole interval beyond the largest fraction: its lower end at 50%, the bound itself.
        let beyond = supportedThresholds(Estimate(value: 0.5, interval: Interval(lower: 0.5, upper: nil), bound: .lower), widening: 1.41)!
        let text = supportedRangeText(lower: beyond.lower, upper: beyond.upper, centre: beyond.centre)
        #expect(text == "50.0% or more: not tested (no interval end there)")
        #expect(!text.contains("50.0% to 50.0%"))
        #expect(supportedRangeText(lower: nil, upper: 0.0, centre: 0) == "0.0% or less: not tested (no interval end there)")
        // Ends one decimal cannot tell apart are written with two.
        #expect(supportedRangeText(lower: 0.4996, upper: 0.5004, centre: 0.5) == "49.96% to 50.04%")
        #expect(supportedRangeText(lower: 0.3, upper: 0.3, centre: 0.3) == "30.0% only")
        // Clipped to the fractions a threshold can take.
        #expect(supportedRangeText(lower: -0.02, upper: 0.12, centre: 0.05) == "0.0% to 12.0%")
        #expect(supportedRangeText(lower: nil, upper: nil, centre: 0.3) == "none: no bounded interval end")
    }

    /// The range is the verdict's own: over a grid of published values and random intervals, a
    /// published value is supported exactly when it lies in the range (a closed end belongs to it),
    /// untested on an open side beyond the estimate, contradicted outside it.
    @Test func aPublishedValueIsSupportedExactlyInsideItsRange() {
        var generator = SplitMix64(seed: 21)
        func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * Double(generator.next() >> 11) / Double(1 << 53) }
        for trial in 0..<300 {
            let centre = uniform(0.1, 0.5), below = uniform(0, 0.1), above = uniform(0, 0.1), widening = uniform(1, 3)
            let lower: Double? = trial % 3 == 1 ? nil : centre - below, upper: Double? = trial % 3 == 2 ? nil : centre + above
            let estimate = Estimate(value: centre, interval: Interval(lower: lower, upper: upper))
            let range = supportedThresholds(estimate, widening: widening)!
            for step in 0...100 {
                let published = Double(step) / 100
                let verdict = thresholdVerdict(published: published, estimate: estimate, widening: widening)
                // The widened ends, computed here: the estimate plus `widening` times each half-width.
                let reachLow = lower.map { centre - widening * (centre - $0) }, reachHigh = upper.map { centre + widening * ($0 - centre) }
                #expect(range.lower.map { abs($0 - reachLow!) < 1e-12 } ?? (reachLow == nil))
                #expect(range.upper.map { abs($0 - reachHigh!) < 1e-12 } ?? (reachHigh == nil))
                let expected: ClaimVerdict
                if published >= centre {
                    expected = reachHigh.map { published <= $0 + 1e-12 ? .supported : .contradicted } ?? .consistentUntested
                } else {
                    expected = reachLow.map { published >= $0 - 1e-12 ? .supported : .contradicted } ?? .consistentUntested
                }
                #expect(verdict == expected, "trial \(trial): \(published) against \(estimate) widened by \(widening)")
            }
        }
    }

    /// The reference study: MLP 32's "33.2% or more" about 40.0% widened by √2 supports published
    /// values from 40.0% - √2 × 6.8 pp to the estimate and leaves those above untested (43.4% lies
    /// on the open side: untested, not supported); MLP 128's bounded
    /// interval supports its published 34.9%; the directions say what they need.
    @Test func theReferenceStudysClaimsTableHasTheColumn() throws {
        let results = try referenceResults()
        let claims = try #require(results.findings.claims)
        let widening = try #require(claims.widening)
        #expect(abs(widening - 2.0.squareRoot()) < 1e-9)
        let rows = try #require(ReportModel(results, command: "make-report").claims?.rows)
        #expect(rows.count == 5)
        for (row, claim) in zip(rows, claims.thresholds) {
            let estimate = try #require(claim.estimate), value = try #require(estimate.value)
            let lower = try #require(estimate.interval?.lower)
            let low = percent(value - widening * (value - lower))
            if let upper = estimate.interval?.upper {
                #expect(row.supportedIf == "\(low) to \(percent(value + widening * (upper - value)))", "\(row.supportedIf)")
            } else {
                #expect(row.supportedIf == "\(low) to \(percent(value)); above \(percent(value)): not tested (no interval end there)", "\(row.supportedIf)")
            }
        }
        #expect(rows[0].verdict == "not tested: no interval end on its side" && rows[2].verdict == "supported")
        #expect(rows[3].supportedIf == "k's interval above 5 for some series whose curves are told apart")
        #expect(rows[4].supportedIf == "threshold slope per doubling resolved below 0 pp")
        let report = try markdownReport(results)
        #expect(report.contains("| Claim | Published | This run | 95% interval | Supported if (at 95%) | Verdict |\n|---|---|---|---|---|---|\n"))
        #expect(report.contains("| Critical threshold of MLP 32 | 43.4% | 40.0% | 33.2% or more | \(rows[0].supportedIf) | not tested: no interval end on its side |"))
    }

    /// The fixed study's contradicted claim (MLP 64 published at 35%) lies outside its range, its
    /// supported one (MLP 16 at 36%) inside.
    @Test func aContradictedThresholdLiesOutsideItsRange() throws {
        let results = fixedResults()
        let claims = try #require(results.findings.claims)
        let rows = try #require(ReportModel(results, command: "make-report").claims?.rows)
        let widening = try #require(claims.widening)
        for (row, claim) in zip(rows, claims.thresholds) {
            let estimate = try #require(claim.estimate)
            let range = try #require(supportedThresholds(estimate, widening: widening))
            let inside = (range.lower ?? -1) <= claim.published && claim.published <= (range.upper ?? 2)
            #expect(inside == (claim.verdict == .supported), "\(claim.label): \(row.supportedIf), \(row.verdict)")
        }
        #expect(claims.thresholds.map(\.verdict) == [.supported, .contradicted])
    }

    /// A run of another design gives no verdicts, and no range either.
    @Test func withoutVerdictsTheColumnIsEmpty() throws {
        let results = try referenceResults { $0.training.epochs = 30 }
        let rows = try #require(ReportModel(results, command: "make-report").claims?.rows)
        #expect(rows.allSatisfy { $0.supportedIf == "—" }, "\(rows.map(\.supportedIf))")
    }
}
