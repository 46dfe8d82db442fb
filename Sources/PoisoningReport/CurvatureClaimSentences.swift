import PoisoningAnalysis
import PoisoningEngine
import PoisoningUtilities

/// The answers to Granziol's (2026) two curvature claims (`CurvatureClaims`): per spike fit, the
/// exponent p of spike ∝ efficacy^p with its interval over seeds and whether it supports p = 2; per
/// near-clone sweep, each distance's success, spike and detectors' AUROC with their intervals, and
/// the range of swept d where the poisons keep a success above 0.5 while the spike and the AUROC are
/// at chance. Where the runs contradict the paper the sentence says so; where they cannot tell, it
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
    let first = results.series[fit.series[0]]
    let efficacyName = results.attackMetrics.first { $0.excess.key == fit.efficacyKey }?.excess.name ?? fit.efficacyKey
    let exponent = seedValuesText(fit.exponent) { fixed($0, decimals: 2) }
    let over = fit.exponent.count == 0 ? "" : fit.exponent.interval == nil ? " (one seed: no interval)"
        : " (mean over \(fit.exponent.count) seeds with its \(level) Student-t interval)"
    let leftOut = fit.pointsLeftOut == 0 ? "" : "; \(fit.pointsLeftOut) left out, whose efficacy or spike is at most 0 or has no clean model"
    let opening = "Spike against efficacy, \(first.modelLabel), \(first.defenseLabel): the spike is the top eigenvalue of the mean input "
        + "Hessian of the loss over \(spikeRowsText(fit.spikeKey)) minus the clean model's of the same series and seed, the efficacy "
        + "the \(inRunningText(efficacyName)). Per seed a least-squares line of log spike on log efficacy over its runs at positive "
        + "fractions (\(fit.pointsUsed) runs\(leftOut)) gives the exponent p of spike ∝ efficacy^p: \(exponent)\(over). "
        + "Granziol (2026) claims the spike grows like the square "
        + "of the efficacy (p = 2; supported when the interval holds 2 and lies between 1 and 3, contradicted when it excludes 2): "
    switch fit.verdict {
    case .supported, .consistentUntested:
        return opening + "these runs support it."
    case .contradicted:
        let faster = (fit.exponent.interval?.lower ?? 0) > 2
        return opening + "these runs contradict it: the spike grows \(faster ? "faster" : "more slowly") than the square of the efficacy."
    case .notResolved:
        if fit.pointsUsed == 0 {
            return opening + "these runs cannot tell: in all \(fit.pointsLeftOut) runs the efficacy or the spike is at most 0 (a "
                + "poisoned model no more curved over these rows than its clean model), so there is no growth to fit."
        }
        guard fit.exponent.interval != nil else {
            return opening + "these runs cannot tell: fewer than two seeds have an exponent (each needs two runs with a positive "
                + "efficacy and spike at different efficacies); more swept fractions or attacks of different strength would give them."
        }
        return opening + "these runs cannot tell: the interval holds 2 but reaches 1 or 3; more seeds would narrow it."
    }
}

