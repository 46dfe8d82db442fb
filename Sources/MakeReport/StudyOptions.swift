import ArgumentParser
import Foundation
import PoisoningEngine
import StudyFile
import StudyPipeline

/// The study options: the one table that gives each option its name, its help (with the reference
/// study's value as default), the key of the study document it sets, and how a study's value is
/// written back as an option in the command that regenerates a report.
enum StudyOption: String, CaseIterable {
    case widths, attacks, defenses, fractions, seeds, measure, epochs, lr, batchSize = "batch-size"
    case samples, features, classes, clusterStd = "cluster-std", centerScale = "center-scale"
    case trainFraction = "train-fraction", dataSeed = "data-seed", confidence, replicates, bootstrapSeed = "bootstrap-seed"

    /// "--batch-size".
    var flag: String { "--" + rawValue }

    /// The key of the study document the option sets.
    var path: String {
        switch self {
        case .widths: "models"
        case .attacks: "attacks"
        case .defenses: "defenses"
        case .fractions: "fractions"
        case .seeds: "seeds"
        case .measure: "measure"
        case .epochs: "training.epochs"
        case .lr: "training.learning-rate"
        case .batchSize: "training.batch-size"
        case .samples: "data.samples"
        case .features: "data.features"
        case .classes: "data.classes"
        case .clusterStd: "data.cluster-std"
        case .centerScale: "data.center-scale"
        case .trainFraction: "data.train-fraction"
        case .dataSeed: "data.seed"
        case .confidence: "analysis.confidence"
        case .replicates: "analysis.replicates"
        case .bootstrapSeed: "analysis.bootstrap-seed"
        }
    }

    /// What the option sets, in a sentence.
    private var summary: String {
        switch self {
        case .widths: "Hidden widths of one-hidden-layer MLPs, comma-separated; replaces the study's models."
        case .attacks: "Attack kinds, comma-separated, each with its default parameters; replaces the study's attacks."
        case .defenses: "Defense kinds, comma-separated, each with its default parameters; replaces the study's defenses."
        case .fractions: "Poison fractions in [0, 1], comma-separated; up to 10 for attacks that add rows (gradient-canceling)."
        case .seeds: "Seeds, comma-separated; each drives initialisation, shuffling and the attack's random choices."
        case .measure: "Measurements every run records beyond its metrics, comma-separated; replaces the study's. "
            + Registry.measurements.map { "\($0.kind): \($0.summary)" }.joined(separator: " ")
        case .epochs: "Training epochs per run."
        case .lr: "SGD learning rate, no momentum, no weight decay."
        case .batchSize: "Mini-batch size; the last partial batch of an epoch is kept."
        case .samples: "Gaussian-cluster data: samples, train + test."
        case .features: "Gaussian-cluster data: features per sample."
        case .classes: "Gaussian-cluster data: classes, one cluster each; chance accuracy is 1/classes."
        case .clusterStd: "Gaussian-cluster data: standard deviation of each cluster around its center."
        case .centerScale: "Gaussian-cluster data: scale of the standard-normal class centers."
        case .trainFraction: "Gaussian-cluster data: fraction of the samples used for training."
        case .dataSeed: "Gaussian-cluster data: seed of the NumPy-compatible generator of the data and the split."
        case .confidence: "Confidence level of every interval in the report, in [0.5, 0.999]."
        case .replicates: "Bootstrap replicates behind the intervals of fitted quantities (thresholds, k, x0); more are drawn "
            + "(so that interval ends do not move with the random stream): twice as many with at most 3 seeds, (n - 1)^2 / 2 "
            + "times as many with n seeds beyond (at least 8, at most 64,000 per series), rounded up to whole rays."
        case .bootstrapSeed: "Seed of the bootstrap's random stream; another seed checks that the intervals do not depend on it."
        }
    }

    /// The option's help: what it sets and the reference study's value.
    var help: ArgumentHelp {
        ArgumentHelp("\(summary) (default: \(optionForm(of: StudyOption.referenceDocument)?.text ?? "none"))")
    }

    /// Whether the option sets a parameter of the Gaussian-cluster data.
    var isDataParameter: Bool { path.hasPrefix("data.") }

    /// The reference study as a document, every default filled in. Read as a design, without drawing
    /// its data (the same configuration: `Study.config` is its design's), because every command's
    /// parsing shows the defaults in the options' help.
    static let referenceDocument = try! StudyDesign(document: StudyConfig.reference.document).config.document

