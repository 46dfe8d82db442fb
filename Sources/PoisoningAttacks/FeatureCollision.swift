import Foundation
import PoisoningData
import PoisoningModels
import PoisoningTheory
import PoisoningUtilities

/// Clean-label feature-collision poisoning (Shafahi et al. 2018, "Poison Frogs! Targeted clean-label
/// poisoning attacks on neural networks", NeurIPS; arXiv:1804.00792).
///
/// Per run: `target-rows` test rows of classes other than `base` are the targets (stream
/// (seed, "poison-targets")). The poison budget, min(round(fraction · n), rows of `base`), is shared
/// by the targets in turn (poison i goes to target i mod the target count); each poison starts from a
/// base-class training row (stream (seed, "poison-samples")) and is moved towards its target t in the
/// representation φ of the attacker's surrogate model trained on the clean rows (`AttackerKnowledge`):
///
/// 1. Watermark (the paper's boost for its end-to-end training experiments): the base row is blended
///    with its target, b ← (1 − γ) b + γ t, γ = `opacity` (0 by default: none; `defaultOpacity` says
///    why). As in the paper, the watermarked row *is* the base instance of the optimisation: its start
///    and the anchor of its proximity term. (The Adversarial Robustness Toolbox instead adds the
///    watermark after the optimisation; we do not.)
/// 2. The paper's Algorithm 1 minimises J(x) = ||φ(x) − φ(t)||² + β ||x − b||² by forward-backward
///    splitting from x = b: `steps` times, a gradient step on the collision term,
///    x̂ = x − λ ∇||φ(x) − φ(t)||², then the proximal step of the penalty, x ← (x̂ + λβ b) / (1 + λβ),
///    with λ = `step-size`. A step that raises a poison's J is discarded and its λ halved (ART's
///    implementation of the paper decays λ when J rises above a running average; here per poison, at
///    once), so J never rises and every poison ends within ||φ(b) − φ(t)|| / √β of its base.
/// 3. β is scaled as in the paper: β = β0 · m² / n², with β0 = 0.25 (the paper's), m the
///    dimension of the representation the poisons collide in (the paper: 2048, InceptionV3's
///    penultimate feature layer) and n the dimension of the base instance (the paper: its input
///    image's). Here m is the width of the last hidden layer (the logits' count for logistic regression,
///    whose "representation" is its logits) and n the data's feature count; `beta` replaces the scaled
///    value with a given one. The same formula is ART's (`similarity_coeff · (feature dims / input dims)²`).
///
/// The poisons keep their correct base labels and replace their base rows; one model is trained on
/// the result. The success metric `collisionSuccess` is the share of targets it assigns to the base
/// class (with the clean model's rate as its baseline). `poisonsInBaseClass` is the share of the poisons
/// still nearer their base class than their target in input space: poison x of target t counts when
/// ||x − μ|| < ||x − t|| (Euclidean), μ the mean of the clean training rows of the base class. The
/// class's mean, not its nearest row, stands for the class: one stray base row, or the poisons
/// themselves, cannot decide it, and it costs O(features) per poison.
///
/// Where this deviates from the paper: the paper *adds* its poisons to the training set and uses one
/// base per poison from a large image set; here the poisons replace base-class rows of a small tabular
/// set (so the budget is a share of the training set, as every attack's). The paper's victims fine-tune
/// (transfer learning) or train end-to-end a CNN; here the victim is the study's model trained from
/// scratch, and the surrogate is trained with its own seed unless `white-box: true`. The number of
/// iterations is fixed (no stopping rule) and λ only shrinks as above. β0 = 0.25 was chosen for images and a
/// 2048-wide feature layer; the formula carries it over by dimensions only, not by the scale of the data,
/// so on tabular data with m > n it gives β > β0 (10.24 for an MLP with 64 hidden units on 10 features:
/// on the attacks example 95 to 98% of its poisons stay in their base class) and with m < n a small
/// one (0.0625 for logistic regression with 5 classes on 10 features, whose poisons mostly still
/// leave their class: 10 to 13% stay).
public struct FeatureCollision: PoisoningAttack {
    /// "feature-collision".
    public static let kind = "feature-collision"
    /// The share of target rows classified as the base class.
    public static let successMetricKey: String? = "collisionSuccess"
    /// One sentence for help and commented study files.
    public static let summary = "Craft clean-label poisons from base-class rows that collide with target test rows in the model's representation."
    /// The paper's β0 (Shafahi et al. 2018).
    public static let paperBeta0 = 0.25

