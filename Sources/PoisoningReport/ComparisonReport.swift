import PoisoningAnalysis
import PoisoningEngine

/// A comparison of two studies as a Markdown document: what was compared, the agreement test, and
/// tables of the points and fits, each difference with its interval and whether it exceeds seed noise.
public func comparisonMarkdown(_ comparison: StudyComparison, firstName: String, secondName: String) -> String {
    let escape = ReportFormat.markdown.escape
    let level = confidenceText(comparison.confidence)
    var lines = ["# Comparison of \(escape(firstName)) and \(escape(secondName))", ""]
    lines.append("First: \(markdownCodeSpan(firstName)) (\(comparison.formats[0])); second: \(markdownCodeSpan(secondName)) (\(comparison.formats[1])). "
        + "Compared on \(comparison.commonSeries.count) common series (\(escape(listing(comparison.commonSeries)))) and "
        + "\(comparison.commonFractions.count) common fractions (\(comparison.commonFractions.map(percent).joined(separator: ", "))).")
    if !comparison.unmatched.isEmpty {
        lines.append("")
        lines.append("Not compared: \(escape(listing(comparison.unmatched))).")
    }
    if comparison.identicalRuns {
        lines += ["", "Warning: both files hold the same runs (same series, fractions, seeds and results), so the tests "
            + "below treat one sample as two independent ones and mean nothing."]
    } else if comparison.sharedRuns > 0 {
        lines += ["", "Warning: \(comparison.sharedRuns) of the first file's \(comparison.runCounts[0]) runs are also in the second "
            + "(of its \(comparison.runCounts[1])): the same series, fraction, seed, settings and results. The tests below treat "
            + "them as two independent samples when they are one, so the differences are pulled toward zero and the intervals "
            + "are wider than the runs warrant."]
    }
    lines += ["", "## Replication", ""] + replicationLines(comparison, firstName: firstName, secondName: secondName)
    lines += ["", "## Agreement", ""]
    if let test = comparison.agreement {
        let verdict = test.p < 1 - comparison.confidence
            ? "taken at face value, the studies differ beyond seed noise at the \(level) level; correlated points make "
                + "small p-values too common, so the pooled shift above is the test to rely on"
            : "the runs show no difference beyond seed noise at the \(level) level"
        lines.append("\(test.method): X = \(fixed(test.statistic, decimals: 2)) on \(test.degreesOfFreedom) degrees of freedom "
            + "over \(test.points) points, p = \(pValue(test.p)): \(verdict).")
    } else {
        lines.append("No agreement test: no common point has at least two seeds in both studies.")
    }
    lines += ["", "## Points", "",
              "Mean ± standard deviation over seeds; the difference is second minus first with its \(level) Welch interval. "
              + multiplicitySentence(comparison.multiplicity, confidence: comparison.confidence), "",
              "| Series | Fraction | Metric | First | Second | Difference | \(level) interval | Beyond noise |",
              "|---|---:|---|---:|---:|---:|---|---|"]
    let metricNames = [MetricKey.testAccuracy: "test accuracy", MetricKey.trainAccuracy: "train accuracy",
                       MetricKey.generalizationGap: "generalization gap"]
    let signed = { (value: Double) in signedFixed(value, decimals: 3) }
    for point in comparison.points {
        let cells = [escape(point.series), percent(point.fraction), metricNames[point.metric] ?? point.metric,
                     "\(plusMinus(point.first)) (n = \(point.firstCount))", "\(plusMinus(point.second)) (n = \(point.secondCount))",
                     signed(point.difference.value ?? .nan), intervalText(point.difference.interval, signed),
                     point.exceedsSeedNoise ? "yes" : "no"]
        lines.append("| " + cells.joined(separator: " | ") + " |")
    }
    lines += ["", "## Fits", "",
              "Each study analysed alone, as its own report analyses it (sigmoid fit, seed bootstrap with its own replicates "
              + "and bootstrap seed; clean accuracy with its exact t interval). The clean accuracy's difference has Welch's "
              + "interval; a fitted quantity's is read off the difference of independent draws from the two studies' ray "
              + "bootstraps. Its sign is decided as each study's report decides its own: with 3 seeds or fewer in both, "
              + "undetermined where an end lies within two of its Monte Carlo errors of zero; with more than 3 in either, on the "
              + "default bootstrap stream's difference (the pilot), each end, withheld or shown, against twice the upper 95% bound "
              + "on its Monte Carlo error (2 × 1.48 errors), so the decision is the same whatever --bootstrap-seed, unless the "
              + "interval shown disagrees with the pilot on zero, which makes it undetermined; an end on the far side of zero "
              + "from the difference cannot resolve it and never makes it undetermined.", "",
              "| Series | Quantity | First | Second | Difference | \(level) interval | Resolved |", "|---|---|---:|---:|---:|---|---|"]
    let formats: [String: (Double) -> String] = [
        "threshold": percent, "steepness": { fixed($0, decimals: 2) }, "midpoint": { fixed($0, decimals: 3) },
        "cleanAccuracy": { fixed($0, decimals: 3) },
    ]
    let differenceFormats: [String: (Double) -> String] = [
        "threshold": percentagePoints, "steepness": { signedFixed($0, decimals: 2) }, "midpoint": { signedFixed($0, decimals: 3) },
        "cleanAccuracy": signed,
    ]
    // The report's names, and its words for the fit parameters' intervals (an end at the fit's bound open).
    let names = ["threshold": "Threshold", "steepness": "k", "midpoint": "x0", "cleanAccuracy": "Clean accuracy"]
    let largest = comparison.commonFractions.max() ?? 1
    let bounds = SigmoidFitBounds.study(largestFraction: largest)
    let parameters = ["steepness": 1, "midpoint": 2]
    var openEnds = false, withheldEnds = false, boundEnds = false
    for fit in comparison.fits {
        let format = formats[fit.quantity]!, difference = differenceFormats[fit.quantity]!
        // A threshold beyond the swept fractions is a bound ("> 50.0%"), and so is a difference with it ("> +15.0 pp").
        let value = { (estimate: Estimate) -> String in
            switch fit.quantity {
            case "steepness": withInterval(openAtFitBounds(estimate, parameter: 1, bounds)) { fixed($0, decimals: 1) }
            case "midpoint": midpointText(openAtFitBounds(estimate, parameter: 2, bounds), largest: largest)
            default: bracketedEstimateText(estimate, format)
            }
        }
        let interval = parameters[fit.quantity].map { differenceOpenAtBounds(fit, parameter: $0, bounds) } ?? fit.difference.interval
        let cells = [escape(fit.series), names[fit.quantity] ?? fit.quantity, value(fit.first), value(fit.second),
                     estimateText(fit.difference, difference), intervalText(interval, fit.quantity == "threshold" ? percentagePointsEnd : difference),
                     decisionText(shownDecision(fit, interval: interval, parameter: parameters[fit.quantity], bounds))]
        lines.append("| " + cells.joined(separator: " | ") + " |")
        openEnds = openEnds || cells.contains { $0.contains(" or more") || $0.contains("at most ") }
        withheldEnds = withheldEnds || cells.contains { $0.contains("withheld") }
        boundEnds = boundEnds || cells.contains { $0.contains("the fit's bound") }
    }
    if withheldEnds || boundEnds {
        // The glosses the report gives its own fits table (`fitPrecisionNote`, `fitBoundNote`).
        lines += [""]
        lines.append([withheldEnds ? "An end written “withheld” is one the bootstraps cannot place within 0.5 pp: on the default "
                        + "bootstrap stream the upper 95% confidence bound on its Monte Carlo error exceeds 0.125 pp (for k, 0.75% of "
                        + "the largest k the end stands on: the two estimates and the studies' own ends it is made of), so which ends "
                        + "are withheld is the same whatever --bootstrap-seed (but for a stream whose own interval is not estimable, which shows "
                        + "none); the decision reads its value on that stream, against "
                        + "twice that bound." : nil,
                      boundEnds ? "An end written “up to the fit's bound” or “down to the fit's bound” (beside a withheld or "
                        + "undetermined end) lies at the fit's bound: too many bootstrap refits reach the bound for that end to be "
                        + "placed, so the runs do not pin the parameter down on that side." : nil].compactMap { $0 }.joined(separator: " "))
    }
    if openEnds {
        // Explained once, as the report explains its own (`fitBoundNote`, the opening's gloss).
        lines += ["", "An interval written “a or more” or “at most b” is open on that side: too many bootstrap refits put "
            + "that end beyond the largest common fraction (\(percent(largest))) for a threshold, or at the fit's bound for k "
            + "and x0, for it to be placed, so the runs bound the quantity on one side only (each study's report writes its "
            + "intervals the same way); a difference with such a quantity is open on the same side."]
    }
    return lines.joined(separator: "\n") + "\n"
}

