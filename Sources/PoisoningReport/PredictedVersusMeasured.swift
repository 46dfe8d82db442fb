import PoisoningAnalysis
import PoisoningEngine
import PoisoningUtilities

extension ReportModel {
    /// One gradient-canceling series of the "Predicted vs measured" section.
    public struct PredictedRow: Sendable {
        /// The series; τ (its mean with its interval and its range over seeds, or that none exists,
        /// "at these parameters" when the target is not stationary on its own training rows);
        /// the target's accuracy; the first budget at which the target is stationary on the mixture
        /// (`TargetBudget`: mean and interval over seeds, or the seeds not cancelled);
        /// the critical threshold of the accuracy fit with its interval; the mixed/clean gradient
        /// ratio at the swept fractions around τ, beside 1/(1 + ε_d) for poisons with no effect.
        public let series, tau, targetAccuracy, stationaryFrom, threshold, ratios: String
        /// The findings of the series: the method, parameter space below τ, the verdict per seed, the
        /// victim's agreement with the target per seed (and the biases' leftover where it is not the
        /// target), accuracy, and whether the target is stationary on its own training rows.
        public let findings: [String]
    }

    /// Said for an MLP's series: its threshold `symbol` (τ_w or τ, its last layer's) is only a necessary condition, and its
    /// victims, trained by SGD as the run's model is (`norms`, their gradient norms at positive
    /// budgets), need not be converged to the 1e-5 tolerance at which a victim is judged, and an
    /// unconverged victim's agreement with the target is left out wherever it is averaged
    /// (`RunResult.countedMetric`); the verdict, on the mixed gradient at the target, needs no victim.
    static func lowerBoundSentence(norms: [Double], symbol: String) -> String {
        "For this network \(symbol) is its last layer's condition only, a lower bound (Lu et al.'s claim for a non-convex model is only a "
            + "necessary condition): a mixed gradient cancelled below \(symbol) would contradict it, one not cancelled above \(symbol) "
            + "would not. Its victims are trained by SGD as the run's model is"
            + (norms.isEmpty ? "" : " (gradient norm on their training rows \(span(norms) { fixed($0, decimals: 4) }))")
            + ", not to the gradient norm of 1e-5 at which a victim counts as converged, so no victim is judged against the target, and a "
            + "victim's agreement with and distance from the target count only where it converged (the tables, findings and figures leave "
            + "the others out); the verdict rests on the mixed gradient at the target, which needs no victim."
    }

    /// Why a victim retrained where the weights' gradient is cancelled need not be the target, from the
    /// runs of series `series` (a `cancel: weights` series) that cancel it (mixed/clean at most
    /// `TargetBudget.cancelledRatio`): how many of those with a converged victim are not the target
    /// (beyond `TargetBudget.reachedDistance`, or disagreeing on a test row), and the biases' gradient
    /// left there (`biasGradientRatio`), the condition the attack does not impose. Nil when no run
    /// cancels it or none records the biases' leftover.
    static func biasLeftoverSentence(_ results: StudyResults, series: Int) -> String? {
        let cancelled = results.runs.filter { run in
            guard run.series == series, run.fraction > 0, let m = run.metrics, let mixed = m[MetricKey.mixedGradientNorm],
                  let clean = m[MetricKey.cleanGradientNorm], clean > 0 else { return false }
            return mixed / clean <= TargetBudget.cancelledRatio
        }
        let left = cancelled.compactMap { $0.metrics?[MetricKey.biasGradientRatio] }
        guard !left.isEmpty else { return nil }
        let judged = cancelled.filter(\.victimConverged)
        let missed = judged.filter { run in
            guard let distance = run.metrics?[MetricKey.targetDistance], let agreement = run.metrics?[MetricKey.targetAgreement] else { return false }
            return distance > TargetBudget.reachedDistance || agreement < 1
        }
        let distances = missed.compactMap { $0.metrics?[MetricKey.targetDistance] }
        return "Of the \(cancelled.count) run\(cancelled.count == 1 ? "" : "s") whose weights' gradient is cancelled, \(missed.count) of the "
            + "\(judged.count) with a converged victim \(missed.count == 1 ? "has" : "have") a victim that is not the target"
            + (distances.isEmpty ? "" : " (\(span(distances, percent)) of the target's norm from it)")
            + "; there the biases' gradient is left at \(span(left, ratioText)) of the clean one, a condition the attack does "
            + "not impose (cancel: weights), so the victim retrained on the mixture is not held at the target's bias, and its weights move with it."
    }

