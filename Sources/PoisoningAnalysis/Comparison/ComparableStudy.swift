import Foundation
import PoisoningEngine

/// A study's runs in the form `compare` needs, read from this tool's results.json or from the
/// results.json of the published study's Python code.
public struct ComparableStudy: Sendable {
    /// The series, by label (e.g. "MLP 64").
    public let seriesLabels: [String]
    /// The swept fractions, ascending.
    public let fractions: [Double]
    /// The seeds.
    public let seeds: [UInt64]
    /// Classes (for chance accuracy).
    public let classCount: Int
    /// Test rows every run is measured on.
    public let testCount: Int
    /// The smallest step of test accuracy, one test row (1 / `testCount`): a seed-level spread below
    /// it is raised to it, since seeds that agree exactly say the spread is small, not zero.
    public var testResolution: Double { testCount > 0 ? 1 / Double(testCount) : 0 }
    /// Every run, with `series` indexing `seriesLabels`.
    public let runs: [RunResult]
    /// Which format the file was in: "make-report <version>" or "published".
    public let format: String
    /// The analysis settings of the study's own report (the defaults for a published file): its
    /// replicates (an adaptive study's, those of its last look) and bootstrap seed, with which
    /// `compare` analyses the study alone.
    public let analysis: AnalysisSettings
    /// Per series, the settings that determine its runs besides the fraction and seed, as canonical
    /// text: for a make-report file its data, model, attack, defense and training; for a published
    /// file its configuration's samples, classes and train fraction. Two files' runs of the same series,
    /// fraction, seed and settings with the same results are one run (`sharedRunCount`). Empty when
    /// unknown (a study built from parts), when the results alone decide.
    let runSettings: [String]
    /// The data, training, attack and defense, as far as the file says: `compare` names where two
    /// files differ in them, and refuses files on different data (`differentExperimentReason`).
    public let settings: ComparedSettings

    /// A study from its parts (`settings` unknown beyond the classes without them).
    init(seriesLabels: [String], fractions: [Double], seeds: [UInt64], classCount: Int, testCount: Int, runs: [RunResult],
         format: String, analysis: AnalysisSettings = AnalysisSettings(), runSettings: [String] = [], settings: ComparedSettings? = nil) {
        self.settings = settings ?? ComparedSettings(dataKind: "unknown", classCount: classCount)
        self.seriesLabels = seriesLabels
        self.fractions = fractions
        self.seeds = seeds
        self.classCount = classCount
        self.testCount = testCount
        self.runs = runs
        self.format = format
        self.analysis = analysis
        self.runSettings = runSettings
    }

