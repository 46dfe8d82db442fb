import PoisoningData
import PoisoningModels
import PoisoningTheory
import PoisoningUtilities

/// A training-set poisoning attack. The runner applies it to the clean split of every run and
/// never looks inside.
public protocol PoisoningAttack: StudyComponent {
    /// The metrics its evaluation sets add to every run (none by default).
    var metrics: [MetricInfo] { get }
    /// Its `label` with each class it names as the data name it (`className(_:in:)`, e.g.
    /// "class-flip class cat → class dog"); `label`, classes by number, by default and for nil names.
    func label(classNames: [String]?) -> String
    /// Its `metrics` with each class their meanings name as the data name it; `metrics` by default.
    func metrics(classNames: [String]?) -> [MetricInfo]
    /// The key, among `metrics`, of the one metric that measures whether the attack reached its goal
    /// (the report's success column and figure); nil for an attack that measures no success of its
    /// own. Declared by every attack, never taken from the order of `metrics`: a metric that only
    /// describes the attack (a budget, a target's accuracy) is no success rate.
    static var successMetricKey: String? { get }
    /// The model its success metric is measured on when that is not the run's model, in a few words
    /// for the report ("the attacker's SVM"); nil (the default) when it is the run's model.
    static var successModel: String? { get }
    /// What it knows of the victim when it trains a surrogate model; nil for an attack that trains
    /// none (the default).
    var knowledge: AttackerKnowledge? { get }
    /// The capabilities it needs of the run's model beyond training, predicting and reading losses
    /// or decision values (every kind states them; a model-free attack needs none); a study pairing it
    /// with a model without them is refused when it is read.
    var requirements: Set<ModelCapability> { get }
    /// Why the attack cannot run on data with these sizes, as (key, message); nil when it can.
    func problem(classCount: Int, featureCount: Int) -> (key: String, message: String)?
    /// `problem(classCount:featureCount:)` on data whose classes are named `classNames` (nil: by
    /// number), so that a message can list the names; that problem by default.
    func problem(classCount: Int, featureCount: Int, classNames: [String]?) -> (key: String, message: String)?
    /// Why the attack would poison nothing, or nothing that means what its metrics say, on this split
    /// (a class without training rows, a trigger that changes no row), as (key, message); nil when
    /// it can run. Checked after `problem(classCount:featureCount:)`, so indices are in range.
    func problem(in split: TrainTestSplit) -> (key: String, message: String)?
    /// The poisoned training set for poison fraction `fraction` of `split`, every random choice
    /// drawn from streams derived from `seed`. An informed attacker trains its surrogate model of the
    /// clean training rows with `trainer.surrogate(knowledge)` (`trainer` has the run's architecture,
    /// settings and seed); nil when that model diverged. Test labels are never changed.
    func poison(_ split: TrainTestSplit, fraction: Double, seed: UInt64, trainer: ModelTrainer) -> PoisonedTrainingSet?
    /// Why its `poison` returned nil, in one clause for the run's message, when that is not its
    /// model's divergence; nil (the default) when it is.
    var failure: String? { get }
    /// Why its `poison` of `fraction` and `seed` returned nil, when it can tell runs apart; `failure`
    /// by default.
    func failure(fraction: Double, seed: UInt64) -> String?
    /// Whether it adds poisons to the clean rows rather than changing some of them: its budget is
    /// then poisons per clean row and may exceed 1 (false by default).
    var addsRows: Bool { get }
    /// Whether it stamps a trigger and hands the run its triggered test rows
    /// (`PoisonedTrainingSet.triggered`), for the study-level measurements (false by default).
    var hasTrigger: Bool { get }
    /// The rows its victim trains on when they are a subset of the clean training rows, in words for
    /// the report ("the attacker's training rows: ..."); nil (the default) when the victim trains on
    /// every clean training row. With a subset, the clean run (fraction 0) trains on that subset, and
    /// the budget is a share of it, while a run's realised fraction stays a share of every training row.
    var victimRowSubset: String? { get }
    /// `victimRowSubset` with the classes as the data name them (`className(_:in:)`), as
    /// `label(classNames:)` names them.
    func victimRowSubset(classNames: [String]?) -> String?
    /// How many rows of `split` its budget is a share of (a fraction f poisons `poisonCount(f, of:)`
    /// of them): every clean training row by default; the victim's subset when `victimRowSubset`
    /// names one. A positive fraction that would poison none of them is refused when a study is read.
    func budgetRows(in split: TrainTestSplit) -> Int
    /// How it follows its paper, and where and why it deviates, in words for the report's
    /// configuration table; nil (the default) for an attack whose report needs no such note.
    var methodNote: String? { get }
    /// The memory `poison` takes on a run of `sizes`: what its poisoned set holds beyond the clean
    /// split it shares, and its scratch (models it trains included).
    func memoryNeed(_ sizes: RunSizes) -> MemoryNeed
}

