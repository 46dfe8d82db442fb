import Foundation
import PoisoningAnalysis
import PoisoningEngine
import PoisoningFigures

/// What a report needs to know beyond the results.
public struct ReportSettings: Sendable {
    /// The command line that regenerates the report, e.g. "make-report --epochs 100".
    public var command: String
    /// The extension of the figure files the report embeds ("png", "pdf" or "svg").
    public var figureExtension: String

    /// Settings for a report.
    public init(command: String, figureExtension: String) {
        self.command = command
        self.figureExtension = figureExtension
    }
}

/// The template context of a report: every value a preformatted string (numbers with fixed
/// decimals, fractions as percentages), a Bool, or a list of such dictionaries, with every string
/// escaped for `format`. Names and meanings are listed in `templates/README.md`.
public func reportContext(for results: StudyResults, format: ReportFormat, settings: ReportSettings) -> [String: Any] {
    let escape = format.escape
    let sentences = findingSentences(results)
    let config = results.config
    let fractions = config.fractions.sorted()
    let chance = 1 / Double(results.data.classCount)
    let data = results.data

    let knowledge: [(String, String)] = attackerKnowledge(results).map { [("Attacker's surrogate", $0)] } ?? []
    var parameters: [(String, String)] = [
        ("Data set", data.name + componentDetails(config.data)),
        ("Rows", "\(data.trainCount) training, \(data.testCount) test; \(data.featureCount) features, \(data.classCount) classes"),
        ("Models", listing(distinct(results.series.map(\.modelLabel)))),
        ("Attacks", listing(distinct(results.series.map(\.attackLabel)))),
        ("Defenses", listing(distinct(results.series.map(\.defenseLabel)))),
        ("Poison fractions", fractions.map(percent).joined(separator: ", ")),
    ]
    parameters += knowledge
    parameters += [
        ("Seeds", config.seeds.map(String.init).joined(separator: ", ")),
        ("Epochs", "\(config.training.epochs)"),
        ("Batch size", "\(config.training.batchSize)"),
        ("Learning rate (SGD)", "\(config.training.learningRate)"),
        ("Runs", "\(results.runs.count)"),
    ]

    let statistics = results.statistics
    /// "value [lower, upper]" for an estimate, its interval in brackets when it has one.
    func withInterval(_ estimate: Estimate, _ format: @escaping (Double) -> String) -> String {
        guard let value = estimate.value else { return "n/a" }
        guard let interval = estimate.interval else { return format(value) }
        return "\(format(value)) [\(intervalText(interval, format, separator: ", "))]"
    }
    let threeDecimals = { (value: Double) in fixed(value, decimals: 3) }
    let fits: [[String: Any]] = results.fits.map { fit in
        let parameters = fit.parameters, s = statistics.series[fit.series]
        let poorlyIdentified = !s.parametersAtBounds.isEmpty || (s.fittedCeiling ?? 0) > 1
            || (s.dropRemainingAtLargestFraction ?? 0) > extrapolatedFloorShare
        return [
            "series": escape(results.series[fit.series].label),
            "cleanAccuracy": escape(withInterval(s.cleanAccuracy, threeDecimals)),
            "L": parameters.map { fixed($0.amplitude, decimals: poorlyIdentified ? 2 : 3) } ?? "n/a",
            "k": escape(withInterval(s.steepness) { fixed($0, decimals: 1) }),
            "x0": escape(withInterval(s.midpoint) { fixed($0, decimals: 2) }),
            "b": parameters.map { fixed($0.floor, decimals: poorlyIdentified ? 2 : 3) } ?? "n/a",
            "rSquared": fit.rSquared.map { fixed($0, decimals: 3) } ?? "n/a",
            "threshold": escape(thresholdText(fit.threshold, estimate: s.threshold, brackets: true)),
            "thresholdStatus": fit.threshold.status.rawValue,
            "thresholdNote": escape(fit.threshold.reason ?? ""),
            "poorlyIdentified": poorlyIdentified,
            "hasFit": parameters != nil,
            "failure": escape(fit.failure ?? ""),
        ]
    }
    let curveRows: [[String: Any]] = statistics.series.map { s in
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
        return ["series": escape(results.series[s.series].label), "sigmoid": escape(cell(.sigmoid)),
                "quadratic": escape(cell(.quadratic)), "line": escape(cell(.line)),
                "preferred": escape(s.preferredCurve?.rawValue ?? "not compared"),
                "evidenceRatio": escape(s.curveEvidence.map { evidenceRatioText($0.sigmoidEvidenceRatio) } ?? "n/a"),
                "expectedRatio": escape(s.curveEvidence?.expectedAtThisDesign.map(evidenceRatioText) ?? "n/a"),
                "decided": escape(shapeDecision(results.findings.series.first { $0.series == s.series }?.shape, toldApart: toldApart)),
                "design": escape(design)]
    }
    let quantityNames: [ComparedQuantity: String] = [.threshold: "Critical threshold", .cleanAccuracy: "Clean accuracy",
                                                     .gapAtLargestFraction: "Gap at \(percent(fractions.last ?? 0))"]
    let signedAccuracy = { (value: Double) in String(format: "%+.3f", value) }
    let differenceRows: [[String: Any]] = statistics.differences.map { d -> [String: Any] in
        let format: (Double) -> String = d.quantity == .threshold ? percentagePoints : signedAccuracy
        let pair = "\(results.series[d.other].label) − \(results.series[d.base].label)"
        let seeds = d.resolved ? "" : d.seedPlan.map(seedPlanText) ?? "cannot tell"
        return ["quantity": escape(quantityNames[d.quantity]!), "pair": escape(pair),
                "difference": escape(estimateText(d.difference, format)),
                "interval": escape(intervalText(d.difference.interval, format)),
                "resolved": d.resolved ? "yes" : "no", "seeds": escape(seeds)]
    }
    let trendRows: [[String: Any]] = statistics.trends.map { t -> [String: Any] in
        let first = results.series[t.series[0]]
        let seeds = t.resolved ? "" : t.seedPlan.map(seedPlanText) ?? "cannot tell"
        return ["group": escape("\(first.attackLabel), \(first.defenseLabel)"),
                "models": escape(listing(t.series.map { results.series[$0].modelLabel })),
                "slope": escape(t.slope.value.map(percentagePoints) ?? "n/a"),
                "interval": escape(intervalText(t.slope.interval, percentagePoints)),
                "resolved": t.resolved ? "yes" : "no", "seeds": escape(seeds)]
    }

    /// One row per fraction, one cell per series in `columns`: mean ± std of `key`; for test accuracy
    /// followed by the Wilson interval of the mean as a share of the test rows.
    func rows(_ key: String, columns: [Int]) -> [[String: Any]] {
        fractions.map { fraction in
            let cells: [[String: Any]] = columns.map { series in
                let stats = results.points.first { $0.fraction == fraction && $0.series == series }?.metric(key)
                var text = stats.map(plusMinus) ?? "n/a"
                if key == MetricKey.testAccuracy, let stats {
                    let wilson = wilsonInterval(proportion: stats.mean, trials: data.testCount, confidence: statistics.confidence)
                    text += " [" + intervalText(wilson, threeDecimals, separator: ", ") + "]"
                }
                return ["value": escape(text)]
            }
            return ["fraction": escape(percent(fraction)), "cells": cells]
        }
    }
    let allSeries = Array(results.series.indices)
    let headers = { (columns: [Int]) in columns.map { ["name": escape(results.series[$0].label)] } }

    let attackMetrics: [[String: Any]] = results.attackMetrics.map { metric in
        let columns = allSeries.filter { series in results.points.contains { $0.series == series && $0.metric(metric.key) != nil } }
        return ["name": escape(metric.name), "meaning": escape(metric.meaning), "headers": headers(columns),
                "alignment": String(repeating: "r", count: columns.count), "rows": rows(metric.key, columns: columns)]
    }
    let detectionRows: [[String: Any]] = allSeries.flatMap { series in
        fractions.compactMap { fraction -> [String: Any]? in
            guard let point = results.points.first(where: { $0.fraction == fraction && $0.series == series }),
                  let removed = point.metric(MetricKey.removedFraction) else { return nil }
            let value = { (key: String) in escape(point.metric(key).map(plusMinus) ?? "n/a") }
            return ["series": escape(results.series[series].label), "fraction": escape(percent(fraction)),
                    "removed": value(MetricKey.removedFraction), "precision": value(MetricKey.detectionPrecision),
                    "recall": value(MetricKey.detectionRecall), "auroc": value(MetricKey.detectionAUROC),
                    "tpr": value(MetricKey.detectionTPRAt5FPR), "hasRemoved": removed.mean > 0]
        }
    }

    // Attacks and defenses compared at one budget: the positive swept fraction nearest 10%.
    let budget = results.findings.comparisonBudget
    let attackCount = Set(results.series.map(\.attack)).count
    let attackRows: [[String: Any]] = budget.map { budget in
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
            let threshold = thresholdText(fit.threshold, estimate: s.threshold, brackets: true)
            return ["model": escape(description.modelLabel + (results.series.contains { $0.defense != 0 } ? ", \(description.defenseLabel)" : "")),
                    "attack": escape(description.attackLabel), "threshold": escape(threshold),
                    "accuracy": escape(point?.metric(MetricKey.testAccuracy).map(plusMinus) ?? "n/a"),
                    "poisoned": escape(share), "success": escape(success ?? "—")]
        }
    } ?? []
    let signedAccuracy3 = { (value: Double) in String(format: "%+.3f", value) }
    let defenseRows: [[String: Any]] = results.findings.defenses.map { f in
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
        return ["model": escape(defended.modelLabel), "attack": escape(defended.attackLabel), "defense": escape(defended.defenseLabel),
                "threshold": escape(threshold(f.series)), "baseline": escape(threshold(f.baseline)),
                "shift": escape(withRange(f.thresholdShift, percentagePoints)), "shiftResolved": f.shiftResolved ? "yes" : "no",
                "success": escape(success),
                "cleanAccuracy": escape(statistics.series[f.series].cleanAccuracy.value.map(threeDecimals) ?? "n/a"),
                "cost": escape(withRange(f.cleanAccuracyChange, signedAccuracy3)), "costResolved": f.changeResolved ? "yes" : "no"]
    }
    let diverged = results.runs.compactMap(\.divergence)
    let claims: [[String: Any]] = results.findings.claims.map { verdicts in
        claimRows(results, verdicts).map { row in
            ["claim": escape(row.claim), "published": escape(row.published), "estimate": escape(row.estimate),
             "interval": escape(row.interval), "verdict": escape(row.verdict)]
        }
    } ?? []
    let openEnd = openEndNote(results), spreadFloor = spreadFloorNote(results)

    return [
        "title": escape(results.title),
        "summary": escape(openingSummary(results)),
        "toolVersion": escape(results.toolVersion),
        "command": escape(settings.command),
        "commandCode": settings.command,
        "commandFence": codeFence(for: settings.command),
        "runCount": "\(results.runs.count)",
        "seriesList": escape(listing(results.series.map(\.label))),
        "fractionList": escape(fractions.map(percent).joined(separator: ", ")),
        "seedList": config.seeds.map(String.init).joined(separator: ", "),
        "testCount": "\(data.testCount)",
        "chanceAccuracy": fixed(chance, decimals: 3),
        "largestFraction": escape(percent(fractions.last ?? 0)),
        "parameters": parameters.map { ["name": escape($0.0), "value": escape($0.1)] },
        "fits": fits,
        "confidence": escape(String(format: "%g%%", statistics.confidence * 100)),
        "replicates": "\(statistics.replicates)",
        "seedCount": "\(statistics.seeds)",
        "hasIntervals": statistics.seeds >= 2,
        "intervalMethod": escape(statistics.method),
        "isAdaptive": results.sequential != nil,
        "sequentialSummary": escape(results.sequential.map(sequentialSentence) ?? ""),
        "decisiveRatio": fixed(decisiveEvidenceRatio, decimals: 0),
        "sharpSteepness": fixed(results.findings.sharpSteepness, decimals: 0),
        "designChance": escape(percentWhole(decisiveDesignChance)),
        "planningEffectFraction": escape(String(format: "%.1f pp", results.config.planning.effect * 100)),
        "planningEffectAccuracy": fixed(results.config.planning.effect, decimals: 3),
        "planningPower": escape(percentWhole(results.config.planning.power)),
        "curveRows": curveRows,
        "differenceRows": differenceRows,
        "hasDifferences": !differenceRows.isEmpty,
        "trendRows": trendRows,
        "hasTrends": !trendRows.isEmpty,
        "seriesHeaders": headers(allSeries),
        "seriesAlignment": String(repeating: "r", count: allSeries.count),
        "accuracyRows": rows(MetricKey.testAccuracy, columns: allSeries),
        "gapRows": rows(MetricKey.generalizationGap, columns: allSeries),
        "hasAttackComparison": attackCount > 1 && !attackRows.isEmpty,
        "comparisonBudget": escape(budget.map(percent) ?? "n/a"),
        "attackComparisonRows": attackRows,
        "hasDefenseComparison": !defenseRows.isEmpty,
        "defenseRows": defenseRows,
        "hasAttackMetrics": !attackMetrics.isEmpty,
        "attackMetrics": attackMetrics,
        "hasDetection": !detectionRows.isEmpty,
        "detectionRows": detectionRows,
        "findings": sentences.map { ["sentence": escape($0)] },
        // File names and labels are made of [a-z_./:-] only and stay unescaped: LaTeX reads them verbatim.
        "figures": studyFigures(results).map { figure in
            let name = figure.name
            return ["file": "figures/\(name).\(settings.figureExtension)", "caption": escape(figure.caption),
                    "label": "fig:" + name.replacingOccurrences(of: "_", with: "-")]
        },
        "hasClaims": results.findings.claims != nil,
        "claimsSource": escape(results.findings.claims?.source ?? ""),
        "claimRule": escape(claimRule(level: levelText(results), sharpSteepness: results.findings.sharpSteepness,
                                      swept: (results.config.fractions.min() ?? 0)...(results.config.fractions.max() ?? 0),
                                      open: openClaimInterval(results.findings.claims))),
        "claimRows": claims,
        "hasOpenEndNote": openEnd != nil,
        "openEndNote": escape(openEnd ?? ""),
        "hasSpreadFloorNote": spreadFloor != nil,
        "spreadFloorNote": escape(spreadFloor ?? ""),
        "hasDivergedRuns": !diverged.isEmpty,
        "divergedRuns": diverged.map { ["message": escape($0)] },
    ]
}