    /// Reads either format; a file that is neither, or that holds impossible values, throws
    /// `ComparisonInputError` with the reason. A make-report results.json must pass `StudyResults.verified`
    /// and `metricRangeFailures()`, as `validate` checks it; a published one, the checks of
    /// `init(published:)`. Neither reads a data set: a make-report file carries its data's sizes.
    public init(json data: Data) throws {
        if let problem = StudyResults.schemaVersionProblem(data) {
            throw ComparisonInputError(reason: "a make-report results.json that cannot be used: it \(problem)")
        }
        let decoder = JSONDecoder()
        guard let decoded = try? decoder.decode(StudyResults.self, from: data) else {
            let published: PublishedResults
            do {
                published = try decoder.decode(PublishedResults.self, from: data)
            } catch {
                throw ComparisonInputError(reason: "neither a make-report results.json nor the published study's format ("
                    + decodingFailure(error, in: data) + ")")
            }
            try self.init(published: published)
            return
        }
        let results: StudyResults
        do {
            results = try StudyResults.verified(decoded, bytes: data)
        } catch let error as ResultsFileError {
            throw ComparisonInputError(reason: "a make-report results.json that cannot be used: \(error.reason)")
        }
        if let failure = results.metricRangeFailures().first {
            throw ComparisonInputError(reason: "a make-report results.json in which \(failure)")
        }
        let config = results.config
        // An adaptive study's report reads its last look, analysed with that look's replicates
        // (the study's, doubled while a comparison was undetermined), not the study's own.
        var analysis = config.analysis
        if let replicates = results.sequential?.looks.last?.replicates { analysis.replicates = replicates }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = { (value: any Encodable) in (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "" }
        let shared = "data \(text(config.data))\ntraining \(text(config.training))"
        self.init(seriesLabels: results.series.map(\.label), fractions: config.fractions.sorted(), seeds: config.seeds,
                  classCount: results.data.classCount, testCount: results.data.testCount, runs: results.runs,
                  format: "make-report \(results.toolVersion)", analysis: analysis,
                  runSettings: results.series.map {
                      "\(shared)\nmodel \(text(config.models[$0.model]))\nattack \(text(config.attacks[$0.attack]))\n"
                          + "defense \(text(config.defenses[$0.defense]))"
                  }, settings: ComparedSettings(config, classCount: results.data.classCount))
    }

    /// A published-format study, its values held to the rules a study file and `validate` hold ours
    /// to: the configuration read as a study of Gaussian clusters and MLPs (samples, classes, a
    /// train fraction that leaves rows on both sides, widths, fractions in [0, 1], seeds, neither
    /// repeating), at least one run, each run a cell of that sweep at most once, each metric in
    /// its `MetricKey.validRange`, and each run passing `RunResult.problem` as a part's run does in
    /// `merge` (its generalization_gap train_accuracy - test_accuracy, the float64 difference the
    /// format records, to within the rounding its numbers show: a file rounded to 4 decimals passes).
    private init(published: PublishedResults) throws {
        func refused(_ reason: String) -> ComparisonInputError {
            ComparisonInputError(reason: "in the published study's format, but \(reason)")
        }
        let clusters: GaussianClusters, models: [MLP], config: StudyConfig
        do {
            (clusters, models, config) = try published.config.study()
        } catch let error as SpecificationError {
            throw refused("\(PublishedResults.Config.key(of: error.path)): \(error.message)")
        }
        guard Set(published.config.hidden_widths).count == published.config.hidden_widths.count else {
            throw refused("config.hidden_widths: values must not repeat")
        }
        if let epochs = published.config.n_epochs, epochs < 1 { throw refused("config.n_epochs is \(epochs); a run trains at least 1 epoch") }
        if let rate = published.config.lr, !(rate > 0 && rate.isFinite) { throw refused("config.lr is \(rate); a learning rate is a finite number above 0") }
        if let batch = published.config.batch_size, batch < 1 { throw refused("config.batch_size is \(batch); a batch holds at least 1 row") }
        guard !published.runs.isEmpty else { throw refused("it has no runs") }
        var cells = Set<String>()
        let runs = try published.runs.enumerated().map { index, run in
            guard let series = published.config.hidden_widths.firstIndex(of: run.hidden_width) else {
                throw refused("runs[\(index)].hidden_width is \(run.hidden_width), which config.hidden_widths does not list")
            }
            guard config.fractions.contains(run.poison_fraction) else {
                throw refused("runs[\(index)].poison_fraction is \(run.poison_fraction), which config.poison_fractions does not list")
            }
            guard config.seeds.contains(run.seed) else { throw refused("runs[\(index)].seed is \(run.seed), which config.seeds does not list") }
            guard cells.insert("\(run.poison_fraction) \(series) \(run.seed)").inserted else {
                throw refused("runs[\(index)] repeats the poison_fraction, hidden_width and seed of an earlier run")
            }
            let result = RunResult(fraction: run.poison_fraction, series: series, seed: run.seed, poisonedCount: 0,
                                   realisedFraction: run.poison_fraction,
                                   metrics: Dictionary(uniqueKeysWithValues: run.metrics.map { ($0.key, $0.value) }), divergence: nil)
            if let (key, value) = result.firstMetricOutOfRange {
                let field = run.metrics.first { $0.key == key }!.field
                throw refused("runs[\(index)].\(field) is \(value), outside its valid range \(rangeText(MetricKey.validRange(of: key)))")
            }
            // The checks `merge` applies to a run (`RunResult.problem`); the file has no poisoned counts to check.
            if let problem = result.problem(trainingRows: nil, recordable: Set(MetricKey.recordedByEveryRun)) {
                throw refused("runs[\(index)] is impossible: \(run.fieldNames(in: problem))")
            }
            // With nothing poisoned the training labels are the clean ones. (Whether each accuracy is a
            // whole number of the split's rows is not checked: the format does not say how its split
            // was drawn, and hand-written files of it round freely.)
            if run.poison_fraction == 0, run.train_clean_accuracy != run.train_accuracy {
                throw refused("runs[\(index)] has poison_fraction 0, yet its train_clean_accuracy \(run.train_clean_accuracy) differs from its "
                              + "train_accuracy \(run.train_accuracy) (with no label flipped they are one measurement)")
            }
            return result
        }
        // The published split: the first round(n · train_fraction) of a permutation train, the rest test.
        let settings = "published: n_samples \(published.config.n_samples), n_classes \(published.config.n_classes), "
            + "train_fraction \(published.config.train_fraction)"
        self.init(seriesLabels: models.map(\.label), fractions: config.fractions.sorted(), seeds: config.seeds,
                  classCount: clusters.classes, testCount: clusters.samples - clusters.trainCount, runs: runs, format: "published",
                  runSettings: models.map { _ in settings },
                  settings: ComparedSettings(dataKind: GaussianClusters.kind, classCount: clusters.classes))
    }
}

/// A results file `compare` cannot read.
public struct ComparisonInputError: Error, CustomStringConvertible {
    /// Why.
    public let reason: String
    public var description: String { reason }
}

/// The fields of the published study's results.json that `compare` reads (see docs/statistics.md).
private struct PublishedResults: Decodable {
    struct Config: Decodable {
        let n_samples: Int
        let n_classes: Int
        let train_fraction: Double
        let poison_fractions: [Double]
        let hidden_widths: [Int]
        let seeds: [UInt64]
        /// The training settings, which `compare` does not use but holds to their ranges when given.
        let n_epochs: Int?
        let lr: Double?
        let batch_size: Int?

