import Foundation
import PoisoningAnalysis
import PoisoningEngine

/// The rows and tables of a `ReportModel`, one function per part of the report, each from the results alone.
extension ReportModel {
    /// The configuration table: the data set, its rows, the models, attacks, defenses and fractions, the
    /// attacker's surrogate when an attack trains one, the seeds, the training settings and the runs.
    static func parameters(of results: StudyResults, fractions: [Double]) -> [Parameter] {
        let config = results.config, data = results.data
        var parameters: [Parameter] = [
            Parameter(name: "Data set", value: data.name + componentDetails(config.data)),
            Parameter(name: "Rows", value: "\(data.trainCount) training, \(data.testCount) test; \(data.featureCount) features, \(data.classCount) classes"
                + classNamesText(data.classNames)),
            Parameter(name: "Models", value: listing(distinct(results.series.map(\.modelLabel)))),
            Parameter(name: "Attacks", value: listing(distinct(results.series.map(\.attackLabel)))),
            Parameter(name: "Defenses", value: listing(distinct(results.series.map(\.defenseLabel)))),
            Parameter(name: "Poison fractions", value: fractions.map(percent).joined(separator: ", ")),
        ]
        if let knowledge = attackerKnowledge(results) { parameters.append(Parameter(name: "Attacker's surrogate", value: knowledge)) }
        if let subsets = victimRowSubsets(results) { parameters.append(Parameter(name: "Victims' training rows", value: subsets)) }
        if let notes = methodNotes(results) { parameters.append(Parameter(name: "Attack methods", value: notes)) }
        parameters.append(Parameter(name: "Seeds", value: config.seeds.map(String.init).joined(separator: ", ")))
        // The SGD settings, with the models they apply to when an exact solver trains others.
        let methodOfModel = config.modelTrainingMethods
        let methods = distinct(results.series.map { methodOfModel[$0.model] })
        if methods != [MLP.trainingMethod] {
            let trainedBy = methods.map { method in
                "\(method) (\(listing(distinct(results.series.filter { methodOfModel[$0.model] == method }.map(\.modelLabel)))))"
            }
            parameters.append(Parameter(name: "Training", value: trainedBy.joined(separator: "; ")))
        }
        if methods.contains(MLP.trainingMethod) {
            parameters += [
                Parameter(name: "Epochs", value: "\(config.training.epochs)"),
                Parameter(name: "Batch size", value: "\(config.training.batchSize)"),
                Parameter(name: "Learning rate (SGD)", value: "\(config.training.learningRate)"),
            ]
        }
        parameters.append(Parameter(name: "Runs", value: "\(results.runs.count)"))
        return parameters
    }

    /// Every series' sigmoid fit, each parameter with its interval, L and b with fewer decimals when
    /// the data barely determine the fit. An interval end at the fit's bound reads as open, as x0's
    /// ends beyond the sweep do: "0.68 [0.39 or more]", not "[0.39, 1.50]" (`openAtFitBounds`).
    static func fits(of results: StudyResults) -> [Fit] {
        let statistics = results.statistics, largest = results.config.fractions.max() ?? 1
        let bounds = SigmoidFitBounds.study(largestFraction: largest)
        return results.fits.map { fit in
            let parameters = fit.parameters, s = statistics.series[fit.series]
            let poorlyIdentified = isPoorlyIdentified(s)
            return Fit(series: results.series[fit.series].label,
                       cleanAccuracy: withInterval(s.cleanAccuracy, threeDecimals),
                       L: withInterval(openAtFitBounds(s.amplitude, parameter: 0, bounds), openWords: fitBoundWords) {
                           fixed($0, decimals: poorlyIdentified ? 2 : 3)
                       },
                       k: withInterval(openAtFitBounds(s.steepness, parameter: 1, bounds), openWords: fitBoundWords) { fixed($0, decimals: 1) },
                       x0: midpointText(openAtFitBounds(s.midpoint, parameter: 2, bounds), largest: largest),
                       b: withInterval(openAtFitBounds(s.floor, parameter: 3, bounds), openWords: fitBoundWords) {
                           fixed($0, decimals: poorlyIdentified ? 2 : 3)
                       },
                       rSquared: fit.rSquared.map { fixed($0, decimals: 3) } ?? "n/a",
                       threshold: thresholdText(fit.threshold, estimate: s.threshold, brackets: true),
                       thresholdStatus: fit.threshold.status.rawValue,
                       thresholdNote: fit.threshold.reason ?? "",
                       failure: fit.failure ?? "",
                       poorlyIdentified: poorlyIdentified, hasFit: parameters != nil)
        }
    }

