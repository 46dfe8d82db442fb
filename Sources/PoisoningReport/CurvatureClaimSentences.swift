import PoisoningAnalysis
import PoisoningEngine
import PoisoningUtilities

/// The answers to Granziol's (2026) two curvature claims (`CurvatureClaims`): per spike fit (one
/// series across its fractions), the exponent p of spike ∝ efficacy^p with its interval over seeds,
/// what it says of the growth (`growthText`) and whether it supports p = 2; per near-clone sweep,
/// each distance's success, spike and detectors' AUROC with their intervals, the clustered reference
/// it contrasts with, and the range of swept d where the poisons keep a success above 0.5 while the
/// spike and the AUROC are shown at chance by equivalence tests; per clustered reference, whether it
/// is visible. Where the runs contradict the paper the sentence says so; where they cannot tell, it
/// says why. A study that sweeps near-clone backdoors or measures the curvature but cannot answer a
/// claim gets a sentence saying what design would (`untestedCurvatureClaimSentences`). Empty when the
/// study has no such claims.
func curvatureClaimSentences(_ results: StudyResults) -> [String] {
    let untested = untestedCurvatureClaimSentences(results)
    guard let claims = results.curvatureClaims else { return untested }
    let level = confidenceText(claims.confidence)
    return claims.spikeGrowth.map { spikeGrowthSentence($0, results, level: level) }
        + claims.nearClone.map { nearCloneSentence($0, results, level: level) } + untested
}

/// The scope of a near-clone sweep that starts at clones, "Scope: ... . " (d 0 is the plain backdoor,
/// each poison carrying the whole trigger); empty for a sweep without d 0.
func nearCloneScope(_ regime: CurvatureClaims.NearCloneRegime) -> String {
    guard regime.points.contains(where: { $0.distance == 0 }) else { return "" }
    return "Scope: at d 0 each poison is a clean row of its source class with the whole trigger stamped, labelled as the target, "
        + "the plain backdoor's poison bit for bit; so these runs judge near clones as the near-clone option defines them, each "
        + "carrying the whole trigger, and near copies with a weaker trigger would need a sweep of the trigger's strength. "
}

/// The curvature claims a study raises but cannot answer, each with the design that would: a
/// near-clone sweep without the curvature measured; with it measured, a spike fit with fewer than two
/// positive fractions, or near-clone attacks without an undefended series (no defense, or an
/// input-gradient penalty of λ 0) or without a defense that scores rows; and the attacks the
/// spike-growth claim does not apply to (`spikeClaimInapplicableAttacks`).
func untestedCurvatureClaimSentences(_ results: StudyResults) -> [String] {
    let config = results.config
    let nearClone = config.attacks.contains { $0.value(at: "near-clone.distance") != nil }
    let measured = (results.measuredMetrics ?? []).contains { $0.key == MetricKey.inputCurvatureTopClean }
    guard measured else {
        guard nearClone else { return [] }
        return ["Granziol's (2026) curvature claims are not tested: the study sweeps near-clone backdoors but does not measure the "
            + "input curvature, so there is no spike; measure: [input-curvature] in the study file (with a defense that scores "
            + "rows, such as input-curvature or spectral-signature, and fraction 0 for the clean models) would answer them."]
    }
    var sentences = [String]()
    let positive = config.fractions.filter { $0 > 0 }
    let rated = results.series.indices.contains { index in
        results.successMetric(of: index)?.hasBaseline == true && CurvatureClaims.isDirtyLabelBackdoor(config.attacks[results.series[index].attack])
    }
    let inapplicable = spikeClaimInapplicableAttacks(results)
    if !inapplicable.isEmpty {
        sentences.append("Granziol's (2026) claim that the spike grows like the square of the efficacy does not apply to "
            + listing(inapplicable) + ": it is derived for clustered dirty-label backdoors (poisons stamped with the trigger and "
            + "relabelled as the target class), so no exponent is fitted for " + (inapplicable.count == 1 ? "it." : "them."))
    }
    if rated, positive.count < 2 {
        sentences.append("Granziol's (2026) claim that the spike grows like the square of the efficacy is not tested: an exponent "
            + "needs the spike at two positive poison fractions or more, and the study sweeps " + (positive.isEmpty ? "none"
                : "one (\(percent(positive[0])))") + "; fractions such as [0, 0.05, 0.1, 0.2] would give it.")
    }
    if config.models.contains(where: CurvatureClaims.isPaperSetting) {
        sentences.append("Granziol's (2026) safety-efficacy trade-off (the input-gradient penalty suppresses poisoning at a cost in "
            + "fitting capacity) is not tested on kernel ridge: the penalty needs a model with a parameter vector and its gradient, and "
            + "kernel ridge, fitted in closed form, has none, so a study pairing them is refused, and the trade-off can be tested on networks only.")
    }
    if nearClone, results.curvatureClaims?.nearClone.isEmpty ?? true {
        let undefended = config.defenses.contains(where: CurvatureClaims.trainsAsUndefended)
        let scoring = results.points.contains { $0.metric(MetricKey.detectionAUROC) != nil || $0.orientationSplit(MetricKey.detectionAUROC) != nil }
        var missing = [String]()
        if !undefended { missing.append("an undefended series (defense kind none, or an input-gradient penalty of λ 0) for the success and the spike") }
        if !scoring { missing.append("a defense that scores rows (input-curvature, spectral-signature or activation-clustering) for the AUROC") }
        if results.findings.comparisonBudget == nil { missing.append("a positive poison fraction to compare at") }
        if !missing.isEmpty {
            sentences.append("Granziol's (2026) near-clone claim is not tested: the near-clone sweep needs " + listing(missing) + ".")
        }
    }
    return sentences
}

