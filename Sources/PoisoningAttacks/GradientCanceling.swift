import Foundation
import PoisoningData
import PoisoningModels
import PoisoningTheory
import PoisoningUtilities

/// Gradient Canceling (GC), Lu, Kamath and Yu (2023, "Exploring the limits of model-targeted
/// indiscriminate data poisoning attacks", ICML), Algorithm 1: poisons crafted so that a chosen
/// target model w (`target:`, one of the study's `targets`) is stationary on the clean rows plus the
/// poisons, so that the victim retrained on them lands at w.
///
/// Per run: the victim's clean model (white box: the run's model, settings and seed on the clean
/// training rows), the target made from it (`TargetModel`), both trained once per series and seed
/// (`trainedModels`, the study's), then m = round(fraction · n) poisons
/// added to the n clean rows (ε_d = m/n, the run's fraction):
/// 1. Poison j starts as a copy of a clean training row, the first m picks of a partial Fisher-Yates
///    shuffle on the stream (seed, "poison-samples"), its label kept; above ε_d = 1 (more poisons than
///    rows, the attack adds rows) the picks go round again: poison j starts as pick j mod n.
/// 2. Its features descend L = ½‖g(μ; w) + ε_d g(ν; w)‖², the paper's objective
///    (`GradientCancelingObjective`: one double-backward pass over the poisons per evaluation), the
///    whole poison set as the batch, at most T = 1,000 steps (`steps`), by the `optimizer`:
///    `lbfgs` (the default), projected L-BFGS with a backtracking line search (`descendByLBFGS`), or
///    `sgd-momentum`, Algorithm 1's SGD with momentum 0.9 and a cosine schedule (`descendBySGD`);
///    either stops early once the mixed gradient is cancelled well past the rule the report judges a
///    run by (`cancelledRatio`, 10⁻³), ‖g(mixture; w)‖ ≤ 10⁻⁵ ‖g(μ; w)‖ (`stoppingRatio`);
/// 3. after each step the features are projected into the clean training rows' per-feature range
///    [min, max] (unless `project: false`).
/// The poisoned set is the clean rows followed by the poisons (rows n..<n + m, the poisoned rows).
/// Deviations from the paper. (a) The default optimiser: Algorithm 1 steps at a fixed learning rate
/// (0.5) with momentum and a cosine schedule. A fixed rate is not scale-free: a poison's gradient of L
/// is ‖v‖/n² times the gradient of the summed norm N = n√(2L), so one rate moves the poisons by
/// amounts that depend on n, on the data's scale and on how much of the clean gradient is already
/// cancelled; on the make_classification data of `examples/poisonability` SGD at 0.5 on N left the
/// runs above τ uncancelled (1.9e-2 of the clean gradient at 2τ), where L-BFGS cancels them
/// (`GradientCancelingDescentTests`), and no single rate suited both those data and the reference
/// data. So `lbfgs` is the default: each step is chosen by an Armijo line search (α halved until L
/// falls by at least 10⁻⁴ of the decrease its gradient predicts, at most `maximumHalvings` times,
/// and at most Algorithm 1's 1 + T evaluations of L in all), so
/// L falls at every accepted step and the descent cannot diverge; a step whose search fails along
/// the L-BFGS direction and then along the gradient counts as stalled, and after
/// `maximumStalledSteps` stalled steps in a row the descent stops, recording `descentStalled`
/// unless the mixed gradient is cancelled. (b) `sgd-momentum` follows Algorithm 1 (momentum 0.9,
/// cosine schedule, `learning-rate` 0.5) but descends N instead of L, as the authors' code
/// (github watml/plim, `GC/mnist_lr-0.03.py`: summed per-row gradients, their norm stepped at 10
/// without momentum, stopping once N < 1) does: on L itself a step of 0.5 moves a poison by 10⁻⁴ of
/// the step on N at n = 1,000, so the poisons barely move. (c) Both stop once the mixed gradient is
/// cancelled (Algorithm 1 runs its T steps). (d) Which parameters' gradient g is (`cancel`). The
/// paper's text (Algorithm 1 and its objective, THEORY.md §2) takes g over the model's parameters w,
/// every layer's; the authors' code (github watml/plim) cancels one weight matrix: the linear layer's
/// weight of logistic regression (`GC/mnist_lr-0.03.py`), and of a network the first layer's weight
/// only, `grad_p[0]` (`GC/mnist_nn-0.03-5e-1.py`: fc1 of 784 → 128 → 10; `GC/mnist_cnn-0.03.py`: conv1),
/// the later layers and every bias left out. `cancel: weights` (the default) follows the text over
/// every layer's weights, the biases left out as the code leaves them out (for softmax regression
/// this is the code too); `cancel: first-layer` follows the code for networks, the first layer's
/// weights only (for softmax regression, one layer, the same as `weights`), and records the later
/// layers' leftover ‖g_{W_2…W_L}(mixture)‖/‖g_{W_2…W_L}(μ)‖ (`laterLayersGradientRatio`). On a network
/// with hidden layers THEORY.md's threshold does not apply to it: τ and τ_w are conditions on the last
/// layer, which it leaves out, so such a run records no τ_w and the report derives no threshold for it
/// (`StudyResults.applicableThreshold(of:)` is nil). The layers are not independent, though: for a
/// ReLU network each row's <W_l, ∇_{W_l} ℓ> = <W_{l+1}, ∇_{W_{l+1}} ℓ> − <b_l, ∇_{b_l} ℓ> (δ_l = D_l W_{l+1}ᵀ δ_{l+1}
/// and D_l a_l = h_l), so cancelling the first layer's gradient imposes τ_w's condition on the last
/// layer up to the hidden biases' terms; a bound could be derived from that, and none is here. Without the biases their leftover,
/// ‖g_b(mixture)‖/‖g_b(μ)‖, is recorded (`biasGradientRatio`). τ counts the bias as a feature that is
/// always 1, so for the weights' gradient alone it is neither exact nor a bound once the target's bias
/// is not 0 (r24f: binary runs cancelled at 0.18 τ); the threshold that applies is the weights-only τ_w
/// (`weightsOnlyThreshold(of:on:poisonLabels:)`, recorded as `weightsOnlyThreshold`), exact for binary
/// logistic regression with free features, a lower bound for an MLP and more than two classes.
/// `cancel: weights-and-bias` cancels
/// the biases' gradient too, so the target's bias is reached too, but then τ is only necessary: each
/// poison's gradient is s(x, 1), and its bias entry, the constant 1, is no free feature, so cancelling
/// it needs Σ_j s_j = −n g_b beside τ's condition, which the poisons' kept labels make infeasible
/// until well above τ when g_b ≠ 0 (r24e: on binary logistic GradPC targets from 1.25τ to 6τ).
///
/// Each run records the threshold τ of its target (`poisonabilityThreshold`, absent when none exists),
/// with `cancel: weights` its weights-only τ_w for the run's poison labels (`weightsOnlyThreshold`, absent when none exists),
/// the target's test accuracy and its distance from the clean model, ‖g(μ; w)‖, the norm of its last
/// layer (`targetNorm`, which bounds the mixed gradient below τ), for a target trained
/// on rows (label-flip) its gradient on those rows (`targetGradientNorm`: 0 when its training reached
/// stationarity, which τ of a trained target takes for granted), and the final
/// ‖g(mixture; w)‖ (`mixedGradientNorm`, over the n + m rows); the runner adds the retrained victim's
/// distance from the target and their agreement on the test rows (`PoisonedTrainingSet.target`), a
/// softmax-regression victim trained on to convergence first (`PreparedRun.victim`), and the
/// victim's gradient norm on its training rows (`victimGradientNorm`).
/// Softmax regression (`logistic`) and MLPs are attacked (`GradientCancelingObjective`: the gradient
/// over every parameter, each poison's by one double-backward pass); a study pairing the attack with
/// a model without that capability (`ModelCapability.mixedSecondDerivative`) is refused when it is read.
public struct GradientCanceling: TargetedAttack {
    /// "gradient-canceling".
    public static let kind = "gradient-canceling"
    /// The retrained victim's agreement with its target (over the clean model's), never τ: τ is a budget, not a rate.
    public static let successMetricKey: String? = MetricKey.targetAgreement
    /// One sentence for help and commented study files.
    public static let summary = "Lu et al.'s Gradient Canceling: added poisons whose gradient cancels the clean gradient at a target model."

