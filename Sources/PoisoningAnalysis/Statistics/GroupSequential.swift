import Foundation

// Group-sequential testing for studies that add seeds until their questions are answered: Lan-DeMets
// alpha spending with the O'Brien-Fleming-type function, two-sided boundaries found by the recursive
// numerical integration of Armitage, McPherson & Rowe (1969) (Jennison & Turnbull 2000, ch. 19), and
// the stopping rule that uses them. The analysis README documents the method and its simulations.

/// The Lan-DeMets O'Brien-Fleming-type spending function per side, as Lan & DeMets (1983) and
/// gsDesign's `sfLDOF` define it for a two-sided test at `alpha`: the error spent on each side by
/// information fraction t, a(t) = 2 - 2 Φ(z_{1-α/4} / √t) (0 at t = 0, α/2 at t = 1). (Spending the
/// two-sided α through 2 - 2 Φ(z_{1-α/2} / √t) instead spends more early and gives other boundaries:
/// 4.383, not the published 4.877, at the first of five equal looks at α = 0.05.)
public func obrienFlemingSpending(_ t: Double, alpha: Double) -> Double {
    guard t > 0 else { return 0 }
    return 2 * normalCDF(normalQuantile(alpha / 4) / min(t, 1).squareRoot())
}

/// The symmetric two-sided boundaries c_1, ..., c_K of looks at the increasing information fractions
/// `fractions` (in (0, 1]) that spend `alpha` by `obrienFlemingSpending` on each side: under no effect,
/// the chance that the standardized statistic first leaves (-c_k, c_k) at look k is
/// 2 (a(t_k) - a(t_{k-1})). The first is the closed form z_{1-a(t_1)}; each later one follows from
/// the sub-density of the score statistic S_k = Z_k √t_k (independent normal increments of variance
/// t_k - t_{k-1}) on the region where no earlier look stopped, integrated by Simpson's rule on
/// `gridPoints` points.
public func groupSequentialBoundaries(fractions: [Double], alpha: Double, gridPoints: Int = 801) -> [Double] {
    precondition(fractions.allSatisfy { $0 > 0 && $0 <= 1 } && zip(fractions, fractions.dropFirst()).allSatisfy { $0 < $1 },
                 "information fractions must increase within (0, 1]")
    let points = gridPoints | 1
    var boundaries = [Double](), grid = [Double](), density = [Double](), weights = [Double]()
    var spent = 0.0, previous = 0.0
    for t in fractions {
        let target = 2 * obrienFlemingSpending(t, alpha: alpha) - spent
        let boundary: Double
        if boundaries.isEmpty {
            boundary = -normalQuantile(target / 2)
        } else {
            let spread = (t - previous).squareRoot(), scale = t.squareRoot()
            // The chance of leaving (-c √t, c √t) now, having continued until the previous look.
            func exit(_ c: Double) -> Double {
                var total = 0.0
                for (index, u) in grid.enumerated() {
                    let leave = normalCDF((-c * scale - u) / spread) + normalCDF((u - c * scale) / spread)
                    total += weights[index] * density[index] * leave
                }
                return total
            }
            var low = 0.0, high = 40.0
            for _ in 0..<100 {
                let middle = (low + high) / 2
                if exit(middle) > target { low = middle } else { high = middle }
            }
            boundary = (low + high) / 2
        }
        // The sub-density of S at this look on its continuation region.
        let edge = boundary * t.squareRoot()
        let next = simpsonGrid(from: -edge, to: edge, points: points)
        if boundaries.isEmpty {
            density = next.nodes.map { exp(-$0 * $0 / (2 * t)) / (2 * Double.pi * t).squareRoot() }
        } else {
            let variance = t - previous
            density = next.nodes.map { s in
                var total = 0.0
                for (index, u) in grid.enumerated() {
                    let d = s - u
                    total += weights[index] * density[index] * exp(-d * d / (2 * variance))
                }
                return total / (2 * Double.pi * variance).squareRoot()
            }
        }
        (grid, weights) = (next.nodes, next.weights)
        boundaries.append(boundary)
        spent += target
        previous = t
    }
    return boundaries
}

/// Simpson's rule on `points` (odd) equally spaced nodes of [a, b]: the nodes and their weights.
private func simpsonGrid(from a: Double, to b: Double, points: Int) -> (nodes: [Double], weights: [Double]) {
    let h = (b - a) / Double(points - 1)
    let nodes = (0..<points).map { a + Double($0) * h }
    let weights = (0..<points).map { i in h / 3 * (i == 0 || i == points - 1 ? 1 : i % 2 == 1 ? 4 : 2) }
    return (nodes, weights)
}

/// The confidence level of an interval that matches boundary c: 1 - 2 (1 - Φ(c)).
public func sequentialConfidence(boundary: Double) -> Double { 1 - 2 * normalCDF(-boundary) }

/// One look of a sequential design: the seeds it analyses, its boundary and the matching confidence.
public struct SequentialLookPlan: Sendable, Codable, Equatable {
    /// Seeds analysed at the look.
    public let seeds: Int
    /// Its two-sided boundary c_k on the z scale.
    public let boundary: Double
    /// The confidence of the intervals at the look, 1 - 2 (1 - Φ(c_k)).
    public let confidence: Double
}