    /// The method that ran for series `series` (a gradient-canceling series), and where it deviates
    /// from the paper's Algorithm 1 and why: the optimiser (`optimizer`, L-BFGS by default; the data the
    /// SGD finding was made on named beside the study's own) and the gradient cancelled (`cancel`, the
    /// weights' by default, with the biases' leftover over the runs at positive budgets).
    static func methodSentence(_ results: StudyResults, series: Int) -> String {
        let attack = results.config.attacks[results.series[series].attack]
        let sgd = attack.value(at: "optimizer") == .string(GradientCancelingOptimizer.sgdMomentum.rawValue)
        let cancel = results.canceledGradient(series: series)
        var sentence = sgd
            ? "The poisons descended by Algorithm 1's SGD with momentum 0.9 and a cosine schedule, on the norm of the summed gradient "
                + "rather than the paper's L, as the authors' code does (on L the paper's rate barely moves the poisons at n = 1,000)"
            : "The poisons descended by projected L-BFGS on the paper's objective L with a backtracking line search, not Algorithm 1's SGD "
                + "with momentum: a fixed learning rate is not scale-free, and at the paper's 0.5 SGD left runs above τ uncancelled on "
                + "examples/poisonability's make_classification data" + (results.data.name == "make_classification" ? "" : " (this study's data: \(results.data.name))")
                + " (optimizer: sgd-momentum runs Algorithm 1)"
        switch cancel {
        case .weightsAndBias:
            sentence += "; they cancel the biases' gradient as well as the weights' (cancel: weights-and-bias, unlike the authors' code), which "
                + "needs more than τ when the poisons keep their labels, so τ is necessary only here."
        case .firstLayer where results.tauIsLowerBound(series: series):
            sentence += "; as the authors' network code (github watml/plim, GC/mnist_nn-0.03-5e-1.py), they cancel the first layer's weights' "
                + "gradient only (cancel: first-layer), the later layers' weights and every bias left; the paper's text takes the gradient "
                + "over every layer's parameters (cancel: weights). Its validity is shown only in part: on a controlled MLP (10 → 8 → 5, "
                + "Gaussian clusters, GradientCancelingFirstLayerTests) the descent lowers the first layer's mixed gradient to about 12% of the "
                + "clean one and no further, at every budget tried (0.25–2 τ_w, hidden widths 8–32), never to the 0.1% that counts as cancelled, "
                + "so where this series' first layer is not cancelled that may be the descent's limit, not the budget's."
        case .weights, .firstLayer:
            let left = results.runs.filter { $0.series == series && $0.fraction > 0 }.compactMap { $0.metrics?[MetricKey.biasGradientRatio] }
            let network = results.tauIsLowerBound(series: series)
            sentence += network ? "; they cancel every layer's weights' gradient, as the paper's text takes the gradient over every layer's "
                + "parameters, the biases' left as the authors' code leaves them" : "; as the authors' code, they cancel the weights' gradient only, the biases' left"
            sentence += (left.isEmpty ? "" : " (\(span(left, ratioText)) of the clean one at positive budgets)")
                + (network ? "; the authors' network code cancels the first layer's weights only (cancel: first-layer)." : ".")
        }
        return sentence
    }