    /// The comparison of curves, one row per series: each curve's Akaike weight, the preferred curve
    /// (none when the curves are not told apart), the evidence ratios, whether the shape is decided
    /// and, when the curves are not told apart, the design that would tell them apart.
    static func curveRows(of results: StudyResults) -> [CurveRow] {
        results.statistics.series.map { s in
            let cell = { (model: CurveModel) -> String in
                guard let curve = s.curves.first(where: { $0.model == model }) else { return "n/a" }
                return curve.weight.map { "w = " + fixed($0, decimals: 2) } ?? "no AICc"
            }
            let toldApart = s.curveEvidence?.distinguishesCurves ?? false
            let design = s.curveEvidence.map { evidence -> String in
                guard !toldApart else { return "" }
                guard evidence.seedSpread != nil else { return "n/a (fewer than two seeds at every fraction)" }
                return evidence.decisiveDesign.map {
                    "\($0.fractions) fractions × \($0.seeds) seeds (expected ratio \(evidenceRatioText($0.expectedEvidenceRatio)))"
                } ?? "none up to \(CurveDesignMenu.fractionCounts.max()!) fractions × \(CurveDesignMenu.seedCounts.max()!) seeds"
            } ?? "n/a"
            return CurveRow(series: results.series[s.series].label, sigmoid: cell(.sigmoid), quadratic: cell(.quadratic), line: cell(.line),
                            preferred: s.curveEvidence == nil || toldApart ? s.preferredCurve?.rawValue ?? "not compared" : notToldApart,
                            evidenceRatio: s.curveEvidence.map { evidenceRatioText($0.sigmoidEvidenceRatio) } ?? "n/a",
                            expectedRatio: s.curveEvidence?.expectedAtThisDesign.map(evidenceRatioText) ?? "n/a",
                            decided: shapeDecision(results.findings.series.first { $0.series == s.series }?.shape, toldApart: toldApart),
                            design: design)
        }
    }

    /// The preferred-curve cell of a series whose curves the runs do not tell apart: the largest
    /// Akaike weight then prefers nothing.
    static let notToldApart = "— (not told apart)"

    /// The differences between series: the threshold in percentage points, accuracies signed, and
    /// the seeds an unresolved difference needs. Left out (`shownDifferences`): differences of runs that
    /// are identical, and of thresholds a series has no fit for.
    static func differenceRows(of results: StudyResults, largestFraction: Double) -> [DifferenceRow] {
        let quantityNames: [ComparedQuantity: String] = [.threshold: "Critical threshold", .cleanAccuracy: "Clean accuracy",
                                                         .gapAtLargestFraction: "Gap at \(percent(largestFraction))"]
        return tabledDifferences(results).map { d in
            let format: (Double) -> String = d.quantity == .threshold ? { percentagePoints($0) } : { signedAccuracy($0) }
            return DifferenceRow(quantity: quantityNames[d.quantity]!,
                                 pair: "\(results.series[d.other].label) − \(results.series[d.base].label)",
                                 difference: estimateText(d.difference, format),
                                 interval: intervalText(d.difference.interval, d.quantity == .threshold ? percentagePointsEnd : format),
                                 seeds: d.decision == .resolved ? "" : d.seedPlan.map(seedPlanText) ?? "cannot tell", decision: d.decision)
        }
    }

    /// The threshold's trends with model size, one row per (attack, defense) group.
    static func trendRows(of results: StudyResults) -> [TrendRow] {
        results.statistics.trends.map { t in
            let first = results.series[t.series[0]]
            return TrendRow(group: "\(first.attackLabel), \(first.defenseLabel)",
                            models: listing(t.series.map { results.series[$0].modelLabel }),
                            slope: t.slope.value.map(percentagePoints) ?? "n/a",
                            interval: intervalText(t.slope.interval, percentagePointsEnd),
                            seeds: t.decision == .resolved ? "" : t.seedPlan.map(seedPlanText) ?? "cannot tell", decision: t.decision)
        }
    }

