import Foundation
import PoisoningAnalysis
import PoisoningEngine

/// The published claims' verdicts counted in the claims table's words, with the confidence they are
/// read at (the intervals' own, an adaptive study's adjusted level, at which a threshold's interval is
/// widened: `claimRule`): "At 95% confidence, of 5 published claims these runs support 1, contradict 0
/// and leave 4 unresolved." Published thresholds on an interval's open side
/// (`ClaimVerdict.consistentUntested`) are counted apart, when there are any: "support 1, contradict 0,
/// leave 2 unresolved and 2 not tested (open-ended)." Without `namingLevel` (an opening that has named the level
/// already, in its threshold brackets or the slope's interval, or an adaptive study's opening, whose
/// brackets name its adjusted level) it starts "Of 5 published claims". Nil when the study
/// has no claims or they get no verdicts (this run's design differs from the published one). The
/// opening summary and the command's summary both say it.
public func claimCountSentence(_ results: StudyResults, namingLevel: Bool = true) -> String? {
    guard let claims = results.findings.claims, claims.designDifferences == nil else { return nil }
    let verdicts = claimVerdictList(claims)
    let count = { (verdict: ClaimVerdict) in verdicts.filter { $0 == verdict }.count }
    let untested = count(.consistentUntested)
    return (namingLevel ? "At \(levelText(results)) confidence, of" : "Of")
        + " \(verdicts.count) published claim\(verdicts.count == 1 ? "" : "s") these "
        + "runs support \(count(.supported)), contradict \(count(.contradicted))"
        + (untested == 0 ? " and leave \(count(.notResolved)) unresolved." : ", leave \(count(.notResolved)) unresolved and \(untested) not tested (open-ended).")
}

/// The "Supported if" cell of every row of the published-claims table, in the rows' order
/// (`claimRows`): for a published threshold, the published values this run supports, its interval
/// widened for the published value's own noise (`supportedThresholds`), an open end included
/// ("26.6% to 38.2%", "30.3% to 40.0%; above 40.0%: not tested (no interval end there)"); for a claimed direction,
/// what this run would have to resolve; "none: an interval end is withheld" for an interval with no end placed and one
/// withheld (with one placed, the withheld side is "not resolved", `supportedRangeText`). "—" where no claim gets a verdict (the designs differ) and
/// for a series the study does not run.
func claimSupportCells(_ results: StudyResults, _ claims: ClaimVerdicts) -> [String] {
    let noVerdicts = claims.designDifferences != nil
    var cells = claims.thresholds.map { claim -> String in
        guard !noVerdicts, claim.series != nil, let estimate = claim.estimate else { return "—" }
        guard let widening = claims.widening else { return "none: one seed gives no interval" }
        guard let range = supportedThresholds(estimate, widening: widening) else {
            return estimate.interval?.imprecise != nil ? "none: an interval end is withheld" : "none: no bounded interval end"
        }
        return supportedRangeText(lower: range.lower, upper: range.upper, centre: range.centre, withheld: range.withheld)
    }
    if let sharp = claims.sharpTransition {
        let k = fixed(results.findings.sharpSteepness, decimals: 0)
        cells.append(noVerdicts ? "—" : sharp.claimed
            ? "k's interval above \(k) for some series whose curves are told apart"
            : "every series gradual: k's interval at most \(k), or a simpler curve decisively better")
    }
    for size in claims.largerModelsMoreSensitive {
        cells.append(noVerdicts ? "—" : "threshold slope per doubling resolved \(size.answer.claimed ? "below" : "above") 0 pp")
    }
    return cells
}

/// The published thresholds a widened interval supports, as `claimSupportCells` writes them: both
/// ends "a to b"; one end open, the bounded end to the estimate `centre` supported and everything
/// beyond the estimate untested, "30.3% to 40.0%; above 40.0%: not tested (no interval end there)", as the verdict
/// reads it (`thresholdVerdict`: on the open side the runs hold every value and cannot test one,
/// `ClaimVerdict.consistentUntested`). Ends are clipped to 0% and 100% (no threshold lies beyond
/// them) and written with two decimals where one would show the same number twice. A side whose end is
/// `withheld` (`supportedThresholds`) reads "above 40.0%: not resolved (its upper end withheld)".
func supportedRangeText(lower: Double?, upper: Double?, centre: Double, withheld: IntervalEnd? = nil) -> String {
    let clip = { (value: Double) in min(max(value, 0), 1) }
    /// "a to b", with two decimals when one would write a and b alike.
    func span(_ a: Double, _ b: Double) -> String {
        percent(a) != percent(b) ? "\(percent(a)) to \(percent(b))"
            : String(format: "%.2f%% to %.2f%%", a * 100, b * 100)
    }
    let middle = clip(centre)
    switch (lower.map(clip), upper.map(clip)) {
    case let (low?, high?):
        return low == high ? "\(percent(low)) only" : span(low, high)
    case let (low?, nil):
        let beyond = withheld == .upper ? "not resolved (its upper end withheld)" : "not tested (no interval end there)"
        return low < middle ? "\(span(low, middle)); above \(percent(middle)): \(beyond)"
            : withheld == .upper ? "\(percent(low)); above it: \(beyond)" : "\(percent(low)) or more: \(beyond)"
    case let (nil, high?):
        let beyond = withheld == .lower ? "not resolved (its lower end withheld)" : "not tested (no interval end there)"
        return high > middle ? "\(span(middle, high)); below \(percent(middle)): \(beyond)"
            : withheld == .lower ? "\(percent(high)); below it: \(beyond)" : "\(percent(high)) or less: \(beyond)"
    case (nil, nil):
        return "none: no bounded interval end"
    }
}
