import Foundation
import PoisoningEngine

/// The sizes of the study's data.
public struct DataSummary: Sendable, Codable, Equatable {
    /// The data set's name, e.g. "Gaussian clusters".
    public let name: String
    /// Training rows (before poisoning).
    public let trainCount: Int
    /// Test rows; every run is measured on these same rows.
    public let testCount: Int
    /// Features per row.
    public let featureCount: Int
    /// Classes.
    public let classCount: Int
    /// The classes as the data name them, class 0 first (a CSV file's labels); nil (absent from
    /// JSON) when the classes are their numbers.
    public let classNames: [String]?

    /// The summary of the data of the study laid out by `layout`.
    public init(_ layout: StudyLayout) {
        name = layout.design.data.label
        trainCount = layout.sizes.trainRows
        testCount = layout.sizes.testRows
        featureCount = layout.sizes.features
        classCount = layout.sizes.classes
        classNames = layout.sizes.classNames
    }

    /// Why these sizes cannot be those of a split make-report made, in words that follow "the data
    /// summary", or nil: at least one training and one test row, at most `CSVDataset.maximumRows`
    /// rows and 1 to `CSVDataset.maximumFeatures` features (a CSV file's most; synthetic data make
    /// fewer), and 2 classes to one per row, each named once when the classes have names.
    public var problem: String? {
        let maximumRows = CSVDataset.maximumRows, maximumFeatures = CSVDataset.maximumFeatures
        guard trainCount >= 1, testCount >= 1, trainCount <= maximumRows - testCount else {
            return "has \(trainCount) training and \(testCount) test rows; a split has at least one of each and at most \(groupedDigits(maximumRows)) in all"
        }
        guard (1...maximumFeatures).contains(featureCount) else {
            return "has \(featureCount) features; a split has 1 to 2^\(maximumFeatures.trailingZeroBitCount)"
        }
        guard (2...(trainCount + testCount)).contains(classCount) else {
            return "has \(classCount) classes; a split has 2 to one per row"
        }
        if let classNames, classNames.count != classCount || Set(classNames).count != classNames.count {
            return "names \(classNames.count) classes\(Set(classNames).count != classNames.count ? ", one of them twice," : "") but has \(classCount)"
        }
        return nil
    }

    /// The sizes of the split it summarises.
    public var sizes: SplitSizes {
        SplitSizes(trainRows: trainCount, testRows: testCount, features: featureCount, classes: classCount, classNames: classNames)
    }
}

/// `value` (at least 0) with its digits grouped by threes: "100,000,000".
public func groupedDigits(_ value: Int) -> String {
    let digits = Array(String(value))
    return stride(from: digits.count, to: 0, by: -3).reversed().map { String(digits[max(0, $0 - 3)..<$0]) }.joined(separator: ",")
}

/// Everything `results.json` holds: the effective configuration, the data's sizes, the series,
/// every run, the aggregates, the fits and the findings. It contains no timings, so equal
/// configurations give byte-identical files.
public struct StudyResults: Sendable, Codable, Equatable {
    /// The version of results.json's layout that this make-report writes and reads; the JSON Schema
    /// docs/results.schema.json describes it. It changes whenever a key is added, removed or changes
    /// its meaning. History: 1, make-report 0.3.0 (issue 22; earlier files name no version); 2, the
    /// sign decisions of a study's own differences and trends (`statistics.differences[].decision`,
    /// `statistics.trends[].decision`) and each adaptive look's undetermined comparisons
    /// (`sequential.looks[].undetermined`); 3, issue 24: the gradient-canceling series' budgets
    /// (`targetBudgets`), each run's measured targets with their threshold τ (`runs[].targets`, in a
    /// study with targets), and no `resolved` in `statistics.differences[]` and `statistics.trends[]`
    /// (it was `decision == "resolved"`); 4, the classes' names a CSV file gives them (`data.classNames`),
    /// each interval's `movedToEstimate`, the ends moved to the estimate (`Estimate.fitted`), and issue 25's
    /// input-gradient penalty trade-off over λ (`penaltyTradeOff`, in a study that sweeps it), its curvature
    /// claims (`curvatureClaims`, in a study that measures the input curvature), and a failed run's reason
    /// (`runs[].failure`, issue 23); 5, an interval's `imprecise` (review r21w): the ends of L, k, x0 or b
    /// withheld as too imprecise keep their value in `lower`/`upper` and are listed in `imprecise`
    /// (version 4 left them out, nil, listed in `undetermined`, which now means only an end the bootstrap
    /// cannot call bounded or open), and a gradient-canceling seed's `lateFailures` (issue 24).
    public static let currentSchemaVersion = "5"