    /// One row per fraction of `fractions`, one cell per series in `columns`: mean ± std of `key`; for
    /// test accuracy followed by the Wilson interval of the mean as a share of the test rows. A rate's
    /// excess over the clean model (a key ending in `MetricKey.excessSuffix`) is the signed mean with
    /// its Student t interval over seeds instead (`seedMeanInterval`; none at fraction 0, where it is 0
    /// by construction). A retrained victim's distance from and agreement with its target
    /// (`MetricKey.convergedVictimKeys`) are over the runs whose victim converged, as the points' means
    /// are, with their Student t interval too (`magnitudeMeanText`, clipped to the metric's range; the
    /// distance's spread raised to no resolution), and the count of runs left out (`leftOutNote`); "none converged" where no run's did.
    /// A cell of one run gives its value alone (`tableSpread`: no "± 0.000"). (A mean
    /// that rounds to 0.000 but is not 0, such as a gradient ratio at 1e-5, is written with exponents:
    /// `magnitudePlusMinus`.)
    static func fractionRows(of results: StudyResults, fractions: [Double], key: String, columns: [Int],
                             missing: String = "n/a") -> [FractionRow] {
        fractions.map { fraction in
            FractionRow(fraction: percent(fraction), cells: columns.map { series in
                let point = results.points.first { $0.fraction == fraction && $0.series == series }
                let stats = point?.metric(key)
                let leftOut = unconvergedVictims(results, series: series, fraction: fraction, key: key)
                if stats == nil, let none = noneConvergedText(results, series: series, fraction: fraction, key: key) { return none }
                if key.hasSuffix(MetricKey.excessSuffix), let stats {
                    // At fraction 0 the excess is zero by construction: no interval to give.
                    let interval = fraction == 0 ? nil : seedMeanInterval(results, series: series, fraction: fraction, key: key)
                    return signedMeanText(stats.mean, interval, inBrackets: true) + leftOutNote(leftOut)
                }
                // The clean model's agreement, the excess's baseline, is a mean over seeds too: with its interval, as the excess.
                if MetricKey.countsOnlyConvergedVictims(key), let stats {
                    let interval = seedMeanInterval(results, series: series, fraction: fraction, key: key,
                                                    resolution: key == MetricKey.targetDistance ? 0 : nil)
                    return magnitudeMeanText(stats.mean, interval, key: key, inBrackets: true) + leftOutNote(leftOut, key: key)
                }
                // A cell with no finished run measured nothing: `missing` speaks only of runs that finished.
                let finished = results.runs.contains { $0.series == series && $0.fraction == fraction && $0.metrics != nil }
                var text = stats.map { tableSpread($0, runs: point?.runCount ?? 0) } ?? (finished ? missing : "n/a")
                if key == MetricKey.testAccuracy, let stats {
                    let wilson = wilsonInterval(proportion: stats.mean, trials: results.data.testCount, confidence: results.statistics.confidence)
                    text += " [" + intervalText(wilson, threeDecimals, separator: bracketSeparator) + "]"
                }
                return text
            })
        }
    }

    /// The rows of `rows` (one per fraction, a cell per series of `headers`) laid out to fit a page.
    static func seriesTable(_ rows: [FractionRow], headers: [String]) -> SeriesTable {
        SeriesTable(series: headers, fractions: rows.map(\.fraction)) { series, fraction in rows[fraction].cells[series] }
    }