/// The pooled shifts as a table and the verdict of the pooled one in words, naming the published run
/// when one of the files is in its format.
func replicationLines(_ comparison: StudyComparison, firstName: String, secondName: String) -> [String] {
    let escape = ReportFormat.markdown.escape
    guard let pooled = comparison.pooledShifts.first else {
        return ["No pooled shift: in one study no seed has test accuracy at every common point."]
    }
    let level = confidenceText(comparison.confidence)
    let tostLevel = confidenceText(2 * comparison.confidence - 1)
    let margin = marginText(comparison.margin)
    let alpha = fixed(1 - comparison.confidence, decimals: 2)
    var lines = ["Test accuracy, second minus first, pooled with the seed as the unit: each seed's test accuracy is averaged "
        + "over the common points, and the shift is the difference of the two studies' means of these seed averages, with "
        + "Welch's \(level) interval. The points of one seed share its effect (its initialisation and data order), so they "
        + "are not independent replicates and the point-wise tests below are correlated. Equivalence within ±\(margin) "
        + "(two one-sided tests, each at \(alpha)) holds when the shift's \(tostLevel) interval lies inside ±\(margin).", "",
        "| Series | Points | Seeds (first, second) | Shift | \(level) interval | \(tostLevel) interval "
            + "| p (shift ≤ −\(margin), ≥ +\(margin)) | Verdict |",
        "|---|---:|---|---:|---|---|---|---|"]
    for shift in comparison.pooledShifts {
        let tests = shift.equivalence.map { "\(pValue($0.pBelowMargin)), \(pValue($0.pAboveMargin))" } ?? "n/a"
        let cells = [escape(shift.series ?? "all"), "\(shift.points)", "\(shift.firstSeeds), \(shift.secondSeeds)",
                     estimateText(shift.shift, percentagePoints), intervalText(shift.shift.interval, percentagePointsEnd),
                     intervalText(shift.equivalence?.interval, percentagePointsEnd), tests,
                     shift.equivalence.map { verdictPhrase($0.verdict, margin: margin) + weakVerdictMark(shift, verdict: $0.verdict) }
                         ?? "n/a (fewer than two seeds)"]
        lines.append("| " + cells.joined(separator: " | ") + " |")
    }
    // Against a published run, the shift is read as published minus ours, as the paper's numbers are the reference.
    let publishedSides = comparison.formats.indices.filter { comparison.formats[$0] == "published" }
    let published = publishedSides.count == 1 ? publishedSides.first : nil
    let names = [firstName, secondName].map(markdownCodeSpan)
    let sign = published == 0 ? -1.0 : 1.0
    let higherPoints = published == 0 ? pooled.firstHigherPoints : pooled.secondHigherPoints
    let tiedPoints = pooled.points - pooled.firstHigherPoints - pooled.secondHigherPoints
    // Means equal to within 1e-12 of their size (`isHigher`) are ties, counted apart.
    let ties = tiedPoints == 0 ? "" : " (tied at \(tiedPoints))"
    let opening = published.map {
        "Against the published run (\(names[$0])), the published run is higher than \(names[1 - $0]) at \(higherPoints) of "
            + "\(pooled.points) common points\(ties); published minus ours is"
    } ?? "The second study (\(names[1])) is higher than the first (\(names[0])) at \(higherPoints) of \(pooled.points) common "
        + "points\(ties); second minus first is"
    // Adding 0 turns the -0 of a negated zero into 0.
    let signedText = { (value: Double) in percentagePoints(sign * value + 0) }
    let orientedInterval = { (interval: Interval?) in
        intervalText(interval.map { sign > 0 ? $0 : Interval(lower: $0.upper.map { -$0 + 0 }, upper: $0.lower.map { -$0 + 0 }) },
                     percentagePointsEnd)
    }
    guard let value = pooled.shift.value, let test = pooled.equivalence else {
        lines += ["", "\(opening) \(pooled.shift.value.map(signedText) ?? "n/a") on average; with fewer than two seeds on a side "
            + "there is no interval, so the runs cannot say whether the studies are equivalent."]
        return lines
    }
    var sentence = "\(opening) \(signedText(value)) on average (\(level) interval \(orientedInterval(pooled.shift.interval))); "
        + verdictSentence(test.verdict, margin: margin, interval: "\(tostLevel) interval \(orientedInterval(test.interval))") + "."
    if let caveat = weakEquivalenceCaveat(pooled, names: names, verdict: test.verdict) {
        sentence += " " + caveat
    }
    if test.verdict == .undecided {
        let count = { (seeds: Int?) in seeds.map(String.init) ?? "more than 1,000" }
        // Led by the conservative count, as the report's seed plans are (`seedPlanSentence`).
        sentence += " " + (pooled.seedsForEquivalence.map {
            "If the true shift were 0, \(count(pooled.conservativeSeedsForEquivalence)) seeds per study would show equivalence "
                + "within ±\(margin) with at least 80% power in about 80% of pilot outcomes (the seed-level spread at its upper "
                + "80% bound; \(count(pooled.fewestSeedsForEquivalence)) to \(count(pooled.mostSeedsForEquivalence)) over its "
                + "\(level) χ² interval, from \(pooled.firstSeeds) and \(pooled.secondSeeds) seeds; \($0) with the observed "
                + "spread plugged in as if known)."
        } ?? "Even 1,000 seeds per study would not show equivalence with 80% power at the observed seed-level spreads.")
    }
    if !pooled.seedsLeftOut.allSatisfy({ $0 == 0 }) {
        sentence += " Seeds without test accuracy at every common point are left out: \(pooled.seedsLeftOut[0]) in the first, "
            + "\(pooled.seedsLeftOut[1]) in the second."
    }
    lines += ["", sentence]
    return lines
}

