import PoisoningAnalysis
import PoisoningEngine

/// The attacks compared at each swept budget: for two series that differ only in their attack (the
/// same model, data and defense, the attacks' `placement` the same, and their victims training on the
/// same rows, so that a budget asks each for as many poisons of the same rows), per budget above 0, the paired differences over seeds (the later attack minus
/// the earlier, as the differences table orders them) of the corrected success (the attack's success
/// metric minus its clean value, `MetricInfo.excess`, when both attacks declare one), of the
/// series' model's test error (1 - test accuracy), and, for svm-gradient's attacks, of the paper's
/// test error (the attacker's SVM's on the pair's test rows, `SVMGradient.testErrorKey`), each with
/// its two-sided Student t interval at the study's level (`studentTInterval`: the spread of the
/// per-seed differences over the seeds both runs finished, raised to one test row;
/// scripts/svm_gradient_paired_seeds.py computes the same). The corrected success and the paper's
/// test error, each measured on the attacker's own SVM, are compared only between svm-gradient
/// attacks whose attackers train the same SVM (`attackerSVMDifferences`; `attackBudgetNote` says
/// which pairs are left out). The differences table compares series by
/// threshold and clean accuracy; these rows say, budget by budget, by how much one attack beats
/// another, where a threshold is out of reach.
struct AttackBudgetDifference: Sendable {
    /// The two series, `other` minus `base`.
    let base, other: Int
    /// The poison fraction.
    let fraction: Double
    /// What is compared: its name in the table ("Corrected success (attacker's SVM validation error)").
    let quantity: String
    /// The metric's key (`testAccuracy` for the test error, whose sign is then turned).
    let key: String
    /// The mean of the paired differences over the seeds both runs finished; nil without such seeds.
    let mean: Double?
    /// Its Student t interval; nil with fewer than two seeds.
    let interval: Interval?
    /// The seeds counted (both runs finished and, for a converged-victim metric, counted), and the study's seeds.
    let seeds: Int, studySeeds: Int
}

/// The settings of svm-gradient that make its attacker's SVM: the pair, the kernel, C and the rows it
/// validates on. Two svm-gradient attacks that share them train the same SVM on clean data, so the
/// difference of what each measures on its own SVM compares the attacks alone.
let attackerSVMSettings = ["classes", "kernel", "gamma", "c", "validation-share", "victim-sees-validation"]

/// The settings of `attackerSVMSettings` in which the svm-gradient attacks `a` and `b` differ: empty
/// when they share them or when either is not svm-gradient (its attacker has no SVM to differ).
func attackerSVMDifferences(_ results: StudyResults, _ a: Int, _ b: Int) -> [String] {
    let (first, second) = (results.config.attacks[a], results.config.attacks[b])
    let kind = ParameterValue.string(SVMGradient.kind)
    guard first.value(at: "kind") == kind, second.value(at: "kind") == kind else { return [] }
    return attackerSVMSettings.filter { first.value(at: $0) != second.value(at: $0) }
}

/// The metrics `attackBudgetDifferences` compares for series `base` and `other`: (name, key, sign),
/// a sign of -1 turning an accuracy into an error. The corrected success and the paper's test error
/// are measured on each attacker's own SVM: two svm-gradient attackers whose SVMs differ
/// (`attackerSVMDifferences`) compare only the model's test error.
private func comparedMetrics(_ results: StudyResults, _ base: Int, _ other: Int) -> [(name: String, key: String, sign: Double)] {
    var metrics = [(name: String, key: String, sign: Double)]()
    let sameAttacker = attackerSVMDifferences(results, results.series[base].attack, results.series[other].attack).isEmpty
    if sameAttacker, let success = results.successMetric(of: base), let otherSuccess = results.successMetric(of: other),
       success.key == otherSuccess.key, success.hasBaseline {
        metrics.append(("Corrected success (\(inRunningText(success.name)) minus its clean value)", success.excess.key, 1))
    }
    metrics.append(("Test error (\(results.series[base].modelLabel))", MetricKey.testAccuracy, -1))
    let ownTestError = sameAttacker && [base, other].allSatisfy { series in
        results.runs.contains { $0.series == series && $0.metrics?[SVMGradient.testErrorKey] != nil }
    }
    if ownTestError, let metric = results.attackMetrics.first(where: { $0.key == SVMGradient.testErrorKey }) {
        metrics.append(("\(metric.name) (the paper's test error)", SVMGradient.testErrorKey, 1))
    }
    return metrics
}

