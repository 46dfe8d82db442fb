import Foundation
import Plotting
import PoisoningAnalysis
import PoisoningEngine

/// One of the study's figures: the file stem it is written under, its caption and the chart to draw.
public struct StudyFigure: Sendable {
    /// File name without extension, e.g. "accuracy_vs_poison".
    public let name: String
    /// The caption reports print under it.
    public let caption: String
    /// The figure.
    public let chart: Chart
}

/// Every figure a study can have, in drawing order, one registration line each. Adding a figure
/// is one new file with a function from the results to a figure (nil when the study has nothing
/// to show in it; `one` makes it a list), or to a list of figures, plus its line here.
let figureRegistry: [@Sendable (StudyResults) -> [StudyFigure]] = [
    one(accuracyFigure),
    one(gapFigure),
    one(trainVersusTestFigure),
    one(attackSuccessFigure),
    one(defenseTradeOffFigure),
    detectionFigures,
]

/// A function giving at most one figure as one giving a list of figures.
private func one(_ figure: @escaping @Sendable (StudyResults) -> StudyFigure?) -> @Sendable (StudyResults) -> [StudyFigure] {
    { figure($0).map { [$0] } ?? [] }
}

/// The study's figures, in order: accuracy vs poison fraction with fits and thresholds, the
/// generalization gap, train-vs-test panels (one per series), the success rate of attacks that
/// measure it, and for studies with defenses their trade-off and one detection figure per defense
/// that scores rows.
public func studyFigures(_ results: StudyResults) -> [StudyFigure] {
    figureRegistry.flatMap { $0(results) }
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

/// The (x, mean, std) of a metric for one series, fractions ascending, skipping cells without it;
/// x is the share of the training rows the attack poisoned (the realised fraction, mean over seeds),
/// so that every attack shares one axis whatever its budget counts, and a saturated budget sits
/// where the attack stopped.
func curve(_ results: StudyResults, series: Int, _ key: String) -> [(x: Double, mean: Double, std: Double)] {
    results.points.filter { $0.series == series }.sorted { $0.fraction < $1.fraction }
        .compactMap { point in point.metric(key).map { (point.realisedFraction.mean, $0.mean, $0.std) } }
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

let fractionAxis = Axis(label: "Poisoned share of the training rows", format: .percent)

/// A caption's note on saturated budgets, empty when no budget of `results` is saturated: their points
/// sit at the share the attack could poison, so they share one x, and the fits leave them out.
func saturationNote(_ results: StudyResults) -> String {
    results.points.contains(where: \.saturated)
        ? " Budgets beyond the rows an attack may touch are saturated: their points sit at the share it could poison "
            + "(several on one x), and no curve is fitted to them."
        : ""
}
