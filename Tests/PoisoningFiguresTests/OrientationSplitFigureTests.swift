import Foundation
import Testing
import Plotting
import PoisoningAnalysis
import PoisoningEngine
import TestSupport
@testable import PoisoningFigures

/// The detection figure draws an AUROC split in orientation seed by seed, never as a mean with an error bar.
struct OrientationSplitFigureTests {
    @Test func theSplitCellIsDrawnSeedBySeedAndTheCaptionSaysSo() throws {
        let (study, runs) = splitDetectionStudy()
        let results = StudyResults(study: study, runs: runs, toolVersion: "test")
        let figure = try #require(detectionFigures(results, styles: StudyStyles(results)).first)
        let auroc = figure.chart.panels[0].series
        // The mean curve has the unsplit 10% only; the split 30% is four open markers, one per seed, without a line.
        let mean = try #require(auroc.first { $0.label == results.series[1].label })
        #expect(mean.points.map(\.x) == [0.1] && abs(mean.points[0].y - 0.95) < 1e-12 && mean.intervals?.count == 1)
        let seeds = try #require(auroc.first { $0.label.hasPrefix("split seeds") })
        #expect(seeds.points == [Point(0.3, 0.02), Point(0.3, 0.05), Point(0.3, 0.95), Point(0.3, 0.98)])
        #expect(seeds.line == nil && seeds.errors == nil && !seeds.filled && seeds.marker != nil)
        // TPR at 5% FPR keeps its mean at 30% (0.5 over seeds finding all or none).
        let tpr = try #require(figure.chart.panels[3].series.first { $0.label == results.series[1].label })
        #expect(tpr.points.map(\.x) == [0.1, 0.3] && tpr.points[1].y == 0.5)
        #expect(!figure.chart.panels[3].series.contains { $0.label.hasPrefix("split seeds") })
        #expect(figure.caption.contains("no mean is drawn: open markers give each seed's AUROC"))
        // The legend says what an open marker is, in an open sample, and draws it.
        let open = figure.chart.legend.filter { !$0.filled }
        #expect(open.count == 1 && open.first?.label == "open marker: one seed's AUROC where the seeds split in orientation (no mean)")
        #expect(open.first?.marker != nil && open.first?.line == nil)
        let rendered = try figure.chart.render(format: .png, font: Font())
        #expect(rendered.textBoxes.contains { $0.text == open.first?.label })
        // Without a split, no seed markers and no such sentence.
        let (plainStudy, plainRuns) = detectionStudy()
        let plain = StudyResults(study: plainStudy, runs: plainRuns, toolVersion: "test")
        let plainFigure = try #require(detectionFigures(plain, styles: StudyStyles(plain)).first)
        #expect(!plainFigure.caption.contains("open markers") && !plainFigure.chart.panels[0].series.contains { $0.label.hasPrefix("split seeds") })
        #expect(!plainFigure.chart.legend.contains { !$0.filled || $0.label.contains("open marker") })
    }

    @Test func aNearCloneDetectorSplitWithNoSeedBetweenSeparatesThePoisons() throws {
        let success = Interval(lower: 0.6, upper: 0.8), spike = Interval(lower: -0.01, upper: 0.01)
        let split = try #require(OrientationSplit(values: [0.02, 0.98]))
        let splitBetween = try #require(OrientationSplit(values: [0.02, 0.5, 0.98]))
        let status = { (aurocs: [Interval?], splits: [OrientationSplit]) in
            CurvatureClaims.status(success: success, spike: spike, spikeMargin: 0.02, aurocs: aurocs, margin: 0.02, splits: splits)
        }
        #expect(status([nil], [split]) == .fails)
        #expect(CurvatureClaims.isVisible(spike: spike, spikeMargin: 0.02, aurocs: [nil], splits: [split]))
        #expect(status([nil], [splitBetween]) == .notResolved)
        #expect(status([Interval(lower: 0.49, upper: 0.51)], []) == .invisible)
    }
}
