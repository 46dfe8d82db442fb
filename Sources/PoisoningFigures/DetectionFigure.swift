import Plotting
import PoisoningAnalysis
import PoisoningEngine

/// How well each defense that scores the training rows finds the poisoned ones, against the poison
/// fraction: one figure per such defense, one panel per detection metric (AUROC, precision, recall,
/// TPR at 5% FPR) and attack (a row of four panels per attack, titled by it when the study has
/// several), one line per model in its style (colour, marker and line style, as in every figure of
/// the study), mean ± std over seeds. The AUROC panel marks a random score's 0.5, the TPR panel its 0.05. Detection is shown
/// fraction by fraction because it can change sign between fractions (a defense that finds a small
/// poison may rank a large one as clean). Empty when no defense scores the rows.
func detectionFigures(_ results: StudyResults, styles: StudyStyles) -> [StudyFigure] {
    let scored = results.series.indices.filter { index in
        results.points.contains { $0.series == index && $0.metric(MetricKey.detectionAUROC) != nil }
    }
    let defenses = Array(Set(scored.map { results.series[$0].defense })).sorted()
    let kinds = defenses.map { defense -> String in
        guard case .string(let kind)? = results.config.defenses[defense].value(at: "kind") else { return "defense" }
        return kind.replacingOccurrences(of: "-", with: "_")
    }
    let metrics: [(key: String, title: String, chance: Double?)] = [
        (MetricKey.detectionAUROC, "AUROC", 0.5), (MetricKey.detectionPrecision, "Precision", nil),
        (MetricKey.detectionRecall, "Recall", nil), (MetricKey.detectionTPRAt5FPR, "TPR at 5% FPR", 0.05),
    ]
    return defenses.enumerated().map { position, defense in
        let members = scored.filter { results.series[$0].defense == defense }
        let attacks = Array(Set(members.map { results.series[$0].attack })).sorted()
        var legend = [LegendEntry](), seenModels = Set<Int>()
        for index in members where seenModels.insert(results.series[index].model).inserted {
            let style = styles.models[results.series[index].model]
            legend.append(LegendEntry(label: results.series[index].modelLabel, color: style.color, line: style.line, marker: style.marker))
        }
        let panels = attacks.flatMap { attack in
            metrics.map { metric in
                let series = members.filter { results.series[$0].attack == attack }.map { index -> Series in
                    let style = styles.models[results.series[index].model]
                    let points = curve(results, series: index, metric.key)
                    return Series(label: results.series[index].label, points: points.map { Point($0.x, $0.mean) },
                                  errors: points.map(\.std), color: style.color, line: style.line, marker: style.marker)
                }
                let attackLabel = results.series.first { $0.attack == attack }!.attackLabel
                return Panel(title: metric.title + (attacks.count > 1 ? ", \(attackLabel)" : ""), series: series,
                             referenceLines: metric.chance.map { [ReferenceLine(.horizontal, at: $0, color: Color.reference, style: .dashDot)] } ?? [])
            }
        }
        let x = poisonAxis(results, series: members)
        let label = results.series[members[0]].defenseLabel
        let repeated = kinds.filter { $0 == kinds[position] }.count > 1
        let name = "detection_" + kinds[position] + (repeated ? "_\(kinds[..<position].filter { $0 == kinds[position] }.count + 1)" : "")
        let caption = "How well \(label) finds the poisoned rows against \(x.phrase) (mean ± std over seeds): the AUROC of "
            + "its scores (0.5, dash-dotted, is a random score; below it the scores rank the poisoned rows as clean), the precision "
            + "and recall of the rows it removed or relabelled, and the share of the poisoned rows its scores find when they may flag "
            + "5% of the clean rows (0.05, dash-dotted, for a random score)."
            + (attacks.count > 1 ? " One row of panels per attack; colour, line style and marker: model." : " Colour, line style and marker: model.")
        return StudyFigure(name: name, caption: caption, chart: Chart(
            title: "Detection by \(label) vs. \(x.name)", x: x.axis, y: Axis(label: "Detection", range: 0...1),
            panels: panels, legend: legend, panelWidth: panelSize(panels.count).width, panelHeight: panelSize(panels.count).height))
    }
}