    /// The version of the layout of these results (`currentSchemaVersion` when made here). Declared
    /// first so that decoding meets it before any key whose layout it governs.
    public let schemaVersion: String
    /// Version of the tool that produced the results.
    public let toolVersion: String
    /// The study's effective configuration (the study file's document, every default filled in).
    public private(set) var config: StudyConfig
    /// The data's sizes.
    public let data: DataSummary
    /// The series (model x attack x defense), in study order.
    public let series: [SeriesDescription]
    /// The metrics the attacks add to their runs.
    public let attackMetrics: [MetricInfo]
    /// The metrics the study's measurements (`measure:`) add to its runs; nil (absent from JSON) when
    /// the study asks for none.
    public let measuredMetrics: [MetricInfo]?
    /// Whether the study has a defense other than `none` (`StudyLayout.hasDefense`); true also for
    /// defenses that score no rows, such as `weight-decay`, whose runs carry no detection metrics.
    public let hasDefense: Bool
    /// Every run, in `Study.runSpecs` order, with the clean-model baselines of its attack's metrics
    /// (`Study.withCleanBaselines`).
    public let runs: [RunResult]
    /// Mean and std over seeds per (fraction, series).
    public let points: [AggregatePoint]
    /// One sigmoid fit per series.
    public let fits: [SeriesFit]
    /// Intervals, curve comparisons, resolved differences and seed planning.
    public let statistics: StudyStatistics
    /// The study's conclusions.
    public let findings: Findings
    /// Per gradient-canceling series, the budget from which its victim agrees with its target beside
    /// each seed's τ; nil (absent from JSON) when the study has none.
    public let targetBudgets: [TargetBudget]?
    /// The input-gradient penalty's safety-efficacy trade-off over λ, as the report states it and
    /// draws it (`PenaltyTradeOff`); nil (absent from JSON) unless the study sweeps λ over at least
    /// two values with fraction 0.
    public private(set) var penaltyTradeOff: PenaltyTradeOff?
    /// Granziol's (2026) curvature claims, the spike's growth with efficacy and the near-clone
    /// regime, as the report answers them (`CurvatureClaims`); nil (absent from JSON) unless the
    /// study measures the input curvature and has a spike fit or a near-clone sweep.
    public private(set) var curvatureClaims: CurvatureClaims?
    /// For an adaptive study: its looks and why it stopped (every interval is at its last look's
    /// confidence); nil for a study with a fixed list of seeds.
    public private(set) var sequential: SequentialRecord?

    /// Analyses `runs` of `study`: aggregation, fits, thresholds, statistics (on `threads` workers;
    /// the results do not depend on their number) and findings. `bootstrapReplicates`, when given,
    /// replaces the study's number of replicates (for provisional results, whose numbers only stand
    /// in for the real ones' shape, and for an adaptive study's look analysed again with more while a
    /// comparison is undetermined: `escalatingReplicates`). `sequential`, the record of an adaptive study whose last look
    /// `study` is, sets the confidence of every interval to that look's and, unless `bootstrapReplicates`
    /// is given, the replicates to those the look was analysed with; `confidence`, when given
    /// instead, sets it to its own (a look of an adaptive study before its record is known). With any
    /// of the three (a look, or provisional results) the bootstrap draws
    /// `SeedBootstrap.adaptiveDrawsPerReplicate` refits per replicate, not a fixed study's
    /// `SeedBootstrap.drawsPerReplicate`, which grows with the seeds.
    public init(study: Study, runs: [RunResult], toolVersion: String,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount, bootstrapReplicates: Int? = nil,
                sequential: SequentialRecord? = nil, confidence: Double? = nil) {
        self.init(layout: study.layout, runs: runs, toolVersion: toolVersion, threads: threads, bootstrapReplicates: bootstrapReplicates,
                  sequential: sequential, confidence: confidence)
    }

