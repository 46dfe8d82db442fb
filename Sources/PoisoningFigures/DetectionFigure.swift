import Plotting
import PoisoningAnalysis
import PoisoningEngine

/// How well each defense that scores the training rows finds the poisoned ones, against the poison
/// fraction: one figure per such defense, one panel per detection metric (AUROC, precision, recall,
/// TPR at 5% FPR) and attack (a row of four panels per attack; with several attacks the metrics head the
/// columns and the attacks the rows, once each, else the metric titles its panel), one line per model in its style (colour, marker and line style, as in every figure of
/// the study), mean ± std over seeds (bars cut at 0 and 1, `clippedBars`); a panel whose models all have the same values (a defense that
/// scores the rows without the model, as the k-NN filter) draws them once, in black. The AUROC panel
/// marks a random score's 0.5, the TPR panel its 0.05; the precision panel a random removal's precision, the
/// share of the training rows poisoned, and the recall panel its recall, the share removed, each a dash-dotted
/// curve over the fractions (`chanceCurves`). Detection is shown fraction by fraction
/// because it can change sign between fractions (a defense that finds a small poison may rank a large
/// one as clean). A fraction whose AUROCs split in orientation (`OrientationSplit`) has no mean: each
/// seed's AUROC is drawn as an open marker instead, which the legend then explains
/// (`splitSeedsLegendEntry`). Empty when no defense scores the rows.
func detectionFigures(_ results: StudyResults, styles: StudyStyles) -> [StudyFigure] {
    let scored = results.series.indices.filter { index in
        results.points.contains { $0.series == index && ($0.metric(MetricKey.detectionAUROC) != nil || $0.orientationSplit(MetricKey.detectionAUROC) != nil) }
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
        var legend = [LegendEntry](), seenModels = Set<Int>(), anySame = false, anySplit = false, chanceColours = [Color](), clipped = 0
        let drawnPanels = attacks.flatMap { attack in
            metrics.map { metric in
                let drawn = members.filter { results.series[$0].attack == attack }
                let same = identicalCurves(results, drawn, keys: [metric.key])
                anySame = anySame || same
                let series = (same ? [drawn[0]] : drawn).map { index -> Series in
                    let model = results.series[index].model, style = styles.models[model]
                    if !same && seenModels.insert(model).inserted {
                        legend.append(LegendEntry(label: results.series[index].modelLabel, color: style.color, line: style.line,
                                                  marker: style.marker))
                    }
                    let points = curve(results, series: index, metric.key)
                    // Every metric lies in 0...1: a bar reaching past an end is cut there, as the caption says.
                    let bars = clippedBars(points, to: 0...1)
                    clipped += bars.clipped
                    return Series(label: same ? "every model" : results.series[index].label, points: points.map { Point($0.x, $0.mean) },
                                  intervals: bars.bars, color: same ? Color.ink : style.color, line: same ? .solid : style.line,
                                  marker: same ? .circle : style.marker)
                }
                let seeds = drawn.compactMap { index -> Series? in
                    let points = splitSeedPoints(results, series: index, metric.key)
                    guard !points.isEmpty else { return nil }
                    let style = styles.models[results.series[index].model]
                    return Series(label: "split seeds \(results.series[index].label)", points: points, color: style.color,
                                  marker: style.marker, filled: false)
                }
                anySplit = anySplit || !seeds.isEmpty
                let chance = chanceCurves(results, drawn, metric: metric.key, styles: styles)
                chanceColours += chance.map(\.color)
                // With several attacks, the metrics head the columns and the attacks the rows (`Chart.columnHeaders`).
                return Panel(title: attacks.count > 1 ? nil : metric.title, series: chance + series + seeds,
                             referenceLines: metric.chance.map { [ReferenceLine(.horizontal, at: $0, color: Color.reference, style: .dashDot)] } ?? [])
            }
        }
        let panels = singleFractionChanceLines(drawnPanels)
        if anySame { legend.append(LegendEntry(label: "every model (the same values)", color: Color.ink, line: .solid, marker: .circle)) }
        // Chance curves that differ between models are drawn in each model's colour (`chanceCurves`): the legend and caption say so.
        let modelColouredChance = chanceColours.contains { $0 != Color.reference }
        let x = poisonAxis(results, series: members)
        let label = results.series[members[0]].defenseLabel
        let repeated = kinds.filter { $0 == kinds[position] }.count > 1
        let name = "detection_" + kinds[position] + (repeated ? "_\(kinds[..<position].filter { $0 == kinds[position] }.count + 1)" : "")
        let caption = "How well \(label) finds the poisoned rows against \(x.phrase) (mean ± std over seeds): the AUROC of "
            + "its scores (0.5, dash-dotted, is a random score; below it the scores rank the poisoned rows as clean), the precision "
            + "and recall of the rows it removed or relabelled (dash-dotted, what removing rows at random would give: the share of the "
            + "training rows poisoned for precision, the share removed for recall), and the share of the poisoned rows its scores find when they may flag "
            + "5% of the clean rows (0.05, dash-dotted, for a random score)."
            + (modelColouredChance ? " Where the models' random-removal curves differ, each is drawn in its model's colour." : "")
            + (attacks.count > 1 ? " One row of panels per attack; colour, line style and marker: model." : " Colour, line style and marker: model.")
            + (anySame ? " Where every model has the same values, because the defense scores the rows without the model, they are "
                + "drawn once, in black." : "")
            + (anySplit ? " Where the seeds' AUROCs split in orientation (some at most \(fixed(0.5 - OrientationSplit.margin, decimals: 2)), "
                + "some at least \(fixed(0.5 + OrientationSplit.margin, decimals: 2))), no mean is drawn: open markers give each seed's AUROC." : "")
            + (panels.contains(where: isEmpty) ? " A panel left empty has no value to draw: the metric is undefined at every fraction there "
                + "(such as precision where the defense removed no row)." : "")
            + clippedBarsNote(clipped, range: 0...1, quantity: "a detection metric") + budgetAxisNote(x.axis)
        if anySplit { legend.append(splitSeedsLegendEntry) }
        if !chanceColours.isEmpty {
            legend.append(LegendEntry(label: "random removal (precision, recall)" + (modelColouredChance ? "; in the model's colour where models differ" : ""),
                                      color: Color.reference, line: .dashDot))
        }
        return StudyFigure(name: name, caption: caption, chart: Chart(
            title: "Detection by \(label) vs. \(x.name)", x: x.axis, y: Axis(label: "Detection", range: 0...1),
            panels: panels, legend: legend, panelWidth: panelSize(panels.count).width, panelHeight: panelSize(panels.count).height,
            columnHeaders: attacks.count > 1 ? metrics.map(\.title) : nil,
            rowHeaders: attacks.count > 1 ? attacks.map { attack in results.series.first { $0.attack == attack }!.attackLabel } : nil))
    }
}

