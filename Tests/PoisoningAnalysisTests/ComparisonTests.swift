import Foundation
import Testing
import PoisoningEngine
import TestSupport
@testable import PoisoningAnalysis

/// `compare` on identical, shifted and published-format studies.
struct ComparisonTests {
    static let fractions = (0...8).map { Double($0) * 0.0625 }

    /// A study of MLPs 16 and 32 over 4 seeds whose accuracy follows a sigmoid plus a seed noise of
    /// 0.01 that varies with the fraction, shifted by `shift`; as results.json bytes.
    static func resultsJSON(shift: Double = 0, widths: [Int] = [16, 32], fractions: [Double] = fractions) throws -> Data {
        let study = widthStudy(widths, fractions: fractions, seeds: [1, 2, 3, 4], epochs: 5)
        let curve = SigmoidParameters(amplitude: 0.7, steepness: 12, midpoint: 0.25, floor: 0.2)
        let runs = study.runSpecs.map { spec in
            let i = fractions.firstIndex(of: spec.fraction)!
            let noise = 0.01 * [1.0, -1.0, 0.5, -0.5][(Int(spec.seed) + i + spec.series) % 4]
            let test = curve.value(at: spec.fraction) + noise + shift
            return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed, poisonedCount: 0, realisedFraction: spec.fraction,
                             metrics: runMetrics(test: test, train: 0.95, trainClean: 0.95, loss: 0.2), divergence: nil)
        }
        return try StudyResults(study: study, runs: runs, toolVersion: "test").jsonData()
    }

    @Test func identicalStudiesAgreeEverywhere() throws {
        let study = try ComparableStudy(json: Self.resultsJSON())
        let comparison = compareStudies(study, study, confidence: 0.95, replicates: 300)
        #expect(comparison.unmatched.isEmpty && comparison.commonSeries == ["MLP 16", "MLP 32"])
        #expect(comparison.points.count == 2 * 9 * 3)
        #expect(comparison.points.allSatisfy { !$0.exceedsSeedNoise && $0.difference.value == 0 && $0.p == 1 })
        let agreement = try #require(comparison.agreement)
        #expect(agreement.p == 1 && agreement.statistic == 0 && agreement.degreesOfFreedom == 36)
        #expect(comparison.fits.allSatisfy { !$0.resolved })
    }

    @Test func aShiftOfFiveSeedSpreadsIsDetected() throws {
        let comparison = compareStudies(try ComparableStudy(json: Self.resultsJSON()),
                                        try ComparableStudy(json: Self.resultsJSON(shift: -0.05)), confidence: 0.95, replicates: 300)
        let accuracy = comparison.points.filter { $0.metric == MetricKey.testAccuracy }
        #expect(accuracy.allSatisfy { $0.exceedsSeedNoise && abs($0.difference.value! + 0.05) < 1e-12 })
        #expect(try #require(comparison.agreement).p < 1e-6)
        let clean = comparison.fits.filter { $0.quantity == "cleanAccuracy" }
        #expect(clean.count == 2 && clean.allSatisfy(\.resolved))
    }

    @Test func mismatchedAxesAreComparedOnTheirCommonPointsAndListed() throws {
        let comparison = compareStudies(try ComparableStudy(json: Self.resultsJSON()),
                                        try ComparableStudy(json: Self.resultsJSON(widths: [32, 64], fractions: Array(Self.fractions.prefix(7)))),
                                        confidence: 0.95, replicates: 300)
        #expect(comparison.commonSeries == ["MLP 32"] && comparison.commonFractions == Array(Self.fractions.prefix(7)))
        #expect(comparison.unmatched == ["series MLP 16 (only in the first)", "fraction 43.8% (only in the first)",
                                         "fraction 50.0% (only in the first)", "series MLP 64 (only in the second)"])
        #expect(comparison.points.count == 7 * 3)
    }

    @Test func thePublishedFormatIsRead() throws {
        let url = try #require(Bundle.module.url(forResource: "published-format-example", withExtension: "json", subdirectory: "Fixtures"))
        let published = try ComparableStudy(json: Data(contentsOf: url))
        #expect(published.format == "published")
        #expect(published.seriesLabels == ["MLP 16", "MLP 32"] && published.fractions == [0, 0.3] && published.seeds == [1, 2])
        #expect(published.testCount == 150 && published.classCount == 5 && published.runs.count == 8)
        let last = try #require(published.runs.last)
        #expect(last.series == 1 && last.fraction == 0.3 && last.seed == 2)
        #expect(last.metrics?[MetricKey.testAccuracy] == 0.6066666666666667)
        #expect(last.metrics?[MetricKey.generalizationGap] == 0.179047619047619)
        #expect(last.metrics?[MetricKey.trainCleanAccuracy] == 0.7357142857142857)
        // Against itself: no difference anywhere.
        let comparison = compareStudies(published, published, confidence: 0.95, replicates: 200)
        #expect(comparison.points.count == 2 * 2 * 3 && comparison.agreement?.p == 1)
    }

    @Test func otherJSONIsRefusedWithTheReason() {
        #expect(throws: ComparisonInputError.self) { try ComparableStudy(json: Data(#"{"config": {}}"#.utf8)) }
        do {
            _ = try ComparableStudy(json: Data(#"{"config": {"n_samples": 5}, "runs": []}"#.utf8))
        } catch let error as ComparisonInputError {
            #expect(error.reason.contains("config: missing field 'n_classes'"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
