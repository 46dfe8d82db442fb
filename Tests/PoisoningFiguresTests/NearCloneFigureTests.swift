import Foundation
import Testing
import Plotting
import PoisoningAnalysis
@testable import PoisoningFigures

struct NearCloneFigureTests {
    /// examples/near-clone sweeps d over 0, 0.5, 1, 2, 4 and 1000: its figures draw the metrics against
    /// d on a symmetric log axis (linear to 0.5, logarithmic above), at the closed-form positions, with
    /// the report's intervals as bars.
    @Test func nearCloneFiguresPlotAgainstTheDistanceOnASymmetricLogAxis() throws {
        let examples = try ManySeriesFiguresTests.committedResults()
        let results = try #require(examples.first { $0.name == "near-clone" }?.results)
        let regime = try #require(results.curvatureClaims?.nearClone.first)
        let figures = studyFigures(results).filter { $0.name.hasPrefix("near_clone") }
        #expect(figures.map(\.name) == ["near_clone", "near_clone_spike"])
        let chart = figures[0].chart
        #expect(chart.x.scale == .symmetricLog(linearWithin: 0.5))
        let success = chart.panels[0].series[0]
        #expect(success.points.map(\.x) == [0, 0.5, 1, 2, 4, 1000])
        #expect(success.points.map(\.y) == regime.points.map { $0.success.mean! })
        #expect(success.intervals?.first??.lowerBound == regime.points[0].success.interval?.lower)
        #expect(chart.panels[0].series.count == 2, "success and the input-curvature filter's AUROC")
        let rendered = try chart.render(format: .png, font: try Font())
        let transform = rendered.transforms[0], area = transform.area
        // Position along x: s(d) = d / 0.5 up to 0.5, then 1 + log10(d / 0.5).
        let low = transform.xRange.lowerBound / 0.5, high = 1 + log10(transform.xRange.upperBound / 0.5)
        for (device, d) in zip(rendered.points[0][0], [0.0, 0.5, 1, 2, 4, 1000]) {
            let s = d <= 0.5 ? d / 0.5 : 1 + log10(d / 0.5)
            #expect(abs(device.x - (area.x + (s - low) / (high - low) * area.width)) < 1e-9)
        }
        #expect(rendered.pointsOffScale == 0)
        #expect(figures[0].caption.contains("linear from 0 to 0.5 and logarithmic above"))
    }

    @Test func theDistanceAxisIsLogarithmicOnlyWhenTheDistancesSpanDecades() {
        #expect(distanceAxis([0, 0.5, 1, 1000]).scale == .symmetricLog(linearWithin: 0.5))
        #expect(distanceAxis([0.1, 1, 10]).scale == .log10)
        #expect(distanceAxis([0, 1, 2, 4]).scale == .linear)
        #expect(distanceAxis([0]).scale == .linear)
    }
}
