import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
import PoisoningModels
import PoisoningUtilities
import TestSupport
@testable import PoisoningReport

/// The reference study's results: its 81 runs as the committed output/results.json holds them,
/// analysed afresh with the reference study's configuration (and so its published claims).
func referenceResults() throws -> StudyResults {
    struct Runs: Decodable { let runs: [RunResult] }
    let path = #filePath.replacingOccurrences(of: "Tests/PoisoningReportTests/ClaimsAndSummaryTests.swift", with: "output/results.json")
    let runs = try JSONDecoder().decode(Runs.self, from: Data(contentsOf: URL(fileURLWithPath: path))).runs
    return StudyResults(study: try Study(StudyConfig.reference), runs: runs, toolVersion: "9.9.9")
}

/// A study shaped as examples/attacks: MLP 64 and logistic regression under seven attacks, nine
/// fractions, three seeds; every run's accuracy follows a sigmoid whose midpoint moves with the
/// attack and the model, plus a seed offset.
func attackCatalogueResults() throws -> StudyResults {
    let attacks: [ParameterValue] = [
        StudyConfig.component(RandomLabelFlip.kind), StudyConfig.component("margin-flip"), StudyConfig.component("confident-flip"),
        StudyConfig.component("class-flip", ["source": .int(0), "target": .int(1)]),
        StudyConfig.component("backdoor", ["target": .int(0)]),
        StudyConfig.component("backdoor", ["target": .int(0), "clean-label": .bool(true)]),
        StudyConfig.component("feature-collision", ["base": .int(1)]),
    ]
    let study = try Study(StudyConfig(models: [StudyConfig.mlp(64), StudyConfig.component("logistic")], attacks: attacks,
                                      fractions: [0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5], seeds: [1, 2, 3],
                                      training: TrainingSettings(epochs: 5)))
    let runs = study.runSpecs.map { spec -> RunResult in
        let description = study.series[spec.series]
        let midpoint = 0.15 + 0.04 * Double(description.attack) + 0.03 * Double(description.model)
        let curve = SigmoidParameters(amplitude: 0.7, steepness: 12, midpoint: midpoint, floor: 0.2)
        let offset = [1: 0.012, 2: -0.008, 3: -0.004][spec.seed]!
        let test = curve.value(at: spec.fraction) + offset
        return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed,
                         poisonedCount: poisonCount(fraction: spec.fraction, of: study.split.train.count),
                         realisedFraction: spec.fraction,
                         metrics: runMetrics(test: test, train: 1 - 0.4 * spec.fraction, trainClean: 0.95, loss: 0.3), divergence: nil)
    }
    return StudyResults(study: study, runs: runs, toolVersion: "9.9.9")
}

/// A study of four widths (MLP 16 to 128) under two attacks and three defenses (none, loss filter,
/// k-NN filter), nine fractions, three seeds, with published claims on two widths, the shape and
/// model size; every run's accuracy follows a sigmoid whose midpoint moves with the model, attack and
/// defense, plus a seed offset.
func widthsAttacksDefensesResults() throws -> StudyResults {
    let claims = PublishedClaims(source: "a paper", thresholds: [ClaimedThreshold(series: "MLP 32", fraction: 0.3),
                                                                 ClaimedThreshold(series: "MLP 64", fraction: 0.28)],
                                 sharpTransition: true, largerModelsMoreSensitive: true)
    let study = try Study(StudyConfig(models: [16, 32, 64, 128].map(StudyConfig.mlp),
                                      attacks: [StudyConfig.component(RandomLabelFlip.kind), StudyConfig.component("margin-flip")],
                                      defenses: [StudyConfig.component(NoDefense.kind), StudyConfig.component("loss-filter"),
                                                 StudyConfig.component("knn-filter")],
                                      fractions: [0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5], seeds: [1, 2, 3],
                                      training: TrainingSettings(epochs: 5), claims: claims))
    let runs = study.runSpecs.map { spec -> RunResult in
        let description = study.series[spec.series]
        let midpoint = 0.32 - 0.02 * Double(description.model) - 0.04 * Double(description.attack) + 0.03 * Double(description.defense)
        let curve = SigmoidParameters(amplitude: 0.7, steepness: 12, midpoint: midpoint, floor: 0.2)
        let offset = [1: 0.012, 2: -0.008, 3: -0.004][spec.seed]!
        return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed,
                         poisonedCount: poisonCount(fraction: spec.fraction, of: study.split.train.count),
                         realisedFraction: spec.fraction,
                         metrics: runMetrics(test: curve.value(at: spec.fraction) + offset, train: 1 - 0.4 * spec.fraction,
                                             trainClean: 0.95, loss: 0.3), divergence: nil)
    }
    return StudyResults(study: study, runs: runs, toolVersion: "9.9.9")
}

/// The words of `text`, as a reader counts them: runs of characters between blanks.
func wordCount(_ text: String) -> Int { text.split(whereSeparator: \.isWhitespace).count }

/// The Markdown report of `results`, rendered by the shipped template.
func markdownReport(_ results: StudyResults) throws -> String {
    let context = reportContext(for: results, format: .markdown, settings: ReportSettings(command: "make-report", figureExtension: "png"))
    return try renderReport(template: ShippedTemplate.markdown.text, fileName: "report.md", context: context, strict: true).text
}

struct OpeningSummaryTests {
    @Test func theReferenceStudysOpeningHasAtMost120Words() throws {
        let results = try referenceResults()
        let summary = openingSummary(results)
        #expect(wordCount(summary) <= 120, "\(wordCount(summary)) words: \(summary)")
        #expect(summary.hasPrefix("We trained 81 models (MLP 32, MLP 64 and MLP 128) with SGD on Gaussian clusters under random label flip at 9 poison fractions"))
        // The level is named once, in the thresholds' brackets, so the claims' count does not repeat it.
        #expect(summary.contains("Critical thresholds [95% confidence interval (CI)]"), "\(summary)")
        #expect(summary.contains(" Of 5 published claims these runs") && !summary.contains("At 95% confidence"), "\(summary)")
    }

    /// "CI" is written out where the opening first uses it, once, and stays an abbreviation after
    /// (issue 21 §7: explain on first appearance), in every opening that uses it, within 120 words.
    @Test func theOpeningWritesOutCIOnFirstUse() throws {
        for results in [try referenceResults(), try attackCatalogueResults(), try widthsAttacksDefensesResults(), try averageTrendResults()] {
            let summary = openingSummary(results)
            #expect(wordCount(summary) <= 120, "\(wordCount(summary)) words: \(summary)")
            let uses = summary.ranges(of: /\bCI\b/)
            guard let first = uses.first else { continue }
            #expect(summary[..<first.lowerBound].hasSuffix("confidence interval ("), "\(summary)")
            #expect(summary.components(separatedBy: "confidence interval").count == 2, "\(summary)")
        }
        #expect(expandingFirstCI("a (95% CI 1 to 2), b (95% CI 3 to 4)") == "a (95% confidence interval (CI) 1 to 2), b (95% CI 3 to 4)")
        #expect(expandingFirstCI("CIFAR-10, no interval") == "CIFAR-10, no interval")
    }