        /// The configuration as a study of Gaussian clusters and one-layer MLPs, read by the study
        /// file's own readers, so that every range is theirs; throws their `SpecificationError`.
        func study() throws -> (data: GaussianClusters, models: [MLP], config: StudyConfig) {
            let data = StudyConfig.component(GaussianClusters.kind, ["samples": .int(n_samples), "classes": .int(n_classes),
                                                                     "train-fraction": .double(train_fraction)])
            let document = ParameterValue.mapping([
                ParameterEntry(key: "data", value: data),
                ParameterEntry(key: "models", value: .list(hidden_widths.map(StudyConfig.mlp))),
                ParameterEntry(key: "fractions", value: .list(poison_fractions.map(ParameterValue.double))),
                // A seed above Int.max as -1, which the seeds' range refuses as it would have refused it.
                ParameterEntry(key: "seeds", value: .list(seeds.map { .int(Int(exactly: $0) ?? -1) })),
            ])
            let config = try StudyConfig.read(document, locations: SourceLocations()).config
            // The published study's attack flips labels of existing rows: at most all of them.
            if let above = config.fractions.first(where: { $0 > 1 }) {
                throw SpecificationError(path: "fractions", location: nil,
                                         message: "\(above) is above 1, but the published study's label flips change existing "
                                             + "training rows, so at most all of them (1)")
            }
            /// A reader of the component at `path`.
            func reader(_ value: ParameterValue, _ path: String) -> ParameterReader {
                ParameterReader(value.entries ?? [], path: path, locations: SourceLocations())
            }
            var dataReader = reader(config.data, "data")
            let clusters = try GaussianClusters(parameters: &dataReader)
            let models = try config.models.enumerated().map { index, model in
                var modelReader = reader(model, "models[\(index)]")
                return try MLP(parameters: &modelReader)
            }
            return (clusters, models, config)
        }

        /// The key of this format that a study document's `path` reads, e.g. "config.n_classes" for "data.classes".
        static func key(of path: String) -> String {
            if path.hasPrefix("models") { return "config.hidden_widths" }
            let keys = ["data.samples": "n_samples", "data.classes": "n_classes", "data.train-fraction": "train_fraction",
                        "fractions": "poison_fractions", "seeds": "seeds"]
            return "config" + (keys[path].map { "." + $0 } ?? "")
        }
    }

    struct Run: Decodable {
        let poison_fraction: Double
        let hidden_width: Int
        let seed: UInt64
        let train_accuracy: Double
        let test_accuracy: Double
        let train_clean_accuracy: Double
        let generalization_gap: Double
        let final_loss: Double

        /// The run's metrics: each one's `MetricKey`, its field in this format and its value.
        var metrics: [(key: String, field: String, value: Double)] {
            [(MetricKey.testAccuracy, "test_accuracy", test_accuracy), (MetricKey.trainAccuracy, "train_accuracy", train_accuracy),
             (MetricKey.trainCleanAccuracy, "train_clean_accuracy", train_clean_accuracy),
             (MetricKey.generalizationGap, "generalization_gap", generalization_gap), (MetricKey.finalLoss, "final_loss", final_loss)]
        }

        /// `text`, which names metrics by their `MetricKey`, with each named by its field in this format.
        func fieldNames(in text: String) -> String {
            metrics.sorted { $0.key.count > $1.key.count }.reduce(text) { $0.replacingOccurrences(of: $1.key, with: $1.field) }
        }
    }

    let config: Config
    let runs: [Run]
}

/// How many runs of `first` are also runs of `second`: a run of the same series label, fraction and
/// seed, made with the same settings (`ComparableStudy.runSettings`, where both files know them), with
/// the same results (every metric bit for bit, or the same divergence).
func sharedRunCount(_ first: ComparableStudy, _ second: ComparableStudy) -> Int {
    let settingsKnown = !first.runSettings.isEmpty && !second.runSettings.isEmpty
    /// A run's identity: its series' label (and settings, where both files know them), fraction and seed.
    func key(_ study: ComparableStudy, _ run: RunResult) -> String {
        let settings = settingsKnown ? study.runSettings[run.series] : ""
        return "\(study.seriesLabels[run.series])\n\(settings)\n\(run.fraction.bitPattern)\n\(run.seed)"
    }
    let others = Dictionary(second.runs.map { (key(second, $0), $0) }, uniquingKeysWith: { first, _ in first })
    return first.runs.filter { run in
        others[key(first, run)].map { $0.metrics == run.metrics && $0.divergence == run.divergence } ?? false
    }.count
}