/// The attacks of `results` whose success has a clean baseline but which are no dirty-label backdoor
/// (`CurvatureClaims.isDirtyLabelBackdoor`: clean-label backdoors, feature collision), by label, in
/// the study's order: the spike-growth claim does not apply to them.
func spikeClaimInapplicableAttacks(_ results: StudyResults) -> [String] {
    guard (results.measuredMetrics ?? []).contains(where: { $0.key == MetricKey.inputCurvatureTopClean }) else { return [] }
    var labels = [String]()
    for (index, series) in results.series.enumerated() where results.successMetric(of: index)?.hasBaseline == true
        && !CurvatureClaims.isDirtyLabelBackdoor(results.config.attacks[series.attack]) && !labels.contains(series.attackLabel) {
        labels.append(series.attackLabel)
    }
    return labels
}

/// A curvature value as the report shows it: three significant digits ("0.0233", "1.25e+03").
func curvatureText(_ value: Double) -> String { withoutSignOnZero(String(format: "%.3g", value)) }

/// A signed curvature value: "+0.0233", "-0.00120".
func signedCurvatureText(_ value: Double) -> String { withoutSignOnZero(String(format: "%+.3g", value)) }

/// "-0" and "+0" (and "-0.000") without their sign.
private func withoutSignOnZero(_ text: String) -> String {
    text.dropFirst().allSatisfy { "0.".contains($0) } && "+-".contains(text.first ?? " ") ? String(text.dropFirst()) : text
}

/// The rows a spike is measured over, by its metric key.
func spikeRowsText(_ key: String) -> String {
    key == MetricKey.inputCurvatureTopTriggered ? "the triggered test rows" : "the clean test rows"
}

/// "0.812 [0.790, 0.834]": a mean with its interval; the mean alone without one; "none" without a
/// value. `range`, the values' range by construction (an AUROC's [0, 1]), clips the interval's ends.
private func seedValuesText(_ values: PenaltyTradeOff.SeedValues, range: ClosedRange<Double>? = nil, _ number: (Double) -> String) -> String {
    guard let mean = values.mean else { return "none" }
    let interval = values.interval.map { interval in
        range.map { Interval(lower: interval.lower.map($0.clamp), upper: interval.upper.map($0.clamp)) } ?? interval
    }
    return number(mean) + (interval.map { " [" + intervalText($0, number, separator: bracketSeparator) + "]" } ?? "")
}

extension ClosedRange where Bound == Double {
    /// `value` moved into the range.
    func clamp(_ value: Double) -> Double { Swift.min(Swift.max(value, lowerBound), upperBound) }
}

/// The sentence of one spike fit: the per-fraction efficacy and spike, the exponent with its flags
/// and, under a flag, the direct test (`CurvatureClaims.DirectGrowth`) that decides instead; then the
/// answer, worded outside the paper's setting for a network (`settingText`).
private func spikeGrowthSentence(_ fit: CurvatureClaims.SpikeGrowth, _ results: StudyResults, level: String) -> String {
    let series = results.series[fit.series]
    let efficacyName = results.attackMetrics.first { $0.excess.key == fit.efficacyKey }?.excess.name ?? fit.efficacyKey
    let exponent = seedValuesText(fit.exponent) { fixed($0, decimals: 2) }
    let over = fit.exponent.count == 0 ? "" : fit.exponent.interval == nil ? " (one seed: no interval)"
        : " (mean over \(fit.exponent.count) seeds with its \(level) Student-t interval)"
    let total = fit.pointsUsed + fit.pointsLeftOut
    let leftOut = fit.pointsLeftOut == 0 ? "" : "; \(fit.pointsLeftOut) of \(total) left out, whose efficacy or spike is at most 0 or has no clean model"
    let rate = { (value: Double) in signedFixed(value, decimals: 3) }
    let perFraction = fit.byFraction.map { point in
        "\(percent(point.fraction)): efficacy \(seedValuesText(point.efficacy, range: excessRange, rate)), spike \(seedValuesText(point.spike, signedCurvatureText))"
    }.joined(separator: "; ")
    let clipped = fit.byFraction.contains { isClipped($0.efficacy, to: excessRange) } ? " (efficacy intervals clipped to [-1, 1], its range)" : ""
    let flags = spikeFitFlags(fit)
    let flagged = fit.isFlagged && fit.exponent.mean != nil
    let direct = flagged ? fit.direct.map { "; " + directGrowthText($0, level: level) } ?? "" : ""
    let opening = "Spike against efficacy, \(series.modelLabel) (\(lossText(results, model: fit.model))) under \(series.attackLabel), \(series.defenseLabel): the spike is the top eigenvalue of the mean input "
        + "Hessian of the loss over \(spikeRowsText(fit.spikeKey)) minus the clean model's of the same series and seed, the efficacy "
        + "the \(inRunningText(efficacyName)); per fraction, means over seeds with their \(level) intervals: \(perFraction)\(clipped). "
        + "Per seed a least-squares line of log spike on log efficacy over its runs at the swept "
        + "positive fractions, the attack otherwise fixed (\(fit.pointsUsed) runs\(leftOut)), gives the exponent p of spike ∝ efficacy^p: "
        + "\(exponent)\(over)" + (flags.isEmpty ? "" : "; " + flags.joined(separator: "; ")) + direct + ". Granziol (2026) claims the spike grows like the square "
        + "of the efficacy (p = 2; supported when the interval holds 2 and lies between 1 and 3, contradicted when it excludes 2, "
        + "and when the poisoned model is resolved less curved than its clean model while the attack works"
        + (flagged ? "; a flagged fit is decided by D instead, contradicted when its interval excludes 0, supported when it lies within "
            + "±log(e₂/e₁)" : "") + "): "
    let (answer, finding) = spikeGrowthFinding(fit, flagged: flagged)
    guard fit.paperSetting else {
        let shows = answer == .notResolved ? "these runs cannot tell either: " : "what these runs show: "
        return opening + "outside the paper's setting: " + settingText(results, model: fit.model) + "; " + shows + finding
    }
    let words: [ClaimVerdict: String] = [.supported: "these runs support it: ", .contradicted: "these runs contradict it: "]
    return opening + (words[answer] ?? "these runs cannot tell: ") + finding
}