/// The legend's entry for the open markers of AUROCs split in orientation (no mean drawn): an open
/// black circle, the shape and colour of each marker being its series'.
let splitSeedsLegendEntry = LegendEntry(label: "open marker: one seed's AUROC where the seeds split in orientation (no mean)",
                                        color: Color.ink, marker: .circle, filled: false)

/// Whether `panel` draws no measured value (only chance references, if any): its metric is undefined at
/// every fraction, as precision is where a defense removed no row.
private func isEmpty(_ panel: Panel) -> Bool {
    !panel.series.contains { !$0.label.hasPrefix("chance") && !$0.points.isEmpty }
}

/// `panels` with each chance curve of one point (`chanceCurves`, which a line cannot draw) as a dash-dotted
/// horizontal line across its panel when every value of the figure stands at that one poison fraction (a sweep
/// of something else, such as the near-clone distance, at one fraction), as the AUROC's 0.5 is drawn; else as they are.
func singleFractionChanceLines(_ panels: [Panel]) -> [Panel] {
    let fractions = Set(panels.flatMap { $0.series.filter { !$0.label.hasPrefix("chance") }.flatMap { $0.points.map(\.x) } })
    guard fractions.count == 1 else { return panels }
    return panels.map { panel in
        var panel = panel
        let single = panel.series.filter { $0.label.hasPrefix("chance") && $0.points.count == 1 }
        panel.series.removeAll { $0.label.hasPrefix("chance") && $0.points.count == 1 }
        panel.referenceLines += single.map { ReferenceLine(.horizontal, at: $0.points[0].y, color: $0.color, style: .dashDot) }
        return panel
    }
}

/// Each seed's value of `key` at the fractions where the seeds of `series` split in orientation
/// (`AggregatePoint.orientationSplits`), in run order; empty where none do.
func splitSeedPoints(_ results: StudyResults, series: Int, _ key: String) -> [Point] {
    let split = Set(results.points.filter { $0.series == series && $0.orientationSplit(key) != nil }.map(\.fraction))
    return results.runs.filter { $0.series == series && split.contains($0.fraction) }.compactMap { run in
        run.metrics?[key].map { Point(run.fraction, $0) }
    }
}

/// The chance references of a precision or recall panel of `drawn` series: removing rows at random has
/// expected precision the share of the training rows poisoned (the points' `realisedFraction`) and expected
/// recall the share removed (`removedFraction`); one dash-dotted curve, without markers, per distinct curve
/// (grey when one, else in each series' model colour). Empty for the other metrics.
func chanceCurves(_ results: StudyResults, _ drawn: [Int], metric: String, styles: StudyStyles) -> [Series] {
    guard metric == MetricKey.detectionPrecision || metric == MetricKey.detectionRecall else { return [] }
    let curves = drawn.map { index -> [Point] in
        results.points.filter { $0.series == index && $0.metric(metric) != nil }.sorted { $0.fraction < $1.fraction }.compactMap { point in
            let share = metric == MetricKey.detectionPrecision ? point.realisedFraction.mean : point.metric(MetricKey.removedFraction)?.mean
            return share.map { Point(point.fraction, $0) }
        }
    }
    var distinct = [(index: Int, points: [Point])]()
    for (index, points) in zip(drawn, curves) where !points.isEmpty && !distinct.contains(where: { $0.points == points }) {
        distinct.append((index, points))
    }
    return distinct.map { index, points in
        Series(label: "chance \(results.series[index].label)", points: points,
               color: distinct.count == 1 ? Color.reference : styles.models[results.series[index].model].color, line: .dashDot, lineWidth: 1)
    }
}
