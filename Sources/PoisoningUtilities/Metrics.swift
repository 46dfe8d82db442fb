/// The keys of the metrics every run records; attacks and defenses add their own.
public enum MetricKey {
    /// Accuracy on the clean test set.
    public static let testAccuracy = "testAccuracy"
    /// Accuracy on the rows the model was trained on, against the (poisoned) labels it saw.
    public static let trainAccuracy = "trainAccuracy"
    /// Accuracy on the rows the model was trained on, against their true labels.
    public static let trainCleanAccuracy = "trainCleanAccuracy"
    /// trainAccuracy - testAccuracy.
    public static let generalizationGap = "generalizationGap"
    /// Mean per-row training loss of the final epoch.
    public static let finalLoss = "finalLoss"
    /// Of the rows a defense removed, the fraction the attack had poisoned.
    public static let detectionPrecision = "detectionPrecision"
    /// Of the rows the attack poisoned, the fraction a defense removed.
    public static let detectionRecall = "detectionRecall"
    /// AUROC of a defense's suspicion scores for telling poisoned from clean rows.
    public static let detectionAUROC = "detectionAUROC"
    /// The share of the poisoned rows a defense's suspicion scores find when they may flag 5% of the
    /// clean rows (the true-positive rate at a 5% false-positive rate).
    public static let detectionTPRAt5FPR = "detectionTPRAt5FPR"
    /// Fraction of the training rows a defense removed.
    public static let removedFraction = "removedFraction"
    /// The epoch whose parameters early stopping kept.
    public static let stoppingEpoch = "stoppingEpoch"
    /// DP-SGD's privacy budget ε at its δ (Rényi accountant, assuming Poisson sampling at rate batch/rows).
    public static let privacyEpsilon = "privacyEpsilon"
    /// The Rényi order α at which DP-SGD's ε is smallest, one of `renyiOrders` (1.1 to 1024).
    public static let privacyOrder = "privacyOrder"
    /// Gradient Canceling's target: its poisonability threshold τ (a budget, ≥ 0).
    public static let poisonabilityThreshold = "poisonabilityThreshold"
    /// Gradient Canceling's target: its test accuracy.
    public static let targetAccuracy = "targetAccuracy"
    /// Gradient Canceling's target: ‖w_target − w_clean‖ / ‖w_clean‖, the last layer centred (its
    /// class-sum direction, which predictions ignore, removed: `relativeParameterDistance`).
    public static let targetShift = "targetShift"
    /// Gradient Canceling: ‖g(clean rows; w_target)‖.
    public static let cleanGradientNorm = "cleanGradientNorm"
    /// Gradient Canceling's target: ‖g(its own training rows; w_target)‖, how far it is from
    /// stationary on the rows it was trained on (only for a target trained on rows).
    public static let targetGradientNorm = "targetGradientNorm"
    /// Gradient Canceling: ‖g(clean rows and poisons; w_target)‖ after its last step.
    public static let mixedGradientNorm = "mixedGradientNorm"
    /// ‖w_victim − w_target‖ / ‖w_target‖ for an attack with a target model, the last layer centred
    /// (`relativeParameterDistance`).
    public static let targetDistance = "targetDistance"
    /// ‖g(the rows the victim trained on; w_victim)‖ for an attack with a target model: how far the
    /// retrained victim is from stationary (`targetDistance` and `targetAgreement` are judged only
    /// below `victimGradientTolerance`).
    public static let victimGradientNorm = "victimGradientNorm"
    /// The largest `victimGradientNorm` at which a retrained victim counts as converged: its
    /// agreement with and distance from a target are judged only at or below it. Gradients are
    /// summed in Float, whose rounding over a few thousand rows leaves about 1e-6; 1e-5 sits above it.
    public static let victimGradientTolerance = 1e-5
    /// The share of test rows on which the victim and an attack's target model agree.
    public static let targetAgreement = "targetAgreement"
    /// The share of test rows whose predicted class a model solved to a tolerance (a linear SVM) leaves
    /// undetermined: within the solve's distance from the exact optimum, another class's decision
    /// value may be the largest (`SolvedToleranceClassifier`). Where it is not small, the run's test
    /// accuracy depends on the solver's tolerance rather than on the model.
    public static let undeterminedTestShare = "undeterminedTestShare"
    /// What an attack metric's key ends with for the clean model's rate (`MetricInfo.baseline`).
    public static let baselineSuffix = "Baseline"
    /// What an attack metric's key ends with for its excess over the clean model (`MetricInfo.excess`).
    public static let excessSuffix = "Excess"
    /// The metrics of a retrained victim that mean something only for a converged one (its
    /// `victimGradientNorm` at most `victimGradientTolerance`): its distance from the target, its
    /// agreement with it and that agreement's excess over the clean model's. An unconverged victim
    /// measures where its training stopped as much as the poisons, so its run is left out of these
    /// metrics' means and intervals (`RunResult.countedMetric`).
    public static let convergedVictimKeys: Set<String> = [targetDistance, targetAgreement, targetAgreement + excessSuffix]
    /// The clean model's agreement with the target, the baseline of `targetAgreement`: recorded only
    /// where the clean run's (fraction 0, same series and seed) victim converged (`Study.withCleanBaselines`).
    public static let cleanTargetAgreement = targetAgreement + baselineSuffix

