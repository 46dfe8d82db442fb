/// Everything that determines a study's results, as written in a study file: the data set, the
/// axes it sweeps (models x attacks x defenses x poison fractions x seeds) and the training
/// settings. Components are kept as their mappings (`kind` plus parameters); `Study` reads them.
/// Encoded (in results.json) exactly as the study file's document, with the same keys.
public struct StudyConfig: Sendable, Equatable, Codable {
    /// A title for the report; nil for one made from the study.
    public var title: String?
    /// The data set.
    public var data: ParameterValue
    /// The models.
    public var models: [ParameterValue]
    /// The attacks.
    public var attacks: [ParameterValue]
    /// The defenses.
    public var defenses: [ParameterValue]
    /// Poison fractions, in [0, 1].
    public var fractions: [Double]
    /// Seeds; each drives initialisation, shuffling and the attack's random choices.
    public var seeds: [UInt64]
    /// SGD settings.
    public var training: TrainingSettings
    /// How the results are analysed: confidence level and bootstrap replicates.
    public var analysis: AnalysisSettings

    /// A configuration; the defaults are the reference study's (81 runs).
    public init(title: String? = nil, data: ParameterValue = .mapping([ParameterEntry(key: "kind", value: .string(GaussianClusters.kind))]),
                models: [ParameterValue] = [32, 64, 128].map(StudyConfig.mlp),
                attacks: [ParameterValue] = [StudyConfig.component(RandomLabelFlip.kind)],
                defenses: [ParameterValue] = [StudyConfig.component(NoDefense.kind)],
                fractions: [Double] = [0, 0.01, 0.05, 0.10, 0.15, 0.20, 0.30, 0.40, 0.50],
                seeds: [UInt64] = [42, 123, 7], training: TrainingSettings = TrainingSettings(),
                analysis: AnalysisSettings = AnalysisSettings()) {
        self.title = title
        self.data = data
        self.models = models
        self.attacks = attacks
        self.defenses = defenses
        self.fractions = fractions
        self.seeds = seeds
        self.training = training
        self.analysis = analysis
    }

    /// The mapping of a component with the given kind and parameters.
    public static func component(_ kind: String, _ parameters: [String: ParameterValue] = [:]) -> ParameterValue {
        .mapping([ParameterEntry(key: "kind", value: .string(kind))]
            + parameters.sorted { $0.key < $1.key }.map { ParameterEntry(key: $0.key, value: $0.value) })
    }

    /// The mapping of an MLP with one hidden layer of `width` units.
    public static func mlp(_ width: Int) -> ParameterValue { component(MLP.kind, ["hidden": .list([.int(width)])]) }

    /// The study as a document: the mapping a study file holds, keys in their canonical order.
    public var document: ParameterValue {
        var entries = [ParameterEntry]()
        if let title { entries.append(ParameterEntry(key: "title", value: .string(title))) }
        entries += [
            ParameterEntry(key: "data", value: data),
            ParameterEntry(key: "models", value: .list(models)),
            ParameterEntry(key: "attacks", value: .list(attacks)),
            ParameterEntry(key: "defenses", value: .list(defenses)),
            ParameterEntry(key: "fractions", value: .list(fractions.map(ParameterValue.double))),
            ParameterEntry(key: "seeds", value: .list(seeds.map { .int(Int(clamping: $0)) })),
            ParameterEntry(key: "training", value: .mapping([
                ParameterEntry(key: "epochs", value: .int(training.epochs)),
                ParameterEntry(key: "batch-size", value: .int(training.batchSize)),
                ParameterEntry(key: "learning-rate", value: .double(training.learningRate)),
            ])),
            ParameterEntry(key: "analysis", value: .mapping([
                ParameterEntry(key: "confidence", value: .double(analysis.confidence)),
                ParameterEntry(key: "replicates", value: .int(analysis.replicates)),
                ParameterEntry(key: "bootstrap-seed", value: .int(Int(clamping: analysis.bootstrapSeed))),
            ])),
        ]
        return .mapping(entries)
    }

    public func encode(to encoder: Encoder) throws { try document.encode(to: encoder) }

