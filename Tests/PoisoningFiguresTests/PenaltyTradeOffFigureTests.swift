import Foundation
import Testing
import Plotting
import PoisoningAnalysis
import PoisoningEngine
import TestSupport
@testable import PoisoningFigures

/// The input-gradient penalty's trade-off figure: drawn for a study that sweeps λ over at least two
/// values and for no other, each λ a marker at (clean accuracy, success) in the attack's colour,
/// labelled with its λ, in PNG and SVG.
struct PenaltyTradeOffFigureTests {
    /// Three λ whose clean models lose accuracy (0.90, 0.87, 0.84 clean, ± 0.01 over seeds) and whose
    /// attack loses success (0.90, 0.87, 0.84 minus 0.70, 0.80, 0.82 at 10%: 0.20, 0.07, 0.02).
    static func results() throws -> StudyResults {
        let (study, runs) = try penaltySweep(lambdas: [0, 0.1, 1]) { defense, fraction, seed in
            let clean = [0.90, 0.87, 0.84][defense] + [-0.01, 0, 0.01][seed]
            return fraction == 0 ? (clean, 0.95) : (fraction == 0.1 ? [0.70, 0.80, 0.82][defense] + [-0.01, 0, 0.01][seed] : 0.6, 0.9)
        }
        return StudyResults(study: study, runs: runs, toolVersion: "test")
    }

    @Test func eachLambdaIsALabelledMarkerAtItsCleanAccuracyAndSuccess() throws {
        let results = try Self.results()
        let figure = try #require(penaltyTradeOffFigure(results, styles: StudyStyles(results)))
        #expect(figure.name == "penalty_tradeoff")
        // One y label for panels whose titles name different measures (review r22e m4: it said "attack success" over a panel
        // of "test accuracy lost").
        #expect(figure.chart.y.label == "Attack's effect at 10.0%, corrected for clean (as each panel's title names it)")
        let curve = try #require(figure.chart.panels.first?.series.first)
        let expected = [(0.90, 0.20), (0.87, 0.07), (0.84, 0.02)]
        #expect(curve.points.count == 3)
        for (point, (x, y)) in zip(curve.points, expected) {
            #expect(abs(point.x - x) < 1e-12 && abs(point.y - y) < 1e-12)
        }
        #expect(figure.chart.panels[0].labels.map(\.text) == ["λ 0", "λ 0.1", "λ 1"])
        // The success is the same 0.20 etc. for every seed: its interval is the one-row spread, ± t(0.975, 2) / (150 √3).
        let bar = try #require(curve.intervals?[0])
        #expect(abs((bar.upperBound - bar.lowerBound) / 2 - 4.302653 / (150 * 3.0.squareRoot())) < 1e-5)
        let font = try Font()
        let rendered = try figure.chart.render(format: .png, font: font)
        let transform = rendered.transforms[0]
        for point in curve.points {
            #expect(rendered.canvas.pixel(at: transform.device(point)).isClose(to: curve.color, tolerance: 0.05))
        }
    }

    @Test func rendersAsPNGAndSVGForASweepAndNotWithoutOne() throws {
        let files = try renderStudyFigures(try Self.results(), formats: [.png, .svg])
        let png = try #require(files.first { $0.fileName == "penalty_tradeoff.png" })
        #expect(png.data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) && png.data.count > 1000)
        let svg = try #require(files.first { $0.fileName == "penalty_tradeoff.svg" })
        #expect(String(decoding: svg.data, as: UTF8.self).contains("<svg"))
        let (study, runs) = try penaltySweep(lambdas: [1], before: [StudyConfig.component(NoDefense.kind)]) { _, fraction, _ in
            (0.9 - fraction, 0.95)
        }
        #expect(!studyFigures(StudyResults(study: study, runs: runs, toolVersion: "test")).contains { $0.name.hasPrefix("penalty_tradeoff") })
    }
}
