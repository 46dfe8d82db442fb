import PoisoningAnalysis
import PoisoningEngine
import PoisoningUtilities

/// The Student t interval over seeds of the mean of metric `key` of series `series` at `fraction`
/// (`studentTInterval`: ȳ ± t_{m-1, 1-α/2} s / √m over the m seeds whose runs have the metric, the
/// spread s raised to `resolution`, one test row unless given, at the study's level); nil with fewer
/// than two such seeds. A retrained victim's distance from and agreement with its target count only
/// where it converged (`RunResult.countedMetric`), as the points' means do.
func seedMeanInterval(_ results: StudyResults, series: Int, fraction: Double, key: String, resolution: Double? = nil) -> Interval? {
    let values = results.runs.filter { $0.series == series && $0.fraction == fraction }.map { $0.countedMetric(key) }
    return studentTInterval(values, resolution: resolution ?? 1 / Double(results.data.testCount), confidence: results.statistics.confidence)
}

/// The finished runs of series `series` at `fraction` that record metric `key` but are left out of its
/// mean and interval because their retrained victim is not converged (`RunResult.countedMetric`),
/// beside all those that record it; (0, n) for any metric outside `MetricKey.convergedVictimKeys`. An
/// excess over the clean model, and the clean model's agreement, count the runs that record their rate,
/// since a run whose clean model's victim is not converged records neither (`Study.withCleanBaselines`).
func unconvergedVictims(_ results: StudyResults, series: Int, fraction: Double, key: String) -> (leftOut: Int, of: Int) {
    let rate = MetricKey.countsOnlyConvergedVictims(key) ? MetricKey.rate(of: key) : key
    let recorded = results.runs.filter { $0.series == series && $0.fraction == fraction && $0.metrics?[rate] != nil }
    return (recorded.filter { $0.countedMetric(key) == nil }.count, recorded.count)
}

/// "none converged (5 runs)" where every finished run of series `series` at `fraction` that records
/// metric `key` (its rate, for an excess or the clean agreement) leaves it out for an unconverged
/// victim (`unconvergedVictims`); for an excess of which some run's own victim converged, its clean
/// model's not, "no converged pair (5 runs: clean model's victim not converged)"; nil where one
/// counts, or none records it.
func noneConvergedText(_ results: StudyResults, series: Int, fraction: Double, key: String) -> String? {
    let count = unconvergedVictims(results, series: series, fraction: fraction, key: key)
    guard count.of > 0, count.leftOut == count.of else { return nil }
    let runs = "\(count.of) run\(count.of == 1 ? "" : "s")"
    return someOwnVictimConverged(results, series: series, fraction: fraction, key: key)
        ? "no converged pair (\(runs): clean model's victim not converged)" : "none converged (\(runs))"
}

/// Whether `key` is an excess over the clean model of which some run of series `series` at `fraction`
/// has its own retrained victim converged: a run left out of it is then left out for its clean model's.
func someOwnVictimConverged(_ results: StudyResults, series: Int, fraction: Double, key: String) -> Bool {
    key.hasSuffix(MetricKey.excessSuffix) && results.runs.contains { run in
        run.series == series && run.fraction == fraction && run.metrics?[MetricKey.rate(of: key)] != nil && run.victimConverged
    }
}

/// " (2 of 5 runs left out: victim not converged)" for `unconvergedVictims`' count of metric `key`
/// ("clean model's victim not converged" for the clean model's agreement, whose run at fraction 0 is
/// the one that did not converge); empty when none is left out.
func leftOutNote(_ count: (leftOut: Int, of: Int), key: String = "") -> String {
    let whose = key == MetricKey.cleanTargetAgreement ? "clean model's victim" : "victim"
    return count.leftOut == 0 ? "" : " (\(count.leftOut) of \(count.of) run\(count.of == 1 ? "" : "s") left out: \(whose) not converged)"
}

/// The runs of `series` at positive fractions, over every fraction, that record metric `key` but are left
/// out of it for an unconverged victim (`unconvergedVictims` summed over the swept fractions).
func unconvergedVictimsOverFractions(_ results: StudyResults, series: [Int], key: String) -> (leftOut: Int, of: Int) {
    let fractions = Set(results.runs.map(\.fraction)).filter { $0 > 0 }
    return series.flatMap { one in fractions.map { unconvergedVictims(results, series: one, fraction: $0, key: key) } }
        .reduce((leftOut: 0, of: 0)) { (leftOut: $0.leftOut + $1.leftOut, of: $0.of + $1.of) }
}

/// A mean over seeds of a magnitude of metric `key` with its interval, the interval's ends clipped to
/// the metric's range (`MetricKey.validRange`: a distance is at least 0, an agreement within [0, 1]):
/// "0.075 [0.046, 0.104]" in a table (`inBrackets`), "0.075 (0.046 to 0.104)" in a sentence, each
/// number with three decimals (with exponents when it rounds to 0.000 but is not 0); the mean alone
/// when there is no interval (one seed, or one run).
func magnitudeMeanText(_ mean: Double, _ interval: Interval?, key: String, inBrackets: Bool) -> String {
    let number = { (value: Double) in value != 0 && abs(value) < 0.0005 ? String(format: "%.1e", value) : fixed(value, decimals: 3) }
    let range = MetricKey.validRange(of: key)
    guard let interval = interval.map({ interval in
        Interval(lower: interval.lower.map { max($0, range.lowerBound) }, upper: interval.upper.map { min($0, range.upperBound) })
    }) else { return number(mean) }
    return number(mean) + (inBrackets ? " [" + intervalText(interval, number, separator: bracketSeparator) + "]"
                                      : " (" + intervalText(interval, number) + ")")
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
