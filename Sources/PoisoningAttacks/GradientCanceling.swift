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
/// training rows), the target made from it (`TargetModel`), then m = round(fraction · n) poisons
/// added to the n clean rows (ε_d = m/n, the run's fraction):
/// 1. Poison j starts as a copy of a clean training row, the first m picks of a partial Fisher-Yates
///    shuffle on the stream (seed, "poison-samples"), its label kept; above ε_d = 1 (more poisons than
///    rows, the attack adds rows) the picks go round again: poison j starts as pick j mod n.
/// 2. Its features descend the norm of the mixture's summed gradient,
///        N = ‖Σ_clean ∇ℓ + Σ_poisons ∇ℓ‖ = n ‖g(μ; w) + ε_d g(ν; w)‖ = n √(2L),
///    L = ½‖g(μ; w) + ε_d g(ν; w)‖² the paper's objective (`GradientCancelingObjective`: one
///    double-backward pass over the poisons per step), by SGD with momentum 0.9 and a cosine schedule,
///    step t of T: η_t = η · ½(1 + cos(π t/T)), by default η = 0.5 and T = 1,000 with the whole
///    poison set as the batch (η = 0.5 is the paper's learning rate for its mean-gradient objective L,
///    used here on N; the authors' code steps N at η = 10 without momentum and without clipping, and
///    stops once N < 1);
/// 3. after each step the features are projected into the clean training rows' per-feature range
///    [min, max] (unless `project: false`).
/// The poisoned set is the clean rows followed by the poisons (rows n..<n + m, the poisoned rows).
/// Deviations from the paper. (a) The descended function: N has L's minimisers (N = n√(2L)) but
/// another scale. The paper writes L with mean gradients; its authors' code (github watml/plim,
/// `GC/mnist_lr-0.03.py`) sums the per-row gradients (`reduction='sum'`) and descends their norm,
/// whose gradient with respect to a poison, ∂N/∂x_j = [∂∇ℓ(x_j)/∂x_j]ᵀ v/‖v‖ (v the summed gradient),
/// depends neither on n nor on how much of the clean gradient is already cancelled, so that a step
/// of η = 0.5 moves the poisons whatever n. Descending L itself, a poison's gradient is ‖v‖/n² times
/// that (10⁻⁴ at n = 1,000): at η = 0.5 the poisons barely move. Descending N on overlapping 10-feature
/// binary data (n = 1,000, cluster std 4, GradPC target at ε_w = 0.5), the mixed gradient falls
/// below 10⁻³ of the clean one at 2τ (`GradientCancelingTests`). (b) Momentum 0.9, as the paper
/// says (the authors' code steps without momentum). (c) The gradient of ℓ with respect to the
/// parameters includes the bias (the authors' code cancels the weights' only), so the target's bias
/// is reached too.
///
/// Each run records the threshold τ of its target (`poisonabilityThreshold`, absent when none exists),
/// the target's test accuracy and its distance from the clean model, ‖g(μ; w)‖, for a target trained
/// on rows (label-flip) its gradient on those rows (`targetGradientNorm`: 0 when its training reached
/// stationarity, which τ of a trained target takes for granted), and the final
/// ‖g(mixture; w)‖ (`mixedGradientNorm`, over the n + m rows); the runner adds the retrained victim's
/// distance from the target and their agreement on the test rows (`PoisonedTrainingSet.target`).
/// Only softmax regression (`logistic`) is attacked: the double-backward pass is written for one
/// linear layer, and a study pairing the attack with another model is refused when it is read.
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
    /// The first step's learning rate η.
    public let learningRate: Double
    /// Whether features are projected into the clean rows' per-feature range after each step.
    public let project: Bool
    /// The momentum of the descent.
    public static let momentum = 0.9
    /// The defaults of `steps` and `learning-rate`: the paper's 1,000 steps and its learning rate 0.5
    /// (stated for the mean-gradient objective), here on the norm of the summed gradient, which the
    /// authors' code descends at 10 (see the type's description).
    public static let defaultSteps = 1000, defaultLearningRate = 0.5

    /// The attack aiming at the target labelled `targetLabel`, with these settings.
    public init(targetLabel: String, target: (any TargetModel)? = nil, steps: Int = defaultSteps, learningRate: Double = defaultLearningRate,
                project: Bool = true) {
        precondition(steps > 0 && learningRate > 0, "positive settings required")
        self.targetLabel = targetLabel
        self.target = target
        self.steps = steps
        self.learningRate = learningRate
        self.project = project
    }

    /// Reads `target`, `steps`, `learning-rate` and `project`.
    public init(parameters: inout ParameterReader) throws {
        guard parameters.contains("target") else { throw parameters.missing("target") }
        let label = try parameters.string("target", help: "The label of one of the study's targets, e.g. \"gradpc 0.5\" or \"label-flip 0.5\".")
        self.init(targetLabel: label,
                  steps: try parameters.int("steps", default: Self.defaultSteps, in: 1...1_000_000, help: "Descent steps on the poisons."),
                  learningRate: try parameters.double("learning-rate", default: Self.defaultLearningRate, in: 1e-9...1e9,
                                                      help: "The first step's learning rate on the norm of the summed gradient (its steps do not shrink with the number of rows); a cosine schedule brings it to 0 at the last step. The default 0.5 is the paper's rate for its mean-gradient objective; the authors' code steps the summed norm at 10 without momentum."),
                  project: try parameters.bool("project", default: true,
                                               help: "Project the poisons' features into the clean training rows' per-feature range after each step."))
    }

    /// "gradient-canceling → gradpc 0.5", with the settings that differ from the defaults.
    public var label: String {
        var details = [String]()
        if steps != Self.defaultSteps { details.append("\(steps) steps") }
        if learningRate != Self.defaultLearningRate { details.append("lr \(learningRate)") }
        if !project { details.append("unprojected") }
        return "gradient-canceling → \(targetLabel)" + (details.isEmpty ? "" : " (\(details.joined(separator: ", ")))")
    }

    /// This attack with its target.
    public func aimed(at target: any TargetModel) -> any PoisoningAttack {
        GradientCanceling(targetLabel: targetLabel, target: target, steps: steps, learningRate: learningRate, project: project)
    }

    /// Softmax regression only (see the type's description).
    public func modelProblem(_ model: any ModelArchitecture) -> String? {
        model is LogisticRegression ? nil
            : "gradient-canceling's double-backward pass is written for softmax regression (logistic); \(type(of: model).kind) is not supported"
    }

    /// True: the poisons are added to the clean rows, so ε_d may exceed 1 (τ often does).
    public var addsRows: Bool { true }

    /// The input gradient of a row's parameter gradient and the parameter vector itself.
    public var requirements: Set<ModelCapability> { [.inputGradient, .parameterGradient] }

    public var metrics: [MetricInfo] {
        [MetricInfo(key: MetricKey.poisonabilityThreshold, name: "Threshold τ",
                    meaning: "poison budget below which no poison set reaches the target (Lu et al. 2023), for this seed's target"),
         MetricInfo(key: MetricKey.targetAccuracy, name: "Target accuracy", meaning: "test accuracy of the target model"),
         MetricInfo(key: MetricKey.targetShift, name: "Target's distance from clean",
                    meaning: "‖w_target − w_clean‖ / ‖w_clean‖ over every parameter"),
         MetricInfo(key: MetricKey.cleanGradientNorm, name: "Clean gradient norm", meaning: "‖g(clean rows; w_target)‖, the gradient the poisons must cancel"),
         MetricInfo(key: MetricKey.targetGradientNorm, name: "Target's own gradient norm",
                    meaning: "‖g(the target's own training rows; w_target)‖, 0 for a target trained to stationarity (label-flip targets only)"),
         MetricInfo(key: MetricKey.mixedGradientNorm, name: "Mixed gradient norm",
                    meaning: "‖g(clean rows and poisons; w_target)‖ after the attack's last step"),
         MetricInfo(key: MetricKey.targetDistance, name: "Victim's distance from target",
                    meaning: "‖w_victim − w_target‖ / ‖w_target‖ over every parameter"),
         MetricInfo(key: MetricKey.targetAgreement, name: "Agreement with target",
                    meaning: "share of test rows on which the retrained victim and the target predict the same class", hasBaseline: true)]
    }

    /// The keys of its metrics that describe the seed's clean model and target only, the same at
    /// every fraction: τ, the target's accuracy and distance from clean, the clean gradient norm and
    /// the target's own gradient norm.
    public static let fractionIndependentKeys: Set<String> = [MetricKey.poisonabilityThreshold, MetricKey.targetAccuracy,
                                                              MetricKey.targetShift, MetricKey.cleanGradientNorm,
                                                              MetricKey.targetGradientNorm]

    /// The poisoned set (clean rows and poisons), the target's parameters; while it works, the clean
    /// model's and the target's training, and the poisons with their gradient and momentum in Double.
    public func memoryNeed(_ sizes: RunSizes) -> MemoryNeed {
        let (n, d, p) = (sizes.n, sizes.d, sizes.p)
        return MemoryNeed(kept: 4 * (n + p) * d + 16 * (n + p) + 8 * p + 2 * sizes.parameterBytes,
                          working: sizes.trainingBytes + 2 * sizes.trainEvaluationBytes + 3 * 8 * p * d + 8 * p * (d + 2 * sizes.c)
                            + 4 * 8 * sizes.parameterBytes)
    }

    public func poison(_ split: TrainTestSplit, fraction: Double, seed: UInt64, trainer: ModelTrainer) -> PoisonedTrainingSet? {
        guard let target else { preconditionFailure("a gradient-canceling attack ran before the study matched its target") }
        let train = split.train, n = train.count, d = train.featureCount
        let cleanFit = trainer.train(train)
        guard cleanFit.divergedEpoch == nil, let clean = cleanFit.model as? NetworkParameters,
              let aim = target.target(clean: clean, train: train, trainer: trainer, seed: seed) else { return nil }
        let count = poisonCount(fraction: fraction, of: n)
        var rows = Array(0..<n)
        var stream = Xoshiro256StarStar(seed: seed, purpose: "poison-samples")
        stream.choosePrefix(min(count, n), of: &rows)
        let sources = (0..<count).map { rows[$0 % n] }
        var objective = GradientCancelingObjective(target: aim, clean: train, poisonLabels: sources.map { train.labels[$0] })
        var poisons = sources.flatMap { row in train.features[(row * d)..<((row + 1) * d)].map(Double.init) }
        var lower = [Double](repeating: .infinity, count: d), upper = [Double](repeating: -.infinity, count: d)
        for row in 0..<n {
            for j in 0..<d {
                lower[j] = min(lower[j], Double(train.features[row * d + j]))
                upper[j] = max(upper[j], Double(train.features[row * d + j]))
            }
        }
        descend(&poisons, objective: &objective, lower: lower, upper: upper)
        var data = train
        data.features += poisons.map(Float.init)
        data.labels += objective.poisonLabels
        let mixed = objective.mixedGradientNorm(poisons)
        var measurements = [
            MetricKey.targetAccuracy: aim.accuracy(on: split.test),
            MetricKey.targetShift: relativeParameterDistance(aim, from: clean),
            MetricKey.cleanGradientNorm: objective.mixedGradientNorm([]),
            MetricKey.mixedGradientNorm: mixed,
        ]
        if let tau = poisonabilityThreshold(of: aim, on: train).tau { measurements[MetricKey.poisonabilityThreshold] = tau }
        if let own = target.trainingRows(clean: train, seed: seed) {
            var ownObjective = GradientCancelingObjective(target: aim, clean: own, poisonLabels: [])
            measurements[MetricKey.targetGradientNorm] = ownObjective.mixedGradientNorm([])
        }
        return PoisonedTrainingSet(data: data, trueLabels: data.labels, poisonedRows: Array(n..<(n + count)),
                                   measurements: measurements, target: aim)
    }

    /// SGD with momentum 0.9 on N = ‖Σ_clean ∇ℓ + Σ_poisons ∇ℓ‖ (`objective.evaluateNorm`) over the
    /// features `poisons` [m x d], `steps` steps of the cosine schedule η_t = η · ½(1 + cos(π t / steps)),
    /// t = 0..<steps:
    ///     v ← 0.9 v + ∂N/∂x,   x ← x − η_t v,   x ← clip(x, lower, upper) (with `project`).
    /// Allocates nothing inside the loop.
    func descend(_ poisons: inout [Double], objective: inout GradientCancelingObjective, lower: [Double], upper: [Double]) {
        guard !poisons.isEmpty else { return }
        let d = lower.count
        var gradient = [Double](repeating: 0, count: poisons.count), velocity = gradient
        for t in 0..<steps {
            _ = objective.evaluateNorm(poisons, gradient: &gradient)
            let rate = learningRate * 0.5 * (1 + cos(Double.pi * Double(t) / Double(steps)))
            for i in poisons.indices {
                velocity[i] = Self.momentum * velocity[i] + gradient[i]
                poisons[i] -= rate * velocity[i]
                if project { poisons[i] = min(max(poisons[i], lower[i % d]), upper[i % d]) }
            }
        }
    }
}

