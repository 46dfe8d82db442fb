import Plotting
import PoisoningAnalysis
import PoisoningEngine

/// The success of every attack that measures its own (class-flip, backdoor, feature collision)
/// against the share of the training rows poisoned: one panel per such attack, one line per model
/// and defense (mean ± std over seeds). A rate with a clean-model baseline is drawn as its excess
/// over the clean model of the same series and seed (solid or dashed), with that baseline dotted in
/// the same colour, so the figure leads with what the poison adds. Nil when no attack of the study
/// measures its success.
func attackSuccessFigure(_ results: StudyResults) -> StudyFigure? {
    let attacks = Array(Set(results.series.map(\.attack))).sorted().compactMap { attack -> (Int, MetricInfo)? in
        guard let index = results.series.firstIndex(where: { $0.attack == attack }),
              let metric = results.successMetric(of: index) else { return nil }
        return (attack, metric)
    }
    guard !attacks.isEmpty else { return nil }
    let defenses = Set(results.series.map(\.defense)).count
    var legend = [LegendEntry](), seen = Set<[Int]>()
    var lowest = 0.0
    let panels = attacks.map { attack, metric in
        let members = results.series.indices.filter { results.series[$0].attack == attack }
        let series = members.flatMap { index -> [Series] in
            let description = results.series[index]
            let (color, marker) = modelStyle(description.model)
            let line: LineStyle = description.defense == 0 ? .solid : .dashed
            let label = description.modelLabel + (defenses > 1 ? ", \(description.defenseLabel)" : "")
            if seen.insert([description.model, description.defense]).inserted {
                legend.append(LegendEntry(label: label, color: color, line: line, marker: marker))
            }
            let key = metric.hasBaseline ? metric.excess.key : metric.key
            let points = curve(results, series: index, key)
            lowest = min(lowest, points.map { $0.mean - $0.std }.min() ?? 0)
            var drawn = [Series(label: label, points: points.map { Point($0.x, $0.mean) }, errors: points.map(\.std), color: color,
                                line: line, marker: marker)]
            if metric.hasBaseline {
                let baseline = curve(results, series: index, metric.baseline.key)
                drawn.append(Series(label: label + ", clean model", points: baseline.map { Point($0.x, $0.mean) }, color: color,
                                    line: .dotted, lineWidth: 1.2))
            }
            return drawn
        }
        return Panel(title: results.series[members[0]].attackLabel, series: series,
                     referenceLines: [ReferenceLine(.horizontal, at: 0, color: Color.reference, style: .dashDot)])
    }
    let corrected = attacks.contains { $0.1.hasBaseline }
    if corrected { legend.append(LegendEntry(label: "clean model's rate", color: Color.reference, line: .dotted)) }
    let caption = "Attack success against the share of the training rows poisoned, one panel per attack that measures its "
        + "success (mean ± std over seeds)" + (corrected ? "; a rate the clean model already has is drawn as the excess over "
            + "the clean model of the same series and seed, with that clean model's rate dotted" : "") + ": "
        + listing(attacks.map { attack, metric in
            "\(results.series.first { $0.attack == attack }!.attackLabel): \(metric.meaning)"
        }) + "." + saturationNote(results)
    let floor = lowest < 0 ? -(((-lowest) * 10).rounded(.up) / 10) : 0
    return StudyFigure(name: "attack_success", caption: caption, chart: Chart(
        title: "Attack success vs. poisoned share", x: fractionAxis,
        y: Axis(label: corrected ? "Success (excess over clean; clean dotted)" : "Attack success rate", range: floor...1),
        panels: panels, legend: legend, width: rowWidth(panels.count), height: 4.8 * 72))
}
