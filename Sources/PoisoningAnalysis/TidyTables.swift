import PoisoningEngine

/// The tidy tables of a study's results, for tools that read CSV (pandas, R, a spreadsheet):
/// `runs.csv`, one row per run, `points.csv`, one row per aggregated (fraction, series) point, and
/// `differences.csv`, one row per difference between two series (results.json's `statistics.differences`).
/// Both hold exactly the numbers of results.json, written with its digits (`jsonNumber`), so that a
/// reader gets the same doubles; RFC 4180 quoting, a header row, LF line ends.
public enum TidyTables {
    /// The file name of the per-run table.
    public static let runsFileName = "runs.csv"
    /// The file name of the per-point table.
    public static let pointsFileName = "points.csv"
    /// The file name of the table of differences between series.
    public static let differencesFileName = "differences.csv"

    /// The columns that name a row's series, in order: its index, label, model, the model's
    /// parameter count, attack and defense.
    public static let seriesColumns = ["series", "label", "model", "parameterCount", "attack", "defense"]

    /// The numeric parameters the study sweeps across its attacks and across its defenses, after the
    /// series columns of both tables: one column per numeric parameter (a number, at any depth of a
    /// component's mapping, `kind` aside) that takes more than one value among the study's attacks, or
    /// among its defenses, of one kind, named by the axis and the parameter's dotted path (`attack.near-clone.distance`,
    /// `defense.lambda`), in attack-then-defense order and code-point order of the path. A cell holds
    /// the row's component's value, empty where the component has no such parameter or is of another
    /// kind than those that sweep it.
    static func parameterColumns(_ config: StudyConfig) -> [ParameterColumn] {
        [("attack", true, config.attacks), ("defense", false, config.defenses)].flatMap { axis, isAttack, components in
            // The values of each path per kind: a number swept among components of one kind (two λ of the
            // input-gradient penalty), not two kinds' parameters of one name (a weight decay's λ and a penalty's).
            var values = [String: [String: Set<Double>]]()
            for component in components {
                let kind = component.value(at: "kind")?.description ?? ""
                for (path, value) in numericParameters(component, prefix: "") { values[path, default: [:]][kind, default: []].insert(value) }
            }
            return values.compactMap { path, kinds in
                let swept = Set(kinds.filter { $0.value.count > 1 }.keys)
                return swept.isEmpty ? nil : ParameterColumn(name: "\(axis).\(path)", isAttack: isAttack, components: components, path: path,
                                                            kinds: swept)
            }.sorted { codePointOrder($0.path, $1.path) }
        }
    }

    /// A column of `parameterColumns`: its name, whether it is an attack's (else a defense's), the
    /// study's components along its axis, the parameter's dotted path in them and the kinds (as
    /// `ParameterValue.description` writes them) that sweep it.
    struct ParameterColumn {
        let name: String
        let isAttack: Bool
        let components: [ParameterValue]
        let path: String
        let kinds: Set<String>
    }

    /// Every number of the component mapping `value` (`kind` aside) by its dotted path below `prefix`.
    static func numericParameters(_ value: ParameterValue, prefix: String) -> [(path: String, value: Double)] {
        switch value {
        case .int(let number): [(prefix, Double(number))]
        case .double(let number): [(prefix, number)]
        case .mapping(let entries):
            entries.filter { !(prefix.isEmpty && $0.key == "kind") }.flatMap { entry in
                numericParameters(entry.value, prefix: prefix.isEmpty ? entry.key : "\(prefix).\(entry.key)")
            }
        default: []
        }
    }

    /// The cells of `parameterColumns` for `series`.
    static func parameterCells(_ columns: [ParameterColumn], _ series: SeriesDescription) -> [String] {
        columns.map { column in
            let component = column.components[column.isAttack ? series.attack : series.defense]
            guard column.kinds.contains(component.value(at: "kind")?.description ?? "") else { return "" }
            return numericParameters(component, prefix: "").first { $0.path == column.path }.map { jsonNumber($0.value) } ?? ""
        }
    }

    /// The columns of `runs.csv` between `divergence` and the metrics: the target the run's attack
    /// aims at, its τ for the run's seed, and the budget from which the seed's mixed gradient
    /// is cancelled, the target stationary on the mixture (results.json's `targetBudgets`).
    public static let targetColumns = ["attackTarget", "tau", "targetBudget"]

    /// The three columns of `runs.csv` for each of the study's targets (`targets:`, in order), from
    /// results.json's `runs[].targets`: `target[LABEL].accuracy`, `.distance` and `.tau`.
    static func measurementColumns(_ label: String) -> [String] {
        ["accuracy", "distance", "tau"].map { "target[\(label)].\($0)" }
    }

