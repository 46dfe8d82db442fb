import PoisoningAnalysis
import PoisoningEngine

/// A comparison of two studies as a Markdown document: what was compared, the agreement test, and
/// tables of the points and fits, each difference with its interval and whether it exceeds seed noise.
public func comparisonMarkdown(_ comparison: StudyComparison, firstName: String, secondName: String) -> String {
    let escape = ReportFormat.markdown.escape
    let level = String(format: "%g%%", comparison.confidence * 100)
    var lines = ["# Comparison of \(escape(firstName)) and \(escape(secondName))", ""]
    lines.append("First: `\(firstName)` (\(comparison.formats[0])); second: `\(secondName)` (\(comparison.formats[1])). "
        + "Compared on \(comparison.commonSeries.count) common series (\(escape(listing(comparison.commonSeries)))) and "
        + "\(comparison.commonFractions.count) common fractions (\(comparison.commonFractions.map(percent).joined(separator: ", "))).")
    if !comparison.unmatched.isEmpty {
        lines.append("")
        lines.append("Not compared: \(escape(listing(comparison.unmatched))).")
    }
    lines += ["", "## Agreement", ""]
    if let test = comparison.agreement {
        let verdict = test.p < 1 - comparison.confidence
            ? "the studies differ beyond seed noise at the \(level) level"
            : "the runs show no difference beyond seed noise at the \(level) level"
        lines.append("\(test.method): X = \(fixed(test.statistic, decimals: 2)) on \(test.degreesOfFreedom) degrees of freedom "
            + "over \(test.points) points, p = \(pValue(test.p)): \(verdict).")
    } else {
        lines.append("No agreement test: no common point has at least two seeds in both studies.")
    }
    let differing = comparison.points.filter(\.exceedsSeedNoise)
    lines += ["", "## Points", "",
              "Mean ± standard deviation over seeds; the difference is second minus first with its \(level) Welch interval. "
              + "\(differing.count) of \(comparison.points.count) differences exceed seed noise.", "",
              "| Series | Fraction | Metric | First | Second | Difference | \(level) interval | Beyond noise |",
              "|---|---:|---|---:|---:|---:|---|---|"]
    let metricNames = [MetricKey.testAccuracy: "test accuracy", MetricKey.trainAccuracy: "train accuracy",
                       MetricKey.generalizationGap: "generalization gap"]
    let signed = { (value: Double) in String(format: "%+.3f", value) }
    for point in comparison.points {
        let cells = [escape(point.series), percent(point.fraction), metricNames[point.metric] ?? point.metric,
                     "\(plusMinus(point.first)) (n = \(point.firstCount))", "\(plusMinus(point.second)) (n = \(point.secondCount))",
                     signed(point.difference.value ?? .nan), intervalText(point.difference.interval, signed),
                     point.exceedsSeedNoise ? "yes" : "no"]
        lines.append("| " + cells.joined(separator: " | ") + " |")
    }
    lines += ["", "## Fits", "",
              "Each study analysed alone (sigmoid fit and seed bootstrap); the interval of a difference combines their "
              + "independent replicates.", "",
              "| Series | Quantity | First | Second | Difference | \(level) interval | Resolved |", "|---|---|---:|---:|---:|---|---|"]
    let formats: [String: (Double) -> String] = [
        "threshold": percent, "steepness": { fixed($0, decimals: 2) }, "midpoint": { fixed($0, decimals: 3) },
        "cleanAccuracy": { fixed($0, decimals: 3) },
    ]
    let differenceFormats: [String: (Double) -> String] = [
        "threshold": percentagePoints, "steepness": { String(format: "%+.2f", $0) }, "midpoint": { String(format: "%+.3f", $0) },
        "cleanAccuracy": signed,
    ]
    for fit in comparison.fits {
        let format = formats[fit.quantity]!, difference = differenceFormats[fit.quantity]!
        // A threshold beyond the swept fractions is a bound ("> 50.0%"), and so is a difference with it ("> +15.0 pp").
        let value = { (estimate: Estimate) in
            estimateText(estimate, format) + (informativeIntervalText(estimate, format).map { " [\($0)]" } ?? "")
        }
        let cells = [escape(fit.series), fit.quantity, value(fit.first), value(fit.second), estimateText(fit.difference, difference),
                     intervalText(fit.difference.interval, difference), fit.resolved ? "yes" : "no"]
        lines.append("| " + cells.joined(separator: " | ") + " |")
    }
    return lines.joined(separator: "\n") + "\n"
}
