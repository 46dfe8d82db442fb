import Plotting
import PoisoningAnalysis
import PoisoningEngine

/// Figure 3: one panel per series sharing the y axis, in the colour of the series' model: train
/// accuracy on the poisoned labels, clean test accuracy, and train accuracy on the true labels, told
/// apart by line style and marker. Where a series' two train accuracies are the same at every
/// fraction (its poisons keep their true labels, as gradient canceling's and clean-label attacks'
/// do), one line in a style of its own draws both, so that neither hides behind the other. A panel
/// is titled by the series' model, attack and defense where the study has more than one of each.
func trainVersusTestFigure(_ results: StudyResults, styles: StudyStyles) -> StudyFigure {
    typealias Quantity = (label: String, key: String, line: LineStyle, marker: MarkerShape)
    let poisonedLabels: Quantity = ("train accuracy (poisoned labels)", MetricKey.trainAccuracy, .dashed, .circle)
    let test: Quantity = ("clean test accuracy", MetricKey.testAccuracy, .solid, .square)
    let trueLabels: Quantity = ("train accuracy (true labels)", MetricKey.trainCleanAccuracy, .dotted, .triangleUp)
    let bothLabels: Quantity = ("train accuracy (poisoned labels = true labels)", MetricKey.trainAccuracy, .dashDot, .diamond)
    let chance = 1 / Double(results.data.classCount)
    var drawn = [Quantity]()
    var clipped = 0
    let panels = results.series.indices.map { index in
        let train = curve(results, series: index, MetricKey.trainAccuracy)
        let same = !train.isEmpty && train.elementsEqual(curve(results, series: index, MetricKey.trainCleanAccuracy)) { $0 == $1 }
        let quantities = same ? [bothLabels, test] : [poisonedLabels, test, trueLabels]
        for quantity in quantities where !drawn.contains(where: { $0.label == quantity.label }) { drawn.append(quantity) }
        return Panel(title: facetTitle(results, index, axes: [.model, .attack, .defense]), series: quantities.map { quantity in
            let points = curve(results, series: index, quantity.key)
            let bars = clippedBars(points, to: 0...1)
            clipped += bars.clipped
            return Series(label: quantity.label, points: points.map { Point($0.x, $0.mean) }, intervals: bars.bars,
                          color: styles.models[results.series[index].model].color, line: quantity.line, marker: quantity.marker,
                          markerSize: 5.5)
        }, referenceLines: [ReferenceLine(.horizontal, at: chance, color: Color.reference, style: .dashDot)])
    }
    // The legend in a fixed order, with the quantities some panel draws.
    var legend = [poisonedLabels, test, trueLabels, bothLabels].filter { quantity in drawn.contains { $0.label == quantity.label } }
        .map { LegendEntry(label: $0.label, color: Color.ink, line: $0.line, marker: $0.marker) }
    legend.append(LegendEntry(label: String(format: "chance (%.2f)", chance), color: Color.reference, line: .dashDot))
    let merged = drawn.contains { $0.label == bothLabels.label }
    let x = poisonAxis(results, series: Array(results.series.indices)).axis
    let caption = "Train accuracy on the poisoned labels (dashed), clean test accuracy (solid) and train accuracy on the true labels "
        + "(dotted), one panel per series in its model's colour"
        + (merged ? "; where the two train accuracies are the same at every fraction (the poisons keep their true labels), one "
            + "dash-dotted line with diamonds draws both." : ".") + clippedBarsNote(clipped, range: 0...1, quantity: "an accuracy")
        + budgetAxisNote(x)
    return StudyFigure(name: "train_vs_test", caption: caption, chart: Chart(
        title: "Train vs. test accuracy under poisoning", x: x,
        y: Axis(label: "Accuracy", range: 0...1), panels: panels, legend: legend, panelWidth: panelSize(panels.count).width,
        panelHeight: panelSize(panels.count).height))
}
