import PoisoningAnalysis
import PoisoningEngine

/// What an unbounded end of a threshold interval means, said beside the first table that shows one,
/// with the first such interval the tables show as `intervalText` writes it (so the gloss quotes one a
/// reader can find; `shownThresholdIntervals`),
/// what an undetermined end means when a threshold interval has one, and what an end of a sigmoid
/// parameter's interval at the fit's bound means (`fitBoundNote`) and what a withheld one means
/// (`fitPrecisionNote`), what a withheld end of a threshold, difference or trend means
/// (`thresholdPrecisionNote`), and that an adaptive study's are never withheld (`adaptiveExemptionNote`);
/// nil when none has any.
func openEndNote(_ results: StudyResults) -> String? {
    let statistics = results.statistics
    let intervals = shownThresholdIntervals(results)
    let share = confidenceText((1 - statistics.confidence) / 2)
    let tail = "of the bootstrap replicates (more than \(share)) the fitted curve does not fall to its threshold"
    var notes = [String]()
    if let open = intervals.first(where: { $0.upper == nil && $0.shownLower != nil && !$0.isUndetermined(.upper) }) {
        notes.append("An interval written “\(intervalText(open, percent))” has an unbounded upper end: in too many \(tail) within "
            + "the swept fractions (up to \(percent(results.findings.largestFraction))), so the runs place the threshold above "
            + "\(percent(open.lower!)) but cannot say how far above; a sweep to larger fractions would.")
    } else if let open = intervals.first(where: { $0.lower == nil && $0.shownUpper != nil && !$0.isUndetermined(.lower) }) {
        notes.append("An interval written “\(intervalText(open, percent))” has an unbounded lower end: in too many \(tail) only "
            + "before the smallest swept fraction, so the runs place the threshold below \(percent(open.upper!)) but cannot say "
            + "how far below.")
    }
    if let undetermined = intervals.first(where: { $0.undetermined != nil }) {
        notes.append("An end written “undetermined” (“\(intervalText(undetermined, percent))”) is one the bootstrap cannot call "
            + "bounded or unbounded: the share of its replicates beyond the swept fractions lies within two Monte Carlo errors of "
            + "\(share).")
    }
    if let bound = fitBoundNote(results) { notes.append(bound) }
    if let imprecise = fitPrecisionNote(results) { notes.append(imprecise) }
    if let imprecise = thresholdPrecisionNote(results) { notes.append(imprecise) }
    if let adaptive = adaptiveExemptionNote(results) { notes.append(adaptive) }
    return notes.isEmpty ? nil : notes.joined(separator: " ")
}

/// That an adaptive study's thresholds, threshold differences and trends are shown without the
/// pilot's bound that withholds an imprecise end elsewhere (`placingFittedEnds` is not applied at the
/// looks: at their refits the pilot would place no end, and the study could never stop), with what was
/// measured instead (review r21z M4); nil for a study that is not adaptive.
func adaptiveExemptionNote(_ results: StudyResults) -> String? {
    guard results.sequential != nil else { return nil }
    return "This adaptive study's thresholds, threshold differences and trends are shown without the check that withholds an end "
        + "too imprecise to place (at the looks' refits the pilot bootstrap would place none, and no question could be answered), "
        + "so their ends carry no per-end bound on their Monte Carlo error: on examples/adaptive-reference they moved by at most "
        + "0.24 pp over 5 bootstrap streams, and a study's own can be checked by rerunning it with another --bootstrap-seed."
}

/// What a withheld end of a threshold, a threshold difference or a trend means (`placingFittedEnds`):
/// "An end of a threshold, a threshold difference or the trend written “withheld” is one the
/// bootstrap's 8,000 refits per series cannot place within 0.5 pp ...", and how a sign decision
/// reads it (on the pilot, like a shown end: `SignDecision.init(_:pilot:)`). Nil when none is withheld.
func thresholdPrecisionNote(_ results: StudyResults) -> String? {
    let statistics = results.statistics
    let intervals = statistics.series.compactMap(\.threshold.interval)
        + statistics.differences.filter { $0.quantity == .threshold }.compactMap(\.difference.interval)
        + statistics.trends.compactMap(\.slope.interval)
    guard intervals.contains(where: { $0.imprecise != nil }) else { return nil }
    return "An end of a threshold, a threshold difference or a trend written “withheld” is one the bootstrap's "
        + "\(groupedDigits(statistics.replicates)) refits per series cannot "
        + "place within 0.5 pp: on the default bootstrap stream, the upper 95% confidence bound on its Monte Carlo error exceeds "
        + "0.125 pp, so which ends are withheld is the same whatever --bootstrap-seed (but for a stream whose own interval is not "
        + "estimable, which shows none). Its value and error are kept in results.json, "
        + "and no finding or verdict quotes it; the sign decision of a difference or trend reads it on the pilot bootstrap like a "
        + "shown end, by its value against twice the upper bound on its Monte Carlo error (2 × 1.48 errors; an end on the far "
        + "side of zero from the estimate never counts)."
}