    @Test func aStudyOfSevenAttacksAndTwoModelsOpensWithAtMost120Words() throws {
        let results = try attackCatalogueResults()
        let summary = openingSummary(results)
        #expect(wordCount(summary) <= 120, "\(wordCount(summary)) words: \(summary)")
        #expect(summary.hasPrefix("We trained 378 models (MLP 64 and logistic) with SGD on Gaussian clusters under 7 attacks at 9 poison fractions"))
        #expect(!summary.contains("published claim"), "a study without claims says nothing of them")
    }

    /// 4 widths × 2 attacks × 3 defenses with claims opened with 131 words, "432 models (4 models)"
    /// and "Of 11 published claims" (the model-size claim counted once per attack and defense pair).
    @Test func aStudyOfFourWidthsTwoAttacksAndThreeDefensesWithClaimsOpensWithAtMost120Words() throws {
        let results = try widthsAttacksDefensesResults()
        let summary = openingSummary(results)
        #expect(wordCount(summary) <= 120, "\(wordCount(summary)) words: \(summary)")
        #expect(summary.hasPrefix("We trained 648 models (4 model types) with SGD on Gaussian clusters under random label flip and margin flip"))
        #expect(summary.contains("At 95% confidence, of 4 published claims these runs"), "\(summary)")
    }

    /// Issue 21 §7 on variants of the reference study that a user runs with one option (review r21o M1: with the
    /// integ binary `--seeds 6,7,8,9` opened in 153 words, `--confidence 0.9` in 135, `--seeds 42,123,7,1` in
    /// 122), from the adaptive reference study's recorded runs (`ReferenceRecording`, the engine's own, bit for
    /// bit): each opening has at most 120 words (`OpeningBrevity`) and still says what is not resolved; where a
    /// difference is undetermined, the Findings say what might answer it, which a terse opening leaves out.
    @Test func variantsOfTheReferenceStudyOpenWithAtMost120Words() throws {
        let recorded = try ReferenceRecording.load("adaptive-reference-runs")
        func results(seeds: [UInt64], confidence: Double? = nil) throws -> StudyResults {
            var config = StudyConfig.reference
            config.seeds = seeds
            if let confidence { config.analysis.confidence = confidence }
            let study = try Study(config)
            return StudyResults(study: study, runs: recorded.runResults(for: study), toolVersion: "9.9.9", threads: 2)
        }
        let designs: [(seeds: [UInt64], confidence: Double?)] = [([6, 7, 8, 9], nil), ([42, 123, 7], 0.9), ([42, 123, 7, 1], nil)]
        var terse = 0
        for design in designs {
            let results = try results(seeds: design.seeds, confidence: design.confidence)
            let summary = openingSummary(results)
            #expect(wordCount(summary) <= 120, "\(design): \(wordCount(summary)) words: \(summary)")
            #expect(summary.contains(" Not resolved: "), "\(design): \(summary)")
            if summary.contains("are in the sigmoid fits table") { terse += 1 }
            let undetermined = results.statistics.differences.contains { $0.quantity == .threshold && $0.decision == .undetermined }
            if undetermined {
                let findings = findingSentences(results).joined(separator: " ")
                #expect(findings.contains("; more bootstrap replicates (analysis: {replicates: \(2 * results.config.analysis.replicates)}) "
                                          + "might answer it."), "\(design): \(findings)")
            }
        }
        #expect(terse > 0, "at least one design needs the terse opening, or this test no longer tests it")
        // The reference study itself keeps the full opening, thresholds listed.
        #expect(openingSummary(try referenceResults()).contains("Critical thresholds [95% confidence interval (CI)]"))
    }

    /// Issue 21 §7 on every study shape the committed examples cover (the reference study, an SVM study
    /// of six attacks on three models, the curvature studies without a fit, 14 defenses × 2 attacks × 2
    /// models, an adaptive study, ...): each opening, from its committed results.json as written (no
    /// training, no analysis rebuilt), has at most 120 words, and no sentence of it is copied into a
    /// finding. examples/svm opened with 158 words, examples/curvature 128, curvature-digits 127 and
    /// defenses 122.
    @Test func everyCommittedExampleOpensWithAtMost120Words() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let examples = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("examples").path).sorted()
        let files = [("reference", root.appendingPathComponent("output/results.json"))]
            + examples.map { ($0, root.appendingPathComponent("examples/\($0)/output/results.json")) }
        let committed = files.filter { FileManager.default.fileExists(atPath: $0.1.path) }
        #expect(Set(["reference", "svm", "curvature", "curvature-digits", "defenses", "adaptive-reference"])
            .isSubset(of: committed.map(\.0)), "\(committed.map(\.0))")
        for (name, file) in committed {
            let results = try JSONDecoder().decode(StudyResults.self, from: Data(contentsOf: file))
            let summary = openingSummary(results)
            #expect(wordCount(summary) <= 120, "\(name): \(wordCount(summary)) words: \(summary)")
            let findings = findingSentences(results)
            for sentence in summary.split(separator: ". ").map(String.init) where sentence.count > 30 {
                #expect(!findings.contains { $0.contains(sentence) }, "\(name) repeats in its Findings: \(sentence)")
            }
        }
    }

    /// The opening summarises and the Findings detail: no opening sentence is copied into a finding,
    /// no finding is listed twice, and each series' threshold with its interval is stated in at most
    /// one finding (the opening may state it once more; a paraphrase around it does not count twice).
    @Test func noFindingIsCopiedBetweenTheOpeningAndTheFindings() throws {
        for results in [try referenceResults(), fixedResults(), try attackCatalogueResults(), try widthsAttacksDefensesResults()] {
            let summary = openingSummary(results)
            let findings = findingSentences(results)
            let openingSentences = summary.split(separator: ". ").map(String.init).filter { $0.count > 30 }
            for finding in findings {
                for sentence in openingSentences { #expect(!finding.contains(sentence), "repeated: \(sentence)") }
            }
            #expect(Set(findings).count == findings.count, "a finding listed twice")
            for (fit, statistics) in zip(results.fits, results.statistics.series) {
                let stated = thresholdText(fit.threshold, estimate: statistics.threshold, brackets: true) + " (\(results.series[fit.series].label))"
                let times = findings.map { $0.components(separatedBy: stated).count - 1 }.reduce(0, +)
                #expect(times <= 1, "\(stated) stated \(times) times in the Findings")
            }
        }
    }
}

