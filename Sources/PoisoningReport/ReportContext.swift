import Foundation
import PoisoningAnalysis

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
    let config = results.config
    let fractions = config.fractions.sorted()
    let chance = 1 / Double(config.data.classes)
    let widths = config.widths

    let parameters: [(String, String)] = [
        ("Samples (train + test)", "\(config.data.samples)"),
        ("Features", "\(config.data.features)"),
        ("Classes", "\(config.data.classes)"),
        ("Cluster standard deviation", fixed(config.data.clusterStd, decimals: 2)),
        ("Center scale", fixed(config.data.centerScale, decimals: 2)),
        ("Training fraction", fixed(config.data.trainFraction, decimals: 2) + " (\(config.data.trainCount) training samples)"),
        ("Data seed", "\(config.data.seed)"),
        ("Attack", config.attack.rawValue),
        ("Poison fractions", fractions.map(percent).joined(separator: ", ")),
        ("Hidden widths", widths.map(String.init).joined(separator: ", ")),
        ("Seeds", config.seeds.map(String.init).joined(separator: ", ")),
        ("Epochs", "\(config.training.epochs)"),
        ("Batch size", "\(config.training.batchSize)"),
        ("Learning rate (SGD)", "\(config.training.learningRate)"),
        ("Runs", "\(results.runs.count)"),
    ]

    let fits: [[String: Any]] = results.fits.map { fit in
        let parameters = fit.parameters
        return [
            "width": "\(fit.width)",
            "cleanAccuracy": escape(fit.cleanAccuracy.map { fixed($0, decimals: 3) } ?? "n/a"),
            "L": parameters.map { fixed($0.amplitude, decimals: 3) } ?? "n/a",
            "k": parameters.map { fixed($0.steepness, decimals: 2) } ?? "n/a",
            "x0": parameters.map { fixed($0.midpoint, decimals: 3) } ?? "n/a",
            "b": parameters.map { fixed($0.floor, decimals: 3) } ?? "n/a",
            "rSquared": fit.rSquared.map { fixed($0, decimals: 3) } ?? "n/a",
            "threshold": escape(describeThreshold(fit.threshold.fraction, status: fit.threshold.status)),
            "thresholdStatus": fit.threshold.status.rawValue,
            "thresholdNote": escape(fit.threshold.reason ?? ""),
            "hasFit": parameters != nil,
            "failure": escape(fit.failure ?? ""),
        ]
    }

    func rows(_ metric: (AggregatePoint) -> MeanStd?) -> [[String: Any]] {
        fractions.map { fraction in
            let cells: [[String: Any]] = widths.map { width in
                let stats = results.points.first { $0.fraction == fraction && $0.width == width }.flatMap(metric)
                return ["value": escape(stats.map { "\(fixed($0.mean, decimals: 3)) ± \(fixed($0.std, decimals: 3))" } ?? "n/a")]
            }
            return ["fraction": escape(percent(fraction)), "cells": cells]
        }
    }

    let figureNames = [
        ("accuracy_vs_poison", "Clean test accuracy (mean ± std over seeds) against the poison fraction, per width, with the fitted sigmoids (dashed), the critical thresholds (dotted) and chance accuracy."),
        ("generalization_gap", "Generalization gap (train accuracy on the poisoned labels minus clean test accuracy), mean ± std over seeds."),
        ("train_vs_test", "Train accuracy on the poisoned labels, clean test accuracy and train accuracy on the true labels, one panel per width."),
    ]
    let diverged = results.runs.compactMap(\.divergence)

    return [
        "title": escape("Label-flip poisoning sensitivity of two-layer MLPs"),
        "summary": escape(summary(results)),
        "toolVersion": escape(results.toolVersion),
        "command": escape(settings.command),
        "attack": escape(config.attack.rawValue),
        "runCount": "\(results.runs.count)",
        "widthList": widths.map(String.init).joined(separator: ", "),
        "fractionList": escape(fractions.map(percent).joined(separator: ", ")),
        "seedList": config.seeds.map(String.init).joined(separator: ", "),
        "dataSeed": "\(config.data.seed)",
        "chanceAccuracy": fixed(chance, decimals: 3),
        "largestFraction": escape(percent(fractions.last ?? 0)),
        "parameters": parameters.map { ["name": escape($0.0), "value": escape($0.1)] },
        "fits": fits,
        "widthHeaders": widths.map { ["width": "\($0)"] },
        "widthAlignment": String(repeating: "r", count: widths.count),
        "accuracyRows": rows(\.testAccuracy),
        "gapRows": rows(\.generalizationGap),
        "findings": results.findings.statements.map { ["sentence": escape($0)] },
        // File names and labels are made of [a-z_./:-] only and stay unescaped: LaTeX reads them verbatim.
        "figures": figureNames.map { name, caption in
            ["file": "figures/\(name).\(settings.figureExtension)", "caption": escape(caption),
             "label": "fig:" + name.replacingOccurrences(of: "_", with: "-")]
        },
        "hasDivergedRuns": !diverged.isEmpty,
        "divergedRuns": diverged.map { ["message": escape($0)] },
    ]
}

/// An abstract-style paragraph: the set-up, then the findings on clean accuracy, thresholds,
/// sensitivity and sharpness (indices into `Findings.statements`, whose order is fixed).
func summary(_ results: StudyResults) -> String {
    let config = results.config
    let fractions = config.fractions.sorted()
    let setUp = "We trained \(results.runs.count) two-layer MLPs (hidden widths \(listing(config.widths.map(String.init)))) "
        + "with SGD on \(config.data.samples) Gaussian-cluster samples (\(config.data.classes) classes) after flipping "
        + "\(percent(fractions.first ?? 0)) to \(percent(fractions.last ?? 0)) of the training labels, "
        + "\(config.seeds.count) seed\(config.seeds.count == 1 ? "" : "s") per setting."
    let statements = results.findings.statements
    return ([setUp] + [0, 2, 3, 1].compactMap { statements.indices.contains($0) ? statements[$0] : nil })
        .joined(separator: " ")
}