/// An attack that aims at one of the study's targets (`targets:`), which the study matches to it by
/// label when it is read.
public protocol TargetedAttack: PoisoningAttack {
    /// The label of the target it names.
    var targetLabel: String { get }
    /// This attack with the study's target of that label.
    func aimed(at target: any TargetModel) -> any PoisoningAttack
    /// Why it cannot attack `model`, as a sentence; nil when it can.
    func modelProblem(_ model: any ModelArchitecture) -> String?
}

/// Gradient Canceling's objective for softmax regression at a target θ = (W [c x d], b [c]): with
/// per-row gradients ∇_θ ℓ(x, y) = r ⊗ (x, 1), r = p − e_y, p = softmax(Wx + b),
///     v = (Σ_clean ∇ℓ + Σ_poisons ∇ℓ) / n = g(μ; θ) + ε_d g(ν; θ),   L = ½‖v‖²,
/// and the gradient of L with respect to poison j's features (one double-backward pass):
///     ∂L/∂x_j = (1/n) ∂<∇_θ ℓ(x_j), v>/∂x_j = (1/n) [Wᵀ (diag(p) − p pᵀ) u + V_Wᵀ r],   u = V_W x_j + v_b,
/// V_W and v_b the weight and bias parts of v. All in Double; scratch allocated once.
struct GradientCancelingObjective {
    /// Features, classes, clean rows.
    let d: Int, c: Int, n: Int
    /// The target's W [c x d], row-major, and b [c].
    let weights: [Double], bias: [Double]
    /// Σ over the clean rows of r ⊗ (x, 1) [c x (d + 1)]: weight part, then the bias column last in each row.
    let cleanSum: [Double]
    /// The poisons' labels.
    let poisonLabels: [Int]
    /// Scratch: v [c x (d + 1)], each poison's p and r [m x c], one row's probabilities and u [c].
    private var v: [Double], p: [Double], r: [Double], probabilities: [Double], u: [Double]