    /// The option as it would give `document` its value at the option's key: the text to write
    /// on the command line and the value it sets; nil when no option value can say it (a deeper
    /// MLP for --widths). For --attacks and --defenses the value holds the kinds with default
    /// parameters, so resolving it again shows whether the option says everything.
    func optionForm(of document: ParameterValue) -> (text: String, value: ParameterValue)? {
        guard let value = document.value(at: path) else { return nil }
        switch self {
        case .widths:
            guard case .list(let models) = value else { return nil }
            let widths = models.compactMap { model -> Int? in
                guard model.value(at: "kind") == .string(MLP.kind), case .list(let hidden)? = model.value(at: "hidden"),
                      hidden.count == 1, case .int(let width) = hidden[0] else { return nil }
                return width
            }
            guard widths.count == models.count else { return nil }
            return (widths.map(String.init).joined(separator: ","), .list(widths.map(StudyConfig.mlp)))
        case .attacks, .defenses:
            guard case .list(let components) = value else { return nil }
            let kinds = components.compactMap { component -> String? in
                if case .string(let kind)? = component.value(at: "kind") { kind } else { nil }
            }
            guard kinds.count == components.count else { return nil }
            return (kinds.joined(separator: ","), .list(kinds.map { StudyConfig.component($0) }))
        case .seeds:
            // An adaptive study's block has no option form (--until-resolved gives only its defaults).
            guard case .list = value else { return nil }
            return (commaText(value), value)
        default:
            return (commaText(value), value)
        }
    }
}

/// The study: a study file, and options that override its values (or the reference study's when
/// there is no file); shared by `run` and `check`. The options' names and help come from `StudyOption`.
/// Each command declares the four option groups itself, titled by `StudyOptions.titles` (`--help`
/// shows them under those titles), and makes this of them first in its `run()`: groups nested in a
/// group made the debug build's argument parser, which checks every group's definitions whenever it
/// builds one, spend 0.5 s at every start of `run` or `check` (0.15 s with the groups at the top).
struct StudyOptions {
    /// The titles of the four groups in `--help`, in their order.
    static let titles = (sweep: "Study (a study file, and options that override its values)", training: "Training",
                         data: "Gaussian-cluster data", analysis: "Analysis")

    let sweep: SweepOptions
    let training: TrainingOptions
    let data: DataOptions
    let analysis: AnalysisOptions

    /// The value given for `option`, as the study document holds it; nil when not given. The
    /// switch is exhaustive, so every option of the table is parsed.
    private static func value(of option: StudyOption, sweep: SweepOptions, training: TrainingOptions, data: DataOptions,
                              analysis: AnalysisOptions) -> ParameterValue? {
        switch option {
        case .widths: sweep.widths.map { .list($0.values.map(StudyConfig.mlp)) }
        case .attacks: sweep.attacks.map { .list($0.values.map { StudyConfig.component($0.kind) }) }
        case .defenses: sweep.defenses.map { .list($0.values.map { StudyConfig.component($0.kind) }) }
        case .fractions: sweep.fractions.map { .list($0.values.map(ParameterValue.double)) }
        case .seeds: sweep.seeds.map { .list($0.values.map { .int(Int(clamping: $0)) }) }
        case .measure: sweep.measure.map { .list($0.values.map { .string($0.kind) }) }
        case .epochs: training.epochs.map(ParameterValue.int)
        case .lr: training.lr.map(ParameterValue.double)
        case .batchSize: training.batchSize.map(ParameterValue.int)
        case .samples: data.samples.map(ParameterValue.int)
        case .features: data.features.map(ParameterValue.int)
        case .classes: data.classes.map(ParameterValue.int)
        case .clusterStd: data.clusterStd.map(ParameterValue.double)
        case .centerScale: data.centerScale.map(ParameterValue.double)
        case .trainFraction: data.trainFraction.map(ParameterValue.double)
        case .dataSeed: data.dataSeed.map { .int(Int($0)) }
        case .confidence: analysis.confidence.map(ParameterValue.double)
        case .replicates: analysis.replicates.map(ParameterValue.int)
        case .bootstrapSeed: analysis.bootstrapSeed.map { .int(Int($0)) }
        }
    }

    /// The study's design and where each of its values comes from, as `init` read them: the study
    /// file is read and parsed once per command, and `resolve` makes the data of the design `init`
    /// checked (not of a file changed in between).
    private let checked: (design: StudyDesign, locations: SourceLocations)