    /// The class the targets should be pulled into; the poisons come from its training rows.
    public let base: Int
    /// Target test rows per run.
    public let targetRows: Int
    /// β0 of the paper's scaling β = β0 · m² / n².
    public let beta0: Double
    /// A β that replaces the scaled one (`beta: <number>`); nil for the paper's scaling (`beta: auto`).
    public let fixedBeta: Double?
    /// γ, the opacity of the target's watermark blended into every base row before the optimisation:
    /// b ← (1 − γ) b + γ t; 0 for none.
    public let opacity: Double
    /// Forward-backward iterations.
    public let steps: Int
    /// λ, the step size.
    public let stepSize: Double
    /// Whose seed the surrogate model, whose representation the poisons collide in, is trained with.
    let attacker: AttackerKnowledge

    /// Reads `base`, `target-rows`, `beta0`, `beta` (auto or a number), `opacity`, `steps`, `step-size`
    /// and `white-box`.
    public init(parameters: inout ParameterReader) throws {
        base = try parameters.int("base", default: 1, in: 0...1_000_000, help: "The class the targets should be pulled into.")
        targetRows = try parameters.int("target-rows", default: 5, in: 1...1000, help: "Target test rows per run; the budget is shared by them.")
        beta0 = try parameters.double("beta0", default: Self.paperBeta0, in: 1e-12...1e9,
                                      help: "β0 of the paper's scaling β = β0 · m² / n² (m the representation's width, n the features); "
                                          + "the paper's 0.25 by default.")
        let betaRange = 1e-9...1e9
        let givenBeta = parameters.value("beta", help: "Weight β of the distance to the base row: a number (> 0) that replaces "
                                             + "the scaled one, or auto for β0 · m² / n².")
        if parameters.contains("beta0"), let givenBeta, givenBeta != .string("auto") {
            throw parameters.error("beta0", "applies only with beta: auto (a number for beta replaces the scaled β)")
        }
        switch givenBeta {
        case nil, .string("auto")?:
            fixedBeta = nil
            parameters.record("beta", .string("auto"))
        case .int(let number)? where betaRange.contains(Double(number)):
            fixedBeta = Double(number)
            parameters.record("beta", .double(Double(number)))
        case .double(let number)? where number.isFinite && betaRange.contains(number):
            fixedBeta = number
            parameters.record("beta", .double(number))
        default:
            throw parameters.error("beta", "expected auto or a number in [1e-09, 1000000000.0]")
        }
        opacity = try parameters.double("opacity", default: Self.defaultOpacity, in: 0...0.99,
                                        help: "Opacity γ of the target watermarked into each base row before the optimisation, "
                                            + "b ← (1 − γ) b + γ t (0: none; the paper's end-to-end experiments use up to 0.3).")
        steps = try parameters.int("steps", default: 200, in: 1...100_000, help: "Forward-backward splitting iterations.")
        stepSize = try parameters.double("step-size", default: 0.05, in: 1e-9...1e3, help: "Step size λ of the iterations.")
        attacker = try AttackerKnowledge.read(&parameters)
    }

    /// The default watermark opacity, 0: no watermark, the paper's Algorithm 1 alone. The paper blends
    /// at up to 0.3 in its end-to-end experiments, where a faint watermark leaves an image looking like
    /// its base; a 30% blend of a tabular row is no such disguise. On the attacks example (MLP 64) it
    /// leaves about a fifth of the poisons nearer their target than their class (`poisonsInBaseClass`
    /// 0.79 to 0.86, against 0.95 to 0.98 without) and costs up to 5 points of clean accuracy, for a
    /// collision success of 0.20 to 0.40 against 0.13. `opacity: 0.3` gives the paper's end-to-end recipe.
    public static let defaultOpacity = 0.0

    /// "feature collision → 1", with the settings that differ from the defaults in parentheses (β or
    /// β0, the watermark's opacity γ, white box), so that two collisions of one study are told apart.
    public var label: String { label(classNames: nil) }

    /// `label` with the base class as the data name it (`className(_:in:)`): "feature collision → cat".
    public func label(classNames: [String]?) -> String {
        var details = [String]()
        if let fixedBeta { details.append("β \(fixedBeta)") } else if beta0 != Self.paperBeta0 { details.append("β0 \(beta0)") }
        if opacity != Self.defaultOpacity { details.append("γ \(opacity)") }
        if attacker == .whiteBox { details.append("white box") }
        return "feature collision → \(className(base, in: classNames))" + (details.isEmpty ? "" : " (\(details.joined(separator: ", ")))")
    }

