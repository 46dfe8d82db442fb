import PoisoningAnalysis
import PoisoningEngine

/// The answer to "does the input-gradient penalty's λ trade attack success against capacity?"
/// (`PenaltyTradeOff`), one entry per model and attack of a study that sweeps λ over at least two
/// values, empty otherwise: every λ's success, clean accuracy and capacity with their intervals over
/// seeds, then the paired change of each from the smallest λ to the largest with finished runs, and
/// the verdict those changes decide. λ trades success against capacity only when both changes are
/// resolved downward; where an interval holds 0 the sentence says the runs cannot tell, and how many
/// seeds would. Each ends with the answer to Granziol's (2026) claim (`PenaltyTradeOff.Changes.claim`):
/// not testable when the attack's success at the smallest λ is not resolved above the planning effect.
func penaltyTradeOffSentences(_ results: StudyResults) -> [String] {
    guard let tradeOff = results.penaltyTradeOff else { return [] }
    let level = confidenceText(tradeOff.confidence), single = results.config.seeds.count < 2
    let accuracy = { (value: Double) in fixed(value, decimals: 3) }, signed = { (value: Double) in signedFixed(value, decimals: 3) }
    let lambda = PenaltyTradeOff.lambdaText
    /// "0.612 [0.500, 0.724]", or the mean alone with one seed; "none" when no seed has a value.
    func valueText(_ values: PenaltyTradeOff.SeedValues, _ number: (Double) -> String) -> String {
        guard let mean = values.mean else { return "none" }
        return number(mean) + (single ? "" : " [" + intervalText(values.interval, number, separator: bracketSeparator) + "]")
    }
    let effect = fixed(results.config.planning.effect, decimals: 3), power = percent(results.config.planning.power)
    /// Why a change is undecided, with the seeds that would resolve it.
    func undecided(_ change: PenaltyTradeOff.Change) -> String {
        guard change.difference.interval != nil else { return "fewer than two seeds finished at both λ: no interval" }
        let seeds = change.seedsToResolve.map { "about \($0) seeds would resolve a change of \(effect) with \(power) power" }
            ?? "more than 200 seeds would be needed to resolve a change of \(effect) with \(power) power"
        return "its \(level) interval holds 0; \(seeds)"
    }
    return tradeOff.curves.map { curve in
        let first = results.series[curve.points[0].series]
        let perLambda = curve.points.map { point in
            guard point.isMeasured else { return "λ \(lambda(point.lambda)): every run diverged or is missing" }
            return "λ \(lambda(point.lambda)): success \(valueText(point.success, signed)), clean accuracy "
                + "\(valueText(point.cleanAccuracy, accuracy)), capacity \(valueText(point.capacity, accuracy))"
        }.joined(separator: "; ")
        let opening = "Input-gradient penalty, \(first.modelLabel) under \(first.attackLabel), per λ (means over seeds"
            + (single ? "" : " with their \(level) intervals") + "): success is the \(inRunningText(curve.successName)) at "
            + "\(percent(tradeOff.fraction)) poisoned (\(curve.successMeaning)); clean accuracy the clean model's test accuracy; "
            + "capacity its accuracy on the true labels of its training rows. \(perLambda). "
        guard let changes = curve.changes else {
            return opening + "Whether λ trades success against capacity the runs cannot tell: fewer than two values of λ have finished runs."
        }
        let verdict: String
        switch changes.verdict {
        case .tradeOff:
            verdict = "so λ trades success against capacity: the penalty lowers the attack's success at a cost in what the model fits."
        case .noCost:
            verdict = "so λ lowers the success and raises the capacity: no trade-off."
        case .costNotResolved:
            verdict = "so λ lowers the success, but whether it costs capacity the runs cannot tell (\(undecided(changes.capacity)))."
        case .successRises:
            verdict = "so λ raises the success: no trade-off."
        case .successNotResolved where changes.claim == .contradicted:
            let margin = fixed(results.config.planning.effect, decimals: 3)
            verdict = "so λ costs capacity without lowering the success by more than \(margin), the study's planning effect: the "
                + "success's \(level) interval lies above -\(margin) (two one-sided tests, each at the "
                + "\(percent((1 - tradeOff.confidence) / 2)) level), though it holds 0."
        case .successNotResolved:
            verdict = "so whether λ trades success against capacity the runs cannot tell: whether it lowers the success is "
                + "not resolved (\(undecided(changes.success)))."
        }
        let claim = "Granziol (2026) claims that the penalty suppresses poisoning at a cost in capacity: "
        let answer: String
        switch changes.claim {
        case .supported, .consistentUntested: answer = claim + "these runs support it."
        case .contradicted: answer = claim + "these runs contradict it."
        case .notResolved: answer = claim + "these runs cannot tell."
        case .notTestable:
            let baseline = curve.points.first { $0.lambda == changes.from && $0.isMeasured }.map { valueText($0.success, signed) } ?? "none"
            answer = claim + "these runs cannot test it: at λ \(lambda(changes.from)) the success, \(baseline), is not resolved above "
                + "\(effect), the study's planning effect (the lower end of its \(level) interval is at most \(effect)), so the attack leaves the penalty nothing "
                + "resolved to suppress."
        }
        return opening + "From λ \(lambda(changes.from)) to λ \(lambda(changes.to)) (paired by seed) the success changes by "
            + "\(valueText(changes.success.difference, signed)), the clean accuracy by \(valueText(changes.cleanAccuracy.difference, signed)) "
            + "and the capacity by \(valueText(changes.capacity.difference, signed)), \(verdict) \(answer)"
    }
}
