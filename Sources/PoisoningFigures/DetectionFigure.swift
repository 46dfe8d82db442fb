import Plotting
import PoisoningAnalysis
import PoisoningEngine

/// How well each defense that scores the training rows finds the poisoned ones, against the poison
/// fraction: one figure per such defense, one panel per detection metric (AUROC, precision, recall,
/// TPR at 5% FPR), one line per attack (its colour, when the study has several) and model (its
/// marker, and its colour when there is one attack; solid for the first model, dashed for the
/// others), mean ± std over seeds. The AUROC panel marks a random score's 0.5, the TPR panel its 0.05. Detection is shown
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
    let attackCount = Set(scored.map { results.series[$0].attack }).count
    let firstModel = scored.map { results.series[$0].model }.min()
    let metrics: [(key: String, title: String, chance: Double?)] = [
        (MetricKey.detectionAUROC, "AUROC", 0.5), (MetricKey.detectionPrecision, "Precision", nil),
        (MetricKey.detectionRecall, "Recall", nil), (MetricKey.detectionTPRAt5FPR, "TPR at 5% FPR", 0.05),
    ]
    return defenses.enumerated().map { position, defense in
        let members = scored.filter { results.series[$0].defense == defense }
        // The attacks' colours (when there are several), then the models' line styles and markers.
        var attackEntries = [LegendEntry](), modelEntries = [LegendEntry](), seenAttacks = Set<Int>(), seenModels = Set<Int>()
        for index in members {
            let description = results.series[index]
            if seenAttacks.insert(description.attack).inserted && attackCount > 1 {
                attackEntries.append(LegendEntry(label: description.attackLabel, color: styles.attacks[description.attack].color,
                                                 line: .solid))
            }
            if seenModels.insert(description.model).inserted {
                modelEntries.append(LegendEntry(label: description.modelLabel,
                                                color: attackCount > 1 ? Color.ink : styles.models[description.model].color,
                                                line: description.model == firstModel ? .solid : .dashed,
                                                marker: styles.models[description.model].marker))
            }
        }
        let legend = attackEntries + modelEntries
        let panels = metrics.map { metric in
            let series = members.map { index -> Series in
                let description = results.series[index]
                let points = curve(results, series: index, metric.key)
                let color = attackCount > 1 ? styles.attacks[description.attack].color : styles.models[description.model].color
                return Series(label: description.label, points: points.map { Point($0.x, $0.mean) }, errors: points.map(\.std),
                              color: color, line: description.model == firstModel ? .solid : .dashed,
                              marker: styles.models[description.model].marker)
            }
            return Panel(title: metric.title, series: series,
                         referenceLines: metric.chance.map { [ReferenceLine(.horizontal, at: $0, color: Color.reference, style: .dashDot)] } ?? [])
        }
        let label = results.series[members[0]].defenseLabel
        let repeated = kinds.filter { $0 == kinds[position] }.count > 1
        let name = "detection_" + kinds[position] + (repeated ? "_\(kinds[..<position].filter { $0 == kinds[position] }.count + 1)" : "")
        let caption = "How well \(label) finds the poisoned rows against the poison fraction (mean ± std over seeds): the AUROC of "
            + "its scores (0.5, dash-dotted, is a random score; below it the scores rank the poisoned rows as clean), the precision "
            + "and recall of the rows it removed or relabelled, and the share of the poisoned rows its scores find when they may flag "
            + "5% of the clean rows (0.05, dash-dotted, for a random score)."
            + (attackCount > 1 ? " Colour: attack; line style and marker: model." : " Colour, line style and marker: model.")
        return StudyFigure(name: name, caption: caption, chart: Chart(
            title: "Detection by \(label) vs. poisoned share", x: fractionAxis, y: Axis(label: "Detection", range: 0...1),
            panels: panels, legend: legend, panelWidth: panelSize(panels.count).width, panelHeight: panelSize(panels.count).height))
    }
}