struct ClaimVerdictTests {
    let swept = 0.0...0.5
    /// The widening when this run and the publication ran the same seeds, at the intervals' own confidence.
    let sqrt2 = 2.0.squareRoot()

    /// √(1 + n/P) times t_{n-1} at the nominal level over t_{n-1} at the intervals' level.
    @Test func theWideningFollowsBothStudiesSeedsAndTheIntervalsLevel() throws {
        #expect(try #require(replicationWidening(seeds: 3, publishedSeeds: 3, confidence: 0.95, intervalConfidence: 0.95)) == sqrt2)
        // 40 seeds against 3, both at 95%: √(1 + 40/3) = 3.7859.
        let forty = try #require(replicationWidening(seeds: 40, publishedSeeds: 3, confidence: 0.95, intervalConfidence: 0.95))
        #expect(abs(forty - (1 + 40.0 / 3).squareRoot()) < 1e-12)
        // An adaptive study's last look at 99.13%: SciPy t.ppf(0.975, 39) / t.ppf(0.99565, 39) = 2.022691 / 2.762731.
        let adaptive = try #require(replicationWidening(seeds: 40, publishedSeeds: 3, confidence: 0.95, intervalConfidence: 0.9913))
        let ratio = studentTQuantile(0.975, df: 39) / studentTQuantile(0.99565, df: 39)
        #expect(abs(adaptive - ratio * (1 + 40.0 / 3).squareRoot()) < 1e-12)
        #expect(abs(ratio - 2.022691 / 2.762731) < 1e-6)
        #expect(abs(adaptive - 2.771817) < 1e-5)
        #expect(replicationWidening(seeds: 1, publishedSeeds: 3, confidence: 0.95, intervalConfidence: 0.95) == nil)
    }

