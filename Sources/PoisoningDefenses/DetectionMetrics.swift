import PoisoningData
import PoisoningModels
import PoisoningUtilities

/// How well a defense's scores and removals find the rows an attack poisoned.
public struct DetectionMetrics: Sendable, Equatable {
    /// |flagged ∩ poisoned| / |flagged| (flagged: removed or relabelled); nil when nothing was flagged.
    public let precision: Double?
    /// |flagged ∩ poisoned| / |poisoned|; nil when nothing was poisoned.
    public let recall: Double?
    /// AUROC of the scores for telling poisoned from clean rows; nil without both kinds of row.
    public let auroc: Double?
    /// The share of poisoned rows the scores find when they may flag 5% of the clean rows
    /// (`truePositiveRate(atFalsePositiveRate: 0.05, ...)`); nil without both kinds of row.
    public let tprAt5FPR: Double?
    /// |flagged| / rows.
    public let removedFraction: Double

    /// The metrics of `decision` against the poisoned rows of a training set whose (given) labels are `labels`.
    public init(decision: DefenseDecision, poisonedRows: [Int], labels: [Int]) {
        let rowCount = labels.count
        let poisoned = Set(poisonedRows)
        let removed = decision.flagged(rowCount: rowCount, originalLabels: labels)
        let caught = removed.filter(poisoned.contains).count
        precision = removed.isEmpty ? nil : Double(caught) / Double(removed.count)
        recall = poisoned.isEmpty ? nil : Double(caught) / Double(poisoned.count)
        removedFraction = Double(removed.count) / Double(max(rowCount, 1))
        let groups = decision.scores.map { scores in
            (positives: poisoned.sorted().map { scores[$0] }, negatives: scores.indices.filter { !poisoned.contains($0) }.map { scores[$0] })
        }
        auroc = groups.flatMap { areaUnderROC(positives: $0.positives, negatives: $0.negatives) }
        tprAt5FPR = groups.flatMap { truePositiveRate(atFalsePositiveRate: 0.05, positives: $0.positives, negatives: $0.negatives) }
    }
}

/// The area under the ROC curve of scores that should rank `positives` above `negatives`: the
/// Mann-Whitney statistic U / (n_pos · n_neg), i.e. the probability that a random positive scores
/// higher than a random negative, ties counting one half. Computed from mid-ranks of the pooled
/// scores: U = Σ ranks of positives - n_pos (n_pos + 1) / 2. Nil when either group is empty.
public func areaUnderROC(positives: [Double], negatives: [Double]) -> Double? {
    guard !positives.isEmpty, !negatives.isEmpty else { return nil }
    let pooled = (positives.map { ($0, true) } + negatives.map { ($0, false) }).sorted { $0.0 < $1.0 }
    var rankSum = 0.0
    var start = 0
    while start < pooled.count {
        var end = start
        while end + 1 < pooled.count && pooled[end + 1].0 == pooled[start].0 { end += 1 }
        let midRank = Double(start + end) / 2 + 1   // ranks are 1-based
        rankSum += midRank * Double(pooled[start...end].filter(\.1).count)
        start = end + 1
    }
    let nPositive = Double(positives.count), nNegative = Double(negatives.count)
    return (rankSum - nPositive * (nPositive + 1) / 2) / (nPositive * nNegative)
}

/// The true-positive rate of scores that should rank `positives` above `negatives`, read off their
/// ROC curve at the false-positive rate `alpha`. The curve joins the points (FPR, TPR) of flagging
/// every row scoring at least t, for each distinct score t from the highest down, starting at (0, 0);
/// rows with equal scores are flagged together, so ties make a sloped segment (the curve whose area
/// is `areaUnderROC`). Where the curve passes `alpha` on a segment, the rate is interpolated linearly
/// along it (what flagging the tied rows at random would give on average); where it reaches `alpha`
/// at a point, the highest rate at that point counts. Nil when either group is empty.
public func truePositiveRate(atFalsePositiveRate alpha: Double, positives: [Double], negatives: [Double]) -> Double? {
    guard !positives.isEmpty, !negatives.isEmpty else { return nil }
    let pooled = (positives.map { ($0, true) } + negatives.map { ($0, false) }).sorted { $0.0 > $1.0 }
    let nPositive = Double(positives.count), nNegative = Double(negatives.count)
    var (truePositives, falsePositives) = (0, 0)
    var (previousFPR, previousTPR) = (0.0, 0.0)
    var start = 0
    while start < pooled.count {
        var end = start
        while end + 1 < pooled.count && pooled[end + 1].0 == pooled[start].0 { end += 1 }
        let caught = pooled[start...end].filter(\.1).count
        truePositives += caught
        falsePositives += end - start + 1 - caught
        let (fpr, tpr) = (Double(falsePositives) / nNegative, Double(truePositives) / nPositive)
        if fpr > alpha { return previousTPR + (tpr - previousTPR) * (alpha - previousFPR) / (fpr - previousFPR) }
        (previousFPR, previousTPR) = (fpr, tpr)
        start = end + 1
    }
    return previousTPR
}
