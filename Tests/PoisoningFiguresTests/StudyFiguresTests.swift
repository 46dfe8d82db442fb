import Foundation
import Testing
import Plotting
import PoisoningAnalysis
import PoisoningEngine
import TestSupport
@testable import PoisoningFigures

/// The three figures drawn from synthetic results with known values, checked by reading pixels.
struct StudyFiguresTests {
    /// Review s7: facet grids wrapped one list of panels into 4 columns, so a 2 × 3 design (attacks × defenses) was laid
    /// out 4 + 2 and in 3 attacks × 5 defenses no column was one defense. A complete design of at most 4 defenses gets a
    /// column per defense (a row per attack); of more defenses but at most 4 attacks, a column per attack (a row per
    /// defense); anything else stays in order in 4 columns.
    @Test func aTwoDimensionalDesignGetsAColumnPerDefenseOrPerAttack() {
        let twoByThree = [(1, 2), (0, 0), (0, 1), (0, 2), (1, 0), (1, 1)].map { (attack: $0.0, defense: $0.1) }
        let grid = facetGrid(twoByThree)
        #expect(grid.columns == 3 && grid.order == [1, 2, 3, 4, 5, 0] && grid.rows == [0, 0, 0, 1, 1, 1])
        let threeByFive = (0..<3).flatMap { attack in (0..<5).map { (attack: attack, defense: $0) } }
        let transposed = facetGrid(threeByFive)
        #expect(transposed.columns == 3 && transposed.order.count == 15)
        #expect(transposed.order.enumerated().allSatisfy { threeByFive[$0.element].attack == $0.offset % 3 })
        #expect(transposed.rows == transposed.order.map { threeByFive[$0].defense })
        #expect(facetGrid(Array(twoByThree.dropFirst())).columns == 4)
        #expect(facetGrid((0..<6).map { (attack: 0, defense: $0) }) == (Array(0..<6), 4, Array(repeating: 0, count: 6)))
        let fiveByFive = (0..<5).flatMap { attack in (0..<5).map { (attack: attack, defense: $0) } }
        #expect(facetGrid(fiveByFive).columns == 4 && facetGrid(fiveByFive).order == Array(0..<25))
    }

    static let fractions = [0, 0.1, 0.2, 0.3, 0.4, 0.5]

