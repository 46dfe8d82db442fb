import Foundation
import Plotting
import PoisoningAnalysis
import PoisoningEngine

/// Lu, Kamath and Yu's threshold τ against what gradient canceling did: one panel per
/// gradient-canceling series (titled by its model and attack, so by its target), over the poison
/// budget ε (`budgetAxis`), the retrained victim's agreement with its target and its test accuracy
/// (means over seeds; the agreement over the runs whose victim converged, `unconvergedVictimNote`) in the colour of the series' model and told apart by line style and marker,
/// the target's accuracy as a horizontal line and the threshold that applies (τ_w or τ, `thresholdName`)
/// as a grey vertical band spanning its values over the seeds (a line when they coincide). The mixed gradient's norm, which spans decades, has its own
/// figure on a log axis (`gradientRatioFigure`). Nil when the study has no gradient-canceling series.
func poisonabilityFigure(_ results: StudyResults, styles: StudyStyles) -> StudyFigure? {
    let members = gradientCancelingSeries(results)
    guard !members.isEmpty else { return nil }
    let quantities: [(label: String, line: LineStyle, marker: MarkerShape, key: String)] = [
        ("agreement with target", .dashed, .square, MetricKey.targetAgreement),
        ("victim's test accuracy", .dotted, .triangleUp, MetricKey.testAccuracy),
    ]
    let tauColor = Color.reference
    let filled = members.map { series -> Panel in
        let evidence = PoisonabilityEvidence(results, series: series)
        let points = results.points.filter { $0.series == series }.sorted { $0.fraction < $1.fraction }
        let color = styles.models[results.series[series].model].color
        let drawn = quantities.map { quantity in
            Series(label: quantity.label, points: points.compactMap { p in p.metric(quantity.key).map { Point(p.fraction, $0.mean) } },
                   color: color, line: quantity.line, marker: quantity.marker, markerSize: 5.5)
        }
        var lines = [ReferenceLine]()
        if !evidence.targetAccuracy.isNaN {
            lines.append(ReferenceLine(.horizontal, at: evidence.targetAccuracy, color: Color.reference, style: .dashDot))
        }
        var bands = [Band]()
        if results.thresholdDerived(series: series), let low = evidence.taus.min(), let high = evidence.taus.max() {
            if high > low {
                bands.append(Band(x: [low, high], lower: [0, 0], upper: [1, 1], color: tauColor, opacity: 0.25))
            } else {
                lines.append(ReferenceLine(.vertical, at: low, color: tauColor, style: .solid, width: 2))
            }
        }
        return Panel(title: facetTitle(results, series, axes: [.model, .attack, .defense]) ?? results.series[series].label,
                     series: drawn, referenceLines: lines, bands: bands)
    }
    // A quantity no panel draws (the agreement, where no victim converged) has no legend entry.
    let shown = quantities.filter { quantity in filled.contains { $0.series.contains { $0.label == quantity.label && !$0.points.isEmpty } } }
    let agreementShown = shown.contains { $0.key == MetricKey.targetAgreement }
    var legend = shown.map { LegendEntry(label: $0.label, color: Color.ink, line: $0.line, marker: $0.marker) }
    legend.append(LegendEntry(label: "target's test accuracy", color: Color.reference, line: .dashDot))
    legend.append(LegendEntry(label: "\(thresholdLabel(results, members)) over the seeds", color: tauColor, swatch: .box))
    let x = budgetAxis(results, members)
    let caption = "Gradient canceling against the predicted threshold \(thresholdName(results, members)) (Lu et al. 2023), one panel per series: over the poison "
        + "budget ε (poisons per clean row), "
        + (agreementShown ? "the share of test rows on which the retrained victim agrees with the target, and the victim's test accuracy"
                          : "the retrained victim's test accuracy")
        + " (means over seeds), in the colour of the series' model and told apart by line style and marker; the target's "
        + "accuracy dash-dotted, the threshold shaded grey over its range across seeds (a line "
        + "where the seeds agree). " + thresholdNote(results, members) + " Below it no poison set can make the target stationary; "
        + "the mixed gradient's norm is drawn on a log axis in the next figure."
        + budgetAxisNote(x)
        + unconvergedVictimNote(results, series: members)
        + thresholdScopeNote(results, members)
        + AttackNames(results).note
    return StudyFigure(name: "poisonability", caption: caption, chart: Chart(
        title: agreementShown ? "Victim's agreement with the target and accuracy vs. budget ε" : "Victim's accuracy vs. budget ε",
        x: x, y: Axis(label: agreementShown ? "Agreement, accuracy" : "Accuracy", minimumSpan: minimumFractionSpan), panels: filled, legend: legend,
        panelWidth: panelSize(filled.count).width, panelHeight: panelSize(filled.count).height))
}

/// What a caption says when the agreement with the target (`MetricKey.targetAgreement`), or its excess
/// over the clean model (`key`), it draws for series `series` leaves runs out, its points' means being
/// over the runs whose retrained victim converged (`RunResult.countedMetric`), and for the excess whose
/// clean model's victim did too (`Study.withCleanBaselines`): " The agreement with the target is over
/// the runs whose retrained victim converged …: 12 of 40 runs at positive budgets are left out."; empty
/// when none is.
func unconvergedVictimNote(_ results: StudyResults, series: [Int], key: String = MetricKey.targetAgreement) -> String {
    let excess = key.hasSuffix(MetricKey.excessSuffix)
    // Every run that records the rate counts: an excess is absent where the clean model's victim did not converge.
    let rate = MetricKey.rate(of: key)
    let recorded = results.runs.filter { series.contains($0.series) && $0.fraction > 0 && $0.metrics?[rate] != nil }
    let leftOut = recorded.filter { $0.countedMetric(key) == nil }.count
    guard leftOut > 0 else { return "" }
    return (excess ? " The agreement's excess over the clean model is over the runs whose retrained victim and clean model's victim "
                   : " The agreement with the target is over the runs whose retrained victim ")
        + "converged (gradient norm at most "
        + "1e\(Int(log10(MetricKey.victimGradientTolerance).rounded())) on its training rows; an unconverged one measures where its training "
        + "stopped as much as the poisons): \(leftOut) of \(recorded.count) runs at positive budgets are left out"
        + (leftOut == recorded.count ? ", so no \(excess ? "excess" : "agreement") is drawn." : ".")
}
