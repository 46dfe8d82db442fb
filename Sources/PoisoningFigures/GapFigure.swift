import Plotting
import PoisoningAnalysis
import PoisoningEngine

/// Figure 2: generalization gap (train accuracy on the poisoned labels minus clean test accuracy),
/// mean ± std per series, one panel per (attack, defense) when the study has several.
func gapFigure(_ results: StudyResults, styles: StudyStyles) -> StudyFigure {
    let unordered = panelGroups(results)
    let keys = unordered.map { (attack: results.series[$0.series[0]].attack, defense: results.series[$0.series[0]].defense) }
    let grid = facetGrid(keys), headers = facetHeaders(results, keys)
    let groups = grid.order.map { unordered[$0] }
    var legend = [LegendEntry]()
    var seenModels = Set<Int>()
    let panels = groups.map { group in
        Panel(title: headers == nil ? group.title : nil, series: group.series.map { index in
            let description = results.series[index]
            let style = styles.models[description.model], color = style.color, marker = style.marker
            if seenModels.insert(description.model).inserted {
                legend.append(LegendEntry(label: groups.count == 1 ? description.label : description.modelLabel,
                                          color: color, line: style.line, marker: marker))
            }
            let points = curve(results, series: index, MetricKey.generalizationGap)
            return Series(label: description.label, points: points.map { Point($0.x, $0.mean) },
                          errors: points.map(\.std), color: color, line: style.line, marker: marker)
        }, referenceLines: [ReferenceLine(.horizontal, at: 0, color: Color.reference, style: .solid, width: 0.8)])
    }
    let x = poisonAxis(results, series: Array(results.series.indices))
    let caption = "Generalization gap (train accuracy on the poisoned labels minus clean test accuracy), mean ± std over seeds."
        + budgetAxisNote(x.axis) + AttackNames(results).note
    return StudyFigure(name: "generalization_gap", caption: caption, chart: Chart(
        title: "Generalization gap vs. \(x.name)", x: x.axis,
        y: Axis(label: "Train (poisoned labels) − clean test accuracy", minimumSpan: minimumFractionSpan),
        panels: panels, legend: legend, panelWidth: panelSize(panels.count).width, panelHeight: panelSize(panels.count).height,
        maxColumns: grid.columns, columnHeaders: headers?.columns, rowHeaders: headers?.rows),
        pageGroups: grid.rows)
}