    /// Analyses `runs` of the study laid out by `layout`, as `init(study:...)` does: the analysis
    /// needs the sizes of the study's data, never the data.
    public init(layout study: StudyLayout, runs: [RunResult], toolVersion: String,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount, bootstrapReplicates: Int? = nil,
                sequential: SequentialRecord? = nil, confidence: Double? = nil) {
        schemaVersion = Self.currentSchemaVersion
        self.toolVersion = toolVersion
        config = study.config
        data = DataSummary(study)
        series = study.series
        attackMetrics = study.attackMetrics
        measuredMetrics = study.measuredMetrics.isEmpty ? nil : study.measuredMetrics
        hasDefense = study.hasDefense
        self.runs = study.withCleanBaselines(runs)
        points = aggregate(self.runs, fractions: config.fractions, seriesCount: series.count)
        fits = fitSeries(points, seriesCount: series.count, classes: data.classCount)
        var analysed = config
        // An adaptive study's last look may have been analysed again with more replicates than the
        // study's (`escalatingReplicates`): its record says how many, and a rebuild uses as many.
        if let replicates = bootstrapReplicates ?? sequential?.looks.last?.replicates { analysed.analysis.replicates = replicates }
        if let confidence = sequential?.confidence ?? confidence { analysed.analysis.confidence = confidence }
        self.sequential = sequential
        statistics = studyStatistics(runs: self.runs, fits: fits, series: series, config: analysed, testRows: data.testCount,
                                     threads: threads, adaptiveLook: sequential != nil || confidence != nil || bootstrapReplicates != nil,
                                     pilotReplicates: config.analysis.replicates)
        findings = PoisoningAnalysis.findings(fits: fits, statistics: statistics, points: points, fractions: config.fractions,
                                              series: series, attackMetrics: attackMetrics, claims: config.claims,
                                              designDifferences: config.claims?.design?.differences(from: config) ?? [])
        let (attacks, models, analysedRuns, confidence) = (config.attacks, config.models, self.runs, statistics.confidence)
        let canceling = study.series.indices.filter { attacks[study.series[$0].attack].value(at: "kind") == .string(GradientCanceling.kind) }
        targetBudgets = canceling.isEmpty ? nil : canceling.map {
            let cancel = PoisoningAnalysis.canceledGradient(attack: attacks[study.series[$0].attack])
            return TargetBudget(runs: analysedRuns, series: $0, confidence: confidence,
                                cancel: PoisoningAnalysis.thresholdDerived(cancel: cancel, model: models[study.series[$0].model]) ? cancel : nil)
        }
        penaltyTradeOff = nil
        penaltyTradeOff = PenaltyTradeOff(self)
        curvatureClaims = nil
        curvatureClaims = CurvatureClaims(self)
    }

    /// These results with the sequential record of the adaptive study whose last look they analyse
    /// (at that look's confidence).
    public func recording(_ record: SequentialRecord) -> StudyResults {
        precondition(record.confidence == statistics.confidence, "the record's last look is not the one analysed")
        var recorded = self
        recorded.sequential = record
        return recorded
    }

    /// These results with every relative path of their configuration moved from the folder `from`
    /// to the folder `to` (`StudyConfig.movingPaths`): the results as a file in `to` names its data.
    public func movingPaths(from: String, to: String) -> StudyResults {
        var moved = self
        moved.config = config.movingPaths(from: from, to: to)
        return moved
    }

    /// Pretty-printed JSON with sorted keys: the bytes of `results.json`.
    public func jsonData() throws -> Data { try sortedJSON(self) }