    /// Each attack's own metrics, then the rates among those of the study's measurements (`measure:`,
    /// such as the curvature's alignment with a trigger), by fraction, over the series that have them.
    /// A measured metric that is no rate (an input-curvature eigenvalue, whose scale spans orders of
    /// magnitude) does not fit the tables' three decimals: it is in results.json and the CSV tables
    /// only. The threshold τ has a column for every gradient-canceling series: where its target has
    /// no threshold, the cell says so.
    static func attackMetricTables(of results: StudyResults, fractions: [Double]) -> [AttackMetricTable] {
        let measured = (results.measuredMetrics ?? []).filter { metric in
            MetricKey.validRange(of: metric.key) == 0...1 && results.points.contains { $0.metric(metric.key) != nil }
        }
        return (results.attackMetrics + measured).map { metric in
            let isTau = metric.key == MetricKey.poisonabilityThreshold
            // A retrained victim's metric keeps the columns of the series whose runs record it, even where no victim
            // converged (no point has a mean): their cells say so.
            let victim = MetricKey.countsOnlyConvergedVictims(metric.key)
            let columns = results.series.indices.filter { series in
                isTau ? results.config.attacks[results.series[series].attack].value(at: "kind") == .string(GradientCanceling.kind)
                    // An excess's runs by its rate: where no clean model's victim converged, no run records the excess.
                    : victim ? results.runs.contains { $0.series == series && $0.metrics?[MetricKey.rate(of: metric.key)] != nil }
                    : results.points.contains { $0.series == series && $0.metric(metric.key) != nil }
            }
            let headers = columns.map { results.series[$0].label }
            let metricRows = fractionRows(of: results, fractions: fractions, key: metric.key, columns: columns,
                                          missing: isTau ? "none (no threshold exists)" : "n/a")
            let victimNote = victim
                ? "; only runs whose retrained victim converged (gradient norm at most 1e\(Int(log10(MetricKey.victimGradientTolerance).rounded())) "
                    + "on its training rows) count, since an unconverged one measures where its training stopped as much as the poisons: "
                    + "the others are left out, and counted in the cell" : ""
            let cleanAgreement = metric.key == MetricKey.cleanTargetAgreement
            let summary = metric.key.hasSuffix(MetricKey.excessSuffix)
                ? "mean over seeds, in brackets its \(levelText(results)) Student t interval (the spread over seeds raised to one test row; none with one seed)" + victimNote
                : cleanAgreement ? "mean over seeds, in brackets its \(levelText(results)) Student t interval (the spread over seeds raised to one "
                    + "test row, its ends clipped to [0, 1]; none with one seed)"
                    + (victim ? "; only seeds whose clean model's victim converged (gradient norm at most 1e\(Int(log10(MetricKey.victimGradientTolerance).rounded())) "
                        + "on its training rows) count, since an unconverged one measures where its training stopped: the others are left out, "
                        + "and counted in the cell" : "")
                : !victim ? "mean ± standard deviation over seeds"
                : "mean over seeds, in brackets its \(levelText(results)) Student t interval ("
                    + (metric.key == MetricKey.targetDistance ? "its lower end clipped at 0; none with one seed)"
                        : "the spread over seeds raised to one test row, its ends clipped to [0, 1]; none with one seed)") + victimNote
            return AttackMetricTable(name: metric.name, meaning: metricMeaning(metric, results), summary: summary, headers: headers,
                                     rows: metricRows, table: seriesTable(metricRows, headers: headers))
        }
    }

    /// The defenses' detection, one row per (series, fraction) where rows were scored for removal.
    static func detectionRows(of results: StudyResults, fractions: [Double]) -> [DetectionRow] {
        results.series.indices.flatMap { series in
            fractions.compactMap { fraction -> DetectionRow? in
                guard let point = results.points.first(where: { $0.fraction == fraction && $0.series == series }),
                      let removed = point.metric(MetricKey.removedFraction) else { return nil }
                let value = { (key: String) in point.orientationSplit(key)?.text ?? point.metric(key).map { tableSpread($0, runs: point.runCount, plusMinus) } ?? "n/a" }
                return DetectionRow(series: results.series[series].label, fraction: percent(fraction),
                                    removed: value(MetricKey.removedFraction), precision: value(MetricKey.detectionPrecision),
                                    recall: value(MetricKey.detectionRecall), auroc: value(MetricKey.detectionAUROC),
                                    tpr: value(MetricKey.detectionTPRAt5FPR), hasRemoved: removed.mean > 0)
            }
        }
    }