/// Whether two series differ only in their attack, and their attacks place their poisons alike
/// (both without a `placement`, or the same one).
private func differOnlyInAttack(_ results: StudyResults, _ base: Int, _ other: Int) -> Bool {
    let (a, b) = (results.series[base], results.series[other])
    guard a.model == b.model, a.defense == b.defense, a.attack != b.attack else { return false }
    return placement(results, a.attack) == placement(results, b.attack)
}

/// Whether the victims of two attacks train on the same rows (`StudyResults.victimRowSubsets`: all
/// the training rows for both, or the same subset: for svm-gradient the same pair, validation-share
/// and victim-sees-validation), so that a budget asks each for as many poisons of the same rows.
private func victimsTrainAlike(_ results: StudyResults, _ a: Int, _ b: Int) -> Bool {
    let subsets = results.victimRowSubsets
    return subsets[a] == subsets[b]
}

/// Whether the table compares two series: they differ only in their attack, placed alike
/// (`differOnlyInAttack`), and their victims train on the same rows (`victimsTrainAlike`).
private func compared(_ results: StudyResults, _ base: Int, _ other: Int) -> Bool {
    differOnlyInAttack(results, base, other)
        && victimsTrainAlike(results, results.series[base].attack, results.series[other].attack)
}

/// Attack `attack`'s `placement`, nil for the default, `replace` (every attack without the setting
/// replaces rows in place).
private func placement(_ results: StudyResults, _ attack: Int) -> ParameterValue? {
    let value = results.config.attacks[attack].value(at: "placement")
    return value == .string("replace") ? nil : value
}

/// Every such difference of the study, by pair of series (in series order), then budget, then metric.
func attackBudgetDifferences(_ results: StudyResults) -> [AttackBudgetDifference] {
    let fractions = results.config.fractions.filter { $0 > 0 }.sorted(), seeds = results.config.seeds
    var byPlace = [BudgetRun: RunResult]()
    for run in results.runs where run.metrics != nil { byPlace[BudgetRun(series: run.series, fraction: run.fraction, seed: run.seed)] = run }
    let resolution = 1 / Double(results.data.testCount), confidence = results.statistics.confidence
    return results.series.indices.flatMap { base in
        results.series.indices.filter { $0 > base && compared(results, base, $0) }.flatMap { other in
            fractions.flatMap { fraction in
                comparedMetrics(results, base, other).map { metric in
                    let differences: [Double?] = seeds.map { seed in
                        // A seed whose victim is not converged in either run is left out of a converged-victim metric (`RunResult.countedMetric`).
                        guard let a = byPlace[BudgetRun(series: base, fraction: fraction, seed: seed)]?.countedMetric(metric.key),
                              let b = byPlace[BudgetRun(series: other, fraction: fraction, seed: seed)]?.countedMetric(metric.key) else { return nil }
                        return metric.sign * (b - a)
                    }
                    let present = differences.compactMap { $0 }
                    return AttackBudgetDifference(base: base, other: other, fraction: fraction, quantity: metric.name, key: metric.key,
                                                  mean: present.isEmpty ? nil : present.reduce(0, +) / Double(present.count),
                                                  interval: studentTInterval(differences, resolution: resolution, confidence: confidence),
                                                  seeds: present.count, studySeeds: seeds.count)
                }
            }
        }
    }
}

/// Where a run lies: its series, fraction and seed.
private struct BudgetRun: Hashable {
    let series: Int
    let fraction: Double
    let seed: UInt64
}

