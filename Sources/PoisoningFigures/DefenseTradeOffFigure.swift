import Plotting
import PoisoningAnalysis

/// The safety-efficacy trade-off of the defenses: one point per defense and model (one panel per
/// attack), x the clean accuracy the defense costs (undefended minus defended, at the smallest
/// fraction), y the critical threshold it gains (defended minus undefended), with its interval as a
/// vertical bar when both ends are bounded. Points whose gain is only bounded or unknown (a threshold
/// outside the swept fractions) have no gain to draw and are left out. Nil without a defense besides `none`.
func defenseTradeOffFigure(_ results: StudyResults) -> StudyFigure? {
    let findings = results.findings.defenses.filter {
        $0.thresholdShift.value != nil && $0.thresholdShift.bound == nil && $0.cleanAccuracyChange.value != nil
    }
    guard !findings.isEmpty else { return nil }
    let attacks = Array(Set(findings.map { results.series[$0.series].attack })).sorted()
    var legend = [LegendEntry](), seen = Set<Int>()
    let panels = attacks.map { attack in
        let members = findings.filter { results.series[$0.series].attack == attack }
        let series = members.flatMap { finding -> [Series] in
            let description = results.series[finding.series]
            let color = Color.colorBlindSafe[description.defense % Color.colorBlindSafe.count]
            let marker = MarkerShape.allCases[description.model % MarkerShape.allCases.count]
            if seen.insert(description.defense).inserted {
                legend.append(LegendEntry(label: description.defenseLabel, color: color, marker: .circle))
            }
            let gain = finding.thresholdShift.value! * 100, cost = -finding.cleanAccuracyChange.value! * 100
            var drawn = [Series(label: description.label, points: [Point(cost, gain)], color: color, marker: marker)]
            // The gain's interval as a vertical bar, when both ends are bounded.
            if let lower = finding.thresholdShift.interval?.lower, let upper = finding.thresholdShift.interval?.upper {
                drawn.insert(Series(label: description.label, points: [Point(cost, lower * 100), Point(cost, upper * 100)], color: color,
                                    line: .solid, lineWidth: 1), at: 0)
            }
            return drawn
        }
        return Panel(title: results.series[members[0].series].attackLabel, series: series,
                     referenceLines: [ReferenceLine(.horizontal, at: 0, color: Color.reference, style: .solid, width: 0.8),
                                      ReferenceLine(.vertical, at: 0, color: Color.reference, style: .solid, width: 0.8)])
    }
    for model in Set(findings.map { results.series[$0.series].model }).sorted() {
        let label = results.series.first { $0.model == model }!.modelLabel
        legend.append(LegendEntry(label: label, color: Color.ink, marker: MarkerShape.allCases[model % MarkerShape.allCases.count]))
    }
    let caption = "Safety-efficacy trade-off: per defense and model, the clean accuracy it costs (percentage points, undefended "
        + "minus defended at the smallest fraction) against the critical threshold it gains (percentage points, defended minus "
        + "undefended; vertical bars: its interval when both ends are bounded). Defenses whose gain is only bounded, because a "
        + "threshold lies outside the swept fractions, are not drawn."
    return StudyFigure(name: "defense_tradeoff", caption: caption, chart: Chart(
        title: "Defenses: threshold gained vs. clean accuracy lost",
        x: Axis(label: "Clean accuracy lost (percentage points)"), y: Axis(label: "Threshold gained (percentage points)"),
        panels: panels, legend: legend, width: rowWidth(panels.count), height: 4.8 * 72))
}
