import Foundation
import PoisoningAnalysis

/// What a report needs to know beyond the results, for `reportContext`.
public struct ReportSettings: Sendable {
    /// The command line that regenerates the report, e.g. "make-report --epochs 100".
    public var command: String
    /// The extension of the figure files the report links ("png", "pdf" or "svg").
    public var figureExtension: String

    /// Settings for a report.
    public init(command: String, figureExtension: String) {
        self.command = command
        self.figureExtension = figureExtension
    }
}

/// The template context of `model`'s report in `format`: the names documented in
/// `templates/README.md`, every string escaped for the format (`ReportFormatDefinition.escape`;
/// `escapeVerbatim` for the command in a code block, figure paths and labels, and numbers the tool
/// formats), flags for the sections, lists of objects for the tables. `figureSource` gives the
/// `file` of each figure (its path relative to the report, or a data URI).
public func templateContext(_ model: ReportModel, format: ReportFormat, figureSource: (ReportModel.Figure) throws -> String) rethrows
    -> TemplateValue {
    let definition = format.definition
    /// Text the tool or the user wrote, escaped.
    func t(_ text: String) -> TemplateValue { .text(definition.escape(text)) }
    /// Text the templates place verbatim.
    func v(_ text: String) -> TemplateValue { .text(definition.escapeVerbatim(text)) }
    func yesNo(_ flag: Bool) -> TemplateValue { v(flag ? "yes" : "no") }
    func rows(_ rows: [ReportModel.FractionRow]) -> TemplateValue {
        .list(rows.map { row in ["fraction": t(row.fraction), "cells": .list(row.cells.map { ["value": t($0)] })] })
    }
    func headers(_ names: [String]) -> TemplateValue { .list(names.map { ["name": t($0)] }) }

    let fits: [TemplateValue] = model.fits.map { fit in
        ["series": t(fit.series), "cleanAccuracy": t(fit.cleanAccuracy), "L": v(fit.L), "k": t(fit.k), "x0": t(fit.x0), "b": v(fit.b),
         "rSquared": v(fit.rSquared), "threshold": t(fit.threshold), "thresholdStatus": v(fit.thresholdStatus),
         "thresholdNote": t(fit.thresholdNote), "poorlyIdentified": .flag(fit.poorlyIdentified), "hasFit": .flag(fit.hasFit),
         "failure": t(fit.failure)]
    }
    let curveRows: [TemplateValue] = model.curveRows.map { row in
        ["series": t(row.series), "sigmoid": t(row.sigmoid), "quadratic": t(row.quadratic), "line": t(row.line),
         "preferred": t(row.preferred), "evidenceRatio": t(row.evidenceRatio), "expectedRatio": t(row.expectedRatio),
         "decided": t(row.decided), "design": t(row.design)]
    }
    let differenceRows: [TemplateValue] = model.differenceRows.map { row in
        ["quantity": t(row.quantity), "pair": t(row.pair), "difference": t(row.difference), "interval": t(row.interval),
         "resolved": yesNo(row.resolved), "seeds": t(row.seeds)]
    }
    let trendRows: [TemplateValue] = model.trendRows.map { row in
        ["group": t(row.group), "models": t(row.models), "slope": t(row.slope), "interval": t(row.interval),
         "resolved": yesNo(row.resolved), "seeds": t(row.seeds)]
    }
    let attackMetrics: [TemplateValue] = model.attackMetrics.map { table in
        ["name": t(table.name), "meaning": t(table.meaning), "headers": headers(table.headers),
         "alignment": v(String(repeating: "r", count: table.headers.count)), "rows": rows(table.rows)]
    }
    let detectionRows: [TemplateValue] = model.detectionRows.map { row in
        ["series": t(row.series), "fraction": t(row.fraction), "removed": t(row.removed), "precision": t(row.precision),
         "recall": t(row.recall), "auroc": t(row.auroc), "tpr": t(row.tpr), "hasRemoved": .flag(row.hasRemoved)]
    }
    let attackRows: [TemplateValue] = model.attackComparisonRows.map { row in
        ["model": t(row.model), "attack": t(row.attack), "threshold": t(row.threshold), "accuracy": t(row.accuracy),
         "poisoned": t(row.poisoned), "success": t(row.success)]
    }
    let defenseRows: [TemplateValue] = model.defenseRows.map { row in
        ["model": t(row.model), "attack": t(row.attack), "defense": t(row.defense), "threshold": t(row.threshold),
         "baseline": t(row.baseline), "shift": t(row.shift), "shiftResolved": yesNo(row.shiftResolved), "success": t(row.success),
         "cleanAccuracy": t(row.cleanAccuracy), "cost": t(row.cost), "costResolved": yesNo(row.costResolved)]
    }
    let claimRows: [TemplateValue] = (model.claims?.rows ?? []).map { row in
        ["claim": t(row.claim), "published": t(row.published), "estimate": t(row.estimate), "interval": t(row.interval),
         "verdict": t(row.verdict)]
    }
    let figures: [TemplateValue] = try model.figures.map { figure in
        ["file": v(try figureSource(figure)), "caption": t(figure.caption), "label": v(figure.label)]
    }

    return [
        "title": t(model.title),
        "summary": t(model.summary),
        "toolVersion": t(model.toolVersion),
        "command": t(model.command),
        "commandCode": v(model.command),
        "commandFence": v(codeFence(for: model.command)),
        "runCount": v("\(model.runCount)"),
        "seriesList": t(model.seriesList),
        "fractionList": t(model.fractionList),
        "seedList": v(model.seedList),
        "testCount": v("\(model.testCount)"),
        "chanceAccuracy": v(model.chanceAccuracy),
        "largestFraction": t(model.largestFraction),
        "parameters": .list(model.parameters.map { ["name": t($0.name), "value": t($0.value)] }),
        "fits": .list(fits),
        "confidence": t(model.confidence),
        "replicates": v("\(model.replicates)"),
        "seedCount": v("\(model.seedCount)"),
        "hasIntervals": .flag(model.seedCount >= 2),
        "intervalMethod": t(model.intervalMethod),
        "isAdaptive": .flag(model.sequentialSummary != nil),
        "sequentialSummary": t(model.sequentialSummary ?? ""),
        "decisiveRatio": v(model.decisiveRatio),
        "sharpSteepness": v(model.sharpSteepness),
        "designChance": t(model.designChance),
        "planningEffectFraction": t(model.planningEffectFraction),
        "planningEffectAccuracy": v(model.planningEffectAccuracy),
        "planningPower": t(model.planningPower),
        "curveRows": .list(curveRows),
        "differenceRows": .list(differenceRows),
        "hasDifferences": .flag(!differenceRows.isEmpty),
        "trendRows": .list(trendRows),
        "hasTrends": .flag(!trendRows.isEmpty),
        "seriesHeaders": headers(model.seriesHeaders),
        "seriesAlignment": v(String(repeating: "r", count: model.seriesHeaders.count)),
        "accuracyRows": rows(model.accuracyRows),
        "gapRows": rows(model.gapRows),
        "hasAttackComparison": .flag(model.comparesAttacks && !attackRows.isEmpty),
        "hasDefenses": .flag(model.hasDefenses),
        "comparisonBudget": t(model.comparisonBudget),
        "attackComparisonRows": .list(attackRows),
        "hasDefenseComparison": .flag(!defenseRows.isEmpty),
        "defenseRows": .list(defenseRows),
        "hasAttackMetrics": .flag(!attackMetrics.isEmpty),
        "attackMetrics": .list(attackMetrics),
        "hasDetection": .flag(!detectionRows.isEmpty),
        "detectionRows": .list(detectionRows),
        "findings": .list(model.findings.map { ["sentence": t($0)] }),
        "figures": .list(figures),
        "hasClaims": .flag(model.claims != nil),
        "claimsSource": t(model.claims?.source ?? ""),
        "claimRule": t(model.claims?.rule ?? ""),
        "claimRows": .list(claimRows),
        "hasOpenEndNote": .flag(model.openEndNote != nil),
        "openEndNote": t(model.openEndNote ?? ""),
        "hasSpreadFloorNote": .flag(model.spreadFloorNote != nil),
        "spreadFloorNote": t(model.spreadFloorNote ?? ""),
        "hasDivergedRuns": .flag(!model.divergedRuns.isEmpty),
        "divergedRuns": .list(model.divergedRuns.map { ["message": t($0)] }),
    ]
}

/// The template context of the report of `results` in `format`, its figures given by their path
/// `figures/<name>.<settings.figureExtension>` whatever the format: for tests, benchmarks and
/// fuzzing, which write no figures.
public func reportContext(for results: StudyResults, format: ReportFormat, settings: ReportSettings) -> TemplateValue {
    templateContext(ReportModel(results, command: settings.command), format: format) { "figures/\($0.name).\(settings.figureExtension)" }
}

/// The lists of the context whose length the results decide, at their longest for a study of
/// `runCount` runs (every run diverged), for checking a template before the runs: see `checkRendering`.
public func longestResultLists(runCount: Int) -> [String: Int] { ["divergedRuns": runCount] }

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