/// A difference with its interval, "+0.117 (+0.097 to +0.136)"; "+0.117 (one seed)" without one. Where
/// seeds are left out (a run failed, or a victim or its clean model did not converge for a converged-victim
/// metric) it says how many counted: "-0.014 (-0.117 to +0.090; 3 of 8 seeds)", "+0.042 (one seed of 8)"
/// (review r24m m3).
func differenceText(_ d: AttackBudgetDifference) -> String {
    guard let mean = d.mean else { return "n/a" }
    let value = signedFixed(mean, decimals: 3)
    let partial = d.seeds < d.studySeeds
    let interval = d.interval.map { intervalText($0) { signedFixed($0, decimals: 3) } + (partial ? "; \(d.seeds) of \(d.studySeeds) seeds" : "") }
    return value + " (" + (interval ?? "one seed" + (partial ? " of \(d.studySeeds)" : "")) + ")"
}

extension AttackBudgetDifference {
    /// The same difference the other way round, `base` minus `other`.
    var turned: AttackBudgetDifference {
        AttackBudgetDifference(base: other, other: base, fraction: fraction, quantity: quantity, key: key, mean: mean.map { -$0 },
                               interval: interval.map { Interval(lower: $0.upper.map { -$0 }, upper: $0.lower.map { -$0 }) },
                               seeds: seeds, studySeeds: studySeeds)
    }
}

/// Whether attack `attack` is a baseline or control, not a climbed attack: svm-gradient's
/// `poisons: random-flips` or `clones`, or the generic random-label-flip.
private func isBaselineOrControl(_ results: StudyResults, _ attack: Int) -> Bool {
    let config = results.config.attacks[attack]
    if config.value(at: "kind") == .string(RandomLabelFlip.kind) { return true }
    return config.value(at: "kind") == .string(SVMGradient.kind) && (config.value(at: "poisons") ?? .string("climbed")) != .string("climbed")
}

/// Whether the table subtracts series `base` from `other` the other way round: when `base` is a
/// climbed attack and `other` its baseline or control (the rows and the note read "climbed − baseline").
private func isTurned(_ results: StudyResults, _ base: Int, _ other: Int) -> Bool {
    !isBaselineOrControl(results, results.series[base].attack) && isBaselineOrControl(results, results.series[other].attack)
}

/// The table's rows: one per pair of series and budget, a cell per compared metric, each the later
/// series minus the earlier, except that a climbed attack is always the one its baseline or control
/// is subtracted from (as in the Findings). Where every run of either series at the budget failed,
/// each cell says "no run finished".
func attackBudgetRows(_ results: StudyResults) -> [ReportModel.AttackBudgetRow] {
    let differences = attackBudgetDifferences(results)
    let groups = Dictionary(grouping: differences) { [$0.base, $0.other, Int(($0.fraction * 1e6).rounded())] }
    return groups.values.map { $0 }.sorted { ($0[0].base, $0[0].other, $0[0].fraction) < ($1[0].base, $1[0].other, $1[0].fraction) }
        .map { pair in
            let group = isTurned(results, pair[0].base, pair[0].other) ? pair.map(\.turned) : pair
            let first = group[0]
            let finished = [first.base, first.other].allSatisfy { series in
                results.runs.contains { $0.series == series && $0.fraction == first.fraction && $0.metrics != nil }
            }
            let text = { (d: AttackBudgetDifference) in finished ? differenceText(d) : "no run finished" }
            let cell = { (key: String) in finished ? group.first { $0.key == key }.map(text) ?? "—" : "no run finished" }
            let (a, b) = (results.series[first.base], results.series[first.other])
            return ReportModel.AttackBudgetRow(
                model: a.defenseLabel == NoDefense().label ? a.modelLabel : "\(a.modelLabel), \(a.defenseLabel)",
                attacks: "\(b.attackLabel) − \(a.attackLabel)", budget: percent(first.fraction),
                success: finished ? successCell(results, group.first { $0.key.hasSuffix(MetricKey.excessSuffix) }, first) : "no run finished",
                testError: cell(MetricKey.testAccuracy), ownTestError: cell(SVMGradient.testErrorKey))
        }
}