    /// A faithful replication: the published value is the mean of 3 seeds, this run's estimate the mean
    /// of n seeds of the same normal population with its exact t interval at the intervals' level (95%,
    /// or an adaptive study's 99.13%). The verdict contradicts the published value in 5% of 4,000
    /// studies at 3 and at 40 seeds (one simulation's SE is 0.34 points; asserted within 3 SE), where
    /// the √2 rule, which took the published SE for this run's, contradicts it in about 45% at 40 seeds.
    @Test func aFaithfulReplicationIsContradictedAtTheNominalRate() throws {
        let studies = 4_000, truth = 0.37, sigma = 0.05, published = 3
        for (seeds, level) in [(3, 0.95), (40, 0.95), (40, 0.9913)] {
            var random = Xoshiro256StarStar(seed: UInt64(seeds) * 1_000 + UInt64(level * 10_000), purpose: "claim verdicts")
            let widening = try #require(replicationWidening(seeds: seeds, publishedSeeds: published, confidence: 0.95,
                                                            intervalConfidence: level))
            var contradicted = 0, contradictedBySqrt2 = 0
            for _ in 0..<studies {
                let paper = (0..<published).map { _ in truth + sigma * random.nextStandardNormal() }.reduce(0, +) / Double(published)
                let values = (0..<seeds).map { _ in truth + sigma * random.nextStandardNormal() }
                let estimate = Estimate(value: values.reduce(0, +) / Double(seeds),
                                        interval: studentTInterval(values, resolution: 0, confidence: level))
                if thresholdVerdict(published: paper, estimate: estimate, widening: widening) == .contradicted { contradicted += 1 }
                if thresholdVerdict(published: paper, estimate: estimate, widening: sqrt2) == .contradicted { contradictedBySqrt2 += 1 }
            }
            let rate = Double(contradicted) / Double(studies), error = (0.05 * 0.95 / Double(studies)).squareRoot()
            #expect(abs(rate - 0.05) <= 3 * error, "\(seeds) seeds at \(level): \(rate)")
            if seeds == 40 && level == 0.95 { #expect(Double(contradictedBySqrt2) / Double(studies) > 0.35) }
        }
    }

    /// MLP 128's interval [22.9%, 35.2%] about 33.5%, widened by √2 on each side: 18.7% to 35.9%.
    @Test func aPublishedThresholdIsContradictedOnlyBeyondTheIntervalWidenedForItsOwnNoise() {
        let estimate = Estimate(value: 0.335, interval: Interval(lower: 0.229, upper: 0.352))
        #expect(thresholdVerdict(published: 0.349, estimate: estimate, widening: sqrt2) == .supported)
        #expect(thresholdVerdict(published: 0.352, estimate: estimate, widening: sqrt2) == .supported, "an end belongs to the interval")
        #expect(thresholdVerdict(published: 0.358, estimate: estimate, widening: sqrt2) == .supported, "outside the interval, inside 0.335 + 1.414 × 0.017 = 0.359")
        #expect(thresholdVerdict(published: 0.360, estimate: estimate, widening: sqrt2) == .contradicted)
        #expect(thresholdVerdict(published: 0.373, estimate: estimate, widening: sqrt2) == .contradicted)
        #expect(thresholdVerdict(published: 0.19, estimate: estimate, widening: sqrt2) == .supported, "inside 0.335 - 1.414 × 0.106 = 0.185")
        #expect(thresholdVerdict(published: 0.18, estimate: estimate, widening: sqrt2) == .contradicted)
    }

    /// A published value on an interval's open side can never be contradicted, so it is its own
    /// verdict, consistent but untested (r21b #3), not support; on the bounded side of the estimate
    /// the widened interval decides as before.
    @Test func aPublishedThresholdOnAnOpenSideIsUntestedNotSupported() {
        // MLP 32's "33.6% or more" holds every value above 40.0%.
        let openAbove = Estimate(value: 0.40, interval: Interval(lower: 0.336, upper: nil))
        #expect(thresholdVerdict(published: 0.434, estimate: openAbove, widening: sqrt2) == .consistentUntested)
        #expect(thresholdVerdict(published: 0.60, estimate: openAbove, widening: sqrt2) == .consistentUntested)
        #expect(thresholdVerdict(published: 0.35, estimate: openAbove, widening: sqrt2) == .supported)
        #expect(thresholdVerdict(published: 0.31, estimate: openAbove, widening: sqrt2) == .supported, "inside 0.40 - 1.414 × 0.064 = 0.3095")
        #expect(thresholdVerdict(published: 0.30, estimate: openAbove, widening: sqrt2) == .contradicted)
        // At the estimate the tested side ends: a hair below is supported, a hair above untested.
        #expect(thresholdVerdict(published: 0.40 - 1e-9, estimate: openAbove, widening: sqrt2) == .supported)
        #expect(thresholdVerdict(published: 0.40 + 1e-9, estimate: openAbove, widening: sqrt2) == .consistentUntested)
        let openBelow = Estimate(value: 0.10, interval: Interval(lower: nil, upper: 0.2))
        #expect(thresholdVerdict(published: 0.05, estimate: openBelow, widening: sqrt2) == .consistentUntested)
        #expect(thresholdVerdict(published: 0.15, estimate: openBelow, widening: sqrt2) == .supported)
        #expect(thresholdVerdict(published: 0.24, estimate: openBelow, widening: sqrt2) == .supported, "inside 0.10 + 1.414 × 0.10 = 0.241")
        #expect(thresholdVerdict(published: 0.25, estimate: openBelow, widening: sqrt2) == .contradicted)
        #expect(ClaimVerdict.consistentUntested.rawValue == "consistent-untested")
        // Open at both ends: nothing is resolved, however far the published value lies.
        let open = Estimate(value: 0.3, interval: Interval(lower: nil, upper: nil))
        for published in [0.0, 0.3, 0.9] { #expect(thresholdVerdict(published: published, estimate: open, widening: sqrt2) == .notResolved) }
        // The whole interval beyond the largest fraction: its lower end sits at that fraction.
        let beyond = Estimate(value: 0.5, interval: Interval(lower: 0.5, upper: nil), bound: .lower)
        #expect(thresholdVerdict(published: 0.45, estimate: beyond, widening: sqrt2) == .contradicted)
        #expect(thresholdVerdict(published: 0.7, estimate: beyond, widening: sqrt2) == .consistentUntested)
    }

    /// A withheld end (`placingFittedEnds`) is read by no verdict, but the placed end still decides on its
    /// own side (review r21z m3: a verdict used to be "not resolved" whatever the published value).
    @Test func aWithheldEndLeavesItsSideUnresolvedAndThePlacedEndDecides() throws {
        // MLP 32 with seeds 1 to 5: from 34.2%, its upper end (48.9%) withheld.
        let withheld = Estimate(value: 0.40, interval: Interval(lower: 0.342, upper: 0.489, imprecise: [.upper]))
        #expect(thresholdVerdict(published: 0.434, estimate: withheld, widening: sqrt2) == .notResolved)
        #expect(thresholdVerdict(published: 0.36, estimate: withheld, widening: sqrt2) == .supported)
        #expect(thresholdVerdict(published: 0.31, estimate: withheld, widening: sqrt2) == .contradicted, "below 0.40 - 1.414 × 0.058 = 0.318")
        let below = Estimate(value: 0.10, interval: Interval(lower: 0.05, upper: 0.2, imprecise: [.lower]))
        #expect(thresholdVerdict(published: 0.07, estimate: below, widening: sqrt2) == .notResolved)
        #expect(thresholdVerdict(published: 0.25, estimate: below, widening: sqrt2) == .contradicted)
        // No end placed: nothing resolved, and the claims table's cell says why.
        let neither = Estimate(value: 0.3, interval: Interval(lower: 0.2, upper: nil, imprecise: [.lower]))
        for published in [0.1, 0.3, 0.9] { #expect(thresholdVerdict(published: published, estimate: neither, widening: sqrt2) == .notResolved) }
        #expect(supportedThresholds(neither, widening: sqrt2) == nil)
        let range = try #require(supportedThresholds(withheld, widening: sqrt2))
        #expect(range.upper == nil && range.withheld == .upper)
        #expect(supportedRangeText(lower: range.lower, upper: range.upper, centre: range.centre, withheld: range.withheld)
            == "31.8% to 40.0%; above 40.0%: not resolved (its upper end withheld)")
    }

    @Test func withoutAnIntervalNothingIsResolved() {
        #expect(thresholdVerdict(published: 0.4, estimate: Estimate(value: 0.4, interval: nil), widening: sqrt2) == .notResolved)
    }

    @Test func aClaimedDirectionIsSupportedOnlyWhenResolvedTheSameWay() {
        #expect(directionVerdict(claimed: true, found: true).verdict == .supported)
        #expect(directionVerdict(claimed: true, found: false).verdict == .contradicted)
        #expect(directionVerdict(claimed: false, found: false).verdict == .supported)
        #expect(directionVerdict(claimed: false, found: true).verdict == .contradicted)
        #expect(directionVerdict(claimed: true, found: nil).verdict == .notResolved)
    }

    /// The reference study's verdicts, pinned: MLP 32 (40.0%, "33.2% or more") and MLP 64 (37.0%,
    /// "24.7% or more") have their published 43.4% and 37.3% on the open side, beyond the estimate:
    /// untested, counted apart; MLP 128's 34.9% lies inside [22.9%, 36.7%]: supported. The shape is not decided; the
    /// slope is not resolved.
    @Test func theReferenceStudyAnswersEveryPublishedClaim() throws {
        let results = try referenceResults()
        let claims = try #require(results.findings.claims)
        #expect(claims.thresholds.map(\.label) == ["MLP 32", "MLP 64", "MLP 128"])
        #expect(claims.thresholds.map(\.published) == [0.434, 0.373, 0.349])
        #expect(claims.thresholds.map { $0.estimate?.interval?.upper == nil } == [true, true, false])
        #expect(claims.thresholds.map(\.verdict) == [.consistentUntested, .consistentUntested, .supported])
        #expect(claims.sharpTransition?.verdict == .notResolved)
        #expect(claims.largerModelsMoreSensitive.map(\.answer.verdict) == [.notResolved])
        let report = try markdownReport(results)
        #expect(report.contains("## Published claims"))
        #expect(report.contains("| Critical threshold of MLP 32 | 43.4% | 40.0% | 33.2% or more | 30.3% to 40.0%; above 40.0%: not tested (no interval end there) | not tested: no interval end on its side |"))
        #expect(report.contains("| Critical threshold of MLP 128 | 43.4% | ") == false)
        #expect(report.contains("widened 1.41-fold"))
        // The opening names the level once, in the thresholds' brackets, so its count does not repeat it.
        #expect(openingSummary(results).contains(" Of 5 published claims these runs support 1, contradict 0, leave 2 unresolved and 2 not tested (open-ended)."))
    }

    /// An adaptive study's last look reads its intervals at an adjusted level (here 99.14%): the
    /// verdicts, the "Supported if" ranges and the opening's count are read at that level too, so the
    /// claims table has one level, which its headers name (issue 21 review). The widening is then
    /// sqrt(1 + 3/3) with no ratio of t quantiles.
    @Test func theClaimsOfAnAdaptiveLookAreReadAtTheIntervalsLevel() throws {
        struct Runs: Decodable { let runs: [RunResult] }
        let path = #filePath.replacingOccurrences(of: "Tests/PoisoningReportTests/ClaimsAndSummaryTests.swift", with: "output/results.json")
        let runs = try JSONDecoder().decode(Runs.self, from: Data(contentsOf: URL(fileURLWithPath: path))).runs
        let results = StudyResults(study: try Study(StudyConfig.reference), runs: runs, toolVersion: "9.9.9", confidence: 0.9914)
        #expect(results.statistics.confidence == 0.9914 && results.config.analysis.confidence == 0.95)
        let claims = try #require(results.findings.claims)
        #expect(abs(try #require(claims.widening) - sqrt2) < 1e-12)
        let opening = openingSummary(results)
        // The thresholds' brackets name the level, or, where the opening runs short of words (`OpeningBrevity`), its pointer to them.
        let namesTheLevel = opening.contains("Critical thresholds [99.14% confidence interval (CI)]")
            || opening.contains("their 99.14% intervals are in the sigmoid fits table")
        #expect(namesTheLevel && opening.contains(" Of 5 published claims") && !opening.contains("95%"), "\(opening)")
        let report = try markdownReport(results)
        let section = try #require(report.components(separatedBy: "## Published claims").dropFirst().first?
            .components(separatedBy: "\n## ").first)
        #expect(section.contains("| Claim | Published | This run | 99.14% interval | Supported if (at 99.14%) | Verdict |"))
        #expect(section.contains("each beside this run's estimate and 99.14% interval"))
        #expect(!section.contains("95%"), "one level in the claims section: \(section)")
    }

    @Test func aThresholdOfASeriesTheStudyDoesNotRunIsNotResolved() throws {
        var config = fixedResults().config
        config.claims = PublishedClaims(source: "a test", thresholds: [ClaimedThreshold(series: "MLP 16", fraction: 0.36),
                                                                      ClaimedThreshold(series: "MLP 999", fraction: 0.2)])
        let fixed = fixedResults()
        let results = StudyResults(study: try Study(config), runs: fixed.runs, toolVersion: "9.9.9")
        let claims = try #require(results.findings.claims)
        #expect(claims.thresholds.map(\.verdict) == [.supported, .notResolved])
        #expect(claims.thresholds[1].series == nil && claims.thresholds[1].estimate == nil)
        #expect(claims.sharpTransition == nil && claims.largerModelsMoreSensitive.isEmpty, "only what is claimed is answered")
        #expect(try markdownReport(results).contains("| Critical threshold of MLP 999 | 20.0% | no series labelled MLP 999 | — | — | not resolved |"))
    }

    /// In a study of several attacks and defenses a claim names a model ("MLP 32"): it is answered by
    /// that model's series under the first attack without a defense, not reported as missing.
    @Test func aClaimNamingAModelIsAnsweredByItsUndefendedSeriesUnderTheFirstAttack() throws {
        let results = try widthsAttacksDefensesResults()
        let claims = try #require(results.findings.claims)
        let indices = claims.thresholds.map(\.series)
        #expect(indices.map { $0.map { results.series[$0].label } } == ["MLP 32, random label flip, no defense",
                                                                       "MLP 64, random label flip, no defense"])
        #expect(claims.thresholds.allSatisfy { $0.estimate != nil })
        #expect(!(try markdownReport(results)).contains("no series labelled"))
        // A label that names neither a series nor a model is still not resolved, worded as such.
        #expect(claimedSeries("MLP 999", in: results.series) == nil)
        for index in results.series.indices { #expect(claimedSeries(results.series[index].label, in: results.series) == index) }
    }

    @Test func theFixedStudysClaimsAreSupportedContradictedAndNotResolved() throws {
        let claims = try #require(fixedResults().findings.claims)
        #expect(claims.thresholds.map(\.verdict) == [.supported, .contradicted])
        #expect(claims.sharpTransition?.verdict == .notResolved)
        #expect(claims.largerModelsMoreSensitive.map(\.answer.verdict) == [.supported])
    }

    @Test func aStudyWithoutClaimsHasNoClaimsSection() throws {
        let results = try attackCatalogueResults()
        #expect(results.findings.claims == nil)
        #expect(!(try markdownReport(results)).contains("Published claims"))
    }

    /// The rule's example of an open interval is one of this run's claims' intervals, and is left out
    /// when none is open; the note's sharpness width is set beside the study's own sweep.
    @Test func theRuleQuotesAnOpenIntervalOfTheRunAndTheNoteItsOwnSweep() {
        let open = claimRule(level: "95%", widening: 2.0.squareRoot(), open: Interval(lower: 0.336, upper: nil))
        #expect(open.contains("open at both ends; a value on an open side is not tested, neither supported nor contradicted (“33.6% or more” holds every larger value). "))
        #expect(open.contains("inside this run's 95% interval widened 1.41-fold about the estimate"))
        let below = claimRule(level: "95%", widening: 2.0.squareRoot(), open: Interval(lower: nil, upper: 0.12))
        #expect(below.contains("a value on an open side is not tested, neither supported nor contradicted (“at most 12.0%” holds every smaller value)"))
        #expect(!open.contains("withheld"))
        let withheld = claimRule(level: "95%", widening: 2.0.squareRoot(), open: nil, withheld: true)
        #expect(withheld.contains("not resolved with no interval or one open at both ends, or on the side of an end withheld; a value"))
        let none = claimRule(level: "90%", widening: 2.0.squareRoot(), open: nil)
        #expect(none.contains("(the side holds every value). A claimed direction"))
        #expect(!none.contains("(“"))
        let note = claimNote(seeds: 3, published: 3, widening: 2.0.squareRoot(), sharpSteepness: 5, swept: 0...0.5)
        #expect(note.hasPrefix("A published threshold from 3 seeds has a standard error of this run's per-seed spread over sqrt(3), "
            + "so a faithful replication lies within sqrt(1 + 3/3) = 1.41 times this run's half-width of the estimate. "))
        #expect(note.contains("2 ln 9 / 5 = 0.88 of poison fraction, wider than the sweep from 0.0% to 50.0%)"))
        #expect(claimNote(seeds: 3, published: 3, widening: 2.0.squareRoot(), sharpSteepness: 5, swept: 0...1)
            .contains("0.88 of poison fraction, within the sweep from 0.0% to 100.0%)"))
        // An adaptive study's 40 seeds at 99.14% against a paper's 3: one level, the intervals', for the whole rule
        // (widening sqrt(1 + 40/3) = 3.79 with no ratio of quantiles).
        let adaptive = claimRule(level: "99.14%", widening: (1 + 40.0 / 3).squareRoot(), open: nil)
        #expect(adaptive.contains("inside this run's 99.14% interval widened 3.79-fold about the estimate"))
        #expect(!adaptive.contains("95%"), "one level in the rule")
        #expect(claimNote(seeds: 40, published: 3, widening: (1 + 40.0 / 3).squareRoot(), sharpSteepness: 5, swept: 0...0.5)
            .contains("sqrt(1 + 40/3) = 3.79 times"))
        let oneSeed = claimRule(level: "95%", widening: nil, open: nil)
        #expect(oneSeed.hasPrefix("With one seed there is no interval, so no published threshold is resolved. A claimed direction"))
        #expect(claimNote(seeds: 1, published: 3, widening: nil, sharpSteepness: 5, swept: 0...0.5).hasPrefix("A sharp transition"))
    }

    /// The claims section's preamble, from its heading to its table, reads in at most 120 words on the
    /// reference study's report (issue 21), and still defines every verdict, the level it reads, and
    /// that a value on an open side is untested; the arithmetic of the widening and the direction rules sit under the table.
    @Test func theReferenceStudysClaimsPreambleHasAtMost120Words() throws {
        let report = try markdownReport(try referenceResults())
        let section = try #require(report.components(separatedBy: "## Published claims\n\n").dropFirst().first?
            .components(separatedBy: "\n## ").first)
        let preamble = try #require(section.components(separatedBy: "\n\n| Claim |").first)
        let words = preamble.split(whereSeparator: \.isWhitespace).count
        #expect(words <= 120, "\(words) words: \(preamble)")
        #expect(words >= 60, "the preamble is the section's first paragraph: \(preamble)")
        for definition in ["is supported (consistent with this run, not proven) inside this run's 95% interval widened 1.41-fold",
                           "contradicted outside it", "not resolved with no interval or one open at both ends",
                           "a value on an open side is not tested, neither supported nor contradicted (“33.2% or more” holds every larger value)",
                           "A claimed direction is supported when this run resolves it, contradicted when it resolves the opposite, else not resolved"] {
            #expect(preamble.contains(definition), "\(definition)")
        }
        let note = try #require(section.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: "\n\n").last)
        #expect(note.hasPrefix("A published threshold from 3 seeds has a standard error of this run's per-seed spread over sqrt(3)"))
        // Why MLP 32's published 43.4%, just past its estimate 40.0% on the open side of “33.2% or more”, is untested.
        #expect(note.hasSuffix("A published value on an interval's open side is not tested even just past the estimate: the interval is "
            + "widened about the estimate, and an open side has no end to widen, so no value there could fall outside it."), "\(note)")
        #expect(note.contains("5 is the paper's rule"), "\(note)")
        #expect(note.contains("sqrt(1 + 3/3) = 1.41 times") && note.contains("k's interval above 5")
            && note.contains("every pair of models resolved in one direction)."))
    }

    /// A run of another design gets no verdicts, so no note on how they are read.
    @Test func aRunOfAnotherDesignHasNoClaimsNote() throws {
        let report = try markdownReport(try referenceResults { $0.training.epochs = 30 })
        let section = try #require(report.components(separatedBy: "## Published claims").dropFirst().first?
            .components(separatedBy: "\n## ").first)
        #expect(section.contains("This run differs from the paper's design in:"))
        #expect(!section.contains("A sharp transition needs") && !section.contains("faithful replication"))
    }
}

