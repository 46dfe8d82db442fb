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
    /// Each panel's group (its attack), between which alone a chart too tall for a page is split
    /// (`Chart.paged(groups:)`); nil to split it between any rows.
    var pageGroups: [Int]? = nil
}

/// The style of every model and defense of a study, the components figures draw in their own
/// colours, assigned once from the study's components so that each keeps its colour and marker in
/// every figure. The models take the first colours of `Color.colorBlindSafe` and the markers of
/// `SeriesStyle(index:)`, in order; the defenses other than `none` take the colours the models
/// leave (all sixteen when the models take every one), in turn, so that no defense has a model's
/// colour unless the models use up the palette, each with the first marker, from its position in
/// the study's components on, that no component before it has with that colour: no two components
/// share colour and marker while no colour serves more than seven. Attacks are told apart by panels,
/// never by colour.
public struct StudyStyles: Sendable, Equatable {
    /// Each model's style, by model index.
    public let models: [SeriesStyle]
    /// Each defense's style, by defense index (`none` has one too, though no figure draws it in its own style).
    public let defenses: [SeriesStyle]

    /// The styles of the study of `results`.
    public init(_ results: StudyResults) {
        let palette = Color.colorBlindSafe, markers = MarkerShape.allCases
        let modelCount = results.config.models.count
        let models = (0..<modelCount).map { SeriesStyle(index: $0) }
        // The colours left to the defenses, and every (colour, marker) pair taken so far.
        let free = modelCount < palette.count ? Array(modelCount..<palette.count) : Array(palette.indices)
        var taken = Set((0..<modelCount).map { [$0 % palette.count, $0 % markers.count] })
        let undefended = Set(results.series.filter(\.isUndefended).map(\.defense))
        var next = 0
        defenses = results.config.defenses.indices.map { defense in
            guard !undefended.contains(defense) else { return SeriesStyle(index: 0) }
            defer { next += 1 }
            let color = free[next % free.count], position = modelCount + next
            // Each colour has seven markers: the first pair not taken, from the component's position on.
            let marker = (0..<markers.count).map { (position + $0) % markers.count }.first { !taken.contains([color, $0]) }
                ?? position % markers.count
            taken.insert([color, marker])
            return SeriesStyle(color: palette[color], marker: markers[marker])
        }
        self.models = models
    }
}

/// Every figure a study can have, in drawing order, one registration line each. Adding a figure
/// is one new file with a function from the results and the study's styles to a figure (nil when
/// the study has nothing to show in it; `one` makes it a list), or to a list of figures, plus its line here.
let figureRegistry: [@Sendable (StudyResults, StudyStyles) -> [StudyFigure]] = [
    one(accuracyFigure),
    one(gapFigure),
    one(trainVersusTestFigure),
    one(attackSuccessFigure),
    one(defenseTradeOffFigure),
    one(penaltyTradeOffFigure),
    one(poisonabilityFigure),
    one(gradientRatioFigure),
    nearCloneFigures,
    detectionFigures,
]

/// A function giving at most one figure as one giving a list of figures.
private func one(_ figure: @escaping @Sendable (StudyResults, StudyStyles) -> StudyFigure?)
    -> @Sendable (StudyResults, StudyStyles) -> [StudyFigure] {
    { figure($0, $1).map { [$0] } ?? [] }
}

/// The study's figures, in order: accuracy vs poison fraction with fits and thresholds, the
/// generalization gap, train-vs-test panels (one per series), the success rate of attacks that
/// measure it, gradient canceling against the predicted threshold τ (its victims, then its mixed
/// gradient on a log axis), a near-clone sweep against its distance d, and for studies with defenses
/// their trade-off and one detection figure per defense that scores rows.
public func studyFigures(_ results: StudyResults) -> [StudyFigure] {
    let styles = StudyStyles(results)
    // Measured with the font the figures are drawn in; without one (nothing can be drawn then) by rows alone.
    let font = try? Font()
    return figureRegistry.flatMap { $0(results, styles) }.flatMap { pages($0, font: font) }
}