    /// Under `cancel: weights`, which threshold applies and how it compares with τ: τ counts the bias
    /// as a feature that is always 1, so for the weights' gradient alone it is neither exact nor a bound
    /// once the target's bias is not 0; the runs record τ_w (`weightsOnlyThreshold`): exact for binary
    /// softmax regression with free features, a lower bound for an MLP (its last layer's weights) and
    /// for more than two classes (each row's term at least −W₀((c − 1)/e) − (max_k b_k − b_y)). Nil
    /// under `cancel: weights-and-bias`, where τ applies, and where no threshold is derived (`cancel:
    /// first-layer` on an MLP, `noThresholdSentence`).
    static func weightsOnlySentence(_ results: StudyResults, series: Int) -> String? {
        guard !results.cancelsBias(series: series), results.thresholdDerived(series: series) else { return nil }
        let runs = results.runs.filter { $0.series == series && $0.fraction > 0 && $0.metrics != nil }
        let pairs = runs.compactMap { run in results.applicableThreshold(of: run).flatMap { w in run.metrics?[MetricKey.poisonabilityThreshold].map { (w, $0) } } }
        let opening = "These runs cancel the weights' gradient only, for which τ (it counts the bias as a feature that is always 1) is "
            + "neither exact nor a bound once the target's bias is not 0"
        guard !runs.isEmpty else { return opening + "." }
        let withW = runs.compactMap { results.applicableThreshold(of: $0) }
        guard !withW.isEmpty else {
            return opening + "; no run's target has a weights-only threshold (the product of its weights and their clean gradient is at most 0), "
                + "so nothing bounds the budget that cancels it."
        }
        let kind: String
        if results.applicableThresholdIsExact(series: series) {
            kind = "exact when the poisons' features are free (with project they stay in the clean rows' box, where it is necessary)"
        } else if results.tauIsLowerBound(series: series) {
            kind = "a lower bound, from the last layer's weights with the hidden representation relaxed to any logits"
        } else {
            kind = "a lower bound, each poison's term being at least −W₀((c − 1)/e) − (max_k b_k − b_y)"
        }
        let ratios = pairs.map { $0.0 / $0.1 }
        return opening + "; the threshold that applies is the weights-only τ_w of each run's target and poison labels, "
            + "\(span(withW, percent)) over the \(runs.count) run\(runs.count == 1 ? "" : "s") at positive budgets"
            + (ratios.isEmpty ? "" : " (\(span(ratios) { fixed($0, decimals: 2) }) τ)")
            + (withW.count < runs.count ? ", none for \(runs.count - withW.count)" : "") + ", \(kind)."
    }

    /// Why series `series` (`cancel: first-layer` on an MLP, `StudyResults.thresholdDerived(series:)`
    /// false) is not judged against a threshold, and what its runs did: per seed the first swept budget
    /// at which the first layer's mixed gradient is at most `TargetBudget.cancelledRatio` of the clean
    /// one (`budget`'s seeds), and the gradients it leaves there: the later layers' weights'
    /// (`laterLayersGradientRatio`) and the biases' (`biasGradientRatio`), over its runs at positive budgets.
    static func noThresholdSentence(_ results: StudyResults, series: Int, budget: TargetBudget?) -> String {
        let runs = results.runs.filter { $0.series == series && $0.fraction > 0 && $0.metrics != nil }
        var sentence = "No threshold is derived for this series, so it is not judged against one: τ and τ_w are conditions on the last "
            + "layer's gradient, which cancel: first-layer leaves out, and none is derived for the first layer's gradient alone"
        if let budget, !budget.seeds.isEmpty {
            sentence += ". Per seed, the first swept budget at which the first layer's mixed gradient is at most "
                + "\(ratioText(TargetBudget.cancelledRatio)) of the clean one: "
                + budget.seeds.map { "seed \($0.seed) " + ($0.budget.map { "at \(percent($0))" } ?? "not in the swept range") }.joined(separator: ", ")
        }
        let later = runs.compactMap { $0.metrics?[MetricKey.laterLayersGradientRatio] }, bias = runs.compactMap { $0.metrics?[MetricKey.biasGradientRatio] }
        if !later.isEmpty || !bias.isEmpty {
            sentence += "; at positive budgets the gradient it does not cancel is left at "
                + [later.isEmpty ? nil : "\(span(later, ratioText)) of the clean one for the later layers' weights",
                   bias.isEmpty ? nil : "\(span(bias, ratioText)) for the biases"].compactMap { $0 }.joined(separator: " and ")
                + ", so the target need not be stationary on the mixture where the first layer's is cancelled"
        }
        return sentence + "."
    }