/// The answer a spike fit's runs give (`verdict`: supported, contradicted or not resolved) and what
/// they show, ending in a full stop: the sign test, the selection, the direct test of a flagged fit,
/// or the exponent's interval.
private func spikeGrowthFinding(_ fit: CurvatureClaims.SpikeGrowth, flagged: Bool) -> (ClaimVerdict, String) {
    let total = fit.pointsUsed + fit.pointsLeftOut
    let lessCurved = fit.lessCurvedFractions
    if !lessCurved.isEmpty {
        return (.contradicted, "the poisoned model is less curved over these rows than its clean model, at "
            + listing(lessCurved.map { percent($0) }) + " the spike's interval lies below 0 while the efficacy's lies above 0"
            + (fit.exponent.interval == nil ? "." : "; of the runs with a positive spike, " + growthText(fit.exponent.interval) + "."))
    }
    if fit.pointsUsed == 0 {
        return (.notResolved, "in all \(fit.pointsLeftOut) runs the efficacy or the spike is at most 0 (a "
            + "poisoned model no more curved over these rows than its clean model), so there is no growth to fit.")
    }
    if fit.isSelective, fit.pointsLeftOut == 0 {
        let flat = fit.seeds - fit.exponent.count
        return (.notResolved, "no run is left out, but in \(flat) of \(fit.seeds) seeds the efficacy does not change across the swept "
            + "fractions (an attack saturated at every budget, or missing runs), so there is no slope of the spike on it to fit"
            + (fit.exponent.count == 0 ? "; budgets at which the attack is not yet saturated would give one."
                : "; of the other seeds, " + growthText(fit.exponent.interval) + "."))
    }
    if fit.isSelective {
        return (.notResolved, "the fit stands on a selected minority (\(fit.pointsLeftOut) of \(total) runs left out, "
            + "\(fit.seeds - fit.exponent.count) of \(fit.seeds) seeds without an exponent), and leaving out the runs whose spike is at most 0 "
            + "selects on the outcome; of the runs kept, " + growthText(fit.exponent.interval) + ".")
    }
    if flagged, let direct = fit.direct {
        let between = "between \(percent(direct.from)) and \(percent(direct.to))"
        guard let lower = direct.values.interval?.lower, let upper = direct.values.interval?.upper else {
            return (.notResolved, "the exponent's fit is flagged and fewer than two seeds have D (each needs a positive efficacy and spike at both fractions).")
        }
        if upper < 0 { return (.contradicted, "the spike grows more slowly than the square of the efficacy \(between) (D's interval lies below 0).") }
        if lower > 0 { return (.contradicted, "the spike grows faster than the square of the efficacy \(between) (D's interval lies above 0).") }
        if let span = fit.directSpan, lower > -span, upper < span {
            return (.supported, "the spike grows as the square of the efficacy \(between) (D's interval holds 0 and lies within ±\(fixed(span, decimals: 3)), "
                + "log(e₂/e₁) of the mean efficacies, that is p between 1 and 3).")
        }
        return (.notResolved, "the exponent's fit is flagged and D's interval holds 0 but reaches beyond ±log(e₂/e₁) (p 1 or 3); more seeds, "
            + "or budgets whose efficacies differ more, would narrow it.")
    }
    switch fit.verdict {
    case .supported, .consistentUntested:
        return (.supported, "the spike grows as the square of the efficacy.")
    case .contradicted:
        return (.contradicted, growthText(fit.exponent.interval) + ".")
    case .notResolved, .notTestable:
        guard fit.exponent.interval != nil else {
            return (.notResolved, "fewer than two seeds have an exponent (each needs two runs with a positive "
                + "efficacy and spike at different efficacies); more swept fractions would give them.")
        }
        return (.notResolved, "the interval holds 2 but reaches 1 or 3; more seeds would narrow it.")
    }
}

/// The direct test as a flagged fit quotes it: "decided instead by the direct test, which divides by
/// nothing: per seed D = log(s₂/s₁) − 2 log(e₂/e₁) between 10.0% and 20.0% (0 when the spike grows as the
/// square), D = -0.245 [-0.355, -0.135] over 4 seeds".
func directGrowthText(_ direct: CurvatureClaims.DirectGrowth, level: String) -> String {
    let values = seedValuesText(direct.values) { signedFixed($0, decimals: 3) }
    let seeds = direct.values.count == 1 ? "1 seed" : "\(direct.values.count) seeds"
    return "the verdict therefore rests on the direct test, which divides by nothing: per seed D = log(s₂/s₁) − 2 log(e₂/e₁), "
        + "s the spike and e the efficacy at \(percent(direct.from)) (1) and \(percent(direct.to)) (2), 0 when the spike grows as the square; "
        + "D = \(values) over \(seeds)" + (direct.values.interval == nil ? "" : " (\(level) Student-t interval)")
}