/// The corrected-success cell of a pair's row whose runs finished: the difference of the excesses
/// (`difference`), or, where no seed counts in both series, why (`noneConvergedPair`, else "no seed
/// counted in both (a victim or its clean model not converged)": review r21o m4 saw a seed whose victims
/// converged and whose clean models did not); "—" where the attacks lack the metric.
private func successCell(_ results: StudyResults, _ difference: AttackBudgetDifference?, _ row: AttackBudgetDifference) -> String {
    if let difference, difference.mean != nil { return differenceText(difference) }
    return noneConvergedPair(results, row.base, row.other, fraction: row.fraction)
        ?? difference.map { _ in "no seed counted in both (a victim or its clean model not converged)" } ?? "—"
}

/// The corrected-success cell of series `base` and `other` at `fraction` where it has no difference
/// because one or both leave out every run that records the success (`unconvergedVictims`: its retrained
/// victim, or its clean model's, did not converge), `other` first as the row reads "other − base":
/// "none converged (5 runs of gradpc 0.15, 5 runs of gradpc 0.1)", a series whose own victims converged
/// but not its clean models' read "5 runs of gradpc 0.1 with no converged clean model"; nil when the
/// success is no converged victim's metric (then the attacks lack it).
private func noneConvergedPair(_ results: StudyResults, _ base: Int, _ other: Int, fraction: Double) -> String? {
    let counts = [other, base].compactMap { series -> String? in
        guard let key = results.declaredSuccessMetric(of: series).map({ $0.hasBaseline ? $0.excess.key : $0.key }),
              MetricKey.convergedVictimKeys.contains(key) else { return nil }
        let count = unconvergedVictims(results, series: series, fraction: fraction, key: key)
        guard count.of > 0, count.leftOut == count.of else { return nil }
        return "\(count.of) run\(count.of == 1 ? "" : "s") of \(results.series[series].attackLabel)"
            + (someOwnVictimConverged(results, series: series, fraction: fraction, key: key) ? " with no converged clean model" : "")
    }
    return counts.isEmpty ? nil : "none converged (" + counts.joined(separator: ", ") + ")"
}

/// Why the table leaves some pairs or cells out, or nil: the pairs of series that differ only in
/// their attack, placed alike, but whose victims train on different rows (`victimsTrainAlike`: a
/// budget then asks each for a share of different rows, so their difference would compare budgets,
/// not attacks), and the pairs of svm-gradient attacks compared whose attackers' SVMs differ
/// (`attackerSVMDifferences`), with the settings they differ in; each pair oriented as the rows are.
func attackBudgetNote(_ results: StudyResults) -> String? {
    var seen = Set<[Int]>(), apart = [String](), svms = [String]()
    for base in results.series.indices {
        for other in results.series.indices where other > base && differOnlyInAttack(results, base, other) {
            let (first, second) = isTurned(results, base, other) ? (other, base) : (base, other)
            let (a, b) = (results.series[first], results.series[second])
            guard seen.insert([a.attack, b.attack]).inserted else { continue }
            if !victimsTrainAlike(results, a.attack, b.attack) {
                apart.append("\(b.attackLabel) − \(a.attackLabel)")
                continue
            }
            let differing = attackerSVMDifferences(results, a.attack, b.attack)
            guard !differing.isEmpty else { continue }
            svms.append("\(b.attackLabel) − \(a.attackLabel) (their attackers' SVMs differ in \(listing(differing)))")
        }
    }
    var sentences = [String]()
    if !apart.isEmpty {
        sentences.append("Not compared: " + listing(apart) + ": their victims train on different rows (the parameters' “Victims' training "
            + "rows”), so a budget asks each for a share of different rows and their difference would compare budgets, not attacks.")
    }
    if !svms.isEmpty {
        sentences.append("The corrected success and the paper's test error are left out (—) of " + listing(svms)
            + ": each attack measures both on its own attacker's SVM, so their difference would compare two SVMs, not two attacks; "
            + "the model's test error, on the same test rows, is compared.")
    }
    return sentences.isEmpty ? nil : sentences.joined(separator: " ")
}