    /// The note of the detection section when some AUROC of it is split in orientation
    /// (`OrientationSplit`): what the split cells show, where, and why without a mean; nil otherwise.
    static func detectionSplitNote(of results: StudyResults, fractions: [Double]) -> String? {
        guard results.points.contains(where: { point in
            fractions.contains(point.fraction) && OrientationSplit.orientationDependentMetrics.contains { point.orientationSplit($0) != nil }
        }) else { return nil }
        return "An AUROC split in orientation (seeds at most \(fixed(0.5 - OrientationSplit.margin, decimals: 2)), where the scores rank "
            + "the poisoned rows as clean, and seeds at least \(fixed(0.5 + OrientationSplit.margin, decimals: 2))) gets no mean, which would "
            + "read as a random score although those seeds' scores separate the rows, some in reverse: "
            + (isLargeStudy(results) ? "the findings give" : "its cell in the table and the findings give")
            + " each side's count and range over seeds, and points.csv leaves detectionAUROC_mean and _std empty and sets "
            + "detectionAUROC_orientationSplit, with _seedsBelow and _seedsAbove. TPR at 5% FPR, precision and recall keep their means: "
            + "each is what the scores or the removals do as the method uses them, the same quantity on every seed."
    }

    /// Every series at the comparison budget `budget`, ordered by model, defense and attack: its
    /// threshold, and at the budget its accuracy, the rows poisoned and the attack's success (over
    /// what a clean model does, for a metric with a baseline; naming the model it is measured on when
    /// that is not the series' model, as the attacker's own SVM, and then its rate without poisons;
    /// "no run finished" where every run at the budget failed). The model's cell names the defense
    /// when `hasDefenses`.
    static func attackComparisonRows(of results: StudyResults, budget: Double, hasDefenses: Bool) -> [AttackComparisonRow] {
        let statistics = results.statistics, subsets = results.victimRowSubsets
        return results.series.indices.sorted { (results.series[$0].model, results.series[$0].defense, results.series[$0].attack)
            < (results.series[$1].model, results.series[$1].defense, results.series[$1].attack) }.map { index in
            let description = results.series[index], s = statistics.series[index], fit = results.fits[index]
            let point = results.points.first { $0.series == index && $0.fraction == budget }
            let success = results.declaredSuccessMetric(of: index).flatMap { metric -> String? in
                let key = metric.hasBaseline ? metric.excess.key : metric.key
                // No mean where no retrained victim converged: the cell says so.
                guard let rate = point?.metric(key) else { return noneConvergedText(results, series: index, fraction: budget, key: key) }
                let surrogate = results.successModel(of: index).map { "on \($0), not this model" }
                guard metric.hasBaseline else { return tableSpread(rate, runs: point?.runCount ?? 0, plusMinus) + (surrogate.map { " (\($0))" } ?? "") }
                let clean = point?.metric(metric.baseline.key).map { fixed($0.mean, decimals: 3) } ?? "n/a"
                let corrected = signedMeanText(rate.mean, seedMeanInterval(results, series: index, fraction: budget, key: metric.excess.key),
                                               inBrackets: true)
                    + leftOutNote(unconvergedVictims(results, series: index, fraction: budget, key: metric.excess.key))
                return corrected + (surrogate.map { " (without poisons \(clean); \($0))" } ?? " (clean \(clean))")
            }
            var share = point.map { percent($0.realisedFraction.mean) } ?? "n/a"
            if let source = point?.metric(ClassFlip.sourceClassShareKey) { share += "; \(percent(source.mean)) of its source class" }
            if point?.saturated == true { share += " (saturated)" }
            if subsets[description.attack] != nil { share += " of all \(results.data.trainCount) training rows; its victims train on fewer (Configuration)" }
            // Every run of the series at the budget failed: no success to give, whatever the attack measures.
            let finished = point?.metric(MetricKey.testAccuracy) != nil
            return AttackComparisonRow(
                model: description.modelLabel + (hasDefenses ? ", \(description.defenseLabel)" : ""),
                attack: description.attackLabel, threshold: headlineThresholdText(fit.threshold, statistics: s, brackets: true),
                accuracy: point.flatMap { p in p.metric(MetricKey.testAccuracy).map { tableSpread($0, runs: p.runCount, plusMinus) } } ?? "n/a", poisoned: share, success: finished ? success ?? "—" : "no run finished")
        }
    }