    /// The label of the study's target it aims at.
    public let targetLabel: String
    /// The target, once the study has matched `targetLabel` (nil until then).
    public let target: (any TargetModel)?
    /// Descent steps.
    public let steps: Int
    /// How the poisons descend: projected L-BFGS on L (the default) or Algorithm 1's SGD with momentum on N.
    public let optimizer: GradientCancelingOptimizer
    /// Which parameters' gradient the poisons cancel: every layer's weights (the default, the paper's
    /// text without the biases), the first layer's weights (the authors' network code) or the weights
    /// and the biases.
    public let cancel: CanceledGradient
    /// With `lbfgs`, the first step size α₀ the line search tries along the gradient of L (later
    /// gradient steps start from twice the last accepted one); with `sgd-momentum`, the first step's
    /// learning rate η on N.
    public let learningRate: Double
    /// Whether features are projected into the clean rows' per-feature range after each step.
    public let project: Bool
    /// Where the clean model and the target come from: the study's (`aimed(at:trainedModels:)`), so
    /// that they are trained once per series and seed and shared with the runs' target measurements.
    public let trainedModels: TrainedModelCache
    /// The implementation of the objective: `.fast` unless a benchmark or test asks for the plain
    /// reference, which gives the same bits (`GradientCancelingKernel`).
    public let kernel: GradientCancelingKernel
    /// The Armijo constant: a step is accepted when L falls by at least this share of the decrease
    /// its gradient predicts.
    static let sufficientDecrease = 1e-4
    /// The halvings of the step the line search tries along one direction before it gives up
    /// (2⁻¹² ≈ 2.4e-4 of its first trial); a step whose search fails along the L-BFGS direction and
    /// then along the gradient counts as stalled, and the next gradient step starts from the smallest
    /// step tried, so three stalled steps in a row search down to 2⁻³⁹ of the first trial.
    static let maximumHalvings = 12
    /// The stalled steps in a row after which the L-BFGS descent stops (N has stopped falling).
    static let maximumStalledSteps = 3
    /// Algorithm 1's momentum (`sgd-momentum`).
    static let momentum = 0.9
    /// The curvature pairs L-BFGS keeps: 5, not SciPy's 10, because with softmax regression's cheap
    /// objective (about 265 multiply-adds per poison on the reference data) the two-loop recursion
    /// (about 25 per feature per pair) cost twice the objective at 10 pairs.
    static let memory = 5
    /// The mixed/clean gradient ratio below which the mixture counts as stationary at the target
    /// (`PoisonabilityEvidence.cancelledRatio`); an L-BFGS descent that stalls above it records `descentStalled`.
    public static let cancelledRatio = 1e-3
    /// The mixed/clean gradient ratio at which either descent stops: a hundredth of `cancelledRatio`,
    /// because a victim retrained on poisons stopped at 10⁻³ lay 1-4% of the target's norm from it on
    /// `examples/poisonability` (the report asks for 1%), and L-BFGS takes few steps from 10⁻³ to 10⁻⁵.
    static let stoppingRatio = 1e-5
    /// The defaults of `steps` and `learning-rate`: the paper's 1,000 steps, and its learning rate 0.5
    /// (with `lbfgs` the line search's first trial step along the gradient, where any value works: it
    /// is halved or doubled).
    public static let defaultSteps = 1000, defaultLearningRate = 0.5

    /// The attack aiming at the target labelled `targetLabel`, with these settings, its clean models
    /// and targets kept in `trainedModels` (by default its own, for the seeds of one series), its
    /// objective computed by `kernel`.
    public init(targetLabel: String, target: (any TargetModel)? = nil, optimizer: GradientCancelingOptimizer = .lbfgs, cancel: CanceledGradient = .weights,
                steps: Int = defaultSteps,
                learningRate: Double = defaultLearningRate, project: Bool = true, trainedModels: TrainedModelCache = TrainedModelCache(capacity: 32), kernel: GradientCancelingKernel = .fast) {
        precondition(steps > 0 && learningRate > 0, "positive settings required")
        self.targetLabel = targetLabel
        self.target = target
        self.optimizer = optimizer
        self.cancel = cancel
        self.steps = steps
        self.learningRate = learningRate
        self.project = project
        self.trainedModels = trainedModels
        self.kernel = kernel
    }

