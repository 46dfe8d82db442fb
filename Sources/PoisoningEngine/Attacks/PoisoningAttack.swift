/// The training labels after an attack, with a record of what the attack changed.
public struct PoisonedLabels: Sendable, Equatable {
    /// The labels the model is trained on.
    public let labels: [Int]
    /// The rows whose label the attack changed, in the order the attack chose them.
    public let poisonedIndices: [Int]
}

/// A training-set poisoning attack. Each attack is one small type; the sweep runner applies it to
/// the clean training labels of every run and never looks inside.
public protocol PoisoningAttack: Sendable {
    /// A short identifier written into results, e.g. "random-label-flip".
    var name: String { get }
    /// The poisoned training labels for `fraction` of the rows of `train`, with every random
    /// choice drawn from streams derived from `seed`.
    func poison(_ train: Dataset, fraction: Double, seed: UInt64) -> PoisonedLabels
}

/// The number of rows a fraction of `count` designates: round(fraction * count), halves to even
/// as Python's `round` does (0.15 * 350 = 52.5 -> 52).
public func poisonCount(fraction: Double, of count: Int) -> Int {
    Int((fraction * Double(count)).rounded(.toNearestOrEven))
}