/// The sides of `pooled` whose seed-level spread is not measured well enough to rest a verdict on:
/// those whose spread lies below its floor (one test row over the points), so the floor sets it, and
/// those with 2 seeds or fewer, whose spread rests on at most 1 degree of freedom.
func weakSpreadSides(_ pooled: PooledShift) -> (floored: [Int], few: [Int]) {
    let stds = [pooled.first.std, pooled.second.std], seeds = [pooled.firstSeeds, pooled.secondSeeds]
    return ((0..<2).filter { stds[$0] < pooled.spreadFloors[$0] }, (0..<2).filter { seeds[$0] <= 2 })
}

/// The mark a verdict cell of the pooled table carries when the verdict `verdict` of `pooled` decides
/// something (equivalence shown or a shift resolved) on a spread it does not measure well
/// (`weakSpreadSides`), e.g. " (weak: a spread at its floor)"; empty otherwise.
func weakVerdictMark(_ pooled: PooledShift, verdict: EquivalenceVerdict) -> String {
    let (floored, few) = weakSpreadSides(pooled)
    guard verdict != .undecided, !floored.isEmpty || !few.isEmpty else { return "" }
    let reasons = (floored.isEmpty ? [] : ["a spread at its floor"]) + (few.isEmpty ? [] : ["2 seeds or fewer on a side"])
    return " (weak: " + reasons.joined(separator: "; ") + ")"
}