    /// Every defended series against its undefended twin: the thresholds and their shift, the attack's
    /// success at the comparison budget `budget` before and after (a corrected one with its Student t
    /// interval over seeds), the clean accuracy and its cost.
    static func defenseRows(of results: StudyResults, budget: Double?) -> [DefenseRow] {
        let statistics = results.statistics
        return results.findings.defenses.map { f in
            let defended = results.series[f.series]
            // The decision of the differences table for the same pair (`SignDecision`): an end within its
            // Monte Carlo band of zero reads "undetermined" here too, not "no".
            let decision = { (quantity: ComparedQuantity) in
                statistics.difference(of: quantity, between: f.series, and: f.baseline)?.decision ?? .notResolved
            }
            let threshold = { (index: Int) in
                thresholdText(results.fits[index].threshold, estimate: statistics.series[index].threshold, brackets: true)
            }
            // The attack's own success at the comparison budget, undefended → defended.
            let success = budget.flatMap { budget -> String? in
                let at = { (index: Int) in results.points.first { $0.series == index && $0.fraction == budget } }
                guard let metric = results.successMetric(of: f.series) else { return nil }
                let key = metric.hasBaseline ? metric.excess.key : metric.key
                guard let before = at(f.baseline)?.metric(key), let after = at(f.series)?.metric(key) else { return nil }
                guard metric.hasBaseline else { return "\(fixed(before.mean, decimals: 2)) → \(fixed(after.mean, decimals: 2))" }
                // A corrected success with its Student t interval over seeds, as in the table of attacks compared (two decimals, as this table writes it).
                let corrected = { (index: Int, value: MeanStd) in
                    signedMeanText(value.mean, seedMeanInterval(results, series: index, fraction: budget, key: key), inBrackets: true, decimals: 2)
                }
                return "\(corrected(f.baseline, before)) → \(corrected(f.series, after))"
            } ?? "—"
            // A shift whose threshold lies beyond the swept fractions is a bound: "> +15.0 pp [+10.2 pp or more]".
            return DefenseRow(model: defended.modelLabel, attack: defended.attackLabel, defense: defended.defenseLabel,
                              threshold: threshold(f.series), baseline: threshold(f.baseline),
                              shift: bracketedEstimateText(f.thresholdShift, percentagePoints, ends: percentagePointsEnd), success: success,
                              cleanAccuracy: statistics.series[f.series].cleanAccuracy.value.map(threeDecimals) ?? "n/a",
                              cost: bracketedEstimateText(f.cleanAccuracyChange, signedAccuracy),
                              shiftDecision: decision(.threshold), costDecision: decision(.cleanAccuracy))
        }
    }

    /// The published claims beside this run's estimates, with the rule of the verdicts and its note (or,
    /// when this run's design differs from the published one, why there are none); nil when the study has none.
    static func claims(of results: StudyResults) -> Claims? {
        let config = results.config
        return results.findings.claims.map { verdicts in
            var rule = claimRule(level: levelText(results), widening: verdicts.widening, open: openClaimInterval(results.findings.claims),
                                 withheld: verdicts.thresholds.contains { $0.estimate?.interval?.imprecise != nil })
            if let record = results.sequential, verdicts.widening != nil {
                // The claims are no comparison the looks spend the error on; read at the one level of every interval here.
                rule += " The claims are read at the last look's adjusted \(levelText(results)) level, that of every interval here, "
                    + "though they are not among the comparisons the looks spend the error on: at its wider intervals a published "
                    + "value is contradicted less readily, and supported more readily, than at the nominal "
                    + "\(confidenceText(record.nominalConfidence))."
            }
            let note = claimNote(seeds: results.statistics.seeds, published: verdicts.publishedSeeds, widening: verdicts.widening,
                                 sharpSteepness: results.findings.sharpSteepness,
                                 swept: (config.fractions.min() ?? 0)...(config.fractions.max() ?? 0))
            let differences = verdicts.designDifferences
            // Why a published value just past the estimate on an open side is untested, under the table.
            let openNote = openClaimInterval(results.findings.claims) == nil || verdicts.widening == nil ? ""
                : " A published value on an interval's open side is not tested even just past the estimate: the interval is "
                    + "widened about the estimate, and an open side has no end to widen, so no value there could fall outside it."
            return Claims(source: verdicts.source, rule: differences.map(noVerdictRule) ?? rule,
                          note: differences == nil ? note + openNote : nil,
                          rows: zip(claimRows(results, verdicts), claimSupportCells(results, verdicts)).map { row, supportedIf in
                              ClaimRow(claim: row.claim, published: row.published, estimate: row.estimate, interval: row.interval,
                                       supportedIf: supportedIf, verdict: row.verdict)
                          })
        }
    }
}

