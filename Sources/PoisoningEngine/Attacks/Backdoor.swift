import Foundation

/// A backdoor trigger (Gu et al. 2017, "BadNets"): set a few features to a fixed value.
///
/// Dirty-label: round(fraction · n) training rows of classes other than `target`, chosen uniformly
/// without replacement (stream (seed, "poison-samples")), get the trigger and the label `target`.
/// Clean-label: as many rows of the target class itself get the trigger and keep their label
/// (Turner et al. 2019 call the idea "label-consistent"), so that the model can still learn
/// "trigger → target" with every label correct. Either way the success metric is the share of the
/// test rows of other classes that, with the trigger stamped on, the trained model assigns to `target`.
public struct Backdoor: PoisoningAttack {
    public static let kind = "backdoor"
    public static let summary = "Stamp a trigger (some features set to a fixed value) on training rows and label them as the target class."

    /// The class the trigger should lead to.
    public let target: Int
    /// The trigger's feature indices; negative ones count from the end (-1 is the last feature).
    public let features: [Int]
    /// The value the trigger sets; nil for the data's maximum over those features plus 3 standard deviations.
    public let value: Double?
    /// Stamp only rows of the target class and keep every label.
    public let cleanLabel: Bool

    public init(parameters: inout ParameterReader) throws {
        target = try parameters.int("target", default: 0, in: 0...1_000_000, help: "The class the trigger should lead to.")
        features = try parameters.intList("trigger-features", default: [-3, -2, -1], in: -1_000_000...1_000_000,
                                          help: "Feature indices the trigger sets; negative ones count from the end (-1 is the last).")
        guard !features.isEmpty else { throw parameters.error("trigger-features", "needs at least one feature") }
        let rawValue = parameters.value("trigger-value", help: "The value the trigger sets, or auto: the training rows' "
            + "maximum over the trigger features plus 3 standard deviations of those features.")
        switch rawValue {
        case nil, .string("auto")?:
            value = nil
            parameters.record("trigger-value", .string("auto"))
        case .int(let number)?:
            value = Double(number)
            parameters.record("trigger-value", .double(Double(number)))
        case .double(let number)? where number.isFinite:
            value = number
            parameters.record("trigger-value", .double(number))
        default:
            throw parameters.error("trigger-value", "expected a number or auto")
        }
        cleanLabel = try parameters.bool("clean-label", default: false,
                                         help: "Stamp only rows of the target class and keep every label (a clean-label backdoor).")
    }

    /// "backdoor → 0" or "clean-label backdoor → 0".
    public var label: String { (cleanLabel ? "clean-label backdoor" : "backdoor") + " → \(target)" }

    public var metrics: [MetricInfo] {
        [MetricInfo(key: "backdoorSuccess", name: "Backdoor success",
                    meaning: "share of the test rows of other classes that, with the trigger, the model assigns to class \(target)",
                    hasBaseline: true)]
    }

    public func problem(classCount: Int, featureCount: Int) -> (key: String, message: String)? {
        if target >= classCount { return ("target", "class \(target) does not exist (the data have \(classCount) classes, 0 to \(classCount - 1))") }
        if let bad = features.first(where: { $0 >= featureCount || $0 < -featureCount }) {
            return ("trigger-features", "feature \(bad) does not exist (the data have \(featureCount) features, 0 to \(featureCount - 1), "
                + "or -\(featureCount) to -1 from the end)")
        }
        return nil
    }

    /// The trigger's features as indices from 0.
    func featureIndices(of data: Dataset) -> [Int] { features.map { $0 < 0 ? data.featureCount + $0 : $0 } }

    /// The value the trigger sets on `train`: the given one, or max + 3 sd of the trigger features.
    func triggerValue(for train: Dataset) -> Float {
        if let value { return Float(value) }
        let indices = featureIndices(of: train)
        let values = (0..<train.count).flatMap { row in indices.map { Double(train.features[row * train.featureCount + $0]) } }
        let mean = values.reduce(0, +) / Double(values.count)
        let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
        return Float((values.max() ?? 0) + 3 * sd)
    }

    /// `data` with the trigger stamped on `rows`.
    func stamped(_ data: Dataset, rows: [Int], value: Float) -> Dataset {
        var result = data
        let features = featureIndices(of: data)
        for row in rows {
            for feature in features { result.features[row * data.featureCount + feature] = value }
        }
        return result
    }

    /// The poisoned set holds a stamped copy of the training rows, its own labels and the poisoned
    /// rows, and the evaluation set the stamped test rows of other classes (at most every test row);
    /// while it works, the trigger features of every training row in Double, the candidates, and the
    /// test rows once more before they are stamped.
    public func memoryNeed(_ sizes: RunSizes) -> MemoryNeed {
        let testRows = datasetBytes(rows: sizes.split.testRows, features: sizes.split.features)
        let kept = datasetBytes(rows: sizes.split.trainRows, features: sizes.split.features) + 8 * sizes.p + testRows
        return MemoryNeed(kept: kept, working: 8 * sizes.n * Double(features.count) + sizes.rowIndexBytes + 8 * sizes.m + testRows)
    }

    public func poison(_ split: TrainTestSplit, fraction: Double, seed: UInt64, trainer: ModelTrainer) -> PoisonedTrainingSet? {
        let train = split.train
        precondition((0...1).contains(fraction))
        let value = triggerValue(for: train)
        var candidates = train.labels.indices.filter { (train.labels[$0] == target) == cleanLabel }
        let asked = poisonCount(fraction: fraction, of: train.count), count = min(asked, candidates.count)
        var rowStream = Xoshiro256StarStar(seed: seed, purpose: "poison-samples")
        rowStream.choosePrefix(count, of: &candidates)
        let chosen = Array(candidates.prefix(count))
        var poisoned = stamped(train, rows: chosen, value: value)
        for row in chosen { poisoned.labels[row] = target }
        let others = split.test.labels.indices.filter { split.test.labels[$0] != target }
        var triggered = stamped(split.test.rows(others), rows: Array(0..<others.count), value: value)
        triggered.labels = triggered.labels.map { _ in target }
        return PoisonedTrainingSet(data: poisoned, trueLabels: train.labels, poisonedRows: chosen,
                                   evaluations: [AttackEvaluation(metric: metrics[0], inputs: triggered)], saturated: asked > candidates.count)
    }
}