/// The sentence of one near-clone sweep.
private func nearCloneSentence(_ regime: CurvatureClaims.NearCloneRegime, _ results: StudyResults, level: String) -> String {
    let model = results.series.first { $0.model == regime.model }?.modelLabel ?? "model \(regime.model)"
    let defenseLabel = { (defense: Int) in results.series.first { $0.defense == defense }?.defenseLabel ?? "defense \(defense)" }
    let rate = { (value: Double) in fixed(value, decimals: 3) }, signedRate = { (value: Double) in signedFixed(value, decimals: 3) }
    let distance = PenaltyTradeOff.lambdaText
    let attack = results.config.attacks[regime.points[0].attack]
    let options = CurvatureClaims.nearCloneOptionsText(of: attack)
    let perDistance = regime.points.map { point in
        let detectors = point.detectors.map { "\(defenseLabel($0.defense)) AUROC \($0.orientationSplit?.text ?? seedValuesText($0.auroc, rate))" }
        return "\(CurvatureClaims.distanceLabel(point.distance, attack: results.config.attacks[point.attack])): success \(seedValuesText(point.success, signedRate)), spike "
            + "\(seedValuesText(point.spike, signedCurvatureText)), " + detectors.joined(separator: ", ") + " (\(statusText(point)))"
    }.joined(separator: "; ")
    let swept = regime.points.map(\.distance)
    let range = "d \(distance(swept.first ?? 0))" + (swept.count > 1 ? " to \(distance(swept.last ?? 0))" : "")
    let opening = "Near-clone backdoors" + (options.isEmpty ? "" : " (\(options))") + ", \(model) at \(percent(regime.fraction)) poisoned (means over seeds with their \(level) "
        + "intervals; success is the attack's over the clean model's, the spike the top eigenvalue of the mean input Hessian over "
        + "\(spikeRowsText(regime.spikeKey)) minus the clean model's, paired by seed): \(perDistance). Granziol (2026) claims that "
        + "below some distance d near-clone poisons keep a success above 0.5 while the spike and the detectors' AUROC fall to "
        + "chance (a swept d shows it when the success's interval lies above 0.5, the spike's reaches 0 and every AUROC interval "
        + "holds 0.5; an AUROC resolved below 0.5 separates the poisons too, in reverse): "
    switch regime.verdict {
    case .supported, .consistentUntested:
        let upTo = regime.invisibleUpTo ?? swept[0]
        let next = swept.first { $0 > upTo }
        let beyond = next.map { "; at d \(distance($0)) it no longer holds" }
            ?? "; it holds at every swept d, so the sweep sets no upper end to the range"
        return opening + "these runs support it for the swept d from \(distance(swept[0])) to \(distance(upTo))\(beyond)."
    case .contradicted:
        return opening + "these runs contradict it: at no swept d (\(range)) are the poisons both effective and invisible."
    case .notResolved:
        let invisible = regime.points.filter { $0.status == .invisible }.map { distance($0.distance) }
        let later = invisible.isEmpty ? "" : "; it holds at d \(listing(invisible)), but not from the smallest swept d"
        return opening + "these runs cannot tell at d \(distance(swept.first ?? 0)), the smallest swept\(later); more seeds would "
            + "narrow the intervals."
    }
}

/// What one distance shows, in words: "effective and invisible", the reasons it fails, or why it is not resolved.
private func statusText(_ point: CurvatureClaims.NearClonePoint) -> String {
    switch point.status {
    case .invisible:
        return "effective and invisible"
    case .fails:
        var reasons = [String]()
        if let upper = point.success.interval?.upper, upper < 0.5 { reasons.append("success below 0.5") }
        if let lower = point.spike.interval?.lower, lower > 0 { reasons.append("spike above the clean model's") }
        if point.detectors.contains(where: { ($0.auroc.interval?.lower ?? 0.5) > 0.5 }) { reasons.append("an AUROC above 0.5") }
        if point.detectors.contains(where: { ($0.auroc.interval?.upper ?? 0.5) < 0.5 }) {
            reasons.append("an AUROC below 0.5: the scores separate the poisons, in reverse")
        }
        if point.detectors.contains(where: { $0.orientationSplit?.between == 0 }) {
            reasons.append("an AUROC split in orientation: every seed's scores separate the poisons, some in reverse")
        }
        return reasons.joined(separator: ", ")
    case .notResolved:
        if point.detectors.contains(where: { $0.orientationSplit != nil }) {
            return "not resolved: an AUROC split in orientation, with seeds near 0.5"
        }
        let missing = point.success.interval == nil || point.spike.interval == nil || point.detectors.contains { $0.auroc.interval == nil }
        return missing ? "not resolved: fewer than two seeds" : "not resolved: the success's interval holds 0.5"
    }
}
