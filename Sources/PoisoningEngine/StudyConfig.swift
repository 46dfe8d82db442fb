import PoisoningAttacks
import PoisoningData
import PoisoningDefenses
import PoisoningModels
import PoisoningTheory
import PoisoningUtilities

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
    /// Target models for attacks that aim at one (Gradient Canceling), made per model and seed; none by default.
    public var targets: [ParameterValue]
    /// The measurements every run records beyond its metrics (`Registry.measurements`, by kind); none by default.
    public var measure: [String]
    /// The options a study gives a measurement, by kind, as a mapping without its `kind` (defaults
    /// filled in), e.g. input-curvature's `vanish-margin`: read from an entry `{kind: input-curvature,
    /// vanish-margin: 0.2}` of `measure:`; empty for a measurement named alone. They set how the
    /// results are analysed, never what a run records, so a run's store key leaves them out.
    public var measureOptions: [String: ParameterValue]
    /// Poison fractions, in [0, 1], or up to `maximumFraction` when every attack adds rows.
    public var fractions: [Double]
    /// Seeds; each drives initialisation, shuffling and the attack's random choices. In an adaptive
    /// study (`sequential`), the seeds listed first in its sequence.
    public var seeds: [UInt64]
    /// For an adaptive study (`seeds: {start, step, max, until}`): how it adds seeds until its
    /// questions are resolved; nil for a study with a fixed list of seeds.
    public var sequential: SequentialSeeds?
    /// SGD settings.
    public var training: TrainingSettings
    /// How the results are analysed: confidence level and bootstrap replicates.
    public var analysis: AnalysisSettings
    /// How seeds are planned for what the runs leave unresolved.
    public var planning: PlanningSettings
    /// What a publication claimed about this study, for the report to answer; nil for none.
    public var claims: PublishedClaims?

    /// A configuration; the defaults are the reference study's design (81 runs), without its
    /// published claims (`reference` has them).
    public init(title: String? = nil, data: ParameterValue = .mapping([ParameterEntry(key: "kind", value: .string(GaussianClusters.kind))]),
                models: [ParameterValue] = [32, 64, 128].map(StudyConfig.mlp),
                attacks: [ParameterValue] = [StudyConfig.component(RandomLabelFlip.kind)],
                defenses: [ParameterValue] = [StudyConfig.component(NoDefense.kind)],
                fractions: [Double] = [0, 0.01, 0.05, 0.10, 0.15, 0.20, 0.30, 0.40, 0.50],
                seeds: [UInt64] = [42, 123, 7], training: TrainingSettings = TrainingSettings(),
                analysis: AnalysisSettings = AnalysisSettings(), planning: PlanningSettings = PlanningSettings(),
                claims: PublishedClaims? = nil, sequential: SequentialSeeds? = nil, targets: [ParameterValue] = [],
                measure: [String] = [], measureOptions: [String: ParameterValue] = [:]) {
        self.title = title
        self.targets = targets
        self.measure = measure
        self.measureOptions = measureOptions
        self.sequential = sequential
        self.data = data
        self.models = models
        self.attacks = attacks
        self.defenses = defenses
        self.fractions = fractions
        self.seeds = seeds
        self.training = training
        self.analysis = analysis
        self.planning = planning
        self.claims = claims
    }

    /// The reference study: the default design with its paper's published claims.
    public static let reference = StudyConfig(claims: .referenceStudy)

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
        ]
        if !targets.isEmpty { entries.append(ParameterEntry(key: "targets", value: .list(targets))) }
        if !measure.isEmpty {
            // A measurement with options is written as the mapping it was read from; one without, by its name.
            entries.append(ParameterEntry(key: "measure", value: .list(measure.map { kind in
                guard let options = measureOptions[kind]?.entries, !options.isEmpty else { return .string(kind) }
                return .mapping([ParameterEntry(key: "kind", value: .string(kind))] + options)
            })))
        }
        entries += [
            ParameterEntry(key: "fractions", value: .list(fractions.map(ParameterValue.double))),
            ParameterEntry(key: "seeds", value: sequential?.document(values: seeds) ?? .list(seeds.map { .int(Int(clamping: $0)) })),
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
            ParameterEntry(key: "planning", value: .mapping([
                ParameterEntry(key: "effect", value: .double(planning.effect)),
                ParameterEntry(key: "power", value: .double(planning.power)),
            ])),
        ]
        if let claims { entries.append(ParameterEntry(key: "claims", value: claims.document)) }
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

    /// The most characters a title may hold: it heads every report and figure.
    public static let maximumTitleLength = ParameterReader.maximumNameLength

    /// The largest number of runs a study may have.
    public static let maximumRuns = 1_000_000
    /// The largest poison fraction a study may sweep: poisons per clean row for an attack that adds
    /// rows (Gradient Canceling's budget ε_d can exceed 1); an attack that changes existing rows
    /// stops at 1 (`Study` refuses more).
    public static let maximumFraction = 10.0

    /// The number of runs, models x attacks x defenses x fractions x seeds (an adaptive study's
    /// largest number of seeds; `Int.max` should the product overflow), known without reading the data.
    public var runCount: Int {
        [models.count, attacks.count, defenses.count, fractions.count, sequential?.max ?? seeds.count].reduce(1) { product, count in
            let (result, overflow) = product.multipliedReportingOverflow(by: count)
            return overflow ? Int.max : result
        }
    }

    /// The kind of each model ("mlp", "logistic", ...), in the order of `models`.
    public var modelKinds: [String] {
        models.map { model in
            guard case .string(let kind)? = model.value(at: "kind") else { preconditionFailure("a study's model has no kind") }
            return kind
        }
    }

    /// How each model is trained ("SGD", "dual coordinate descent", ...: `ModelArchitecture.trainingMethod`),
    /// in the order of `models`.
    public var modelTrainingMethods: [String] {
        modelKinds.map { kind in
            guard let type = Registry.models.first(where: { $0.kind == kind }) else { preconditionFailure("unknown model kind \(kind)") }
            return type.trainingMethod
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
        var blockHelp = ParameterHelp()
        if let title = reader.value("title", help: "A title for the report, at most \(maximumTitleLength) characters "
                                        + "(default: one made from the study).") {
            guard case .string(let text) = title, !text.isEmpty else { throw reader.error("title", "expected a non-empty string") }
            try reader.checkText("title", text, maximum: maximumTitleLength)
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
        config.targets = try components("targets", reference.targets,
                                        help: "Target models that attacks such as gradient-canceling aim at (named by their label, e.g. "
                                            + "\"gradpc 0.5\"), made for each model and seed, by kind: "
                                            + "\(Registry.targets.map { $0.kind }.joined(separator: ", ")) (default: none).")
        let measurements = Registry.measurements.map { $0.kind }
        var measureHelp = ParameterHelp()
        if let raw = reader.value("measure", help: "Measurements every run records beyond its metrics (default: none), each a name or a "
                                      + "mapping of its kind and options, among: "
                                      + Registry.measurements.map { "\($0.kind) (\($0.summary))" }.joined(separator: "; ")) {
            guard case .list(let items) = raw else {
                throw reader.error("measure", "expected a list of measurements, e.g. [\(measurements[0])], not \(raw)")
            }
            guard !items.isEmpty else {
                throw reader.error("measure", "an empty list measures nothing; leave the key out, or name measurements among "
                    + measurements.joined(separator: ", "))
            }
            for (index, item) in items.enumerated() {
                let name: String
                switch item {
                case .string(let kind) where measurements.contains(kind):
                    name = kind
                case .mapping(let entries):
                    // {kind: input-curvature, vanish-margin: 0.2}: the kind, then the options its type reads.
                    var options = ParameterReader(entries, path: "measure[\(index)]", locations: locations)
                    name = try options.string("kind", oneOf: measurements, help: "The measurement: one of \(measurements.joined(separator: ", ")).")
                    let type = Registry.measurements.first { $0.kind == name }!
                    try type.readOptions(&options)
                    try options.finish()
                    let read = options.effective.filter { $0.key != "kind" }
                    if !read.isEmpty { config.measureOptions[name] = .mapping(read) }
                    measureHelp.merge(options.help) { $1 }
                default:
                    throw reader.error("measure", "unknown measurement \(item); the measurements are \(measurements.joined(separator: ", "))")
                }
                guard !config.measure.contains(name) else { throw reader.error("measure", "\(name) is given twice") }
                config.measure.append(name)
            }
        }
        // -0.0 is read as 0 (one clean fraction, printed "0.0%"); a fraction given twice would be one
        // cell of the sweep averaged twice.
        config.fractions = try reader.doubleList("fractions", default: reference.fractions, in: 0...maximumFraction,
                                                 help: "Poison fractions to sweep, each in [0, 1]; up to \(Int(maximumFraction)) for attacks that "
                                                     + "add rows (gradient-canceling), whose budget is poisons per clean row.").map { $0 == 0 ? 0 : $0 }
        if let repeated = config.fractions.indices.first(where: { config.fractions[..<$0].contains(config.fractions[$0]) }) {
            throw reader.error("fractions", "\(config.fractions[repeated]) is given twice")
        }
        let seedsHelp = "Seeds, a list (each drives initialisation, shuffling and the attack's random choices), or an adaptive "
            + "study's block {values, start, step, max, until}: seeds are added step at a time until the questions named in "
            + "until are resolved by a group-sequential rule, or max seeds have run."
        if case .mapping(let entries)? = reader.value("seeds", help: seedsHelp) {
            var block = ParameterReader(entries, path: "seeds", locations: locations)
            let sequential = try SequentialSeeds(reading: &block, defaultValues: reference.seeds)
            try block.finish()
            config.seeds = sequential.values
            config.sequential = sequential
            blockHelp = block.help
        } else {
            config.seeds = try reader.intList("seeds", default: reference.seeds.map { Int($0) }, in: 0...Int.max, help: seedsHelp)
                .map { UInt64($0) }
        }
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
        let rawPlanning = reader.value("planning", help: "Seed planning for what the runs leave unresolved: the smallest "
            + "effect of interest and the power to resolve it.")
        guard let planningEntries = (rawPlanning ?? .mapping([])).entries else {
            throw reader.error("planning", "expected a mapping of effect, power")
        }
        var planning = ParameterReader(planningEntries, path: "planning", locations: locations)
        config.planning = try PlanningSettings(reading: &planning)
        try planning.finish()
        // Absent claims are none, whatever the reference study's: they belong to a publication, not to a design.
        var claimsHelp = ParameterHelp()
        if let rawClaims = reader.value("claims", help: "What a publication claimed about this study, for the report to "
                                            + "answer with this run's estimates (absent: no claims).") {
            guard let claimsEntries = rawClaims.entries else {
                throw reader.error("claims", "expected a mapping of source, thresholds, sharp-transition, larger-models-more-sensitive")
            }
            var claims = ParameterReader(claimsEntries, path: "claims", locations: locations)
            config.claims = try PublishedClaims(reading: &claims, locations: locations)
            try claims.finish()
            claimsHelp = claims.help
        }
        try reader.finish()
        let help = reader.help.merging(training.help) { $1 }.merging(analysis.help) { $1 }.merging(planning.help) { $1 }
            .merging(claimsHelp) { $1 }.merging(blockHelp) { $1 }.merging(measureHelp) { $1 }
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

    /// The bootstrap seeds a study file or `--bootstrap-seed` accepts.
    public static let bootstrapSeedRange = 0...Int(Int32.max)

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
                  bootstrapSeed: UInt64(try p.int("bootstrap-seed", default: Int(reference.bootstrapSeed), in: Self.bootstrapSeedRange,
                                                  help: "Seed of the bootstrap's random stream; intervals agree across seeds within their Monte Carlo error.")))
    }
}

