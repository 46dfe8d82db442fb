import Foundation
import Plotting
import PoisoningAnalysis
import PoisoningEngine

/// One of the study's figures: the file stem it is written under and the chart to draw.
public struct StudyFigure: Sendable {
    /// File name without extension, e.g. "accuracy_vs_poison".
    public let name: String
    /// The figure.
    public let chart: Chart
}

/// The study's three figures, in order: accuracy vs poison fraction with fits and thresholds, the
/// generalization gap, and train-vs-test panels (one per width).
public func studyFigures(_ results: StudyResults) -> [StudyFigure] {
    [accuracyFigure(results), gapFigure(results), trainVersusTestFigure(results)]
}

/// Renders every figure in every format: (file name, bytes) pairs such as ("accuracy_vs_poison.png", …).
public func renderStudyFigures(_ results: StudyResults, formats: [ImageFormat], dpi: Double = 150) throws
    -> [(fileName: String, data: Data)] {
    let font = try Font()
    return try studyFigures(results).flatMap { figure in
        try formats.map { format in
            ("\(figure.name).\(format.rawValue)", try figure.chart.render(format: format, dpi: dpi, font: font).canvas.render())
        }
    }
}

/// Colour and marker of the i-th model, shared by every figure.
func modelStyle(_ index: Int) -> (color: Color, marker: MarkerShape) {
    (Color.colorBlindSafe[index % Color.colorBlindSafe.count], MarkerShape.allCases[index % MarkerShape.allCases.count])
}

/// The (fraction, mean, std) of a metric for one series, fractions ascending, skipping cells without it.
func curve(_ results: StudyResults, series: Int, _ key: String) -> [(x: Double, mean: Double, std: Double)] {
    results.points.filter { $0.series == series }.sorted { $0.fraction < $1.fraction }
        .compactMap { point in point.metric(key).map { (point.fraction, $0.mean, $0.std) } }
}

/// The series grouped into panels, one per (attack, defense) in study order, with the panel's title
/// (nil when the study has a single attack and defense).
func panelGroups(_ results: StudyResults) -> [(title: String?, series: [Int])] {
    var groups = [(key: [Int], title: String?, series: [Int])]()
    let several = Set(results.series.map { [$0.attack, $0.defense] }).count > 1
    for (index, series) in results.series.enumerated() {
        let key = [series.attack, series.defense]
        if let position = groups.firstIndex(where: { $0.key == key }) {
            groups[position].series.append(index)
        } else {
            groups.append((key, several ? "\(series.attackLabel), \(series.defenseLabel)" : nil, [index]))
        }
    }
    return groups.map { ($0.title, $0.series) }
}

/// A chart's width for `panels` panels side by side.
func rowWidth(_ panels: Int) -> Double { max(7 * 72, 72 * (0.9 + 2.5 * Double(panels))) }

let fractionAxis = Axis(label: "Poison fraction", format: .percent)

/// Figure 1: clean test accuracy (mean ± std over seeds) per series, the fitted sigmoid dashed,
/// a dotted vertical line at each critical threshold, and chance accuracy; one panel per
/// (attack, defense) when the study has several.
func accuracyFigure(_ results: StudyResults) -> StudyFigure {
    let fractions = results.config.fractions.sorted()
    let low = fractions.first ?? 0, high = fractions.last ?? 1
    let chance = 1 / Double(results.data.classCount)
    let groups = panelGroups(results)
    var legend = [LegendEntry]()
    var anyThreshold = false
    let panels = groups.map { group in
        var series = [Series](), lines = [ReferenceLine]()
        for index in group.series {
            let fit = results.fits[index], description = results.series[index]
            let (color, marker) = modelStyle(description.model)
            let points = curve(results, series: index, MetricKey.testAccuracy)
            series.append(Series(label: description.label, points: points.map { Point($0.x, $0.mean) },
                                 errors: points.map(\.std), color: color, marker: marker))
            if let parameters = fit.parameters, high > low {
                let samples = (0...200).map { low + (high - low) * Double($0) / 200 }
                series.append(Series(label: "fit \(description.label)", points: samples.map { Point($0, parameters.value(at: $0)) },
                                     color: color, line: .dashed, lineWidth: 1.3))
            }
            // Only thresholds inside the swept range: an extrapolated one would fall off the axis.
            if let threshold = fit.threshold.fraction, (low...high).contains(threshold) {
                anyThreshold = true
                lines.append(ReferenceLine(.vertical, at: threshold, color: color, style: .dotted, width: 1.3))
            }
            if groups.count == 1 {
                let text = fit.rSquared.map { String(format: "k = %.2f, R² = %.3f", fit.parameters!.steepness, $0) } ?? "no fit"
                legend.append(LegendEntry(label: "\(description.label): \(text)", color: color,
                                          line: fit.parameters == nil ? nil : .dashed, marker: marker))
            }
        }
        lines.append(ReferenceLine(.horizontal, at: chance, color: Color.reference, style: .dashDot))
        return Panel(title: group.title, series: series, referenceLines: lines)
    }
    if groups.count > 1 {
        for (index, model) in Set(results.series.map(\.model)).sorted().enumerated() {
            let (color, marker) = modelStyle(model)
            let label = results.series.first { $0.model == model }!.modelLabel
            legend.insert(LegendEntry(label: label, color: color, line: .dashed, marker: marker), at: index)
        }
    }
    if anyThreshold {
        legend.append(LegendEntry(label: results.series.count == 1 ? "critical threshold" : "critical thresholds",
                                  color: Color.reference, line: .dotted))
    }
    legend.append(LegendEntry(label: String(format: "chance (%.2f)", chance), color: Color.reference, line: .dashDot))
    return StudyFigure(name: "accuracy_vs_poison", chart: Chart(
        title: "Clean test accuracy vs. poison fraction", x: fractionAxis,
        y: Axis(label: "Clean test accuracy", range: 0...1),
        panels: panels, legend: legend, width: rowWidth(panels.count), height: 4.8 * 72))
}