/// `figure` itself when its chart fits one page, else one figure per page of its chart
/// (`Chart.paged(font:groups:)`, as many rows each as keep it within `Chart.maxHeight`, so that
/// report.tex prints its text at 7 points or more; between its `pageGroups` where it has them, so
/// that an attack's panels stay on one page), named `<name>_part<k>` and captioned as the whole
/// followed by "Part k of n.". Without `font`, pages of at most `Chart.rowsPerPage` rows.
/// With `font`, each page's caption ends with `unlabelledKey`, naming the points whose direct label found no room.
func pages(_ figure: StudyFigure, font: Font?) -> [StudyFigure] {
    let charts = font.map { figure.chart.paged(font: $0, groups: figure.pageGroups) }
        ?? figure.pageGroups.map(figure.chart.paged(groups:)) ?? figure.chart.paged()
    let key = { (chart: Chart) in font.map { unlabelledKey(chart, font: $0) } ?? "" }
    guard charts.count > 1 else {
        return [StudyFigure(name: figure.name, caption: figure.caption + key(figure.chart), chart: figure.chart, pageGroups: figure.pageGroups)]
    }
    return charts.enumerated().map { index, chart in
        StudyFigure(name: "\(figure.name)_part\(index + 1)", caption: figure.caption + " Part \(index + 1) of \(charts.count)." + key(chart),
                    chart: chart)
    }
}

/// The caption's key to the points of `chart` whose direct label has no position clear of the data, the other labels
/// and their leader lines (`Chart.unplacedLabels`), which the plot leaves unlabelled rather than draw a label over
/// something: " Labels left out of the plot for want of room (each point in its series' colour and marker):
/// PANEL: LABEL, LABEL; PANEL: LABEL.", each panel by its title (or "panel k"); empty when every label is placed.
func unlabelledKey(_ chart: Chart, font: Font) -> String {
    guard chart.panels.contains(where: { !$0.labels.isEmpty }) else { return "" }
    let panels = zip(chart.panels, chart.unplacedLabels(font: font)).enumerated().compactMap { index, pair -> String? in
        pair.1.isEmpty ? nil : (pair.0.title ?? "panel \(index + 1)") + ": " + pair.1.map(\.text).joined(separator: ", ")
    }
    return panels.isEmpty ? ""
        : " Labels left out of the plot for want of room (each point in its series' colour and marker): " + panels.joined(separator: "; ") + "."
}

/// Renders every figure of `results` in every format: (file name, bytes) pairs such as ("accuracy_vs_poison.png", …).
public func renderStudyFigures(_ results: StudyResults, formats: [ImageFormat], dpi: Double = 150, threads: Int = 1) throws
    -> [(fileName: String, data: Data)] {
    try renderStudyFigures(studyFigures(results), formats: formats, dpi: dpi, threads: threads)
}

/// Renders every figure of `figures` in every format, as `renderStudyFigures(_:formats:dpi:threads:)`
/// of results does: each (figure, format) drawn and encoded (a PNG compressed) by one of `threads`
/// workers, with a font of its own (`Font` is not shared between threads; the process looks the
/// font up once), in the order figure by figure, format by format, and the same bytes for any number.
public func renderStudyFigures(_ figures: [StudyFigure], formats: [ImageFormat], dpi: Double = 150, threads: Int = 1) throws
    -> [(fileName: String, data: Data)] {
    let files = figures.flatMap { figure in formats.map { (figure: figure, format: $0) } }
    let rendered = parallelMap(count: files.count, threads: threads) { index -> Result<Data, any Error> in
        Result { try renderStudyFigure(files[index].figure, format: files[index].format, dpi: dpi) }
    }
    return try zip(files, rendered).map { file, data in (fileName: studyFigureFileName(file.figure, format: file.format), data: try data.get()) }
}

