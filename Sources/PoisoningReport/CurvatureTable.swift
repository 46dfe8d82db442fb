import PoisoningAnalysis
import PoisoningEngine
import PoisoningUtilities

extension ReportModel {
    /// One (series, fraction) of the input-curvature table (`curvatureRows`): each curvature run
    /// metric's mean over seeds with its Student-t interval, "n/a" where the runs do not record it.
    public struct CurvatureRow: Sendable {
        /// The series (its label names the near-clone distance, if any) and the poison fraction.
        public let series, fraction: String
        /// The top eigenvalue over the clean test rows, the triggered test rows and the poisoned
        /// training rows, and the clean rows' eigenvector's alignment with the trigger.
        public let clean, triggered, poisoned, alignment: String
    }

    /// The input-curvature table of `results`: one row per series and fraction whose runs record an
    /// input-curvature metric (`InputCurvatureMeasurement`); empty when the study measures none.
    static func curvatureRows(of results: StudyResults, fractions: [Double]) -> [CurvatureRow] {
        let keys = [MetricKey.inputCurvatureTopClean, MetricKey.inputCurvatureTopTriggered, MetricKey.inputCurvatureTopPoisoned,
                    MetricKey.inputCurvatureTriggerAlignment]
        let measured = Set((results.measuredMetrics ?? []).map(\.key))
        guard keys.contains(where: measured.contains) else { return [] }
        var metrics = [String: [String: Double]]()
        for run in results.runs { metrics["\(run.series) \(run.fraction) \(run.seed)"] = run.metrics }
        let confidence = results.statistics.confidence
        return results.series.indices.flatMap { series in
            fractions.compactMap { fraction -> CurvatureRow? in
                let cells = keys.map { key -> String in
                    let values = results.config.seeds.map { metrics["\(series) \(fraction) \($0)"]?[key] }
                    let present = values.compactMap { $0 }
                    guard !present.isEmpty else { return "n/a" }
                    let mean = MeanStd(of: present).mean
                    let interval = studentTInterval(values, resolution: 0, confidence: confidence)
                    return curvatureText(mean) + (interval.map { " [" + intervalText($0, curvatureText, separator: bracketSeparator) + "]" } ?? "")
                }
                guard cells.contains(where: { $0 != "n/a" }) else { return nil }
                return CurvatureRow(series: results.series[series].label, fraction: percent(fraction), clean: cells[0], triggered: cells[1],
                                    poisoned: cells[2], alignment: cells[3])
            }
        }
    }
}