/// Why the verdict `verdict` of `pooled` is weak, or nil when it is not or decides nothing
/// (`undecided`): a side whose seed-level spread lies below its floor (one test row over the points)
/// has its spread set by the floor, not measured; a side with 2 seeds estimates its spread on 1
/// degree of freedom. An equivalence, or a resolved shift, then rests on a spread the runs barely
/// know. `names` are the two files' names, first and second.
func weakEquivalenceCaveat(_ pooled: PooledShift, names: [String], verdict: EquivalenceVerdict) -> String? {
    let stds = [pooled.first.std, pooled.second.std], seeds = [pooled.firstSeeds, pooled.secondSeeds]
    let (floored, few) = weakSpreadSides(pooled)
    /// A spread in percentage points with three decimals, e.g. "0.009 pp".
    func spread(_ value: Double) -> String { fixed(value * 100, decimals: 3) + " pp" }
    guard verdict != .undecided, !floored.isEmpty || !few.isEmpty else { return nil }
    var reasons = floored.map { side in
        "\(names[side])'s seed-level spread (\(spread(stds[side]))) lies below one test row over the points, so the "
            + "floor of \(spread(pooled.spreadFloors[side])) sets it"
    }
    reasons += few.map { side in
        "\(names[side]) has \(seeds[side]) seed\(seeds[side] == 1 ? "" : "s"), so its spread rests on \(seeds[side] - 1) "
            + "degree\(seeds[side] == 2 ? "" : "s") of freedom"
    }
    let equivalence = verdict == .equivalent || verdict == .differentButEquivalent
    let widened = equivalence ? "widen the interval past the margin" : "widen the interval to reach zero"
    return "This \(equivalence ? "equivalence" : "resolved shift") is weak: " + reasons.joined(separator: "; ")
        + ". A spread set by the floor or by so few seeds can be far smaller than the true one, which would \(widened); "
        + "more seeds on that side would test it."
}

