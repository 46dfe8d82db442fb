import Plotting
import PoisoningAnalysis
import PoisoningEngine

/// Figure 3: one panel per series sharing the y axis, in the colour of the series' model: train
/// accuracy on the poisoned labels, clean test accuracy, and train accuracy on the true labels, told
/// apart by line style and marker. Where a series' two train accuracies are the same at every
/// fraction (its poisons keep their true labels, as gradient canceling's and clean-label attacks'
/// do), one line in a style of its own draws both, so that neither hides behind the other. When the series are
/// every pair of two to four models and two or more attacks under one defense, the panels form a grid with a column
/// per model and a row per attack, each named once in a header (`modelAttackGrid`); otherwise a panel is titled by
/// the series' model, attack and defense where the study has more than one of each. Attacks are named as
/// `AttackNames` names them, the caption saying what every attack shares.
func trainVersusTestFigure(_ results: StudyResults, styles: StudyStyles) -> StudyFigure {
    typealias Quantity = (label: String, key: String, line: LineStyle, marker: MarkerShape)
    let poisonedLabels: Quantity = ("train accuracy (poisoned labels)", MetricKey.trainAccuracy, .dashed, .circle)
    let test: Quantity = ("clean test accuracy", MetricKey.testAccuracy, .solid, .square)
    let trueLabels: Quantity = ("train accuracy (true labels)", MetricKey.trainCleanAccuracy, .dotted, .triangleUp)
    let bothLabels: Quantity = ("train accuracy (poisoned labels = true labels)", MetricKey.trainAccuracy, .dashDot, .diamond)
    let chance = 1 / Double(results.data.classCount)
    var drawn = [Quantity]()
    var clipped = 0
    let grid = modelAttackGrid(results)
    let panels = (grid?.order ?? Array(results.series.indices)).map { index in
        let train = curve(results, series: index, MetricKey.trainAccuracy)
        let same = !train.isEmpty && train.elementsEqual(curve(results, series: index, MetricKey.trainCleanAccuracy)) { $0 == $1 }
        let quantities = same ? [bothLabels, test] : [poisonedLabels, test, trueLabels]
        for quantity in quantities where !drawn.contains(where: { $0.label == quantity.label }) { drawn.append(quantity) }
        return Panel(title: grid == nil ? facetTitle(results, index, axes: [.model, .attack, .defense]) : nil, series: quantities.map { quantity in
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
        + budgetAxisNote(x) + AttackNames(results).note
    return StudyFigure(name: "train_vs_test", caption: caption, chart: Chart(
        title: "Train vs. test accuracy under poisoning", x: x,
        y: Axis(label: "Accuracy", range: 0...1), panels: panels, legend: legend, panelWidth: panelSize(panels.count).width,
        panelHeight: panelSize(panels.count).height, maxColumns: grid?.columnHeaders.count ?? 4,
        columnHeaders: grid?.columnHeaders, rowHeaders: grid?.rowHeaders),
        pageGroups: grid.map { grid in grid.order.map { results.series[$0].attack } })
}

/// The series as a grid of a column per model and a row per attack, when they are every pair of two to four
/// models and two or more attacks, once, under one defense: the series in row order, the models' labels as column
/// headers and the attacks' names (`AttackNames`) as row headers. Nil otherwise.
func modelAttackGrid(_ results: StudyResults) -> (order: [Int], columnHeaders: [String], rowHeaders: [String])? {
    let series = results.series
    let models = Array(Set(series.map(\.model))).sorted(), attacks = Array(Set(series.map(\.attack))).sorted()
    guard (2...4).contains(models.count), attacks.count > 1, Set(series.map(\.defense)).count == 1,
          series.count == models.count * attacks.count, Set(series.map { [$0.model, $0.attack] }).count == series.count else { return nil }
    let order = series.indices.sorted { (series[$0].attack, series[$0].model) < (series[$1].attack, series[$1].model) }
    let names = AttackNames(results)
    return (order, models.map { model in series.first { $0.model == model }!.modelLabel }, attacks.map(names.name))
}