/// One figure drawn in `format` and encoded (a PNG compressed), with a font of its own: the file's bytes.
public func renderStudyFigure(_ figure: StudyFigure, format: ImageFormat, dpi: Double) throws -> Data {
    let canvas = try figure.chart.render(format: format, dpi: dpi, font: try Font()).canvas
    return format == .png ? try canvas.pngImage().encoded() : try canvas.render()
}

/// The file name of `figure` in `format`, such as "accuracy_vs_poison.png".
public func studyFigureFileName(_ figure: StudyFigure, format: ImageFormat) -> String { "\(figure.name).\(format.rawValue)" }

/// The (x, mean, std) of a metric for one series, fractions ascending, skipping cells without it;
/// x is the poison fraction the runs asked for, the x of the sigmoid fits, their bands and
/// thresholds and of every table of the report, so that a point and its fitted curve share one x
/// (the share of the training rows an attack poisoned can differ: `differingShareNote`).
func curve(_ results: StudyResults, series: Int, _ key: String) -> [(x: Double, mean: Double, std: Double)] {
    results.points.filter { $0.series == series }.sorted { $0.fraction < $1.fraction }
        .compactMap { point in point.metric(key).map { (point.fraction, $0.mean, $0.std) } }
}

/// Whether the series `members` (at least two) have the same points, means and stds of every metric
/// of `keys`: a quantity that does not depend on the model (a success measured on the attacker's own
/// model, a defense's detection computed from the data alone), which a figure then draws once.
func identicalCurves(_ results: StudyResults, _ members: [Int], keys: [String]) -> Bool {
    members.count > 1 && keys.allSatisfy { key in
        let first = curve(results, series: members[0], key)
        return members.dropFirst().allSatisfy { curve(results, series: $0, key).elementsEqual(first) { $0 == $1 } }
    }
}

/// The series grouped into panels, one per (attack, defense) in study order, with the panel's title
/// naming the attack and the defense where the study has more than one of each (nil when it has a
/// single attack and defense).
func panelGroups(_ results: StudyResults) -> [(title: String?, series: [Int])] {
    var groups = [(key: [Int], title: String?, series: [Int])]()
    for (index, series) in results.series.enumerated() {
        let key = [series.attack, series.defense]
        if let position = groups.firstIndex(where: { $0.key == key }) {
            groups[position].series.append(index)
        } else {
            groups.append((key, facetTitle(results, index, axes: [.attack, .defense]), [index]))
        }
    }
    return groups.map { ($0.title, $0.series) }
}

/// The facet grid of panels keyed by (attack, defense) indices: when
/// they are every pair of two or more attacks and two or more defenses, a column per defense and a row per
/// attack if there are at most 4 defenses, else, with at most 4 attacks, a column per attack and a row per
/// defense (`order` then runs defense by defense); otherwise the panels in order, wrapped into 4 columns.
/// `rows` gives each panel's row key (its attack, or its defense when transposed), between which pages split.
/// (Wrapped into 4 columns, 3 attacks × 5 defenses put one defense in a different column in every row, and a
/// 2 × 3 design was laid out 4 + 2.)
func facetGrid(_ keys: [(attack: Int, defense: Int)]) -> (order: [Int], columns: Int, rows: [Int]) {
    let (attacks, defenses, complete) = gridAxes(keys)
    if complete && defenses.count <= 4 {
        let order = keys.indices.sorted { (keys[$0].attack, keys[$0].defense) < (keys[$1].attack, keys[$1].defense) }
        return (order, defenses.count, order.map { keys[$0].attack })
    }
    if complete && attacks.count <= 4 {
        let order = keys.indices.sorted { (keys[$0].defense, keys[$0].attack) < (keys[$1].defense, keys[$1].attack) }
        return (order, attacks.count, order.map { keys[$0].defense })
    }
    return (Array(keys.indices), 4, keys.map(\.attack))
}