    /// The base class needs training rows (the poisons are made from them) and the test set rows of
    /// other classes (the targets).
    public func problem(in split: TrainTestSplit) -> (key: String, message: String)? {
        if !split.train.labels.contains(base) { return ("base", "class \(base) has no training rows to make poisons from") }
        if !split.test.labels.contains(where: { $0 != base }) { return ("base", "every test row is of class \(base): there is no target") }
        return nil
    }

    /// Transfer (the surrogate's own seed) unless `white-box: true`.
    public var knowledge: AttackerKnowledge? { attacker }

    /// `collisionSuccess` (with its clean-model baseline and excess) and `poisonsInBaseClass`.
    public var metrics: [MetricInfo] { metrics(classNames: nil) }

    /// `metrics` with the base class as the data name it.
    public func metrics(classNames: [String]?) -> [MetricInfo] {
        let baseName = className(base, in: classNames)
        return [MetricInfo(key: "collisionSuccess", name: "Collision success",
                    meaning: "share of the target test rows that the model assigns to the base class \(baseName)",
                    hasBaseline: true),
         MetricInfo(key: "poisonsInBaseClass", name: "Poisons in their base class",
                    meaning: "share of the poisons nearer the mean of the clean training rows of class \(baseName) than their target row "
                        + "(Euclidean distance in input space)")]
    }

    /// The paper's scaling β = β0 · m² / n² for a representation of width m and inputs of n features.
    public static func scaledBeta(beta0: Double, representationWidth m: Int, inputs n: Int) -> Double {
        precondition(m > 0 && n > 0, "dimensions must be positive")
        return beta0 * Double(m) * Double(m) / (Double(n) * Double(n))
    }

    /// β for poisons crafted in a representation of width `representationWidth` (a network's last
    /// hidden layer, or its classes without hidden layers) of `inputs` features: the given `beta`, or
    /// β0 · m² / n² with m = that width and n = the inputs.
    public func beta(representationWidth: Int, inputs: Int) -> Double {
        fixedBeta ?? Self.scaledBeta(beta0: beta0, representationWidth: representationWidth, inputs: inputs)
    }

    /// Crafting poisons descends a distance in the model's representation by its input gradient.
    public var requirements: Set<ModelCapability> { [.representation, .inputGradient] }

    /// The base class must exist.
    public func problem(classCount: Int, featureCount: Int) -> (key: String, message: String)? {
        base >= classCount ? ("base", "class \(base) does not exist (the data have \(classCount) classes, 0 to \(classCount - 1))") : nil
    }

    /// The poisoned set holds a copy of the training features and the poisoned rows, the evaluation
    /// set the target rows; while it works, the candidate rows, then training the clean model, or its
    /// parameters, the targets' representations, the base class's mean and, per poison, its
    /// (watermarked) base, goal, iterate and gradient, its accepted iterate and gradient, step size and
    /// objective, with a distance workspace for every poison at once.
    public func memoryNeed(_ sizes: RunSizes) -> MemoryNeed {
        let (d, p) = (sizes.d, sizes.p), targets = min(targetRows, sizes.split.testRows)
        let width = sizes.representationWidth
        let kept = 4 * sizes.n * d + 8 * p + datasetBytes(rows: targets, features: sizes.split.features)
        let crafting = sizes.parameterBytes + 4 * Double(targets) * width + 8 * d + 5 * 4 * p * d + 2 * 4 * p * width + 3 * 8 * p
            + sizes.model.inputGradientBytes(rows: sizes.poisonedRows)
        return MemoryNeed(kept: kept, working: sizes.rowIndexBytes + 8 * sizes.m + max(sizes.trainingBytes, crafting))
    }

