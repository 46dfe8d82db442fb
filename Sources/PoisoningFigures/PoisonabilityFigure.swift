import Plotting
import PoisoningAnalysis
import PoisoningEngine

/// Lu, Kamath and Yu's threshold τ against what gradient canceling did: one panel per
/// gradient-canceling series (titled by its model and attack, so by its target), over the poison
/// budget ε, the mixed gradient's norm relative to the clean one, the retrained victim's agreement
/// with its target and its test accuracy (means over seeds) in the colour of the series' model and
/// told apart by line style and marker, the target's accuracy as a horizontal line and τ as a grey
/// vertical band spanning its values over the seeds (a line when they coincide).
/// Nil when the study has no gradient-canceling series.
func poisonabilityFigure(_ results: StudyResults, styles: StudyStyles) -> StudyFigure? {
    let members = results.series.indices.filter { series in
        results.config.attacks[results.series[series].attack].value(at: "kind") == .string(GradientCanceling.kind)
    }
    guard !members.isEmpty else { return nil }
    let quantities: [(label: String, line: LineStyle, marker: MarkerShape)] = [
        ("mixed / clean gradient norm", .solid, .circle),
        ("agreement with target", .dashed, .square),
        ("victim's test accuracy", .dotted, .triangleUp),
    ]
    let tauColor = Color.reference
    // Per series: its evidence, points and the ratio curve (1 at ε = 0: no poisons, the mixture is the clean rows).
    let curves = members.map { series in
        let evidence = PoisonabilityEvidence(results, series: series)
        let points = results.points.filter { $0.series == series }.sorted { $0.fraction < $1.fraction }
        let ratios = (points.first?.fraction == 0 ? [Point(0, 1)] : [])
            + evidence.fractions.filter { !$0.gradientRatio.isNaN }.map { Point($0.fraction, $0.gradientRatio) }
        return (series: series, evidence: evidence, points: points, ratios: ratios)
    }
    // One y axis for every panel, up to the largest ratio when a poison set made the gradient larger.
    let top = max(1, curves.flatMap { $0.ratios.map(\.y) }.max() ?? 1)
    let filled = curves.map { curve -> Panel in
        let agreement = curve.points.compactMap { p in p.metric(MetricKey.targetAgreement).map { Point(p.fraction, $0.mean) } }
        let accuracy = curve.points.compactMap { p in p.metric(MetricKey.testAccuracy).map { Point(p.fraction, $0.mean) } }
        let color = styles.models[results.series[curve.series].model].color
        let drawn = zip(quantities, [curve.ratios, agreement, accuracy]).map { quantity, values in
            Series(label: quantity.label, points: values, color: color, line: quantity.line, marker: quantity.marker, markerSize: 5.5)
        }
        var lines = [ReferenceLine]()
        if !curve.evidence.targetAccuracy.isNaN {
            lines.append(ReferenceLine(.horizontal, at: curve.evidence.targetAccuracy, color: Color.reference, style: .dashDot))
        }
        var bands = [Band]()
        if let low = curve.evidence.taus.min(), let high = curve.evidence.taus.max() {
            if high > low {
                bands.append(Band(x: [low, high], lower: [0, 0], upper: [top, top], color: tauColor, opacity: 0.25))
            } else {
                lines.append(ReferenceLine(.vertical, at: low, color: tauColor, style: .solid, width: 2))
            }
        }
        return Panel(title: facetTitle(results, curve.series, axes: [.model, .attack, .defense]) ?? results.series[curve.series].label,
                     series: drawn, referenceLines: lines, bands: bands)
    }
    var legend = quantities.map { LegendEntry(label: $0.label, color: Color.ink, line: $0.line, marker: $0.marker) }
    legend.append(LegendEntry(label: "target's test accuracy", color: Color.reference, line: .dashDot))
    legend.append(LegendEntry(label: "τ over the seeds", color: tauColor, swatch: .box))
    let caption = "Gradient canceling against the predicted threshold τ (Lu et al. 2023), one panel per series: over the poison "
        + "budget ε (poisons per clean row), the norm of the gradient at the target on the clean rows and poisons relative to "
        + "the clean rows' alone, the share of test rows on which the retrained victim agrees with the target, and the victim's "
        + "test accuracy (means over seeds), in the colour of the series' model and told apart by line style and marker; the target's "
        + "accuracy dash-dotted, τ shaded grey over its range across seeds (a line "
        + "where the seeds agree). Below τ no poison set can make the target stationary; above it the ratio can fall to 0."
        + (members.contains { results.tauIsLowerBound(series: $0) } ? " An MLP's τ is its last layer's, a lower bound on the budget." : "")
    return StudyFigure(name: "poisonability", caption: caption, chart: Chart(
        title: "Predicted threshold τ vs. gradient canceling",
        x: Axis(label: "Poison budget ε (poisons per clean row)", format: .percent),
        y: Axis(label: "Ratio, agreement, accuracy", range: 0...top), panels: filled, legend: legend,
        panelWidth: panelSize(filled.count).width, panelHeight: panelSize(filled.count).height))
}