    /// The objective at `target` (softmax regression) for the clean rows `clean` and poisons with `poisonLabels`.
    init(target: NetworkParameters, clean: Dataset, poisonLabels: [Int]) {
        precondition(target.shape.hidden.isEmpty, "gradient canceling's objective is written for softmax regression")
        let layer = target.shape.layers[0]
        let (d, c) = (layer.inputs, layer.outputs)
        self.d = d
        self.c = c
        n = clean.count
        weights = (0..<(c * d)).map { Double(target.values[layer.weightIndex(output: $0 / d, input: $0 % d)]) }
        bias = (0..<c).map { Double(target.values[layer.biasOffset + $0]) }
        self.poisonLabels = poisonLabels
        v = [Double](repeating: 0, count: c * (d + 1))
        p = [Double](repeating: 0, count: poisonLabels.count * c)
        r = p
        probabilities = [Double](repeating: 0, count: c)
        u = probabilities
        var sum = [Double](repeating: 0, count: c * (d + 1))
        for row in 0..<n {
            let x = clean.features[(row * d)..<((row + 1) * d)].map(Double.init)
            Self.softmax(weights, bias, x, 0, d, c, into: &probabilities)
            for k in 0..<c {
                let residual = probabilities[k] - (k == clean.labels[row] ? 1 : 0)
                for i in 0..<d { sum[k * (d + 1) + i] += residual * x[i] }
                sum[k * (d + 1) + d] += residual
            }
        }
        cleanSum = sum
    }