    /// Reads `target`, `optimizer`, `cancel`, `steps`, `learning-rate` and `project`.
    public init(parameters: inout ParameterReader) throws {
        guard parameters.contains("target") else { throw parameters.missing("target") }
        let label = try parameters.string("target", help: "The label of one of the study's targets, e.g. \"gradpc 0.5\" or \"label-flip 0.5\".")
        let optimizer = try parameters.string("optimizer", default: GradientCancelingOptimizer.lbfgs.rawValue,
                                              oneOf: GradientCancelingOptimizer.allCases.map(\.rawValue),
                                              help: "How the poisons descend: lbfgs (the default: projected L-BFGS on the paper's objective L with a backtracking line search, scale-free, cannot diverge) or sgd-momentum (the paper's Algorithm 1: SGD with momentum 0.9 and a cosine schedule, on the norm of the summed gradient as the authors' code).")
        let cancel = try parameters.string("cancel", default: CanceledGradient.weights.rawValue, oneOf: CanceledGradient.allCases.map(\.rawValue),
                                           help: "Which gradient the poisons cancel: weights (the default: every layer's weights, as the paper's text takes the gradient over the model's parameters (Algorithm 1), with every bias left out as the authors' code leaves it out, its leftover recorded as biasGradientRatio; the threshold that applies is the weights-only τ_w, recorded as weightsOnlyThreshold, not τ), first-layer (the first layer's weights only, as the authors' network code, github watml/plim GC/mnist_nn-0.03-5e-1.py; the same as weights for logistic, which has one layer; on an mlp τ and τ_w, conditions on the last layer, do not apply, so the report derives no threshold, and the later layers' leftover is recorded as laterLayersGradientRatio) or weights-and-bias (the biases too, so the target's bias is reached too, but τ is then only a necessary budget: the bias's entry is no free feature).")
        self.init(targetLabel: label, optimizer: GradientCancelingOptimizer(rawValue: optimizer)!, cancel: CanceledGradient(rawValue: cancel)!,
                  steps: try parameters.int("steps", default: Self.defaultSteps, in: 1...1_000_000,
                                            help: "lbfgs: the most evaluations of the objective (line-search trials included; the start counts one, so at most steps accepted steps). sgd-momentum: the descent steps on the poisons (one evaluation each)."),
                  learningRate: try parameters.double("learning-rate", default: Self.defaultLearningRate, in: 1e-9...1e9,
                                                      help: "lbfgs: the first step size the line search tries along the gradient of the paper's objective L (L-BFGS steps try 1); it is halved until L falls enough and the next gradient step tries twice the accepted one, so any positive value works. sgd-momentum: the first step's learning rate on the norm of the summed gradient, brought to 0 at the last step by a cosine schedule. The default 0.5 is the paper's learning rate."),
                  project: try parameters.bool("project", default: true,
                                               help: "Project the poisons' features into the clean training rows' per-feature range after each step."))
    }

    /// "gradient-canceling → gradpc 0.5", with the settings that differ from the defaults.
    public var label: String {
        var details = [String]()
        if optimizer != .lbfgs { details.append(optimizer.rawValue) }
        if cancel != .weights { details.append(cancel.rawValue) }
        if steps != Self.defaultSteps { details.append("\(steps) steps") }
        if learningRate != Self.defaultLearningRate { details.append("lr \(learningRate)") }
        if !project { details.append("unprojected") }
        return "gradient-canceling → \(targetLabel)" + (details.isEmpty ? "" : " (\(details.joined(separator: ", ")))")
    }

    /// This attack with its target, its clean models and targets taken from `trainedModels`.
    public func aimed(at target: any TargetModel, trainedModels: TrainedModelCache) -> any PoisoningAttack {
        GradientCanceling(targetLabel: targetLabel, target: target, optimizer: optimizer, cancel: cancel, steps: steps, learningRate: learningRate,
                          project: project, trainedModels: trainedModels, kernel: kernel)
    }

    /// This attack with its objective computed by `kernel` (the same bits, at another speed).
    public func computed(by kernel: GradientCancelingKernel) -> GradientCanceling {
        GradientCanceling(targetLabel: targetLabel, target: target, optimizer: optimizer, cancel: cancel, steps: steps, learningRate: learningRate,
                          project: project, trainedModels: trainedModels, kernel: kernel)
    }

    /// True: the poisons are added to the clean rows, so ε_d may exceed 1 (τ often does).
    public var addsRows: Bool { true }

    /// The parameter vector with its gradient, and the input derivative of that gradient along a
    /// vector (softmax regression and MLPs).
    public var requirements: Set<ModelCapability> { [.parameterGradient, .mixedSecondDerivative] }

    /// Its metrics; `descentStalled` with the `lbfgs` optimiser only (`sgd-momentum` has no line search).
    public var metrics: [MetricInfo] {
        let all = [
            MetricInfo(key: MetricKey.poisonabilityThreshold, name: "Threshold τ",
                       meaning: "poison budget below which no poison set reaches the target (Lu et al. 2023), for this seed's target"),
            MetricInfo(key: MetricKey.weightsOnlyThreshold, name: "Weights-only threshold τ_w",
                       meaning: "poison budget below which no poison set with this run's poison labels cancels the weights' gradient at the target (cancel: weights, and first-layer on softmax regression, where it is the same): exact for binary logistic regression, a lower bound for MLPs and more than two classes"),
            MetricInfo(key: MetricKey.targetAccuracy, name: "Target accuracy", meaning: "test accuracy of the target model"),
            MetricInfo(key: MetricKey.targetShift, name: "Target's distance from clean",
                       meaning: "‖w_target − w_clean‖ / ‖w_clean‖ over every parameter, the last layer centred (its class-sum direction, which predictions ignore, removed)"),
            MetricInfo(key: MetricKey.cleanGradientNorm, name: "Clean gradient norm", meaning: "‖g(clean rows; w_target)‖ over the weights (with cancel: weights-and-bias, every parameter; with cancel: first-layer, the first layer's weights), the gradient the poisons must cancel"),
            MetricInfo(key: MetricKey.targetGradientNorm, name: "Target's own gradient norm",
                       meaning: "‖g(the target's own training rows; w_target)‖, 0 for a target trained to stationarity (label-flip targets only)"),
            MetricInfo(key: MetricKey.targetNorm, name: "Target's last-layer norm",
                       meaning: "‖θ‖ of the target's last layer (weights and bias, centred: its class-sum direction removed), which bounds the mixed gradient below τ"),
            MetricInfo(key: MetricKey.mixedGradientNorm, name: "Mixed gradient norm",
                       meaning: "‖g(clean rows and poisons; w_target)‖ over the weights (with cancel: weights-and-bias, every parameter; with cancel: first-layer, the first layer's weights) after the attack's last step"),
            MetricInfo(key: MetricKey.biasGradientRatio, name: "Bias gradient left",
                       meaning: "‖g_bias(clean rows and poisons; w_target)‖ / ‖g_bias(clean rows; w_target)‖: the biases' gradient, which cancel: weights and first-layer leave uncancelled, as the authors' code"),
            MetricInfo(key: MetricKey.laterLayersGradientRatio, name: "Later layers' gradient left",
                       meaning: "‖g_W(clean rows and poisons; w_target)‖ / ‖g_W(clean rows; w_target)‖ over the weights of every layer after the first, which cancel: first-layer leaves uncancelled, as the authors' network code (networks with hidden layers only)"),
            MetricInfo(key: MetricKey.descentStalled, name: "Descent stalled",
                       meaning: "share of seeds whose L-BFGS descent stopped because its line search found no step lowering the objective for 3 steps in a row, the mixed gradient still above 1e-3 of the clean one (per run 1 or 0)"),
            MetricInfo(key: MetricKey.descentExhausted, name: "Descent exhausted",
                       meaning: "share of seeds whose descent used all its evaluations of the objective (steps + 1 with lbfgs, line-search trials included; steps with sgd-momentum), the mixed gradient still above 1e-3 of the clean one (per run 1 or 0)"),
            MetricInfo(key: MetricKey.victimGradientNorm, name: "Victim's gradient norm",
                       meaning: "‖g(the rows the victim trained on; w_victim)‖, at most 1e-5 for a converged victim"),
            MetricInfo(key: MetricKey.targetDistance, name: "Victim's distance from target",
                       meaning: "‖w_victim − w_target‖ / ‖w_target‖ over every parameter, the last layer centred (its class-sum direction, which predictions ignore, removed)"),
            MetricInfo(key: MetricKey.targetAgreement, name: "Agreement with target",
                       meaning: "share of test rows on which the retrained victim and the target predict the same class", hasBaseline: true),
        ]
        return all.filter { (optimizer == .lbfgs || $0.key != MetricKey.descentStalled)
            && (!cancel.cancelsBias || ($0.key != MetricKey.biasGradientRatio && $0.key != MetricKey.weightsOnlyThreshold))
            && (cancel == .firstLayer || $0.key != MetricKey.laterLayersGradientRatio) }
    }