    /// `runs.csv`: the series columns, the `parameterColumns`, then `fraction`, `seed`, `poisonedCount`, `realisedFraction`,
    /// `saturated` (true or false), `divergence` (why a run diverged; empty for a finished run), the
    /// `targetColumns` (`attackTarget`: the label of the target the run's attack aims at, gradient
    /// canceling's `target:`; `tau`: that target's τ for the run's seed, as `runs[].targets` holds it;
    /// `targetBudget`: the seed's budget in `targetBudgets`, the first swept fraction at which the
    /// target is stationary on the mixture, its mixed gradient at most 1e-3 of the clean one), then, in a study with
    /// targets, `measurementColumns` for each target, then one column per metric any run records, by
    /// key in code-point order. A cell is empty where it does not apply: a run without a metric, an
    /// attack without a target, a target without τ (none exists, or it could not be made), a seed
    /// whose mixed gradient was never cancelled. One row per run, in results.json's order.
    public static func runsCSV(_ results: StudyResults) -> String {
        let metrics = Set(results.runs.flatMap { $0.metrics?.keys.map { $0 } ?? [] }).sorted(by: codePointOrder)
        // Every run that has targets has the study's, in order (`StudyRunCheck`).
        let targets = results.runs.lazy.compactMap(\.targets).first?.map(\.target) ?? []
        let parameters = parameterColumns(results.config)
        var lines = [csvLine(seriesColumns + parameters.map(\.name) + ["fraction", "seed", "poisonedCount", "realisedFraction", "saturated", "divergence"]
            + targetColumns + targets.flatMap(measurementColumns) + metrics)]
        lines.reserveCapacity(results.runs.count + 1)
        for run in results.runs {
            let values = run.metrics ?? [:]
            let aimedAt = attackTarget(of: run.series, in: results, targets: targets)
            let measured = run.targets ?? []
            let budget = results.targetBudgets?.first { $0.series == run.series }?.seeds.first { $0.seed == run.seed }?.budget
            lines.append(csvLine(seriesCells(run.series, results.series[run.series])
                + parameterCells(parameters, results.series[run.series])
                + [jsonNumber(run.fraction), String(run.seed), String(run.poisonedCount), jsonNumber(run.realisedFraction),
                   String(run.isSaturated), run.divergence ?? ""]
                + [aimedAt ?? "", measured.first { $0.target == aimedAt }?.tau.map(jsonNumber) ?? "", budget.map(jsonNumber) ?? ""]
                + targets.flatMap { label in
                    let target = measured.first { $0.target == label }
                    return [target?.accuracy, target?.distance, target?.tau].map { $0.map(jsonNumber) ?? "" }
                }
                + metrics.map { values[$0].map(jsonNumber) ?? "" }))
        }
        return lines.joined()
    }

    /// The label of the target the attack of series `index` aims at: its `target:` when that names one
    /// of the study's `targets` (a class flip's `target:` is a class), else nil.
    static func attackTarget(of index: Int, in results: StudyResults, targets: [String]) -> String? {
        guard case let .string(label)? = results.config.attacks[results.series[index].attack].value(at: "target"),
              targets.contains(label) else { return nil }
        return label
    }

    /// `points.csv`: the series columns, the `parameterColumns`, then `fraction`, `runCount` (the seeds averaged),
    /// `divergedCount`, `saturated`, `realisedFraction_mean` and `_std`, then for each metric any point
    /// records, by key in code-point order, `KEY_mean` and `KEY_std` (the sample standard deviation
    /// over seeds, as results.json's `std`); empty cells where a point lacks the metric. A metric
    /// whose seeds are split in orientation at some point (results.json's `orientationSplits`) has
    /// three more columns after its `_std`: `KEY_orientationSplit` (true or false), `KEY_seedsBelow` and
    /// `KEY_seedsAbove` (the seeds clearly below and above 0.5, empty where not split), and its
    /// `_mean` and `_std` are empty at a split point, so that no mean mixes the two orientations. One row per
    /// point, in results.json's order (fraction-major, then series). results.json carries no interval
    /// per point (its intervals belong to the fits and comparisons, in `statistics`), so neither does
    /// this table.
    public static func pointsCSV(_ results: StudyResults) -> String {
        let splitMetrics = Set(results.points.flatMap { $0.orientationSplits?.keys.map { $0 } ?? [] })
        let metrics = Set(results.points.flatMap(\.metrics.keys)).union(splitMetrics).sorted(by: codePointOrder)
        let splitColumns = { (key: String) in splitMetrics.contains(key) ? ["\(key)_orientationSplit", "\(key)_seedsBelow", "\(key)_seedsAbove"] : [] }
        let summaryColumns = ["realisedFraction_mean", "realisedFraction_std"] + metrics.flatMap { ["\($0)_mean", "\($0)_std"] + splitColumns($0) }
        let parameters = parameterColumns(results.config)
        var lines = [csvLine(seriesColumns + parameters.map(\.name) + ["fraction", "runCount", "divergedCount", "saturated"] + summaryColumns)]
        lines.reserveCapacity(results.points.count + 1)
        for point in results.points {
            let summaries = metrics.flatMap { key in
                let split = point.orientationSplit(key)
                return (point.metrics[key].map { [jsonNumber($0.mean), jsonNumber($0.std)] } ?? ["", ""])
                    + (splitMetrics.contains(key) ? [String(split != nil), split.map { String($0.below) } ?? "", split.map { String($0.above) } ?? ""] : [])
            }
            lines.append(csvLine(seriesCells(point.series, results.series[point.series])
                + parameterCells(parameters, results.series[point.series])
                + [jsonNumber(point.fraction), String(point.runCount), String(point.divergedCount), String(point.saturated),
                   jsonNumber(point.realisedFraction.mean), jsonNumber(point.realisedFraction.std)]
                + summaries))
        }
        return lines.joined()
    }