/// The lists of the context whose length the results decide, at their longest for a study of
/// `runCount` runs (every run diverged), for checking a template before the runs: see `checkRendering`.
public func longestResultLists(runCount: Int) -> [String: Int] { ["divergedRuns": runCount] }

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

/// A Markdown code fence that `code` cannot close: one backtick more than the longest run of
/// backticks in it, and at least three (CommonMark closes a fence only with a run at least as long).
func codeFence(for code: String) -> String {
    var longest = 0, current = 0
    for character in code {
        current = character == "`" ? current + 1 : 0
        longest = max(longest, current)
    }
    return String(repeating: "`", count: max(3, longest + 1))
}

/// What the informed attacks of `results` knew of the victim: "transfer setting, ...: margin flip (to
/// worst) and ..." and, for those marked so, "white box, ...: ..."; nil when no attack trains a surrogate.
func attackerKnowledge(_ results: StudyResults) -> String? {
    let groups: [(AttackerKnowledge, String)] = [(.transfer, "transfer setting, the surrogate trained with a seed of its own"),
                                                 (.whiteBox, "white box, the surrogate is the victim's clean model (its seed)")]
    let parts = groups.compactMap { knowledge, words -> String? in
        let names = distinct(results.series.filter { $0.attackerKnowledge == knowledge }.map(\.attackLabel))
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