    /// The keys of its metrics that describe the seed's clean model and target only, the same at
    /// every fraction: τ, the target's accuracy and distance from clean, the clean gradient norm and
    /// the target's own gradient norm.
    public static let fractionIndependentKeys: Set<String> = [MetricKey.poisonabilityThreshold, MetricKey.targetAccuracy,
                                                              MetricKey.targetShift, MetricKey.cleanGradientNorm,
                                                              MetricKey.targetGradientNorm, MetricKey.targetNorm]

    /// The poisoned set (clean rows and poisons), the target's parameters; while it works, the clean
    /// model's and the target's training, the poisons with their gradient, direction and L-BFGS pairs in Double, and
    /// per poison its activations (inputs and hidden units), δs (hidden units and classes) and p.
    public func memoryNeed(_ sizes: RunSizes) -> MemoryNeed {
        let (n, d, p) = (sizes.n, sizes.d, sizes.p)
        let hidden = Double((sizes.model as? NetworkShape)?.hidden.reduce(0, +) ?? 0)
        let descent: Double = Double(5 + 2 * Self.memory) * 8 * p * d   // poisons, trial, gradients, direction and the L-BFGS pairs
        return MemoryNeed(kept: 4 * (n + p) * d + 16 * (n + p) + 8 * p + 2 * sizes.parameterBytes,
                          working: sizes.trainingBytes + 2 * sizes.trainEvaluationBytes + descent + 8 * p * (d + 2 * hidden + 2 * sizes.c)
                            + 4 * 8 * sizes.parameterBytes)
    }

    public func poison(_ split: TrainTestSplit, fraction: Double, seed: UInt64, trainer: ModelTrainer) -> PoisonedTrainingSet? {
        switch kernel {
        case .fast: poison(split, fraction: fraction, seed: seed, trainer: trainer, objective: GradientCancelingObjective.self)
        case .reference: poison(split, fraction: fraction, seed: seed, trainer: trainer, objective: ReferenceGradientCancelingObjective.self)
        }
    }

    /// `poison(_:fraction:seed:trainer:)` with the objective computed by `Objective`.
    private func poison<Objective: CancelingObjective>(_ split: TrainTestSplit, fraction: Double, seed: UInt64, trainer: ModelTrainer,
                                                      objective _: Objective.Type) -> PoisonedTrainingSet? {
        guard let target else { preconditionFailure("a gradient-canceling attack ran before the study matched its target") }
        let train = split.train, n = train.count, d = train.featureCount
        guard let made = trainedModels.target(target, seed: seed, trainer: trainer, on: train),
              let clean = made.clean as? NetworkParameters, let aim = made.target as? NetworkParameters else { return nil }
        let count = poisonCount(fraction: fraction, of: n)
        var rows = Array(0..<n)
        var stream = Xoshiro256StarStar(seed: seed, purpose: "poison-samples")
        stream.choosePrefix(min(count, n), of: &rows)
        let sources = (0..<count).map { rows[$0 % n] }
        var objective = Objective(target: aim, clean: train, poisonLabels: sources.map { train.labels[$0] }, cancel: cancel)
        var poisons = sources.flatMap { row in train.features[(row * d)..<((row + 1) * d)].map(Double.init) }
        var lower = [Double](repeating: .infinity, count: d), upper = [Double](repeating: -.infinity, count: d)
        for row in 0..<n {
            for j in 0..<d {
                lower[j] = min(lower[j], Double(train.features[row * d + j]))
                upper[j] = max(upper[j], Double(train.features[row * d + j]))
            }
        }
        let outcome = descend(&poisons, objective: &objective, lower: lower, upper: upper)
        var data = train
        data.features += poisons.map(Float.init)
        data.labels += objective.poisonLabels
        let mixed = objective.mixedGradientNorm(poisons)
        var measurements = [
            MetricKey.targetAccuracy: aim.accuracy(on: split.test),
            MetricKey.targetShift: relativeParameterDistance(aim, from: clean),
            MetricKey.cleanGradientNorm: objective.mixedGradientNorm([]),
            MetricKey.targetNorm: centredLastLayerNorm(aim),
            MetricKey.mixedGradientNorm: mixed,
        ]
        if !cancel.cancelsBias {
            let cleanBias = objective.biasGradientNorm([])
            if cleanBias > 0 { measurements[MetricKey.biasGradientRatio] = objective.biasGradientNorm(poisons) / cleanBias }
        }
        // With `first-layer` on a network with hidden layers no threshold applies (τ_w is the last layer's
        // condition, which it leaves out): the later layers' leftover is recorded instead. With one layer
        // `first-layer` is `weights`, and τ_w applies.
        let layers = aim.shape.layers.count
        if cancel == .weights || (cancel == .firstLayer && layers == 1),
           let tauW = weightsOnlyThreshold(of: aim, on: train, poisonLabels: objective.poisonLabels).tau {
            measurements[MetricKey.weightsOnlyThreshold] = tauW
        }
        if cancel == .firstLayer && layers > 1 {
            let cleanLater = objective.laterLayersGradientNorm([])
            if cleanLater > 0 { measurements[MetricKey.laterLayersGradientRatio] = objective.laterLayersGradientNorm(poisons) / cleanLater }
        }
        let cleanNorm = measurements[MetricKey.cleanGradientNorm]!
        let uncancelled = mixed > Self.cancelledRatio * cleanNorm
        if optimizer == .lbfgs { measurements[MetricKey.descentStalled] = outcome.stalled && uncancelled ? 1 : 0 }
        measurements[MetricKey.descentExhausted] = outcome.exhausted && uncancelled ? 1 : 0
        if let tau = poisonabilityThreshold(of: aim, on: train).tau { measurements[MetricKey.poisonabilityThreshold] = tau }
        if let own = target.trainingRows(clean: train, seed: seed) {
            // Over every parameter, whatever `cancel`: τ takes the target for stationary in all of them.
            var ownObjective = Objective(target: aim, clean: own, poisonLabels: [], cancel: .weightsAndBias)
            measurements[MetricKey.targetGradientNorm] = ownObjective.mixedGradientNorm([])
        }
        return PoisonedTrainingSet(data: data, trueLabels: data.labels, poisonedRows: Array(n..<(n + count)),
                                   measurements: measurements, target: aim)
    }

