import PoisoningAttacks
import PoisoningData
import PoisoningDefenses
import PoisoningModels
import PoisoningTheory
import PoisoningUtilities

/// One curve of a study: a model under an attack and a defense, swept over the poison fractions.
public struct SeriesDescription: Sendable, Codable, Equatable {
    /// Index of the model in the study's models.
    public let model: Int
    /// Index of the attack.
    public let attack: Int
    /// Index of the defense.
    public let defense: Int
    /// The name legends and tables use: the model, plus the attack and the defense when the study
    /// sweeps more than one of them, e.g. "MLP 64" or "MLP 64, class-flip class 0 → class 1, loss-filter 10%".
    public let label: String
    /// The model's name, e.g. "MLP 64".
    public let modelLabel: String
    /// The attack's name.
    public let attackLabel: String
    /// The defense's name.
    public let defenseLabel: String
    /// The model's number of trainable parameters on the study's data.
    public let parameterCount: Int
    /// What the attack knew of the victim when it trained its surrogate model; nil when it trains none.
    /// White box for a transfer attacker of a model whose training does not depend on the seed,
    /// whose surrogate is the victim's clean model (`ModelTrainer.surrogate`).
    public let attackerKnowledge: AttackerKnowledge?
    /// True when the attack adds its poisons to the clean rows (`PoisoningAttack.addsRows`: its
    /// fraction is a budget ε, poisons per clean row); nil when it replaces rows, so that the
    /// results of attacks that replace rows read as before.
    public let addsRows: Bool?

    /// Whether the series trains without a defense (`none`), the baseline a defense is judged against.
    public var isUndefended: Bool { defenseLabel == NoDefense().label }
}

/// A study read and checked up to its data: its effective configuration (every default filled in)
/// and its components, known before any data are drawn or read, so that a study too large for the
/// machine can be refused before it starts.
public struct StudyDesign: Sendable {
    /// The effective configuration.
    public let config: StudyConfig
    /// The help of every key of the configuration, by path (for commented study files).
    public let help: ParameterHelp
    /// The data set.
    public let data: any DatasetSource
    /// The models.
    public let models: [any ModelArchitecture]
    /// The attacks (set within the module and by its tests only: a test swaps in an attack with a
    /// setting no study key reaches, such as `SVMGradient`'s SMO step limit).
    public internal(set) var attacks: [any PoisoningAttack]
    /// The defenses.
    public let defenses: [any TrainingSetDefense]
    /// The target models that attacks aim at.
    public let targets: [any TargetModel]
    /// The measurements every run records (`measure:`), in the order the study names them.
    public let measurements: [any RunMeasurement.Type]
    /// The clean models of the runs and the targets made from them (`targets:`), each trained once
    /// per model and seed for every run that measures or aims at it (`TrainedModelCache.target`) or
    /// measures a clean baseline (`PreparedRun.cleanModelOfTheRun`);
    /// room for all of them (`trainedModelCount`), so none is trained twice.
    public let trainedModels: TrainedModelCache

