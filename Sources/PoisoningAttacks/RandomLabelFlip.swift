import PoisoningData
import PoisoningModels
import PoisoningTheory
import PoisoningUtilities

/// The reference study's attack: exactly `poisonCount(fraction, n)` training rows, chosen
/// uniformly without replacement, each get a label drawn uniformly from the other classes.
///
/// Rows are the first picks of a partial Fisher-Yates shuffle on the stream (seed, "poison-samples");
/// the i-th picked row gets label (old + 1 + u_i) mod classes with u_i uniform in 0..<classes-1 from
/// the stream (seed, "poison-labels"). Both streams are independent of the fraction, so for one seed
/// the rows poisoned at a smaller fraction are also poisoned, with the same labels, at a larger one.
public struct RandomLabelFlip: ModelFreeAttack {
    /// "random-label-flip".
    public static let kind = "random-label-flip"
    /// None: the victim's accuracy is the only measure of its success.
    public static let successMetricKey: String? = nil
    /// One sentence for help and commented study files.
    public static let summary = "Flip round(fraction · n) training labels, chosen at random, each to a random other class."

    /// An attack with no parameters beyond the fraction.
    public init() {}

    /// Reads its keys from the study, each with its default and help.
    public init(parameters: inout ParameterReader) throws {}

    /// "random label flip".
    public var label: String { "random label flip" }

    /// Flips round(fraction * train.count) labels of the training set (fraction in [0, 1]).
    public func poison(_ split: TrainTestSplit, fraction: Double, seed: UInt64) -> PoisonedTrainingSet {
        let train = split.train
        precondition((0...1).contains(fraction), "fraction must lie in [0, 1]")
        precondition(train.classCount >= 2, "label flipping needs at least two classes")
        let count = poisonCount(fraction: fraction, of: train.count)
        var rowStream = Xoshiro256StarStar(seed: seed, purpose: "poison-samples")
        var labelStream = Xoshiro256StarStar(seed: seed, purpose: "poison-labels")
        var candidates = Array(0..<train.count)
        rowStream.choosePrefix(count, of: &candidates)
        var poisoned = train
        for row in candidates[..<count] {
            let offset = 1 + labelStream.nextInt(below: train.classCount - 1)
            poisoned.labels[row] = (train.labels[row] + offset) % train.classCount
        }
        return PoisonedTrainingSet(data: poisoned, trueLabels: train.labels, poisonedRows: Array(candidates[..<count]))
    }
}