    /// Decodes the document form (as in results.json) and reads it as a study file is read.
    public init(from decoder: Decoder) throws {
        let document = try ParameterValue(from: decoder)
        do {
            self = try StudyConfig.read(document, locations: SourceLocations()).config
        } catch let error as SpecificationError {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    /// The largest number of runs a study may have.
    public static let maximumRuns = 1_000_000

    /// The number of runs, models x attacks x defenses x fractions x seeds (`Int.max` should the
    /// product overflow), known without reading the data.
    public var runCount: Int {
        [models.count, attacks.count, defenses.count, fractions.count, seeds.count].reduce(1) { product, count in
            let (result, overflow) = product.multipliedReportingOverflow(by: count)
            return overflow ? Int.max : result
        }
    }

    /// The file the study's data is read from (a CSV data set's path), or nil for synthetic data.
    public var dataFilePath: String? {
        guard data.value(at: "kind") == .string(CSVDataset.kind), case .string(let path)? = data.value(at: "path") else { return nil }
        return path
    }

    /// Reads a study document: checks every key, type and range, fills in defaults, and returns the
    /// effective configuration with the help of every key it read.
    public static func read(_ document: ParameterValue, locations: SourceLocations) throws -> (config: StudyConfig, help: ParameterHelp) {
        guard let entries = document.entries else {
            throw SpecificationError(path: "", location: locations.location(of: ""), message: "a study is a mapping of keys such as data, models, attacks, fractions")
        }
        var reader = ParameterReader(entries, path: "", locations: locations)
        let reference = StudyConfig()
        var config = reference
        if let title = reader.value("title", help: "A title for the report (default: one made from the study).") {
            guard case .string(let text) = title, !text.isEmpty else { throw reader.error("title", "expected a non-empty string") }
            config.title = text
        }
        func components(_ key: String, _ defaults: [ParameterValue], help: String) throws -> [ParameterValue] {
            guard let raw = reader.value(key, help: help) else { return defaults }
            guard case .list(let items) = raw, !items.isEmpty else { throw reader.error(key, "expected a list with at least one entry") }
            return items
        }
        config.data = reader.value("data", help: "The data set, by kind: \(Registry.datasets.map { $0.kind }.joined(separator: ", ")).") ?? reference.data
        config.models = try components("models", reference.models,
                                       help: "The models, by kind: \(Registry.models.map { $0.kind }.joined(separator: ", ")).")
        config.attacks = try components("attacks", reference.attacks,
                                        help: "The attacks, by kind: \(Registry.attacks.map { $0.kind }.joined(separator: ", ")).")
        config.defenses = try components("defenses", reference.defenses,
                                         help: "The defenses, by kind: \(Registry.defenses.map { $0.kind }.joined(separator: ", ")).")
        // -0.0 is read as 0 (one clean fraction, printed "0.0%"); a fraction given twice would be one
        // cell of the sweep averaged twice.
        config.fractions = try reader.doubleList("fractions", default: reference.fractions, in: 0...1,
                                                 help: "Poison fractions to sweep, each in [0, 1].").map { $0 == 0 ? 0 : $0 }
        if let repeated = config.fractions.indices.first(where: { config.fractions[..<$0].contains(config.fractions[$0]) }) {
            throw reader.error("fractions", "\(config.fractions[repeated]) is given twice")
        }
        config.seeds = try reader.intList("seeds", default: reference.seeds.map { Int($0) }, in: 0...Int.max,
                                          help: "Seeds; each drives initialisation, shuffling and the attack's random choices.")
            .map { UInt64($0) }
        let rawTraining = reader.value("training", help: "Mini-batch SGD on softmax cross-entropy (no momentum, no weight decay).")
        guard let trainingEntries = (rawTraining ?? .mapping([])).entries else {
            throw reader.error("training", "expected a mapping of epochs, batch-size, learning-rate")
        }
        var training = ParameterReader(trainingEntries, path: "training", locations: locations)
        config.training = try TrainingSettings(reading: &training)
        try training.finish()
        let rawAnalysis = reader.value("analysis", help: "How the results are analysed: intervals and their bootstrap.")
        guard let analysisEntries = (rawAnalysis ?? .mapping([])).entries else {
            throw reader.error("analysis", "expected a mapping of confidence, replicates, bootstrap-seed")
        }
        var analysis = ParameterReader(analysisEntries, path: "analysis", locations: locations)
        config.analysis = try AnalysisSettings(reading: &analysis)
        try analysis.finish()
        try reader.finish()
        let help = reader.help.merging(training.help) { $1 }.merging(analysis.help) { $1 }
        let runs = config.runCount
        guard runs <= maximumRuns else {
            throw reader.error(nil, "the study has \(runs) runs (models x attacks x defenses x fractions x seeds); at most \(maximumRuns) are allowed")
        }
        return (config, help)
    }
}

/// How a study's results are analysed.
public struct AnalysisSettings: Sendable, Codable, Equatable {
    /// Confidence level of every interval, e.g. 0.95.
    public var confidence: Double
    /// Bootstrap replicates behind the intervals of fitted quantities.
    public var replicates: Int
    /// The bootstrap's random stream: another seed checks that the intervals do not depend on it.
    public var bootstrapSeed: UInt64

    /// Settings; the defaults give 95% intervals from 1,000 replicates of stream 0.
    public init(confidence: Double = 0.95, replicates: Int = 1000, bootstrapSeed: UInt64 = 0) {
        self.confidence = confidence
        self.replicates = replicates
        self.bootstrapSeed = bootstrapSeed
    }

    /// Reads `confidence`, `replicates` and `bootstrap-seed`.
    init(reading p: inout ParameterReader) throws {
        let reference = AnalysisSettings()
        self.init(confidence: try p.double("confidence", default: reference.confidence, in: 0.5...0.999,
                                           help: "Confidence level of every interval, in [0.5, 0.999]."),
                  replicates: try p.int("replicates", default: reference.replicates, in: 200...100_000,
                                        help: "Bootstrap replicates behind the intervals of fitted quantities (thresholds, k, x0)."),
                  bootstrapSeed: UInt64(try p.int("bootstrap-seed", default: Int(reference.bootstrapSeed), in: 0...Int(Int32.max),
                                                  help: "Seed of the bootstrap's random stream; intervals agree across seeds within their Monte Carlo error.")))
    }
}

extension TrainingSettings {
    /// Reads `epochs`, `batch-size` and `learning-rate`.
    init(reading p: inout ParameterReader) throws {
        let reference = TrainingSettings()
        self.init(epochs: try p.int("epochs", default: reference.epochs, in: 1...1_000_000, help: "Passes over the training set."),
                  batchSize: try p.int("batch-size", default: reference.batchSize, in: 1...1_000_000,
                                       help: "Rows per SGD step; the last partial batch of an epoch is kept."),
                  learningRate: try p.double("learning-rate", default: reference.learningRate, in: 1e-12...1e6,
                                             help: "SGD step size."))
    }
}
