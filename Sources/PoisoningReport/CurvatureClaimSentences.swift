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
/// says why. Empty when the study has no such claims.
func curvatureClaimSentences(_ results: StudyResults) -> [String] {
    guard let claims = results.curvatureClaims else { return [] }
    let level = confidenceText(claims.confidence)
    return claims.spikeGrowth.map { spikeGrowthSentence($0, results, level: level) }
        + claims.nearClone.map { nearCloneSentence($0, results, level: level) }
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

/// "0.812 [0.790, 0.834]": a mean with its interval; the mean alone without one; "none" without a value.
private func seedValuesText(_ values: PenaltyTradeOff.SeedValues, _ number: (Double) -> String) -> String {
    guard let mean = values.mean else { return "none" }
    return number(mean) + (values.interval.map { " [" + intervalText($0, number, separator: bracketSeparator) + "]" } ?? "")
}

/// The sentence of one spike fit.
private func spikeGrowthSentence(_ fit: CurvatureClaims.SpikeGrowth, _ results: StudyResults, level: String) -> String {
    let series = results.series[fit.series]
    let efficacyName = results.attackMetrics.first { $0.excess.key == fit.efficacyKey }?.excess.name ?? fit.efficacyKey
    let exponent = seedValuesText(fit.exponent) { fixed($0, decimals: 2) }
    let over = fit.exponent.count == 0 ? "" : fit.exponent.interval == nil ? " (one seed: no interval)"
        : " (mean over \(fit.exponent.count) seeds with its \(level) Student-t interval)"
    let total = fit.pointsUsed + fit.pointsLeftOut
    let leftOut = fit.pointsLeftOut == 0 ? "" : "; \(fit.pointsLeftOut) of \(total) left out, whose efficacy or spike is at most 0 or has no clean model"
    let opening = "Spike against efficacy, \(series.modelLabel) under \(series.attackLabel), \(series.defenseLabel): the spike is the top eigenvalue of the mean input "
        + "Hessian of the loss over \(spikeRowsText(fit.spikeKey)) minus the clean model's of the same series and seed, the efficacy "
        + "the \(inRunningText(efficacyName)). Per seed a least-squares line of log spike on log efficacy over its runs at the swept "
        + "positive fractions, the attack otherwise fixed (\(fit.pointsUsed) runs\(leftOut)), gives the exponent p of spike ∝ efficacy^p: "
        + "\(exponent)\(over). Granziol (2026) claims the spike grows like the square "
        + "of the efficacy (p = 2; supported when the interval holds 2 and lies between 1 and 3, contradicted when it excludes 2): "
    if fit.pointsUsed == 0 {
        return opening + "these runs cannot tell: in all \(fit.pointsLeftOut) runs the efficacy or the spike is at most 0 (a "
            + "poisoned model no more curved over these rows than its clean model), so there is no growth to fit."
    }
    if fit.isSelective {
        return opening + "these runs cannot tell: the fit stands on a selected minority (\(fit.pointsLeftOut) of \(total) runs left out, "
            + "\(fit.seeds - fit.exponent.count) of \(fit.seeds) seeds without an exponent), and leaving out the runs whose spike is at most 0 "
            + "selects on the outcome; of the runs kept, " + growthText(fit.exponent.interval) + "."
    }
    switch fit.verdict {
    case .supported, .consistentUntested:
        return opening + "these runs support it: the spike grows as the square of the efficacy."
    case .contradicted:
        return opening + "these runs contradict it: " + growthText(fit.exponent.interval) + "."
    case .notResolved, .notTestable:
        guard fit.exponent.interval != nil else {
            return opening + "these runs cannot tell: fewer than two seeds have an exponent (each needs two runs with a positive "
                + "efficacy and spike at different efficacies); more swept fractions would give them."
        }
        return opening + "these runs cannot tell: the interval holds 2 but reaches 1 or 3; more seeds would narrow it."
    }
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
    let label = { (point: CurvatureClaims.NearClonePoint) in
        CurvatureClaims.distanceLabel(point.distance, attack: results.config.attacks[point.attack])
    }
    let perDistance = regime.points.map { point in
        let detectors = point.detectors.map { "\(defenseLabel($0.defense)) AUROC \($0.orientationSplit?.text ?? seedValuesText($0.auroc, rate))" }
        let spikeMargin = point.spikeMargin.map { " (margin ±\(curvatureText($0)))" } ?? ""
        return "\(label(point)): success \(seedValuesText(point.success, signedRate)), spike "
            + "\(seedValuesText(point.spike, signedCurvatureText))\(spikeMargin), " + detectors.joined(separator: ", ") + " (\(statusText(point, margin: regime.margin)))"
    }.joined(separator: "; ")
    let margin = fixed(regime.margin, decimals: 3)
    let opening = "Near-clone backdoors" + (options.isEmpty ? "" : " (\(options))") + ", \(model) at \(percent(regime.fraction)) poisoned (means over seeds with their \(level) "
        + "intervals; success is the attack's over the clean model's, the spike the top eigenvalue of the mean input Hessian over "
        + "\(spikeRowsText(regime.spikeKey)) minus the clean model's, paired by seed, its margin the study's planning effect "
        + "\(margin) times the clean model's eigenvalue): \(perDistance). "
    guard let verdict = regime.verdict else {
        let point = regime.points[regime.points.count - 1]
        let shown = "at \(label(point)) " + (point.visible ? "its poisons are visible (\(visibleReasons(point).joined(separator: ", ")))"
            : "its poisons are not visible (no spike resolved above 0, no AUROC resolved away from 0.5)")
        let what = regime.points.count == 1 ? "A single distance" : "A sweep that does not start within d \(distance(CurvatureClaims.nearCloneReach)) of clones"
        return opening + "\(what) is no near-clone sweep: it is the clustered reference the near-clone verdicts contrast with, and \(shown)."
    }
    let swept = regime.points.map(\.distance)
    let claim = "Granziol (2026) claims that below some distance d near-clone poisons keep a success above 0.5 while the spike and "
        + "the detectors' AUROC fall to chance, where clustered poisons show (a swept d shows it when the success's interval lies "
        + "above 0.5, the spike's within ± its margin of 0 and every AUROC interval within 0.5 ± \(margin): equivalence tests, two "
        + "one-sided tests each at the \(percent((1 - results.statistics.confidence) / 2)) level; an AUROC resolved below 0.5 separates "
        + "the poisons too, in reverse). "
    let contrast: String
    if let reference = regime.reference, let point = (results.curvatureClaims?.nearClone.flatMap(\.points) ?? regime.points)
        .first(where: { $0.attack == reference.attack }) {
        contrast = "The clustered reference, \(label(point)), "
            + (reference.visible ? "is visible (\(visibleReasons(point).joined(separator: ", "))). "
                : "is not visible (no spike resolved above 0, no AUROC resolved away from 0.5), so these runs show no contrast for near clones to lose. ")
    } else {
        contrast = "No clustered reference is swept (a single distance such as d 1000 toward the source mean, or a d beyond "
            + "\(distance(CurvatureClaims.nearCloneReach))), so these runs show no contrast for near clones to lose. "
    }
    let body = opening + claim + contrast
    switch verdict {
    case .supported, .consistentUntested:
        let upTo = regime.invisibleUpTo ?? swept[0]
        let next = swept.first { $0 > upTo }
        let beyond = next.map { "; at d \(distance($0)) it no longer holds" }
            ?? "; it holds at every swept d, so the sweep sets no upper end to the range"
        return body + "These runs support the claim for the swept d from \(distance(swept[0])) to \(distance(upTo))\(beyond)."
    case .contradicted:
        return body + "These runs contradict the claim: at no swept d (d \(distance(swept[0])) to \(distance(swept.last ?? 0))) are the "
            + "poisons both effective and invisible."
    case .notResolved, .notTestable:
        let first = regime.points[0]
        if first.status == .invisible {
            return body + "These runs cannot tell: the smallest swept d, \(distance(first.distance)), is effective and invisible, but without "
                + "a visible clustered reference that is no contrast."
        }
        let invisible = regime.points.filter { $0.status == .invisible }.map { distance($0.distance) }
        let later = invisible.isEmpty ? "" : "; it holds at d \(listing(invisible)), but not from the smallest swept d"
        let design: String
        if let seeds = first.seedsToShowEquivalence {
            design = "about \(seeds) seeds would put the intervals within their margins, were the values at chance"
        } else if first.status == .notResolved, first.success.interval != nil, first.spike.interval != nil,
                  first.detectors.allSatisfy({ $0.auroc.interval != nil || $0.orientationSplit != nil }),
                  (first.success.interval?.lower ?? 0) > 0.5 {
            design = "more than 200 seeds would be needed to put the intervals within their margins, or a wider margin (`planning: {effect: …}`)"
        } else {
            design = "more seeds would narrow the intervals"
        }
        return body + "These runs cannot tell at d \(distance(first.distance)), the smallest swept\(later); \(design)."
    }
}

/// Why a point's poisons are visible: a spike above 0, an AUROC away from 0.5, a split in orientation.
private func visibleReasons(_ point: CurvatureClaims.NearClonePoint) -> [String] {
    var reasons = [String]()
    if let lower = point.spike.interval?.lower, lower > 0 { reasons.append("spike above the clean model's") }
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
        if let spikeMargin = point.spikeMargin, !CurvatureClaims.isWithin(point.spike.interval, of: 0, margin: spikeMargin) {
            wide.append("the spike's")
        }
        if point.detectors.contains(where: { !CurvatureClaims.isWithin($0.auroc.interval, of: 0.5, margin: margin) }) { wide.append("an AUROC's") }
        return "not resolved: " + (wide.isEmpty ? "no margin for the spike" : listing(wide) + " interval reaches beyond its margin")
    }
}