/// A margin in percentage points, e.g. "2 pp".
private func marginText(_ margin: Double) -> String { String(format: "%g pp", margin * 100) }

/// A verdict in a table cell.
private func verdictPhrase(_ verdict: EquivalenceVerdict, margin: String) -> String {
    switch verdict {
    case .equivalent: "equivalent within ±\(margin)"
    case .differentButEquivalent: "different, but equivalent within ±\(margin)"
    case .differentBeyondMargin: "different by more than \(margin)"
    case .differentNotShownEquivalent: "different, equivalence not shown"
    case .undecided: "not resolved"
    }
}

/// A verdict in a sentence: what it means in terms of the shift's `interval` (its level and ends) shown.
private func verdictSentence(_ verdict: EquivalenceVerdict, margin: String, interval: String) -> String {
    let within = "the shift's \(interval)"
    switch verdict {
    case .equivalent:
        return "the two are equivalent within ±\(margin): \(within) lies inside the margin, and no shift is resolved"
    case .differentButEquivalent:
        return "the shift is resolved but smaller than the margin, so the two differ yet are equivalent within ±\(margin) "
            + "(\(within) lies inside it)"
    case .differentBeyondMargin:
        return "the two are not equivalent: the shift exceeds the margin of \(margin) (\(within) lies wholly beyond it)"
    case .differentNotShownEquivalent:
        return "the shift is resolved, and neither equivalence within ±\(margin) nor a shift beyond it is shown "
            + "(\(within) straddles the margin)"
    case .undecided:
        return "the runs cannot decide: no shift is resolved and equivalence within ±\(margin) is not shown (\(within) "
            + "reaches past the margin)"
    }
}

