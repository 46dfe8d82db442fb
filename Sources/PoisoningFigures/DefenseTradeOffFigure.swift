import Plotting
import PoisoningAnalysis
import PoisoningEngine

/// The success metrics of the attacks that aim elsewhere than at the victim's clean accuracy: a
/// backdoor's trigger, a class flip's target class, a feature collision's target row. The defense
/// trade-off judges a defense by the clean-accuracy threshold, which says nothing of a defense
/// against them, so it leaves them out (the report's defense table gives the change in their success).
let targetedSuccessKeys: Set<String> = Set([Backdoor.successMetricKey, ClassFlip.successMetricKey, FeatureCollision.successMetricKey].compactMap { $0 })

/// The safety-efficacy trade-off of the defenses: one point per defense in its colour and marker, one
/// panel per attack and model that has a point to draw (titled by the models when the study has
/// several, and by the attacks, as `AttackNames` names them, when more than one is drawn; a single attack is named
/// once, in the figure's title), the caption naming the panels left out for want of a point, x the clean
/// accuracy the defense costs (undefended minus defended, at the smallest fraction), y the critical
/// threshold it gains (defended minus undefended), with its interval as a capped vertical bar when
/// both ends are bounded and the cost's interval as a capped horizontal bar (the intervals of the
/// report's table of defenses, their level in the caption), each point in its defense's colour and
/// marker (`StudyStyles`, as in every figure of the study), and the defense's name beside its point, or its number (the legend numbers
/// the defenses) where the name has no room. A gain whose sign the runs do not resolve
/// (`DefenseFinding.shiftResolved`) is drawn open, with a legend entry saying so. Points that would
/// hide one another are set apart sideways (`Panel.dodge`), so that each label sits by its own
/// marker. Panels are at least 280 × 240 points, room for a dozen labels. Points whose gain is
/// only bounded or unknown (a threshold outside the swept fractions) have no gain to draw and are
/// left out, and so are the attacks that do not aim at clean accuracy (`targetedSuccessKeys`), which
/// the caption names. Both axes span at least 4 percentage points. Nil without a defense besides
/// `none` against an attack on clean accuracy.
func defenseTradeOffFigure(_ results: StudyResults, styles: StudyStyles) -> StudyFigure? {
    let targeted = { (series: Int) in results.successMetric(of: series).map { targetedSuccessKeys.contains($0.key) } ?? false }
    let judged = results.findings.defenses.filter { !targeted($0.series) }
    let findings = judged.filter {
        $0.thresholdShift.value != nil && $0.thresholdShift.bound == nil && $0.cleanAccuracyChange.value != nil
    }
    guard !findings.isEmpty else { return nil }
    let severalModels = Set(results.series.map(\.model)).count > 1
    let panelKey = { (finding: DefenseFinding) in [results.series[finding.series].attack, results.series[finding.series].model] }
    let groups = Array(Set(findings.map(panelKey))).sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }
    // The attacks drawn: panels name them only when there are several; a single one is named in the title.
    let attacks = Set(groups.map { $0[0] }), severalAttacks = attacks.count > 1
    let attackLabel = { (attack: Int) in results.series.first { $0.attack == attack }!.attackLabel }
    let modelLabel = { (model: Int) in results.series.first { $0.model == model }!.modelLabel }
    // The panels the study has (an attack and model with a defense) but with nothing to draw.
    let studied = Set(judged.map(panelKey)), everyAttack = Set(studied.map { $0[0] }).count > 1
    let dropped = studied.subtracting(groups).sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }.map { key in
        [everyAttack ? attackLabel(key[0]) : nil, severalModels ? modelLabel(key[1]) : nil].compactMap { $0 }.joined(separator: " with ")
    }
    // Each defense's number, in the legend's order: the key of its points whose name has no room.
    var legend = [LegendEntry](), numbers = [Int: Int]()
    let panels = groups.map { group in
        let members = findings.filter { results.series[$0.series].attack == group[0] && results.series[$0.series].model == group[1] }
        var labels = [PointLabel]()
        let series = members.map { finding -> Series in
            let description = results.series[finding.series], style = styles.defenses[description.defense]
            if numbers[description.defense] == nil {
                numbers[description.defense] = legend.count + 1
                legend.append(LegendEntry(label: description.defenseLabel, color: style.color, marker: style.marker, key: "\(legend.count + 1)"))
            }
            let gain = finding.thresholdShift.value! * 100, cost = -finding.cleanAccuracyChange.value! * 100
            labels.append(PointLabel(description.defenseLabel, at: Point(cost, gain), color: style.color,
                                     key: "\(numbers[description.defense]!)"))
            // The gain's interval as a bar, when both ends are bounded.
            var interval: ClosedRange<Double>?
            // An end withheld as imprecise (`Interval.shownLower`/`shownUpper`) is not placed: no bar.
            if let lower = finding.thresholdShift.interval?.shownLower, let upper = finding.thresholdShift.interval?.shownUpper {
                interval = (lower * 100)...(upper * 100)
            }
            // The cost's interval (of the change, defended minus undefended, so its ends swap) as a horizontal bar.
            var costInterval: ClosedRange<Double>?
            if let lower = finding.cleanAccuracyChange.interval?.lower, let upper = finding.cleanAccuracyChange.interval?.upper {
                costInterval = (-upper * 100)...(-lower * 100)
            }
            // A gain whose sign the runs do not resolve is drawn open, so that it does not read as a gain.
            return Series(label: description.label, points: [Point(cost, gain)], intervals: [interval], xIntervals: [costInterval],
                          color: style.color, marker: style.marker, filled: finding.shiftResolved)
        }
        let title = [severalAttacks ? AttackNames(results).name(group[0]) : nil, severalModels ? modelLabel(group[1]) : nil].compactMap { $0 }
        return Panel(title: title.isEmpty ? nil : title.joined(separator: ", "), series: series,
                     referenceLines: [ReferenceLine(.horizontal, at: 0, color: Color.reference, style: .solid, width: 0.8),
                                      ReferenceLine(.vertical, at: 0, color: Color.reference, style: .solid, width: 0.8)],
                     labels: labels, dodge: true)
    }
    let leftOut = Set(results.findings.defenses.filter { targeted($0.series) }.map { results.series[$0.series].attack }).sorted().map(attackLabel)
    let unresolved = findings.contains { !$0.shiftResolved }
    if unresolved {
        legend.append(LegendEntry(label: "open marker: gain not resolved (its interval reaches 0)", color: Color.ink, marker: .circle,
                                  filled: false))
    }
    let level = confidenceText(results.statistics.confidence)
    let caption = "Safety-efficacy trade-off: per defense, in its colour and marker as in every figure of the study, the clean "
        + "accuracy it costs (percentage points, undefended minus defended at the smallest fraction; horizontal bars: its \(level) "
        + "interval) against the critical threshold it gains (percentage points, defended minus undefended; vertical bars: its "
        + "\(level) interval when both ends are bounded and placed, not withheld as too imprecise)"
        + (severalAttacks ? "" : " against \(attackLabel(attacks.first!))")
        + (severalAttacks && severalModels ? ", one panel per attack and model" : severalAttacks ? ", one panel per attack"
            : severalModels ? ", one panel per model" : "")
        + ", each point named beside it, or numbered as in the legend where the name has no room; points that would hide one another "
        + "are set apart sideways by a marker's width"
        + (unresolved ? "; an open marker is a gain whose sign the runs do not resolve (its interval reaches 0 or its end lies "
            + "within Monte Carlo error of it), a filled one a resolved gain or loss" : "")
        + ". Defenses whose gain is only bounded, because a threshold lies outside the swept fractions, are not drawn"
        + (dropped.isEmpty ? "." : "; no panel is drawn for \(listing(dropped)), where no defense has a gain to draw.")
        + (leftOut.isEmpty ? "" : " No panel is drawn for \(listing(leftOut)), which \(leftOut.count == 1 ? "does" : "do") not aim at "
            + "clean accuracy: a threshold of clean accuracy does not judge a defense against \(leftOut.count == 1 ? "it" : "them"), "
            + "and the report's table of defenses gives the attack's success under each defense.")
        + (severalAttacks ? AttackNames(results).note : "")
    let size = panelSize(panels.count)
    return StudyFigure(name: "defense_tradeoff", caption: caption, chart: Chart(
        title: severalAttacks ? "Defenses: threshold gained vs. clean accuracy lost"
            : "Defense trade-off against \(attackLabel(attacks.first!))",
        x: Axis(label: "Clean accuracy lost (percentage points)", minimumSpan: minimumPointSpan),
        y: Axis(label: "Threshold gained (percentage points)", minimumSpan: minimumPointSpan),
        panels: panels, legend: legend, panelWidth: max(size.width, 280), panelHeight: max(size.height, 240), maxColumns: 2))
}
