import Foundation
import Plotting
import PoisoningAnalysis

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

/// Colour and marker of the i-th width, shared by every figure.
func widthStyle(_ index: Int) -> (color: Color, marker: MarkerShape) {
    (Color.colorBlindSafe[index % Color.colorBlindSafe.count], MarkerShape.allCases[index % MarkerShape.allCases.count])
}

/// The (fraction, mean, std) of a metric for one width, fractions ascending, skipping cells with no runs.
func curve(_ results: StudyResults, width: Int, _ metric: (AggregatePoint) -> MeanStd?) -> [(x: Double, mean: Double, std: Double)] {
    results.points.filter { $0.width == width }.sorted { $0.fraction < $1.fraction }
        .compactMap { point in metric(point).map { (point.fraction, $0.mean, $0.std) } }
}

let fractionAxis = Axis(label: "Poison fraction (training labels flipped)", format: .percent)

/// Figure 1: clean test accuracy (mean ± std over seeds) per width, the fitted sigmoid dashed,
/// a dotted vertical line at each critical threshold, and chance accuracy.
func accuracyFigure(_ results: StudyResults) -> StudyFigure {
    let fractions = results.config.fractions.sorted()
    let low = fractions.first ?? 0, high = fractions.last ?? 1
    var series = [Series](), lines = [ReferenceLine](), legend = [LegendEntry]()
    for (index, fit) in results.fits.enumerated() {
        let (color, marker) = widthStyle(index)
        let points = curve(results, width: fit.width, \.testAccuracy)
        series.append(Series(label: "width \(fit.width)", points: points.map { Point($0.x, $0.mean) },
                             errors: points.map(\.std), color: color, marker: marker))
        if let parameters = fit.parameters, high > low {
            let samples = (0...200).map { low + (high - low) * Double($0) / 200 }
            series.append(Series(label: "fit \(fit.width)", points: samples.map { Point($0, parameters.value(at: $0)) },
                                 color: color, line: .dashed, lineWidth: 1.3))
        }
        if let threshold = fit.threshold.fraction {
            lines.append(ReferenceLine(.vertical, at: threshold, color: color, style: .dotted, width: 1.3))
        }
        let description = fit.rSquared.map { String(format: "k = %.2f, R² = %.3f", fit.parameters!.steepness, $0) }
            ?? "no fit"
        legend.append(LegendEntry(label: "width \(fit.width): \(description)", color: color,
                                  line: fit.parameters == nil ? nil : .dashed, marker: marker))
    }
    let chance = results.fits.first?.chanceAccuracy ?? 1 / Double(results.config.data.classes)
    lines.append(ReferenceLine(.horizontal, at: chance, color: Color.reference, style: .dashDot))
    if results.fits.contains(where: { $0.threshold.fraction != nil }) {
        let label = results.fits.count == 1 ? "critical threshold" : "critical threshold of each width"
        legend.append(LegendEntry(label: label, color: Color.reference, line: .dotted))
    }
    legend.append(LegendEntry(label: String(format: "chance (%.2f)", chance), color: Color.reference, line: .dashDot))
    return StudyFigure(name: "accuracy_vs_poison", chart: Chart(
        title: "Clean test accuracy vs. poison fraction", x: fractionAxis,
        y: Axis(label: "Clean test accuracy", range: 0...1),
        panels: [Panel(series: series, referenceLines: lines)], legend: legend, width: 7 * 72, height: 4.8 * 72))
}

/// Figure 2: generalization gap (train accuracy on the poisoned labels minus clean test accuracy),
/// mean ± std per width.
func gapFigure(_ results: StudyResults) -> StudyFigure {
    var series = [Series](), legend = [LegendEntry]()
    for (index, width) in results.config.widths.enumerated() {
        let (color, marker) = widthStyle(index)
        let points = curve(results, width: width, \.generalizationGap)
        series.append(Series(label: "width \(width)", points: points.map { Point($0.x, $0.mean) },
                             errors: points.map(\.std), color: color, line: .solid, marker: marker))
        legend.append(LegendEntry(label: "width \(width)", color: color, line: .solid, marker: marker))
    }
    return StudyFigure(name: "generalization_gap", chart: Chart(
        title: "Generalization gap vs. poison fraction", x: fractionAxis,
        y: Axis(label: "Train (poisoned labels) − clean test accuracy"),
        panels: [Panel(series: series, referenceLines: [ReferenceLine(.horizontal, at: 0, color: Color.reference, style: .solid, width: 0.8)])],
        legend: legend, width: 7 * 72, height: 4.8 * 72))
}

/// Figure 3: one panel per width sharing the y axis: train accuracy on the poisoned labels, clean
/// test accuracy, and train accuracy on the true labels.
func trainVersusTestFigure(_ results: StudyResults) -> StudyFigure {
    let metrics: [(label: String, value: (AggregatePoint) -> MeanStd?, line: LineStyle, marker: MarkerShape)] = [
        ("train accuracy (poisoned labels)", \.trainAccuracy, .solid, .circle),
        ("clean test accuracy", \.testAccuracy, .solid, .square),
        ("train accuracy (true labels)", \.trainCleanAccuracy, .dashed, .triangleUp),
    ]
    let colors = [Color(hex: 0xD55E00), Color(hex: 0x0072B2), Color(hex: 0x009E73)]
    let chance = 1 / Double(results.config.data.classes)
    let panels = results.config.widths.map { width in
        Panel(title: "width \(width)", series: metrics.enumerated().map { index, metric in
            let points = curve(results, width: width, metric.value)
            return Series(label: metric.label, points: points.map { Point($0.x, $0.mean) }, errors: points.map(\.std),
                          color: colors[index], line: metric.line, marker: metric.marker, markerSize: 5.5)
        }, referenceLines: [ReferenceLine(.horizontal, at: chance, color: Color.reference, style: .dashDot)])
    }
    var legend = metrics.enumerated().map { index, metric in
        LegendEntry(label: metric.label, color: colors[index], line: metric.line, marker: metric.marker)
    }
    legend.append(LegendEntry(label: String(format: "chance (%.2f)", chance), color: Color.reference, line: .dashDot))
    let width = max(7 * 72, 72 * (0.9 + 2.5 * Double(panels.count)))
    return StudyFigure(name: "train_vs_test", chart: Chart(
        title: "Train vs. test accuracy under label-flip poisoning", x: fractionAxis,
        y: Axis(label: "Accuracy", range: 0...1), panels: panels, legend: legend, width: width, height: 4.4 * 72))
}
