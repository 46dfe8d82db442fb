import Foundation
import PoisoningAnalysis
import PoisoningEngine
import PoisoningModels
import PoisoningUtilities

extension ReportModel {
    /// One (series, fraction) of the input-curvature table (`curvatureRows`): each curvature run
    /// metric's mean over seeds with its Student-t interval, clipped where the quantity is bounded by
    /// construction (the alignment's to [0, 1], the range of |cos|; a network's eigenvalues to 0 and
    /// above, `hasPositiveSemiDefiniteInputHessian`), "n/a" where the runs do not record it.
    public struct CurvatureRow: Sendable {
        /// The series (its label names the near-clone distance, if any) and the poison fraction.
        public let series, fraction: String
        /// The top eigenvalue over the clean test rows, the triggered test rows and the poisoned
        /// training rows (with, where the runs record it, the same rows under the clean model of the
        /// same seed and the paired change), and the clean rows' eigenvector's alignment with the trigger.
        public let clean, triggered, poisoned, alignment: String
    }

    /// How the input curvature's eigenpairs were computed, as the input-curvature section names it,
    /// from the data's `features` and the study's `models` (`InputHessianEvaluator.meanTop`): up to
    /// `InputHessian.exactInputLimit` each mean Hessian built exactly (kernel ridge's in closed form, a
    /// network's from one exact Hessian-vector product per input feature) and decomposed in full;
    /// above it power iteration, with its stopping rule as coded (the residual at most the tolerance
    /// times max(|λ|, σ), σ kernel ridge's shift) and the bound it gives on λ.
    static func curvatureMethod(features: Int, models: [ParameterValue]) -> String {
        let limit = InputHessian.exactInputLimit
        let kernel = models.contains { CurvatureClaims.isPaperSetting($0) }, network = models.contains { !CurvatureClaims.isPaperSetting($0) }
        guard features > limit else {
            let built = kernel && network ? "built exactly (kernel ridge's in closed form, a network's from one exact Hessian-vector product per input feature)"
                : kernel ? "built in closed form (kernel ridge's squared error)" : "built exactly, one exact Hessian-vector product per input feature,"
            return "each mean Hessian \(built) and decomposed in full: the data have \(features) features, at most \(limit)"
        }
        let tolerance = InputHessian.residualTolerance
        let rule = kernel
            ? "\(tolerance) · max(|λ|, σ), σ = ‖Hu‖ of a first run (near the spectral radius) for kernel ridge's indefinite Hessian, which "
                + "the second run shifts by σ" + (network ? ", and σ = 0 for a network's positive semi-definite one" : "")
            : "\(tolerance) · |λ|"
        return "power iteration with exact Hessian-vector products, until the residual r = ‖Hu − λu‖ (H the mean input Hessian, u a unit vector) is at most "
            + "\(rule), or after \(InputHessian.maximumProducts) products; λ then lies within r of an eigenvalue of H "
            + "(|λ − λ_true| ≤ r): the data have \(features) features, more than \(limit)"
    }

    /// Whether the models of `kind` have a positive semi-definite input Hessian of the loss, so that
    /// its top eigenvalue is at least 0: the networks trained with softmax cross-entropy (MLP and
    /// logistic regression: H = J_zᵀ (diag(p) - p pᵀ) J_z, `InputHessian`), not kernel ridge (squared
    /// error, indefinite where the fit's own curvature is).
    static func hasPositiveSemiDefiniteInputHessian(kind: ParameterValue?) -> Bool {
        kind == .string(MLP.kind) || kind == .string(LogisticRegression.kind)
    }