/// The attacks and defenses of `keys`, ascending, and whether the keys are every pair of two or more of each, once.
private func gridAxes(_ keys: [(attack: Int, defense: Int)]) -> (attacks: [Int], defenses: [Int], complete: Bool) {
    let attacks = Array(Set(keys.map(\.attack))).sorted(), defenses = Array(Set(keys.map(\.defense))).sorted()
    let complete = attacks.count > 1 && defenses.count > 1 && keys.count == attacks.count * defenses.count
        && Set(keys.map { [$0.attack, $0.defense] }).count == keys.count
    return (attacks, defenses, complete)
}

/// The headers of the grid `facetGrid(keys)` lays out when it is every pair of attacks and defenses: the label
/// of each column's defense and each row's attack (of each column's attack and each row's defense when it is
/// transposed), so that each is written once and the panels' titles leave both out (`Chart.columnHeaders`,
/// `Chart.rowHeaders`). Nil for a grid wrapped into 4 columns, whose panels' titles name their attack and defense.
func facetHeaders(_ results: StudyResults, _ keys: [(attack: Int, defense: Int)]) -> (columns: [String], rows: [String])? {
    let (attacks, defenses, complete) = gridAxes(keys)
    let attackLabel = AttackNames(results).name
    let defenseLabel = { (defense: Int) in results.series.first { $0.defense == defense }!.defenseLabel }
    guard complete, min(attacks.count, defenses.count) <= 4 else { return nil }
    return defenses.count <= 4 ? (defenses.map(defenseLabel), attacks.map(attackLabel)) : (attacks.map(attackLabel), defenses.map(defenseLabel))
}

/// The attacks' names as panel titles and facet headers give them. When every attack of the study is labelled
/// "head (setting, …)" with one head ("svm-gradient class 7 → class 1 (linear, random flips)") and each has a
/// setting that not every attack has, a panel names an attack by those settings alone ("random flips"), and the
/// caption says once what is common (`note`): a title of five lines was mostly the same words in every panel. Else
/// each attack keeps its whole label and the note is empty.
struct AttackNames {
    /// Each attack's name, by attack index.
    let names: [Int: String]
    /// The words every attack's label shares ("svm-gradient class 7 → class 1 (linear)"); nil when the names are the labels.
    let common: String?

    /// The names of the attacks of `results`.
    init(_ results: StudyResults) {
        var labels = [Int: String]()
        for series in results.series where labels[series.attack] == nil { labels[series.attack] = series.attackLabel }
        let attacks = labels.keys.sorted()
        let split = attacks.compactMap { labelledSettings(labels[$0]!) }
        guard attacks.count > 1, split.count == attacks.count, Set(split.map { $0.head }).count == 1 else {
            names = labels
            common = nil
            return
        }
        // The settings every attack has, in the first attack's order; each attack's others, in its order.
        let shared = split[0].settings.filter { setting in split.allSatisfy { $0.settings.contains(setting) } }
        let own = split.map { $0.settings.filter { !shared.contains($0) } }
        guard own.allSatisfy({ !$0.isEmpty }), Set(own).count == own.count else {
            names = labels
            common = nil
            return
        }
        names = Dictionary(uniqueKeysWithValues: zip(attacks, own.map { $0.joined(separator: ", ") }))
        common = split[0].head + (shared.isEmpty ? "" : " (" + shared.joined(separator: ", ") + ")")
    }

    /// Attack `attack`'s name.
    func name(_ attack: Int) -> String { names[attack]! }

    /// The caption's sentence saying what every attack is, when the panels name the attacks by their own settings;
    /// empty otherwise (and for a figure whose panels do not name attacks).
    var note: String {
        common.map { " Every attack is \($0); a panel names its attack by the settings that set it apart." } ?? ""
    }
}