struct ReadableReportTests {
    @Test func theResolutionOfEveryDirectionIsInTheJSON() throws {
        let json = try JSONSerialization.jsonObject(with: try referenceResults().jsonData()) as! [String: Any]
        let findings = try #require(json["findings"] as? [String: Any])
        let sensitivity = try #require((findings["sensitivity"] as? [[String: Any]])?.first)
        #expect(sensitivity["trend"] as? String != nil)
        #expect(sensitivity["resolved"] as? Bool == (sensitivity["largerModelsMoreSensitive"] != nil))
        #expect(findings["sharpTransitionResolved"] as? Bool == (findings["sharpTransition"] != nil))
        let claims = try #require(findings["claims"] as? [String: Any])
        #expect((claims["thresholds"] as? [[String: Any]])?.compactMap { $0["verdict"] as? String }.count == 3)
    }

    @Test func resultsWithClaimsReadBackAsTheSameBytes() throws {
        // results.json sorts the keys of the claimed thresholds ("MLP 128" before "MLP 32"); the
        // claims keep one order whatever the order read, so the analysis rebuilt from the file matches it.
        let bytes = try referenceResults().jsonData()
        #expect(try StudyResults.read(bytes).jsonData() == bytes)
        #expect(try referenceResults().config.claims?.thresholds.map(\.series) == ["MLP 32", "MLP 64", "MLP 128"])
    }

