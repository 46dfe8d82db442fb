import Foundation
import PoisoningAnalysis
import PoisoningEngine
@testable import PoisoningReport
import Testing
import TestSupport

/// A study shaped as examples/svm, with made-up runs: linear SVM, kernel ridge, logistic regression
/// and MLP 8 under svm-gradient on two Gaussian classes, fractions 0 to 20%, four seeds. Only the
/// linear SVM's accuracy falls to its critical threshold within the sweep (midpoint 10%); the others'
/// midpoints lie at 60%. The attacker's SVM errors depend on the seed and the fraction only, as the
/// attacker's own SVM's do whatever the victim. With `linearSVMFallsInALine`, the linear SVM's
/// accuracy falls in a straight line instead, from 0.98 at 0 to 0.5 at 20%: a sigmoid fits it, but
/// the data do not place its drop (as examples/svm's replacing attack on the linear SVM). With
/// `slopePerSeed` the validation error's slope grows by that much per seed (1.5 + slopePerSeed x seed),
/// so that its excess over the clean run spreads over the seeds.
func svmShapedResults(linearSVMFallsInALine: Bool = false, seeds: [UInt64] = [1, 2, 3, 4], slopePerSeed: Double = 0) throws -> StudyResults {
    if !linearSVMFallsInALine && seeds == [1, 2, 3, 4] {
        if slopePerSeed == 0 { return try svmShapedDefault.get() }
        if slopePerSeed == 0.5 { return try svmShapedSpreading.get() }
    }
    return try madeSVMShapedResults(linearSVMFallsInALine: linearSVMFallsInALine, seeds: seeds, slopePerSeed: slopePerSeed)
}

/// The two studies that several tests read, each analysed once (four seeds: the bootstrap and its
/// pilot take some 5 s of a debug build's processor time a study).
private let svmShapedDefault = Result { try madeSVMShapedResults(linearSVMFallsInALine: false, seeds: [1, 2, 3, 4], slopePerSeed: 0) }
private let svmShapedSpreading = Result { try madeSVMShapedResults(linearSVMFallsInALine: false, seeds: [1, 2, 3, 4], slopePerSeed: 0.5) }

/// `svmShapedResults`, made and analysed.
private func madeSVMShapedResults(linearSVMFallsInALine: Bool, seeds: [UInt64], slopePerSeed: Double) throws -> StudyResults {
    let data = StudyConfig.component(GaussianClusters.kind, ["samples": .int(80), "features": .int(4), "classes": .int(2)])
    let models = [StudyConfig.component(LinearSVM.kind), StudyConfig.component(KernelRidge.kind),
                  StudyConfig.component(LogisticRegression.kind), StudyConfig.mlp(8)]
    let study = try Study(StudyConfig(data: data, models: models, attacks: [StudyConfig.component(SVMGradient.kind, ["steps": .int(2)])],
                                      fractions: [0, 0.05, 0.1, 0.15, 0.2], seeds: seeds))
    let runs = study.runSpecs.map { spec -> RunResult in
        let model = study.series[spec.series].model, jitter = 0.01 * sin(Double(spec.seed) * 1.9 + Double(model))
        let curve = SigmoidParameters(amplitude: 0.45, steepness: 30, midpoint: (model == 0 ? 0.1 : 0.6) + jitter, floor: 0.5)
        let line = 0.98 - 2.4 * spec.fraction + jitter
        var metrics = runMetrics(test: linearSVMFallsInALine && model == 0 ? line : curve.value(at: spec.fraction), train: 0.98,
                                 trainClean: 0.98, loss: 0.2)
        let seedError = 0.002 * Double(spec.seed)
        metrics[SVMGradient.validationErrorKey] = seedError + (1.5 + slopePerSeed * Double(spec.seed)) * spec.fraction
        metrics[SVMGradient.testErrorKey] = seedError + 1.2 * spec.fraction
        metrics[SVMGradient.randomFlipTestErrorKey] = seedError + 0.6 * spec.fraction
        return madeUpRun(spec, in: study, metrics: metrics)
    }
    return StudyResults(study: study, runs: runs, toolVersion: "9.9.9", threads: 2)
}

