import Plotting
import PoisoningAnalysis
import PoisoningEngine

/// How well each scoring defense finds the poisoned rows: detection AUROC (mean ± std over seeds)
/// against the poison fraction, one line per defense and model, one panel per attack, with the
/// chance level 0.5. Nil when no defense scores the rows.
func detectionFigure(_ results: StudyResults) -> StudyFigure? {
    let scored = results.series.indices.filter { index in
        results.points.contains { $0.series == index && $0.metric(MetricKey.detectionAUROC) != nil }
    }
    guard !scored.isEmpty else { return nil }
    let attacks = Array(Set(scored.map { results.series[$0].attack })).sorted()
    var legend = [LegendEntry](), seen = Set<[Int]>()
    let panels = attacks.map { attack in
        let series = scored.filter { results.series[$0].attack == attack }.map { index -> Series in
            let description = results.series[index]
            let color = Color.colorBlindSafe[description.defense % Color.colorBlindSafe.count]
            let marker = MarkerShape.allCases[description.model % MarkerShape.allCases.count]
            let line: LineStyle = description.model == results.series[scored[0]].model ? .solid : .dashed
            if seen.insert([description.defense, description.model]).inserted {
                legend.append(LegendEntry(label: "\(description.defenseLabel), \(description.modelLabel)", color: color, line: line,
                                          marker: marker))
            }
            let points = curve(results, series: index, MetricKey.detectionAUROC)
            return Series(label: description.label, points: points.map { Point($0.x, $0.mean) }, errors: points.map(\.std),
                          color: color, line: line, marker: marker)
        }
        return Panel(title: results.series.first { $0.attack == attack }!.attackLabel, series: series,
                     referenceLines: [ReferenceLine(.horizontal, at: 0.5, color: Color.reference, style: .dashDot)])
    }
    let caption = "Detection AUROC of each defense that scores the training rows against the poison fraction (mean ± std over "
        + "seeds; 0.5, dash-dotted, is a random score; 1 ranks every poisoned row above every clean one)."
    return StudyFigure(name: "detection_auroc", caption: caption, chart: Chart(
        title: "Detection of the poisoned rows vs. poison fraction", x: fractionAxis, y: Axis(label: "Detection AUROC", range: 0...1),
        panels: panels, legend: legend, width: rowWidth(panels.count), height: 4.8 * 72))
}
