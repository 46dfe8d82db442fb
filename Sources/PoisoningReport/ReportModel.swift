import Foundation
import PoisoningAnalysis
import PoisoningEngine
import PoisoningFigures

/// Everything a report says, computed once per command from the results and typed: the numbers
/// already formatted as the reports print them (fixed decimals, fractions as percentages, intervals
/// in brackets) but not yet escaped. Each format's template context is derived from it by
/// `templateContext(_:format:figureSource:)`; `templates/README.md` documents that context.
public struct ReportModel: Sendable {
    /// One line of the configuration table.
    public struct Parameter: Sendable { public let name, value: String }

    /// One series' sigmoid fit (`fits` in the context).
    public struct Fit: Sendable {
        /// The series, and its fit's cells: clean accuracy, the four parameters, R², the threshold with its
        /// status and note, and why a fit failed.
        public let series, cleanAccuracy, L, k, x0, b, rSquared, threshold, thresholdStatus, thresholdNote, failure: String
        /// Whether the data barely determine the fit, and whether there is one.
        public let poorlyIdentified, hasFit: Bool
    }

    /// One series' comparison of curves (`curveRows`).
    public struct CurveRow: Sendable {
        /// The series and its cells: each curve's score, the preferred curve, the evidence ratio, the
        /// ratio expected under the design, whether the shape is decided, and the design's verdict.
        public let series, sigmoid, quadratic, line, preferred, evidenceRatio, expectedRatio, decided, design: String
    }

    /// One difference between two series in one quantity (`differenceRows`).
    public struct DifferenceRow: Sendable {
        /// The quantity, the pair of series, the difference, its interval and the seeds needed.
        public let quantity, pair, difference, interval, seeds: String
        /// Whether the runs resolve its sign (`SeriesDifference.decision`).
        public let decision: SignDecision
    }

    /// One trend of the threshold with model size (`trendRows`).
    public struct TrendRow: Sendable {
        /// The (attack, defense) group, its models, the slope, its interval and the seeds needed.
        public let group, models, slope, interval, seeds: String
        /// Whether the runs resolve its sign (`ThresholdTrend.decision`).
        public let decision: SignDecision
    }

    /// One row of a table by poison fraction: the fraction and one cell per column.
    public struct FractionRow: Sendable {
        /// The poison fraction.
        public let fraction: String
        /// One cell per column.
        public let cells: [String]
    }

    /// The table of an attack's own success metric (`attackMetrics`).
    public struct AttackMetricTable: Sendable {
        /// The metric's name and what it measures.
        public let name, meaning: String
        /// The series that have the metric.
        public let headers: [String]
        /// One row per fraction.
        public let rows: [FractionRow]
        /// The same cells laid out to fit a page.
        public let table: SeriesTable
    }

    /// One (defended series, fraction) of the detection table (`detectionRows`).
    public struct DetectionRow: Sendable {
        /// The series, the fraction, and the detection's cells: rows removed, precision, recall, AUROC, TPR at 5% FPR.
        public let series, fraction, removed, precision, recall, auroc, tpr: String
        /// Whether the defense removes rows.
        public let hasRemoved: Bool
    }

    /// One series at the comparison budget (`attackComparisonRows`).
    public struct AttackComparisonRow: Sendable {
        /// The model, the attack, its threshold, and at the budget: accuracy, rows poisoned and success.
        public let model, attack, threshold, accuracy, poisoned, success: String
    }

    /// One defended series against its undefended twin (`defenseRows`).
    public struct DefenseRow: Sendable {
        /// The model, attack and defense; the threshold, the undefended one, the shift, the success, the
        /// clean accuracy and its cost.
        public let model, attack, defense, threshold, baseline, shift, success, cleanAccuracy, cost: String
        /// Whether the shift's and the cost's intervals exclude zero.
        public let shiftResolved, costResolved: Bool
    }

    /// One published claim beside this run's estimate (`claimRows`).
    public struct ClaimRow: Sendable {
        /// The claim, its published value, this run's estimate with its interval, and the verdict.
        public let claim, published, estimate, interval, verdict: String
    }