    /// Reads a study document (a study file, or a configuration made in code) without its data.
    /// Throws a `SpecificationError` naming the key at fault.
    public init(document: ParameterValue, locations: SourceLocations = SourceLocations()) throws {
        let (read, help) = try StudyConfig.read(document, locations: locations)
        var config = read, allHelp = help
        func component<C>(_ value: ParameterValue, _ path: String, _ role: String, _ types: [any StudyComponent.Type]) throws
            -> (C, ParameterValue) {
            let (made, effective, componentHelp): (C, ParameterValue, ParameterHelp) =
                try readComponent(value, path: path, role: role, among: types, locations: locations)
            allHelp.merge(componentHelp) { $1 }
            return (made, effective)
        }
        let data: (any DatasetSource, ParameterValue) = try component(config.data, "data", "data set", Registry.datasets)
        let models: [(any ModelArchitecture, ParameterValue)] = try config.models.enumerated().map {
            try component($1, "models[\($0)]", "model", Registry.models)
        }
        let attacks: [(any PoisoningAttack, ParameterValue)] = try config.attacks.enumerated().map {
            try component($1, "attacks[\($0)]", "attack", Registry.attacks)
        }
        let defenses: [(any TrainingSetDefense, ParameterValue)] = try config.defenses.enumerated().map {
            try component($1, "defenses[\($0)]", "defense", Registry.defenses)
        }
        let targets: [(any TargetModel, ParameterValue)] = try config.targets.enumerated().map {
            try component($1, "targets[\($0)]", "target", Registry.targets)
        }
        let trainedModels = TrainedModelCache(capacity: Self.trainedModelCount(models: models.count, targets: targets.count,
                                                                               seeds: config.sequential?.max ?? config.seeds.count))
        let aimed = try Self.aim(attacks.map(\.0), at: targets.map(\.0), trainedModels: trainedModels, locations: locations)
        let measurements = config.measure.map { kind in Registry.measurements.first { $0.kind == kind }! }
        if let problem = Self.capabilityProblem(models: models.map(\.0), attacks: attacks.map(\.0), defenses: defenses.map(\.0),
                                                measurements: measurements) {
            throw SpecificationError(path: problem.path, location: locations.location(of: problem.path), message: problem.message)
        }
        if !targets.isEmpty, models.allSatisfy({ !$0.0.capabilities.contains(.target) }) {
            var kinds = [String]()
            for model in models where !kinds.contains(type(of: model.0).kind) { kinds.append(type(of: model.0).kind) }
            throw SpecificationError(path: "targets", location: locations.location(of: "targets"),
                                     message: "no model of the study can have targets (\(kinds.joined(separator: ", ")) \(kinds.count == 1 ? "has" : "have") "
                                         + "no τ; softmax regression, MLPs and linear SVMs do): its runs would measure none (remove targets, or add "
                                         + "such a model)")
        }
        if let above = config.fractions.first(where: { $0 > 1 }),
           let index = attacks.firstIndex(where: { !$0.0.addsRows }) {
            throw SpecificationError(path: "fractions", location: locations.location(of: "fractions"),
                                     message: "\(above) is above 1, but attacks[\(index)] (\(attacks[index].0.label)) changes existing "
                                         + "training rows, so at most all of them (1): fractions above 1 are for attacks that add rows, "
                                         + "such as gradient-canceling")
        }
        if !config.fractions.contains(0), let corrected = attacks.first(where: { $0.0.metrics.contains(where: \.hasBaseline) }) {
            throw SpecificationError(path: "fractions", location: locations.location(of: "fractions"),
                                     message: "\(corrected.0.label) measures its success against the clean model of each series "
                                         + "and seed, which is the run at fraction 0: add 0 to the fractions")
        }
        if !config.fractions.contains(where: { $0 > 0 }), let targeted = attacks.first(where: { $0.0 is any TargetedAttack }) {
            throw SpecificationError(path: "fractions", location: locations.location(of: "fractions"),
                                     message: "\(targeted.0.label) computes its target's threshold τ and poisons only at a positive "
                                         + "budget, and the fractions are only 0: add at least one positive fraction")
        }
        if var sequential = config.sequential {
            let askable = SequentialSeeds.askable(models: models.count, attacks: attacks.count, defenses: defenses.count)
            let path = "seeds.until"
            if sequential.until.isEmpty {
                let defaults = SequentialSeeds.defaultQuestions(models: models.count, attacks: attacks.count, defenses: defenses.count)
                guard !defaults.isEmpty else {
                    throw SpecificationError(path: "seeds", location: locations.location(of: "seeds"),
                                             message: "an adaptive study needs a question to resolve, and with one model, attack and defense there is none")
                }
                sequential.until = defaults
            } else if let unaskable = sequential.until.first(where: { !askable.contains($0) }) {
                let need = unaskable == .thresholdTrend ? "at least two models" : "two series that differ in one model, attack or defense"
                let others = askable.isEmpty ? "it can ask none of the questions (\(SequentialQuestion.allCases.map(\.rawValue).joined(separator: ", ")))"
                    : "the questions it can ask are \(askable.map(\.rawValue).joined(separator: ", "))"
                throw SpecificationError(path: path, location: locations.location(of: path),
                                         message: "\(unaskable.rawValue) needs \(need), which this study has not: \(others)")
            }
            // A threshold comes from a sigmoid fit: with too few fractions for one, no number of seeds
            // answers a threshold question, and the study would spend its whole budget.
            let fitted = sequential.until.filter { $0 == .thresholdTrend || $0 == .thresholdPairs }
            if let question = fitted.first, config.fractions.count < SequentialSeeds.thresholdMinimumFractions {
                throw SpecificationError(path: path, location: locations.location(of: path),
                                         message: "\(question.rawValue) reads thresholds from a sigmoid fit, which needs at least "
                                             + "\(SequentialSeeds.thresholdMinimumFractions) fractions, and this study has "
                                             + "\(config.fractions.count); sweep more fractions or ask clean-pairs or gap-pairs")
            }
            config.sequential = sequential
        }
        config.data = data.1
        config.models = models.map(\.1)
        config.attacks = attacks.map(\.1)
        config.defenses = defenses.map(\.1)
        config.targets = targets.map(\.1)
        self.config = config
        self.help = allHelp
        self.data = data.0
        self.models = models.map(\.0)
        self.attacks = aimed
        self.defenses = defenses.map(\.0)
        self.targets = targets.map(\.0)
        self.measurements = measurements
        self.trainedModels = trainedModels
    }

