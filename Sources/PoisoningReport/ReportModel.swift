import Foundation
import PoisoningAnalysis
import PoisoningEngine
import PoisoningFigures
import PoisoningUtilities

/// Everything a report says, computed once per command from the results and typed: the numbers
/// already formatted as the reports print them (fixed decimals, fractions as percentages, intervals
/// in brackets) but not yet escaped. Each format's template context is derived from it by
/// `templateContext(_:format:figureSource:)`; `templates/README.md` documents that context.
public struct ReportModel: Sendable {
    /// One line of the configuration table.
    public struct Parameter: Sendable { public let name, value: String }

    /// One series' sigmoid fit (`fits` in the context).
    public struct Fit: Sendable {
        /// The series, and its fit's cells: clean accuracy, the four parameters (each with its interval), R²,
        /// the threshold with its status and note, and why a fit failed.
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

    /// Two attacks compared at one budget on one model (`attackBudgetRows`): each cell a paired
    /// difference over seeds with its interval, "—" where the attacks lack the metric.
    public struct AttackBudgetRow: Sendable {
        /// The model (and defense), the attacks ("B − A"), the budget, and the differences of the
        /// corrected success, of the model's test error and of the attacker's own model's test error.
        public let model, attacks, budget, success, testError, ownTestError: String
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
        /// What each cell gives: "mean ± standard deviation over seeds", or, for an excess over the
        /// clean model and for a retrained victim's distance from and agreement with its target, the
        /// mean with its Student t interval (the latter over the runs whose victim converged).
        public let summary: String
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
        /// Whether the runs resolve the sign of the shift and of the cost (`SignDecision`, as in the
        /// differences table).
        public let shiftDecision, costDecision: SignDecision
    }

    /// One published claim beside this run's estimate (`claimRows`).
    public struct ClaimRow: Sendable {
        /// The claim, its published value, this run's estimate with its interval, the published values
        /// (or, for a direction, the result) this run would support (`claimSupportCells`), and the verdict.
        public let claim, published, estimate, interval, supportedIf, verdict: String
    }

    /// The published claims and their verdicts.
    public struct Claims: Sendable {
        /// Where the claims were published, and the rule of the verdicts.
        public let source, rule: String
        /// The note under the table: the widening's arithmetic and the direction rules (`claimNote`);
        /// nil when the design differs from the published one and there are no verdicts.
        public let note: String?
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
    /// Why series have no sigmoid fit, each reason once (`fitFailureSentences`).
    public let fitFailures: [String]
    /// The differences between series.
    public let differenceRows: [DifferenceRow]
    /// The attacks compared at each budget (`attackBudgetRows`).
    public let attackBudgetRows: [AttackBudgetRow]
    /// Which cells of `attackBudgetRows` are left out and why (`attackBudgetNote`); nil when none.
    public let attackBudgetNote: String?
    /// Which differences the table leaves out and why (`leftOutDifferencesNote`); nil when none.
    public let differencesNote: String?
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
    /// What `comparisonBudget` is a share of (`budgetBaseWords(_:)`).
    public let comparisonBudgetBase: String
    /// The attacks at that budget.
    public let attackComparisonRows: [AttackComparisonRow]
    /// Every defended series against its undefended twin.
    public let defenseRows: [DefenseRow]
    /// Each attack's own success metric.
    public let attackMetrics: [AttackMetricTable]
    /// The defenses' detection, by series and fraction.
    public let detectionRows: [DetectionRow]
    /// What a "split" AUROC cell of the detection table means (`OrientationSplit`); nil when no cell is split.
    public let detectionSplitNote: String?
    /// The input-curvature run metrics by series and fraction; empty unless the study measures them.
    public let curvatureRows: [CurvatureRow]
    /// How the input curvature was computed, from the data and the models (`curvatureMethod(features:models:)`).
    public let curvatureMethod: String
    /// How many of the measurement's mean-Hessian eigenpairs power iteration left unconverged
    /// (`curvatureConvergenceNote`); nil when all converged.
    public let curvatureConvergenceNote: String?
    /// How many of the rows the input-curvature filter scored power iteration left unconverged; nil when all converged.
    public let filterConvergenceNote: String?
    /// Each gradient-canceling series: the predicted threshold τ beside what the runs measured.
    public let predictedRows: [PredictedRow]
    /// Whether a gradient-canceling series leaves the biases' gradient uncancelled (`cancel: weights`
    /// or `first-layer`), so that the victim retrained on its poisons is rarely the target and the
    /// "Target stationary from" column stands in for the victim's agreement with it.
    public let leavesBiasesUncancelled: Bool
    /// The findings, as sentences (`findingSentences`), also printed by the commands.
    public let findings: [String]
    /// The figures, in order.
    public let figures: [Figure]
    /// The published claims; nil when the study has none.
    public let claims: Claims?
    /// The claims' verdicts counted at their confidence (`claimCountSentence`), as the opening says
    /// them, for the command's summary; nil without verdicts.
    public let claimCounts: String?
    /// The notes under the fits and the accuracy tables; nil when they do not apply.
    public let openEndNote, spreadFloorNote, undeterminedPredictionsNote: String?
    /// In a large study (`isLargeStudy`), where the Markdown and LaTeX reports leave the tables by series and
    /// fraction (clean accuracy, gap, the attacks' metrics, detection): points.csv, whose columns give them; nil otherwise.
    public let pointTablesNote: String?
    /// What a section whose table `pointTablesNote` leaves to points.csv says instead, pointing to that note, which
    /// the report gives once under its summary.
    public static let pointTablesPointer = "By series and fraction in points.csv (see the note under the summary)."
    /// The diverged runs' messages (a loss that became non-finite).
    public let divergedRuns: [String]
    /// The failed runs' messages (an attack, or a model's solver, that stopped for a reason of its own,
    /// e.g. a solve that did not converge: `RunResult.failure`).
    public let failedRuns: [String]

