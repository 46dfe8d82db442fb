import Foundation

/// Clean-label feature-collision poisoning (Shafahi et al. 2018, "Poison Frogs! Targeted clean-label
/// poisoning attacks on neural networks").
///
/// Per run: `target-rows` test rows of classes other than `base` are the targets (stream
/// (seed, "poison-targets")). The poison budget, min(round(fraction · n), rows of `base`), is shared
/// by the targets in turn; each poison starts from a base-class training row b (stream
/// (seed, "poison-samples")) and is moved towards its target t in the representation φ of the
/// attacker's surrogate model trained on the clean rows (`AttackerKnowledge`) (the last hidden layer; the logits for logistic regression) by
/// minimising ||φ(x) - φ(t)||² + β ||x - b||². The optimiser is the paper's forward-backward
/// splitting: `steps` times, a gradient step on the collision term, x ← x - λ ∇||φ(x) - φ(t)||², then
/// the proximal step of the penalty, x ← (x + λβ b) / (1 + λβ), with λ = `step-size`. The poisons keep
/// their correct base labels and replace their base rows; one model is trained on the result, and the
/// success metric is the share of targets it assigns to the base class.
public struct FeatureCollision: PoisoningAttack {
    public static let kind = "feature-collision"
    public static let summary = "Craft clean-label poisons from base-class rows that collide with target test rows in the model's representation."

    /// The class the targets should be pulled into; the poisons come from its training rows.
    public let base: Int
    /// Target test rows per run.
    public let targetRows: Int
    /// β, the weight of staying close to the base row.
    public let beta: Double
    /// Forward-backward iterations.
    public let steps: Int
    /// λ, the step size.
    public let stepSize: Double
    /// Whose seed the surrogate model, whose representation the poisons collide in, is trained with.
    let attacker: AttackerKnowledge

    public init(parameters: inout ParameterReader) throws {
        base = try parameters.int("base", default: 1, in: 0...1_000_000, help: "The class the targets should be pulled into.")
        targetRows = try parameters.int("target-rows", default: 5, in: 1...1000, help: "Target test rows per run; the budget is shared by them.")
        beta = try parameters.double("beta", default: 0.1, in: 1e-9...1e9, help: "Weight β of the distance to the base row (> 0).")
        steps = try parameters.int("steps", default: 200, in: 1...100_000, help: "Forward-backward splitting iterations.")
        stepSize = try parameters.double("step-size", default: 0.05, in: 1e-9...1e3, help: "Step size λ of the iterations.")
        attacker = try AttackerKnowledge.read(&parameters)
    }

    /// "feature collision → 1", with " (white box)" in that setting.
    public var label: String { "feature collision → \(base)" + (attacker == .whiteBox ? " (white box)" : "") }

    public var knowledge: AttackerKnowledge? { attacker }

    public var metrics: [MetricInfo] {
        [MetricInfo(key: "collisionSuccess", name: "Collision success",
                    meaning: "share of the target test rows that the model assigns to the base class \(base)",
                    hasBaseline: true)]
    }

    public func problem(classCount: Int, featureCount: Int) -> (key: String, message: String)? {
        base >= classCount ? ("base", "class \(base) does not exist (the data have \(classCount) classes, 0 to \(classCount - 1))") : nil
    }

    /// The poisoned set holds a copy of the training features and the poisoned rows, the evaluation
    /// set the target rows; while it works, the candidate rows, then training the clean model, or its
    /// parameters, the targets' representations and, per poison, its base, goal, iterate and
    /// gradient with a distance workspace for every poison at once.
    public func memoryNeed(_ sizes: RunSizes) -> MemoryNeed {
        let (d, p) = (sizes.d, sizes.p), targets = min(targetRows, sizes.split.testRows)
        let width = Double(sizes.shape.hidden.last ?? sizes.shape.classes)
        let kept = 4 * sizes.n * d + 8 * p + datasetBytes(rows: targets, features: sizes.split.features)
        let crafting = sizes.parameterBytes + 4 * Double(targets) * width + 3 * 4 * p * d + 2 * 4 * p * width + 8 * p
            + NetworkWorkspace.bytes(sizes.shape, capacity: sizes.poisonedRows)
        return MemoryNeed(kept: kept, working: sizes.rowIndexBytes + 8 * sizes.m + max(sizes.trainingBytes, crafting))
    }

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
        let model = outcome.parameters
        // Poison i goes to target i mod targetCount.
        let targetRepresentations = model.representations(of: targets)
        let width = model.representationWidth, d = train.featureCount
        let bases = chosen.flatMap { train.features[($0 * d)..<(($0 + 1) * d)] }
        let goals = (0..<count).flatMap { i in targetRepresentations[((i % targetCount) * width)..<((i % targetCount + 1) * width)] }
        let crafted = collide(bases: bases, goals: goals, rows: count, model: model)
        var poisoned = train
        for (i, row) in chosen.enumerated() {
            poisoned.features.replaceSubrange((row * d)..<((row + 1) * d), with: crafted[(i * d)..<((i + 1) * d)])
        }
        return PoisonedTrainingSet(data: poisoned, trueLabels: train.labels, poisonedRows: chosen, evaluations: [evaluation],
                                   saturated: asked > count)
    }

    /// The poisons for base rows `bases` [rows x features] and goal representations `goals`
    /// [rows x width]: `steps` forward-backward iterations from x = b.
    func collide(bases: [Float], goals: [Float], rows: Int, model: NetworkParameters) -> [Float] {
        let distance = RepresentationDistance(parameters: model, rows: rows)
        var x = bases, gradient = [Float](repeating: 0, count: bases.count), distances = [Double](repeating: 0, count: rows)
        let lambda = Float(stepSize), shrink = Float(1 / (1 + stepSize * beta)), pull = Float(stepSize * beta)
        for _ in 0..<steps {
            x.withUnsafeBufferPointer { inputs in
                goals.withUnsafeBufferPointer { targets in
                    distances.withUnsafeMutableBufferPointer { d in
                        gradient.withUnsafeMutableBufferPointer { g in
                            distance.evaluate(inputs: inputs.baseAddress!, targets: targets.baseAddress!, distances: d.baseAddress!,
                                              gradient: g.baseAddress!)
                        }
                    }
                }
            }
            for i in x.indices {
                // Forward: x̂ = x - λ ∇_x ||φ(x) - φ(t)||²; backward: x = (x̂ + λβ b) / (1 + λβ).
                let forward = x[i] - lambda * gradient[i]
                x[i] = (forward + pull * bases[i]) * shrink
            }
        }
        return x
    }

    /// The objective ||φ(x) - φ(t)||² + β ||x - b||² of every row, for tests and diagnostics.
    func objective(_ x: [Float], bases: [Float], goals: [Float], rows: Int, model: NetworkParameters) -> [Double] {
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