/// A label "head (a, b, c)" as its head and the settings in its last parentheses, split at the commas outside any
/// parentheses within; nil for a label that does not end in parentheses.
func labelledSettings(_ label: String) -> (head: String, settings: [String])? {
    guard label.hasSuffix(")") else { return nil }
    // The "(" that the final ")" closes.
    var depth = 0, open: String.Index?
    for index in label.indices.reversed() {
        if label[index] == ")" { depth += 1 }
        if label[index] == "(" { depth -= 1 }
        if depth == 0 { open = index; break }
    }
    guard let open, open > label.startIndex else { return nil }
    let head = label[..<open].trimmingCharacters(in: .whitespaces)
    let inner = label[label.index(after: open)..<label.index(before: label.endIndex)]
    var settings = [String](), current = "", level = 0
    for character in inner {
        if character == "(" { level += 1 }
        if character == ")" { level -= 1 }
        if character == "," && level == 0 {
            settings.append(current.trimmingCharacters(in: .whitespaces))
            current = ""
        } else {
            current.append(character)
        }
    }
    settings.append(current.trimmingCharacters(in: .whitespaces))
    guard !head.isEmpty, !settings.contains(where: \.isEmpty) else { return nil }
    return (head, settings)
}

/// The axes of a study a panel can be titled by.
enum StudyAxis { case model, attack, defense }

/// A panel title for series `index`: the labels of those of `axes` along which the series `among`
/// (every series of the study when nil; a figure's drawn series) have more than one value, joined by
/// commas, an attack by its name in `AttackNames` (whose `note` the figure's caption then carries); nil when they
/// have one value along each.
func facetTitle(_ results: StudyResults, _ index: Int, axes: [StudyAxis], among: [Int]? = nil) -> String? {
    let series = results.series[index], drawn = (among ?? Array(results.series.indices)).map { results.series[$0] }
    let parts = axes.compactMap { axis -> String? in
        switch axis {
        case .model: Set(drawn.map(\.model)).count > 1 ? series.modelLabel : nil
        case .attack: Set(drawn.map(\.attack)).count > 1 ? AttackNames(results).name(series.attack) : nil
        case .defense: Set(drawn.map(\.defense)).count > 1 ? series.defenseLabel : nil
        }
    }
    return parts.isEmpty ? nil : parts.joined(separator: ", ")
}

/// The plot area of each panel of a figure of `panels` panels, in points: wide for a single panel,
/// narrower in a row of two or three, and smaller in a grid of many rows.
func panelSize(_ panels: Int) -> (width: Double, height: Double) {
    switch panels {
    case 1: (430, 250)
    case 2: (300, 210)
    case 3...8: (205, 170)
    default: (190, 140)
    }
}

/// The least span of a fitted axis of accuracies, rates or their differences (`Axis.minimumSpan`):
/// 4 percentage points, so that differences of a tenth of a point do not fill a panel and read as
/// large. `minimumPointSpan` is the same for an axis in percentage points.
let minimumFractionSpan = 0.04
/// `minimumFractionSpan` in percentage points.
let minimumPointSpan = 4.0