    @Test func aSpreadOfZeroBesideAnIntervalIsExplained() throws {
        // MLP 32's three seeds all score 134 of 150 clean test rows.
        let note = try #require(spreadFloorNote(try referenceResults()))
        #expect(note.hasPrefix("A spread of ± 0.000, or any below one test row, means the seeds agree to within one test row (MLP 32 at 0.0%: 0.893 ± 0.000, yet"))
        #expect(note.contains("(1/150 = 0.007)"))
        #expect(spreadFloorNote(fixedResults()) == nil, "the fixed study's seeds differ by 0.02")
    }

    @Test func anOpenIntervalEndIsExplainedInTheWordsOfIntervalText() throws {
        let results = try referenceResults()
        let open = results.statistics.series.compactMap(\.threshold.interval).first { $0.upper == nil && $0.lower != nil }
        let note = openEndNote(results)
        #expect((note == nil) == (open == nil))
        if let open, let note { #expect(note.contains("“\(intervalText(open, percent))”")) }
        #expect(openEndNote(fixedResults()) == nil)
    }
}

struct ComparisonWordsTests {
    /// A results file compared with itself is one sample seen twice: the comparison says so in one line.
    @Test func aStudyComparedWithItselfIsWarnedAbout() throws {
        let study = try ComparableStudy(json: try fixedResults().jsonData())
        let comparison = compareStudies(study, study, confidence: 0.95, replicates: 200)
        #expect(comparison.identicalRuns)
        let warning = "Warning: both files hold the same runs (same series, fractions, seeds and results), so the tests "
            + "below treat one sample as two independent ones and mean nothing."
        #expect(comparisonMarkdown(comparison, firstName: "a.json", secondName: "a.json").components(separatedBy: warning).count == 2)
    }

