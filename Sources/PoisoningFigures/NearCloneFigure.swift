import Foundation
import Plotting
import PoisoningAnalysis
import PoisoningEngine

/// A near-clone sweep (`CurvatureClaims.NearCloneRegime`) against the distance d the poisons are
/// moved toward the target class, at the study's comparison budget: `near_clone` draws the undefended
/// backdoor's success over the clean model and each detecting defense's AUROC (chance 0.5 dash-dotted),
/// `near_clone_spike` the spike the poisons add to the input curvature (0 dash-dotted); one panel per
/// model and backdoor, in the model's colour with the quantities told apart by line style and marker,
/// each point the mean over seeds with its Student-t interval (a detector's AUROCs split in orientation,
/// `OrientationSplit`, are drawn seed by seed as open markers instead). The d axis is `distanceAxis`. Empty
/// when the study has no near-clone sweep.
func nearCloneFigures(_ results: StudyResults, styles: StudyStyles) -> [StudyFigure] {
    guard let claims = results.curvatureClaims, !claims.nearClone.isEmpty else { return [] }
    let regimes = claims.nearClone
    let x = distanceAxis(regimes.flatMap { $0.points.map(\.distance) })
    /// A panel's title when there are several: the model, and the backdoor's near-clone options
    /// other than d ("toward source mean") when they set the sweeps apart.
    func title(_ regime: CurvatureClaims.NearCloneRegime) -> String? {
        guard regimes.count > 1 else { return nil }
        let options = CurvatureClaims.nearCloneOptionsText(of: results.config.attacks[regime.points[0].attack])
        let model = results.series.first { $0.model == regime.model }.map(\.modelLabel) ?? "model \(regime.model + 1)"
        return model + (options.isEmpty ? "" : ", \(options)")
    }
    func drawn(_ label: String, _ points: [(Double, PenaltyTradeOff.SeedValues)], color: Color, line: LineStyle, marker: MarkerShape) -> Series {
        let kept = points.filter { $0.1.mean != nil }
        return Series(label: label, points: kept.map { Point($0.0, $0.1.mean!) },
                      intervals: kept.map { _, values in values.interval.flatMap { i in i.lower.flatMap { l in i.upper.map { l...$0 } } } },
                      color: color, line: line, marker: marker, markerSize: 5.5)
    }
    let defenses = Array(Set(regimes.flatMap { $0.points.flatMap { $0.detectors.map(\.defense) } })).sorted()
    let detectorStyles: [(LineStyle, MarkerShape)] = [(.dashed, .square), (.dotted, .triangleUp), (.dashDot, .diamond), (.dashed, .triangleDown)]
    func defenseLabel(_ defense: Int) -> String { results.series.first { $0.defense == defense }?.defenseLabel ?? "defense \(defense + 1)" }
    let ratePanels = regimes.map { regime -> Panel in
        let color = styles.models[regime.model].color
        var series = [drawn("success over clean", regime.points.map { ($0.distance, $0.success) }, color: color, line: .solid, marker: .circle)]
        for (index, defense) in defenses.enumerated() {
            let style = detectorStyles[index % detectorStyles.count]
            series.append(drawn("\(defenseLabel(defense)) AUROC", regime.points.compactMap { point in
                point.detectors.first { $0.defense == defense }.map { (point.distance, $0.auroc) }
            }, color: color, line: style.0, marker: style.1))
            // A distance whose seeds split in orientation has no mean: each seed's AUROC, open markers.
            let seeds = regime.points.flatMap { point in
                (point.detectors.first { $0.defense == defense }?.splitSeedValues ?? []).map { Point(point.distance, $0) }
            }
            if !seeds.isEmpty {
                series.append(Series(label: "\(defenseLabel(defense)) AUROC, split seeds", points: seeds, color: color, marker: style.1,
                                     markerSize: 5.5, filled: false))
            }
        }
        return Panel(title: title(regime), series: series.filter { !$0.points.isEmpty },
                     referenceLines: [ReferenceLine(.horizontal, at: 0.5, color: Color.reference, style: .dashDot)])
    }
    var rateLegend = [LegendEntry(label: "backdoor success over the clean model (no defense)", color: Color.ink, line: .solid, marker: .circle)]
    for (index, defense) in defenses.enumerated() {
        let style = detectorStyles[index % detectorStyles.count]
        rateLegend.append(LegendEntry(label: "\(defenseLabel(defense)): detection AUROC", color: Color.ink, line: style.0, marker: style.1))
    }
    rateLegend.append(LegendEntry(label: "0.5 (chance for the AUROC)", color: Color.reference, line: .dashDot))
    if ratePanels.contains(where: { $0.series.contains { !$0.filled } }) { rateLegend.append(splitSeedsLegendEntry) }
    let spikePanels = regimes.map { regime in
        Panel(title: title(regime), series: [drawn("spike", regime.points.map { ($0.distance, $0.spike) }, color: styles.models[regime.model].color,
                                                   line: .solid, marker: .circle)],
              referenceLines: [ReferenceLine(.horizontal, at: 0, color: Color.reference, style: .dashDot)])
    }
    let anySplit = regimes.contains { $0.points.contains { $0.detectors.contains { $0.orientationSplit != nil } } }
    let fractions = Set(regimes.map(\.fraction)).sorted().map(percent)
    let budget = "at \(listing(fractions)) poisoned"
    let common = " One panel per model and backdoor" + (regimes.count > 1 ? "" : " (here one)") + ", in the model's colour; each point "
        + "the mean over seeds with its \(Int((claims.confidence * 100).rounded()))% Student-t interval." + distanceAxisNote(x)
    let size = panelSize(regimes.count)
    // A panel of poisons moved elsewhere than the target's mean (`toward: source-mean`) is named in the caption.
    let otherDestination = regimes.contains { regime in
        CurvatureClaims.nearCloneOptions(of: results.config.attacks[regime.points[0].attack]).contains { $0.key == "toward" && $0.value != .string("target-mean") }
    }
    return [
        StudyFigure(name: "near_clone",
                    caption: "The near-clone backdoor against the distance d its poisons are moved toward the target class's mean "
                        + (otherDestination ? "(toward each poison's own class mean in a panel titled \"toward source mean\") " : "")
                        + "(0: clones of clean rows), \(budget): the success over the clean model without a defense (solid) and the "
                        + "detection AUROC of each defense that scores rows, 0.5 dash-dotted (chance for the AUROC)." + common
                        + (anySplit ? " Where a defense's AUROCs split in orientation over seeds (some at most "
                            + "\(fixed(0.5 - OrientationSplit.margin, decimals: 2)), some at least \(fixed(0.5 + OrientationSplit.margin, decimals: 2))), "
                            + "no mean is drawn: open markers give each seed's AUROC." : ""),
                    chart: Chart(title: "Near-clone backdoor vs. distance d: success and detection", x: x,
                                 y: Axis(label: "Success over clean, AUROC", minimumSpan: minimumFractionSpan),
                                 panels: ratePanels, legend: rateLegend, panelWidth: size.width, panelHeight: size.height)),
        StudyFigure(name: "near_clone_spike",
                    caption: "The spike the near-clone poisons add to the input curvature against the distance d, \(budget): the top "
                        + "eigenvalue of the mean input Hessian of the loss over the "
                        + (regimes.allSatisfy { $0.spikeKey == MetricKey.inputCurvatureTopTriggered } ? "triggered" : "clean or triggered")
                        + " test rows minus the clean model's of the "
                        + "same seed (0 dash-dotted), without a defense." + common,
                    chart: Chart(title: "Near-clone backdoor vs. distance d: curvature spike", x: x, y: Axis(label: "Spike (top eigenvalue over clean)"),
                                 panels: spikePanels, legend: [], panelWidth: size.width, panelHeight: size.height)),
    ]
}

/// The near-clone distance axis: logarithmic when every distance is positive and they span at least a
/// decade; symmetric-logarithmic (linear from 0 to the smallest positive distance, logarithmic above)
/// when they include 0 and the positive ones span a decade; else linear.
func distanceAxis(_ distances: [Double]) -> Axis {
    let label = "Near-clone distance d (standardised units; 0: clones)"
    let positive = distances.filter { $0 > 0 }
    guard let smallest = positive.min(), let largest = positive.max(), largest >= 10 * smallest else { return Axis(label: label) }
    return distances.contains { $0 <= 0 } ? Axis(label: label, scale: .symmetricLog(linearWithin: smallest)) : Axis(label: label, scale: .log10)
}

/// The caption's sentence on a log or symmetric log distance axis (empty for a linear one).
func distanceAxisNote(_ axis: Axis) -> String {
    switch axis.scale {
    case .linear: return ""
    case .log10: return " The d axis is logarithmic."
    case .symmetricLog(let smallest): return " The d axis is linear from 0 to \(smallest) and logarithmic above."
    }
}