    /// The descent of the features `poisons` [m x d] by the `optimizer` (`descendByLBFGS`,
    /// `descendBySGD`), each stopping once the mixed gradient is cancelled: ‖g(mixture; w)‖ =
    /// ‖v‖ n/(n + m) ≤ r ‖g(μ; w)‖, that is L = ½‖v‖² ≤ ½ (r ‖g(μ; w)‖ (n + m)/n)², r = `stoppingRatio`.
    @discardableResult
    func descend<Objective: CancelingObjective>(_ poisons: inout [Double], objective: inout Objective, lower: [Double], upper: [Double]) -> DescentOutcome {
        guard !poisons.isEmpty else { return DescentOutcome(steps: 0, evaluations: 0, stopped: .cancelled) }
        let n = Double(objective.n), m = Double(poisons.count / lower.count)
        let bound = Self.stoppingRatio * objective.mixedGradientNorm([]) * (n + m) / n
        switch optimizer {
        case .lbfgs: return descendByLBFGS(&poisons, objective: &objective, lower: lower, upper: upper, cancelledLoss: 0.5 * bound * bound)
        case .sgdMomentum: return descendBySGD(&poisons, objective: &objective, lower: lower, upper: upper, cancelledNorm: n * bound)
        }
    }

    /// Projected descent on the paper's objective L = ½‖g(μ; w) + ε_d g(ν; w)‖² (`objective.evaluate`)
    /// over the features `poisons` [m x d], at most `steps` steps of projected L-BFGS (the last
    /// `memory` pairs s = x' − x, y = ∇L(x') − ∇L(x) with ⟨s, y⟩ > 0) with a backtracking (Armijo)
    /// line search, so that the step adapts to the scale of L and of the features whatever n, the data
    /// or `learningRate`:
    ///     r = H ∇L(x)   (the two-loop recursion, H₀ = ⟨s, y⟩/⟨y, y⟩ of the newest pair; r = ∇L(x) without pairs),
    ///     x' = P(x − α r),   P the clip into [lower, upper] with `project`, the identity without,
    /// accepted at the first α of α₀, α₀/2, …, α₀/2^`maximumHalvings` with
    /// L(x') ≤ L(x) − 10⁻⁴ ⟨∇L(x), x − x'⟩ and ⟨∇L(x), x − x'⟩ > 0; α₀ = 1 along an L-BFGS direction,
    /// and along the gradient (no pairs yet, or after a direction failed: the pairs are dropped)
    /// `learningRate` at first, then twice the last step accepted along it. L falls at every accepted
    /// step, so the descent cannot diverge. A step whose search fails along the gradient too is
    /// stalled (the poisons stay; the next gradient search starts from half the smallest step tried).
    /// It stops when L ≤ `cancelledLoss` (the mixed gradient is cancelled), or after
    /// `maximumStalledSteps` stalled steps in a row (N has stopped falling: `DescentOutcome.stalled`),
    /// so a step costs at most 2(`maximumHalvings` + 1) evaluations of L, or once it has evaluated L
    /// `steps` + 1 times, Algorithm 1's count (the start, then one per step), so that it never costs more
    /// evaluations than `sgd-momentum`. Allocates nothing inside the loop.
    func descendByLBFGS<Objective: CancelingObjective>(_ poisons: inout [Double], objective: inout Objective, lower: [Double], upper: [Double],
                                                       cancelledLoss: Double) -> DescentOutcome {
        let d = lower.count, size = poisons.count, memory = Self.memory
        var gradient = [Double](repeating: 0, count: size), direction = gradient, trialGradient = gradient, trial = poisons
        var pastSteps = [[Double]](repeating: gradient, count: memory), pastChanges = pastSteps
        var inverseCurvature = [Double](repeating: 0, count: memory), coefficients = inverseCurvature
        var pairs = 0, newest = -1, stalledSteps = 0, evaluations = 1
        var loss = objective.evaluate(poisons, gradient: &gradient), gradientRate = learningRate
        for step in 0..<steps {
            guard loss > cancelledLoss else { return DescentOutcome(steps: step, evaluations: evaluations, stopped: .cancelled) }
            var accepted = false, searches = 0
            while !accepted && searches < 2 {
                searches += 1
                // r = H ∇L(x) by the two-loop recursion over the stored pairs, newest first.
                for i in 0..<size { direction[i] = gradient[i] }
                for back in 0..<pairs {
                    let k = (newest - back + memory) % memory
                    var dot = 0.0
                    for i in 0..<size { dot += pastSteps[k][i] * direction[i] }
                    coefficients[k] = inverseCurvature[k] * dot
                    for i in 0..<size { direction[i] -= coefficients[k] * pastChanges[k][i] }
                }
                if pairs > 0 {
                    var sy = 0.0, yy = 0.0
                    for i in 0..<size {
                        sy += pastSteps[newest][i] * pastChanges[newest][i]
                        yy += pastChanges[newest][i] * pastChanges[newest][i]
                    }
                    for i in 0..<size { direction[i] *= sy / yy }
                }
                for back in (0..<pairs).reversed() {
                    let k = (newest - back + memory) % memory
                    var dot = 0.0
                    for i in 0..<size { dot += pastChanges[k][i] * direction[i] }
                    let correction = coefficients[k] - inverseCurvature[k] * dot
                    for i in 0..<size { direction[i] += correction * pastSteps[k][i] }
                }
                var rate = pairs > 0 ? 1.0 : gradientRate
                for _ in 0...Self.maximumHalvings {
                    // x' = P(x − α r); the decrease the gradient predicts, ⟨∇L(x), x − x'⟩.
                    var predicted = 0.0
                    for i in 0..<size {
                        trial[i] = poisons[i] - rate * direction[i]
                        if project { trial[i] = min(max(trial[i], lower[i % d]), upper[i % d]) }
                        predicted += gradient[i] * (poisons[i] - trial[i])
                    }
                    guard predicted > 0 else { break }
                    guard evaluations <= steps else { return DescentOutcome(steps: step, evaluations: evaluations, stopped: .exhausted) }
                    evaluations += 1
                    let trialLoss = objective.evaluate(trial, gradient: &trialGradient)
                    if trialLoss <= loss - Self.sufficientDecrease * predicted {
                        loss = trialLoss
                        accepted = true
                        break
                    }
                    rate *= 0.5
                }
                if accepted {
                    stalledSteps = 0
                    if pairs == 0 { gradientRate = 2 * rate }
                    // The pair s = x' − x, y = ∇L(x') − ∇L(x), kept when ⟨s, y⟩ > 0.
                    let slot = (newest + 1) % memory
                    var sy = 0.0
                    for i in 0..<size {
                        pastSteps[slot][i] = trial[i] - poisons[i]
                        pastChanges[slot][i] = trialGradient[i] - gradient[i]
                        sy += pastSteps[slot][i] * pastChanges[slot][i]
                    }
                    if sy > 0 {
                        inverseCurvature[slot] = 1 / sy
                        newest = slot
                        pairs = min(pairs + 1, memory)
                    }
                    swap(&poisons, &trial)
                    swap(&gradient, &trialGradient)
                } else if pairs > 0 {
                    pairs = 0
                    newest = -1
                } else {
                    // Stalled along the gradient: the next search starts below the smallest step tried.
                    gradientRate = rate
                    stalledSteps += 1
                    if stalledSteps >= Self.maximumStalledSteps { return DescentOutcome(steps: step + 1, evaluations: evaluations, stopped: .stalled) }
                    break
                }
            }
        }
        return DescentOutcome(steps: steps, evaluations: evaluations, stopped: loss > cancelledLoss ? .exhausted : .cancelled)
    }

