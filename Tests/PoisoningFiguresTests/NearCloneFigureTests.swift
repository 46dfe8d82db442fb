import Foundation
import Testing
import Plotting
import PoisoningAnalysis
import PoisoningDefenses
import PoisoningEngine
import PoisoningUtilities
import TestSupport
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

    /// Near-clone backdoors at d 0 and 1000 toward the target's mean and at d 1000 toward each
    /// poison's own class mean (made-up runs of MLP 8, 4 seeds, with the input-curvature filter):
    /// the source-mean attack is its own sweep, drawn in its own panel named by its option, so that the
    /// two d-1000 points are not joined into one line.
    @Test func aNearCloneOptionOtherThanTheDistanceGetsItsOwnNamedPanel() throws {
        func backdoor(_ distance: Double, toward: String? = nil) -> ParameterValue {
            StudyConfig.component("backdoor", ["target": .int(0), "near-clone": .mapping(
                [ParameterEntry(key: "distance", value: .double(distance))] + (toward.map { [ParameterEntry(key: "toward", value: .string($0))] } ?? []))])
        }
        let study = try Study(StudyConfig(models: [StudyConfig.mlp(8)], attacks: [backdoor(0), backdoor(1000), backdoor(1000, toward: "source-mean")],
                                          defenses: [StudyConfig.component(NoDefense.kind), StudyConfig.component(InputCurvatureFilter.kind)],
                                          fractions: [0, 0.1], seeds: [1, 2, 3, 4], training: TrainingSettings(epochs: 5),
                                          analysis: AnalysisSettings(replicates: 200), measure: ["input-curvature"]))
        let runs = study.runSpecs.map { spec in
            let series = study.series[spec.series], shake = 0.01 * Double(spec.seed)
            var values = runMetrics(test: 0.9, train: 0.95, trainClean: 0.95, loss: 0.3)
            values[MetricKey.inputCurvatureTopClean] = 2
            values[MetricKey.inputCurvatureTopTriggered] = spec.fraction == 0 ? 1 : 1.2 + shake
            values["backdoorSuccess"] = spec.fraction == 0 ? 0.1 : 0.5 + 0.1 * Double(series.attack) + shake
            if series.defense == 1 {
                values[MetricKey.removedFraction] = 0.1
                if spec.fraction > 0 { values[MetricKey.detectionAUROC] = 0.6 + shake }
            }
            return madeUpRun(spec, in: study, metrics: values)
        }
        let results = StudyResults(study: study, runs: runs, toolVersion: "test")
        let figure = try #require(studyFigures(results).first { $0.name == "near_clone" })
        #expect(figure.chart.panels.map(\.title) == ["MLP 8", "MLP 8, toward source mean"])
        #expect(figure.chart.panels.map { $0.series[0].points.map(\.x) } == [[0, 1000], [1000]])
        #expect(figure.chart.panels[1].series[0].points.map(\.y) == [results.curvatureClaims!.nearClone[1].points[0].success.mean!])
    }

    @Test func theDistanceAxisIsLogarithmicOnlyWhenTheDistancesSpanDecades() {
        #expect(distanceAxis([0, 0.5, 1, 1000]).scale == .symmetricLog(linearWithin: 0.5))
        #expect(distanceAxis([0.1, 1, 10]).scale == .log10)
        #expect(distanceAxis([0, 1, 2, 4]).scale == .linear)
        #expect(distanceAxis([0]).scale == .linear)
    }
}
