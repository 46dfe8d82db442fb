import PoisoningAnalysis

/// The Student t interval over seeds of the mean of metric `key` of series `series` at `fraction`
/// (`studentTInterval`: ȳ ± t_{m-1, 1-α/2} s / √m over the m seeds whose runs have the metric, the
/// spread s raised to one test row, at the study's level); nil with fewer than two such seeds.
func seedMeanInterval(_ results: StudyResults, series: Int, fraction: Double, key: String) -> Interval? {
    let values = results.runs.filter { $0.series == series && $0.fraction == fraction }.map { $0.metrics?[key] }
    return studentTInterval(values, resolution: 1 / Double(results.data.testCount), confidence: results.statistics.confidence)
}

/// A signed mean over seeds with its interval: "+0.261 [+0.238, +0.284]" in a table (`inBrackets`),
/// "+0.261 (+0.238 to +0.284)" in a sentence; the mean alone, without "±", when there is no interval
/// (one seed, or one finished run).
/// `decimals` as the table around it writes its numbers.
func signedMeanText(_ mean: Double, _ interval: Interval?, inBrackets: Bool, decimals: Int = 3) -> String {
    let number = { (value: Double) in signedFixed(value, decimals: decimals) }
    guard let interval else { return number(mean) }
    return number(mean) + (inBrackets ? " [" + intervalText(interval, number, separator: bracketSeparator) + "]"
                                      : " (" + intervalText(interval, number) + ")")
}

/// A mean ± standard deviation in a table cell, written by `format`; the mean alone when the cell
/// rests on one run, where "± 0.000" would read as a measured spread.
func tableSpread(_ statistics: MeanStd, runs: Int, _ format: (MeanStd) -> String = magnitudePlusMinus) -> String {
    guard runs < 2 else { return format(statistics) }
    return statistics.mean != 0 && abs(statistics.mean) < 0.0005 ? String(format: "%.1e", statistics.mean) : fixed(statistics.mean, decimals: 3)
}
