import PoisoningData
import PoisoningUtilities

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
    /// The training rows of each class, class 0 first, once the data are made; nil before (a data
    /// source's planned sizes give no class counts).
    public let classTrainRows: [Int]?

    /// The sizes of a run.
    public init(split: SplitSizes, model: any TrainableModel, settings: TrainingSettings, poisonedRows: Int, classTrainRows: [Int]? = nil) {
        self.split = split
        self.model = model
        self.settings = settings
        self.poisonedRows = poisonedRows
        self.classTrainRows = classTrainRows
    }

    /// Training rows of class `label`: its count when the data are made, else the classes' even
    /// share of the training rows (as the data sources that plan their sizes draw them).
    package func trainRows(ofClass label: Int) -> Double {
        guard let counts = classTrainRows, counts.indices.contains(label) else { return n / c }
        return Double(counts[label])
    }

    /// Training rows, as a Double for the formulas.
    package var n: Double { Double(split.trainRows) }
    /// Test rows.
    package var m: Double { Double(split.testRows) }
    /// Features.
    package var d: Double { Double(split.features) }
    /// Classes.
    package var c: Double { Double(split.classes) }
    /// Poisoned rows.
    package var p: Double { Double(poisonedRows) }
    /// Bytes of the model's parameters.
    package var parameterBytes: Double { 4 * Double(model.parameterCount) }
    /// Bytes of training the model on every training row, plainly.
    package var trainingBytes: Double { model.trainingBytes(rows: split.trainRows, settings: settings) }
    /// Bytes of measuring the trained model on every training row.
    package var trainEvaluationBytes: Double { model.evaluationBytes(rows: split.trainRows) }
    /// Width of the model's representation (0 without one: no component that uses it runs then).
    package var representationWidth: Double { Double(model.representationWidth ?? 0) }
    /// Bytes of one Int per training row.
    package var rowIndexBytes: Double { 8 * n }
}

/// The copy of the training rows a defense that removes rows makes for the run's model to train on
/// (at most every row), with their true labels.
package func keptRowsBytes(_ sizes: RunSizes) -> Double {
    datasetBytes(rows: sizes.split.trainRows, features: sizes.split.features) + sizes.rowIndexBytes
}

/// The most memory measuring a scoring defense's detection holds at once (`DetectionMetrics`), while
/// the AUROC is computed: the set of poisoned rows (24 bytes per member in a hash table at most 3/4
/// full), the flagged rows, the unpoisoned rows, every row's score, and the (score, flag) pairs
/// pooled and sorted, with the sort's scratch (16 bytes a pair).
package func detectionBytes(_ sizes: RunSizes) -> Double {
    let (n, p) = (sizes.n, sizes.p)
    return 24 * p + 8 * n + 8 * n + 8 * (n + p) + 2 * 16 * (n + p) + 8 * (n + p)
}