    /// Algorithm 1's descent: SGD with momentum μ = 0.9 and a cosine schedule on the norm of the
    /// summed gradient N = n√(2L) (`objective.evaluateNorm`), the whole poison set as the batch, for
    /// `steps` steps t = 0, 1, …, T − 1:
    ///     η_t = η ½(1 + cos(π t/T)),   u ← μ u + ∂N/∂x,   x ← P(x − η_t u),
    /// η = `learningRate`, u starting at 0, P the clip into [lower, upper] with `project`. It stops
    /// before a step once N ≤ `cancelledNorm` (the mixed gradient is cancelled); it never stalls.
    /// Allocates nothing inside the loop.
    func descendBySGD<Objective: CancelingObjective>(_ poisons: inout [Double], objective: inout Objective, lower: [Double], upper: [Double],
                                                     cancelledNorm: Double) -> DescentOutcome {
        let d = lower.count
        var gradient = [Double](repeating: 0, count: poisons.count), velocity = gradient
        for t in 0..<steps {
            guard objective.evaluateNorm(poisons, gradient: &gradient) > cancelledNorm else { return DescentOutcome(steps: t, evaluations: t + 1, stopped: .cancelled) }
            let rate = learningRate * 0.5 * (1 + cos(Double.pi * Double(t) / Double(steps)))
            for i in poisons.indices {
                velocity[i] = Self.momentum * velocity[i] + gradient[i]
                poisons[i] -= rate * velocity[i]
                if project { poisons[i] = min(max(poisons[i], lower[i % d]), upper[i % d]) }
            }
        }
        return DescentOutcome(steps: steps, evaluations: steps, stopped: .exhausted)
    }
}

/// How gradient canceling's poisons descend (`optimizer:`).
public enum GradientCancelingOptimizer: String, CaseIterable, Sendable {
    /// Projected L-BFGS on the paper's L with a backtracking line search (the default).
    case lbfgs
    /// The paper's Algorithm 1: SGD with momentum and a cosine schedule, on N as the authors' code.
    case sgdMomentum = "sgd-momentum"
}

/// Which parameters' gradient gradient canceling's poisons cancel (`cancel:`).
public enum CanceledGradient: String, CaseIterable, Sendable {
    /// Every layer's weights, the biases left out (the default): the paper's objective over the
    /// parameters w, every layer's, with the biases left out as the authors' logistic-regression code
    /// (`GC/mnist_lr-0.03.py`) leaves its bias out. The threshold that applies is the weights-only τ_w
    /// (`weightsOnlyThreshold(of:on:poisonLabels:)`), not τ, once the target's bias is not 0.
    case weights
    /// Every parameter, the biases included: the target's bias is reached too, but τ is only necessary.
    case weightsAndBias = "weights-and-bias"
    /// The first layer's weights only, as the authors' network code (`GC/mnist_nn-0.03-5e-1.py`,
    /// `GC/mnist_cnn-0.03.py`: the norm of `grad_p[0]`, the first layer's weight); the same as `weights`
    /// for softmax regression, which has one layer. For a network with hidden layers no threshold is
    /// derived (τ and τ_w are conditions on the last layer, which it leaves out).
    case firstLayer = "first-layer"

    /// Whether v keeps the gradient of layer `layer`'s weights (layers counted from 0, the first).
    func cancelsWeights(ofLayer layer: Int) -> Bool { self != .firstLayer || layer == 0 }

    /// Whether v keeps every layer's bias entries.
    public var cancelsBias: Bool { self == .weightsAndBias }
}

/// How a gradient-canceling descent ended (`GradientCanceling.descend`).
struct DescentOutcome: Equatable {
    /// Why a descent stopped.
    enum Stop: Equatable {
        /// The mixed gradient fell to `stoppingRatio` of the clean one.
        case cancelled
        /// L-BFGS: `maximumStalledSteps` steps in a row found no step lowering L (N stopped falling).
        case stalled
        /// It used its evaluations (L-BFGS: `steps` + 1; SGD: `steps`) first.
        case exhausted
    }
    /// The steps it accepted.
    let steps: Int
    /// The evaluations of the objective it made (the start included).
    let evaluations: Int
    /// Why it stopped.
    let stopped: Stop
    /// Whether it stopped because no step along its direction lowered L.
    var stalled: Bool { stopped == .stalled }
    /// Whether it stopped because it ran out of evaluations.
    var exhausted: Bool { stopped == .exhausted }
}

extension MetricKey {
    /// Gradient canceling's descent: 1 when its line search found no step lowering L before the mixed
    /// gradient fell below `GradientCanceling.cancelledRatio` of the clean one (N stopped falling), else 0.
    public static let descentStalled = "descentStalled"
    /// Gradient canceling's descent: 1 when it used all its evaluations of L (`steps` + 1 with L-BFGS,
    /// `steps` with SGD) before the mixed gradient fell below `GradientCanceling.cancelledRatio` of the
    /// clean one, else 0.
    public static let descentExhausted = "descentExhausted"
    /// Gradient canceling with `cancel: weights` or `first-layer`: the leftover gradient of the biases,
    /// which it does not cancel, ‖g_b(clean rows and poisons; w_target)‖ / ‖g_b(clean rows; w_target)‖ (every layer's biases).
    public static let biasGradientRatio = "biasGradientRatio"
    /// Gradient canceling with `cancel: first-layer` on a network with hidden layers: the leftover
    /// gradient of the weights of the layers after the first, which it does not cancel,
    /// ‖g_{W_2…W_L}(clean rows and poisons; w_target)‖ / ‖g_{W_2…W_L}(clean rows; w_target)‖.
    public static let laterLayersGradientRatio = "laterLayersGradientRatio"
    /// Gradient canceling with `cancel: weights` (and `first-layer` on softmax regression, the same
    /// objective there): the weights-only threshold τ_w of its target for the run's poison labels (`weightsOnlyThreshold(of:on:poisonLabels:)`), the budget below which no
    /// poison set cancels the weights' gradient: exact for binary logistic regression (free features),
    /// a lower bound for an MLP and for more than two classes; absent when none exists (<W, G_W> ≤ 0).
    public static let weightsOnlyThreshold = "weightsOnlyThreshold"
    /// Gradient Canceling's target: ‖θ‖ of its last layer (weights and bias; every parameter of
    /// softmax regression), centred (`centredLastLayerNorm`), which bounds the mixed gradient below τ.
    public static let targetNorm = "targetNorm"
}

