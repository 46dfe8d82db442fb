import Foundation
import Plotting
import PoisoningAnalysis
import PoisoningEngine

/// Gradient canceling's mixed gradient against the predicted threshold τ: one panel per
/// gradient-canceling series (as `poisonabilityFigure`), over the poison budget ε the geometric mean
/// over seeds of ‖g(clean rows and poisons; w_target)‖ / ‖g(clean rows; w_target)‖ with a bar from the
/// least to the largest seed's ratio, on a log axis from 1 (no poisons) down, since the ratio falls by
/// decades once gradient canceling can make the target stationary; τ as in `poisonabilityFigure`.
/// A ratio of exactly 0, which a log axis cannot show, is left out and the caption says so.
/// Nil when the study has no gradient-canceling series.
func gradientRatioFigure(_ results: StudyResults, styles: StudyStyles) -> StudyFigure? {
    let members = gradientCancelingSeries(results)
    guard !members.isEmpty else { return nil }
    let panels = members.map { series -> Panel in
        let evidence = PoisonabilityEvidence(results, series: series)
        // Per budget, every finished run's ratio (1 at ε = 0: no poisons, the mixture is the clean rows).
        let runs = results.runs.filter { $0.series == series }
        let ratios = Dictionary(grouping: runs.compactMap { run -> (Double, Double)? in
            guard let metrics = run.metrics, let mixed = metrics[MetricKey.mixedGradientNorm],
                  let clean = metrics[MetricKey.cleanGradientNorm], clean > 0 else { return nil }
            return (run.fraction, mixed / clean)
        }, by: \.0).mapValues { $0.map(\.1) }
        let budgets = ratios.keys.sorted()
        // The geometric mean exp(mean log r) over the seeds: the mean of a quantity that spans decades
        // on a log axis (0 when a seed's ratio is 0, which the chart leaves out).
        let points = budgets.map { budget -> Point in
            let values = ratios[budget]!
            let mean = values.contains { $0 <= 0 } ? 0 : exp(values.map(log).reduce(0, +) / Double(values.count))
            return Point(budget, mean)
        }
        let color = styles.models[results.series[series].model].color
        let drawn = Series(label: "mixed / clean gradient norm", points: points,
                           intervals: budgets.map { ratios[$0]!.min()!...ratios[$0]!.max()! },
                           color: color, line: .solid, marker: .circle, markerSize: 5.5)
        var lines = [ReferenceLine(.horizontal, at: 1, color: Color.reference, style: .dotted)]
        var bands = [Band]()
        if results.thresholdDerived(series: series), let low = evidence.taus.min(), let high = evidence.taus.max() {
            if high > low {
                bands.append(Band(x: [low, high], lower: [1e-300, 1e-300], upper: [1e300, 1e300], color: Color.reference, opacity: 0.25))
            } else {
                lines.append(ReferenceLine(.vertical, at: low, color: Color.reference, style: .solid, width: 2))
            }
        }
        return Panel(title: facetTitle(results, series, axes: [.model, .attack, .defense]) ?? results.series[series].label,
                     series: [drawn], referenceLines: lines, bands: bands)
    }
    let legend = [
        LegendEntry(label: "mixed / clean gradient norm (geometric mean, seeds' range)", color: Color.ink, line: .solid, marker: .circle),
        LegendEntry(label: "no poisons (ratio 1)", color: Color.reference, line: .dotted),
        LegendEntry(label: "\(thresholdLabel(results, members)) over the seeds", color: Color.reference, swatch: .box),
    ]
    let chart = Chart(
        title: "Mixed gradient vs. predicted threshold \(thresholdLabel(results, members))",
        x: budgetAxis(results, members), y: Axis(label: "Mixed / clean gradient norm", scale: .log10), panels: panels, legend: legend,
        panelWidth: panelSize(panels.count).width, panelHeight: panelSize(panels.count).height)
    let offScale = chart.pointsOffScale
    let caption = "The gradient at the target on the clean rows and gradient canceling's poisons, relative to the clean rows' "
        + "alone, against the poison budget ε (poisons per clean row), one panel per series: the geometric mean over seeds, "
        + "a bar from the least to the largest seed's ratio, on a log axis (1 at ε = 0: no poisons), in the colour of the series' "
        + "model; the predicted threshold (Lu et al. 2023) shaded grey over its range across seeds (a line where the seeds agree). "
        + thresholdNote(results, members) + " Below it no poison set "
        + "can make the target stationary, and the ratio stays above a floor; above it the ratio can fall by decades towards 0."
        + budgetAxisNote(chart.x)
        + thresholdScopeNote(results, members)
        + (offScale > 0 ? " \(offScale) budget\(offScale == 1 ? "" : "s") where a seed's ratio is exactly 0 cannot be drawn on the log axis and \(offScale == 1 ? "is" : "are") left out." : "")
        + AttackNames(results).note
    return StudyFigure(name: "poisonability_gradient", caption: caption, chart: chart)
}