    /// The models `trainedModels` holds at most for a study of `models` models, `targets` targets and
    /// `seeds` seeds (an adaptive study's most): each model's clean model and targets for every seed;
    /// at least 1.
    public static func trainedModelCount(models: Int, targets: Int, seeds: Int) -> Int {
        max(1, models * seeds * (1 + targets))
    }

    /// `attacks` with each `TargetedAttack` given the target of its label among `targets` (two targets
    /// may not share a label). Throws when a label names no target; whether the models can be attacked
    /// is `capabilityProblem`'s check. A target no attack names is still measured in every run
    /// (`RunResult.targets`). Each targeted attack takes its clean models and targets from `trainedModels`.
    static func aim(_ attacks: [any PoisoningAttack], at targets: [any TargetModel], trainedModels: TrainedModelCache,
                    locations: SourceLocations) throws -> [any PoisoningAttack] {
        for (index, target) in targets.enumerated() where targets[..<index].contains(where: { $0.label == target.label }) {
            let path = "targets[\(index)]"
            throw SpecificationError(path: path, location: locations.location(of: path),
                                     message: "its label \(quotedUserText(target.label)) is that of an earlier target: attacks could not tell them apart")
        }
        let aimed = try attacks.enumerated().map { index, attack in
            guard let targeted = attack as? any TargetedAttack else { return attack }
            let path = "attacks[\(index)]"
            guard let target = targets.first(where: { $0.label == targeted.targetLabel }) else {
                let known = targets.isEmpty ? "the study has no targets (add a top-level targets: list, e.g. [{kind: gradpc, eps-w: 0.5}])"
                    : "the study's targets are " + targets.map { quotedUserText($0.label) }.joined(separator: ", ")
                throw SpecificationError(path: path + ".target", location: locations.location(of: path + ".target"),
                                         message: "names no target \(quotedUserText(targeted.targetLabel)); \(known)")
            }
            return targeted.aimed(at: target, trainedModels: trainedModels)
        }
        return aimed
    }

    /// The first attack, defense or measurement (attacks first, then defenses, then `measurements`, each
    /// in order, for the models in order) that needs a capability a model of the study lacks, as its
    /// path and a sentence such as "spectral-signature needs a model with a representation;
    /// kernel-ridge has none"; nil when every pair fits.
    public static func capabilityProblem(models: [any ModelArchitecture], attacks: [any PoisoningAttack],
                                         defenses: [any TrainingSetDefense],
                                         measurements: [any RunMeasurement.Type] = []) -> (path: String, message: String)? {
        let needs = attacks.enumerated().map { (path: "attacks[\($0)]", kind: type(of: $1).kind, requirements: $1.requirements) }
            + defenses.enumerated().map { (path: "defenses[\($0)]", kind: type(of: $1).kind, requirements: $1.requirements) }
            + measurements.map { (path: "measure", kind: $0.kind, requirements: $0.requirements) }
        for model in models {
            for need in needs {
                if let missing = ModelCapability.firstMissing(need.requirements, in: model.capabilities) {
                    return (need.path, "\(need.kind) needs a model with \(missing.phrase); \(type(of: model).kind) has none")
                }
            }
        }
        return nil
    }