/// An attack that aims at one of the study's targets (`targets:`), which the study matches to it by
/// label when it is read.
public protocol TargetedAttack: PoisoningAttack {
    /// The label of the target it names.
    var targetLabel: String { get }
    /// This attack with the study's target of that label, the models it trains of the clean rows
    /// (the clean model, the target) taken from the study's `trainedModels`.
    func aimed(at target: any TargetModel, trainedModels: TrainedModelCache) -> any PoisoningAttack
}

/// Gradient Canceling's objective at a target network θ: softmax regression or an MLP, dense layers
/// l = 1…L with a_l = W_l h_{l−1} + b_l, h_0 = x, h_l = ReLU(a_l) = D_l a_l for l < L (D_l = diag(a_l > 0)),
/// logits z = a_L, p = softmax(z), ℓ = −ln p_y. A row's gradient over every parameter (backpropagation):
///     δ_L = p − e_y,   δ_l = D_l W_{l+1}ᵀ δ_{l+1},   ∇_{W_l} ℓ = δ_l h_{l−1}ᵀ,   ∇_{b_l} ℓ = δ_l;
///     v = (Σ_clean ∇_θ ℓ + Σ_poisons ∇_θ ℓ) / n = g(μ; θ) + ε_d g(ν; θ),   L = ½‖v‖².
/// The gradient of L with respect to poison j's features is a mixed second derivative,
///     ∂L/∂x_j = (1/n) ∂f/∂x_j,   f(x) = <v, ∇_θ ℓ(x)> = Σ_l <δ_l, u_l>,   u_l = V_l h_{l−1} + c_l
/// (V_l and c_l the parts of v at W_l and b_l), by one double-backward pass per poison (the masks D_l
/// are piecewise constant, so they contribute nothing more):
/// 1. the adjoints of the backward chain, forward (δ_{l−1} depends on δ_l):
///        β_1 = u_1,   β_l = u_l + W_l D_{l−1} β_{l−1};
/// 2. through the softmax's Jacobian, the adjoint of the logits q_L = (diag(p) − p pᵀ) β_L,
///        q_L,k = p_k (β_L,k − <p, β_L>);
/// 3. backward through the forward network, each h_{l−1} also reaching f through u_l:
///        g_{l−1} = W_lᵀ q_l + V_lᵀ δ_l,   q_{l−1} = D_{l−1} g_{l−1},   down to ∂f/∂x = g_0.
/// For softmax regression (L = 1): ∂f/∂x = Wᵀ (diag(p) − p pᵀ)(V x + c) + Vᵀ (p − e_y).
/// All in Double. Scratch is allocated once: per poison its input and hidden activations, its δs and p.
/// This is the plain reference, written as the formulas read (the transposed products W_{l+1}ᵀ δ and
/// V_lᵀ δ_l walk W and V down their columns); `GradientCancelingObjective`, which the attack runs,
/// gives the same bits faster (`GradientCancelingKernel`).
struct ReferenceGradientCancelingObjective: CancelingObjective {
    /// One dense layer: its sizes, where W_l [outputs x inputs] (row-major) starts in `weights` and
    /// b_l in `bias`, where its part of v [outputs x (inputs + 1)] (each row's bias entry last) starts,
    /// where its inputs start in a row's activations, and where its units start in a row's δs (and,
    /// for a hidden layer, its outputs in a row's activations, after the d inputs).
    struct Layer {
        let inputs, outputs, weightStart, biasStart, gradientStart, inputStart, unitStart: Int
    }

    /// Features, classes, clean rows.
    let d: Int, c: Int, n: Int
    /// The layers, first to last.
    let layers: [Layer]
    /// Every layer's W_l and b_l, from the target's Float parameters.
    let weights: [Double], bias: [Double]
    /// A row's activations (x, then every hidden layer's h_l) and units (every layer's outputs).
    let rowWidth: Int, units: Int
    /// The poisons' labels.
    let poisonLabels: [Int]
    /// Which entries v keeps (the others are set to 0 before L and its gradient).
    let cancel: CanceledGradient
    /// Σ over the clean rows of ∇_θ ℓ, laid out like v.
    private(set) var cleanSum: [Double]
    /// Scratch: v; per poison (slot 0 also serves the clean rows) its activations [m x rowWidth], δs
    /// [m x units] and p [m x c]; one row's β [units] and two adjoints [widest layer].
    private var v: [Double], activations: [Double], deltas: [Double], p: [Double], beta: [Double], adjoint: [Double], nextAdjoint: [Double]

    /// The objective at `target` (softmax regression or an MLP) for the clean rows `clean` and poisons
    /// with `poisonLabels`, v's entries that `cancel` leaves out set to 0.
    init(target: NetworkParameters, clean: Dataset, poisonLabels: [Int], cancel: CanceledGradient) {
        self.cancel = cancel
        let shape = target.shape
        var layers = [Layer](), weights = [Double](), bias = [Double]()
        var gradientStart = 0, unitStart = 0, inputStart = 0
        for layer in shape.layers {
            layers.append(Layer(inputs: layer.inputs, outputs: layer.outputs, weightStart: weights.count, biasStart: bias.count,
                                gradientStart: gradientStart, inputStart: inputStart, unitStart: unitStart))
            for o in 0..<layer.outputs {
                for i in 0..<layer.inputs { weights.append(Double(target.values[layer.weightIndex(output: o, input: i)])) }
            }
            bias += (0..<layer.outputs).map { Double(target.values[layer.biasOffset + $0]) }
            gradientStart += layer.outputs * (layer.inputs + 1)
            inputStart = shape.inputs + unitStart
            unitStart += layer.outputs
        }
        d = shape.inputs
        c = shape.classes
        n = clean.count
        self.layers = layers
        self.weights = weights
        self.bias = bias
        units = unitStart
        rowWidth = d + unitStart - c
        self.poisonLabels = poisonLabels
        let slots = max(poisonLabels.count, 1), widest = shape.layers.map { max($0.inputs, $0.outputs) }.max()!
        cleanSum = []
        v = [Double](repeating: 0, count: gradientStart)
        activations = [Double](repeating: 0, count: slots * rowWidth)
        deltas = [Double](repeating: 0, count: slots * units)
        p = [Double](repeating: 0, count: slots * c)
        beta = [Double](repeating: 0, count: units)
        adjoint = [Double](repeating: 0, count: widest)
        nextAdjoint = adjoint
        for row in 0..<n {
            for i in 0..<d { activations[i] = Double(clean.features[row * d + i]) }
            addRowGradient(slot: 0, label: clean.labels[row])
        }
        cleanSum = v
    }