    /// Reads the bytes of a results.json file and proves them consistent before anything indexes
    /// into them: they must decode, their configuration and data summary must lay out a study
    /// (`StudyLayout`; data whose sizes the configuration gives, as Gaussian clusters', must have
    /// those sizes), their runs must be that study's runs in order, each possible (`StudyRunCheck`,
    /// as `merge` checks a part's runs), and the analysis rebuilt from the configuration, the data
    /// summary and the runs must give the same bytes (so aggregates, fits, statistics and findings
    /// are those of the runs, and no index points outside its list). The data set is never read or
    /// drawn: the file is checked on its own, wherever its data are. Throws `ResultsFileError`
    /// saying which step failed.
    public static func read(_ data: Data) throws -> StudyResults {
        if let problem = schemaVersionProblem(data) { throw ResultsFileError(reason: problem) }
        let decoded: StudyResults
        do {
            decoded = try JSONDecoder().decode(StudyResults.self, from: data)
        } catch {
            throw ResultsFileError(reason: "does not decode: \(decodingFailure(error, in: data))")
        }
        return try verified(decoded, bytes: data)
    }

    /// Why the JSON document `data` is not a results.json this make-report reads, judged by its
    /// `schemaVersion` alone, in words that follow "results.json"; nil when it names
    /// `currentSchemaVersion`, and when it is no object naming a `schemaVersion` or a `toolVersion`
    /// (not a make-report results.json: decoding, or `documentProblem`, says what is wrong). A
    /// version of another JSON type than a string (`"schemaVersion": 99`) is named as written.
    public static func schemaVersionProblem(_ data: Data) -> String? {
        guard let versions = try? JSONDecoder().decode(DocumentVersions.self, from: data) else { return nil }
        return schemaVersionProblem(versions)
    }

    /// Why `data` is no results.json this make-report reads, in words that follow "results.json",
    /// or nil, from one decoding of its version keys: it is not JSON, not a JSON object naming a
    /// `schemaVersion` or a `toolVersion` (`{}`, a list, another tool's file), or names another
    /// schema (`schemaVersionProblem`). `validate` refuses such a file before any check.
    public static func documentProblem(_ data: Data) -> String? {
        do {
            let versions = try JSONDecoder().decode(DocumentVersions.self, from: data)
            guard versions.schemaVersion != nil || versions.toolVersion != nil else {
                return "is not a make-report results file: it names no schemaVersion"
            }
            return schemaVersionProblem(versions)
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            return "is not JSON"
        } catch {
            return "is not a make-report results file: it is not a JSON object"
        }
    }

    /// What `schemaVersionProblem` says of the versions a document names.
    private static func schemaVersionProblem(_ versions: DocumentVersions) -> String? {
        switch (versions.schemaVersion, versions.toolVersion) {
        case (.text(currentSchemaVersion)?, _), (nil, nil):
            return nil
        case (.text(let schema)?, _):
            return "has schemaVersion '\(printable(schema))', and this make-report reads schema \(currentSchemaVersion) "
                + "only (docs/results.schema.json)"
        case (.other(let shown)?, _):
            return "has schemaVersion \(shown), not a string, and this make-report reads schema \(currentSchemaVersion) "
                + "only (docs/results.schema.json)"
        case (nil, let tool?):
            return "names no schemaVersion: make-report \(tool.shown) or earlier wrote it, and this make-report reads "
                + "schema \(currentSchemaVersion) only; regenerate it (`make-report run --study study.yaml` in its folder)"
        }
    }

    /// The versions a JSON document names, of any JSON type; a key that is absent or null is nil.
    private struct DocumentVersions: Decodable {
        let schemaVersion: VersionValue?
        let toolVersion: VersionValue?
    }

    /// A version as a file writes it: a string, or another JSON value shown as written (`99`, `true`).
    private enum VersionValue: Decodable {
        case text(String)
        case other(String)