/// The loss `model` of `results` is trained with, as the curvature sentences name it: "squared
/// error" for kernel ridge, "softmax cross-entropy" for a network.
func lossText(_ results: StudyResults, model: Int) -> String {
    CurvatureClaims.isPaperSetting(results.config.models[model]) ? "squared error" : "softmax cross-entropy"
}

/// Why a network's curvature claims lie outside the paper's setting, naming `model`.
func settingText(_ results: StudyResults, model: Int) -> String {
    let name = results.series.first { $0.model == model }?.modelLabel ?? "model \(model)"
    return "the claim is derived for kernel ridge with squared error (THEORY.md section 4), and \(name) is trained with softmax "
        + "cross-entropy, whose input Hessian H = J_zᵀ(diag p − p pᵀ)J_z falls as p becomes confident (a working backdoor makes "
        + "the triggered rows' p one-hot), so a fall of the spike does not contradict the paper on its own terms"
}

/// The range of a success over the clean model's: [-1, 1].
let excessRange: ClosedRange<Double> = -1...1

/// Whether `values`' interval reaches beyond `range` (`seedValuesText` then clips it).
func isClipped(_ values: PenaltyTradeOff.SeedValues, to range: ClosedRange<Double>) -> Bool {
    guard let interval = values.interval else { return false }
    return (interval.lower.map { $0 < range.lowerBound } ?? false) || (interval.upper.map { $0 > range.upperBound } ?? false)
}

/// What qualifies an exponent the fit gives: the efficacies it spans, when their means over seeds span
/// less than a factor 2 (`isIllConditioned`), and a spike that resolved rises and falls between
/// successive fractions (`risesAndFalls`: no power law fits it; the exponent only averages the
/// trend). Empty without an exponent.
func spikeFitFlags(_ fit: CurvatureClaims.SpikeGrowth) -> [String] {
    guard fit.exponent.mean != nil else { return [] }
    var flags = [String]()
    let efficacies = fit.byFraction.compactMap(\.efficacy.mean).filter { $0 > 0 }
    if fit.isIllConditioned, let low = efficacies.min(), let high = efficacies.max() {
        flags.append("ill-conditioned: the mean efficacies span only \(fixed(low, decimals: 3)) to \(fixed(high, decimals: 3)) "
            + "(a factor \(fixed(high / low, decimals: 2))), so small errors in the efficacy move the slope much")
    }
    let spikes = fit.byFraction.compactMap { point in point.spike.mean.map { (point.fraction, $0) } }
    if fit.risesAndFalls, let peak = spikes.max(by: { $0.1 < $1.1 }) {
        flags.append("no power law fits: the spike resolved rises and falls between successive fractions (its change's interval, paired by "
            + "seed, lies above 0 at one step and below 0 at another; highest at \(percent(peak.0))), so the exponent only averages the trend")
    }
    return flags
}

/// What an exponent's interval says of the spike's growth, in three wordings: it falls (the interval
/// lies below 0), no growth is resolved (it holds 0), or it grows more slowly than the square, as the
/// square, or faster (it lies above 0, below 2, holds 2, or above 2).
func growthText(_ interval: Interval?) -> String {
    guard let lower = interval?.lower, let upper = interval?.upper else { return "the exponent has no interval" }
    if upper < 0 { return "the spike falls as the efficacy grows (the exponent's interval lies below 0)" }
    if lower <= 0 { return "no growth of the spike with the efficacy is resolved (the exponent's interval holds 0)" }
    if upper < 2 { return "the spike grows more slowly than the square of the efficacy" }
    if lower > 2 { return "the spike grows faster than the square of the efficacy" }
    return "the spike's growth is consistent with the square of the efficacy"
}

