import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
import TestSupport
@testable import PoisoningReport

/// `compare`'s Markdown: the replication verdict against a published run and the multiplicity count.
struct ComparisonReportTests {
    /// Our results.json of MLP 16 at 0 and 30% over seeds 1 to 4: 0.9 and 0.6, seed offsets ±1 and ±0.5 pp.
    static func ours() throws -> ComparableStudy {
        let study = widthStudy([16], fractions: [0, 0.3], seeds: [1, 2, 3, 4], epochs: 5)
        let runs = study.runSpecs.map { spec in
            let test = (spec.fraction == 0 ? 0.9 : 0.6) + [0.01, -0.01, 0.005, -0.005][Int(spec.seed) - 1]
            return madeUpRun(spec, in: study, metrics: runMetrics(test: test, train: 0.95, trainClean: 0.95, loss: 0.2))
        }
        return try ComparableStudy(json: StudyResults(study: study, runs: runs, toolVersion: "test").jsonData())
    }

    /// The published format of the same study with every run `shift` higher and the seed offsets reversed.
    static func published(shift: Double) throws -> ComparableStudy {
        let runs = [0.0, 0.3].flatMap { fraction in
            (1...4).map { seed in
                let test = (fraction == 0 ? 0.9 : 0.6) - [0.01, -0.01, 0.005, -0.005][seed - 1] + shift
                return #"{"poison_fraction": \#(fraction), "hidden_width": 16, "seed": \#(seed), "train_accuracy": 0.95, "#
                    + #""test_accuracy": \#(test), "train_clean_accuracy": 0.95, "generalization_gap": \#(0.95 - test), "final_loss": 0.2}"#
            }
        }
        let text = #"{"config": {"n_samples": 500, "n_classes": 5, "train_fraction": 0.7, "poison_fractions": [0.0, 0.3], "#
            + #""hidden_widths": [16], "seeds": [1, 2, 3, 4]}, "runs": ["# + runs.joined(separator: ", ") + "]}"
        return try ComparableStudy(json: Data(text.utf8))
    }

    /// The replication sentence of the comparison of `first` and `second`.
    static func verdict(_ first: ComparableStudy, _ second: ComparableStudy, _ names: (String, String)) -> String {
        let comparison = compareStudies(first, second, confidence: 0.95, replicates: 100)
        return replicationLines(comparison, firstName: names.0, secondName: names.1).last!
    }

    @Test func againstThePublishedRunTheShiftReadsPublishedMinusOursInEitherOrder() throws {
        let ours = try Self.ours(), published = try Self.published(shift: 0.04)
        let sentence = Self.verdict(ours, published, ("ours.json", "paper.json"))
        // Seed averages 0.75 ± (1, 1, 0.5, 0.5) pp in both, so the shift is exactly +4 pp with s = 0.913 pp a side:
        // se = 0.645 pp on 6 degrees of freedom, 90% interval 4 ± 1.943 · 0.645 = [+2.7, +5.3] pp (SciPy's t quantiles).
        #expect(sentence == "Against the published run (`paper.json`), the published run is higher than `ours.json` at 2 of 2 "
            + "common points; published minus ours is +4.0 pp on average (95% interval +2.4 pp to +5.6 pp); the two are not "
            + "equivalent: the shift exceeds the margin of 2 pp (the shift's 90% interval +2.7 pp to +5.3 pp lies wholly beyond it).")
        #expect(Self.verdict(published, ours, ("paper.json", "ours.json")) == sentence)
        // At +3 pp the 90% interval [+1.7, +4.3] straddles the margin.
        #expect(Self.verdict(ours, try Self.published(shift: 0.03), ("ours.json", "paper.json")).hasSuffix("(95% interval +1.4 pp to "
            + "+4.6 pp); the shift is resolved, and neither equivalence within ±2 pp nor a shift beyond it is shown (the shift's 90% "
            + "interval +1.7 pp to +4.3 pp straddles the margin)."))
        let close = Self.verdict(ours, try Self.published(shift: 0.001), ("ours.json", "paper.json"))
        // At +0.1 pp the 90% interval [-1.2, +1.4] lies inside the margin.
        #expect(close.hasSuffix("the two are equivalent within ±2 pp: the shift's 90% interval -1.2 pp to +1.4 pp lies inside the "
            + "margin, and no shift is resolved."))
    }

    @Test func theFlagsStandBesideTheCountExpectedByChance() throws {
        let counts = try JSONDecoder().decode(PointwiseMultiplicity.self, from: Data(
            #"{"tested": 81, "beyondNoise": 2, "expectedByChance": 4.05, "holmRejected": 0}"#.utf8))
        #expect(multiplicitySentence(counts, confidence: 0.95) == "2 of 81 differences exceed seed noise at 5%; about 4.0 would by "
            + "chance if the studies agreed everywhere. The flags are correlated (the points of one seed share its effect, and a "
            + "run's metrics are measured together), so that count varies more than independent tests would; Holm's correction, "
            + "valid under any dependence, leaves 0.")
    }
}