        init(from decoder: any Decoder) throws {
            let value = try decoder.singleValueContainer()
            if let text = try? value.decode(String.self) {
                self = .text(text)
            } else if let number = try? value.decode(Int.self) {
                self = .other("\(number)")
            } else if let number = try? value.decode(Double.self) {
                self = .other("\(number)")
            } else if let flag = try? value.decode(Bool.self) {
                self = .other("\(flag)")
            } else {
                self = .other("(a list or an object)")
            }
        }

        /// The version for a one-line message: a string escaped and cut.
        var shown: String {
            switch self {
            case .text(let text): StudyResults.printable(text)
            case .other(let shown): shown
            }
        }
    }

    /// A version a file names, for a one-line message: escaped and cut as `shortenedUserText` does.
    private static func printable(_ version: String) -> String { shortenedUserText(version) }

    /// The steps of `read` after decoding: `decoded`, the value of `bytes`, proved consistent.
    public static func verified(_ decoded: StudyResults, bytes data: Data) throws -> StudyResults {
        let study: StudyLayout
        do {
            let design = try StudyDesign(document: decoded.config.document)
            if let problem = decoded.data.problem { throw ResultsFileError(reason: "its data summary \(problem)") }
            if let planned = design.data.plannedSizes, planned != decoded.data.sizes {
                throw ResultsFileError(reason: "its data summary (\(sizesText(decoded.data.sizes))) is not that of its configuration's data "
                    + "(\(sizesText(planned)))")
            }
            study = try StudyLayout(design: design, sizes: decoded.data.sizes)
        } catch let error as ResultsFileError {
            throw error
        } catch {
            throw ResultsFileError(reason: "its configuration does not make a study: \(abbreviated("\(error)"))")
        }
        if let problem = dataChange(recorded: decoded.data, now: DataSummary(study)) {
            throw ResultsFileError(reason: problem)
        }
        let specs = study.runSpecs
        guard decoded.runs.count == specs.count else {
            throw ResultsFileError(reason: "holds \(decoded.runs.count) runs; its configuration has \(specs.count)")
        }
        let check = StudyRunCheck(study)
        for (index, (run, spec)) in zip(decoded.runs, specs).enumerated() {
            if let problem = check.problem(of: run, as: spec) { throw ResultsFileError(reason: "run \(index) \(problem)") }
        }
        let rebuilt = StudyResults(layout: study, runs: decoded.runs, toolVersion: decoded.toolVersion, sequential: decoded.sequential)
        guard (try? rebuilt.jsonData()) == data else {
            throw ResultsFileError(reason: "its aggregates, fits, statistics or findings are not those of its runs "
                + "(edited, or written by another version of make-report)")
        }
        return rebuilt
    }

    /// Why the data summary a results.json `recorded` is not the one its configuration makes `now` (from
    /// the recorded sizes: a results.json is read without its data), in words that follow
    /// "results.json", or nil: the summary was edited.
    static func dataChange(recorded: DataSummary, now: DataSummary) -> String? {
        guard recorded != now else { return nil }
        func sizes(_ data: DataSummary) -> String {
            "\(data.trainCount) training and \(data.testCount) test rows, \(data.featureCount) features, \(data.classCount) classes"
                + (recorded.classNames == now.classNames ? "" : " " + (data.classNames.map { "named " + shortenedUserText($0.joined(separator: ", ")) } ?? "by number"))
        }
        return "records data of \(sizes(recorded)), and its configuration makes \(sizes(now))"
    }

    /// The title of the study's report: the study's own, else one made from what it sweeps.
    public var title: String {
        if let title = config.title { return title }
        let attacks = listing(Array(Set(series.map(\.attackLabel))).sorted())
        let models = Set(series.map(\.modelLabel)).count
        return "Poisoning sensitivity (\(attacks)) of \(models == 1 ? series[0].modelLabel : "\(models) models") on \(data.name)"
    }

    /// The success metric of series `index`'s attack: the one its kind declares
    /// (`declaredSuccessMetric(of:)`), when the series' points record it; nil otherwise.
    public func successMetric(of index: Int) -> MetricInfo? {
        guard let metric = declaredSuccessMetric(of: index),
              points.contains(where: { $0.series == index && $0.metric(metric.key) != nil }) else { return nil }
        return metric
    }