    /// The study of the options given, its design read and checked (not its data, which are sized
    /// and made once, by the command's `resolve`): a problem names the file position or the option at fault.
    init(sweep: SweepOptions, training: TrainingOptions, data: DataOptions, analysis: AnalysisOptions) throws {
        if sweep.widths?.values.isEmpty == true { throw ValidationError("--widths: needs at least one width") }
        if sweep.attacks?.values.isEmpty == true { throw ValidationError("--attacks: needs at least one attack") }
        if sweep.defenses?.values.isEmpty == true { throw ValidationError("--defenses: needs at least one defense") }
        (self.sweep, self.training, self.data, self.analysis) = (sweep, training, data, analysis)
        let (document, locations) = try Self.studyDocument(sweep.study)
        let overrides = StudyOption.allCases.compactMap { option in
            Self.value(of: option, sweep: sweep, training: training, data: data, analysis: analysis).map { (option, $0) }
        }
        checked = try locatedDesign(document, locations: locations, overrides: overrides, untilResolved: sweep.untilResolved)
    }

    /// The study options parsed from `arguments` (as `run` takes them), for `bench` and the tests.
    static func parse(_ arguments: [String]) throws -> StudyOptions {
        let parsed = try StudyArguments.parse(arguments)
        return try StudyOptions(sweep: parsed.sweep, training: parsed.training, data: parsed.data, analysis: parsed.analysis)
    }

    /// The study read and checked: the study file (or the reference study) with the options applied;
    /// a problem names the file position or the option at fault. Before its data are made, a study
    /// too large for the machine is refused (`studySizeProblem`): by `runtime`'s --max-runs and
    /// --threads when given (the whole study, when the data source's settings give the split's
    /// sizes), else only data too large to make; with `runtime`, once its data are made, by their
    /// sizes (a file's). A data file is read once: its bytes give both the estimate and the split.
    func resolve(checkingSizeWith runtime: RuntimeOptions? = nil) throws -> Study {
        let (design, locations) = checked
        var makingBytes = 0.0
        let study = try madeStudy(design, locations: locations) { bytes in
            makingBytes = bytes
            if let runtime {
                try runtime.checkSize(of: design, makingBytes: makingBytes)
            } else if let problem = studySizeProblem(design, sizes: nil, threads: 1, maximumRuns: .max, makingBytes: makingBytes) {
                throw ValidationError(problem)
            }
        }
        try runtime?.checkSize(of: study, makingBytes: makingBytes)
        return study
    }

    /// The study's design, read and checked as `resolve` reads it, without making its data.
    var design: StudyDesign { checked.design }

    /// The study file's document at `path` and where its values are (the reference study's without a
    /// file); the paths it names, relative to its folder, made relative to the working directory.
    private static func studyDocument(_ path: String?) throws -> (document: ParameterValue, locations: SourceLocations) {
        guard let study = path else { return (StudyOption.referenceDocument, SourceLocations()) }
        do {
            return try readStudyFile(atPath: study)
        } catch let error as StudyFileReadError {
            throw ValidationError("--study: \(error)")
        } catch let error as SpecificationError {
            throw ValidationError(error.description)
        }
    }

}

/// The four groups of `StudyOptions` parsed on their own: `StudyOptions.parse`.
private struct StudyArguments: ParsableArguments {
    @OptionGroup var sweep: SweepOptions
    @OptionGroup var training: TrainingOptions
    @OptionGroup var data: DataOptions
    @OptionGroup var analysis: AnalysisOptions
}

/// The study file and what the study sweeps (`StudyOptions`' first group).
struct SweepOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A YAML study file (see `make-report study`), at most 1 MiB; the options below override its values. "
                               + "Relative paths in it (a CSV data file) are relative to its folder.",
                               valueName: "file"))
    var study: String?
    @Option(name: .customLong(StudyOption.widths.rawValue), help: StudyOption.widths.help, transform: wholeNumberListOption)
    var widths: CommaList<Int>?
    @Option(name: .customLong(StudyOption.attacks.rawValue), help: StudyOption.attacks.help)
    var attacks: CommaList<ComponentKind<AttackRole>>?
    @Option(name: .customLong(StudyOption.defenses.rawValue), help: StudyOption.defenses.help)
    var defenses: CommaList<ComponentKind<DefenseRole>>?
    @Option(name: .customLong(StudyOption.fractions.rawValue), help: StudyOption.fractions.help, transform: decimalListOption)
    var fractions: CommaList<Double>?
    @Option(name: .customLong(StudyOption.seeds.rawValue), help: StudyOption.seeds.help, transform: wholeNumberListOption)
    var seeds: CommaList<UInt64>?
    @Option(name: .customLong(StudyOption.measure.rawValue), help: StudyOption.measure.help)
    var measure: CommaList<ComponentKind<MeasurementRole>>?
    @Flag(help: ArgumentHelp("Make the study adaptive: start with its seeds, add 3 at a time up to 40 until its threshold trend and threshold differences "
                             + "are resolved by a group-sequential rule (the study file's seeds: {start, step, max, until}; refused when the "
                             + "file's seeds are already such a block)."))
    var untilResolved = false
}

