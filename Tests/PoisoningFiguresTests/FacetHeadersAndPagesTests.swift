import Foundation
import Testing
import Plotting
import PoisoningAnalysis
import PoisoningEngine
import TestSupport
@testable import PoisoningFigures

/// Issue 22 (review r22c): a full attacks × defenses grid names each attack and defense once, in a header, not in
/// every panel's title; the penalty trade-off figure gives each attack's column its own y range; and a figure
/// split over pages carries its whole legend on every page.
struct FacetHeadersAndPagesTests {
    let font: Font
    init() throws { font = try Font() }

    /// The 30-series study (3 attacks × 5 defenses, so a column per attack and a row per defense): every page of the
    /// accuracy, gap and attack-success figures heads its columns with the attacks it draws and its rows with its
    /// defenses, in study order, and no panel title repeats them (attack success keeps only the clean model's rate).
    @Test func aFullGridHeadsItsColumnsAndRowsOnce() throws {
        let results = try ManySeriesFiguresTests.thirtySeries()
        let attacks = results.config.attacks.indices.map { attack in results.series.first { $0.attack == attack }!.attackLabel }
        let defenses = results.config.defenses.indices.map { defense in results.series.first { $0.defense == defense }!.defenseLabel }
        for name in ["accuracy_vs_poison", "generalization_gap", "attack_success"] {
            let pages = studyFigures(results).filter { $0.name.hasPrefix(name) }
            #expect(pages.count > 1, "\(name) is paged")
            // Attack success draws only the attacks that measure their success (class flip and backdoor).
            let drawn = name == "attack_success" ? Array(attacks.dropFirst()) : attacks
            #expect(pages.allSatisfy { $0.chart.columnHeaders == drawn }, "\(name)")
            #expect(pages.flatMap { $0.chart.rowHeaders ?? [] } == defenses, "\(name)")
            for panel in pages.flatMap(\.chart.panels) {
                let title = panel.title ?? ""
                #expect((attacks + defenses).allSatisfy { !title.contains($0) }, "\(name): '\(title)'")
                #expect(title.isEmpty || (name == "attack_success" && title.hasPrefix("clean model's rate")), "\(name): '\(title)'")
            }
        }
        // A wrapped grid (one defense, so no rows of defenses) keeps its titles and has no headers.
        let attacksOnly = try #require(try ManySeriesFiguresTests.committedResults().first { $0.name == "attacks" }?.results)
        let accuracy = try #require(studyFigures(attacksOnly).first { $0.name.hasPrefix("accuracy_vs_poison") })
        #expect(accuracy.chart.columnHeaders == nil && accuracy.chart.rowHeaders == nil && accuracy.chart.panels.allSatisfy { $0.title != nil })
    }

    /// examples/near-clone-detection (2 attacks × 3 defenses): its panel titles ran to 3 or 4 lines naming attack and
    /// defense; now the accuracy figure has one header per defense and per attack and no panel title.
    @Test func theNearCloneDetectionGridHasHeadersInsteadOfTitles() throws {
        let results = try #require(try ManySeriesFiguresTests.committedResults().first { $0.name == "near-clone-detection" }?.results)
        let accuracy = try #require(studyFigures(results).first { $0.name.hasPrefix("accuracy_vs_poison") })
        #expect(accuracy.chart.columnHeaders?.count == Set(results.series.map(\.defense)).count)
        #expect(accuracy.chart.rowHeaders?.count ?? 0 >= 1 && accuracy.chart.panels.allSatisfy { $0.title == nil })
    }

    /// examples/curvature-digits (a backdoor and random flips): the penalty trade-off figure has a column per attack,
    /// each with its own y range, the random flips' (a few points of accuracy) far narrower than the backdoor's.
    @Test func thePenaltyTradeOffGivesEachAttackItsOwnYRange() throws {
        let results = try #require(try ManySeriesFiguresTests.committedResults().first { $0.name == "curvature-digits" }?.results)
        let figure = try #require(penaltyTradeOffFigure(results, styles: StudyStyles(results)))
        #expect(figure.chart.maxColumns == 2 && figure.chart.ySharing == .columns)
        let ranges = try figure.chart.render(format: .png, font: font).transforms.map(\.yRange)
        let spans = ranges.map { $0.upperBound - $0.lowerBound }
        #expect(ranges.count == 2 && spans[1] < spans[0] / 2, "\(ranges)")
    }