    /// The poisoned training set (see the type's description), with `poisonsInBaseClass` among its
    /// measurements when it has poisons; nil when the surrogate's training diverged.
    public func poison(_ split: TrainTestSplit, fraction: Double, seed: UInt64, trainer: ModelTrainer) -> PoisonedTrainingSet? {
        let train = split.train, test = split.test
        precondition((0...1).contains(fraction))
        var targetStream = Xoshiro256StarStar(seed: seed, purpose: "poison-targets")
        var targetCandidates = test.labels.indices.filter { test.labels[$0] != base }
        let targetCount = min(targetRows, targetCandidates.count)
        targetStream.choosePrefix(targetCount, of: &targetCandidates)
        var targets = test.rows(Array(targetCandidates.prefix(targetCount)))
        targets.labels = targets.labels.map { _ in base }
        let evaluation = AttackEvaluation(metric: metrics[0], inputs: targets)

        var baseRows = train.labels.indices.filter { train.labels[$0] == base }
        let asked = targetCount == 0 ? 0 : poisonCount(fraction: fraction, of: train.count), count = min(asked, baseRows.count)
        guard count > 0 else {
            return PoisonedTrainingSet(data: train, trueLabels: train.labels, poisonedRows: [], evaluations: [evaluation],
                                       saturated: asked > count)
        }
        var rowStream = Xoshiro256StarStar(seed: seed, purpose: "poison-samples")
        rowStream.choosePrefix(count, of: &baseRows)
        let chosen = Array(baseRows.prefix(count))
        let outcome = trainer.surrogate(attacker).train(train)
        guard outcome.divergedEpoch == nil else { return nil }
        let model = outcome.model.capable((any RepresentationGradientClassifier).self)
        // Poison i goes to target i mod targetCount.
        let targetRepresentations = model.representations(of: targets)
        let width = model.representationWidth, d = train.featureCount
        var bases = chosen.flatMap { train.features[($0 * d)..<(($0 + 1) * d)] }
        Self.watermark(&bases, targets: targets.features, featureCount: d, opacity: opacity)
        let goals = (0..<count).flatMap { i in targetRepresentations[((i % targetCount) * width)..<((i % targetCount + 1) * width)] }
        let crafted = collide(bases: bases, goals: goals, rows: count, model: model)
        var poisoned = train
        for (i, row) in chosen.enumerated() {
            poisoned.features.replaceSubrange((row * d)..<((row + 1) * d), with: crafted[(i * d)..<((i + 1) * d)])
        }
        let inBase = Self.shareInBaseClass(crafted, targets: targets.features, featureCount: d,
                                           baseMean: Self.classMean(of: train, class: base))
        return PoisonedTrainingSet(data: poisoned, trueLabels: train.labels, poisonedRows: chosen, evaluations: [evaluation],
                                   measurements: inBase.map { [metrics[1].key: $0] } ?? [:], saturated: asked > count)
    }

    /// Blends every base row towards its target, in place: b ← (1 − γ) b + γ t for each feature, in
    /// Float, row i of `bases` [rows x featureCount] taking row i mod (targets' rows) of `targets`
    /// [targets' rows x featureCount]. Nothing changes at γ = 0.
    public static func watermark(_ bases: inout [Float], targets: [Float], featureCount d: Int, opacity: Double) {
        guard opacity > 0 else { return }
        precondition(d > 0 && bases.count % d == 0 && targets.count % d == 0 && !targets.isEmpty, "rows of featureCount features required")
        let keep = Float(1 - opacity), blend = Float(opacity), targetCount = targets.count / d
        for i in 0..<(bases.count / d) {
            let t = (i % targetCount) * d
            for j in 0..<d { bases[i * d + j] = keep * bases[i * d + j] + blend * targets[t + j] }
        }
    }

    /// The mean of the rows of class `label` in `data` [featureCount], in Double; zeros when it has none.
    public static func classMean(of data: Dataset, class label: Int) -> [Double] {
        let d = data.featureCount
        var sum = [Double](repeating: 0, count: d), rows = 0
        for row in 0..<data.count where data.labels[row] == label {
            rows += 1
            for j in 0..<d { sum[j] += Double(data.features[row * d + j]) }
        }
        return rows == 0 ? sum : sum.map { $0 / Double(rows) }
    }

    /// The share of `poisons` [rows x featureCount] nearer the base class's mean μ than their target:
    /// poison x_i counts when ||x_i − μ||² < ||x_i − t_i||² (Euclidean, in Double), t_i being row
    /// i mod (targets' rows) of `targets`; nil without poisons.
    public static func shareInBaseClass(_ poisons: [Float], targets: [Float], featureCount d: Int, baseMean: [Double]) -> Double? {
        precondition(d > 0 && baseMean.count == d && poisons.count % d == 0 && targets.count % d == 0, "rows of featureCount features required")
        let rows = poisons.count / d
        guard rows > 0, !targets.isEmpty else { return nil }
        let targetCount = targets.count / d
        var inside = 0
        for i in 0..<rows {
            let t = (i % targetCount) * d
            var toMean = 0.0, toTarget = 0.0
            for j in 0..<d {
                let x = Double(poisons[i * d + j])
                toMean += (x - baseMean[j]) * (x - baseMean[j])
                toTarget += (x - Double(targets[t + j])) * (x - Double(targets[t + j]))
            }
            if toMean < toTarget { inside += 1 }
        }
        return Double(inside) / Double(rows)
    }