    /// The success metric series `index`'s attack declares (`PoisoningAttack.successMetricKey`),
    /// whether or not its points record it (a retrained victim's agreement has no mean where no
    /// victim converged); nil for an attack that declares none.
    public func declaredSuccessMetric(of index: Int) -> MetricInfo? {
        let attack = config.attacks[series[index].attack]
        guard let attackType = Registry.attacks.first(where: { attack.value(at: "kind") == .string($0.kind) }),
              let key = attackType.successMetricKey else { return nil }
        return attackMetrics.first { $0.key == key }
    }

    /// The model the success metric of series `index`'s attack is measured on when it is not the
    /// series' model (`PoisoningAttack.successModel`); nil when it is.
    public func successModel(of index: Int) -> String? {
        let attack = config.attacks[series[index].attack]
        return Registry.attacks.first(where: { attack.value(at: "kind") == .string($0.kind) })?.successModel
    }

    /// Per attack of the study (in its order), the rows its victims train on when they are a subset of
    /// the training rows (`PoisoningAttack.victimRowSubset`), else nil. Read from the configuration,
    /// which lays out a study whenever these results exist (`verified`, `init(layout:...)`).
    public var victimRowSubsets: [String?] {
        guard let design = try? StudyDesign(document: config.document) else { return config.attacks.map { _ in nil } }
        return design.attacks.map { $0.victimRowSubset(classNames: data.classNames) }
    }

    /// Per attack of the study (in its order), its method note (`PoisoningAttack.methodNote`), else nil.
    public var methodNotes: [String?] {
        guard let design = try? StudyDesign(document: config.document) else { return config.attacks.map { _ in nil } }
        return design.attacks.map(\.methodNote)
    }

    /// Whether the study is of the reference study's design (random label flips, no defense), for
    /// which its curve checks were written.
    public var isUntargetedLabelFlipStudy: Bool {
        config.attacks.allSatisfy { $0.value(at: "kind") == .string(RandomLabelFlip.kind) }
            && config.defenses.allSatisfy { $0.value(at: "kind") == .string(NoDefense.kind) }
    }

    /// The first run metric, and the first aggregated mean, outside its valid range
    /// (`MetricKey.validRange`), and the first negative or non-finite standard deviation (a metric's
    /// name, which the file may have made up, cut to 100 characters).
    public func metricRangeFailures() -> [String] {
        var failures = [String]()
        if let (key, value) = runs.lazy.compactMap(\.firstMetricOutOfRange).first {
            failures.append("a run's \(abbreviated(key)) of \(value) lies outside its valid range \(rangeText(MetricKey.validRange(of: key)))")
        }
        let summaries = points.flatMap { $0.metrics.sorted { $0.key < $1.key } }
        if let (key, summary) = summaries.first(where: { !MetricKey.validRange(of: $0.key).contains($0.value.mean) }) {
            failures.append("an aggregated mean \(abbreviated(key)) of \(summary.mean) lies outside its valid range \(rangeText(MetricKey.validRange(of: key)))")
        }
        if let (key, summary) = summaries.first(where: { !($0.value.std >= 0 && $0.value.std.isFinite) }) {
            failures.append("an aggregated standard deviation of \(abbreviated(key)) is \(summary.std)")
        }
        return failures
    }

