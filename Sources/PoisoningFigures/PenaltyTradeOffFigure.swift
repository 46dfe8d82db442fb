import Plotting
import PoisoningAnalysis

/// The input-gradient penalty's safety-efficacy trade-off over λ (`PenaltyTradeOff`): one panel per
/// model (titled by it when the study has several), one curve per attack in its own colour, x the
/// clean model's test accuracy and y the attack's success at the comparison budget (corrected for the
/// clean model), one point per λ joined in order of λ and labelled with it, with the intervals over
/// seeds of both as capped vertical bars and plain horizontal bars. Nil unless the study sweeps λ
/// over at least two values.
func penaltyTradeOffFigure(_ results: StudyResults, styles: StudyStyles) -> StudyFigure? {
    guard let tradeOff = results.penaltyTradeOff else { return nil }
    let attacks = Array(Set(tradeOff.curves.map(\.attack))).sorted(), models = Array(Set(tradeOff.curves.map(\.model))).sorted()
    let style = { (attack: Int) in SeriesStyle(index: attacks.firstIndex(of: attack)!) }
    let legend = attacks.map { attack in
        let s = style(attack)
        return LegendEntry(label: results.series.first { $0.attack == attack }!.attackLabel, color: s.color, line: s.line, marker: s.marker)
    }
    let panels = models.map { model in
        var series = [Series](), labels = [PointLabel]()
        for curve in tradeOff.curves where curve.model == model {
            let s = style(curve.attack)
            let drawn = curve.points.compactMap { point in
                point.cleanAccuracy.mean.flatMap { x in point.success.mean.map { (point: point, at: Point(x, $0)) } }
            }
            series.append(Series(label: results.series[drawn.first?.point.series ?? curve.points[0].series].label,
                                 points: drawn.map(\.at),
                                 intervals: drawn.map(\.point).map { point in
                                     point.success.interval.flatMap { i in i.lower.flatMap { l in i.upper.map { l...$0 } } }
                                 },
                                 color: s.color, line: s.line, marker: s.marker))
            for (point, at) in drawn {
                // The clean accuracy's interval as a horizontal bar through the point.
                if let lower = point.cleanAccuracy.interval?.lower, let upper = point.cleanAccuracy.interval?.upper {
                    series.append(Series(label: "clean accuracy interval", points: [Point(lower, at.y), Point(upper, at.y)],
                                         color: s.color, line: .solid, lineWidth: 0.9))
                }
                labels.append(PointLabel("λ \(PenaltyTradeOff.lambdaText(point.lambda))", at: at, color: s.color))
            }
        }
        return Panel(title: models.count > 1 ? results.series.first { $0.model == model }!.modelLabel : nil, series: series,
                     referenceLines: [ReferenceLine(.horizontal, at: 0, color: Color.reference, style: .dashDot)], labels: labels)
    }
    let budget = percent(tradeOff.fraction), level = confidenceText(tradeOff.confidence)
    let caption = "Input-gradient penalty: the attack's success at \(budget) poisoned against the clean model's test accuracy, one point "
        + "per λ (labelled), joined in order of λ, one curve per attack" + (models.count > 1 ? ", one panel per model" : "")
        + ". Success is corrected for the clean model of the same series and seed: "
        + listing(attacks.map { attack in
            let curve = tradeOff.curves.first { $0.attack == attack }!
            return "\(results.series.first { $0.attack == attack }!.attackLabel): \(curve.successMeaning)"
        }) + ". Bars: \(level) intervals over seeds of the success (vertical, capped) and of the clean accuracy (horizontal)."
    let size = panelSize(panels.count)
    return StudyFigure(name: "penalty_tradeoff", caption: caption, chart: Chart(
        title: "Input-gradient penalty: attack success vs. clean accuracy over λ",
        x: Axis(label: "Clean test accuracy (clean model)", minimumSpan: minimumFractionSpan),
        y: Axis(label: "Attack success at \(budget) (corrected for clean)", minimumSpan: minimumFractionSpan),
        panels: panels, legend: legend, panelWidth: max(size.width, 280), panelHeight: max(size.height, 210), maxColumns: 2))
}