/// The sentence of one near-clone sweep, or of a clustered reference.
private func nearCloneSentence(_ regime: CurvatureClaims.NearCloneRegime, _ results: StudyResults, level: String) -> String {
    let model = results.series.first { $0.model == regime.model }?.modelLabel ?? "model \(regime.model)"
    let defenseLabel = { (defense: Int) in results.series.first { $0.defense == defense }?.defenseLabel ?? "defense \(defense)" }
    let rate = { (value: Double) in fixed(value, decimals: 3) }, signedRate = { (value: Double) in signedFixed(value, decimals: 3) }
    let distance = PenaltyTradeOff.lambdaText
    let attack = results.config.attacks[regime.points[0].attack]
    let options = CurvatureClaims.nearCloneOptionsText(of: attack)
    let label = { (point: CurvatureClaims.NearClonePoint) in nearClonePointLabel(point, results) }
    let perDistance = regime.points.map { point in
        let detectors = point.detectors.map { "\(defenseLabel($0.defense)) AUROC \($0.orientationSplit?.text ?? seedValuesText($0.auroc, range: 0...1, rate))" }
        let spikeMargin = point.spikeMargin.map { " (margin ±\(curvatureText($0)))" } ?? ""
        return "\(label(point)): success \(seedValuesText(point.success, range: excessRange, signedRate)), spike "
            + "\(seedValuesText(point.spike, signedCurvatureText))\(spikeMargin), " + detectors.joined(separator: ", ") + " (\(statusText(point, margin: regime.margin)))"
    }.joined(separator: "; ")
    let margin = fixed(regime.margin, decimals: 3)
    let clipped = regime.points.contains { isClipped($0.success, to: excessRange) } ? " (success intervals clipped to [-1, 1], its range)" : ""
    let named = [options, nearCloneSweepDetails(regime, results)].filter { !$0.isEmpty }.joined(separator: ", ")
    let share = percent(regime.vanishMargin)
    let opening = "Near-clone backdoors" + (named.isEmpty ? "" : " (\(named))") + ", \(model) (\(lossText(results, model: regime.model))) at \(percent(regime.fraction)) poisoned (means over seeds with their \(level) "
        + "intervals; success is the attack's over the clean model's, the spike the top eigenvalue of the mean input Hessian over "
        + "\(spikeRowsText(regime.spikeKey)) minus the clean model's, paired by seed, its margin ± \(share) of the clustered reference's "
        + "spike (vanish-margin), none where no reference's spike is resolved away from 0; AUROC intervals clipped to [0, 1], its range): \(perDistance)\(clipped). "
    guard let verdict = regime.verdict else {
        let point = regime.points[regime.points.count - 1]
        let shown = "at \(label(point)) " + (point.visible ? "its poisons are visible (\(visibleReasons(point).joined(separator: ", ")))"
            : "its poisons are not visible (no spike resolved beyond its margin, no AUROC resolved away from 0.5)")
        let what = regime.points.count == 1 ? "A single distance" : "A sweep that does not start within d \(distance(CurvatureClaims.nearCloneReach)) of clones"
        let modelHasSweep = (results.curvatureClaims?.nearClone ?? []).contains { $0.model == regime.model && $0.verdict != nil }
        let untested = modelHasSweep ? "" : " " + nearCloneUntestedWithoutSweep(regime, results)
        guard CurvatureClaims.isClusteredReference(point, attack: results.config.attacks[point.attack]) else {
            return opening + "\(what) is no near-clone sweep, and no clustered reference either (\(listing(notReferenceReasons(point, results)))): "
                + "\(referenceRuleText); \(shown)." + untested
        }
        let spikeScale = point.spikeMargin == nil ? " Its spike's interval holds 0: it sets no margin for a near-clone spike to vanish within." : ""
        let sweeps = (results.curvatureClaims?.nearClone ?? []).filter { $0.model == regime.model && $0.verdict != nil }
        let backdoor = { (attack: Int) in CurvatureClaims.optionsOutsideNearClone(results.config.attacks[attack]) }
        let sameBackdoor = sweeps.contains { backdoor($0.points[0].attack) == backdoor(point.attack) }
        guard sweeps.contains(where: { $0.reference?.attack == point.attack }) else {
            let none = !modelHasSweep ? "no near-clone sweep of this model contrasts with it"
                : sameBackdoor ? "the near-clone verdicts contrast with another"
                : "no near-clone sweep of this model of the same backdoor (target, trigger and other options) contrasts with it"
            return opening + "\(what) is no near-clone sweep: it is a clustered reference, but \(none), and \(shown)." + spikeScale + untested
        }
        return opening + "\(what) is no near-clone sweep: it is the clustered reference the near-clone verdicts contrast with, and \(shown)." + spikeScale
    }
    let swept = regime.points.map(\.distance)
    let claim = "Granziol (2026) claims that below some distance d near-clone poisons keep a success above 0.5 while the spike and "
        + "the detectors' AUROC fall to chance, where clustered poisons show (a swept d shows it when the success's interval lies "
        + "above 0.5, the spike's within ± its margin of 0 (the spike vanishes) and every AUROC interval within 0.5 ± \(margin): "
        + "equivalence tests, two one-sided tests each at the \(percent((1 - results.statistics.confidence) / 2)) level; a spike resolved "
        + "beyond its margin, either way, and an AUROC resolved away from 0.5, even below it, show the poisons). "
    let contrast: String
    if let reference = regime.reference, let point = (results.curvatureClaims?.nearClone.flatMap(\.points) ?? regime.points)
        .first(where: { $0.attack == reference.attack }) {
        contrast = "The clustered reference, \(label(point)), "
            + (reference.visible ? "is visible (\(visibleReasons(point).joined(separator: ", "))). "
                : "is not visible (no spike resolved beyond its margin, no AUROC resolved away from 0.5), so these runs show no contrast for near clones to lose. ")
            + (regime.points.first?.spikeMargin == nil ? "Its spike, \(seedValuesText(reference.spike, signedCurvatureText)), is not resolved "
                + "away from 0, so there is no clustered spike for a near-clone spike to vanish relative to: the spike has no margin, and "
                + "no swept d can be shown invisible by it (a reference whose spike more seeds resolve would give one). " : "")
    } else {
        let largest = unresolvedSourceMeanReference(regime, results) ?? regime.points[regime.points.count - 1]
        let why = largest.distance > CurvatureClaims.nearCloneReach
            ? " (\(label(largest)) is none: \(listing(notReferenceReasons(largest, results))))" : ""
        contrast = "No clustered reference is swept\(why): \(referenceRuleText). So these runs show no clustered poisons for near clones "
            + "to be contrasted with, and the spike has no margin (a share of the clustered spike), so it decides nothing; "
            + referenceRemedy(regime, results) + " would give both. "
    }
    let body = opening + claim + contrast + nearCloneScope(regime)
    guard regime.paperSetting else { return body + nearCloneOutsideSetting(regime, verdict: verdict, results) }
    switch verdict {
    case .supported, .consistentUntested:
        let upTo = regime.invisibleUpTo ?? swept[0]
        let next = swept.first { $0 > upTo }
        let beyond = next.map { "; at d \(distance($0)) it no longer holds" }
            ?? "; it holds at every swept d, so the sweep sets no upper end to the range"
        return body + "These runs support the claim for the swept d from \(distance(swept[0])) to \(distance(upTo))\(beyond)."
    case .contradicted:
        guard regime.reference != nil else {
            return body + "These runs contradict the claim all the same, on what needs no clustered reference: at every swept d "
                + "(d \(distance(swept[0])) to \(distance(swept.last ?? 0))) the success's interval lies below 0.5 or a detector's AUROC "
                + "is resolved away from 0.5, so no swept d keeps the poisons both effective and unseen."
        }
        return body + "These runs contradict the claim: at no swept d (d \(distance(swept[0])) to \(distance(swept.last ?? 0))) are the "
            + "poisons both effective and invisible."
    case .notTestable:
        return body + "The near-clone claim is therefore not tested by these runs: without a clustered reference the spike cannot "
            + "be judged, and at some swept d neither the success nor a detector's AUROC shows the poisons failing or seen."
    case .notResolved:
        let first = regime.points[0]
        if first.status == .invisible {
            return body + "These runs cannot tell: the smallest swept d, \(distance(first.distance)), is effective and invisible, but without "
                + "a visible clustered reference that is no contrast."
        }
        let invisible = regime.points.filter { $0.status == .invisible }.map { distance($0.distance) }
        let later = invisible.isEmpty ? "" : "; it holds at d \(listing(invisible)), but not from the smallest swept d"
        var design: String
        let open = openIntervals(first, margin: regime.margin)
        if let seeds = first.seedsToResolve {
            design = "were the means and spreads as observed, about \(seeds) seeds would resolve " + listing(open)
        } else if first.status == .notResolved, !open.isEmpty, (first.success.interval?.lower ?? 0) > 0.5 {
            design = "were the means and spreads as observed, more than 200 seeds would be needed to resolve " + listing(open)
                + ", or a wider margin (vanish-margin of input-curvature in measure, the effect in planning for the AUROC)"
        } else if first.status == .notResolved, first.spikeMargin == nil, first.success.interval != nil {
            design = "the spike has no margin: a working clustered reference whose spike is resolved away from 0 would give one"
        } else {
            design = "more seeds would narrow the intervals"
        }
        if first.spikeMargin == nil, !design.hasPrefix("the spike has no margin") {
            design += "; and the spike has no margin without a clustered spike resolved away from 0"
        }
        return body + "These runs cannot tell at d \(distance(first.distance)), the smallest swept\(later); \(design)."
    }
}