/// The wording of a study of the attacker's SVM (issue 21 #8, issue 23 #9): the opening names the one
/// series with a threshold inside the sweep instead of a range from it to itself, and the attacker's
/// SVM's rates are compared with that SVM's own rate without poisons, not with "the clean model".
struct SVMStudyWordingTests {
    @Test func theOpeningNamesTheOneSeriesWithAThreshold() throws {
        let results = try svmShapedResults()
        let within = results.fits.filter { $0.threshold.status == .withinRange }
        #expect(within.map(\.series) == [0] && results.fits.count == 4)
        let opening = openingSummary(results)
        let threshold = thresholdText(results.fits[0].threshold, estimate: results.statistics.series[0].threshold, brackets: true)
        #expect(opening.contains(" Only \(results.series[0].label) reaches its critical threshold (accuracy halfway from clean to "
            + "chance) within the swept fractions (95% interval in brackets): \(threshold); the other 3 series do not."), "\(opening)")
        #expect(!opening.contains("range from"), "\(opening)")
        #expect(threshold.hasPrefix("1"), "a threshold near 10%: \(threshold)")
    }

    /// r23e #4: examples/svm's opening and "Attacks compared" table headlined "17.7% [12.7% or more]",
    /// the point of a fit the same report lists as poorly identified. Such a point is not quoted there:
    /// the interval stands alone, marked; the sigmoid fits table keeps the point beside its caveat,
    /// and a well identified fit keeps its point in the headline.
    @Test func aPoorlyIdentifiedFitsThresholdIsHeadlinedByItsIntervalAlone() throws {
        let results = try svmShapedResults(linearSVMFallsInALine: true)
        let fit = results.fits[0], s = results.statistics.series[0]
        try #require(fit.threshold.status == .withinRange && isPoorlyIdentified(s), "\(fit.threshold), \(s)")
        #expect(results.fits.filter { $0.threshold.status == .withinRange }.count == 1)
        let interval = try #require(informativeIntervalText(s.threshold, percent, separator: ", "))
        let point = percent(try #require(fit.threshold.fraction))
        let opening = openingSummary(results)
        // Review r23g m5: the one threshold reached, in a poorly identified fit, is not placed, and the opening says so.
        let open = intervalText(s.threshold.interval, percent)
        #expect(opening.contains(" No critical threshold (accuracy halfway from clean to chance) is placed within the swept "
            + "fractions: one poorly identified fit reaches it (95% interval \(open))."), "\(opening)")
        #expect(!opening.contains(point), "\(opening)")
        let model = ReportModel(results, command: "make-report")
        #expect(model.attackComparisonRows[0].threshold == "[\(interval)] (poorly identified)")
        #expect(ReportModel.fits(of: results)[0].threshold == "\(point) [\(interval)]")
        let identified = try svmShapedResults()
        #expect(!isPoorlyIdentified(identified.statistics.series[0]))
        #expect(ReportModel(identified, command: "make-report").attackComparisonRows[0].threshold
            == thresholdText(identified.fits[0].threshold, estimate: identified.statistics.series[0].threshold, brackets: true))
    }

    @Test func theAttackersSVMIsComparedWithItsRateWithoutPoisons() throws {
        let results = try svmShapedResults()
        let sentences = findingSentences(results).filter { $0.contains("attacker's SVM") }
        #expect(sentences.count == 3, "\(sentences)")
        let excess = sentences.filter { $0.contains("minus") }
        #expect(excess.count == 2)
        for sentence in excess {
            #expect(sentence.contains(") minus its rate without poisons (the same seed at fraction 0) (mean over seeds, its 95% Student t "
                + "interval in parentheses) is +0."), "\(sentence)")
            #expect(sentence.contains("; its rate without poisons is 0.005 ± 0.003 ("), "\(sentence)")
            #expect(!sentence.contains("clean model"), "\(sentence)")
        }
        let rows = ReportModel(results, command: "make-report").attackComparisonRows
        #expect(rows.count == 4)
        for row in rows {
            #expect(row.success.hasSuffix(" (without poisons 0.005; on the attacker's SVM, not this model)"), "\(row.success)")
        }
    }

    /// A rate of the victim itself (a class flip's success on the run's model) keeps "the clean model's".
    @Test func aVictimsRateIsStillComparedWithTheCleanModel() throws {
        let data = StudyConfig.component(GaussianClusters.kind, ["samples": .int(60), "features": .int(4), "classes": .int(2)])
        let study = try Study(StudyConfig(data: data, models: [StudyConfig.mlp(4)], attacks: [StudyConfig.component(ClassFlip.kind)],
                                          fractions: [0, 0.2], seeds: [3], training: TrainingSettings(epochs: 2, batchSize: 16)))
        let results = StudyResults(study: study, runs: runStudy(study, threads: 1).results, toolVersion: "test")
        let sentence = try #require(findingSentences(results).first { $0.contains("minus") && $0.hasPrefix("At the largest fraction") })
        #expect(sentence.contains("minus the clean model's of the same series and seed is") && sentence.contains("; the clean model's rate is"),
                "\(sentence)")
        #expect(!sentence.contains("without poisons"))
    }

    /// Review r22d m3: no text of the report reaches a format as a Markdown backtick, which each escapes (Markdown as
    /// "\`", LaTeX as \textasciigrave{}, HTML as a literal "`"). The svm-gradient metrics' meanings, which named
    /// `poisons: random-flips` in backticks, are in every format's report, quoted.
    @Test func noReportTextCarriesABacktick() throws {
        let results = try svmShapedResults()
        for format in ReportFormat.allCases {
            let template = ShippedTemplate.allCases.first { ReportFormat(fileName: $0.fileName) == format }!
            let report = try renderReport(template: template.text, fileName: "report." + format.rawValue,
                                          context: reportContext(for: results, format: format,
                                                                 settings: ReportSettings(command: "make-report", figureExtension: "png")),
                                          strict: true).text
            #expect(report.contains("poisons: random-flips"), "\(format.rawValue): the metrics' meanings are in the report")
            #expect(!report.contains("\\`") && !report.contains("textasciigrave"), "\(format.rawValue)")
            // Markdown escapes a backtick of any text as "\`" (its code spans and fences are the template's and the
            // command's); LaTeX's opening quotes (``) are not backticks a reader sees; HTML has none at all.
            if format.rawValue == "html" { #expect(!report.contains("`")) }
        }
    }
}