    /// Results whose mean test accuracy for width i follows a sigmoid shifted by 0.05·i, with
    /// seed-to-seed spread ±0.01, so every width has a fit and a threshold; each run poisons
    /// `poisonedShare` times the share of the training rows its fraction asks for (as svm-gradient,
    /// whose fraction counts the victim's rows, poisons about half).
    static func results(widths: [Int], poisonedShare: Double = 1, fractions: [Double] = fractions) -> StudyResults {
        let study = widthStudy(widths, fractions: fractions, seeds: [1, 2])
        let runs = study.runSpecs.map { spec -> RunResult in
            let index = Double(spec.series)
            let curve = SigmoidParameters(amplitude: 0.7, steepness: 12, midpoint: 0.3 - 0.02 * index, floor: 0.2)
            let test = curve.value(at: spec.fraction) + (spec.seed == 1 ? 0.01 : -0.01)
            let train = 1 - spec.fraction * 0.3
            return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed, poisonedCount: 0,
                             realisedFraction: spec.fraction * poisonedShare,
                             metrics: runMetrics(test: test, train: train, trainClean: 0.95, loss: 0.2), divergence: nil)
        }
        return StudyResults(study: study, runs: runs, toolVersion: "test")
    }

    let font: Font
    init() throws { font = try Font() }

    /// Review r22b: an accuracy's error bar (mean ± std) reached above 1.0. Bars stop at the metric's range and
    /// the caption says how many were cut; points.csv keeps mean ± std as computed. Two seeds at 1.0 and 0.9 at
    /// the smallest fraction (mean 0.95, std 0.071) draw a bar from 0.879 to 1.
    @Test func errorBarsStopAtTheMetricsRangeAndTheCaptionSaysSo() throws {
        let study = widthStudy([8], fractions: Self.fractions, seeds: [1, 2])
        let runs = study.runSpecs.map { spec -> RunResult in
            let test = spec.fraction == 0 ? (spec.seed == 1 ? 1.0 : 0.9) : 0.8 - spec.fraction + (spec.seed == 1 ? 0.01 : -0.01)
            return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed, poisonedCount: 0, realisedFraction: spec.fraction,
                             metrics: runMetrics(test: test, train: 1 - spec.fraction * 0.3, trainClean: 0.95, loss: 0.2), divergence: nil)
        }
        let results = StudyResults(study: study, runs: runs, toolVersion: "test")
        let figures = studyFigures(results)
        let accuracy = try #require(figures.first { $0.name == "accuracy_vs_poison" })
        let points = try #require(accuracy.chart.panels.first?.series.first)
        let bar = try #require(points.bar(0))
        #expect(bar.upperBound == 1 && abs(bar.lowerBound - (0.95 - 0.1 / 2.squareRoot())) < 1e-12, "\(bar)")
        #expect(accuracy.caption.contains(" 1 error bar (mean ± std) that reaches past 0 or 1, the range of an accuracy, is cut there; "
            + "points.csv gives mean ± std whole."), "\(accuracy.caption)")
        let trainVersusTest = try #require(figures.first { $0.name == "train_vs_test" })
        #expect(trainVersusTest.chart.panels.allSatisfy { $0.series.allSatisfy { series in
            series.points.indices.allSatisfy { series.bar($0).map { (0...1).contains($0.lowerBound) && (0...1).contains($0.upperBound) } ?? true }
        } })
        #expect(trainVersusTest.caption.contains("is cut there"))
        // Where no bar reaches past the range, the caption says nothing of it.
        let plain = studyFigures(Self.results(widths: [8]))
        #expect(plain.allSatisfy { !$0.caption.contains("cut there") })
        // The helper alone: a bar below 0 and one above 1 are cut, the others kept, none without a spread.
        let cut = clippedBars([(0, 0.99, 0.05), (0.1, 0.5, 0.1), (0.2, 0.02, 0.05), (0.3, 0.7, 0)], to: 0...1)
        #expect(cut.clipped == 2)
        #expect(cut.bars.count == 4 && cut.bars[3] == nil)
        let expected: [ClosedRange<Double>] = [0.94...1, 0.4...0.6, 0...0.07]
        for (bar, want) in zip(cut.bars.prefix(3), expected) {
            #expect(bar.map { abs($0.lowerBound - want.lowerBound) < 1e-12 && abs($0.upperBound - want.upperBound) < 1e-12 } == true, "\(String(describing: bar))")
        }
    }

    @Test func accuracyMarkersSitOnTheirDataInTheirColour() throws {
        let results = Self.results(widths: [32, 64])
        let rendered = try accuracyFigure(results, styles: StudyStyles(results)).chart.render(format: .png, font: font)
        let transform = rendered.transforms[0]
        // At fraction 0.3 the two widths are 0.04 (about 12 points) apart, so their markers do not touch.
        // Width 32: a circle in palette colour 0, centred on the seeds' mean.
        let mean = results.points.first { $0.series == 0 && $0.fraction == 0.3 }!.metric(MetricKey.testAccuracy)!.mean
        let center = transform.device(Point(0.3, mean))
        #expect(rendered.canvas.pixel(at: center).isClose(to: Color.colorBlindSafe[0], tolerance: 0.05))
        let other = results.points.first { $0.series == 1 && $0.fraction == 0.3 }!.metric(MetricKey.testAccuracy)!.mean
        #expect(rendered.canvas.pixel(at: transform.device(Point(0.3, other))).isClose(to: Color.colorBlindSafe[1], tolerance: 0.05))
    }

    /// Where the runs poisoned half the share their fraction asks for, the points, the fitted curve,
    /// its band and the threshold still share the fraction as x (the points stood at the realised
    /// share, half-way to the left of their curve): each point's mean lies within 0.02 of the fitted
    /// curve at the point's x, the markers are drawn there, and the caption says where the poisoned
    /// share is given.
    @Test func pointsFitBandAndThresholdShareTheFractionAxis() throws {
        let results = Self.results(widths: [32], poisonedShare: 0.5)
        let figure = accuracyFigure(results, styles: StudyStyles(results))
        let panel = figure.chart.panels[0]
        let points = try #require(panel.series.first { $0.marker != nil }).points
        #expect(points.map(\.x) == Self.fractions)
        let fit = try #require(results.fits[0].parameters)
        for point in points { #expect(abs(fit.value(at: point.x) - point.y) < 0.02, "\(point)") }
        let curve = try #require(panel.series.first { $0.line == .dashed }).points
        #expect(curve.first?.x == Self.fractions.first && curve.last?.x == Self.fractions.last)
        #expect(panel.bands.first?.x == results.statistics.series[0].band?.fractions)
        #expect(panel.referenceLines.filter { $0.orientation == .vertical }.map(\.value) == [results.fits[0].threshold.fraction!])
        #expect(figure.chart.x.label == "Poison fraction (share of the training rows asked for)")
        #expect(figure.caption.contains("points.csv gives it (realisedFraction)"))
        let rendered = try figure.chart.render(format: .png, font: font)
        let mean = results.points.first { $0.series == 0 && $0.fraction == 0.3 }!.metric(MetricKey.testAccuracy)!.mean
        #expect(rendered.canvas.pixel(at: rendered.transforms[0].device(Point(0.3, mean))).isClose(to: Color.colorBlindSafe[0], tolerance: 0.05))
        // Runs that poison what they ask for need no note.
        #expect(!accuracyFigure(Self.results(widths: [32]), styles: StudyStyles(Self.results(widths: [32]))).caption.contains("points.csv"))
    }

    /// Up to four series a panel, each fit's band and threshold with its interval are drawn; with
    /// eight, none is (the bands covered one another and eight interval lanes climbed into the data),
    /// the legend does not list them and the caption says where the thresholds are.
    @Test func manySeriesInAPanelLeaveBandsAndThresholdsToTheTable() throws {
        let four = Self.results(widths: [8, 16, 24, 32])
        let detailed = accuracyFigure(four, styles: StudyStyles(four))
        #expect(detailed.chart.panels[0].bands.count == 4 && detailed.chart.panels[0].spans.count == 4)
        #expect(detailed.chart.panels[0].referenceLines.filter { $0.orientation == .vertical }.count == 4)
        #expect(!detailed.caption.contains("are not drawn"))
        let eight = Self.results(widths: [8, 16, 24, 32, 48, 64, 96, 128])
        let figure = accuracyFigure(eight, styles: StudyStyles(eight))
        let panel = figure.chart.panels[0]
        #expect(panel.series.filter { $0.marker != nil }.count == 8)
        #expect(panel.bands.isEmpty && panel.spans.isEmpty && panel.referenceLines.allSatisfy { $0.orientation == .horizontal })
        #expect(figure.chart.legend.map(\.label).filter { $0.contains("threshold") || $0.contains("band") } == [])
        #expect(figure.caption.contains("With more than 4 series in a panel, the fits' 95% bands and the critical thresholds are not drawn"))
        #expect(figure.caption.contains("the table of sigmoid fits and critical thresholds gives the thresholds with their intervals"))
    }

    /// With three fractions no sigmoid is fitted: the caption names no fit, band, threshold or interval, only
    /// what is drawn (the points and chance), and says why there is no curve; no legend entry has a line but
    /// chance's. With fits, the caption names them.
    @Test func captionAndLegendNameOnlyWhatIsDrawn() throws {
        let few = Self.results(widths: [32, 64], fractions: [0, 0.2, 0.4])
        #expect(few.fits.allSatisfy { $0.parameters == nil })
        let figure = accuracyFigure(few, styles: StudyStyles(few))
        for absent in ["fitted sigmoids", "bands", "critical thresholds (dotted)", "intervals", "dashed"] {
            #expect(!figure.caption.contains(absent), "\(absent): \(figure.caption)")
        }
        #expect(figure.caption.contains("per series, with chance accuracy. No sigmoid is drawn"), "\(figure.caption)")
        #expect(figure.chart.legend.filter { $0.line != nil }.map(\.label).map { $0.hasPrefix("chance (") } == [true], "\(figure.chart.legend.map(\.label))")
        let fitted = Self.results(widths: [32, 64])
        let caption = accuracyFigure(fitted, styles: StudyStyles(fitted)).caption
        #expect(caption.contains("with the fitted sigmoids (dashed) and their 95% bands (shaded), the critical thresholds (dotted) with "
            + "their 95% intervals (capped lines above the axis), and chance accuracy."), "\(caption)")
    }

    @Test func fittedCurveIsDashedThroughItsFittedValues() throws {
        let results = Self.results(widths: [32])
        let rendered = try accuracyFigure(results, styles: StudyStyles(results)).chart.render(format: .png, font: font)
        let fit = try #require(results.fits[0].parameters)
        let transform = rendered.transforms[0]
        // Between the data points at 0.3 and 0.4, sample the fitted curve every 0.5 points along x.
        let samples = stride(from: transform.deviceX(0.32), to: transform.deviceX(0.38), by: 0.5).map { x in
            rendered.canvas.pixel(at: Point(x, transform.deviceY(fit.value(at: transform.data(Point(x, 0)).x))))
        }
        let colored = samples.filter { $0.isClose(to: Color.colorBlindSafe[0], tolerance: 0.25) }.count
        #expect(colored > samples.count / 3, "the curve passes through its fitted values (\(colored)/\(samples.count))")
        #expect(colored < samples.count - 3, "the curve is dashed, so some samples fall in gaps")
    }

    @Test func thresholdLineStandsAtTheCriticalFraction() throws {
        let results = Self.results(widths: [32])
        let rendered = try accuracyFigure(results, styles: StudyStyles(results)).chart.render(format: .png, font: font)
        let threshold = try #require(results.fits[0].threshold.fraction)
        let transform = rendered.transforms[0]
        let x = transform.deviceX(threshold)
        // Dotted: some pixels down the line carry the width's colour.
        let hits = stride(from: transform.deviceY(0.98), to: transform.deviceY(0.6), by: 0.5)
            .filter { rendered.canvas.pixel(at: Point(x, $0)).isClose(to: Color.colorBlindSafe[0], tolerance: 0.3) }
        #expect(hits.count > 5)
    }

    @Test func titleIsDrawnAndNothingOverlaps() throws {
        for widths in [[64], [32, 64, 128], [8, 16, 24, 32, 48, 64, 96, 128]] {
            for figure in studyFigures(Self.results(widths: widths)) {
                let rendered = try figure.chart.render(format: .png, font: font)
                let title = rendered.titleBox
                var dark = 0
                for x in stride(from: title.x, to: title.maxX, by: 1) {
                    for y in stride(from: title.y, to: title.maxY, by: 1) {
                        let pixel = rendered.canvas.pixel(at: Point(x, y))
                        if pixel.red < 0.5 && pixel.green < 0.5 && pixel.blue < 0.5 { dark += 1 }
                    }
                }
                #expect(dark > 50, "\(figure.name): title pixels")
                let boxes = rendered.textBoxes
                for (i, a) in boxes.enumerated() {
                    for b in boxes[(i + 1)...] {
                        #expect(!a.rect.intersects(b.rect), "\(figure.name) \(widths.count) widths: '\(a.text)' and '\(b.text)' overlap")
                    }
                }
                let legend = try #require(rendered.legendBox)
                #expect(legend.maxX <= rendered.canvas.width && legend.maxY <= rendered.canvas.height)
                for transform in rendered.transforms where legend.intersects(transform.area) {
                    for series in figure.chart.panels[0].series where series.marker != nil {
                        #expect(!series.points.contains { legend.contains(transform.device($0)) },
                                "\(figure.name) \(widths.count) widths: legend covers a data point")
                    }
                }
            }
        }
    }

    @Test(arguments: [1, 3, 8])
    func trainVersusTestHasOnePanelPerWidthSharingTheYAxis(widthCount: Int) throws {
        let widths = Array([8, 16, 24, 32, 48, 64, 96, 128].prefix(widthCount))
        let rendered = try trainVersusTestFigure(Self.results(widths: widths), styles: StudyStyles(Self.results(widths: widths))).chart.render(format: .png, font: font)
        #expect(rendered.transforms.count == widthCount)
        #expect(Set(rendered.transforms.map(\.yRange)).count == 1)
        #expect(rendered.columns == min(widthCount, 4))
        for (i, a) in rendered.transforms.enumerated() {
            for b in rendered.transforms[(i + 1)...] { #expect(!a.area.intersects(b.area), "panels do not overlap") }
        }
    }

    /// Every file the same bytes drawn on one thread, again on one, and on three workers (each
    /// drawing with a font of its own, several figures at once), in the same order.
    @Test func everyFormatRendersByteIdenticalAcrossRendersAndThreadCounts() throws {
        let results = Self.results(widths: [32, 64, 128])
        let first = try renderStudyFigures(results, formats: ImageFormat.allCases)
        let expectedNames = ["accuracy_vs_poison.png", "accuracy_vs_poison.pdf", "accuracy_vs_poison.svg",
                             "generalization_gap.png", "generalization_gap.pdf", "generalization_gap.svg",
                             "train_vs_test.png", "train_vs_test.pdf", "train_vs_test.svg"]
        #expect(first.map(\.fileName) == expectedNames)
        for threads in [1, 3] {
            let again = try renderStudyFigures(results, formats: ImageFormat.allCases, threads: threads)
            #expect(again.map(\.fileName) == expectedNames)
            for (a, b) in zip(first, again) { #expect(a.data == b.data, "\(a.fileName) differs on \(threads) thread(s)") }
        }
        #expect(first.allSatisfy { $0.data.count > 1000 })
    }
}

/// One detection figure per defense that scores rows: a panel per metric against the poison fraction.
struct DetectionFigureTests {
    @Test func eachScoringDefenseGetsAFigureWithAPanelPerDetectionMetric() throws {
        let (study, runs) = detectionStudy()
        let results = StudyResults(study: study, runs: runs, toolVersion: "test")
        let figures = detectionFigures(results, styles: StudyStyles(results))
        #expect(figures.map(\.name) == ["detection_activation_clustering"])
        let chart = try #require(figures.first).chart
        #expect(chart.panels.map(\.title) == ["AUROC", "Precision", "Recall", "TPR at 5% FPR"])
        // The defended series only (the undefended one scores nothing), its means at 10% and 30% (none at 0%).
        let auroc = chart.panels[0].series
        #expect(auroc.count == 1 && auroc[0].points.map(\.x) == [0.1, 0.3])
        #expect(zip(auroc[0].points.map(\.y), [1, 0.03]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(chart.panels.map { $0.referenceLines.map(\.value) } == [[0.5], [], [], [0.05]])
        let measured = chart.panels.map { $0.series.filter { !$0.label.hasPrefix("chance") } }
        #expect(measured[1][0].points.map(\.x) == [0.1], "precision is undefined where nothing was removed")
        // Chance references: precision's is the share of the training rows poisoned, recall's the share removed, where each is defined.
        let chance = chart.panels.map { $0.series.filter { $0.label.hasPrefix("chance") } }
        #expect(chance[0].isEmpty && chance[3].isEmpty && chance[1].count == 1 && chance[2].count == 1)
        let realised = try #require(results.points.first { $0.series == 1 && $0.fraction == 0.1 }).realisedFraction.mean
        #expect(realised > 0 && chance[1][0].points == [Point(0.1, realised)], "\(chance[1])")
        #expect(chance[2][0].points == [Point(0.1, 0.05), Point(0.3, 0)] && chance[2][0].line == .dashDot && chance[2][0].marker == nil)
        #expect(figures[0].caption.contains("the share of the training rows poisoned for precision, the share removed for recall"))
        #expect(chart.legend.contains { $0.label == "random removal (precision, recall)" })
        #expect(studyFigures(results).contains { $0.name == "detection_activation_clustering" })
        _ = try chart.render(format: .png, font: Font())
    }
}