    /// The model, attack and defense of every series, attack-major, then defense, then model.
    public var seriesComponents: [(model: Int, attack: Int, defense: Int)] {
        attacks.indices.flatMap { a in defenses.indices.flatMap { d in models.indices.map { m in (model: m, attack: a, defense: d) } } }
    }

    /// The name legends and tables use for the series of model `m`, attack `a` and defense `d`: the
    /// model's, plus the attack's and the defense's when the study sweeps more than one of them, the
    /// attack naming classes as `classNames` (the data's) do, else by number.
    public func seriesLabel(model m: Int, attack a: Int, defense d: Int, classNames: [String]? = nil) -> String {
        ([models[m].label] + (attacks.count > 1 ? [attacks[a].label(classNames: classNames)] : []) + (defenses.count > 1 ? [defenses[d].label] : []))
            .joined(separator: ", ")
    }

    /// The most seeds the study runs: its seeds, or an adaptive study's budget.
    public var seedCount: Int { config.sequential?.max ?? config.seeds.count }

    /// The number of runs of the sweep: fractions x series x seeds (an adaptive study's most).
    public var runCount: Int { config.fractions.count * seriesComponents.count * seedCount }
}

/// A study read and checked up to the sizes of its data, without the data themselves: its design,
/// the sizes of its split and its series. Everything a study's results are analysed, checked and
/// published with depends on this alone, so that a results.json is checked from its own configuration
/// and data summary (`validate`, `compare`) without reading its data set again.
public struct StudyLayout: Sendable {
    /// The configuration and the components.
    public let design: StudyDesign
    /// The sizes of the clean train/test split.
    public let sizes: SplitSizes
    /// The series, attack-major, then defense, then model.
    public let series: [SeriesDescription]

    /// The effective configuration.
    public var config: StudyConfig { design.config }
    /// The attacks.
    public var attacks: [any PoisoningAttack] { design.attacks }
    /// The defenses.
    public var defenses: [any TrainingSetDefense] { design.defenses }

    /// The layout of `design` on data of `sizes`: checks that every attack can run on data of those
    /// sizes (a problem names the attack's key, located by `locations`), and that no two series share a label.
    public init(design: StudyDesign, sizes: SplitSizes, locations: SourceLocations = SourceLocations()) throws {
        for (index, attack) in design.attacks.enumerated() {
            if let problem = attack.problem(classCount: sizes.classes, featureCount: sizes.features, classNames: sizes.classNames) {
                let path = "attacks[\(index)].\(problem.key)"
                throw SpecificationError(path: path, location: locations.location(of: path), message: problem.message)
            }
        }
        self.design = design
        self.sizes = sizes
        series = design.seriesComponents.map { m, a, d in
            let model = design.models[m].model(for: sizes)
            return SeriesDescription(model: m, attack: a, defense: d,
                                     label: design.seriesLabel(model: m, attack: a, defense: d, classNames: sizes.classNames),
                                     modelLabel: design.models[m].label, attackLabel: design.attacks[a].label(classNames: sizes.classNames),
                                     defenseLabel: design.defenses[d].label, parameterCount: model.parameterCount,
                                     attackerKnowledge: model.trainingDependsOnSeed ? design.attacks[a].knowledge : design.attacks[a].knowledge.map { _ in .whiteBox },
                                     addsRows: design.attacks[a].addsRows ? true : nil)
        }
        // Two series with one label could not be told apart in tables, figures and comparisons.
        var firstWithLabel = [String: SeriesDescription]()
        for described in series {
            guard let earlier = firstWithLabel[described.label] else {
                firstWithLabel[described.label] = described
                continue
            }
            let (path, other) = earlier.attack != described.attack ? ("attacks[\(described.attack)]", "attacks[\(earlier.attack)]")
                : earlier.defense != described.defense ? ("defenses[\(described.defense)]", "defenses[\(earlier.defense)]")
                : ("models[\(described.model)]", "models")
            throw SpecificationError(path: path, location: locations.location(of: path),
                                     message: "its series would be labelled \(quotedUserText(described.label)) like those of \(other): they differ only in "
                                         + "settings the label does not show, so tables and comparisons could not tell them apart")
        }
    }