    /// Every figure split over pages, of the 30-series and 96-series studies and the committed examples: every page's
    /// legend is the whole figure's, less the open-marker entry on a page that draws no open marker (review r22d m6) and
    /// less each entry that names series of the figure (same label or colour, marker and line style) none of which the page draws
    /// (review r22e m1: train_vs_test part 4 listed two train accuracies it does not draw), and every page draws each
    /// entry's full text in its legend box (none shortened). Independently of that rule, an entry whose colour and marker
    /// some series of the figure draws is on exactly the pages that draw that colour and marker (review r22f m2: a paged
    /// penalty trade-off, whose entries name models and whose series are labelled in full, listed every model on every page).
    @Test func everyPageCarriesTheWholeLegend() throws {
        var paged = 0
        let (penalty, penaltyRuns) = try penaltySweep(lambdas: [0, 0.1, 1], models: [4, 8, 16, 32, 64, 128, 256, 512].map(StudyConfig.mlp)) { defense, fraction, seed in
            (0.9 - 0.01 * Double(defense) - fraction / 2 + 0.005 * Double(seed), 0.95)
        }
        let studies = [("30 series", try ManySeriesFiguresTests.thirtySeries()), ("96 series", try ManySeriesFiguresTests.manyModels()),
                       ("paged penalty", StudyResults(study: penalty, runs: penaltyRuns, toolVersion: "test"))]
            + (try ManySeriesFiguresTests.committedResults())
        var pagedPenalty = false
        for (name, results) in studies {
            for figure in figureRegistry.flatMap({ $0(results, StudyStyles(results)) }) {
                let split = pages(figure, font: font)
                guard split.count > 1, !figure.chart.legend.isEmpty else { continue }
                paged += 1
                pagedPenalty = pagedPenalty || figure.name == "penalty_tradeoff"
                for page in split {
                    let drawsOpen = page.chart.panels.contains { $0.series.contains { $0.marker != nil && !$0.filled && !$0.points.isEmpty } }
                    let names = { (entry: LegendEntry, series: Series) in
                        !series.points.isEmpty && (series.label == entry.label || series.color == entry.color)
                            && series.marker == entry.marker && series.line == entry.line
                    }
                    // What the reader matches: a coloured marker in the legend and the same on the page.
                    let looksLike = { (entry: LegendEntry, series: Series) in
                        !series.points.isEmpty && entry.marker != nil && series.color == entry.color && series.marker == entry.marker
                    }
                    for entry in figure.chart.legend where figure.chart.panels.flatMap(\.series).contains(where: { looksLike(entry, $0) }) {
                        let drawn = page.chart.panels.flatMap(\.series).contains { looksLike(entry, $0) }
                        #expect(page.chart.legend.contains { $0.label == entry.label } == drawn, "\(name) \(page.name): \(entry.label)")
                    }
                    let legend = figure.chart.legend.filter { entry in
                        let everywhere = figure.chart.panels.flatMap(\.series).contains { names(entry, $0) }
                        let here = page.chart.panels.flatMap(\.series).contains { names(entry, $0) }
                        return (entry.filled || entry.marker == nil || drawsOpen) && (!everywhere || here)
                    }
                    let texts = legend.map { entry in entry.key.map { "\($0): \(entry.label)" } ?? entry.label }
                    #expect(page.chart.legend.map(\.label) == legend.map(\.label), "\(name) \(page.name)")
                    let rendered = try page.chart.render(format: .png, font: font)
                    let legendBox = try #require(rendered.legendBox, "\(name) \(page.name) has no legend")
                    let drawn = rendered.textBoxes.filter { legendBox.contains(Point($0.rect.x + $0.rect.width / 2, $0.rect.y + $0.rect.height / 2)) }
                    #expect(drawn.map(\.text) == texts, "\(name) \(page.name)")
                }
            }
        }
        #expect(paged >= 8, "figures split over pages were checked")
        #expect(pagedPenalty, "a penalty trade-off split over pages was checked")
    }

    /// A label with no place clear of the data (a point inside a lattice of markers) is named in the caption's key, by
    /// its panel's title; a chart whose labels all find a place adds nothing to its caption.
    @Test func aCaptionNamesTheLabelsLeftOutOfThePlot() {
        let lattice = stride(from: 0.02, through: 0.98, by: 0.02).flatMap { x in stride(from: 0.02, through: 0.98, by: 0.02).map { Point(x, $0) } }
        let crowded = Panel(title: "crowded", series: [Series(label: "lattice", points: lattice, color: .black, marker: .circle)],
                            labels: [PointLabel("λ 0.3", at: Point(0.5, 0.5), color: .black, key: "λ 0.3")])
        let roomy = Panel(title: "roomy", series: [Series(label: "one", points: [Point(0.5, 0.5)], color: .black, marker: .circle)],
                          labels: [PointLabel("λ 1", at: Point(0.5, 0.5), color: .black, key: "λ 1")])
        let chart = { (panels: [Panel]) in
            Chart(title: "Key", x: Axis(label: "x", range: 0...1), y: Axis(label: "y", range: 0...1), panels: panels, legend: [],
                  panelWidth: 300, panelHeight: 300)
        }
        #expect(unlabelledKey(chart([roomy, crowded]), font: font)
            == " Labels left out of the plot for want of room (each point in its series' colour and marker): crowded: λ 0.3.")
        #expect(unlabelledKey(chart([roomy]), font: font) == "")
        let figure = StudyFigure(name: "key", caption: "A caption.", chart: chart([roomy, crowded]))
        #expect(pages(figure, font: font).map(\.caption) == ["A caption. Labels left out of the plot for want of room (each point in its "
            + "series' colour and marker): crowded: λ 0.3."])
    }
}
