import Plotting
import PoisoningAnalysis
import PoisoningEngine

/// The most series of a panel of the accuracy figure that still draws each fit's band and each
/// threshold with its interval: beyond it the bands cover one another and the interval strips, a lane
/// each, climb into the data.
let mostDetailedSeries = 4

/// Figure 1: clean test accuracy (mean ± std over seeds) per series, the fitted sigmoid dashed with
/// its confidence band shaded, a dotted vertical line at each critical threshold and its interval as
/// a strip along the x axis, and chance accuracy; one panel per (attack, defense) when the study has
/// several. Every x is the poison fraction (`curve`), the x of the fits. When a panel has more than
/// `mostDetailedSeries` series, no panel draws the bands and thresholds, and the caption says that the
/// report's threshold table gives them.
func accuracyFigure(_ results: StudyResults, styles: StudyStyles) -> StudyFigure {
    let fractions = results.config.fractions.sorted()
    let chance = 1 / Double(results.data.classCount)
    let unordered = panelGroups(results)
    let keys = unordered.map { (attack: results.series[$0.series[0]].attack, defense: results.series[$0.series[0]].defense) }
    let grid = facetGrid(keys), headers = facetHeaders(results, keys)
    let groups = grid.order.map { unordered[$0] }
    let detailed = groups.allSatisfy { $0.series.count <= mostDetailedSeries }
    var legend = [LegendEntry]()
    var anyThreshold = false
    var anyBand = false, anySpan = false, anyFit = false, anyOpenSpan = false, anyWithheldSpan = false
    var fittedModels = Set<Int>()
    var clipped = 0
    let panels = groups.map { group in
        var series = [Series](), lines = [ReferenceLine](), bands = [Band](), spans = [Span]()
        for (lane, index) in group.series.enumerated() {
            let statistics = results.statistics.series[index]
            let fit = results.fits[index], description = results.series[index]
            let style = styles.models[description.model], color = style.color, marker = style.marker
            let points = curve(results, series: index, MetricKey.testAccuracy)
            let bars = clippedBars(points, to: 0...1)
            clipped += bars.clipped
            series.append(Series(label: description.label, points: points.map { Point($0.x, $0.mean) },
                                 intervals: bars.bars, color: color, marker: marker))
            // The curve over the fractions it was fitted to (saturated budgets are not).
            let fitted = fit.fittedFractions(fractions)
            if let parameters = fit.parameters, let from = fitted.first, let to = fitted.last, to > from {
                anyFit = true
                fittedModels.insert(description.model)
                let samples = (0...200).map { from + (to - from) * Double($0) / 200 }
                series.append(Series(label: "fit \(description.label)", points: samples.map { Point($0, parameters.value(at: $0)) },
                                     color: color, line: .dashed, lineWidth: 1.3))
            }
            if detailed, let band = statistics.band {
                anyBand = true
                bands.append(Band(x: band.fractions, lower: band.lower, upper: band.upper, color: color))
            }
            // Only thresholds within the swept fractions have a fraction to mark: one beyond them is only bounded. An interval with
            // an end withheld as imprecise (`Interval.imprecise`: the report prints "withheld") has no place to end: not drawn.
            let withheld = statistics.threshold.interval.map { $0.isImprecise(.lower) || $0.isImprecise(.upper) } == true
            anyWithheldSpan = anyWithheldSpan || (detailed && withheld && fit.threshold.fraction != nil)
            if detailed, !withheld, let interval = statistics.threshold.interval, fit.threshold.fraction != nil {
                anySpan = true
                // An end the runs leave open (a bound) stops at the swept range's end with an arrow, not at the frame.
                anyOpenSpan = anyOpenSpan || interval.lower == nil || interval.upper == nil
                spans.append(Span(from: interval.lower ?? fractions.first, to: interval.upper ?? fractions.last, color: color, lane: lane,
                                  opensFrom: interval.lower == nil, opensTo: interval.upper == nil))
            }
            if detailed, let threshold = fit.threshold.fraction {
                anyThreshold = true
                lines.append(ReferenceLine(.vertical, at: threshold, color: color, style: .dotted, width: 1.3))
            }
            if groups.count == 1 {
                legend.append(LegendEntry(label: description.label + (fit.parameters == nil ? " (no fit)" : ""), color: color,
                                          line: fit.parameters == nil ? nil : .dashed, marker: marker))
            }
        }
        lines.append(ReferenceLine(.horizontal, at: chance, color: Color.reference, style: .dashDot))
        return Panel(title: headers == nil ? group.title : nil, series: series, referenceLines: lines, bands: bands, spans: spans)
    }
    if groups.count > 1 {
        for (index, model) in Set(results.series.map(\.model)).sorted().enumerated() {
            let style = styles.models[model]
            let label = results.series.first { $0.model == model }!.modelLabel
            legend.insert(LegendEntry(label: label, color: style.color, line: fittedModels.contains(model) ? .dashed : nil, marker: style.marker),
                          at: index)
        }
    }
    if anyThreshold {
        legend.append(LegendEntry(label: results.series.count == 1 ? "critical threshold" : "critical thresholds",
                                  color: Color.reference, line: .dotted))
    }
    let level = confidenceText(results.statistics.confidence)
    let x = poisonAxis(results, series: Array(results.series.indices))
    if anyBand { legend.append(LegendEntry(label: "\(level) band of the fits", color: Color.reference, swatch: .box)) }
    if anySpan { legend.append(LegendEntry(label: "\(level) threshold intervals", color: Color.reference, swatch: .interval)) }
    legend.append(LegendEntry(label: String(format: "chance (%.2f)", chance), color: Color.reference, line: .dashDot))
    // The caption names only what is drawn: fits, bands, thresholds and intervals each where some series has them.
    var drawn = [String]()
    if anyFit { drawn.append("the fitted sigmoids (dashed)" + (anyBand ? " and their \(level) bands (shaded)" : "")) }
    if anyThreshold {
        drawn.append("the critical thresholds (dotted)" + (anySpan ? " with their \(level) intervals (capped lines above the axis)" : ""))
    }
    drawn.append("chance accuracy")
    var caption = "Clean test accuracy (mean ± std over seeds) against \(x.phrase), per series, with "
        + (drawn.count > 2 ? drawn.dropLast().joined(separator: ", ") + ", and " + drawn.last! : drawn.joined(separator: " and ")) + "."
    if !anyFit { caption += " No sigmoid is drawn: the table of sigmoid fits says why none was fitted." }
    if anyWithheldSpan {
        caption += " A threshold interval with an end withheld as too imprecise to place (the table of critical thresholds says which) "
            + "is not drawn."
    }
    if anyOpenSpan {
        caption += " An interval the runs leave open on one side (the threshold may lie beyond the swept fractions) ends in an arrow "
            + "at the smallest or largest swept fraction."
    }
    if !detailed {
        caption += " With more than \(mostDetailedSeries) series in a panel, the fits' \(level) bands and the critical thresholds are "
            + "not drawn, so that the points stay readable: the table of sigmoid fits and critical thresholds gives the thresholds "
            + "with their intervals."
    }
    caption += clippedBarsNote(clipped, range: 0...1, quantity: "an accuracy") + differingShareNote(results) + budgetAxisNote(x.axis)
        + AttackNames(results).note
    return StudyFigure(name: "accuracy_vs_poison", caption: caption, chart: Chart(
        title: "Clean test accuracy vs. \(x.name)", x: x.axis,
        y: Axis(label: "Clean test accuracy", range: 0...1),
        panels: panels, legend: legend, panelWidth: panelSize(panels.count).width, panelHeight: panelSize(panels.count).height,
        maxColumns: grid.columns, columnHeaders: headers?.columns, rowHeaders: headers?.rows),
        pageGroups: grid.rows)
}