/// Figure 2: generalization gap (train accuracy on the poisoned labels minus clean test accuracy),
/// mean ± std per series, one panel per (attack, defense) when the study has several.
func gapFigure(_ results: StudyResults) -> StudyFigure {
    let groups = panelGroups(results)
    var legend = [LegendEntry]()
    var seenModels = Set<Int>()
    let panels = groups.map { group in
        Panel(title: group.title, series: group.series.map { index in
            let description = results.series[index]
            let (color, marker) = modelStyle(description.model)
            if seenModels.insert(description.model).inserted {
                legend.append(LegendEntry(label: groups.count == 1 ? description.label : description.modelLabel,
                                          color: color, line: .solid, marker: marker))
            }
            let points = curve(results, series: index, MetricKey.generalizationGap)
            return Series(label: description.label, points: points.map { Point($0.x, $0.mean) },
                          errors: points.map(\.std), color: color, line: .solid, marker: marker)
        }, referenceLines: [ReferenceLine(.horizontal, at: 0, color: Color.reference, style: .solid, width: 0.8)])
    }
    return StudyFigure(name: "generalization_gap", chart: Chart(
        title: "Generalization gap vs. poison fraction", x: fractionAxis,
        y: Axis(label: "Train (poisoned labels) − clean test accuracy"),
        panels: panels, legend: legend, width: rowWidth(panels.count), height: 4.8 * 72))
}

/// Figure 3: one panel per series sharing the y axis: train accuracy on the poisoned labels, clean
/// test accuracy, and train accuracy on the true labels.
func trainVersusTestFigure(_ results: StudyResults) -> StudyFigure {
    let metrics: [(label: String, key: String, line: LineStyle, marker: MarkerShape)] = [
        ("train accuracy (poisoned labels)", MetricKey.trainAccuracy, .solid, .circle),
        ("clean test accuracy", MetricKey.testAccuracy, .solid, .square),
        ("train accuracy (true labels)", MetricKey.trainCleanAccuracy, .dashed, .triangleUp),
    ]
    let colors = [Color(hex: 0xD55E00), Color(hex: 0x0072B2), Color(hex: 0x009E73)]
    let chance = 1 / Double(results.data.classCount)
    let panels = results.series.indices.map { index in
        Panel(title: results.series[index].label, series: metrics.enumerated().map { position, metric in
            let points = curve(results, series: index, metric.key)
            return Series(label: metric.label, points: points.map { Point($0.x, $0.mean) }, errors: points.map(\.std),
                          color: colors[position], line: metric.line, marker: metric.marker, markerSize: 5.5)
        }, referenceLines: [ReferenceLine(.horizontal, at: chance, color: Color.reference, style: .dashDot)])
    }
    var legend = metrics.enumerated().map { position, metric in
        LegendEntry(label: metric.label, color: colors[position], line: metric.line, marker: metric.marker)
    }
    legend.append(LegendEntry(label: String(format: "chance (%.2f)", chance), color: Color.reference, line: .dashDot))
    return StudyFigure(name: "train_vs_test", chart: Chart(
        title: "Train vs. test accuracy under poisoning", x: fractionAxis,
        y: Axis(label: "Accuracy", range: 0...1), panels: panels, legend: legend, width: rowWidth(panels.count), height: 4.4 * 72))
}