    /// p = softmax(W x + b) for the row of `x` starting at `offset`, written into `p`.
    private static func softmax(_ w: [Double], _ b: [Double], _ x: [Double], _ offset: Int, _ d: Int, _ c: Int, into p: inout [Double]) {
        var top = -Double.infinity
        for k in 0..<c {
            var h = b[k]
            for i in 0..<d { h += w[k * d + i] * x[offset + i] }
            p[k] = h
            top = max(top, h)
        }
        var total = 0.0
        for k in 0..<c {
            p[k] = exp(p[k] - top)
            total += p[k]
        }
        for k in 0..<c { p[k] /= total }
    }

    /// Fills v = (cleanSum + Σ_poisons r ⊗ (x, 1)) / n, and p and r per poison.
    private mutating func fillMixture(_ poisons: [Double]) {
        let m = poisons.count / d
        for i in v.indices { v[i] = cleanSum[i] }
        for j in 0..<m {
            Self.softmax(weights, bias, poisons, j * d, d, c, into: &probabilities)
            for k in 0..<c {
                let residual = probabilities[k] - (k == poisonLabels[j] ? 1 : 0)
                p[j * c + k] = probabilities[k]
                r[j * c + k] = residual
                for i in 0..<d { v[k * (d + 1) + i] += residual * poisons[j * d + i] }
                v[k * (d + 1) + d] += residual
            }
        }
        for i in v.indices { v[i] /= Double(n) }
    }