    /// The poisons for (watermarked) base rows `bases` [rows x features] and goal representations
    /// `goals` [rows x width]: forward-backward iterations from x = b with β = `beta` of the model's
    /// sizes. Each row has its own step size λ_r, `step-size` at first: a step after which the
    /// objective J(x) = ||φ(x) − φ(t)||² + β ||x − b||² exceeds that of the row's last accepted iterate
    /// is discarded and λ_r halved, so that J never rises and every poison ends within
    /// ||φ(b) − φ(t)|| / √β of its base (β ||x − b||² ≤ J(x) ≤ J(b)). `steps` evaluations of φ and its
    /// input gradient for all rows at once, plus one that judges the last step; returns the accepted iterates.
    func collide(bases: [Float], goals: [Float], rows: Int, model: any RepresentationGradientClassifier) -> [Float] {
        let beta = beta(representationWidth: model.representationWidth, inputs: model.featureCount), count = bases.count, d = count / rows
        precondition(rows > 0 && d * rows == count && goals.count == rows * model.representationWidth, "bases and goals must have rows rows")
        let distance = model.representationDistance(rows: rows)
        // x: the iterate being evaluated, with its gradient; accepted: each row's last accepted iterate,
        // with its gradient and objective.
        let x = UnsafeMutablePointer<Float>.allocate(capacity: count), gradient = UnsafeMutablePointer<Float>.allocate(capacity: count)
        let accepted = UnsafeMutablePointer<Float>.allocate(capacity: count)
        let acceptedGradient = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { [x, gradient, accepted, acceptedGradient].forEach { $0.deallocate() } }
        var distances = [Double](repeating: 0, count: rows), acceptedObjective = [Double](repeating: .infinity, count: rows)
        var lambda = [Double](repeating: stepSize, count: rows)
        bases.withUnsafeBufferPointer { b in
            x.initialize(from: b.baseAddress!, count: count)
            accepted.initialize(from: b.baseAddress!, count: count)
            gradient.initialize(repeating: 0, count: count)
            acceptedGradient.initialize(repeating: 0, count: count)
            goals.withUnsafeBufferPointer { targets in
                for step in 0...steps {
                    distance.evaluate(inputs: x, targets: targets.baseAddress!, distances: &distances, gradient: gradient)
                    for r in 0..<rows {
                        let start = r * d
                        var penalty = 0.0
                        for i in start..<(start + d) {
                            let offset = Double(x[i] - b[i])
                            penalty += offset * offset
                        }
                        // A NaN objective fails the comparison and is discarded like a rise.
                        let objective = distances[r] + beta * penalty
                        if objective <= acceptedObjective[r] {
                            acceptedObjective[r] = objective
                            (accepted + start).update(from: x + start, count: d)
                            (acceptedGradient + start).update(from: gradient + start, count: d)
                        } else {
                            lambda[r] /= 2
                        }
                        guard step < steps else { continue }
                        // Forward: x̂ = x - λ ∇_x ||φ(x) - φ(t)||²; backward: x = (x̂ + λβ b) / (1 + λβ), from the accepted x.
                        let size = Float(lambda[r]), pull = Float(lambda[r] * beta), shrink = Float(1 / (1 + lambda[r] * beta))
                        for i in start..<(start + d) {
                            x[i] = (accepted[i] - size * acceptedGradient[i] + pull * b[i]) * shrink
                        }
                    }
                }
            }
        }
        return Array(UnsafeBufferPointer(start: accepted, count: count))
    }

    /// The objective ||φ(x) - φ(t)||² + β ||x - b||² of every row (β = `beta` of the network's
    /// sizes), for tests and diagnostics.
    func objective(_ x: [Float], bases: [Float], goals: [Float], rows: Int, model: NetworkParameters) -> [Double] {
        let beta = beta(representationWidth: model.representationWidth, inputs: model.shape.inputs)
        let distances = RepresentationDistance(parameters: model, rows: rows).evaluate(x, targets: goals).distances
        let d = x.count / rows
        return (0..<rows).map { r in
            let penalty = (0..<d).reduce(0.0) { sum, i in
                let step = Double(x[r * d + i] - bases[r * d + i])
                return sum + step * step
            }
            return distances[r] + beta * penalty
        }
    }
}
