import PoisoningAnalysis

/// An evidence ratio in words: two decimals below 10, whole numbers to a million, "over 1000000"
/// beyond; a ratio below 1 as "1/x", so that 1/9048 reads as the other side's 9048, and
/// "under 1/1000000" below a millionth.
func evidenceRatioText(_ ratio: Double) -> String {
    if ratio < 1e-6 { return "under 1/1000000" }
    if ratio < 1 { return "1/" + evidenceRatioText(1 / ratio) }
    if ratio < 10 { return fixed(ratio, decimals: 2) }
    if ratio < 1e6 { return fixed(ratio, decimals: 0) }
    return "over 1000000"
}

/// The design that would tell the sigmoid from the simpler curves, as a clause: "41 evenly spaced
/// fractions with 10 seeds each would tell the sigmoid from a line or quadratic in at least 80% of
/// studies, expected evidence ratio 345 for the fitted sigmoid", or that none on the menu would.
func decisiveDesignText(_ evidence: CurveEvidence) -> String {
    guard evidence.seedSpread != nil else { return "with fewer than two seeds at every fraction no design can be planned" }
    let chance = "in at least \(percentWhole(decisiveDesignChance)) of studies"
    guard let design = evidence.decisiveDesign else {
        return "no design up to \(CurveDesignMenu.fractionCounts.max()!) fractions and \(CurveDesignMenu.seedCounts.max()!) seeds "
            + "would tell the sigmoid from a line or quadratic \(chance)"
    }
    return "\(design.fractions) evenly spaced fractions with \(design.seeds) seeds each would tell the sigmoid from a line or "
        + "quadratic \(chance), expected evidence ratio \(evidenceRatioText(design.expectedEvidenceRatio)) for the fitted sigmoid"
}

/// A planned seed count in words, led by the conservative count (`SeedPlan.conservativeSeeds`: the
/// per-seed spread at its upper 80% bound): "24 seeds (spread at its upper 80% bound; 5 to 40 over
/// its interval, 9 at the estimated spread)", "more than 200 seeds (spread at its upper 80% bound; 5
/// to more than 200 over its interval, 9 at the estimated spread)", "more than 200 seeds", or "9
/// seeds" when the spread's interval does not change it.
func seedPlanText(_ plan: SeedPlan) -> String {
    let count = { (seeds: Int?) in seeds.map { "\($0)" } ?? "more than \(plan.limit)" }
    guard let fewest = plan.fewestSeeds else { return "more than \(plan.limit) seeds" }
    if fewest == plan.seeds, plan.seeds == plan.mostSeeds { return "\(fewest) seeds" }
    return "\(count(plan.conservativeSeeds)) seeds (spread at its upper 80% bound; \(fewest) to \(count(plan.mostSeeds)) over "
        + "its interval, \(count(plan.seeds)) at the estimated spread)"
}

/// The smallest effect of interest of a compared quantity in its units: "2.0 pp" for thresholds,
/// "0.020" for accuracies.
func plannedEffectText(_ effect: Double, _ quantity: ComparedQuantity) -> String {
    quantity == .threshold ? String(format: "%.1f pp", effect * 100) : fixed(effect, decimals: 3)
}

/// "24 seeds (spread at its upper 80% bound; 5 to 40 over its interval, 9 at the estimated spread)
/// would resolve a difference of 2.0 pp at the 95% level with at least 80% power in about 80% of pilot
/// outcomes": the leading count is computed at the spread's upper 80% bound, so it is not a count
/// that reaches 80% power for sure, but one that reaches at least that in about 80% of the pilot
/// studies that could have given this spread. `level` is the confidence the plan is computed at (the
/// study's; an adaptive study's adjusted level). With one count for the whole interval, "9 seeds would
/// resolve ... at the 95% level with 80% power".
func seedPlanSentence(_ plan: SeedPlan, effect: String, what: String = "a difference", level: String) -> String {
    let single = plan.fewestSeeds != nil && plan.fewestSeeds == plan.seeds && plan.seeds == plan.mostSeeds
    let power = single || plan.fewestSeeds == nil
        ? "with \(percentWhole(plan.power)) power"
        : "with at least \(percentWhole(plan.power)) power in about 80% of pilot outcomes"
    return "\(seedPlanText(plan)) would resolve \(what) of \(effect) at the \(level) level \(power)"
}

/// A share as a whole percentage: "80%".
func percentWhole(_ share: Double) -> String { String(format: "%.0f%%", share * 100) }