    /// The study's validation: every check that fails, as a sentence; empty when all pass. Counts,
    /// divergence and standard deviations are checked for every study; the reference study's
    /// curve checks (clean accuracy above chance + 0.1, a drop of at least 0.05 by the largest
    /// fraction, a non-increasing mean within 0.05, R² > 0.8) for studies of its design.
    public func validationFailures() -> [String] {
        var failures = [String]()
        let expectedRuns = config.fractions.count * series.count * config.seeds.count
        if runs.count != expectedRuns { failures.append("expected \(expectedRuns) runs, found \(runs.count)") }
        let expectedPoints = config.fractions.count * series.count
        if points.count != expectedPoints { failures.append("expected \(expectedPoints) aggregated points, found \(points.count)") }
        if fits.count != series.count { failures.append("expected \(series.count) fits, found \(fits.count)") }
        let diverged = runs.filter { $0.metrics == nil }
        if !diverged.isEmpty { failures.append("\(diverged.count) runs diverged, e.g. \(diverged[0].divergence ?? "")") }
        if points.contains(where: { $0.runCount > 0 && $0.metric(MetricKey.testAccuracy) == nil }) {
            failures.append("some aggregated points have no mean and standard deviation")
        }
        failures += metricRangeFailures()
        guard isUntargetedLabelFlipStudy else { return failures }
        for fit in fits {
            let name = series[fit.series].label
            let curve = points.filter { $0.series == fit.series }.sorted { $0.fraction < $1.fraction }
                .compactMap { $0.metric(MetricKey.testAccuracy)?.mean }
            guard let clean = fit.cleanAccuracy, let last = curve.last else {
                failures.append("\(name): no clean accuracy")
                continue
            }
            if clean <= fit.chanceAccuracy + 0.1 {
                failures.append("\(name): clean accuracy \(clean) is not above chance + 0.1")
            }
            if last > clean - 0.05 {
                failures.append("\(name): accuracy at the largest fraction (\(last)) is not at least 0.05 below clean (\(clean))")
            }
            if zip(curve, curve.dropFirst()).contains(where: { $1 > $0 + 0.05 }) {
                failures.append("\(name): mean accuracy rises by more than 0.05 between consecutive fractions")
            }
            if let rSquared = fit.rSquared {
                if rSquared <= 0.8 { failures.append("\(name): R² = \(rSquared) is not above 0.8") }
            } else {
                failures.append("\(name): no sigmoid fit (\(fit.failure ?? "unknown reason"))")
            }
        }
        return failures
    }
}

/// "350 training rows, 150 test rows, 2 features, 5 classes".
private func sizesText(_ sizes: SplitSizes) -> String {
    "\(sizes.trainRows) training rows, \(sizes.testRows) test rows, \(sizes.features) features, \(sizes.classes) classes"
}

/// The largest results.json or part file read, in bytes (a study of `StudyConfig.maximumRuns` runs
/// writes about 1 GB).
public let maximumResultsFileBytes = 1 << 30

/// A results.json file that cannot be used, with the reason.
public struct ResultsFileError: Error, CustomStringConvertible {
    /// What is wrong, after "results.json".
    public let reason: String

    /// The error with the given reason.
    public init(reason: String) { self.reason = reason }

    public var description: String { "results.json \(reason)" }
}

/// Why the configuration `config` of a results or part file did not make a study (`error`), in words
/// that never quote the data file it names: that file is the user's, and the configuration, which
/// anyone may have written, must not be able to have it echoed. Synthetic data: the error itself.
public func studyFailure(_ error: Error, config: StudyConfig) -> String {
    guard let path = config.dataFilePath else { return "its configuration does not make a study: \(abbreviated("\(error)"))" }
    if let problem = userFileProblem(path, maximumBytes: CSVDataset.maximumFileBytes) { return "its data file: \(problem)" }
    return "its study cannot be made with the data file \(quotedUserText(path, keepingEnd: true)) it names (the reason is not shown: it may quote that file)"
}

/// What a JSON decoding error says, in one short clause: "not valid JSON", or the path of the field
/// and what is wrong with it (at most 100 characters of each, as they may quote the file's keys and
/// values). Foundation's decoder reports a number its field cannot hold (1e30 or 500.5 for a whole
/// number, 1e309 for any) as invalid JSON with no path; from the decoded `data`, such a document is
/// told apart (`numberFailure`), naming the number's field where it can (review r19, finding 5).
public func decodingFailure(_ error: Error, in data: Data) -> String {
    guard let error = error as? DecodingError else { return abbreviated("\(error)") }
    if case .dataCorrupted(let context) = error, context.codingPath.isEmpty, let failure = numberFailure(data) { return failure }
    func path(_ context: DecodingError.Context) -> String {
        let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return keys.isEmpty ? "the document" : abbreviated(String(keys.drop { $0 == "." }))
    }
    switch error {
    case .dataCorrupted(let context) where context.codingPath.isEmpty: return "not valid JSON"
    case .dataCorrupted(let context): return "\(path(context)): \(abbreviated(context.debugDescription))"
    case .keyNotFound(let key, let context): return "\(path(context)): missing field \(quotedUserText(key.stringValue))"
    case .typeMismatch(_, let context), .valueNotFound(_, let context): return "\(path(context)): \(abbreviated(context.debugDescription))"
    @unknown default: return abbreviated("\(error)")
    }
}

