import PoisoningUtilities

/// The seeds of one cell (series × fraction) whose scores for one detection metric do not share one
/// orientation: some seeds' values lie clearly below 0.5 and some clearly above. An AUROC near 0
/// means the scores separate the poisoned rows from the clean ones as well as an AUROC near 1, in
/// the reverse direction (activation clustering's score, once the poison is the larger part of its
/// class); a mean over seeds of both kinds is near 0.5 and reads as "a random score" although every
/// seed separates the rows. Such a cell is summarised by these counts and ranges, never by a mean.
///
/// The rule, on each seed's own value v: below when v ≤ 0.5 - `margin`, above when v ≥ 0.5 +
/// `margin`, between otherwise; the cell is split when at least one seed is below and one above.
/// The margin of 0.25 asks each side to rank three of four (poisoned, clean) pairs in its own
/// direction, far beyond one seed's sampling noise of an AUROC over tens of poisoned rows (its
/// standard error is at most about 0.05 with 30 poisoned rows among 300), and far beyond a score that
/// is merely weak; two seeds at 0.3 and 0.7 are not called a flip.
///
/// Only metrics whose value below 0.5 means "reversed" change meaning with the flip
/// (`orientationDependentMetrics`: the AUROC). The TPR at 5% FPR, the precision and recall of the
/// removals and the share removed keep their means: each is a rate of what the scores or the
/// removals do as the method uses them (a reversed score finds nothing at 5% FPR, which is what it
/// does), the same quantity on every seed.
public struct OrientationSplit: Sendable, Codable, Equatable {
    /// How far from 0.5 a seed's value must lie to count as below or above.
    public static let margin = 0.25
    /// The detection metrics whose meaning flips below 0.5.
    public static let orientationDependentMetrics = [MetricKey.detectionAUROC]

    /// Seeds with a value.
    public let seeds: Int
    /// Seeds at or below 0.5 - `margin`.
    public let below: Int
    /// Seeds at or above 0.5 + `margin`.
    public let above: Int
    /// The lowest and highest value below.
    public let belowLowest, belowHighest: Double
    /// The lowest and highest value above.
    public let aboveLowest, aboveHighest: Double

    /// Seeds between the two sides (neither clearly below nor clearly above).
    public var between: Int { seeds - below - above }

    /// The split of one cell's per-seed `values`; nil when they are not split (no seed clearly below
    /// 0.5, or none clearly above).
    public init?(values: [Double]) {
        let low = values.filter { $0 <= 0.5 - Self.margin }, high = values.filter { $0 >= 0.5 + Self.margin }
        guard let belowLowest = low.min(), let belowHighest = low.max(), let aboveLowest = high.min(), let aboveHighest = high.max()
        else { return nil }
        seeds = values.count
        below = low.count
        above = high.count
        (self.belowLowest, self.belowHighest, self.aboveLowest, self.aboveHighest) = (belowLowest, belowHighest, aboveLowest, aboveHighest)
    }

    /// What a table cell or a sentence prints instead of a mean: "split: 4 of 10 seeds below 0.5
    /// (0.02 to 0.09), 6 above (0.93 to 0.99)", and ", 1 between" when some seed is neither; values with
    /// two decimals, a range of one seed as its value.
    public var text: String {
        func range(_ low: Double, _ high: Double) -> String {
            let (a, b) = (fixed(low, decimals: 2), fixed(high, decimals: 2))
            return a == b ? a : "\(a) to \(b)"
        }
        return "split: \(below) of \(seeds) seeds below 0.5 (\(range(belowLowest, belowHighest))), \(above) above (\(range(aboveLowest, aboveHighest)))"
            + (between > 0 ? ", \(between) between" : "")
    }
}