/// A network's near-clone answer: outside the paper's setting (`settingText`), then what the runs show.
private func nearCloneOutsideSetting(_ regime: CurvatureClaims.NearCloneRegime, verdict: ClaimVerdict, _ results: StudyResults) -> String {
    let distance = PenaltyTradeOff.lambdaText, swept = regime.points.map(\.distance)
    let shows: String
    switch verdict {
    case .supported, .consistentUntested:
        let upTo = regime.invisibleUpTo ?? swept[0]
        shows = "near clones are effective and invisible for the swept d from \(distance(swept[0])) to \(distance(upTo)), where the clustered reference shows"
    case .contradicted:
        shows = "at no swept d (d \(distance(swept[0])) to \(distance(swept.last ?? 0))) are the poisons both effective and invisible"
    case .notTestable:
        shows = "they do not test it, with no clustered reference to contrast with (" + referenceRemedy(regime, results) + " would give one)"
    case .notResolved:
        shows = "they cannot tell at d \(distance(swept[0])), the smallest swept (\(regime.points[0].status == .invisible ? "effective and invisible, but with no visible clustered reference to contrast with" : "not shown effective and invisible"))"
    }
    return "Outside the paper's setting: " + settingText(results, model: regime.model)
        + ", and a spike at chance may be confidence, not the paper's vanishing spike; what these runs show: " + shows + "."
}

/// The point of a sweep's own clustered reference toward the source mean (the same backdoor's
/// `near-clone: {distance: 1000, toward: source-mean}` or any d beyond `nearCloneReach` toward it)
/// that is none only for want of seeds: its success has no interval; nil when there is none.
private func unresolvedSourceMeanReference(_ regime: CurvatureClaims.NearCloneRegime, _ results: StudyResults) -> CurvatureClaims.NearClonePoint? {
    let base = CurvatureClaims.optionsOutsideNearClone(results.config.attacks[regime.points[0].attack])
    return (results.curvatureClaims?.nearClone ?? []).filter { $0.model == regime.model }.flatMap(\.points).first { point in
        let attack = results.config.attacks[point.attack]
        return point.distance > CurvatureClaims.nearCloneReach && CurvatureClaims.movesTowardSourceMean(attack)
            && CurvatureClaims.optionsOutsideNearClone(attack) == base && point.success.interval == nil
    }
}

/// What would give a sweep without a clustered reference its reference: more seeds when the study
/// holds one toward the source mean whose success has no interval ("more seeds (at least 2), which
/// give d 1000 (toward source mean) an interval,"), else the attack to add ("the attack {kind: ...}
/// added to attacks").
private func referenceRemedy(_ regime: CurvatureClaims.NearCloneRegime, _ results: StudyResults) -> String {
    if let point = unresolvedSourceMeanReference(regime, results) {
        return "more seeds (at least 2), which give \(nearClonePointLabel(point, results))'s success an interval,"
    }
    return "the attack \(studyEntryText(CurvatureClaims.sourceMeanReference(for: results.config.attacks[regime.points[0].attack]))) added to attacks"
}