    /// The runs of the sweep, fraction-major, then series, then seed.
    public var runSpecs: [RunSpec] {
        config.fractions.flatMap { fraction in
            series.indices.flatMap { series in config.seeds.map { RunSpec(fraction: fraction, series: series, seed: $0) } }
        }
    }

    /// The metrics the study's attacks add to their runs, each once (a rate with a baseline after its
    /// excess and its baseline: `MetricInfo.recorded`), their meanings naming classes as the data do.
    public var attackMetrics: [MetricInfo] {
        var seen = Set<String>()
        return attacks.flatMap { $0.metrics(classNames: sizes.classNames) }.flatMap(\.recorded).filter { seen.insert($0.key).inserted }
    }

    /// `runs` (of this study) with the baseline and the excess of every attack metric that has one
    /// (`MetricInfo.hasBaseline`): the baseline is the rate of the finished run of the same series
    /// and seed at fraction 0, the excess the run's rate minus it. A run without the rate, or whose
    /// baseline run is missing, diverged or lacks the rate, gets neither. A retrained victim's metric
    /// (`MetricKey.convergedVictimKeys`) means something only for a converged victim, so a run whose
    /// clean run's victim is not converged (`RunResult.victimConverged`) gets neither either: the
    /// baseline would be where that victim's training stopped, the excess a difference with it. Derived
    /// values already in `runs` are replaced, so applying it twice changes nothing.
    public func withCleanBaselines(_ runs: [RunResult]) -> [RunResult] {
        // The clean run of each (series, seed), found by its spec at fraction 0.
        var baselines = [RunSpec: [String: Double]]()
        var unconvergedClean = Set<RunSpec>()
        for run in runs where run.fraction == 0 {
            let spec = RunSpec(fraction: 0, series: run.series, seed: run.seed)
            if let metrics = run.metrics { baselines[spec] = metrics }
            if !run.victimConverged { unconvergedClean.insert(spec) }
        }
        return runs.map { run in
            guard var metrics = run.metrics, series.indices.contains(run.series) else { return run }
            for metric in attacks[series[run.series].attack].metrics where metric.hasBaseline {
                metrics[metric.baseline.key] = nil
                metrics[metric.excess.key] = nil
                let cleanSpec = RunSpec(fraction: 0, series: run.series, seed: run.seed)
                guard let rate = metrics[metric.key], let clean = baselines[cleanSpec]?[metric.key],
                      !(MetricKey.convergedVictimKeys.contains(metric.key) && unconvergedClean.contains(cleanSpec)) else { continue }
                metrics[metric.baseline.key] = clean
                metrics[metric.excess.key] = rate - clean
            }
            return run.withMetrics(metrics)
        }
    }

    /// The metrics the study's measurements (`measure:`) add to its runs, each once, in the order the
    /// study names them: those of an attack that stamps a trigger when one of its attacks does.
    public var measuredMetrics: [MetricInfo] {
        let triggered = attacks.contains { $0.hasTrigger }
        return design.measurements.flatMap { $0.metrics(triggered: triggered) }
    }

    /// Whether the study has a defense other than `none`. Only the defenses that score rows (the
    /// filters and detectors) give their runs detection metrics; the report's detection table has
    /// rows only for those (`weight-decay` and `dp-sgd` score none, yet make this true).
    public var hasDefense: Bool { !defenses.allSatisfy { $0 is NoDefense } }