/// Why the JSON document `data`, which Foundation's decoder called invalid, is valid JSON with a
/// number its field cannot hold, or nil when it is not valid JSON: a number beyond a double's range
/// (which JSONSerialization names), one beyond a 64-bit whole number's (its field named, the first
/// in key order), or else a fraction where a whole number belongs.
func numberFailure(_ data: Data) -> String? {
    let parsed: Any
    do {
        parsed = try JSONSerialization.jsonObject(with: data)
    } catch {
        let description = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? ""
        guard let number = description.firstMatch(of: /Number (\S{1,40}) is not representable/)?.output.1 else { return nil }
        return "it holds the number \(quotedUserText(number)), beyond the largest a double holds (about 1.8e308)"
    }
    /// The path and value of the first number (objects' keys in sorted order) beyond ±2^63.
    func hugeNumber(_ value: Any, _ path: String) -> (String, Double)? {
        if let object = value as? [String: Any] {
            return object.keys.sorted().lazy.compactMap { hugeNumber(object[$0]!, path.isEmpty ? $0 : path + "." + $0) }.first
        }
        if let array = value as? [Any] { return array.indices.lazy.compactMap { hugeNumber(array[$0], path + "[\($0)]") }.first }
        if !(value is String), !(value is Bool), let number = value as? NSNumber, abs(number.doubleValue) >= 0x1p63 { return (path, number.doubleValue) }
        return nil
    }
    if let (path, value) = hugeNumber(parsed, "") {
        return "\(abbreviated(path.isEmpty ? "the document" : path)) is \(value), beyond what its field holds"
    }
    return "valid JSON, but one of its numbers does not fit its field (a fraction, or a number beyond 2^63, where a whole number belongs)"
}

/// "[0, 1]", or "[0, 1e+100]".
func rangeText(_ range: ClosedRange<Double>) -> String {
    "[\(String(format: "%g", range.lowerBound)), \(String(format: "%g", range.upperBound))]"
}

/// The keys of a JSON document that look like timings ("time", "seconds", "duration", "wall"),
/// which must never appear in `results.json`. Only the document's objects and arrays are decoded
/// (`JSONObjectKeys`), never a string or number value, so a document holding a long string needs
/// no copy of it (`jsonDecodingBytes` counts one).
public func timingKeys(inJSON data: Data) -> [String] {
    guard let keys = try? JSONDecoder().decode(JSONObjectKeys.self, from: data).keys else { return [] }
    return keys.filter { key in
        let lower = key.lowercased()
        return ["time", "second", "duration", "wall"].contains(where: lower.contains)
    }.sorted()
}

/// The keys of every object in a JSON value, at any depth; a string, number, boolean or null holds
/// none and is not decoded.
private struct JSONObjectKeys: Decodable {
    let keys: Set<String>

    init(from decoder: Decoder) throws {
        var keys = Set<String>()
        if let object = try? decoder.container(keyedBy: ObjectKey.self) {
            for key in object.allKeys {
                keys.insert(key.stringValue)
                keys.formUnion(try object.decode(JSONObjectKeys.self, forKey: key).keys)
            }
        } else if var array = try? decoder.unkeyedContainer() {
            while !array.isAtEnd { keys.formUnion(try array.decode(JSONObjectKeys.self).keys) }
        }
        self.keys = keys
    }

    /// A key of a JSON object, whatever its text.
    private struct ObjectKey: CodingKey {
        let stringValue: String
        init?(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }
}