    /// The published claims and their verdicts.
    public struct Claims: Sendable {
        /// Where the claims were published, and the rule of the verdicts.
        public let source, rule: String
        /// One row per claim.
        public let rows: [ClaimRow]
    }

    /// One figure: its file stem (e.g. "accuracy_vs_poison") and caption.
    public struct Figure: Sendable {
        /// The file stem and the caption.
        public let name, caption: String
        /// Its cross-reference label, e.g. "fig:accuracy-vs-poison".
        public var label: String { "fig:" + name.replacingOccurrences(of: "_", with: "-") }
    }

    /// The title, the opening summary, the tool's version and the command that regenerates the report.
    public let title, summary, toolVersion, command: String
    /// Runs, test rows, bootstrap replicates and seeds.
    public let runCount, testCount, replicates, seedCount: Int
    /// The series, fractions and seeds, listed; chance accuracy; the largest fraction.
    public let seriesList, fractionList, seedList, chanceAccuracy, largestFraction: String
    /// The configuration table.
    public let parameters: [Parameter]
    /// Every series' fit.
    public let fits: [Fit]
    /// The intervals' confidence, and how they were made.
    public let confidence, intervalMethod: String
    /// What an adaptive study did; nil for a study with a fixed list of seeds.
    public let sequentialSummary: String?
    /// The evidence ratio that decides a curve, the steepness called sharp, and the design's chance.
    public let decisiveRatio, sharpSteepness, designChance: String
    /// The planning effect (as a fraction and as accuracy) and power of the seed plan.
    public let planningEffectFraction, planningEffectAccuracy, planningPower: String
    /// The comparison of curves, one row per series.
    public let curveRows: [CurveRow]
    /// The differences between series.
    public let differenceRows: [DifferenceRow]
    /// The threshold trends with model size.
    public let trendRows: [TrendRow]
    /// Every series, for table headers.
    public let seriesHeaders: [String]
    /// Test accuracy and the generalisation gap, by fraction.
    public let accuracyRows, gapRows: [FractionRow]
    /// The same cells laid out to fit a page (the shipped templates show these).
    public let accuracyTable, gapTable: SeriesTable
    /// Whether the study has more than one attack.
    public let comparesAttacks: Bool
    /// Whether some series has a defense (its model's cells then name the defense).
    public let hasDefenses: Bool
    /// The poison fraction at which attacks are compared.
    public let comparisonBudget: String
    /// The attacks at that budget.
    public let attackComparisonRows: [AttackComparisonRow]
    /// Every defended series against its undefended twin.
    public let defenseRows: [DefenseRow]
    /// Each attack's own success metric.
    public let attackMetrics: [AttackMetricTable]
    /// The defenses' detection, by series and fraction.
    public let detectionRows: [DetectionRow]
    /// The findings, as sentences (`findingSentences`), also printed by the commands.
    public let findings: [String]
    /// The figures, in order.
    public let figures: [Figure]
    /// The published claims; nil when the study has none.
    public let claims: Claims?
    /// The notes under the fits and the accuracy tables; nil when they do not apply.
    public let openEndNote, spreadFloorNote: String?
    /// The diverged runs' messages.
    public let divergedRuns: [String]