    /// The metrics the runs of series `index` can record: those every run records, its model's, its
    /// attack's, its defense's and the study's measurements' (for its attack). A run records no other; it may lack
    /// one of its attack's, defense's or measurements' (a metric undefined for the run is absent).
    public func recordableMetrics(of index: Int) -> Set<String> {
        let series = series[index], attack = attacks[series.attack]
        return Set(MetricKey.recordedByEveryRun + design.models[series.model].recordedMetrics + attack.metrics.flatMap(\.recorded).map(\.key)
            + defenses[series.defense].recordedMetrics + design.measurements.flatMap { $0.metrics(triggered: attack.hasTrigger) }.map(\.key))
    }
}

/// A study read and checked: its layout (design, the sizes of its data, its series), its data and
/// the runs it consists of.
public struct Study: Sendable {
    /// The design, the sizes of the data and the series.
    public let layout: StudyLayout
    /// The clean train/test split.
    public let split: TrainTestSplit

    /// The configuration and the components.
    public var design: StudyDesign { layout.design }
    /// The series, attack-major, then defense, then model.
    public var series: [SeriesDescription] { layout.series }
    /// The effective configuration.
    public var config: StudyConfig { design.config }
    /// The help of every key of the configuration, by path (for commented study files).
    public var help: ParameterHelp { design.help }
    /// The data set.
    public var data: any DatasetSource { design.data }
    /// The models.
    public var models: [any ModelArchitecture] { design.models }
    /// The attacks.
    public var attacks: [any PoisoningAttack] { design.attacks }
    /// The defenses.
    public var defenses: [any TrainingSetDefense] { design.defenses }
    /// The target models (`targets:`).
    public var targets: [any TargetModel] { design.targets }

    /// Reads a study document (a study file, or a configuration made in code) and its data. Throws
    /// a `SpecificationError` naming the key at fault, or the data set's reason it cannot be read.
    public init(document: ParameterValue, locations: SourceLocations = SourceLocations()) throws {
        try self.init(design: StudyDesign(document: document, locations: locations), locations: locations)
    }

    /// The study of `design` with its data: draws or reads the split (once `admit` has accepted the
    /// memory making it takes, `DatasetSource.makeSplit(admitting:)`: a data file is read once), then
    /// checks that every positive fraction poisons at least one training row and that every attack can
    /// run on data of its sizes and on these rows (a problem names the key, located by `locations`).
    public init(design: StudyDesign, locations: SourceLocations = SourceLocations(),
                admitting admit: (_ makingBytes: Double) throws -> Void = { _ in }) throws {
        let split = try design.data.makeSplit(admitting: admit)
        // A class with no training or no test rows (too few samples for the classes): its accuracy
        // would be unmeasured, or learnt from nothing. A CSV file says so itself, with its cause.
        if let problem = classSplitProblem(trainLabels: split.train.labels, testLabels: split.test.labels,
                                           names: (0..<split.train.classCount).map { String($0) }, cause: { _, rows in
            rows == 0 ? "no sample is of it" : "the split of its \(rows) \(rows == 1 ? "sample" : "samples") leaves none"
        }) {
            throw SpecificationError(path: "data", location: locations.location(of: "data"), message: problem + "; give more samples or fewer classes")
        }
        layout = try StudyLayout(design: design, sizes: split.sizes, locations: locations)
        // A positive fraction that poisons no row (`poisonCount` rounds it to 0) would run clean models and report them as
        // poisoned: of the training rows, or of the fewer rows an attack's budget is a share of (`budgetRows`).
        let budgets = [(rows: split.sizes.trainRows, of: "training rows")] + design.attacks.enumerated().compactMap { index, attack in
            let rows = attack.budgetRows(in: split)
            return rows == split.sizes.trainRows ? nil : (rows, "victim rows of attacks[\(index)] (\(type(of: attack).kind))")
        }
        for budget in budgets {
            let rows = budget.rows
            if let tiny = design.config.fractions.first(where: { $0 > 0 && poisonCount(fraction: $0, of: rows) == 0 }) {
                throw SpecificationError(path: "fractions", location: locations.location(of: "fractions"),
                                         message: "\(tiny) poisons no row: \(tiny) of the \(rows) \(budget.of) rounds to 0, so its runs would be "
                                             + "clean ones reported as poisoned; give a fraction above \(String(format: "%.3g", 0.5 / Double(rows))) "
                                             + "(half a row), such as \(String(format: "%.3g", 1 / Double(rows))) (one row), or leave it out")
            }
        }
        for (index, attack) in design.attacks.enumerated() {
            if let problem = attack.problem(in: split) {
                let path = "attacks[\(index)].\(problem.key)"
                throw SpecificationError(path: path, location: locations.location(of: path), message: problem.message)
            }
        }
        self.split = split
    }