/// The training settings (`StudyOptions`' second group).
struct TrainingOptions: ParsableArguments {
    @Option(name: .customLong(StudyOption.epochs.rawValue), help: StudyOption.epochs.help, transform: wholeNumberOption)
    var epochs: Int?
    @Option(name: .customLong(StudyOption.lr.rawValue), help: StudyOption.lr.help, transform: decimalOption)
    var lr: Double?
    @Option(name: .customLong(StudyOption.batchSize.rawValue), help: StudyOption.batchSize.help, transform: wholeNumberOption)
    var batchSize: Int?
}

/// The settings of the synthetic Gaussian-cluster data (`StudyOptions`' third group).
struct DataOptions: ParsableArguments {
    @Option(name: .customLong(StudyOption.samples.rawValue), help: StudyOption.samples.help, transform: wholeNumberOption)
    var samples: Int?
    @Option(name: .customLong(StudyOption.features.rawValue), help: StudyOption.features.help, transform: wholeNumberOption)
    var features: Int?
    @Option(name: .customLong(StudyOption.classes.rawValue), help: StudyOption.classes.help, transform: wholeNumberOption)
    var classes: Int?
    @Option(name: .customLong(StudyOption.clusterStd.rawValue), help: StudyOption.clusterStd.help, transform: decimalOption)
    var clusterStd: Double?
    @Option(name: .customLong(StudyOption.centerScale.rawValue), help: StudyOption.centerScale.help, transform: decimalOption)
    var centerScale: Double?
    @Option(name: .customLong(StudyOption.trainFraction.rawValue), help: StudyOption.trainFraction.help, transform: decimalOption)
    var trainFraction: Double?
    @Option(name: .customLong(StudyOption.dataSeed.rawValue), help: StudyOption.dataSeed.help, transform: wholeNumberOption)
    var dataSeed: UInt32?
}

/// The analysis settings (`StudyOptions`' fourth group).
struct AnalysisOptions: ParsableArguments {
    @Option(name: .customLong(StudyOption.confidence.rawValue), help: StudyOption.confidence.help, transform: decimalOption)
    var confidence: Double?
    @Option(name: .customLong(StudyOption.replicates.rawValue), help: StudyOption.replicates.help, transform: wholeNumberOption)
    var replicates: Int?
    @Option(name: .customLong(StudyOption.bootstrapSeed.rawValue), help: StudyOption.bootstrapSeed.help, transform: parseBootstrapSeed)
    var bootstrapSeed: UInt32?
}

/// A `--bootstrap-seed` value (of a study or of `compare`); anything but an integer in
/// `AnalysisSettings.bootstrapSeedRange` is refused with that range.
func parseBootstrapSeed(_ text: String) throws -> UInt32 {
    let range = AnalysisSettings.bootstrapSeedRange
    guard let value: Int = try? wholeNumberOption(text), range.contains(value) else {
        throw ValidationError("must be an integer in [\(range.lowerBound), \(range.upperBound)]")
    }
    return UInt32(value)
}

/// `document` with the option values `overrides` applied, and `locations` with each key they set
/// located at its option.
func applying(_ overrides: [(option: StudyOption, value: ParameterValue)], to document: ParameterValue,
              locations: SourceLocations) throws -> (document: ParameterValue, locations: SourceLocations) {
    var (document, locations) = (document, locations)
    for (option, value) in overrides {
        if option.isDataParameter, document.value(at: "data.kind").map({ $0 != .string(GaussianClusters.kind) }) == true {
            throw ValidationError("\(option.flag): applies only to the gaussian-clusters data set")
        }
        // A study file with no data block uses the default data, gaussian-clusters, which the option changes.
        if option.isDataParameter, document.value(at: "data") == nil {
            document = document.setting(.string(GaussianClusters.kind), at: "data.kind")
        }
        var value = value
        if option == .measure, case .list(let names) = value, case .list(let given)? = document.value(at: "measure") {
            // A measurement the study file gives options keeps them: the option chooses which to take, the file how.
            value = .list(names.map { name in given.first { $0.value(at: "kind") == name } ?? name })
        }
        document = document.setting(value, at: option.path)
        locations.set(.option(option.flag), for: option.path)
    }
    return (document, locations)
}

