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
    /// A table row: each cell's text escaped for a table cell (`escapeCell`; `v` for those in
    /// `verbatim`), and under `sort` the number each one shows (`sortValue`, for the HTML report's
    /// sorting), or the one `places` gives it, with the row's `more` values.
    func row(_ cells: KeyValuePairs<String, String>, verbatim: Set<String> = [], places: [String: Int] = [:],
             more: [String: TemplateValue] = [:]) -> TemplateValue {
        var names = more, sort = [String: TemplateValue]()
        for (name, text) in cells {
            names[name] = verbatim.contains(name) ? v(text) : .text(definition.escapeCell(text))
            sort[name] = v(places[name].map(String.init) ?? sortValue(text))
        }
        names["sort"] = .object(sort)
        return .object(names)
    }
    /// A cell of a table by fraction: `value` and its `sort`.
    func cell(_ text: String) -> TemplateValue { ["value": t(text), "sort": v(sortValue(text))] }
    func rows(_ rows: [ReportModel.FractionRow]) -> TemplateValue {
        .list(rows.map { row in ["fraction": t(row.fraction), "cells": .list(row.cells.map(cell))] })
    }
    func headers(_ names: [String]) -> TemplateValue { .list(names.map { ["name": t($0)] }) }
    /// A table laid out to fit a page: `seriesInRows` and its `blocks`.
    func seriesTable(_ table: SeriesTable) -> TemplateValue {
        let seriesPlaces = placesInOrder(table.blocks.flatMap { $0.rows.map(\.label) })
        return ["seriesInRows": .flag(table.seriesInRows), "blocks": .list(table.blocks.map { block in
            ["corner": t(block.corner), "columns": headers(block.columns),
             "alignment": v(String(repeating: "r", count: block.columns.count)),
             "rows": .list(block.rows.map { row -> TemplateValue in
                 let sort = table.seriesInRows ? String(seriesPlaces[row.label] ?? 0) : sortValue(row.label)
                 return ["label": t(row.label), "sort": v(sort), "cells": .list(row.cells.map(cell))]
             })]
        })]
    }

    let fitPlaces = placesInOrder(model.fits.map(\.series))
    let fits: [TemplateValue] = model.fits.map { fit in
        row(["series": fit.series, "cleanAccuracy": fit.cleanAccuracy, "L": fit.L, "k": fit.k, "x0": fit.x0, "b": fit.b,
             "rSquared": fit.rSquared, "threshold": fit.threshold, "thresholdStatus": fit.thresholdStatus,
             "thresholdNote": fit.thresholdNote, "failure": fit.failure],
            verbatim: ["rSquared", "thresholdStatus"], places: ["series": fitPlaces[fit.series] ?? 0],
            more: ["poorlyIdentified": .flag(fit.poorlyIdentified), "hasFit": .flag(fit.hasFit)])
    }
    let curvePlaces = placesInOrder(model.curveRows.map(\.series))
    let curveRows: [TemplateValue] = model.curveRows.map { r in
        row(["series": r.series, "sigmoid": r.sigmoid, "quadratic": r.quadratic, "line": r.line, "preferred": r.preferred,
             "evidenceRatio": r.evidenceRatio, "expectedRatio": r.expectedRatio, "decided": r.decided, "design": r.design],
            places: ["series": curvePlaces[r.series] ?? 0])
    }
    let differenceRows: [TemplateValue] = model.differenceRows.map { r in
        row(["quantity": r.quantity, "pair": r.pair, "difference": r.difference, "interval": r.interval, "seeds": r.seeds],
            more: ["resolved": v(decisionText(r.decision))])
    }
    let attackBudgetRows: [TemplateValue] = model.attackBudgetRows.map { r in
        row(["model": r.model, "attacks": r.attacks, "budget": r.budget, "success": r.success, "testError": r.testError,
             "ownTestError": r.ownTestError])
    }
    let trendRows: [TemplateValue] = model.trendRows.map { r in
        row(["group": r.group, "models": r.models, "slope": r.slope, "interval": r.interval, "seeds": r.seeds],
            more: ["resolved": v(decisionText(r.decision))])
    }
    let attackMetrics: [TemplateValue] = model.attackMetrics.map { table in
        ["name": t(table.name), "meaning": t(table.meaning), "summary": t(table.summary), "headers": headers(table.headers),
         "alignment": v(String(repeating: "r", count: table.headers.count)), "rows": rows(table.rows), "table": seriesTable(table.table)]
    }
    let detectionPlaces = placesInOrder(model.detectionRows.map(\.series))
    let detectionRows: [TemplateValue] = model.detectionRows.map { r in
        row(["series": r.series, "fraction": r.fraction, "removed": r.removed, "precision": r.precision, "recall": r.recall,
             "auroc": r.auroc, "tpr": r.tpr], places: ["series": detectionPlaces[r.series] ?? 0], more: ["hasRemoved": .flag(r.hasRemoved)])
    }
    let curvaturePlaces = placesInOrder(model.curvatureRows.map(\.series))
    let curvatureRows: [TemplateValue] = model.curvatureRows.map { r in
        row(["series": r.series, "fraction": r.fraction, "clean": r.clean, "triggered": r.triggered, "poisoned": r.poisoned,
             "alignment": r.alignment], places: ["series": curvaturePlaces[r.series] ?? 0])
    }
    let predictedPlaces = placesInOrder(model.predictedRows.map(\.series))
    let predictedRows: [TemplateValue] = model.predictedRows.map { r in
        row(["series": r.series, "tau": r.tau, "targetAccuracy": r.targetAccuracy, "stationaryFrom": r.stationaryFrom,
             "threshold": r.threshold, "ratios": r.ratios], places: ["series": predictedPlaces[r.series] ?? 0], more: ["findings": .list(r.findings.map { ["sentence": t($0)] })])
    }
    let attackModelPlaces = placesInOrder(model.attackComparisonRows.map(\.model))
    let attackPlaces = placesInOrder(model.attackComparisonRows.map(\.attack))
    let attackRows: [TemplateValue] = model.attackComparisonRows.map { r in
        row(["model": r.model, "attack": r.attack, "threshold": r.threshold, "accuracy": r.accuracy, "poisoned": r.poisoned,
             "success": r.success], places: ["model": attackModelPlaces[r.model] ?? 0, "attack": attackPlaces[r.attack] ?? 0])
    }
    let defenseModelPlaces = placesInOrder(model.defenseRows.map(\.model))
    let defenseAttackPlaces = placesInOrder(model.defenseRows.map(\.attack))
    let defensePlaces = placesInOrder(model.defenseRows.map(\.defense))
    let defenseRows: [TemplateValue] = model.defenseRows.map { r in
        row(["model": r.model, "attack": r.attack, "defense": r.defense, "threshold": r.threshold, "baseline": r.baseline,
             "shift": r.shift, "success": r.success, "cleanAccuracy": r.cleanAccuracy, "cost": r.cost],
            places: ["model": defenseModelPlaces[r.model] ?? 0, "attack": defenseAttackPlaces[r.attack] ?? 0,
                     "defense": defensePlaces[r.defense] ?? 0],
            more: ["shiftResolved": v(decisionText(r.shiftDecision)), "costResolved": v(decisionText(r.costDecision))])
    }
    let claimRows: [TemplateValue] = (model.claims?.rows ?? []).map { r in
        row(["claim": r.claim, "published": r.published, "estimate": r.estimate, "interval": r.interval, "supportedIf": r.supportedIf,
             "verdict": r.verdict])
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
        // Decisions made on the pilot bootstrap (`decidedOnPilot`): more than 3 seeds, not an adaptive study.
        "decidedOnPilot": .flag(model.seedCount > 3 && model.sequentialSummary == nil),
        "sequentialSummary": t(model.sequentialSummary ?? ""),
        "decisiveRatio": v(model.decisiveRatio),
        "sharpSteepness": v(model.sharpSteepness),
        "designChance": t(model.designChance),
        "planningEffectFraction": t(model.planningEffectFraction),
        "planningEffectAccuracy": v(model.planningEffectAccuracy),
        "planningPower": t(model.planningPower),
        "curveRows": .list(curveRows),
        "differenceRows": .list(differenceRows),
        "attackBudgetRows": .list(attackBudgetRows),
        "hasAttackBudgetRows": .flag(!attackBudgetRows.isEmpty),
        "hasAttackBudgetNote": .flag(model.attackBudgetNote != nil),
        "attackBudgetNote": t(model.attackBudgetNote ?? ""),
        "hasDifferences": .flag(!differenceRows.isEmpty),
        "hasDifferencesNote": .flag(model.differencesNote != nil),
        "differencesNote": t(model.differencesNote ?? ""),
        "trendRows": .list(trendRows),
        "hasTrends": .flag(!trendRows.isEmpty),
        "seriesHeaders": headers(model.seriesHeaders),
        "seriesAlignment": v(String(repeating: "r", count: model.seriesHeaders.count)),
        "accuracyRows": rows(model.accuracyRows),
        "gapRows": rows(model.gapRows),
        "accuracyTable": seriesTable(model.accuracyTable),
        "gapTable": seriesTable(model.gapTable),
        "hasAttackComparison": .flag(model.comparesAttacks && !attackRows.isEmpty),
        "hasDefenses": .flag(model.hasDefenses),
        "comparisonBudget": t(model.comparisonBudget),
        "comparisonBudgetBase": t(model.comparisonBudgetBase),
        "attackComparisonRows": .list(attackRows),
        "hasDefenseComparison": .flag(!defenseRows.isEmpty),
        "defenseRows": .list(defenseRows),
        "hasAttackMetrics": .flag(!attackMetrics.isEmpty),
        "attackMetrics": .list(attackMetrics),
        "hasPredicted": .flag(!predictedRows.isEmpty),
        "predictedRows": .list(predictedRows),
        "leavesBiasesUncancelled": .flag(model.leavesBiasesUncancelled),
        "hasDetection": .flag(!detectionRows.isEmpty),
        "detectionRows": .list(detectionRows),
        "hasDetectionSplit": .flag(model.detectionSplitNote != nil),
        "detectionSplitNote": t(model.detectionSplitNote ?? ""),
        "hasCurvature": .flag(!curvatureRows.isEmpty),
        "curvatureRows": .list(curvatureRows),
        "curvatureMethod": t(model.curvatureMethod),
        "hasCurvatureConvergenceNote": .flag(model.curvatureConvergenceNote != nil),
        "curvatureConvergenceNote": t(model.curvatureConvergenceNote ?? ""),
        "hasFilterConvergenceNote": .flag(model.filterConvergenceNote != nil),
        "filterConvergenceNote": t(model.filterConvergenceNote ?? ""),
        "findings": .list(model.findings.map { ["sentence": t($0)] }),
        "fitFailures": .list(model.fitFailures.map { ["sentence": t($0)] }),
        "figures": .list(figures),
        "hasClaims": .flag(model.claims != nil),
        "claimsSource": t(model.claims?.source ?? ""),
        "claimRule": t(model.claims?.rule ?? ""),
        "hasClaimNote": .flag(model.claims?.note != nil),
        "claimNote": t(model.claims?.note ?? ""),
        "claimRows": .list(claimRows),
        "hasOpenEndNote": .flag(model.openEndNote != nil),
        "openEndNote": t(model.openEndNote ?? ""),
        "hasPointTables": .flag(model.pointTablesNote == nil),
        "pointTablesNote": t(model.pointTablesNote ?? ""),
        "pointTablesPointer": t(ReportModel.pointTablesPointer),
        "hasSpreadFloorNote": .flag(model.spreadFloorNote != nil),
        "spreadFloorNote": t(model.spreadFloorNote ?? ""),
        "hasUndeterminedPredictionsNote": .flag(model.undeterminedPredictionsNote != nil),
        "undeterminedPredictionsNote": t(model.undeterminedPredictionsNote ?? ""),
        "hasDivergedRuns": .flag(!model.divergedRuns.isEmpty),
        "divergedRuns": .list(model.divergedRuns.map { ["message": t($0)] }),
        "hasFailedRuns": .flag(!model.failedRuns.isEmpty),
        "failedRuns": .list(model.failedRuns.map { ["message": t($0)] }),
    ]
}

/// The template context of the report of `results` in `format`, its figures given by their path
/// `figures/<name>.<settings.figureExtension>` whatever the format: for tests, benchmarks and
/// fuzzing, which write no figures.
public func reportContext(for results: StudyResults, format: ReportFormat, settings: ReportSettings) -> TemplateValue {
    templateContext(ReportModel(results, command: settings.command), format: format) { "figures/\($0.name).\(settings.figureExtension)" }
}

/// The lists of the context whose length the results decide, at their longest for a study of
/// `runCount` runs (every run diverged, or every run failed), for checking a template before the
/// runs: see `checkRendering`.
public func longestResultLists(runCount: Int) -> [String: Int] { ["divergedRuns": runCount, "failedRuns": runCount] }

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

/// Each label's place among `labels` in the order they first appear: the HTML report sorts a column of
/// series, models, attacks or defenses by it, which is the study's order, in which its tables list them
/// ("MLP 32" before "MLP 128"; alphabetically, "MLP 128" came first).
func placesInOrder(_ labels: [String]) -> [String: Int] {
    var places = [String: Int]()
    for label in labels where places[label] == nil { places[label] = places.count }
    return places
}