    /// A row per gradient-canceling series of `results`; τ(c) of softmax regression with more than two
    /// classes is only a necessary condition, and an MLP's (its last layer's) only a lower bound on the
    /// budget, which the cell says.
    static func predictedRows(of results: StudyResults) -> [PredictedRow] {
        results.series.indices.filter { series in
            results.config.attacks[results.series[series].attack].value(at: "kind") == .string(GradientCanceling.kind)
        }.map { series in
            let evidence = PoisonabilityEvidence(results, series: series)
            let budget = results.targetBudgets?.first { $0.series == series }
            guard results.thresholdDerived(series: series) else {
                return PredictedRow(series: results.series[series].label,
                                    tau: "none derived (cancel: first-layer: τ is the last layer's condition, which it leaves out)",
                                    targetAccuracy: evidence.targetAccuracy.isNaN ? "n/a" : fixed(evidence.targetAccuracy, decimals: 3),
                                    stationaryFrom: budget.map { "first layer only: " + $0.cell } ?? "n/a",
                                    threshold: thresholdText(results.fits[series].threshold, estimate: results.statistics.series[series].threshold,
                                                             brackets: true),
                                    ratios: "n/a (no threshold derived)",
                                    findings: [methodSentence(results, series: series), noThresholdSentence(results, series: series, budget: budget)]
                                        + (budget.map { [$0.victimSentence] } ?? []))
            }
            // Without τ the cell says whether the target is stationary on its own training rows, as τ takes it to be.
            let necessaryOnly = !results.applicableThresholdIsExact(series: series)
            let symbol = results.thresholdSymbol(series: series)
            // "No threshold exists" only where a run computed none (⟨W, G⟩ ≤ 0); without a finished run at a positive budget none was computed.
            var tau = evidence.seedsWithoutThreshold > 0 ? "none (no threshold exists)" : "not computed (no finished run at a positive budget)"
            if let own = evidence.targetGradientRatio, own > PoisonabilityEvidence.cancelledRatio {
                tau = "none at these parameters (target not stationary: its gradient on its own training rows is up to \(ratioText(own)) "
                    + "of the clean one, above \(ratioText(PoisonabilityEvidence.cancelledRatio)))"
            }
            if !evidence.taus.isEmpty {
                let interval = budget?.tau?.interval
                tau = "\(symbol) = " + percent(evidence.taus.reduce(0, +) / Double(evidence.taus.count))
                    // τ is positive: a lower end at 0 is the t interval's, clipped there (`TargetBudget.tau`), and marked as the budget's is.
                    + (interval?.lower.flatMap { lower in interval?.upper.map { " [\(percent(lower))\(lower == 0 ? " (clipped)" : ""), \(percent($0))]" } } ?? "")
                    + " (seeds \(span(evidence.taus, percent)))"
                if results.tauIsLowerBound(series: series) {
                    tau += ", a lower bound (last layer only)"
                } else if necessaryOnly {
                    tau += ", necessary only"
                }
                if evidence.seedsWithoutThreshold > 0 {
                    tau += "; none for \(evidence.seedsWithoutThreshold) seed\(evidence.seedsWithoutThreshold == 1 ? "" : "s")"
                }
            }
            let (below, above) = evidence.sides
            let around = [below.last.map { ($0, "below") }, above.first.map { ($0, "above") }].compactMap { $0 }.map { point, side in
                "\(ratioText(point.gradientRatio)) at \(percent(point.fraction)) (every run \(side) its own \(symbol); no effect "
                    + "\(ratioText(1 / (1 + point.fraction))))"
            }
            return PredictedRow(series: results.series[series].label, tau: tau,
                                targetAccuracy: evidence.targetAccuracy.isNaN ? "n/a" : fixed(evidence.targetAccuracy, decimals: 3),
                                stationaryFrom: budget?.cell ?? "n/a",
                                threshold: thresholdText(results.fits[series].threshold, estimate: results.statistics.series[series].threshold,
                                                         brackets: true),
                                ratios: around.isEmpty ? "n/a" : around.joined(separator: "; "),
                                findings: [methodSentence(results, series: series)] + (weightsOnlySentence(results, series: series).map { [$0] } ?? [])
                                    + [evidence.parameterSpaceSentence]
                                    + (budget.map { [$0.sentence(necessaryOnly: necessaryOnly, symbol: symbol), $0.victimSentence] } ?? [])
                                    + (biasLeftoverSentence(results, series: series).map { [$0] } ?? [])
                                    + (results.tauIsLowerBound(series: series) ? [lowerBoundSentence(norms: victimNorms(results, series: series), symbol: symbol)] : [])
                                    + (evidence.accuracySentence.map { [$0] } ?? []) + (evidence.stationaritySentence.map { [$0] } ?? []))
        }
    }

    /// "2.0%–40.0%": the least and largest of `values` (not empty) as `text` writes them, one number when they are equal.
    static func span(_ values: [Double], _ text: (Double) -> String) -> String {
        let low = text(values.min()!), high = text(values.max()!)
        return low == high ? low : "\(low)–\(high)"
    }

    /// The victims' gradient norms (`victimGradientNorm`) of series `series` at positive budgets.
    static func victimNorms(_ results: StudyResults, series: Int) -> [Double] {
        results.runs.filter { $0.series == series && $0.fraction > 0 }.compactMap { $0.metrics?[MetricKey.victimGradientNorm] }
    }
}