    /// `differences.csv`: one row per difference of results.json's `statistics.differences`, in its
    /// order: `quantity` (`threshold`, `cleanAccuracy`, `gapAtLargestFraction`), the `axis` the two
    /// series differ in, `base` and `baseLabel` (the series subtracted), `other` and `otherLabel`,
    /// `difference` (other minus base; a fraction for thresholds, an accuracy otherwise), `bound`
    /// (`lower` or `upper` when the difference is only a bound, else empty), `lower` and `upper` (the
    /// interval's ends, empty where open, withheld or absent), `withheld` (`lower`, `upper` or `both`: the
    /// ends withheld as imprecise, `Interval.imprecise`, so that an empty end tells withheld from open;
    /// else empty), `decision` (`resolved`, `not-resolved`,
    /// `undetermined`), then the seeds a new study would need to resolve the planned effect:
    /// `seedsAtUpperSigma` (σ at its upper 80% bound), `seedsFewest` and `seedsMost` (over σ's
    /// interval), `seedsAtSigma` (σ's estimate), each empty when more than `seedsLimit` or when there
    /// is no plan. The report shows every row when there are few, else the resolved ones.
    public static func differencesCSV(_ results: StudyResults) -> String {
        let optional = { (value: Double?) in value.map(jsonNumber) ?? "" }
        let count = { (value: Int?) in value.map(String.init) ?? "" }
        var lines = [csvLine(["quantity", "axis", "base", "baseLabel", "other", "otherLabel", "difference", "bound", "lower", "upper",
                              "withheld", "decision", "seedsAtUpperSigma", "seedsFewest", "seedsMost", "seedsAtSigma", "seedsLimit"])]
        for d in results.statistics.differences {
            let plan = d.seedPlan
            lines.append(csvLine([d.quantity.rawValue, d.axis.rawValue, String(d.base), results.series[d.base].label,
                                  String(d.other), results.series[d.other].label, optional(d.difference.value),
                                  d.difference.bound?.rawValue ?? "", optional(d.difference.interval?.shownLower), optional(d.difference.interval?.shownUpper),
                                  withheldEnds(d.difference.interval), d.decision.rawValue, count(plan?.conservativeSeeds), count(plan?.fewestSeeds), count(plan?.mostSeeds),
                                  count(plan?.seeds), count(plan?.limit)]))
        }
        return lines.joined()
    }

    /// The ends of `interval` withheld as imprecise, in a cell: `lower`, `upper`, `both` or empty.
    static func withheldEnds(_ interval: Interval?) -> String {
        switch (interval?.isImprecise(.lower) == true, interval?.isImprecise(.upper) == true) {
        case (true, true): "both"
        case (true, false): "lower"
        case (false, true): "upper"
        case (false, false): ""
        }
    }

    /// The tables by file name, in writing order.
    public static func files(_ results: StudyResults) -> [(name: String, text: String)] {
        [(runsFileName, runsCSV(results)), (pointsFileName, pointsCSV(results)), (differencesFileName, differencesCSV(results))]
    }

    /// The cells of `seriesColumns` for series `index`, `series`.
    static func seriesCells(_ index: Int, _ series: SeriesDescription) -> [String] {
        [String(index), series.label, series.modelLabel, String(series.parameterCount), series.attackLabel, series.defenseLabel]
    }
}

/// One CSV record ending in LF: the cells joined by commas, each quoted as RFC 4180 says when it
/// holds a comma, a double quote, CR or LF (a quote doubled inside).
public func csvLine(_ cells: [String]) -> String {
    cells.map(csvCell).joined(separator: ",") + "\n"
}

/// A CSV cell: `text` as it is, or in double quotes with its quotes doubled when it holds a comma,
/// a double quote, CR or LF.
public func csvCell(_ text: String) -> String {
    guard text.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

/// A finite double as results.json writes it (JSONEncoder): Swift's shortest digits that read back
/// as the same double, without a trailing ".0" ("0", "0.05", "1e-05", "1e+16"); so a CSV reader gets
/// the very double results.json holds.
public func jsonNumber(_ value: Double) -> String {
    let text = value.description
    return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
}

/// Whether `a` comes before `b` by Unicode code points (as Python and most tools sort strings).
func codePointOrder(_ a: String, _ b: String) -> Bool {
    a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
}