    /// An equivalence shown on a spread the seeds barely measure is called weak (issue 21 review, as
    /// against the 2-seed published file): a side of 2 seeds, and a side whose seed-level spread lies
    /// below one test row over the points (the floor sets it), are named; 3 seeds with a measured
    /// spread (the reference study) get no caveat. A resolved shift on such a spread is called weak
    /// too, and the pooled table's verdict cells carry the mark.
    @Test func anEquivalenceOnTheFloorOrTwoSeedsIsCalledWeak() throws {
        // The reference runs of its first two seeds: every seed complete at every point.
        let reference = try referenceResults()
        var config = reference.config
        config.seeds = Array(config.seeds.prefix(2))
        let kept = reference.runs.filter { config.seeds.contains($0.seed) }
        let two = try ComparableStudy(json: try StudyResults(study: try Study(config), runs: kept, toolVersion: "test").jsonData())
        let series = two.seriesLabels, fractions = two.fractions
        let pair = try #require(pooledShifts(two, two, series: series, fractions: fractions, confidence: 0.95, margin: 0.02).first)
        #expect(pair.firstSeeds == 2 && pair.first.std > pair.spreadFloors[0])
        let caveat = try #require(weakEquivalenceCaveat(pair, names: ["`a.json`", "`b.json`"], verdict: .equivalent))
        let twoSeeds: String = "This equivalence is weak: `a.json` has 2 seeds, so its spread rests on 1 degree of freedom; "
            + "`b.json` has 2 seeds, so its spread rests on 1 degree of freedom."
        #expect(caveat.hasPrefix(twoSeeds), "\(caveat)")
        // Both seeds of the first study a copy of its first seed: no spread, so the floor sets it.
        let firstSeed = kept.filter { $0.seed == config.seeds[0] }
        let copied = kept.map { run in
            let twin = firstSeed.first { $0.series == run.series && $0.fraction == run.fraction }!
            return RunResult(fraction: run.fraction, series: run.series, seed: run.seed, poisonedCount: run.poisonedCount,
                             realisedFraction: run.realisedFraction, metrics: twin.metrics, divergence: twin.divergence)
        }
        let flat = try ComparableStudy(json: try StudyResults(study: try Study(config), runs: copied, toolVersion: "test").jsonData())
        let floored = try #require(pooledShifts(flat, two, series: series, fractions: fractions, confidence: 0.95, margin: 0.02).first)
        #expect(floored.first.std == 0 && floored.spreadFloors[0] == flat.testResolution / Double(floored.points))
        let flooredCaveat = try #require(weakEquivalenceCaveat(floored, names: ["`a.json`", "`b.json`"], verdict: .equivalent))
        let floor = fixed(floored.spreadFloors[0] * 100, decimals: 3)
        let floorText: String = "This equivalence is weak: `a.json`'s seed-level spread (0.000 pp) lies below one test row over the "
            + "points, so the floor of \(floor) pp sets it; `a.json` has 2 seeds"
        #expect(flooredCaveat.hasPrefix(floorText), "\(flooredCaveat)")
        // Three seeds with a measured spread: no caveat.
        let three = try ComparableStudy(json: try reference.jsonData())
        let pooled = try #require(pooledShifts(three, three, series: three.seriesLabels, fractions: three.fractions,
                                               confidence: 0.95, margin: 0.02).first)
        #expect(pooled.firstSeeds == 3 && pooled.first.std > pooled.spreadFloors[0])
        #expect(weakEquivalenceCaveat(pooled, names: ["`a.json`", "`b.json`"], verdict: .equivalent) == nil)
        #expect(weakVerdictMark(pooled, verdict: .differentBeyondMargin).isEmpty)
        // A resolved shift on the same weak spreads is weak too, and a table row says so; an undecided verdict decides nothing.
        let resolved = try #require(weakEquivalenceCaveat(floored, names: ["`a.json`", "`b.json`"], verdict: .differentBeyondMargin))
        #expect(resolved.hasPrefix("This resolved shift is weak: `a.json`'s seed-level spread (0.000 pp)") && resolved.contains("to reach zero"),
                "\(resolved)")
        #expect(weakEquivalenceCaveat(floored, names: ["`a.json`", "`b.json`"], verdict: .undecided) == nil)
        #expect(weakVerdictMark(floored, verdict: .differentNotShownEquivalent) == " (weak: a spread at its floor; 2 seeds or fewer on a side)")
        #expect(weakVerdictMark(pair, verdict: .equivalent) == " (weak: 2 seeds or fewer on a side)")
        #expect(weakVerdictMark(pair, verdict: .undecided).isEmpty)
    }

    /// An adaptive study's report reads its last look with that look's replicates (here 2000, the
    /// study's 1000 doubled): `compare` analyses each file alone with the same, so that its
    /// per-study intervals at the look's confidence are the report's (it took the study's 1000).
    @Test func compareReadsAnAdaptiveStudyWithItsLastLooksReplicates() throws {
        let reference = try referenceResults()
        let settings = SequentialSeeds(values: reference.config.seeds, start: 3, step: 3, max: 3, until: [.thresholdTrend])
        let plan = sequentialLooks(start: 3, step: 3, max: 3, alpha: 0.05, replicates: 2000)
        let outcome = runSequentialRule(looks: plan) { _, _ in ["trend": .resolved] }
        let record = SequentialRecord(settings: settings, nominalConfidence: 0.95, plan: plan, outcome: outcome, comparisons: ["trend"],
                                      undetermined: [[]], replicates: [2000])
        let adaptive = StudyResults(study: try Study(reference.config), runs: reference.runs, toolVersion: "9.9.9", sequential: record)
        #expect(adaptive.config.analysis.replicates == 1000 && adaptive.statistics.confidence == record.confidence)
        let study = try ComparableStudy(json: try adaptive.jsonData())
        #expect(study.analysis.replicates == 2000)
        let comparison = compareStudies(study, study, confidence: record.confidence, replicates: 200)
        for series in adaptive.statistics.series {
            let label = adaptive.series[series.series].label
            let fits = comparison.fits.filter { $0.series == label }
            let expected = ["threshold": series.threshold, "steepness": series.steepness, "midpoint": series.midpoint]
            for (quantity, estimate) in expected {
                let fit = try #require(fits.first { $0.quantity == quantity })
                #expect(fit.first == estimate, "\(label) \(quantity): compare \(fit.first), report \(estimate)")
            }
        }
    }

    /// `compare` names and writes the fit parameters as the report does (issue 21 review: it printed
    /// "midpoint 0.215 [0.000 to 0.389]" where the report prints "x0 0.22 [at most 0.39]"): each row's
    /// k and x0 cell is the report's fit-table cell, and a difference's end that rests on an end at the
    /// fit's bound is open.
    @Test func compareWritesFitParametersInTheReportsWords() throws {
        let reference = try referenceResults()
        let study = try ComparableStudy(json: try reference.jsonData())
        let comparison = compareStudies(study, study, confidence: 0.95, replicates: 200)
        let markdown = comparisonMarkdown(comparison, firstName: "a.json", secondName: "b.json")
        let rows = markdown.split(separator: "\n").map(String.init)
        #expect(!rows.contains { $0.contains("| steepness |") || $0.contains("| midpoint |") || $0.contains("| cleanAccuracy |") })
        var opened = 0
        for fit in ReportModel.fits(of: reference) {
            for (name, cell) in [("k", fit.k), ("x0", fit.x0)] {
                let row = try #require(rows.first { $0.hasPrefix("| \(fit.series) | \(name) | ") }, "\(fit.series) \(name)")
                #expect(row.hasPrefix("| \(fit.series) | \(name) | \(cell) | \(cell) | "), "\(row) against the report's \(cell)")
                if cell.contains("at most") || cell.contains("or more") {
                    opened += 1
                    // Both studies' end at the bound: the difference's interval rests on it at both ends.
                    let interval = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }[5]
                    #expect(interval == "unbounded" || interval.contains("undetermined"), "\(row)")
                }
            }
            #expect(rows.contains { $0.hasPrefix("| \(fit.series) | Clean accuracy | ") })
        }
        #expect(opened > 0, "the reference study has an interval end at the fit's bound (MLP 32's x0)")
        // r21d m5: the open ends ("or more", "at most") are explained once, under the table that shows them.
        let note = "An interval written “a or more” or “at most b” is open on that side"
        #expect(markdown.components(separatedBy: note).count == 2)
        #expect(rows.firstIndex { $0.hasPrefix(note) }! > rows.lastIndex { $0.hasPrefix("| ") }!)
    }

    /// One form for an interval in brackets, in the report and in `compare` (issue 21: one vocabulary;
    /// compare wrote "40.0% [33.2% to 48.0%]" where the report writes "40.0% [33.2%, 48.0%]"): compare's
    /// threshold cells are the report's fit-table cells, and no bracket in a table of either joins its
    /// ends with "to" (the report's defense table wrote "+5.3 pp [+2.6 pp to +7.7 pp]").
    @Test func compareAndTheReportWriteBracketedIntervalsAlike() throws {
        let results = try referenceResults()
        let study = try ComparableStudy(json: try results.jsonData())
        let markdown = comparisonMarkdown(compareStudies(study, study, confidence: 0.95, replicates: 200), firstName: "a.json", secondName: "b.json")
        let rows = markdown.split(separator: "\n").map(String.init)
        for fit in ReportModel.fits(of: results) {
            let row = try #require(rows.first { $0.hasPrefix("| \(fit.series) | Threshold | ") }, "\(fit.series)")
            #expect(row.hasPrefix("| \(fit.series) | Threshold | \(fit.threshold) | \(fit.threshold) | "), "\(row) against the report's \(fit.threshold)")
        }
        // The report of a study with defenses too: its defense table's shifts and costs are bracketed.
        for text in [markdown, try markdownReport(results), try markdownReport(try widthsAttacksDefensesResults())] {
            let cells = text.split(separator: "\n").filter { $0.hasPrefix("| ") }.joined(separator: "\n")
            let bracketed = cells.matches(of: /\[[^\[\]|]*\]/).map { String(cells[$0.range]) }
            #expect(bracketed.contains { $0.contains(", ") }, "some interval in brackets")
            #expect(!bracketed.contains { $0.contains(" to ") }, "\(bracketed.filter { $0.contains(" to ") })")
        }
    }

    /// Files that share some runs get one line with the count; files that share none, none.
    @Test func partlySharedRunsAreWarnedAboutWithTheirCount() throws {
        let results = fixedResults()
        let study = try ComparableStudy(json: try results.jsonData())
        let halfRuns = results.runs.filter { $0.seed == results.config.seeds[0] }
        let half = try ComparableStudy(json: try StudyResults(study: try Study({ () -> StudyConfig in
            var config = results.config
            config.seeds = [results.config.seeds[0]]
            return config
        }()), runs: halfRuns, toolVersion: "test").jsonData())
        let comparison = compareStudies(study, half, confidence: 0.95, replicates: 200)
        #expect(!comparison.identicalRuns && comparison.sharedRuns == halfRuns.count)
        let warning = "Warning: \(halfRuns.count) of the first file's \(results.runs.count) runs are also in the second (of its "
            + "\(halfRuns.count)): the same series, fraction, seed, settings and results. The tests below treat them as two independent "
            + "samples when they are one, so the differences are pulled toward zero and the intervals are wider than the runs warrant."
        #expect(comparisonMarkdown(comparison, firstName: "a.json", secondName: "b.json").components(separatedBy: warning).count == 2)
        let unrelated = compareStudies(half, half, confidence: 0.95, replicates: 200)
        #expect(!comparisonMarkdown(unrelated, firstName: "a.json", secondName: "b.json").contains("are also in the second"))
    }
}