/// What counts as a clustered reference, as the sentences state it (`CurvatureClaims.isClusteredReference`).
private let referenceRuleText = "a clustered reference is an attack that works (its success's interval above 0) at a d beyond "
    + "\(PenaltyTradeOff.lambdaText(CurvatureClaims.nearCloneReach)), moving its poisons toward their own class's mean "
    + "(toward: source-mean, Granziol's clustered dirty-label poisons) or with a success's interval above 0.5"

/// Why the point `point` is no clustered reference (`CurvatureClaims.isClusteredReference`), each
/// reason with its number: "its d is within 1 of clones", "its success, +0.025 [+0.004, +0.046], is
/// not resolved above 0", "it moves its poisons toward the target mean (label-consistent, not
/// Granziol's clustered dirty-label poisons) and its success, …, is not resolved above 0.5".
private func notReferenceReasons(_ point: CurvatureClaims.NearClonePoint, _ results: StudyResults) -> [String] {
    let success = seedValuesText(point.success, range: excessRange, { signedFixed($0, decimals: 3) })
    let lower = point.success.interval?.lower ?? 0
    var reasons = [String]()
    if point.distance <= CurvatureClaims.nearCloneReach { reasons.append("its d is within \(PenaltyTradeOff.lambdaText(CurvatureClaims.nearCloneReach)) of clones") }
    if point.success.interval == nil {
        reasons.append("its success, \(success), has no interval (fewer than two seeds)")
    } else if lower <= 0 {
        reasons.append("its success, \(success), is not resolved above 0")
    } else if !CurvatureClaims.movesTowardSourceMean(results.config.attacks[point.attack]), lower <= 0.5 {
        reasons.append("it moves its poisons toward the target mean (label-consistent, not Granziol's clustered dirty-label poisons) "
            + "and its success, \(success), is not resolved above 0.5")
    }
    return reasons
}

/// For a near-clone entry of a model with no near-clone sweep: the claim is not tested, and the
/// attacks (exact study entries) that would test it: the entry's attack at d 0 (and d 1 for an
/// entry toward the source mean, so that the near clones make a sweep of their own toward the
/// target mean), and, when no entry of the model is a clustered reference, the same attack toward
/// the source mean at d 1000.
private func nearCloneUntestedWithoutSweep(_ regime: CurvatureClaims.NearCloneRegime, _ results: StudyResults) -> String {
    let attack = results.config.attacks[regime.points[0].attack]
    let towardSource = CurvatureClaims.movesTowardSourceMean(attack)
    let nearDistances = (towardSource ? [0, 1] : [0]).filter { d in !regime.points.contains { $0.distance == Double(d) } }
    var additions = nearDistances.map { studyEntryText(CurvatureClaims.withNearClone(attack, .mapping([ParameterEntry(key: "distance", value: .int($0))]))) }
    let referenced = (results.curvatureClaims?.nearClone ?? []).contains { entry in
        entry.model == regime.model && entry.points.contains { CurvatureClaims.isClusteredReference($0, attack: results.config.attacks[$0.attack]) }
    }
    if !referenced { additions.append(studyEntryText(CurvatureClaims.sourceMeanReference(for: attack))) }
    return "Granziol's (2026) near-clone claim is not tested for this model: it needs a near-clone sweep (two distances or more, the "
        + "smallest within d \(PenaltyTradeOff.lambdaText(CurvatureClaims.nearCloneReach)) of clones) beside a clustered reference; "
        + (additions.count == 1 ? "the attack " : "the attacks ") + listing(additions) + " added to attacks would give "
        + (referenced ? "the sweep." : "both.")
}

/// An attack as a study file's flow mapping, its kind first: "{kind: backdoor, target: 0, near-clone:
/// {distance: 1000, toward: source-mean}, trigger: patch}", every option as the study has it (defaults filled in).
func studyEntryText(_ attack: ParameterValue) -> String {
    let entries = attack.entries ?? []
    let ordered = entries.filter { $0.key == "kind" } + entries.filter { $0.key != "kind" }
    return ParameterValue.mapping(ordered).description
}

/// A near-clone point as the sentences name it: its distance with its near-clone options
/// (`CurvatureClaims.distanceLabel`), or, when another attack of the claims shares that name (two
/// attacks that differ in an option outside `near-clone`, such as the trigger's quantile), the
/// details of its attack's label: "d 0, q 0.9".
func nearClonePointLabel(_ point: CurvatureClaims.NearClonePoint, _ results: StudyResults) -> String {
    let name = { (attack: Int, distance: Double) in CurvatureClaims.distanceLabel(distance, attack: results.config.attacks[attack]) }
    let own = name(point.attack, point.distance)
    let shared = (results.curvatureClaims?.nearClone.flatMap(\.points) ?? []).contains { $0.attack != point.attack && name($0.attack, $0.distance) == own }
    guard shared, let details = attackLabelDetails(point.attack, results) else { return own }
    return details
}

/// The details in the parentheses that end attack `attack`'s label ("near-clone backdoor → 1 (d 0,
/// q 0.9)" gives "d 0, q 0.9"); nil when the label has none.
func attackLabelDetails(_ attack: Int, _ results: StudyResults) -> String? {
    guard let label = results.series.first(where: { $0.attack == attack })?.attackLabel, label.hasSuffix(")"),
          let open = label.range(of: " (", options: .backwards) else { return nil }
    return String(label[open.upperBound..<label.index(before: label.endIndex)])
}