    /// Reads a configuration made in code.
    public init(_ config: StudyConfig) throws {
        try self.init(document: config.document)
    }

    /// The runs of the sweep, fraction-major, then series, then seed.
    public var runSpecs: [RunSpec] { layout.runSpecs }

    /// The metrics the study's attacks add to their runs, each once (`StudyLayout.attackMetrics`).
    public var attackMetrics: [MetricInfo] { layout.attackMetrics }

    /// `runs` with the baseline and the excess of every attack metric that has one (`StudyLayout.withCleanBaselines`).
    public func withCleanBaselines(_ runs: [RunResult]) -> [RunResult] { layout.withCleanBaselines(runs) }

    /// Whether the study has a defense other than `none` (`StudyLayout.hasDefense`): not whether
    /// any defense scores rows.
    public var hasDefense: Bool { layout.hasDefense }

    /// The metrics the runs of series `index` can record (`StudyLayout.recordableMetrics(of:)`).
    public func recordableMetrics(of index: Int) -> Set<String> { layout.recordableMetrics(of: index) }
}

/// The checks every run of a study passes wherever it is read from: a shard's part (`merge`), a
/// results.json (`validate`, `compare`, a rerun's check of an existing output). One function, so that a
/// file one command refuses is refused by every other.
public struct StudyRunCheck: Sendable {
    /// The study's training rows.
    private let trainingRows: Int
    /// The metrics each series can record (`Study.recordableMetrics(of:)`), by series index.
    private let recordable: [Set<String>]
    /// The labels of the study's targets, in order.
    private let targetLabels: [String]

    /// The checks of the runs of the study laid out by `layout`.
    public init(_ layout: StudyLayout) {
        trainingRows = layout.sizes.trainRows
        recordable = layout.series.indices.map(layout.recordableMetrics(of:))
        targetLabels = layout.design.targets.map(\.label)
    }

    /// The checks of the runs of `study`.
    public init(_ study: Study) { self.init(study.layout) }

    /// Why `result` cannot be the study's run `spec`, in words that follow "run N ", or nil: it must
    /// be that run (`RunResult.matches`: fraction bit for bit, series and seed) and possible
    /// (`RunResult.problem`: metrics its series records, each in range, the gap train - test to within the rounding its numbers show,
    /// a poisoned count within the training rows and its realised fraction that count's share), and its
    /// targets, when it has them, are the study's, in order.
    public func problem(of result: RunResult, as spec: RunSpec) -> String? {
        guard result.matches(spec) else {
            return "is not the study's run at that index (fraction \(spec.fraction), series \(spec.series), seed \(spec.seed))"
        }
        if let targets = result.targets, targets.map(\.target) != targetLabels {
            return "is impossible: its targets are not the study's " + (targetLabels.isEmpty ? "(it has none)" : "targets, in order")
        }
        return result.problem(trainingRows: trainingRows, recordable: recordable[spec.series]).map { "is impossible: \($0)" }
    }
}

/// One cell of the sweep: a series trained with one seed at one poison fraction.
public struct RunSpec: Sendable, Codable, Equatable, Hashable {
    /// Poison fraction.
    public let fraction: Double
    /// Index of the series.
    public let series: Int
    /// Seed of the run's random streams.
    public let seed: UInt64

    /// The run of series `series` with `seed` at poison fraction `fraction`.
    public init(fraction: Double, series: Int, seed: UInt64) {
        self.fraction = fraction
        self.series = series
        self.seed = seed
    }
}
