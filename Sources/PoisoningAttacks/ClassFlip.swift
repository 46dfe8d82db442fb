import PoisoningData
import PoisoningModels
import PoisoningTheory
import PoisoningUtilities

/// A targeted label flip: min(round(fraction · n), n_source) training rows of class `source`,
/// chosen uniformly without replacement (a partial Fisher-Yates shuffle on the stream
/// (seed, "poison-samples")), are relabelled `target`. The budget is a share of the training set,
/// as every attack's, so that all attacks share one axis; a budget beyond the source class's rows
/// relabels all of them and is saturated. It records which share of the source class it flipped
/// (`sourceClassShare`). Its success metric is the rate at which the clean test rows of the source
/// class are predicted as the target, with its excess over the clean model's rate.
public struct ClassFlip: ModelFreeAttack {
    /// "class-flip".
    public static let kind = "class-flip"
    /// The share of the source class's test rows classified as the target class.
    public static let successMetricKey: String? = "targetSuccess"
    /// One sentence for help and commented study files.
    public static let summary = "Relabel training rows of one class as another class (the budget a share of the training set)."

    /// The class whose rows are relabelled.
    public let source: Int
    /// The label they get.
    public let target: Int

    /// Flips rows of `source` to `target` (distinct classes).
    public init(source: Int, target: Int) {
        precondition(source != target && source >= 0 && target >= 0, "source and target must be distinct classes")
        self.source = source
        self.target = target
    }

    /// Reads its keys from the study, each with its default and help.
    public init(parameters: inout ParameterReader) throws {
        let source = try parameters.int("source", default: 0, in: 0...1_000_000, help: "The class whose training rows are relabelled.")
        let target = try parameters.int("target", default: 1, in: 0...1_000_000, help: "The label they get.")
        guard source != target else { throw parameters.error("target", "must differ from source (\(source))") }
        self.init(source: source, target: target)
    }

    /// The key of the share of the source class a run flipped (the attacks table shows it).
    public static let sourceClassShareKey = "sourceClassShare"

    /// "class-flip class 0 → class 1": class numbers (the data's own names come with `label(classNames:)`).
    public var label: String { label(classNames: nil) }

    /// "class-flip class cat → class dog": the classes as the data name them (`className(_:in:)`).
    public func label(classNames: [String]?) -> String {
        "class-flip class \(className(source, in: classNames)) → class \(className(target, in: classNames))"
    }

    /// The success metrics it adds to every run.
    public var metrics: [MetricInfo] { metrics(classNames: nil) }

    /// The success metrics, their classes as the data name them.
    public func metrics(classNames: [String]?) -> [MetricInfo] {
        let sourceName = className(source, in: classNames), targetName = className(target, in: classNames)
        return [MetricInfo(key: "targetSuccess", name: "Target success",
                           meaning: "fraction of the clean test rows of class \(sourceName) that the model assigns to class \(targetName)",
                           hasBaseline: true),
                MetricInfo(key: Self.sourceClassShareKey, name: "Share of the source class flipped",
                           meaning: "share of the training rows of class \(sourceName) whose label was flipped")]
    }

    /// Why it cannot run on data of `classCount` classes and `featureCount` features, as its key and a sentence; nil when it can.
    public func problem(classCount: Int, featureCount: Int) -> (key: String, message: String)? {
        if source >= classCount { return ("source", "class \(source) does not exist (the data have \(classCount) classes, 0 to \(classCount - 1))") }
        if target >= classCount { return ("target", "class \(target) does not exist (the data have \(classCount) classes, 0 to \(classCount - 1))") }
        return nil
    }

    /// The source class needs training rows to flip.
    public func problem(in split: TrainTestSplit) -> (key: String, message: String)? {
        split.train.labels.contains(source) ? nil : ("source", "class \(source) has no training rows to relabel")
    }

    /// A label flip's, plus its evaluation set: the clean test rows of the source class (at most every test row).
    public func memoryNeed(_ sizes: RunSizes) -> MemoryNeed {
        MemoryNeed(kept: sizes.rowIndexBytes + 8 * sizes.p + datasetBytes(rows: sizes.split.testRows, features: sizes.split.features),
                   working: sizes.rowIndexBytes + 8 * sizes.m)
    }

    /// The poisoned training set of `split` at `fraction`, every random choice from streams of `seed`.
    public func poison(_ split: TrainTestSplit, fraction: Double, seed: UInt64) -> PoisonedTrainingSet {
        let train = split.train
        precondition((0...1).contains(fraction), "fraction must lie in [0, 1]")
        var candidates = train.labels.indices.filter { train.labels[$0] == source }
        let asked = poisonCount(fraction: fraction, of: train.count), count = min(asked, candidates.count)
        var rowStream = Xoshiro256StarStar(seed: seed, purpose: "poison-samples")
        rowStream.choosePrefix(count, of: &candidates)
        var poisoned = train
        for row in candidates[..<count] { poisoned.labels[row] = target }
        let sourceTestRows = split.test.labels.indices.filter { split.test.labels[$0] == source }
        var evaluation = split.test.rows(sourceTestRows)
        evaluation.labels = evaluation.labels.map { _ in target }
        return PoisonedTrainingSet(data: poisoned, trueLabels: train.labels, poisonedRows: Array(candidates[..<count]),
                                   evaluations: [AttackEvaluation(metric: metrics[0], inputs: evaluation)],
                                   measurements: candidates.isEmpty ? [:] : [metrics[1].key: Double(count) / Double(candidates.count)],
                                   saturated: asked > candidates.count)
    }
}