/// The gradient-canceling series of the study, in series order.
func gradientCancelingSeries(_ results: StudyResults) -> [Int] {
    results.series.indices.filter { series in
        results.config.attacks[results.series[series].attack].value(at: "kind") == .string(GradientCanceling.kind)
    }
}

/// The threshold the poisonability figures mark for the series `members`: "τ_w" when each cancels the
/// weights' gradient only (`cancel: weights`), "τ" when each cancels the biases' too, "τ_w or τ" when
/// they differ (`StudyResults.thresholdSymbol(series:)`).
func thresholdName(_ results: StudyResults, _ members: [Int]) -> String {
    let symbols = Set(members.map { results.thresholdSymbol(series: $0) })
    return symbols.count == 1 ? symbols.first! : "τ_w or τ"
}

/// `thresholdName` as a chart's title and legend write it, without an underscore (a chart draws it
/// literally): "weights-only τ" for τ_w.
func thresholdLabel(_ results: StudyResults, _ members: [Int]) -> String {
    thresholdName(results, members).replacingOccurrences(of: "τ_w", with: "weights-only τ")
}

/// What the drawn threshold is for the MLP series among `members`: " An MLP's threshold is its last
/// layer's, a lower bound on the budget." and, under `cancel: first-layer`, that none is drawn
/// (`StudyResults.thresholdDerived(series:)`); empty when no member is an MLP.
func thresholdScopeNote(_ results: StudyResults, _ members: [Int]) -> String {
    (members.contains { results.tauIsLowerBound(series: $0) } ? " An MLP's threshold is its last layer's, a lower bound on the budget." : "")
        + (members.contains { !results.thresholdDerived(series: $0) }
            ? " No threshold is drawn for an MLP under cancel: first-layer: none is derived for its first layer's gradient." : "")
}

/// Which threshold the figures mark: the one each series is judged by.
func thresholdNote(_ results: StudyResults, _ members: [Int]) -> String {
    switch thresholdName(results, members) {
    case "τ_w": return "The threshold is the weights-only τ_w, the one that applies when the poisons cancel the weights' gradient only (cancel: weights)."
    case "τ": return "The threshold is τ, the one that applies when the poisons cancel the biases' gradient too (cancel: weights-and-bias)."
    default: return "The threshold is each series' own: the weights-only τ_w under cancel: weights, τ under cancel: weights-and-bias."
    }
}

/// The x axis of the poisonability figures: the poison budget ε, on a symmetric log axis (linear
/// from 0 to the smallest positive budget, logarithmic above) when the positive budgets span at least
/// a decade, so that the budgets near τ are not pressed against 0; else linear.
func budgetAxis(_ results: StudyResults, _ members: [Int]) -> Axis {
    let budgets = Set(results.points.filter { members.contains($0.series) }.map(\.fraction)).filter { $0 > 0 }
    let label = "Poison budget ε (poisons per clean row)"
    guard let smallest = budgets.min(), let largest = budgets.max(), largest >= 10 * smallest else {
        return Axis(label: label, format: .percent)
    }
    return Axis(label: label, format: .percent, scale: .symmetricLog(linearWithin: smallest))
}

/// The caption's sentence on a symmetric log budget axis (empty for a linear one).
func budgetAxisNote(_ axis: Axis) -> String {
    guard case .symmetricLog(let smallest) = axis.scale else { return "" }
    return " The budget axis is linear from 0 to \(percent(smallest)) and logarithmic above."
}
