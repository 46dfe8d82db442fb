import Plotting

/// The mean ± std bars of `points` (by `curve`) cut at `range`, the range the metric can take (0 to 1
/// for an accuracy or a rate): a bar that reaches past it is drawn to its end, since no value lies
/// beyond it (the report's tables keep mean ± std as computed). Returns each point's bar (nil without
/// a spread) and how many bars were cut, for the caption (`clippedBarsNote`).
func clippedBars(_ points: [(x: Double, mean: Double, std: Double)], to range: ClosedRange<Double>)
    -> (bars: [ClosedRange<Double>?], clipped: Int) {
    var clipped = 0
    let bars = points.map { point -> ClosedRange<Double>? in
        guard point.std > 0 else { return nil }
        let low = point.mean - point.std, high = point.mean + point.std
        if low < range.lowerBound || high > range.upperBound { clipped += 1 }
        let lower = min(max(low, range.lowerBound), point.mean), upper = max(min(high, range.upperBound), point.mean)
        return lower...upper
    }
    return (bars, clipped)
}

/// The caption's sentence on bars that `clippedBars` cut, " N error bars (mean ± std) that reach past
/// 0 or 1, the range of QUANTITY, are cut there; points.csv gives mean ± std whole.", or "" when none was.
func clippedBarsNote(_ clipped: Int, range: ClosedRange<Double>, quantity: String) -> String {
    guard clipped > 0 else { return "" }
    let ends = "\(shortNumber(range.lowerBound)) or \(shortNumber(range.upperBound))"
    return " \(clipped) error bar\(clipped == 1 ? "" : "s") (mean ± std) that reach\(clipped == 1 ? "es" : "") past \(ends), the range of "
        + "\(quantity), \(clipped == 1 ? "is" : "are") cut there; points.csv gives mean ± std whole."
}

/// `value` with no trailing ".0": "1", "-1", "0.5".
private func shortNumber(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(value)
}