/// What the fit table's open ends of L, k, x0 and b mean where an end lies at the fit's bound
/// (`openAtFitBounds` writes it open: "0.68 [0.39 or more]"): "In the columns of L and b, an end
/// written “or more” or “at most” lies at the fit's bound ([0, 1.5] and [0, 1]) ...". Nil when no end does.
func fitBoundNote(_ results: StudyResults) -> String? {
    let bounds = SigmoidFitBounds.study(largestFraction: results.config.fractions.max() ?? 1)
    let names = ["L", "k", "x0", "b"]
    let opened = names.indices.filter { j in
        results.fits.contains { fit in
            let s = results.statistics.series[fit.series]
            let estimate = [s.amplitude, s.steepness, s.midpoint, s.floor][j]
            guard let interval = estimate.interval, let shown = openAtFitBounds(estimate, parameter: j, bounds).interval else { return false }
            return (interval.lower != nil && shown.lower == nil) || (interval.upper != nil && shown.upper == nil)
        }
    }.map { names[$0] }
    guard !opened.isEmpty else { return nil }
    // Beside an end not given (undetermined or withheld) an end at the bound reads "down to the fit's bound" or "up to the fit's bound".
    let besideUnplaced = results.statistics.series.contains { s in
        [s.amplitude, s.steepness, s.midpoint, s.floor].contains { $0.interval?.undetermined != nil || $0.interval?.imprecise != nil }
    }
    return "In the column\(opened.count == 1 ? "" : "s") of \(listing(opened)), an interval end written “or more” or “at most” "
        + (besideUnplaced ? "(“up to the fit's bound” or “down to the fit's bound” beside a withheld or undetermined end) " : "")
        + "lies at the fit's bound (\(boundsText(opened, bounds: bounds))): too many bootstrap refits reach the bound for that end "
        + "to be placed, so the runs do not pin the parameter down on that side (the estimate itself may lie well inside)."
}

/// What a withheld end of L, k, x0 or b means (`placingParameterEnds`): "In the columns of L and
/// x0, an end written “withheld” is one the bootstrap's 8,000 refits per series cannot place within
/// 0.5 pp ...", naming only the columns whose cells print one (`ReportModel.fits`), with the refits
/// that would place the least precise of them (the refits times the square of its error's 95% upper
/// bound over the limit, the Monte Carlo error falling as 1 / √refits) when the errors are the pilot's
/// (`errorsArePilots`), else the rule alone, so that the note is the same whatever `--bootstrap-seed`.
/// Nil when no end is withheld.
func fitPrecisionNote(_ results: StudyResults) -> String? {
    let names = ["L", "k", "x0", "b"]
    let cells = ReportModel.fits(of: results).map { [$0.L, $0.k, $0.x0, $0.b] }
    let withheld = names.indices.filter { j in cells.contains { $0[j].contains("withheld") } }
    guard !withheld.isEmpty else { return nil }
    var needed = 0.0
    for fit in results.fits {
        let s = results.statistics.series[fit.series]
        for j in withheld {
            guard let interval = [s.amplitude, s.steepness, s.midpoint, s.floor][j].interval, let errors = interval.monteCarloError else { continue }
            for (end, error, value) in [(IntervalEnd.lower, errors.lower, interval.lower), (.upper, errors.upper, interval.upper)]
            where interval.isImprecise(end) {
                guard let error, let value else { continue }
                let limit = j == 1 ? parameterEndRelativePrecision * abs(value) : parameterEndPrecision
                let ratio = error * parameterEndErrorBound / limit
                needed = max(needed, Double(results.statistics.replicates) * ratio * ratio)
            }
        }
    }
    return "In the column\(withheld.count == 1 ? "" : "s") of \(listing(withheld.map { names[$0] })), an end written “withheld” is one "
        + "the bootstrap's \(groupedDigits(results.statistics.replicates)) refits per series cannot place within 0.5 pp: the upper 95% confidence "
        + "bound on its Monte Carlo error exceeds 0.125 pp (for k, 0.75% of the end), so another random stream of refits could move "
        + "it further. Which ends are withheld is decided on the default bootstrap stream, so it is the same whatever "
        + "--bootstrap-seed; their values and errors are kept in results.json. The parameter is poorly identified on that side: "
        + "its refits spread thinly along fits that are nearly as good towards the fit's bounds. "
        + (errorsArePilots(results) ? "Placing every such end would take about \(roughCount(needed)) refits per series"
            : "Placing such an end would take (1.48 e / 0.125 pp)² times as many refits (for k, 0.75% of the end in place of "
                + "0.125 pp), e its Monte Carlo error on the default stream (--bootstrap-seed 0), which decides what is withheld")
        + "; the thresholds, their differences and the trend do not depend on these ends."
}