    /// Whether metric `key` is counted only over some seeds' converged victims: a retrained victim's
    /// metric (`convergedVictimKeys`), or the clean model's agreement, recorded only where the clean
    /// run's victim converged. A table keeps such a metric's columns, and counts the runs it leaves out.
    public static func countsOnlyConvergedVictims(_ key: String) -> Bool {
        convergedVictimKeys.contains(key) || key == cleanTargetAgreement
    }

    /// The rate whose excess over the clean model, or clean baseline, `key` is (`key` without
    /// `excessSuffix` or `baselineSuffix`); `key` itself otherwise.
    public static func rate(of key: String) -> String {
        for suffix in [excessSuffix, baselineSuffix] where key.hasSuffix(suffix) { return String(key.dropLast(suffix.count)) }
        return key
    }

    /// The metrics every finished run records, whatever its model, attack and defense.
    public static let recordedByEveryRun = [testAccuracy, trainAccuracy, trainCleanAccuracy, generalizationGap, finalLoss]
    /// The metrics of a defense that scores rows.
    public static let detection = [removedFraction, detectionPrecision, detectionRecall, detectionAUROC, detectionTPRAt5FPR]
    /// The largest loss, stopping epoch and ε a run can have: 1e100, so that the squares a standard
    /// deviation sums stay finite (1e200 times any number of runs, far below Double's 1.8e308; a
    /// bound near Double's own largest value let a tampered run overflow the aggregates to infinity).
    /// Nothing legitimate comes near it: losses are computed from Float logits (below 3.4e38), epochs
    /// are at most 1e6, and a run leaves out an ε beyond it as it leaves out an infinite one.
    public static let largestUnboundedValue = 1e100
}

/// A measurement that an attack adds to every run, e.g. the success rate of a targeted flip.
public struct MetricInfo: Sendable, Codable, Equatable {
    /// The key in a run's metrics, e.g. "targetSuccess".
    public let key: String
    /// A short name for table headers, e.g. "Target success".
    public let name: String
    /// What it measures, in a sentence.
    public let meaning: String
    /// Whether a clean model's rate is subtracted: a rate the unpoisoned model already has (a
    /// trigger's pull, the targets it already misclassifies) is no success of the attack. The runs
    /// of such a metric also record its `baseline` (the rate of the run of the same series and seed
    /// at fraction 0) and its `excess` (the rate minus that baseline).
    public let hasBaseline: Bool

    /// A metric description.
    public init(key: String, name: String, meaning: String, hasBaseline: Bool = false) {
        self.key = key
        self.name = name
        self.meaning = meaning
        self.hasBaseline = hasBaseline
    }

    /// The clean model's rate: the same series' and seed's run at fraction 0 (`key` + "Baseline").
    public var baseline: MetricInfo {
        MetricInfo(key: key + MetricKey.baselineSuffix, name: name + ", clean model",
                   meaning: meaning + ", for the clean model of the same series and seed (fraction 0)")
    }

    /// The rate minus the clean model's (`key` + "Excess"), in [-1, 1].
    public var excess: MetricInfo {
        MetricInfo(key: key + MetricKey.excessSuffix, name: name + ", excess over clean",
                   meaning: meaning + ", minus the same rate of the clean model of the same series and seed (fraction 0)")
    }

    /// The metrics its runs record: the excess and the baseline first (what a reader should quote),
    /// then the rate itself; only the rate when it has no baseline.
    public var recorded: [MetricInfo] { hasBaseline ? [excess, baseline, self] : [self] }
}