    /// The sentence saying how many input-curvature eigenpairs of `results`' runs power iteration left
    /// short of its residual tolerance at its cap of products, and their largest relative residual:
    /// of the mean Hessians the measurement computes (`InputCurvatureMeasurement`: `filter` false) or
    /// of the rows the input-curvature filter scored (`filter` true); nil when every one converged
    /// (or no run records the count).
    static func curvatureConvergenceNote(of results: StudyResults, filter: Bool) -> String? {
        let countKey = filter ? MetricKey.inputCurvatureFilterUnconverged : MetricKey.inputCurvatureUnconverged
        let residualKey = filter ? MetricKey.inputCurvatureFilterResidual : MetricKey.inputCurvatureResidual
        // Per run that records the count: its count and its largest relative residual.
        let measured = results.runs.compactMap(\.metrics).compactMap { metrics in
            metrics[countKey].map { (count: $0, residual: metrics[residualKey]) }
        }
        let short = measured.filter { $0.count > 0 }
        guard !short.isEmpty else { return nil }
        let count = Int(short.reduce(0.0) { $0 + $1.count })
        let largest = short.compactMap(\.residual).max() ?? 0
        let what = filter ? (count == 1 ? "1 row the input-curvature filter scored" : "\(count) rows the input-curvature filter scored")
            : (count == 1 ? "1 top eigenpair of a mean input Hessian" : "\(count) top eigenpairs of mean input Hessians")
        let runs = filter ? "filtered runs" : "runs that measure the curvature"
        let values = (filter ? (count == 1 ? "its score is" : "their scores are") : (count == 1 ? "its eigenvalue is" : "their eigenvalues are"))
            + (count == 1 ? " the last Rayleigh quotient, at most the largest eigenvalue" : " the last Rayleigh quotients, each at most the largest eigenvalue")
        return "Power iteration stopped at its cap of \(InputHessian.maximumProducts) Hessian-vector products, its relative residual "
            + "‖Hu − λu‖ / max(|λ|, σ) still above \(InputHessian.residualTolerance) (σ kernel ridge's shift, 0 for a network), for \(what), in \(short.count) of the \(measured.count) \(runs) "
            + "(largest relative residual \(curvatureText(largest))): \(values). "
            + "results.json records each run's count (\(countKey)) and largest relative residual (\(residualKey))."
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
            let nonNegative = hasPositiveSemiDefiniteInputHessian(kind: results.config.models[results.series[series].model].value(at: "kind"))
            return fractions.compactMap { fraction -> CurvatureRow? in
                let seedValues = { (key: String) in results.config.seeds.map { metrics["\(series) \(fraction) \($0)"]?[key] } }
                /// The mean of `values` over the seeds that have one, with its Student-t interval (clipped to
                /// [0, 1] for the alignment |cos|, whose range that is, and to 0 and above for an eigenvalue
                /// of a positive semi-definite Hessian), each number with its sign when `signed` (a change,
                /// never clipped); nil when no seed has one.
                func meanText(_ values: [Double?], key: String, signed: Bool = false) -> String? {
                    let number = { (value: Double) in (signed && value > 0 ? "+" : "") + curvatureText(value) }
                    let present = values.compactMap { $0 }
                    guard !present.isEmpty else { return nil }
                    let interval = studentTInterval(values, resolution: 0, confidence: confidence).map { interval in
                        if key == MetricKey.inputCurvatureTriggerAlignment {
                            return Interval(lower: interval.lower.map { max(0, $0) }, upper: interval.upper.map { min(1, $0) })
                        }
                        return nonNegative && !signed ? Interval(lower: interval.lower.map { max(0, $0) }, upper: interval.upper) : interval
                    }
                    return number(MeanStd(of: present).mean)
                        + (interval.map { " [" + intervalText($0, number, separator: bracketSeparator) + "]" } ?? "")
                }
                let cells = keys.map { key -> String in
                    let values = seedValues(key)
                    guard let text = meanText(values, key: key) else { return "n/a" }
                    // The poisoned rows under the clean model of the same seed, where the runs record it
                    // (a series that trains as undefended), and the paired change: the spike at the poisons.
                    guard key == MetricKey.inputCurvatureTopPoisoned else { return text }
                    let baseline = seedValues(MetricKey.inputCurvatureTopPoisonedBaseline)
                    let changes = zip(values, baseline).map { poisoned, clean in poisoned.flatMap { p in clean.map { p - $0 } } }
                    guard let clean = meanText(baseline, key: key), let change = meanText(changes, key: key, signed: true) else { return text }
                    return text + "; clean model \(clean); change \(change)"
                }
                guard cells.contains(where: { $0 != "n/a" }) else { return nil }
                return CurvatureRow(series: results.series[series].label, fraction: percent(fraction), clean: cells[0], triggered: cells[1],
                                    poisoned: cells[2], alignment: cells[3])
            }
        }
    }
}

/// E|vᵀt| for a direction v drawn uniformly from the unit sphere in `features` dimensions and a fixed
/// unit t: Γ(d/2) / (√π Γ((d+1)/2)), about √(2 / (π d)) for large d (0.259 at d = 10): the alignment
/// with the trigger that a top eigenvector unrelated to it would show.
func randomDirectionAlignment(features: Int) -> Double {
    let d = Double(features)
    return exp(lgamma(d / 2) - lgamma((d + 1) / 2)) / Double.pi.squareRoot()
}

/// A metric's meaning as the report gives it: the alignment with the trigger's with the value of its
/// random-direction baseline at the data's feature count (`randomDirectionAlignment`), others as recorded.
func metricMeaning(_ metric: MetricInfo, _ results: StudyResults) -> String {
    guard metric.key == MetricKey.inputCurvatureTriggerAlignment else { return metric.meaning }
    let features = results.data.featureCount
    return metric.meaning + "; at the data's \(features) features a random direction gives "
        + fixed(randomDirectionAlignment(features: features), decimals: 3)
}