/// Whether the recorded Monte Carlo errors of `results` are those of the pilot bootstrap that withholds
/// ends (`SeedBootstrap.pilot`): the default stream, outside an adaptive study (whose last look may have
/// drawn more replicates than its pilot). Only then does a count read off them name the refits that
/// would place a withheld end the same whatever `--bootstrap-seed` (review r21x m3).
func errorsArePilots(_ results: StudyResults) -> Bool {
    results.config.analysis.bootstrapSeed == SeedBootstrap.pilotSeed && results.sequential == nil
}

/// A large count in words, rounded up: to the thousand ("340,000"), from a million on to a tenth of a million ("1.8 million").
func roughCount(_ value: Double) -> String {
    let thousands = Int((value / 1000).rounded(.up))
    if thousands >= 1000 { return fixed((value / 1e5).rounded(.up) / 10, decimals: 1) + " million" }
    return "\(max(thousands, 1)),000"
}

/// The threshold intervals the report's tables and opening print, in series order: `thresholdText`
/// prints none for an unfitted series, nor for a bound whose interval says no more than the bound
/// (`informativeIntervalText`: "not reached" beside an interval from the largest swept fraction up).
func shownThresholdIntervals(_ results: StudyResults) -> [Interval] {
    results.fits.compactMap { fit in
        let estimate = results.statistics.series[fit.series].threshold
        guard fit.threshold.status != .noFit, informativeIntervalText(estimate, percent) != nil else { return nil }
        return estimate.interval
    }
}

/// Why a seed spread below one test row (such as "± 0.000") stands beside an interval that is not a
/// point: agreeing seeds do not prove a zero spread, so the intervals raise a spread below one test
/// row to one test row. The example is a series whose clean accuracy shows it, one shown as "± 0.000"
/// when there is one (the first such, else the first below one test row), so that the example is of
/// what the note's first words name; nil when no point with two or more seeds has a spread below one
/// test row.
func spreadFloorNote(_ results: StudyResults) -> String? {
    let resolution = 1 / Double(results.data.testCount)
    let agreeing = results.points.filter { point in
        point.runCount >= 2 && (point.metric(MetricKey.testAccuracy)?.std ?? 1) < resolution
    }
    guard !agreeing.isEmpty else { return nil }
    let smallest = results.config.fractions.min() ?? 0
    let clean = agreeing.filter { $0.fraction == smallest }
    /// Whether a point's accuracy is shown with a spread of "± 0.000".
    func showsZero(_ point: AggregatePoint) -> Bool { point.metric(MetricKey.testAccuracy).map { fixed($0.std, decimals: 3) == "0.000" } ?? false }
    let zero = clean.first(where: showsZero)
    var example = ""
    if let point = zero ?? clean.first, let accuracy = point.metric(MetricKey.testAccuracy),
       let interval = results.statistics.series[point.series].cleanAccuracy.interval {
        example = " (\(results.series[point.series].label) at \(percent(smallest)): \(plusMinus(accuracy)), yet its clean "
            + "accuracy's \(levelText(results)) interval is \(intervalText(interval) { fixed($0, decimals: 3) }))"
    }
    let opening = agreeing.contains(where: showsZero) ? "A spread of ± 0.000, or any below one test row, means"
        : "A spread below one test row means"
    return "\(opening) the seeds agree to within one test row\(example). Seeds that agree do not prove that "
        + "there is no spread, so every interval treats a spread below one test row (1/\(results.data.testCount) = "
        + "\(fixed(resolution, decimals: 3))) as one test row."
}

/// Where a model solved to a tolerance (a linear SVM) leaves test predictions undetermined
/// (`MetricKey.undeterminedTestShare`) at some point by at least 1% of the test rows: which series,
/// its largest share (the seeds' mean) and where, and what it means for the accuracies there. Nil
/// when no point reaches 1%.
func undeterminedPredictionsNote(_ results: StudyResults) -> String? {
    let shown = 0.01
    let worst = Dictionary(grouping: results.points.compactMap { point in
        point.metric(MetricKey.undeterminedTestShare).map { (point: point, share: $0.mean) }
    }.filter { $0.share >= shown }, by: \.point.series)
        .compactMapValues { $0.max { $0.share < $1.share } }
        .sorted { $0.key < $1.key }
    guard !worst.isEmpty else { return nil }
    let listed = worst.map { "\(results.series[$0.key].label): up to \(percent($0.value.share)) of the test rows at \(percent($0.value.point.fraction))" }
    return "Some test predictions are undetermined by the solver (\(listed.joined(separator: "; ")), the seeds' mean): within the solve's distance from the exact optimum (at most √(2 × its duality gap) per class), another "
        + "class may have the largest decision value for those rows, so where the share is large, the test accuracy depends on "
        + "the solver's tolerance as well as on the model. A smaller tolerance narrows the bound. Every point's share is the column undeterminedTestShare of points.csv."
}

/// The intervals' confidence: "95%"; an adaptive study's last look's, e.g. "99.14%".
func levelText(_ results: StudyResults) -> String { confidenceText(results.statistics.confidence) }