/// The details of a near-clone entry's attacks that are not near-clone options (`attackLabelDetails`
/// without the distance and `toward`), when another entry of the same model shares its near-clone
/// options, so that the two headings differ: "q 0.9"; empty otherwise.
func nearCloneSweepDetails(_ regime: CurvatureClaims.NearCloneRegime, _ results: StudyResults) -> String {
    let options = { (regime: CurvatureClaims.NearCloneRegime) in CurvatureClaims.nearCloneOptionsText(of: results.config.attacks[regime.points[0].attack]) }
    let twin = (results.curvatureClaims?.nearClone ?? []).contains { $0 != regime && $0.model == regime.model && options($0) == options(regime) }
    guard twin, let details = attackLabelDetails(regime.points[0].attack, results) else { return "" }
    return details.components(separatedBy: ", ").filter { !$0.hasPrefix("d ") && $0 != "toward source mean" }.joined(separator: ", ")
}

/// The intervals of a point that hold an end of their margins, each with where its mean lies and so
/// where more seeds would resolve it: "the success's interval away from 0.5 (mean +0.677)", "the
/// spike's interval within its margin ±0.0232 (mean +0.00892)",
/// "an AUROC's beyond 0.5 ± 0.020 (mean 0.531)".
private func openIntervals(_ point: CurvatureClaims.NearClonePoint, margin: Double) -> [String] {
    var open = [String]()
    if CurvatureClaims.holdsMarginEnd(point.success.interval, of: 0.5, margin: 0), let mean = point.success.mean {
        open.append("the success's interval away from 0.5 (mean \(signedFixed(mean, decimals: 3)))")
    }
    if let spikeMargin = point.spikeMargin, CurvatureClaims.holdsMarginEnd(point.spike.interval, of: 0, margin: spikeMargin),
       let mean = point.spike.mean {
        open.append("the spike's interval " + (abs(mean) < spikeMargin ? "within" : "beyond") + " its margin ±\(curvatureText(spikeMargin)) "
            + "(mean \(signedCurvatureText(mean)))")
    }
    for detector in point.detectors where detector.orientationSplit == nil {
        guard CurvatureClaims.holdsMarginEnd(detector.auroc.interval, of: 0.5, margin: margin), let mean = detector.auroc.mean else { continue }
        open.append("an AUROC's " + (abs(mean - 0.5) < margin ? "within" : "beyond") + " 0.5 ± \(fixed(margin, decimals: 3)) "
            + "(mean \(fixed(mean, decimals: 3)))")
    }
    return open
}

/// Why a point's poisons are visible: a spike beyond its margin (above, or below: the poisoned model
/// less curved), an AUROC away from 0.5, a split in orientation.
private func visibleReasons(_ point: CurvatureClaims.NearClonePoint) -> [String] {
    var reasons = [String]()
    switch CurvatureClaims.spikeBeyondMargin(point.spike.interval, margin: point.spikeMargin) {
    case .some(1): reasons.append("spike above the clean model's")
    case .some(-1): reasons.append("spike below the clean model's: the poisoned model is less curved")
    default: break
    }
    if point.detectors.contains(where: { ($0.auroc.interval?.lower ?? 0.5) > 0.5 }) { reasons.append("an AUROC above 0.5") }
    if point.detectors.contains(where: { ($0.auroc.interval?.upper ?? 0.5) < 0.5 }) {
        reasons.append("an AUROC below 0.5: the scores separate the poisons, in reverse")
    }
    if point.detectors.contains(where: { $0.orientationSplit?.between == 0 }) {
        reasons.append("an AUROC split in orientation: every seed's scores separate the poisons, some in reverse")
    }
    return reasons
}

/// What one distance shows, in words: "effective and invisible", the reasons it fails, or why it is not resolved.
private func statusText(_ point: CurvatureClaims.NearClonePoint, margin: Double) -> String {
    switch point.status {
    case .invisible:
        return "effective and invisible"
    case .fails:
        var reasons = [String]()
        if let upper = point.success.interval?.upper, upper < 0.5 { reasons.append("success below 0.5") }
        return (reasons + visibleReasons(point)).joined(separator: ", ")
    case .notResolved:
        if point.detectors.contains(where: { $0.orientationSplit != nil }) {
            return "not resolved: an AUROC split in orientation, with seeds near 0.5"
        }
        let missing = point.success.interval == nil || point.spike.interval == nil || point.detectors.contains { $0.auroc.interval == nil }
        if missing { return "not resolved: fewer than two seeds" }
        if let lower = point.success.interval?.lower, lower <= 0.5 { return "not resolved: the success's interval holds 0.5" }
        var wide = [String]()
        if let spikeMargin = point.spikeMargin, CurvatureClaims.holdsMarginEnd(point.spike.interval, of: 0, margin: spikeMargin) {
            wide.append("the spike's")
        }
        if point.detectors.contains(where: { CurvatureClaims.holdsMarginEnd($0.auroc.interval, of: 0.5, margin: margin) }) { wide.append("an AUROC's") }
        if wide.isEmpty { return "not resolved: no margin for the spike, without a clustered spike" }
        return "not resolved: " + listing(wide) + " interval holds an end of its margin"
            + (point.spikeMargin == nil ? ", and the spike has no margin" : "")
    }
}