/// `document` made adaptive as `--until-resolved` asks: a list of seeds (the reference study's when
/// it has none) becomes the block `{values: list}`, whose defaults start with those seeds, add 3 at a
/// time up to 40 and resolve the threshold questions the study can ask. A study file whose seeds are
/// already a block is refused: the block sets its own start, step, max and until, which the option
/// would silently not apply (`--seeds` replaces the block with a list, which the option then makes
/// adaptive).
func untilResolvedDocument(_ document: ParameterValue) throws -> ParameterValue {
    let seeds = document.value(at: "seeds") ?? .list(StudyConfig().seeds.map { .int(Int($0)) })
    if case .mapping = seeds {
        throw ValidationError("--until-resolved: the study file's seeds block (seeds: {start, step, max, until}) already makes the study "
            + "adaptive with its own settings; drop the option, or give the seeds as a list")
    }
    // The block starts with as many seeds as are listed, and a first look needs at least 2: "--seeds 5"
    // lists one seed (seed 5), not a count of seeds to start with.
    if case .list(let listed) = seeds, listed.count < 2 {
        let given = listed.first.map { "one seed (\(commaText($0)))" } ?? "no seed"
        throw ValidationError("--until-resolved: an adaptive study starts with the seeds listed, at least 2, and the study lists "
            + "\(given) (--seeds lists seed values, not a count); list at least 2 to start with, e.g. --seeds 42,123,7 "
            + "(then 3 more at a time up to 40), or write seeds: {start: 5, step: 3, max: 40} in a study file")
    }
    return document.setting(.mapping([ParameterEntry(key: "values", value: seeds)]), at: "seeds")
}

/// The design of the study of `document` with the option values `overrides` applied (made adaptive
/// when `untilResolved`), its data not made, and where each of its values comes from (the file
/// position or the option); a problem names the file position or the option at fault.
func locatedDesign(_ document: ParameterValue, locations: SourceLocations, overrides: [(option: StudyOption, value: ParameterValue)],
                   untilResolved: Bool = false) throws -> (design: StudyDesign, locations: SourceLocations) {
    var (document, locations) = try applying(overrides, to: document, locations: locations)
    if untilResolved { document = try untilResolvedDocument(document) }
    do {
        return (try StudyDesign(document: document, locations: locations), locations)
    } catch let error as SpecificationError {
        throw ValidationError(error.description)
    }
}

/// The study of `design`, its data made once `admit` has accepted the memory making them takes (a
/// data file's judged by its bytes, read once); a problem names the file position (by `locations`)
/// or the option at fault.
func madeStudy(_ design: StudyDesign, locations: SourceLocations, admit: (_ makingBytes: Double) throws -> Void) throws -> Study {
    do {
        return try Study(design: design, locations: locations, admitting: admit)
    } catch let error as SpecificationError {
        throw ValidationError(error.description)
    }
}

/// The part of the command line that gives `config`: every study option whose value differs from
/// the reference study's, when those options give exactly `config` again; otherwise
/// `--study <studyFile>` (the study file written beside the results).
func studyArguments(for config: StudyConfig, studyFile: String) -> [String] {
    let document = config.document
    var arguments = [String](), overrides = [(option: StudyOption, value: ParameterValue)]()
    for option in StudyOption.allCases where document.value(at: option.path) != StudyOption.referenceDocument.value(at: option.path) {
        guard let form = option.optionForm(of: document) else { return ["--study", studyFile] }
        arguments += [option.flag, form.text]
        overrides.append((option, form.value))
    }
    let again = try? locatedDesign(StudyOption.referenceDocument, locations: SourceLocations(), overrides: overrides)
    guard config.title == nil, again?.design.config == config else { return ["--study", studyFile] }
    return arguments
}

/// A value as a command-line option value: lists comma-separated, numbers as Swift prints them.
private func commaText(_ value: ParameterValue) -> String {
    switch value {
    case .list(let items): items.map(commaText).joined(separator: ",")
    case .double(let number): "\(number)"
    case .string(let text): text
    default: value.description
    }
}