    /// The report of `results`, regenerated by `command`, showing `figures` (the study's figures
    /// as `studyFigures` gives them; computed here when nil).
    public init(_ results: StudyResults, command: String, figures: [StudyFigure]? = nil) {
        let config = results.config, data = results.data, statistics = results.statistics
        let fractions = config.fractions.sorted()
        let threeDecimals = { (value: Double) in fixed(value, decimals: 3) }
        /// "value [lower, upper]" for an estimate, its interval in brackets when it has one.
        func withInterval(_ estimate: Estimate, _ format: @escaping (Double) -> String) -> String {
            guard let value = estimate.value else { return "n/a" }
            guard let interval = estimate.interval else { return format(value) }
            return "\(format(value)) [\(intervalText(interval, format, separator: ", "))]"
        }

        title = results.title
        summary = openingSummary(results)
        toolVersion = results.toolVersion
        self.command = command
        runCount = results.runs.count
        testCount = data.testCount
        replicates = statistics.replicates
        seedCount = statistics.seeds
        seriesList = listing(results.series.map(\.label))
        fractionList = fractions.map(percent).joined(separator: ", ")
        seedList = config.seeds.map(String.init).joined(separator: ", ")
        chanceAccuracy = fixed(1 / Double(data.classCount), decimals: 3)
        largestFraction = percent(fractions.last ?? 0)

        var parameters: [Parameter] = [
            Parameter(name: "Data set", value: data.name + componentDetails(config.data)),
            Parameter(name: "Rows", value: "\(data.trainCount) training, \(data.testCount) test; \(data.featureCount) features, \(data.classCount) classes"),
            Parameter(name: "Models", value: listing(distinct(results.series.map(\.modelLabel)))),
            Parameter(name: "Attacks", value: listing(distinct(results.series.map(\.attackLabel)))),
            Parameter(name: "Defenses", value: listing(distinct(results.series.map(\.defenseLabel)))),
            Parameter(name: "Poison fractions", value: fractions.map(percent).joined(separator: ", ")),
        ]
        if let knowledge = attackerKnowledge(results) { parameters.append(Parameter(name: "Attacker's surrogate", value: knowledge)) }
        parameters += [
            Parameter(name: "Seeds", value: config.seeds.map(String.init).joined(separator: ", ")),
            Parameter(name: "Epochs", value: "\(config.training.epochs)"),
            Parameter(name: "Batch size", value: "\(config.training.batchSize)"),
            Parameter(name: "Learning rate (SGD)", value: "\(config.training.learningRate)"),
            Parameter(name: "Runs", value: "\(results.runs.count)"),
        ]
        self.parameters = parameters

        fits = results.fits.map { fit in
            let parameters = fit.parameters, s = statistics.series[fit.series]
            let poorlyIdentified = !s.parametersAtBounds.isEmpty || (s.fittedCeiling ?? 0) > 1
                || (s.dropRemainingAtLargestFraction ?? 0) > extrapolatedFloorShare
            return Fit(series: results.series[fit.series].label,
                       cleanAccuracy: withInterval(s.cleanAccuracy, threeDecimals),
                       L: parameters.map { fixed($0.amplitude, decimals: poorlyIdentified ? 2 : 3) } ?? "n/a",
                       k: withInterval(s.steepness) { fixed($0, decimals: 1) },
                       x0: withInterval(s.midpoint) { fixed($0, decimals: 2) },
                       b: parameters.map { fixed($0.floor, decimals: poorlyIdentified ? 2 : 3) } ?? "n/a",
                       rSquared: fit.rSquared.map { fixed($0, decimals: 3) } ?? "n/a",
                       threshold: thresholdText(fit.threshold, estimate: s.threshold, brackets: true),
                       thresholdStatus: fit.threshold.status.rawValue,
                       thresholdNote: fit.threshold.reason ?? "",
                       failure: fit.failure ?? "",
                       poorlyIdentified: poorlyIdentified, hasFit: parameters != nil)
        }
        confidence = confidenceText(statistics.confidence)
        intervalMethod = statistics.method
        sequentialSummary = results.sequential.map(sequentialSentence)
        decisiveRatio = fixed(decisiveEvidenceRatio, decimals: 0)
        sharpSteepness = fixed(results.findings.sharpSteepness, decimals: 0)
        designChance = percentWhole(decisiveDesignChance)
        planningEffectFraction = String(format: "%.1f pp", config.planning.effect * 100)
        planningEffectAccuracy = fixed(config.planning.effect, decimals: 3)
        planningPower = percentWhole(config.planning.power)

        curveRows = statistics.series.map { s in
            let cell = { (model: CurveModel) -> String in
                guard let curve = s.curves.first(where: { $0.model == model }) else { return "n/a" }
                return curve.weight.map { "w = " + fixed($0, decimals: 2) } ?? "no AICc"
            }
            let toldApart = s.curveEvidence?.distinguishesCurves ?? false
            let design = s.curveEvidence.map { evidence -> String in
                guard !toldApart else { return "" }
                guard evidence.seedSpread != nil else { return "n/a (fewer than two seeds at every fraction)" }
                return evidence.decisiveDesign.map { "\($0.fractions) × \($0.seeds) (\(evidenceRatioText($0.expectedEvidenceRatio)))" }
                    ?? "none up to \(CurveDesignMenu.fractionCounts.max()!) × \(CurveDesignMenu.seedCounts.max()!)"
            } ?? "n/a"
            return CurveRow(series: results.series[s.series].label, sigmoid: cell(.sigmoid), quadratic: cell(.quadratic), line: cell(.line),
                            preferred: s.preferredCurve?.rawValue ?? "not compared",
                            evidenceRatio: s.curveEvidence.map { evidenceRatioText($0.sigmoidEvidenceRatio) } ?? "n/a",
                            expectedRatio: s.curveEvidence?.expectedAtThisDesign.map(evidenceRatioText) ?? "n/a",
                            decided: shapeDecision(results.findings.series.first { $0.series == s.series }?.shape, toldApart: toldApart),
                            design: design)
        }
        let quantityNames: [ComparedQuantity: String] = [.threshold: "Critical threshold", .cleanAccuracy: "Clean accuracy",
                                                         .gapAtLargestFraction: "Gap at \(percent(fractions.last ?? 0))"]
        let signedAccuracy = { (value: Double) in String(format: "%+.3f", value) }
        differenceRows = statistics.differences.map { d in
            let format: (Double) -> String = d.quantity == .threshold ? percentagePoints : signedAccuracy
            return DifferenceRow(quantity: quantityNames[d.quantity]!,
                                 pair: "\(results.series[d.other].label) − \(results.series[d.base].label)",
                                 difference: estimateText(d.difference, format), interval: intervalText(d.difference.interval, format),
                                 seeds: d.resolved ? "" : d.seedPlan.map(seedPlanText) ?? "cannot tell", decision: d.decision)
        }
        trendRows = statistics.trends.map { t in
            let first = results.series[t.series[0]]
            return TrendRow(group: "\(first.attackLabel), \(first.defenseLabel)",
                            models: listing(t.series.map { results.series[$0].modelLabel }),
                            slope: t.slope.value.map(percentagePoints) ?? "n/a",
                            interval: intervalText(t.slope.interval, percentagePoints),
                            seeds: t.resolved ? "" : t.seedPlan.map(seedPlanText) ?? "cannot tell", decision: t.decision)
        }

        /// One row per fraction, one cell per series in `columns`: mean ± std of `key`; for test
        /// accuracy followed by the Wilson interval of the mean as a share of the test rows.
        func rows(_ key: String, columns: [Int]) -> [FractionRow] {
            fractions.map { fraction in
                FractionRow(fraction: percent(fraction), cells: columns.map { series in
                    let stats = results.points.first { $0.fraction == fraction && $0.series == series }?.metric(key)
                    var text = stats.map(plusMinus) ?? "n/a"
                    if key == MetricKey.testAccuracy, let stats {
                        let wilson = wilsonInterval(proportion: stats.mean, trials: data.testCount, confidence: statistics.confidence)
                        text += " [" + intervalText(wilson, threeDecimals, separator: ", ") + "]"
                    }
                    return text
                })
            }
        }
        let allSeries = Array(results.series.indices)
        seriesHeaders = allSeries.map { results.series[$0].label }
        accuracyRows = rows(MetricKey.testAccuracy, columns: allSeries)
        gapRows = rows(MetricKey.generalizationGap, columns: allSeries)
        /// The rows of `rows` (one per fraction, a cell per series of `headers`) laid out to fit a page.
        func table(_ rows: [FractionRow], headers: [String]) -> SeriesTable {
            SeriesTable(series: headers, fractions: rows.map(\.fraction)) { series, fraction in rows[fraction].cells[series] }
        }
        accuracyTable = table(accuracyRows, headers: seriesHeaders)
        gapTable = table(gapRows, headers: seriesHeaders)
        attackMetrics = results.attackMetrics.map { metric in
            let columns = allSeries.filter { series in results.points.contains { $0.series == series && $0.metric(metric.key) != nil } }
            let headers = columns.map { results.series[$0].label }, metricRows = rows(metric.key, columns: columns)
            return AttackMetricTable(name: metric.name, meaning: metric.meaning, headers: headers, rows: metricRows,
                                     table: table(metricRows, headers: headers))
        }
        detectionRows = allSeries.flatMap { series in
            fractions.compactMap { fraction -> DetectionRow? in
                guard let point = results.points.first(where: { $0.fraction == fraction && $0.series == series }),
                      let removed = point.metric(MetricKey.removedFraction) else { return nil }
                let value = { (key: String) in point.metric(key).map(plusMinus) ?? "n/a" }
                return DetectionRow(series: results.series[series].label, fraction: percent(fraction),
                                    removed: value(MetricKey.removedFraction), precision: value(MetricKey.detectionPrecision),
                                    recall: value(MetricKey.detectionRecall), auroc: value(MetricKey.detectionAUROC),
                                    tpr: value(MetricKey.detectionTPRAt5FPR), hasRemoved: removed.mean > 0)
            }
        }

        // Attacks and defenses compared at one budget: the positive swept fraction nearest 10%.
        let budget = results.findings.comparisonBudget
        comparesAttacks = Set(results.series.map(\.attack)).count > 1
        let hasDefenses = results.series.contains { $0.defense != 0 }
        self.hasDefenses = hasDefenses
        comparisonBudget = budget.map(percent) ?? "n/a"
        attackComparisonRows = budget.map { budget in
            results.series.indices.sorted { (results.series[$0].model, results.series[$0].defense, results.series[$0].attack)
                < (results.series[$1].model, results.series[$1].defense, results.series[$1].attack) }.map { index in
                let description = results.series[index], s = statistics.series[index], fit = results.fits[index]
                let point = results.points.first { $0.series == index && $0.fraction == budget }
                let success = results.successMetric(of: index).flatMap { metric -> String? in
                    guard let rate = point?.metric(metric.hasBaseline ? metric.excess.key : metric.key) else { return nil }
                    guard metric.hasBaseline else { return plusMinus(rate) }
                    let clean = point?.metric(metric.baseline.key).map { fixed($0.mean, decimals: 3) } ?? "n/a"
                    return signedPlusMinus(rate) + " (clean \(clean))"
                }
                var share = point.map { percent($0.realisedFraction.mean) } ?? "n/a"
                if let source = point?.metric(ClassFlip.sourceClassShareKey) { share += "; \(percent(source.mean)) of its source class" }
                if point?.saturated == true { share += " (saturated)" }
                return AttackComparisonRow(
                    model: description.modelLabel + (hasDefenses ? ", \(description.defenseLabel)" : ""),
                    attack: description.attackLabel, threshold: thresholdText(fit.threshold, estimate: s.threshold, brackets: true),
                    accuracy: point?.metric(MetricKey.testAccuracy).map(plusMinus) ?? "n/a", poisoned: share, success: success ?? "—")
            }
        } ?? []
        defenseRows = results.findings.defenses.map { f in
            let defended = results.series[f.series]
            let threshold = { (index: Int) in
                thresholdText(results.fits[index].threshold, estimate: statistics.series[index].threshold, brackets: true)
            }
            // A shift whose threshold lies beyond the swept fractions is a bound: "> +15.0 pp [+10.2 pp or more]".
            let withRange = { (estimate: Estimate, format: (Double) -> String) -> String in
                estimateText(estimate, format) + (informativeIntervalText(estimate, format).map { " [\($0)]" } ?? "")
            }
            // The attack's own success at the comparison budget, undefended → defended.
            let success = budget.flatMap { budget -> String? in
                let at = { (index: Int) in results.points.first { $0.series == index && $0.fraction == budget } }
                guard let metric = results.successMetric(of: f.series) else { return nil }
                let key = metric.hasBaseline ? metric.excess.key : metric.key
                guard let before = at(f.baseline)?.metric(key), let after = at(f.series)?.metric(key) else { return nil }
                let format = { (value: Double) in metric.hasBaseline ? String(format: "%+.2f", value) : fixed(value, decimals: 2) }
                return "\(format(before.mean)) → \(format(after.mean))"
            } ?? "—"
            return DefenseRow(model: defended.modelLabel, attack: defended.attackLabel, defense: defended.defenseLabel,
                              threshold: threshold(f.series), baseline: threshold(f.baseline),
                              shift: withRange(f.thresholdShift, percentagePoints), success: success,
                              cleanAccuracy: statistics.series[f.series].cleanAccuracy.value.map(threeDecimals) ?? "n/a",
                              cost: withRange(f.cleanAccuracyChange, signedAccuracy),
                              shiftResolved: f.shiftResolved, costResolved: f.changeResolved)
        }
        findings = findingSentences(results)
        self.figures = (figures ?? studyFigures(results)).map { Figure(name: $0.name, caption: $0.caption) }
        claims = results.findings.claims.map { verdicts in
            Claims(source: verdicts.source,
                   rule: claimRule(level: levelText(results), nominal: nominalLevelText(results), seeds: results.statistics.seeds,
                                   published: verdicts.publishedSeeds, widening: verdicts.widening,
                                   sharpSteepness: results.findings.sharpSteepness,
                                   swept: (config.fractions.min() ?? 0)...(config.fractions.max() ?? 0),
                                   open: openClaimInterval(results.findings.claims)),
                   rows: claimRows(results, verdicts).map {
                       ClaimRow(claim: $0.claim, published: $0.published, estimate: $0.estimate, interval: $0.interval, verdict: $0.verdict)
                   })
        }
        openEndNote = PoisoningReport.openEndNote(results)
        spreadFloorNote = PoisoningReport.spreadFloorNote(results)
        divergedRuns = results.runs.compactMap(\.divergence)
    }
}

