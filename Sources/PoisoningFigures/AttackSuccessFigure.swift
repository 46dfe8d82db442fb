import Plotting
import PoisoningAnalysis
import PoisoningEngine

/// The success of every attack that measures its own (class-flip, backdoor, feature collision)
/// against the poison fraction (`curve`): one panel per such attack and defense (titled by the
/// attack and the defense where the figure draws more than one of each, as `facetTitle` titles the
/// accuracy figure's panels; a single attack is named in the figure's title), one line per model in its colour
/// (mean ± std over seeds). A rate with a clean-model baseline is drawn as its excess over the clean
/// model of the same series and seed, so the figure leads with what the poison adds; the clean
/// model's own rate (a rate, not an excess, which on the same axis the curves would seem to cross)
/// is given as text in the panel's title (`cleanRateText`), or once, in the caption, when every panel has the
/// same. The y axis always leaves a margin below 0
/// and above 1, so that no zero line or point sits on the frame. A panel whose models all have the same values (a success
/// measured on the attacker's own model, as svm-gradient's SVM, does not depend on the victim) draws
/// them once, in black, named by the model it is measured on. Nil when no attack of the study
/// measures its success.
func attackSuccessFigure(_ results: StudyResults, styles: StudyStyles) -> StudyFigure? {
    var metrics = [Int: MetricInfo]()
    for attack in Set(results.series.map(\.attack)) {
        if let index = results.series.firstIndex(where: { $0.attack == attack }), let metric = results.successMetric(of: index) {
            metrics[attack] = metric
        }
    }
    guard !metrics.isEmpty else { return nil }
    let several = Set(results.series.map(\.defense)).count > 1
    let drawn = results.series.indices.filter { metrics[results.series[$0].attack] != nil }
    let singleAttack = Set(drawn.map { results.series[$0].attack }).count == 1
    // Panels in study order of attack, then defense.
    let pairs = Array(Set(results.series.filter { metrics[$0.attack] != nil }.map { [$0.attack, $0.defense] }))
        .sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }
    let keys = pairs.map { (attack: $0[0], defense: $0[1]) }
    let grid = facetGrid(keys), headers = facetHeaders(results, keys)
    let groups = grid.order.map { pairs[$0] }
    var legend = [LegendEntry](), seen = Set<Int>(), merged = [String]()
    var lowest = 0.0, highest = 1.0
    // Each panel's clean-model rate (`cleanRateText`), nil for a metric without a baseline.
    var cleanRates = [String?]()
    var panels = groups.map { group in
        let (attack, metric) = (group[0], metrics[group[0]]!)
        let members = results.series.indices.filter { results.series[$0].attack == attack && results.series[$0].defense == group[1] }
        let keys = metric.hasBaseline ? [metric.excess.key, metric.baseline.key] : [metric.key]
        // Several models with the same values: one line, named by what it is measured on.
        let same = identicalCurves(results, members, keys: keys)
        let curves = (same ? [members[0]] : members).map { index in
            (index: index, success: curve(results, series: index, keys[0]), baseline: metric.hasBaseline ? curve(results, series: index, keys[1]) : [])
        }
        let series = curves.flatMap { entry -> [Series] in
            let description = results.series[entry.index]
            let label: String, style: (color: Color, line: LineStyle, marker: MarkerShape)
            if same {
                label = (results.successModel(of: entry.index) ?? "every model") + " (the same for every model)"
                style = (Color.ink, .solid, .circle)
                if !merged.contains(label) {
                    merged.append(label)
                    legend.append(LegendEntry(label: label, color: style.color, line: style.line, marker: style.marker))
                }
            } else {
                label = description.label
                let model = styles.models[description.model]
                style = (model.color, model.line, model.marker)
                if seen.insert(description.model).inserted {
                    legend.append(LegendEntry(label: description.modelLabel, color: style.color, line: style.line, marker: style.marker))
                }
            }
            lowest = min(lowest, entry.success.map { $0.mean - $0.std }.min() ?? 0)
            highest = max(highest, entry.success.map { $0.mean + $0.std }.max() ?? 1)
            return [Series(label: label, points: entry.success.map { Point($0.x, $0.mean) }, errors: entry.success.map(\.std),
                           color: style.color, line: style.line, marker: style.marker)]
        }
        cleanRates.append(metric.hasBaseline ? cleanRateText(curves.compactMap { $0.baseline.first?.mean }) : nil)
        return Panel(title: headers == nil ? facetTitle(results, members[0], axes: [.attack, .defense], among: drawn) : nil,
                     series: series,
                     referenceLines: [ReferenceLine(.horizontal, at: 0, color: Color.reference, style: .dashDot)])
    }
    // One clean rate for every panel is said once, in the caption; else each panel's title gives its own.
    let sharedRate = Set(cleanRates).count == 1 ? cleanRates[0] : nil
    if sharedRate == nil {
        for (index, rate) in cleanRates.enumerated() {
            guard let rate else { continue }
            panels[index].title = [panels[index].title, "clean model's rate \(rate)"].compactMap { $0 }.joined(separator: "; ")
        }
    }
    let corrected = metrics.values.contains { $0.hasBaseline }
    let x = poisonAxis(results, series: results.series.indices.filter { metrics[results.series[$0].attack] != nil })
    // Short: what is drawn and the level. What each attack's metric measures is said once, in its section of the report.
    let caption = "Attack success against \(x.phrase), one panel per attack that measures its "
        + "success" + (several ? " and defense" : "") + ", mean ± std over seeds"
        + (corrected ? "; a rate the clean model already has as its excess over the clean model of the same series and "
            + "seed, " + (sharedRate.map { "the clean model's mean rate \($0)" + (panels.count > 1 ? " in every panel" : "") }
                ?? "the clean model's mean rate in the panel's title") : "") + "."
        + (merged.isEmpty ? "" : " Models with the same values (measured on the attacker's own model): one line, in black.")
        // The excess is drawn where the metric has a baseline: its own count of runs left out.
        + (metrics.keys.sorted().compactMap { metrics[$0] }.first { MetricKey.convergedVictimKeys.contains($0.key) }.map {
            unconvergedVictimNote(results, series: drawn, key: $0.hasBaseline ? $0.excess.key : $0.key)
        } ?? "")
        + differingShareNote(results) + budgetAxisNote(x.axis) + (singleAttack ? "" : AttackNames(results).note)
    // A margin below 0 and above 1 (or the data's reach, in tenths), so that the zero line and no point sit on the frame.
    let floor = lowest < 0 ? -(((-lowest) * 10).rounded(.up) / 10) : 0, ceiling = (highest * 10).rounded(.up) / 10
    return StudyFigure(name: "attack_success", caption: caption, chart: Chart(
        title: singleAttack ? "Success of \(results.series[drawn[0]].attackLabel) vs. \(x.name)" : "Attack success vs. \(x.name)", x: x.axis,
        y: Axis(label: corrected ? "Success (excess over the clean model)" : "Attack success rate",
                range: (floor - successAxisMargin)...(ceiling + successAxisMargin)),
        panels: panels, legend: legend, panelWidth: panelSize(panels.count).width, panelHeight: panelSize(panels.count).height,
        maxColumns: grid.columns, columnHeaders: headers?.columns, rowHeaders: headers?.rows),
        pageGroups: grid.rows)
}

/// The margin the attack-success figure's y axis leaves beyond its data's reach (0 to 1 at least).
let successAxisMargin = 0.05

/// The clean model's rate of a panel's series (`rates`, their means over seeds) as text: "0.05", or
/// "0.02–0.05" when the series differ (two decimals, as the report's rates); nil without one.
func cleanRateText(_ rates: [Double]) -> String? {
    guard let low = rates.min(), let high = rates.max() else { return nil }
    let (lowText, highText) = (String(format: "%.2f", low), String(format: "%.2f", high))
    return lowText == highText ? lowText : "\(lowText)–\(highText)"
}