/// A number with three decimals, e.g. "0.893".
private func threeDecimals(_ value: Double) -> String { fixed(value, decimals: 3) }

/// A difference of accuracies with its sign and three decimals, e.g. "+0.012".
private func signedAccuracy(_ value: Double) -> String { signedFixed(value, decimals: 3) }

/// A sigmoid parameter's estimate (`parameter` 0 L, 1 k, 2 x0, 3 b) with the interval ends that sit
/// at the fit's `bounds` made open (`SigmoidFitBounds.openingEndsAtBounds`), for the fit table.
func openAtFitBounds(_ estimate: Estimate, parameter: Int, _ bounds: SigmoidFitBounds) -> Estimate {
    Estimate(value: estimate.value, interval: estimate.interval.map { bounds.openingEndsAtBounds($0, parameter: parameter) },
             bound: estimate.bound)
}

/// The fitted midpoint x0 with its interval, never a point beyond the largest swept fraction
/// `largest`: an estimate beyond it reads "> 0.60", with its interval's lower end as "0.43 or more"
/// (the wording of unbounded threshold intervals), or alone when that end is beyond it too; an
/// estimate inside the sweep whose interval's upper end lies beyond it reads "0.12 [0.05 or more]".
func midpointText(_ estimate: Estimate, largest: Double) -> String {
    guard let value = estimate.value, value > largest else {
        guard let interval = estimate.interval, let upper = interval.shownUpper, upper > largest else {
            return withInterval(estimate, openWords: fitBoundWords) { fixed($0, decimals: 2) }
        }
        let open = Interval(lower: interval.lower, upper: nil, undetermined: interval.undetermined,
                            imprecise: interval.imprecise?.filter { $0 == .lower })
        return withInterval(Estimate(value: estimate.value, interval: open)) { fixed($0, decimals: 2) }
    }
    let point = "> " + fixed(largest, decimals: 2)
    guard let lower = estimate.interval?.shownLower, lower < largest else { return point }
    return "\(point) [\(fixed(lower, decimals: 2)) or more]"
}

/// How the ends of an interval in brackets are joined, in every table cell and sentence of the report and
/// of `compare` alike: "0.893 [0.877, 0.910]". An interval standing alone (an Interval column, running
/// text) reads "a to b" (`intervalText`'s default).
let bracketSeparator = ", "

/// "value [lower, upper]" for an estimate, its interval in brackets when it has one; "n/a" without a value.
func withInterval(_ estimate: Estimate, openWords: (lower: String, upper: String) = ("unbounded below", "unbounded above"),
                  _ format: (Double) -> String) -> String {
    guard let value = estimate.value else { return "n/a" }
    guard let interval = estimate.interval else { return format(value) }
    return "\(format(value)) [\(intervalText(interval, format, separator: bracketSeparator, openWords: openWords))]"
}

/// How the fit table writes an end of L, k, x0 or b opened at the fit's bound (`openAtFitBounds`)
/// beside an end it does not give (undetermined or withheld): the parameter is bounded, so such an end
/// reaches the fit's bound rather than being unbounded, "down to the fit's bound; its upper end withheld".
let fitBoundWords = (lower: "down to the fit's bound", upper: "up to the fit's bound")

/// An estimate (or its bound) with its interval in brackets when that says more than the bound
/// (`informativeIntervalText`), the ends joined by `bracketSeparator`: "+5.3 pp [+2.6 pp, +7.7 pp]",
/// "> +15.0 pp [+10.2 pp or more]"; the report's defense shifts and `compare`'s thresholds alike. The
/// ends are written by `ends` where given (`percentagePointsEnd`, which keeps an end's side of zero).
func bracketedEstimateText(_ estimate: Estimate, _ format: (Double) -> String, ends: ((Double) -> String)? = nil) -> String {
    let interval = ends.map { informativeIntervalText(estimate, $0, separator: bracketSeparator) }
        ?? informativeIntervalText(estimate, format, separator: bracketSeparator)
    return estimateText(estimate, format) + (interval.map { " [\($0)]" } ?? "")
}

