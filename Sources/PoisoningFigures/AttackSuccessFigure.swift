import Plotting
import PoisoningAnalysis
import PoisoningEngine

/// The success rate of every attack that measures its own (class-flip, backdoor, feature collision)
/// against the poison fraction: one panel per such attack, one line per model and defense (mean ± std
/// over seeds). Nil when no attack of the study measures its success.
func attackSuccessFigure(_ results: StudyResults) -> StudyFigure? {
    let attacks = Array(Set(results.series.map(\.attack))).sorted().compactMap { attack -> (Int, MetricInfo)? in
        guard let index = results.series.firstIndex(where: { $0.attack == attack }),
              let metric = results.attackMetrics.first(where: { key in
                  results.points.contains { $0.series == index && $0.metric(key.key) != nil }
              }) else { return nil }
        return (attack, metric)
    }
    guard !attacks.isEmpty else { return nil }
    let defenses = Set(results.series.map(\.defense)).count
    var legend = [LegendEntry](), seen = Set<[Int]>()
    let panels = attacks.map { attack, metric in
        let members = results.series.indices.filter { results.series[$0].attack == attack }
        let series = members.map { index -> Series in
            let description = results.series[index]
            let (color, marker) = modelStyle(description.model)
            let line: LineStyle = description.defense == 0 ? .solid : .dashed
            let label = description.modelLabel + (defenses > 1 ? ", \(description.defenseLabel)" : "")
            if seen.insert([description.model, description.defense]).inserted {
                legend.append(LegendEntry(label: label, color: color, line: line, marker: marker))
            }
            let points = curve(results, series: index, metric.key)
            return Series(label: label, points: points.map { Point($0.x, $0.mean) }, errors: points.map(\.std), color: color,
                          line: line, marker: marker)
        }
        return Panel(title: results.series[members[0]].attackLabel, series: series)
    }
    let caption = "Attack success against the poison fraction, one panel per attack that measures its success (mean ± std "
        + "over seeds; at 0% the rate the clean model already gives): "
        + listing(attacks.map { attack, metric in
            "\(results.series.first { $0.attack == attack }!.attackLabel): \(metric.meaning)"
        }) + "."
    return StudyFigure(name: "attack_success", caption: caption, chart: Chart(
        title: "Attack success vs. poison fraction", x: fractionAxis, y: Axis(label: "Attack success rate", range: 0...1),
        panels: panels, legend: legend, width: rowWidth(panels.count), height: 4.8 * 72))
}
