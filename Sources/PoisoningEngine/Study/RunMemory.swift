/// The sizes the memory of a run depends on: its split, its model, its training settings and the
/// most training rows its attack may poison.
public struct RunSizes: Sendable {
    /// The clean split's sizes.
    public let split: SplitSizes
    /// The run's model at the split's sizes.
    public let model: any TrainableModel
    /// The run's SGD settings.
    public let settings: TrainingSettings
    /// The most rows the attack changes: `poisonCount` of the study's largest fraction.
    public let poisonedRows: Int

    /// The sizes of a run.
    public init(split: SplitSizes, model: any TrainableModel, settings: TrainingSettings, poisonedRows: Int) {
        self.split = split
        self.model = model
        self.settings = settings
        self.poisonedRows = poisonedRows
    }

    /// Training rows, as a Double for the formulas.
    var n: Double { Double(split.trainRows) }
    /// Test rows.
    var m: Double { Double(split.testRows) }
    /// Features.
    var d: Double { Double(split.features) }
    /// Classes.
    var c: Double { Double(split.classes) }
    /// Poisoned rows.
    var p: Double { Double(poisonedRows) }
    /// Bytes of the model's parameters.
    var parameterBytes: Double { 4 * Double(model.parameterCount) }
    /// Bytes of training the model on every training row, plainly.
    var trainingBytes: Double { model.trainingBytes(rows: split.trainRows, settings: settings) }
    /// Bytes of measuring the trained model on every training row.
    var trainEvaluationBytes: Double { model.evaluationBytes(rows: split.trainRows) }
    /// Width of the model's representation (0 without one: no component that uses it runs then).
    var representationWidth: Double { Double(model.representationWidth ?? 0) }
    /// Bytes of one Int per training row.
    var rowIndexBytes: Double { 8 * n }
}

/// The memory a step of a run (its attack or its defense) takes, in bytes.
public struct MemoryNeed: Sendable, Equatable {
    /// What the step returns and the run keeps until its model is trained and measured (a poisoned
    /// copy of the rows, a decision and the rows it keeps).
    public var kept: Double
    /// The most the step holds at once beyond `kept` while it works (the models it trains, its
    /// scratch), or while the run's model trains as it says, or while its decision is measured.
    public var working: Double

    /// A need.
    public init(kept: Double, working: Double) {
        self.kept = kept
        self.working = working
    }
}

/// The copy of the training rows a defense that removes rows makes for the run's model to train on
/// (at most every row), with their true labels.
func keptRowsBytes(_ sizes: RunSizes) -> Double {
    datasetBytes(rows: sizes.split.trainRows, features: sizes.split.features) + sizes.rowIndexBytes
}

/// The most memory measuring a scoring defense's detection holds at once (`DetectionMetrics`), while
/// the AUROC is computed: the set of poisoned rows (24 bytes per member in a hash table at most 3/4
/// full), the flagged rows, the unpoisoned rows, every row's score, and the (score, flag) pairs
/// pooled and sorted, with the sort's scratch (16 bytes a pair).
func detectionBytes(_ sizes: RunSizes) -> Double {
    let (n, p) = (sizes.n, sizes.p)
    return 24 * p + 8 * n + 8 * n + 8 * (n + p) + 2 * 16 * (n + p) + 8 * (n + p)
}

/// The most memory one worker holds at once for `runs` runs of one series (prepared together, then
/// trained, alone or packed, and measured): every run's kept memory (its attack's and its defense's)
/// plus the largest of the attack's and the defense's working memory, the training of the run's model
/// (packed when `executeRuns` packs these runs), and measuring it (its parameters, a prediction per
/// row and a workspace).
public func estimatedRunBytes(_ sizes: RunSizes, attack: any PoisoningAttack, defense: any TrainingSetDefense, runs: Int) -> Double {
    let attackNeed = attack.memoryNeed(sizes), defenseNeed = defense.memoryNeed(sizes)
    let packed = (sizes.model as? NetworkShape).flatMap { runs >= packingMinimum && packable($0, widest: packingWidest) ? $0 : nil }
    let training = packed.map { packedTrainingBytes($0, rows: sizes.split.trainRows, settings: sizes.settings, runs: runs) }
        ?? sizes.trainingBytes
    let measuring = sizes.parameterBytes + sizes.model.evaluationBytes(rows: max(sizes.split.trainRows, sizes.split.testRows))
    return Double(runs) * (attackNeed.kept + defenseNeed.kept) + max(attackNeed.working, defenseNeed.working, training, measuring)
}