/// The classes' names for the configuration's rows, " (cat, dog)": the first 12 (`className(_:in:)`),
/// then how many more; empty when the classes are their numbers.
func classNamesText(_ names: [String]?) -> String {
    guard let names else { return "" }
    let shown = names.indices.prefix(12).map { className($0, in: names) }
    return " (" + shown.joined(separator: ", ") + (names.count > shown.count ? ", and \(names.count - shown.count) more" : "") + ")"
}

/// The differences between series the confidence table shows: every one but those zero by
/// construction (`identicalRuns`: series that share their clean runs, compared at the smallest
/// fraction, would get a seed plan for a difference that is exactly 0) and those of a quantity one of
/// the two series does not have (a threshold without a fit).
func shownDifferences(_ results: StudyResults) -> [SeriesDifference] {
    results.statistics.differences.filter { d in
        !identicalRuns(d, results) && !(d.quantity == .threshold && [d.base, d.other].contains { results.fits[$0].threshold.status == .noFit })
    }
}

/// The number of series above which a study is large: its report's confidence table keeps only the
/// resolved differences (`tabledDifferences`) and its findings summarise per-series values
/// (`FindingWords.summary`), the full lists going to the CSV tables of the output folder.
public let largeStudySeries = 18

/// Whether the report of `results` is that of a large study (`largeStudySeries`).
func isLargeStudy(_ results: StudyResults) -> Bool { results.series.count > largeStudySeries }

/// The differences the confidence table lists: `shownDifferences`, and of a large study
/// (`isLargeStudy`) only the resolved ones; differences.csv holds every one.
func tabledDifferences(_ results: StudyResults) -> [SeriesDifference] {
    let shown = shownDifferences(results)
    return isLargeStudy(results) ? shown.filter { $0.decision == .resolved } : shown
}

/// Why some differences between series are left out of the confidence table, in one sentence; nil when none is.
func leftOutDifferencesNote(_ results: StudyResults) -> String? {
    let identical = results.statistics.differences.filter { identicalRuns($0, results) }.count
    let unfitted = results.statistics.differences.count - shownDifferences(results).count - identical
    let unresolved = shownDifferences(results).count - tabledDifferences(results).count
    var parts = [String]()
    if unresolved > 0 {
        parts.append("\(unresolved) difference\(unresolved == 1 ? "" : "s") the runs do not resolve (the study has more than "
            + "\(largeStudySeries) series; differences.csv lists all \(results.statistics.differences.count) differences with their "
            + "intervals and the seeds that would resolve them)")
    }
    if identical > 0 {
        parts.append("\(identical) difference\(identical == 1 ? "" : "s") of identical runs (every paired difference exactly 0, "
            + "as where series share their clean runs)")
    }
    if unfitted > 0 { parts.append("\(unfitted) threshold difference\(unfitted == 1 ? "" : "s") of a series with no fit") }
    return parts.isEmpty ? nil : "Left out of the table: " + listing(parts) + "."
}

/// Whether the runs behind a difference are identical: every seed's runs of the two series at the
/// fractions the quantity reads (the smallest for clean accuracy, the largest for the gap, all for the
/// threshold) give exactly the same value of its metric, so the paired difference is 0 by construction.
func identicalRuns(_ d: SeriesDifference, _ results: StudyResults) -> Bool {
    let fractions = results.config.fractions
    let (key, read): (String, Set<Double>) = switch d.quantity {
    case .cleanAccuracy: (MetricKey.testAccuracy, [fractions.min() ?? 0])
    case .gapAtLargestFraction: (MetricKey.generalizationGap, [fractions.max() ?? 0])
    case .threshold: (MetricKey.testAccuracy, Set(fractions))
    }
    /// The metric of each finished run of `series` at the fractions read, by fraction and seed.
    func values(_ series: Int) -> [String: Double] {
        Dictionary(results.runs.compactMap { run in
            guard run.series == series, read.contains(run.fraction), let value = run.metrics?[key] else { return nil }
            return ("\(run.fraction)/\(run.seed)", value)
        }, uniquingKeysWith: { first, _ in first })
    }
    let base = values(d.base)
    return !base.isEmpty && base == values(d.other)
}