/// The finding on the paper's comparison: each climbed svm-gradient attack against its like-for-like
/// baseline, `poisons: random-flips` with the same `placement` (and the same pair, kernel, C and
/// validation rows), in the paper's test error (the attacker's SVM's on the pair's test rows) at
/// every budget, paired by seed with its interval; the paper's own configuration (`add`, one at a
/// time) first. Given a `budget`, the opening's short form: the first pair at that budget alone, its
/// baseline called "its like-for-like random flips". Nil when the study has no such pair.
func likeForLikeSentence(_ results: StudyResults, at budget: Double? = nil) -> String? {
    let attacks = results.config.attacks
    let shared = attackerSVMSettings + ["placement"]
    func value(_ attack: Int, _ key: String) -> ParameterValue? { key == "placement" ? placement(results, attack) : attacks[attack].value(at: key) }
    let kind = ParameterValue.string(SVMGradient.kind)
    let climbed = attacks.indices.filter { value($0, "kind") == kind && (value($0, "poisons") ?? .string("climbed")) == .string("climbed") }
    func isPapers(_ attack: Int) -> Bool { value(attack, "placement") == .string("add") && value(attack, "order") == .string("one-at-a-time") }
    let found = climbed.compactMap { attack -> (climbed: Int, flips: Int)? in
        attacks.indices.first { other in
            value(other, "kind") == kind && value(other, "poisons") == .string("random-flips")
                && shared.allSatisfy { value(other, $0) == value(attack, $0) }
        }.map { (climbed: attack, flips: $0) }
    }
    let pairs = found.filter { isPapers($0.climbed) } + found.filter { !isPapers($0.climbed) }
    let differences = attackBudgetDifferences(results).filter { $0.key == SVMGradient.testErrorKey && (budget == nil || $0.fraction == budget) }
    let compared = pairs.compactMap { pair -> (climbed: String, papers: Bool, flips: String, values: String)? in
        // The attacker's SVM is the same for every victim: the first model's series stand for all.
        let cells = differences.filter { d in
            Set([results.series[d.base].attack, results.series[d.other].attack]) == Set([pair.climbed, pair.flips])
                && results.series[d.base].model == results.series[0].model && results.series[d.base].defense == results.series[0].defense
        }
        guard !cells.isEmpty else { return nil }
        // The sentence subtracts the baseline, as the table does.
        let turned = cells.map { d in results.series[d.other].attack == pair.climbed ? d : d.turned }
        return (climbed: results.series.first { $0.attack == pair.climbed }!.attackLabel, papers: isPapers(pair.climbed),
                flips: results.series.first { $0.attack == pair.flips }!.attackLabel,
                values: listing(turned.map { "\(differenceText($0)) at \(percent($0.fraction))" }))
    }
    guard let first = compared.first else { return nil }
    if budget != nil {
        // The opening's short form: the first pair alone (the paper's configuration when the study has it), its
        // baseline named by what it is rather than by its label.
        return "In the paper's test error (the attacker's SVM on the pair's test rows), \(first.climbed)"
            + "\(first.papers ? ", the paper's configuration," : "") minus its like-for-like random flips, paired by seed with its "
            + "\(levelText(results)) Student t interval: \(first.values)."
    }
    return "The paper's test error (the attacker's SVM retrained with the poisons, on the pair's test rows), paired by seed with "
        + "\(levelText(results)) Student t intervals (the table of attacks compared at each budget gives every victim too): "
        + compared.map { "\($0.climbed)\($0.papers ? " (the paper's configuration)" : "") minus \($0.flips) (its like-for-like baseline): "
            + $0.values }.joined(separator: "; ") + "."
}
