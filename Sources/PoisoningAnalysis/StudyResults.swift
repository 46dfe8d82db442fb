import Foundation
import PoisoningEngine

/// Everything `results.json` holds: the configuration, every run, the aggregates, the fits and the
/// findings. It contains no timings, so equal configurations give byte-identical files.
public struct StudyResults: Sendable, Codable, Equatable {
    /// Version of the tool that produced the results.
    public let toolVersion: String
    /// The study's configuration.
    public let config: StudyConfig
    /// Every run, in `config.runSpecs` order.
    public let runs: [RunResult]
    /// Mean and std over seeds per (fraction, width).
    public let points: [AggregatePoint]
    /// One sigmoid fit per width.
    public let fits: [WidthFit]
    /// The study's conclusions.
    public let findings: Findings

    /// Analyses `runs` of `config`: aggregation, fits, thresholds and findings.
    public init(config: StudyConfig, runs: [RunResult], toolVersion: String) {
        self.toolVersion = toolVersion
        self.config = config
        self.runs = runs
        points = aggregate(runs, config: config)
        fits = fitWidths(points, widths: config.widths, classes: config.data.classes)
        findings = PoisoningAnalysis.findings(fits: fits, points: points, fractions: config.fractions)
    }

    /// Pretty-printed JSON with sorted keys: the bytes of `results.json`.
    public func jsonData() throws -> Data { try sortedJSON(self) }

    /// The reference study's validation: every check that fails, as a sentence; empty when all pass.
    public func validationFailures() -> [String] {
        var failures = [String]()
        let expectedRuns = config.fractions.count * config.widths.count * config.seeds.count
        if runs.count != expectedRuns { failures.append("expected \(expectedRuns) runs, found \(runs.count)") }
        let expectedPoints = config.fractions.count * config.widths.count
        if points.count != expectedPoints { failures.append("expected \(expectedPoints) aggregated points, found \(points.count)") }
        if fits.count != config.widths.count { failures.append("expected \(config.widths.count) fits, found \(fits.count)") }
        let diverged = runs.filter { $0.metrics == nil }
        if !diverged.isEmpty { failures.append("\(diverged.count) runs diverged, e.g. \(diverged[0].divergence ?? "")") }
        if points.contains(where: { $0.runCount > 0 && $0.testAccuracy == nil }) {
            failures.append("some aggregated points have no mean and standard deviation")
        }
        for fit in fits {
            let curve = points.filter { $0.width == fit.width }.sorted { $0.fraction < $1.fraction }
                .compactMap { $0.testAccuracy?.mean }
            guard let clean = fit.cleanAccuracy, let last = curve.last else {
                failures.append("width \(fit.width): no clean accuracy")
                continue
            }
            if clean <= fit.chanceAccuracy + 0.1 {
                failures.append("width \(fit.width): clean accuracy \(clean) is not above chance + 0.1")
            }
            if last > clean - 0.05 {
                failures.append("width \(fit.width): accuracy at the largest fraction (\(last)) is not at least 0.05 below clean (\(clean))")
            }
            if zip(curve, curve.dropFirst()).contains(where: { $1 > $0 + 0.05 }) {
                failures.append("width \(fit.width): mean accuracy rises by more than 0.05 between consecutive fractions")
            }
            if let rSquared = fit.rSquared {
                if rSquared <= 0.8 { failures.append("width \(fit.width): R² = \(rSquared) is not above 0.8") }
            } else {
                failures.append("width \(fit.width): no sigmoid fit (\(fit.failure ?? "unknown reason"))")
            }
        }
        return failures
    }
}

/// The keys of a JSON document that look like timings ("time", "seconds", "duration", "wall"),
/// which must never appear in `results.json`.
public func timingKeys(inJSON data: Data) -> [String] {
    guard let object = try? JSONSerialization.jsonObject(with: data) else { return [] }
    var found = Set<String>()
    func visit(_ value: Any) {
        if let dictionary = value as? [String: Any] {
            for (key, child) in dictionary {
                let lower = key.lowercased()
                if ["time", "second", "duration", "wall"].contains(where: lower.contains) { found.insert(key) }
                visit(child)
            }
        } else if let array = value as? [Any] {
            array.forEach(visit)
        }
    }
    visit(object)
    return found.sorted()
}