    /// The report of `results`, regenerated by `command`, showing `figures` (the study's figures
    /// as `studyFigures` gives them; computed here when nil).
    public init(_ results: StudyResults, command: String, figures: [StudyFigure]? = nil) {
        let config = results.config, data = results.data, statistics = results.statistics
        let fractions = config.fractions.sorted()

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
        parameters = Self.parameters(of: results, fractions: fractions)
        fits = Self.fits(of: results)

        confidence = confidenceText(statistics.confidence)
        intervalMethod = statistics.method
        sequentialSummary = results.sequential.map { sequentialSentence($0, replicates: results.config.analysis.replicates) }
        decisiveRatio = fixed(decisiveEvidenceRatio, decimals: 0)
        sharpSteepness = fixed(results.findings.sharpSteepness, decimals: 0)
        designChance = percentWhole(decisiveDesignChance)
        planningEffectFraction = String(format: "%.1f pp", config.planning.effect * 100)
        planningEffectAccuracy = fixed(config.planning.effect, decimals: 3)
        planningPower = percentWhole(config.planning.power)
        curveRows = Self.curveRows(of: results)
        differenceRows = Self.differenceRows(of: results, largestFraction: fractions.last ?? 0)
        attackBudgetRows = PoisoningReport.attackBudgetRows(results)
        attackBudgetNote = PoisoningReport.attackBudgetNote(results)
        differencesNote = leftOutDifferencesNote(results)
        fitFailures = fitFailureSentences(results)
        trendRows = Self.trendRows(of: results)

        let allSeries = Array(results.series.indices)
        seriesHeaders = allSeries.map { results.series[$0].label }
        accuracyRows = Self.fractionRows(of: results, fractions: fractions, key: MetricKey.testAccuracy, columns: allSeries)
        gapRows = Self.fractionRows(of: results, fractions: fractions, key: MetricKey.generalizationGap, columns: allSeries)
        accuracyTable = Self.seriesTable(accuracyRows, headers: seriesHeaders)
        gapTable = Self.seriesTable(gapRows, headers: seriesHeaders)
        attackMetrics = Self.attackMetricTables(of: results, fractions: fractions)
        detectionRows = Self.detectionRows(of: results, fractions: fractions)
        detectionSplitNote = Self.detectionSplitNote(of: results, fractions: fractions)
        curvatureRows = Self.curvatureRows(of: results, fractions: fractions)
        curvatureMethod = Self.curvatureMethod(features: results.data.featureCount, models: results.config.models)
        curvatureConvergenceNote = Self.curvatureConvergenceNote(of: results, filter: false)
        filterConvergenceNote = Self.curvatureConvergenceNote(of: results, filter: true)
        predictedRows = Self.predictedRows(of: results)
        leavesBiasesUncancelled = results.series.indices.contains { series in
            results.config.attacks[results.series[series].attack].value(at: "kind") == .string(GradientCanceling.kind)
                && results.canceledGradient(series: series) != .weightsAndBias
        }

        // Attacks and defenses compared at one budget: the positive swept fraction nearest 10%.
        let budget = results.findings.comparisonBudget
        comparesAttacks = Set(results.series.map(\.attack)).count > 1
        let hasDefenses = results.series.contains { $0.defense != 0 }
        self.hasDefenses = hasDefenses
        comparisonBudget = budget.map(percent) ?? "n/a"
        comparisonBudgetBase = budgetBaseWords(results)
        attackComparisonRows = budget.map { Self.attackComparisonRows(of: results, budget: $0, hasDefenses: hasDefenses) } ?? []
        defenseRows = Self.defenseRows(of: results, budget: budget)

        findings = findingSentences(results)
        self.figures = (figures ?? studyFigures(results)).map { Figure(name: $0.name, caption: $0.caption) }
        claims = Self.claims(of: results)
        claimCounts = claimCountSentence(results)
        openEndNote = PoisoningReport.openEndNote(results)
        spreadFloorNote = PoisoningReport.spreadFloorNote(results)
        undeterminedPredictionsNote = PoisoningReport.undeterminedPredictionsNote(results)
        pointTablesNote = isLargeStudy(results)
            ? "With \(results.series.count) series (more than \(largeStudySeries)), the tables by series and fraction (clean "
                + "accuracy, gap, the attacks' metrics, detection) are left to points.csv: one row per series and fraction, each "
                + "metric's mean and standard deviation over seeds in its KEY_mean and KEY_std columns (testAccuracy, "
                + "generalizationGap, the attacks' metrics, removedFraction and the detection metrics). The findings give each "
                + "quantity's range."
            : nil
        failedRuns = results.runs.compactMap { $0.hasFailed ? $0.divergence : nil }
        divergedRuns = results.runs.compactMap { $0.hasFailed ? nil : $0.divergence }
    }
}

/// " (key value, key value)" for a component's parameters other than its kind (`shownValue`); "" when it has none.
func componentDetails(_ component: ParameterValue) -> String {
    let entries = (component.entries ?? []).filter { $0.key != "kind" }
    return entries.isEmpty ? "" : " (" + entries.map { "\($0.key) \(shownValue($0.value))" }.joined(separator: ", ") + ")"
}

/// `value` as a report shows it: as the study file writes it (`ParameterValue.description`), but a
/// string that needs quotes is shown in double quotes exactly as the user's value reads, backslashes
/// and quotes once (a path "C:\data\x.csv", not the YAML escape "C:\\data\\x.csv"), control
/// characters (a CSV delimiter may be one) as their code points (U+0009), since the report's formats
/// escape the text themselves.
func shownValue(_ value: ParameterValue) -> String {
    switch value {
    case .string(let text):
        guard value.description != text else { return text }
        var shown = ""
        for scalar in text.unicodeScalars {
            if scalar.properties.generalCategory == .control { shown += codePointText(scalar) } else { shown.unicodeScalars.append(scalar) }
        }
        return "\"" + shown + "\""
    case .list(let values): return "[" + values.map(shownValue).joined(separator: ", ") + "]"
    case .mapping(let entries): return "{" + entries.map { "\($0.key): \(shownValue($0.value))" }.joined(separator: ", ") + "}"
    default: return value.description
    }
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

/// What a budget of the "Attacks compared" table is a share of: "of the training rows", and in
/// parentheses the attacks whose budget counts other rows: those whose victims train on a subset of
/// the training rows (`victimRowSubset`), a share of that subset, and those that add their poisons
/// (`addsRows`: gradient canceling, svm-gradient with `placement: add`), poisons per clean row.
func budgetBaseWords(_ results: StudyResults) -> String {
    let subsets = results.victimRowSubsets
    var subset = [String](), adding = [String]()
    for (index, series) in results.series.enumerated() {
        if addsRows(results, series: index) {
            if !adding.contains(series.attackLabel) { adding.append(series.attackLabel) }
        } else if subsets[series.attack] != nil, !subset.contains(series.attackLabel) {
            subset.append(series.attackLabel)
        }
    }
    var parts = [String]()
    if !subset.isEmpty {
        parts.append("for \(listing(subset)): of the rows \(subset.count == 1 ? "its" : "their") victims train on, the configuration's "
            + "“Victims' training rows”")
    }
    if !adding.isEmpty {
        parts.append("for \(listing(adding)), which add\(adding.count == 1 ? "s its" : " their") poisons to the clean rows: poisons per "
            + "clean row of the victims' set")
    }
    return "of the training rows" + (parts.isEmpty ? "" : " (" + parts.joined(separator: "; ") + ")")
}

/// The attacks of `results` whose victims train on a subset of the training rows, with those rows
/// (`PoisoningAttack.victimRowSubset`) and what that does to their numbers: "svm-gradient ...: the
/// attacker's training rows: ...; ..."; nil when every attack's victims train on every row.
func victimRowSubsets(_ results: StudyResults) -> String? {
    let subsets = results.victimRowSubsets
    var attacksByRows = [(rows: String, attacks: [String])]()
    for series in results.series {
        guard let rows = subsets[series.attack] else { continue }
        if let index = attacksByRows.firstIndex(where: { $0.rows == rows }) {
            if !attacksByRows[index].attacks.contains(series.attackLabel) { attacksByRows[index].attacks.append(series.attackLabel) }
        } else {
            attacksByRows.append((rows, [series.attackLabel]))
        }
    }
    guard !attacksByRows.isEmpty else { return nil }
    return attacksByRows.map { "\(listing($0.attacks)): \($0.rows)" }.joined(separator: "; ")
        + ". Their clean runs (0.0%) train on these rows too, and their budget is a share of them; the report's poisoned shares "
        + "are of all \(results.data.trainCount) training rows"
}

/// The method notes of the attacks of `results` that have one (`PoisoningAttack.methodNote`), each
/// after its label: "svm-gradient ...: Biggio et al. ...; ..."; nil when none has one.
func methodNotes(_ results: StudyResults) -> String? {
    let notes = results.methodNotes
    var seen = Set<Int>(), parts = [String]()
    for series in results.series where !seen.contains(series.attack) {
        seen.insert(series.attack)
        if let note = notes[series.attack] { parts.append("\(series.attackLabel): \(note)") }
    }
    return parts.isEmpty ? nil : parts.joined(separator: " ")
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