/// " (key value, key value)" for a component's parameters other than its kind; "" when it has none.
func componentDetails(_ component: ParameterValue) -> String {
    let entries = (component.entries ?? []).filter { $0.key != "kind" }
    return entries.isEmpty ? "" : " (" + entries.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"
}

/// The items in first-seen order, each once.
func distinct(_ items: [String]) -> [String] {
    var seen = Set<String>()
    return items.filter { seen.insert($0).inserted }
}

/// What the informed attacks of `results` knew of the victim: "transfer setting, ...: margin flip (to
/// worst) and ..." and, for those marked so, "white box, ...: ..."; nil when no attack trains a surrogate.
/// An attack in both groups (a transfer attacker of a model solved exactly is white box) is named
/// with the model in each: "margin flip (to worst) (MLP 8)".
func attackerKnowledge(_ results: StudyResults) -> String? {
    let groups: [(AttackerKnowledge, String)] = [(.transfer, "transfer setting, the surrogate trained with a seed of its own"),
                                                 (.whiteBox, "white box, the surrogate is the victim's clean model (its seed, or any seed for a model solved exactly)")]
    var knowledgeByAttack = [String: Set<AttackerKnowledge>]()
    for series in results.series { if let knowledge = series.attackerKnowledge { knowledgeByAttack[series.attackLabel, default: []].insert(knowledge) } }
    let parts = groups.compactMap { knowledge, words -> String? in
        let names = distinct(results.series.filter { $0.attackerKnowledge == knowledge }.map {
            knowledgeByAttack[$0.attackLabel, default: []].count > 1 ? "\($0.attackLabel) (\($0.modelLabel))" : $0.attackLabel
        })
        return names.isEmpty ? nil : "\(words): \(listing(names))"
    }
    return parts.isEmpty ? nil : parts.joined(separator: "; ")
}

/// The "Decided" cell of the curve table, from the same decision as the Findings: "sharp" or
/// "gradual" when the shape is decided, "curves only" when the curves are told apart but k's interval
/// leaves the sharpness open, "no" otherwise.
func shapeDecision(_ shape: TransitionShape?, toldApart: Bool) -> String {
    switch shape {
    case .sharp: "sharp"
    case .gradual: "gradual"
    default: toldApart ? "curves only" : "no"
    }
}