    /// L = ½‖v‖² at the poisons [m x d] (m = poisonLabels.count), and ∂L/∂x into `gradient` [m x d].
    mutating func evaluate(_ poisons: [Double], gradient: inout [Double]) -> Double {
        precondition(poisons.count == poisonLabels.count * d && gradient.count == poisons.count, "poisons do not fit")
        fillMixture(poisons)
        let m = poisonLabels.count
        for j in 0..<m {
            // u = V_W x_j + v_b;  a = (diag(p) − p pᵀ) u = p ∘ (u − <p, u>).
            var pu = 0.0
            for k in 0..<c {
                var value = v[k * (d + 1) + d]
                for i in 0..<d { value += v[k * (d + 1) + i] * poisons[j * d + i] }
                u[k] = value
                pu += p[j * c + k] * value
            }
            // ∂L/∂x_j,i = (1/n) Σ_k (W_ki a_k + V_ki r_k).
            for i in 0..<d {
                var g = 0.0
                for k in 0..<c { g += weights[k * d + i] * p[j * c + k] * (u[k] - pu) + v[k * (d + 1) + i] * r[j * c + k] }
                gradient[j * d + i] = g / Double(n)
            }
        }
        return 0.5 * v.reduce(0) { $0 + $1 * $1 }
    }

    /// N = ‖cleanSum + Σ_poisons ∇ℓ‖ = n‖v‖ = n√(2L), the norm of the summed gradient that the attack
    /// descends, at the poisons [m x d], and ∂N/∂x = (n/‖v‖) ∂L/∂x into `gradient` [m x d] (zero
    /// where v = 0, N's minimum).
    mutating func evaluateNorm(_ poisons: [Double], gradient: inout [Double]) -> Double {
        let norm = (2 * evaluate(poisons, gradient: &gradient)).squareRoot()
        let scale = norm > 0 ? Double(n) / norm : 0
        for i in gradient.indices { gradient[i] *= scale }
        return Double(n) * norm
    }

    /// ‖g(mixture; θ)‖ = ‖(cleanSum + Σ_poisons ∇ℓ)‖ / (n + m): the mean gradient over the clean
    /// rows and the poisons [m x d] (none: the clean gradient).
    mutating func mixedGradientNorm(_ poisons: [Double]) -> Double {
        let m = poisons.count / d
        precondition(m == 0 || m == poisonLabels.count, "poisons do not fit")
        fillMixture(poisons)
        return v.reduce(0) { $0 + $1 * $1 }.squareRoot() * Double(n) / Double(n + m)
    }
}
