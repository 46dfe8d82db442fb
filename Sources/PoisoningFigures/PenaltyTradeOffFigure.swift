import Plotting
import PoisoningAnalysis

/// The input-gradient penalty's safety-efficacy trade-off over λ (`PenaltyTradeOff`): one panel per
/// model and attack, so that each panel's y axis holds one metric (an attack's success, which differs
/// from attack to attack), titled by the attack and what its success is (and by the model when the
/// study has several), x the clean model's test accuracy and y the attack's success at the comparison
/// budget (corrected for the clean model), one point per λ joined in order of λ and labelled with it,
/// in the model's colour and marker (`StudyStyles`, as in every figure of the study), with the
/// intervals over seeds of both as capped vertical and horizontal bars. With two to four attacks, a column per
/// attack (a row per model), each column with its own y range, since their successes differ in scale. Nil unless the study sweeps
/// λ over at least two values.
func penaltyTradeOffFigure(_ results: StudyResults, styles: StudyStyles) -> StudyFigure? {
    guard let tradeOff = results.penaltyTradeOff else { return nil }
    let attacks = Array(Set(tradeOff.curves.map(\.attack))).sorted(), models = Array(Set(tradeOff.curves.map(\.model))).sorted()
    let attackLabel = { (attack: Int) in results.series.first { $0.attack == attack }!.attackLabel }
    let modelLabel = { (model: Int) in results.series.first { $0.model == model }!.modelLabel }
    let legend = models.map { model in
        LegendEntry(label: modelLabel(model), color: styles.models[model].color, line: styles.models[model].line, marker: styles.models[model].marker)
    }
    /// A bounded interval as a range, nil when an end is missing.
    func range(_ interval: Interval?) -> ClosedRange<Double>? { interval.flatMap { i in i.lower.flatMap { l in i.upper.map { l...$0 } } } }
    let curves = models.flatMap { model in attacks.compactMap { attack in tradeOff.curves.first { $0.model == model && $0.attack == attack } } }
    let panels = curves.map { curve in
        let style = styles.models[curve.model]
        let drawn = curve.points.compactMap { point in
            point.cleanAccuracy.mean.flatMap { x in point.success.mean.map { (point: point, at: Point(x, $0)) } }
        }
        let series = Series(label: results.series[drawn.first?.point.series ?? curve.points[0].series].label, points: drawn.map(\.at),
                            intervals: drawn.map { range($0.point.success.interval) },
                            xIntervals: drawn.map { range($0.point.cleanAccuracy.interval) },
                            color: style.color, line: style.line, marker: style.marker)
        // Where "λ 0.1" has no room beside its point, the same text (as the key) farther out with a leader line, so that a
        // point is never labelled by a bare number (r22d m5: "0.3" and "1" beside "λ 0" did not say what they are).
        let labels = drawn.map { point in
            let text = "λ " + PenaltyTradeOff.lambdaText(point.point.lambda)
            return PointLabel(text, at: point.at, color: style.color, key: text)
        }
        let title = [attackLabel(curve.attack) + ": " + curve.successName.prefix(1).lowercased() + curve.successName.dropFirst(),
                     models.count > 1 ? modelLabel(curve.model) : nil].compactMap { $0 }.joined(separator: ", ")
        return Panel(title: title, series: [series],
                     referenceLines: [ReferenceLine(.horizontal, at: 0, color: Color.reference, style: .dashDot)], labels: labels)
    }
    let budget = percent(tradeOff.fraction), level = confidenceText(tradeOff.confidence)
    let caption = "Input-gradient penalty: the attack's success at \(budget) poisoned against the clean model's test accuracy, one point "
        + "per λ (labelled \"λ\" and its value, beside the point or with a leader line), joined in order of λ, one panel per attack" + (models.count > 1 ? " and model" : "")
        + ", so that each y axis holds one attack's success, in the model's colour. Success is corrected for the clean model of the same "
        + "series and seed: "
        + listing(attacks.map { attack in "\(attackLabel(attack)): \(tradeOff.curves.first { $0.attack == attack }!.successMeaning)" })
        + ". Bars: \(level) intervals over seeds of the success (vertical) and of the clean accuracy (horizontal)."
    let size = panelSize(panels.count)
    // A column per attack (up to 4), each with its own y range: one attack's success (a backdoor's, near 1) can dwarf
    // another's (random flips', a few points), whose λ then crowd too close to label.
    let byAttack = (2...4).contains(attacks.count)
    return StudyFigure(name: "penalty_tradeoff", caption: caption, chart: Chart(
        title: "Input-gradient penalty: attack success vs. clean accuracy over λ",
        x: Axis(label: "Clean test accuracy (clean model)", minimumSpan: minimumFractionSpan),
        // "Effect", not "success": a panel's title names its own measure, which may be the test accuracy lost (review r22e m4).
        y: Axis(label: "Attack's effect at \(budget), corrected for clean (as each panel's title names it)", minimumSpan: minimumFractionSpan),
        panels: panels, legend: legend, panelWidth: max(size.width, 280), panelHeight: max(size.height, 210),
        maxColumns: byAttack ? attacks.count : 2, ySharing: byAttack ? .columns : .all))
}