extension PoisoningAttack {
    /// None by default.
    public var metrics: [MetricInfo] { [] }
    /// `label`: an attack that names no class.
    public func label(classNames: [String]?) -> String { label }
    /// `metrics`: an attack whose metrics name no class.
    public func metrics(classNames: [String]?) -> [MetricInfo] { metrics }
    /// Nil by default: the success is measured on the run's model.
    public static var successModel: String? { nil }
    /// None by default: the attack trains no surrogate.
    public var knowledge: AttackerKnowledge? { nil }
    /// False by default: the attack changes existing rows.
    public var addsRows: Bool { false }
    /// False by default: the attack stamps no trigger.
    public var hasTrigger: Bool { false }
    /// Nil by default: the victim trains on every clean training row.
    public var victimRowSubset: String? { nil }
    /// `victimRowSubset`: an attack whose subset names no class.
    public func victimRowSubset(classNames: [String]?) -> String? { victimRowSubset }
    /// Every clean training row by default.
    public func budgetRows(in split: TrainTestSplit) -> Int { split.train.count }
    /// Nil by default: no method note.
    public var methodNote: String? { nil }
    /// Nil by default: `poison` returns nil only when its model diverged.
    public var failure: String? { nil }
    /// `failure`: the same reason for every run.
    public func failure(fraction: Double, seed: UInt64) -> String? { failure }
    /// None by default: it runs on any sizes.
    public func problem(classCount: Int, featureCount: Int) -> (key: String, message: String)? { nil }
    /// `problem(classCount:featureCount:)`, whatever the names.
    public func problem(classCount: Int, featureCount: Int, classNames: [String]?) -> (key: String, message: String)? {
        problem(classCount: classCount, featureCount: featureCount)
    }
    /// None by default: it runs on any split.
    public func problem(in split: TrainTestSplit) -> (key: String, message: String)? { nil }

    /// A label flip's: the poisoned set keeps the clean features and holds its own labels and the
    /// list of poisoned rows; its scratch is one candidate index per training row.
    public func memoryNeed(_ sizes: RunSizes) -> MemoryNeed {
        MemoryNeed(kept: sizes.rowIndexBytes + 8 * sizes.p, working: sizes.rowIndexBytes)
    }
}

/// An attack that needs no model of the data: it implements the poisoning without a trainer.
public protocol ModelFreeAttack: PoisoningAttack {
    /// The poisoned training set for `fraction` of `split`, random choices from streams of `seed`.
    func poison(_ split: TrainTestSplit, fraction: Double, seed: UInt64) -> PoisonedTrainingSet
}

extension ModelFreeAttack {
    /// None: it trains no model.
    public var requirements: Set<ModelCapability> { [] }

    /// The poisoned training set of `split` at `fraction`, every random choice from streams of `seed`.
    public func poison(_ split: TrainTestSplit, fraction: Double, seed: UInt64, trainer: ModelTrainer) -> PoisonedTrainingSet? {
        poison(split, fraction: fraction, seed: seed)
    }
}