/// The point-wise flags beside the count expected by chance.
func multiplicitySentence(_ counts: PointwiseMultiplicity, confidence: Double) -> String {
    let level = confidenceText(1 - confidence)
    return "\(counts.beyondNoise) of \(counts.tested) differences exceed seed noise at \(level); about "
        + "\(fixed(counts.expectedByChance, decimals: 1)) would by chance if the studies agreed everywhere. The flags are correlated "
        + "(the points of one seed share its effect, and a run's metrics are measured together), so that count varies more than "
        + "independent tests would; Holm's correction, valid under any dependence, leaves \(counts.holmRejected)."
}

/// The decision a fits row shows: `fit.decision`, unless the row's interval opened an end that rests on
/// the fit's bounds (`differenceOpenAtBounds`); then the decision of that shown interval, so that no
/// row reads "at most +2.10" beside "yes" (the raw end that cleared zero was where the refits stopped,
/// not a measurement), made as `fit.decision` was: on the pilot's difference with the same ends opened
/// where there is one (review r21m m3), so that it does not change with `--bootstrap-seed`.
func shownDecision(_ fit: FitComparison, interval: Interval?, parameter: Int?, _ bounds: SigmoidFitBounds) -> SignDecision {
    guard interval != fit.difference.interval, let parameter else { return fit.decision }
    let pilot = fit.pilot.map { Estimate(value: $0.value, interval: $0.interval.map { openingEnds($0, openedEnds(fit, parameter: parameter, bounds)) },
                                         bound: $0.bound) }
    return SignDecision(Estimate(value: fit.difference.value, interval: interval, bound: fit.difference.bound), pilot: pilot)
}

/// Which ends of a fit parameter's difference (`parameter` 1 k or 2 x0) rest on an end of either study's
/// interval at the fit's `bounds`: the difference's upper end on the second's upper and the first's lower
/// end, its lower end on the second's lower and the first's upper end.
func openedEnds(_ fit: FitComparison, parameter: Int, _ bounds: SigmoidFitBounds) -> (lower: Bool, upper: Bool) {
    /// Which ends of `estimate`'s interval sit at the bounds.
    func opened(_ estimate: Estimate) -> (lower: Bool, upper: Bool) {
        guard let given = estimate.interval else { return (false, false) }
        let open = bounds.openingEndsAtBounds(given, parameter: parameter)
        return (given.lower != nil && open.lower == nil, given.upper != nil && open.upper == nil)
    }
    let first = opened(fit.first), second = opened(fit.second)
    return (second.lower || first.upper, second.upper || first.lower)
}

/// `interval` with the ends `open` made open (nil, without error, undetermined or withheld mark).
func openingEnds(_ interval: Interval, _ open: (lower: Bool, upper: Bool)) -> Interval {
    guard open.lower || open.upper else { return interval }
    let errors = interval.monteCarloError.map { EndErrors(lower: open.lower ? nil : $0.lower, upper: open.upper ? nil : $0.upper) }
    return Interval(lower: open.lower ? nil : interval.lower, upper: open.upper ? nil : interval.upper,
                    monteCarloError: errors?.lower == nil && errors?.upper == nil ? nil : errors,
                    undetermined: interval.undetermined, movedToEstimate: interval.movedToEstimate,
                    imprecise: interval.imprecise?.filter { $0 == .lower ? !open.lower : !open.upper })
}

/// The interval of a fit parameter's difference (second minus first, `parameter` 1 k or 2 x0) with
/// each end made open that rests on an end of either study's interval at the fit's `bounds`: the
/// difference's upper end on the second's upper and the first's lower end, its lower end on the
/// second's lower and the first's upper end. Such an end is where the refits stopped, not a
/// measurement, so it bounds no difference.
func differenceOpenAtBounds(_ fit: FitComparison, parameter: Int, _ bounds: SigmoidFitBounds) -> Interval? {
    fit.difference.interval.map { openingEnds($0, openedEnds(fit, parameter: parameter, bounds)) }
}