    /// The forward and backward pass of the row in `slot` (its input x already in its activations):
    /// writes its hidden activations h_l, p = softmax(z) and δs into the slot, and adds its gradient
    /// ∇_θ ℓ = (δ_l ⊗ (h_{l−1}, 1))_l to v.
    private mutating func addRowGradient(slot: Int, label: Int) {
        let a = slot * rowWidth, u = slot * units, top = layers.count - 1
        // Forward: a_l = W_l h_{l−1} + b_l, h_l = max(a_l, 0) for hidden layers; the logits into p.
        for (index, layer) in layers.enumerated() {
            for o in 0..<layer.outputs {
                var value = bias[layer.biasStart + o]
                for i in 0..<layer.inputs { value += weights[layer.weightStart + o * layer.inputs + i] * activations[a + layer.inputStart + i] }
                if index < top { activations[a + d + layer.unitStart + o] = max(value, 0) } else { p[slot * c + o] = value }
            }
        }
        // p = softmax(z), shifted by max z.
        var largest = -Double.infinity
        for k in 0..<c { largest = max(largest, p[slot * c + k]) }
        var total = 0.0
        for k in 0..<c {
            p[slot * c + k] = exp(p[slot * c + k] - largest)
            total += p[slot * c + k]
        }
        for k in 0..<c { p[slot * c + k] /= total }
        // Backward: δ_L = p − e_y, δ_l = D_l W_{l+1}ᵀ δ_{l+1}; v_l += δ_l ⊗ (h_{l−1}, 1).
        for index in layers.indices.reversed() {
            let layer = layers[index]
            for o in 0..<layer.outputs {
                var delta: Double
                if index == top {
                    delta = p[slot * c + o] - (o == label ? 1 : 0)
                } else if activations[a + d + layer.unitStart + o] > 0 {
                    let next = layers[index + 1]
                    delta = 0
                    for k in 0..<next.outputs { delta += weights[next.weightStart + k * next.inputs + o] * deltas[u + next.unitStart + k] }
                } else {
                    delta = 0
                }
                deltas[u + layer.unitStart + o] = delta
                let row = layer.gradientStart + o * (layer.inputs + 1)
                for i in 0..<layer.inputs { v[row + i] += delta * activations[a + layer.inputStart + i] }
                v[row + layer.inputs] += delta
            }
        }
    }

    /// Fills v = (cleanSum + Σ_poisons ∇_θ ℓ) / n, and each poison's activations, δs and p.
    private mutating func fillMixture(_ poisons: [Double]) {
        let m = poisons.count / d
        for i in v.indices { v[i] = cleanSum[i] }
        for j in 0..<m {
            for i in 0..<d { activations[j * rowWidth + i] = poisons[j * d + i] }
            addRowGradient(slot: j, label: poisonLabels[j])
        }
        for i in v.indices { v[i] /= Double(n) }
    }

    /// L = ½‖v‖² at the poisons [m x d] (m = poisonLabels.count), and ∂L/∂x into `gradient` [m x d].
    mutating func evaluate(_ poisons: [Double], gradient: inout [Double]) -> Double {
        precondition(poisons.count == poisonLabels.count * d && gradient.count == poisons.count, "poisons do not fit")
        fillMixture(poisons)
        // The entries `cancel` leaves out are set to 0: without the biases c_l = 0, and with `first-layer`
        // V_l = 0 for l > 1 too, so L = ½‖v_{W_1}‖² and its gradient below.
        for (index, layer) in layers.enumerated() {
            for o in 0..<layer.outputs {
                let row = layer.gradientStart + o * (layer.inputs + 1)
                if !cancel.cancelsWeights(ofLayer: index) { for i in 0..<layer.inputs { v[row + i] = 0 } }
                if !cancel.cancelsBias { v[row + layer.inputs] = 0 }
            }
        }
        let top = layers.count - 1
        for j in 0..<poisonLabels.count {
            let a = j * rowWidth, u = j * units
            // β_l = u_l + W_l D_{l−1} β_{l−1}, u_l = V_l h_{l−1} + c_l; then <p, β_L>.
            var pBeta = 0.0
            for (index, layer) in layers.enumerated() {
                for o in 0..<layer.outputs {
                    let row = layer.gradientStart + o * (layer.inputs + 1)
                    var value = v[row + layer.inputs]
                    for i in 0..<layer.inputs { value += v[row + i] * activations[a + layer.inputStart + i] }
                    if index > 0 {
                        let previous = layers[index - 1]
                        for i in 0..<layer.inputs where activations[a + d + previous.unitStart + i] > 0 {
                            value += weights[layer.weightStart + o * layer.inputs + i] * beta[previous.unitStart + i]
                        }
                    }
                    beta[layer.unitStart + o] = value
                    if index == top { pBeta += p[j * c + o] * value }
                }
            }
            // g_{l−1} = W_lᵀ q_l + V_lᵀ δ_l, q_L = p ∘ (β_L − <p, β_L>), q_{l−1} = D_{l−1} g_{l−1}.
            for index in layers.indices.reversed() {
                let layer = layers[index]
                for i in 0..<layer.inputs {
                    var g = 0.0
                    for k in 0..<layer.outputs {
                        let w = weights[layer.weightStart + k * layer.inputs + i], vk = v[layer.gradientStart + k * (layer.inputs + 1) + i]
                        if index == top {
                            g += w * p[j * c + k] * (beta[layer.unitStart + k] - pBeta) + vk * deltas[u + layer.unitStart + k]
                        } else {
                            g += w * adjoint[k] + vk * deltas[u + layer.unitStart + k]
                        }
                    }
                    if index == 0 {
                        gradient[j * d + i] = g / Double(n)
                    } else {
                        nextAdjoint[i] = activations[a + d + layers[index - 1].unitStart + i] > 0 ? g : 0
                    }
                }
                swap(&adjoint, &nextAdjoint)
            }
        }
        return 0.5 * v.reduce(0) { $0 + $1 * $1 }
    }

    /// ‖g(mixture; θ)‖ = ‖(cleanSum + Σ_poisons ∇ℓ)‖ / (n + m) over the cancelled entries: the mean
    /// gradient over the clean rows and the poisons [m x d] (none: the clean gradient).
    mutating func mixedGradientNorm(_ poisons: [Double]) -> Double { mixtureNorm(poisons, part: .cancelled) }

    /// The same norm over every layer's bias entries only (whether cancelled or not).
    mutating func biasGradientNorm(_ poisons: [Double]) -> Double { mixtureNorm(poisons, part: .biases) }

    /// The same norm over the weights of the layers after the first (whether cancelled or not).
    mutating func laterLayersGradientNorm(_ poisons: [Double]) -> Double { mixtureNorm(poisons, part: .laterLayersWeights) }

    /// ‖v‖ n/(n + m) over the entries of v that `part` names.
    private mutating func mixtureNorm(_ poisons: [Double], part: GradientPart) -> Double {
        let m = poisons.count / d
        precondition(m == 0 || m == poisonLabels.count, "poisons do not fit")
        fillMixture(poisons)
        var total = 0.0
        for (index, layer) in layers.enumerated() {
            let weights = part.includesWeights(ofLayer: index, cancel: cancel), bias = part.includesBias(cancel: cancel)
            for o in 0..<layer.outputs {
                let row = layer.gradientStart + o * (layer.inputs + 1)
                if weights { for i in 0..<layer.inputs { total += v[row + i] * v[row + i] } }
                if bias { total += v[row + layer.inputs] * v[row + layer.inputs] }
            }
        }
        return total.squareRoot() * Double(n) / Double(n + m)
    }
}