/// How seeds are planned: a new study's seeds that would resolve a difference of at least `effect`
/// with `power`, over the confidence interval of the per-seed spread.
public struct PlanningSettings: Sendable, Codable, Equatable {
    /// The smallest effect of interest, in the quantity's units: 0.02 is 2 percentage points of a
    /// fraction for thresholds (and per doubling of parameters for the trend), 0.02 of accuracy for
    /// clean accuracy and the generalization gap.
    public var effect: Double
    /// The chance of resolving a true difference of `effect`.
    public var power: Double

    /// Settings; the defaults plan 80% power for an effect of 0.02.
    public init(effect: Double = 0.02, power: Double = 0.8) {
        self.effect = effect
        self.power = power
    }

    /// Reads `effect` and `power`.
    init(reading p: inout ParameterReader) throws {
        let reference = PlanningSettings()
        self.init(effect: try p.accuracyDifferenceValue("effect", default: reference.effect, in: 0.0001...1,
                                       help: "Smallest effect of interest for seed planning, in [0.0001, 1]: a fraction for "
                                           + "thresholds (0.02 = 2 pp; per doubling of parameters for the trend), accuracy for "
                                           + "accuracies and gaps; also written in percentage points, as compare's --margin: "
                                           + "\"2pp\" or \"2%\" = 0.02."),
                  power: try p.double("power", default: reference.power, in: 0.5...0.99,
                                      help: "Power of the seed planning: the chance of resolving a true difference of `effect`, "
                                          + "in [0.5, 0.99]."))
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

/// A question an adaptive study can run until it resolves (`seeds.until`).
public enum SequentialQuestion: String, Sendable, Codable, CaseIterable {
    /// The threshold's trend with model size, per attack and defense.
    case thresholdTrend = "threshold-trend"
    /// The threshold differences between series that differ in one model, attack or defense.
    case thresholdPairs = "threshold-pairs"
    /// The clean-accuracy differences between such series.
    case cleanPairs = "clean-pairs"
    /// The differences of the generalization gap at the largest fraction between such series.
    case gapPairs = "gap-pairs"
}

/// How an adaptive study adds seeds: the seeds `values` first, then 1, 2, 3, ... skipping those
/// listed, `start` of them at the first look, `step` more at each look, at most `max`, until every
/// question of `until` is resolved (the analysis library's group-sequential rule).
public struct SequentialSeeds: Sendable, Codable, Equatable {
    /// The seeds listed first in the sequence.
    public var values: [UInt64]
    /// Seeds of the first look.
    public var start: Int
    /// Seeds added at each later look.
    public var step: Int
    /// The budget: the most seeds the study runs.
    public var max: Int
    /// The questions that must be resolved; empty for the threshold questions the study can ask
    /// (`defaultQuestions`, filled in when the study is read).
    public var until: [SequentialQuestion]

    /// The settings of an adaptive study.
    public init(values: [UInt64], start: Int, step: Int = 3, max: Int = 40, until: [SequentialQuestion] = []) {
        self.values = values
        self.start = start
        self.step = step
        self.max = max
        self.until = until
    }

    /// The largest budget of seeds.
    public static let largestMax = 1000

    /// The fewest fractions a threshold question (threshold-trend, threshold-pairs) can be asked
    /// with: the 4-parameter sigmoid fit behind a threshold needs as many points (the analysis
    /// library's `sigmoidMinimumPoints`, which a test holds equal).
    public static let thresholdMinimumFractions = 4

    /// The first `count` seeds of the sequence: `values`, then 1, 2, 3, ... without those in `values`.
    public func seeds(_ count: Int) -> [UInt64] {
        let listed = Set(values)
        var sequence = Array(values.prefix(count)), next: UInt64 = 1
        while sequence.count < count {
            if !listed.contains(next) { sequence.append(next) }
            next += 1
        }
        return sequence
    }

    /// The block as the study file writes it, with `values` as its listed seeds.
    func document(values: [UInt64]) -> ParameterValue {
        .mapping([
            ParameterEntry(key: "values", value: .list(values.map { .int(Int(clamping: $0)) })),
            ParameterEntry(key: "start", value: .int(start)),
            ParameterEntry(key: "step", value: .int(step)),
            ParameterEntry(key: "max", value: .int(max)),
            ParameterEntry(key: "until", value: .list(until.map { .string($0.rawValue) })),
        ])
    }

    /// Reads the block `seeds: {values, start, step, max, until}`.
    init(reading p: inout ParameterReader, defaultValues: [UInt64]) throws {
        let values = try p.intList("values", default: defaultValues.map { Int($0) }, in: 0...Int.max,
                                   help: "The seeds the sequence starts with; then 1, 2, 3, ... skipping these.").map { UInt64($0) }
        let start = try p.int("start", default: values.count, in: 2...Self.largestMax,
                              help: "Seeds of the first look (default: the listed values' count); at least 2.")
        let step = try p.int("step", default: 3, in: 1...Self.largestMax, help: "Seeds added at each later look.")
        let max = try p.int("max", default: Swift.max(40, start, values.count), in: 2...Self.largestMax,
                            help: "The budget: the most seeds the study runs (at least start, and at least the listed values' count).")
        // Unlisted values are the reference study's: a max below them is then blamed on start, the key written.
        guard max >= start || p.contains("values") else {
            throw p.error("max", "is \(max), fewer than seeds.start (\(start)): raise seeds.max or lower seeds.start")
        }
        guard max >= values.count else {
            throw p.error("max", "is \(max), fewer than the \(values.count) seeds listed in seeds.values, which would never all run; "
                + "list at most \(max) values or raise seeds.max")
        }
        guard max >= start else { throw p.error("max", "is \(max), fewer than seeds.start (\(start)): raise seeds.max or lower seeds.start") }
        let names = SequentialQuestion.allCases.map(\.rawValue)
        var until = [SequentialQuestion]()
        if let raw = p.value("until", help: "The questions to resolve, among \(names.joined(separator: ", ")) (default: the threshold questions the study can ask).") {
            let items: [ParameterValue] = if case .list(let list) = raw { list } else { [raw] }
            for item in items {
                guard case .string(let name) = item, let question = SequentialQuestion(rawValue: name) else {
                    throw p.error("until", "unknown question \(item); the questions are \(names.joined(separator: ", "))")
                }
                guard !until.contains(question) else { throw p.error("until", "\(name) is given twice") }
                until.append(question)
            }
            guard !until.isEmpty else { throw p.error("until", "needs at least one question") }
        }
        self.init(values: values, start: start, step: step, max: max, until: until)
    }

    /// The questions a study with these numbers of models, attacks and defenses can ask: a trend
    /// needs two models, a difference two series that differ in one of them.
    public static func askable(models: Int, attacks: Int, defenses: Int) -> [SequentialQuestion] {
        let pairs = models >= 2 || attacks >= 2 || defenses >= 2
        return SequentialQuestion.allCases.filter { $0 == .thresholdTrend ? models >= 2 : pairs }
    }

    /// The questions an adaptive study resolves when `until` names none: the threshold questions it
    /// can ask. Clean-accuracy and gap differences are asked only by name: where two series truly do
    /// not differ (as clean accuracy often does not), no number of seeds resolves the difference, and
    /// every such study would spend its whole budget.
    public static func defaultQuestions(models: Int, attacks: Int, defenses: Int) -> [SequentialQuestion] {
        askable(models: models, attacks: attacks, defenses: defenses).filter { $0 == .thresholdTrend || $0 == .thresholdPairs }
    }
}