/// The looks of an adaptive study that adds `step` seeds at a time from `start` to `max` (the last
/// look at `max`), information fraction n_k / max, spending `alpha` (`groupSequentialBoundaries`).
/// With `replicates` nil the intervals are exact at any level (the t intervals of means: questions
/// `clean-pairs` and `gap-pairs` alone) and every look is taken, from `start`. Otherwise only looks
/// at which `replicates` bootstrap replicates can measure the interval are taken: the
/// first look's level (its boundary is the closed form z_{1-a(t_1)}) must leave at least
/// `minimumTailReplicates` replicates beyond each end, else a percentile interval would be the
/// replicates' extremes, narrower than the level asks. (The ray bootstrap's own limit, its last
/// radius at T's 98.4% quantile, does not move with the replicates; with 1,000 replicates this rule
/// is at least as strict at the reference study's looks: the analysis README, "Early looks".)
/// Earlier looks are dropped, so the error they
/// would have spent is spent at the first look taken (Lan & DeMets 1983 allow any looks fixed in
/// advance); later looks spend more, so their levels are measurable too. The last look, at `max`,
/// is always taken.
public func sequentialLooks(start: Int, step: Int, max: Int, alpha: Double, replicates: Int?,
                            minimumTailReplicates: Int = 2) -> [SequentialLookPlan] {
    precondition(start >= 1 && step >= 1 && max >= start, "looks need 1 <= start <= max and step >= 1")
    var counts = Array(stride(from: start, to: max, by: step)) + [max]
    while let replicates, counts.count > 1,
          obrienFlemingSpending(Double(counts[0]) / Double(max), alpha: alpha) * Double(replicates) < Double(minimumTailReplicates) {
        counts.removeFirst()
    }
    let boundaries = groupSequentialBoundaries(fractions: counts.map { Double($0) / Double(max) }, alpha: alpha)
    return zip(counts, boundaries).map { SequentialLookPlan(seeds: $0, boundary: $1, confidence: sequentialConfidence(boundary: $1)) }
}

/// How a sequential study ended.
public enum SequentialStop: String, Sendable, Codable, Equatable {
    /// Every comparison of every named question was resolved.
    case allResolved = "all-resolved"
    /// Every comparison left unresolved lies beyond the swept fractions (`SequentialAnswer.beyondSweep`):
    /// more seeds cannot resolve it, a wider sweep of fractions would.
    case beyondSweep = "beyond-sweep"
    /// The last look (the budget of seeds) was reached with some comparison unresolved.
    case budgetSpent = "budget-spent"
}

/// What one look says of one comparison, for the stopping rule.
public enum SequentialAnswer: Sendable, Equatable {
    /// Resolved (`SignDecision.resolved`).
    case resolved
    /// Not resolved (or undetermined): more seeds may resolve it.
    case open
    /// Not resolved, and more seeds cannot resolve it: the central estimate has no sign because its
    /// thresholds, their whole intervals with them, lie beyond the swept fractions (two thresholds
    /// beyond the same end, or a trend whose thresholds beyond them leave its slope unbounded on both
    /// sides; `thresholdsLeaveNoSign`). A threshold whose interval reaches inside the sweep leaves the
    /// comparison open.
    case beyondSweep
}

/// What the stopping rule decided: the look (index into the looks) at which each comparison was
/// first resolved, and the look at which the study stopped.
public struct SequentialOutcome: Sendable, Equatable {
    /// Look index of each comparison's first resolution; absent for one never resolved.
    public let resolvedAt: [String: Int]
    /// The index of the last look analysed.
    public let stoppedAt: Int
    /// Why it stopped.
    public let stop: SequentialStop
}

/// The stopping rule: at each look in turn, `analyse(index, look)` answers for every comparison
/// whether its interval at the look's confidence resolves it (`SequentialAnswer`); a comparison once
/// resolved stays resolved, and the study stops after the first look at which all are, or at which
/// every one still unresolved lies beyond the swept fractions (more seeds cannot resolve it), or
/// after the last look. Each comparison's chance of a false resolution is the α its looks spend; to
/// hold it for the family of comparisons, the caller splits α among them (`runSequentialStudy`:
/// Bonferroni). Stopping early for comparisons beyond the sweep only forgoes looks, so it cannot
/// raise that chance.
public func runSequentialRule(looks: [SequentialLookPlan],
                              analyse: (Int, SequentialLookPlan) throws -> [String: SequentialAnswer]) rethrows -> SequentialOutcome {
    precondition(!looks.isEmpty, "a sequential design has at least one look")
    var resolvedAt = [String: Int]()
    for (index, look) in looks.enumerated() {
        let answers = try analyse(index, look)
        for (comparison, answer) in answers where answer == .resolved && resolvedAt[comparison] == nil { resolvedAt[comparison] = index }
        let unresolved = answers.filter { resolvedAt[$0.key] == nil }
        if unresolved.isEmpty {
            return SequentialOutcome(resolvedAt: resolvedAt, stoppedAt: index, stop: .allResolved)
        }
        if unresolved.values.allSatisfy({ $0 == .beyondSweep }) {
            return SequentialOutcome(resolvedAt: resolvedAt, stoppedAt: index, stop: .beyondSweep)
        }
    }
    return SequentialOutcome(resolvedAt: resolvedAt, stoppedAt: looks.count - 1, stop: .budgetSpent)
}