/// The note on predictions a linear SVM's solve leaves undetermined (r23c #1).
struct UndeterminedPredictionsNoteTests {
    /// A linear SVM study of fractions 0 and 0.4, seeds 1 and 2, whose runs record `shares` (by
    /// fraction, then seed) as their undetermined test share.
    static func results(shares: [Double: [Double]]) throws -> StudyResults {
        let study = try Study(StudyConfig(models: [StudyConfig.component(LinearSVM.kind)], fractions: [0, 0.4], seeds: [1, 2]))
        let runs = study.runSpecs.map { spec in
            RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed, poisonedCount: spec.fraction == 0 ? 0 : 140,
                      realisedFraction: spec.fraction, metrics: [
                        MetricKey.testAccuracy: 0.6, MetricKey.trainAccuracy: 0.7, MetricKey.trainCleanAccuracy: 0.8,
                        MetricKey.generalizationGap: 0.7 - 0.6, MetricKey.finalLoss: 1,
                        MetricKey.undeterminedTestShare: shares[spec.fraction]![Int(spec.seed) - 1],
                      ], divergence: nil)
        }
        return StudyResults(study: study, runs: runs, toolVersion: "9.9.9")
    }

    @Test func aShareOfOnePercentOrMoreIsNamedWithItsSeriesAndFraction() throws {
        let results = try Self.results(shares: [0: [0, 0], 0.4: [0.2, 0.3]])
        let note = try #require(undeterminedPredictionsNote(results))
        #expect(note.contains("\(results.series[0].label): up to 25.0% of the test rows at 40.0%"), "\(note)")
        #expect(note.contains("duality gap") && note.contains("undeterminedTestShare"))
    }

    @Test func belowOnePercentOrWithoutTheMetricThereIsNoNote() throws {
        #expect(undeterminedPredictionsNote(try Self.results(shares: [0: [0, 0], 0.4: [0.005, 0.0149]])) == nil)
        #expect(undeterminedPredictionsNote(fixedResults()) == nil)
    }
}