/// What the x of a figure drawing `series` (by `curve`) is: the poison fraction, the share of the
/// training rows each run asked its attack to poison, or for an attack that adds its poisons
/// (gradient canceling) the poison budget ε, poisons per clean row; a label naming both when the
/// figure draws both. `name` is the x for a title ("poison fraction"), `phrase` for a caption ("the
/// poison fraction (…)"), `axis` the x axis (for budgets only, `budgetAxis`: a caption adds `budgetAxisNote`). Where a series' victims train on a subset of the
/// training rows (svm-gradient with `victim-sees-validation: false`, its default), its fraction is a share of that subset, and
/// the axis and the caption say so.
func poisonAxis(_ results: StudyResults, series: [Int]) -> (name: String, phrase: String, axis: Axis) {
    let adding = series.filter { addsRows(results, series: $0) }.count
    // Series whose victims train on a subset of the training rows (`PoisoningAttack.victimRowSubset`):
    // their fraction is a share of that subset, not of every training row.
    let subsets = results.victimRowSubsets
    let subset = series.filter { subsets[results.series[$0].attack] != nil }
    if adding == 0 && !subset.isEmpty {
        let attacks = listing(subset.map { results.series[$0].attackLabel }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } })
        let rows = "the rows its victims train on, the configuration's “Victims' training rows”, fewer than the \(results.data.trainCount) "
            + "training rows"
        if subset.count == series.count {
            return ("poison fraction", "the poison fraction (for \(attacks): the share of \(rows), that each run asked its attack to poison)",
                    Axis(label: "Poison fraction (share of the victims' training rows asked for)", format: .percent))
        }
        return ("poison fraction", "the poison fraction (the share of the training rows each run asked its attack to poison; for \(attacks), "
                    + "of \(rows))",
                Axis(label: "Poison fraction (share of the training rows asked for, or of the victims' rows where fewer)", format: .percent))
    }
    if adding == 0 {
        return ("poison fraction", "the poison fraction (the share of the training rows each run asked its attack to poison)",
                Axis(label: "Poison fraction (share of the training rows asked for)", format: .percent))
    }
    if adding == series.count {
        // The poisonability figures' axis (`budgetAxis`): symmetric log when the budgets span a decade.
        return ("poison budget ε", "the poison budget ε (poisons per clean row)", budgetAxis(results, series))
    }
    let adders = addingAttacks(results, series: series)
    // The series that neither add their poisons nor train their victims on every row: a share of the victims' rows.
    let fewer = subset.filter { !addsRows(results, series: $0) }
    let fewerWords = fewer.isEmpty ? "" : "; for " + listing(fewer.map { results.series[$0].attackLabel }
        .reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }) + ", of the rows its victims train on"
    return ("poison fraction or budget",
            "the poison fraction (the share of the training rows each run asked its attack to poison\(fewerWords); for \(adders), "
                + "which add\(adders == "gradient canceling" ? "s its" : " their") poisons, the budget ε: poisons per clean row)",
            Axis(label: adders == "gradient canceling" && fewer.isEmpty
                    ? "Poison fraction (share of the training rows asked for); for gradient canceling, budget ε (poisons per clean row)"
                    // Short enough for one line at four panels' width: the caption says whose rows a share is of.
                    : "Poison fraction (share of the rows asked for), or budget ε (poisons per clean row) where added",
                 format: .percent))
}

/// Whether series `index`'s attack adds its poisons to the clean rows (`PoisoningAttack.addsRows`,
/// recorded in the series: gradient canceling, svm-gradient with `placement: add`), so that its x is
/// the budget ε, poisons per clean row, rather than a share of the training rows.
public func addsRows(_ results: StudyResults, series index: Int) -> Bool { results.series[index].addsRows == true }

/// The attacks of `series` that add their poisons (`addsRows`), for a caption: "gradient canceling"
/// when those are gradient canceling's, else their labels.
func addingAttacks(_ results: StudyResults, series: [Int]) -> String {
    let adding = series.filter { addsRows(results, series: $0) }
    guard !adding.allSatisfy({ results.config.attacks[results.series[$0].attack].value(at: "kind") == .string(GradientCanceling.kind) }) else {
        return "gradient canceling"
    }
    return listing(adding.map { results.series[$0].attackLabel }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } })
}

/// A caption's note on the points whose attack poisoned another share of the training rows than
/// its fraction asked for, empty when there are none: saturated budgets (beyond the rows an attack
/// may touch, which no curve is fitted to) and attacks whose fraction counts other rows (more than
/// half a row's share from the fraction, the most rounding a count moves it).
func differingShareNote(_ results: StudyResults) -> String {
    let rounding = 0.5 / Double(max(results.data.trainCount, 1)) + 1e-12
    let saturated = results.points.contains(where: \.saturated)
    let differing = results.points.contains { abs($0.realisedFraction.mean - $0.fraction) > rounding }
    guard saturated || differing else { return "" }
    return " Points stand at the fraction asked for, as the fits, thresholds and the report's tables do; where an attack poisoned "
        + "another share of the training rows, points.csv gives it (realisedFraction)."
        + (saturated ? " Budgets beyond the rows an attack may touch are saturated: the attack poisons all it may, and no curve "
            + "is fitted to them." : "")
}
