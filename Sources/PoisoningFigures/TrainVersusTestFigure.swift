import Plotting
import PoisoningAnalysis
import PoisoningEngine

/// Figure 3: one panel per series sharing the y axis, in the colour of the series' model: train
/// accuracy on the poisoned labels, clean test accuracy, and train accuracy on the true labels, told
/// apart by line style and marker. A panel is titled by the series' model, attack and defense where
/// the study has more than one of each.
func trainVersusTestFigure(_ results: StudyResults, styles: StudyStyles) -> StudyFigure {
    let metrics: [(label: String, key: String, line: LineStyle, marker: MarkerShape)] = [
        ("train accuracy (poisoned labels)", MetricKey.trainAccuracy, .dashed, .circle),
        ("clean test accuracy", MetricKey.testAccuracy, .solid, .square),
        ("train accuracy (true labels)", MetricKey.trainCleanAccuracy, .dotted, .triangleUp),
    ]
    let chance = 1 / Double(results.data.classCount)
    let panels = results.series.indices.map { index in
        Panel(title: facetTitle(results, index, axes: [.model, .attack, .defense]), series: metrics.map { metric in
            let points = curve(results, series: index, metric.key)
            return Series(label: metric.label, points: points.map { Point($0.x, $0.mean) }, errors: points.map(\.std),
                          color: styles.models[results.series[index].model].color, line: metric.line, marker: metric.marker,
                          markerSize: 5.5)
        }, referenceLines: [ReferenceLine(.horizontal, at: chance, color: Color.reference, style: .dashDot)])
    }
    var legend = metrics.map { LegendEntry(label: $0.label, color: Color.ink, line: $0.line, marker: $0.marker) }
    legend.append(LegendEntry(label: String(format: "chance (%.2f)", chance), color: Color.reference, line: .dashDot))
    return StudyFigure(name: "train_vs_test", caption: "Train accuracy on the poisoned labels (dashed), clean test accuracy (solid) and train accuracy on the true labels (dotted), one panel per series in its model's colour.", chart: Chart(
        title: "Train vs. test accuracy under poisoning", x: poisonAxis(results, series: Array(results.series.indices)).axis,
        y: Axis(label: "Accuracy", range: 0...1), panels: panels, legend: legend, panelWidth: panelSize(panels.count).width,
        panelHeight: panelSize(panels.count).height))
}
