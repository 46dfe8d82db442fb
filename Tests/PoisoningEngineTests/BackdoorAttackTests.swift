import Foundation
import Testing
@testable import PoisoningAttacks
@testable import PoisoningData
@testable import PoisoningDefenses
@testable import PoisoningEngine
@testable import PoisoningModels
@testable import PoisoningTheory
@testable import PoisoningUtilities

/// The backdoor's triggers (in-range patch, blend), its clean-label perturbation (Turner et al. 2019:
/// PGD against a surrogate) and the loss input gradient the PGD climbs, each checked on a case small
/// enough to compute the expected answer independently; and the clean-model baseline of its success.
struct BackdoorAttackTests {
    /// The reference data (500 rows of 10 features, 5 classes; 350 training rows).
    static let split = GaussianClusters().makeSplit()
    static let trainer = ModelTrainer(model: NetworkShape(inputs: 10, hidden: [16], classes: 5), settings: TrainingSettings(epochs: 30), seed: 5)

    /// Feature j of every training row, its smallest and largest value.
    static func range(_ j: Int, _ data: Dataset = split.train) -> ClosedRange<Float> {
        let column = (0..<data.count).map { data.features[$0 * data.featureCount + j] }
        return column.min()!...column.max()!
    }

    // MARK: Parameters

    @Test func theDefaultsAreAnInRangePatchWithDirtyLabelsAndTheCleanLabelKeysApplyOnlyWithCleanLabel() throws {
        let backdoor = try component(Backdoor.self)
        #expect(backdoor.trigger == .patch(features: [-3, -2, -1], level: .quantile(0.95)) && backdoor.hardening == nil)
        #expect(backdoor.label == "backdoor → 0" && backdoor.knowledge == nil)
        let clean = try component(Backdoor.self, ["clean-label": .bool(true)])
        #expect(clean.hardening == Backdoor.Hardening(epsilon: 0.5, steps: 10, knowledge: .transfer))
        #expect(clean.label == "clean-label backdoor → 0 (ε 0.5)" && clean.knowledge == .transfer)
        #expect(clean.hardening?.stepSize == 2.5 * 0.5 / 10)
        let whiteBlend = try component(Backdoor.self, ["clean-label": .bool(true), "white-box": .bool(true), "epsilon": .int(1),
                                                       "trigger": .string("blend"), "target": .int(2)])
        #expect(whiteBlend.label == "clean-label blend backdoor → 2 (ε 1, white box)" && whiteBlend.trigger == .blend(alpha: 0.2))
        #expect(try component(Backdoor.self, ["trigger-value": .double(1.5)]).trigger == .patch(features: [-3, -2, -1], level: .value(1.5)))

        func message(_ parameters: [String: ParameterValue]) -> String {
            do {
                _ = try component(Backdoor.self, parameters)
                return "accepted"
            } catch { return (error as? SpecificationError)?.message ?? "\(error)" }
        }
        #expect(message(["epsilon": .double(0.1)]) == "applies only with clean-label: true")
        #expect(message(["white-box": .bool(true)]) == "applies only with clean-label: true")
        #expect(message(["blend-alpha": .double(0.1)]) == "applies only with trigger: blend")
        #expect(message(["trigger": .string("blend"), "trigger-features": .list([.int(0)])]) == "applies only with trigger: patch")
        #expect(message(["trigger-value": .double(1), "trigger-quantile": .double(0.5)]) == "give trigger-quantile or trigger-value, not both")
        #expect(message(["trigger-value": .string("auto")]).hasPrefix("expected a number (auto, the data's maximum plus 3 standard deviations, is gone"))
        #expect(message(["trigger-quantile": .double(1.5)]) == "must lie in [0.0, 1.0]")
    }

    // MARK: Triggers

    @Test func theQuantileIsNumPysLinearInterpolation() {
        #expect(Backdoor.quantile([1, 2, 3, 4], 0.5) == 2.5)
        #expect(Backdoor.quantile([1, 2, 3, 4], 0) == 1 && Backdoor.quantile([1, 2, 3, 4], 1) == 4)
        #expect(Backdoor.quantile([0, 10], 0.95) == 9.5)
        #expect(Backdoor.quantile([7], 0.3) == 7)
        // (n - 1) q = 2.85 on [0, 3, 6, 9]: 6 + 0.85 · 3.
        #expect(Backdoor.quantile([0, 3, 6, 9], 0.95) == Float(6 + (3 * 0.95 - 2) * 3.0))
    }

    /// The default patch sets each trigger feature to the 0.95-quantile of its own training values,
    /// which lies inside [min, max] of that feature; quantiles 0 and 1 are the minimum and the maximum.
    @Test func theDefaultPatchTriggerLiesInsideEachTrainingFeaturesRange() throws {
        let train = Self.split.train
        guard case .patch(let features, let values) = try component(Backdoor.self).stamp(for: train, seed: 1) else {
            Issue.record("not a patch")
            return
        }
        #expect(features == [7, 8, 9])
        for (feature, value) in zip(features, values) {
            #expect(Self.range(feature).contains(value), "feature \(feature): \(value) outside \(Self.range(feature))")
            let sorted = (0..<train.count).map { train.features[$0 * 10 + feature] }.sorted()
            #expect(value == Backdoor.quantile(sorted, 0.95))
            // At least 95% of the training values lie at or below it, and not all of them: it is no extreme.
            let below = sorted.filter { $0 <= value }.count
            #expect(below >= 332 && below < 350, "\(below) of 350 at or below")
        }
        for (q, bound) in [(0.0, \ClosedRange<Float>.lowerBound), (1.0, \ClosedRange<Float>.upperBound)] {
            let extreme = try component(Backdoor.self, ["trigger-quantile": .double(q)]).stamp(for: train, seed: 1)
            #expect(extreme == .patch(features: [7, 8, 9], values: [7, 8, 9].map { Self.range($0)[keyPath: bound] }))
        }
        // The stamp is what the poisoned rows and the evaluation rows carry.
        let poisoned = try #require(try component(Backdoor.self).poison(Self.split, fraction: 0.1, seed: 1, trainer: Self.trainer))
        #expect(poisoned.poisonedRows.count == 35 && poisoned.poisonedRows.allSatisfy { train.labels[$0] != 0 })
        #expect(poisoned.poisonedRows.allSatisfy { row in zip(features, values).allSatisfy { poisoned.data.features[row * 10 + $0] == $1 } })
        let triggered = poisoned.evaluations[0].inputs
        #expect(triggered.count == Self.split.test.labels.filter { $0 != 0 }.count && triggered.labels.allSatisfy { $0 == 0 })
        #expect((0..<triggered.count).allSatisfy { row in zip(features, values).allSatisfy { triggered.features[row * 10 + $0] == $1 } })
    }

    /// The blend is x ← (1 - a) x + a p on every feature of the poisoned training rows and of the
    /// triggered test rows, bit for bit in Float (and within rounding of the formula in Double); p lies
    /// in each feature's training range, so blended training rows do too; p depends on the seed only.
    @Test func theBlendTriggerIsExactlyTheConvexCombinationWithAnInRangePattern() throws {
        let train = Self.split.train, test = Self.split.test
        let backdoor = try component(Backdoor.self, ["trigger": .string("blend"), "blend-alpha": .double(0.3), "target": .int(1)])
        guard case .blend(let a, let pattern) = backdoor.stamp(for: train, seed: 4) else {
            Issue.record("not a blend")
            return
        }
        #expect(a == Float(0.3) && pattern.count == 10)
        #expect(pattern.indices.allSatisfy { Self.range($0).contains(pattern[$0]) })
        let poisoned = try #require(backdoor.poison(Self.split, fraction: 0.1, seed: 4, trainer: Self.trainer))
        let chosen = Set(poisoned.poisonedRows)
        #expect(chosen.count == 35 && chosen.allSatisfy { train.labels[$0] != 1 && poisoned.data.labels[$0] == 1 })
        for row in 0..<train.count {
            for j in 0..<10 {
                let x = train.features[row * 10 + j], blended = poisoned.data.features[row * 10 + j]
                guard chosen.contains(row) else {
                    #expect(blended == x)
                    continue
                }
                #expect(blended == (1 - a) * x + a * pattern[j])
                #expect(abs(Double(blended) - (0.7 * Double(x) + 0.3 * Double(pattern[j]))) <= 1e-6 * max(1, abs(Double(x))))
                #expect(Self.range(j).contains(blended))
            }
        }
        let others = test.labels.indices.filter { test.labels[$0] != 1 }
        let triggered = poisoned.evaluations[0].inputs
        for (position, row) in others.enumerated() {
            for j in 0..<10 { #expect(triggered.features[position * 10 + j] == (1 - a) * test.features[row * 10 + j] + a * pattern[j]) }
        }
        // The same trigger at fraction 0 (the clean baseline's), another with another seed.
        let clean = try #require(backdoor.poison(Self.split, fraction: 0, seed: 4, trainer: Self.trainer))
        #expect(clean.poisonedRows.isEmpty && clean.data == train && clean.evaluations[0].inputs == triggered)
        #expect(backdoor.stamp(for: train, seed: 5) != backdoor.stamp(for: train, seed: 4))
    }

    // MARK: The loss input gradient

    /// ℓ(x, y) written plainly in Double: the network's logits z, then log Σ exp z - z_y.
    static func referenceLoss(_ theta: [Double], _ shape: NetworkShape, _ x: [Double], _ label: Int) -> Double {
        var activation = x
        for layer in shape.layers {
            activation = (0..<layer.outputs).map { o in
                let sum = (0..<layer.inputs).reduce(theta[layer.biasOffset + o]) { $0 + theta[layer.weightIndex(output: o, input: $1)] * activation[$1] }
                return layer.isHidden ? max(0, sum) : sum
            }
        }
        let top = activation.max()!
        return top + log(activation.reduce(0) { $0 + exp($1 - top) }) - activation[label]
    }

    @Test(arguments: [NetworkShape(inputs: 4, hidden: [13, 9], classes: 3), NetworkShape(inputs: 4, hidden: [], classes: 3)])
    func theLossInputGradientMatchesADoublePrecisionReferenceFiniteDifferencesAndTheNaiveKernels(shape: NetworkShape) {
        var random = Xoshiro256StarStar(seed: 6, purpose: "test-init")
        let model = NetworkParameters.pytorchDefault(shape: shape, random: &random)
        let x: [Float] = [0.3, -1.2, 0.8, 1.5, -0.4, 0.9, 0.2, -0.7, 1.1, 0.4, -0.9, 0.2], labels = [0, 2, 1]
        let (losses, gradient) = LossInputGradient(parameters: model, rows: 3).evaluate(x, labels: labels)
        let theta = model.values.map(Double.init)
        for row in 0..<3 {
            let point = x[(row * 4)..<(row * 4 + 4)].map(Double.init)
            let loss = Self.referenceLoss(theta, shape, point, labels[row])
            #expect(abs(losses[row] - loss) < 1e-5 * max(1, loss), "loss of row \(row)")
            for i in 0..<4 {
                let h = 1e-4
                var up = point, down = point
                up[i] += h
                down[i] -= h
                let numeric = (Self.referenceLoss(theta, shape, up, labels[row]) - Self.referenceLoss(theta, shape, down, labels[row])) / (2 * h)
                #expect(abs(Double(gradient[row * 4 + i]) - numeric) < 1e-3 * max(1, abs(numeric)), "∂ℓ/∂x\(i) of row \(row)")
            }
        }
        let naive = LossInputGradient(parameters: model, rows: 3, kernels: .reference).evaluate(x, labels: labels)
        #expect(zip(naive.losses, losses).allSatisfy { abs($0 - $1) < 1e-6 * max(1, abs($0)) })
        #expect(zip(naive.gradient, gradient).allSatisfy { abs($0 - $1) < 1e-6 * max(1, abs($0)) })
    }

    // MARK: PGD and the clean-label backdoor

    /// PGD against a trained model: every perturbed row stays in its L∞ ball of ε standard deviations
    /// per feature, and the model's loss (measured by the evaluation code, not the PGD's own) rises on
    /// every row and on average by a wide margin.
    @Test func pgdStaysInsideTheBallAndRaisesTheModelsLossOnEveryRow() throws {
        let train = Self.split.train
        let model = Self.trainer.train(train).model as! NetworkParameters
        let rows = train.labels.indices.filter { train.labels[$0] == 0 }
        let bases = rows.flatMap { train.features[($0 * 10)..<($0 * 10 + 10)] }, labels = rows.map { _ in 0 }
        let sd = Backdoor.standardDeviations(of: train), epsilon = 0.5
        #expect(sd.allSatisfy { $0 > 1 })
        let radius = sd.map { Float(epsilon * $0) }
        let x = projectedGradientAscent(rows: bases, labels: labels, model: model, radius: radius, step: sd.map { Float(0.125 * $0) }, steps: 10)
        var atBoundary = 0
        for i in x.indices {
            let distance = abs(Double(x[i]) - Double(bases[i])), r = Double(radius[i % 10])
            #expect(distance <= r + Double(max(abs(x[i]), abs(bases[i])).ulp), "entry \(i): |x - b| = \(distance) > ε σ = \(r)")
            if distance >= r * 0.999 { atBoundary += 1 }
        }
        #expect(atBoundary > x.count / 2, "\(atBoundary) of \(x.count) entries at the ball's surface")
        let before = model.rowLosses(on: Dataset(features: bases, labels: labels, featureCount: 10, classCount: 5))
        let after = model.rowLosses(on: Dataset(features: x, labels: labels, featureCount: 10, classCount: 5))
        #expect(zip(after, before).allSatisfy { $0 > $1 })
        let meanBefore: Double = before.reduce(0, +) / Double(before.count), meanAfter: Double = after.reduce(0, +) / Double(after.count)
        #expect(meanAfter > meanBefore + 0.5 && meanAfter > 2 * meanBefore, "mean loss \(meanBefore) → \(meanAfter)")
    }

    /// Clean label: the poisons are rows of the target class, keep their labels, differ from their
    /// clean rows by at most ε σ_j on the features the patch does not set and carry the patch; the
    /// rest of the training set is untouched. The same run again gives the same poisons, and the
    /// white-box surrogate (another seed) others.
    @Test func cleanLabelPoisonsArePerturbedTargetRowsWithinEpsilonStampedAndKeepTheirLabels() throws {
        let train = Self.split.train
        let backdoor = try component(Backdoor.self, ["clean-label": .bool(true), "target": .int(2)])
        let poisoned = try #require(backdoor.poison(Self.split, fraction: 0.1, seed: 3, trainer: Self.trainer))
        #expect(poisoned.data.labels == train.labels && poisoned.trueLabels == train.labels && !poisoned.saturated)
        #expect(poisoned.poisonedRows.count == 35 && poisoned.poisonedRows.allSatisfy { train.labels[$0] == 2 })
        guard case .patch(let features, let values) = backdoor.stamp(for: train, seed: 3) else {
            Issue.record("not a patch")
            return
        }
        let sd = Backdoor.standardDeviations(of: train), chosen = Set(poisoned.poisonedRows)
        var moved = 0
        for row in 0..<train.count {
            for j in 0..<10 {
                let x = poisoned.data.features[row * 10 + j], b = train.features[row * 10 + j]
                if !chosen.contains(row) {
                    #expect(x == b)
                } else if let k = features.firstIndex(of: j) {
                    #expect(x == values[k])
                } else {
                    #expect(abs(Double(x) - Double(b)) <= Double(Float(0.5 * sd[j])) + Double(max(abs(x), abs(b)).ulp))
                    if x != b { moved += 1 }
                }
            }
        }
        #expect(moved > chosen.count * 7 / 2, "\(moved) of \(chosen.count * 7) free entries moved")
        // The perturbation (before the stamp) raised the surrogate's loss on the poisons.
        let hardening = try #require(backdoor.hardening)
        let (perturbed, surrogate) = try #require(backdoor.hardened(train, rows: poisoned.poisonedRows, hardening: hardening, trainer: Self.trainer))
        let clean = train.rows(poisoned.poisonedRows)
        let before = surrogate.rowLosses(on: clean)
        let after = surrogate.rowLosses(on: Dataset(features: perturbed, labels: clean.labels, featureCount: 10, classCount: 5))
        let meanBefore: Double = before.reduce(0, +) / Double(before.count), meanAfter: Double = after.reduce(0, +) / Double(after.count)
        #expect(meanAfter > meanBefore + 0.5, "mean surrogate loss \(meanBefore) → \(meanAfter)")
        // The surrogate came from the attack's cache (trained once) and is exactly the one training gives.
        #expect(backdoor.surrogates.count == 1)
        #expect(surrogate as! NetworkParameters == Self.trainer.surrogate(.transfer).train(train).model as! NetworkParameters)
        // Deterministic: again from the cache, at another fraction (the same surrogate, a prefix of
        // the same rows), and from a fresh attack that trains its own.
        #expect(try #require(backdoor.poison(Self.split, fraction: 0.1, seed: 3, trainer: Self.trainer)).data == poisoned.data)
        let fewer = try #require(backdoor.poison(Self.split, fraction: 0.05, seed: 3, trainer: Self.trainer))
        #expect(backdoor.surrogates.count == 1 && fewer.poisonedRows == Array(poisoned.poisonedRows.prefix(18)))
        #expect(fewer.poisonedRows.allSatisfy { row in
            poisoned.data.features[(row * 10)..<(row * 10 + 10)] == fewer.data.features[(row * 10)..<(row * 10 + 10)]
        })
        let fresh = try component(Backdoor.self, ["clean-label": .bool(true), "target": .int(2)])
        #expect(try #require(fresh.poison(Self.split, fraction: 0.1, seed: 3, trainer: Self.trainer)).data == poisoned.data)
        // Another surrogate (the victim's own seed) gives other poisons.
        let whiteBox = try component(Backdoor.self, ["clean-label": .bool(true), "target": .int(2), "white-box": .bool(true)])
        let white = try #require(whiteBox.poison(Self.split, fraction: 0.1, seed: 3, trainer: Self.trainer))
        #expect(white.poisonedRows == poisoned.poisonedRows && white.data != poisoned.data)
    }

    /// The budget is a share of the training set; clean label may touch only the target class
    /// (70 of 350 rows here), so 50% (175 rows) poisons all 70 and says it saturated; ε = 0 stamps
    /// them unperturbed.
    @Test func aCleanLabelBudgetBeyondTheTargetClassSaturatesAndEpsilonZeroOnlyStamps() throws {
        let train = Self.split.train
        let targetRows = Set(train.labels.indices.filter { train.labels[$0] == 0 })
        let backdoor = try component(Backdoor.self, ["clean-label": .bool(true), "epsilon": .int(0)])
        #expect(backdoor.knowledge == nil)
        let all = try #require(backdoor.poison(Self.split, fraction: 0.5, seed: 1, trainer: Self.trainer))
        #expect(all.saturated && Set(all.poisonedRows) == targetRows && all.poisonedRows.count == targetRows.count)
        var expected = train
        backdoor.stamp(for: train, seed: 1).apply(to: &expected, rows: targetRows)
        #expect(all.data == expected)
        let some = try #require(backdoor.poison(Self.split, fraction: 0.1, seed: 1, trainer: Self.trainer))
        #expect(!some.saturated && some.poisonedRows.count == 35)
    }

    /// Turner et al.'s claim on a controlled case: at the same budget (10%, target-class rows only),
    /// poisons made hard to learn by PGD (ε = 1) plant a stronger backdoor than the same rows stamped
    /// unperturbed (ε = 0), measured as the excess success over the clean model, for every seed.
    @Test func hardenedCleanLabelPoisonsPlantAStrongerBackdoorThanPlainStamping() throws {
        let attacks = [0, 1].map { StudyConfig.component(Backdoor.kind, ["clean-label": .bool(true), "epsilon": .int($0)]) }
        let study = try Study(StudyConfig(models: [StudyConfig.mlp(32)], attacks: attacks, fractions: [0, 0.1], seeds: [1, 2, 3],
                                          training: TrainingSettings(epochs: 60)))
        let runs = study.withCleanBaselines(runStudy(study, threads: 2).results)
        for seed: UInt64 in [1, 2, 3] {
            func excess(_ series: Int) throws -> Double {
                let run = try #require(runs.first { $0.series == series && $0.seed == seed && $0.fraction == 0.1 })
                return try #require(run.metrics?["backdoorSuccessExcess"])
            }
            let plain = try excess(0), hardened = try excess(1)
            #expect(hardened > plain + 0.1, "seed \(seed): excess \(plain) stamped, \(hardened) with PGD")
        }
    }

    /// The clean-label backdoor counts training its surrogate, the PGD's rows, iterate, gradient
    /// and workspace, and the surrogates it keeps; with ε = 0 it trains none and counts none.
    @Test func theCleanLabelMemoryNeedCountsTheSurrogateAndThePGD() throws {
        let shape = NetworkShape(inputs: 10, hidden: [64], classes: 5)
        let sizes = RunSizes(split: SplitSizes(trainRows: 350, testRows: 150, features: 10, classes: 5), model: shape,
                             settings: TrainingSettings(), poisonedRows: 175)
        let dirty = try component(Backdoor.self).memoryNeed(sizes)
        let clean = try component(Backdoor.self, ["clean-label": .bool(true)]).memoryNeed(sizes)
        let stamped = try component(Backdoor.self, ["clean-label": .bool(true), "epsilon": .int(0)]).memoryNeed(sizes)
        #expect(stamped == dirty && clean.kept == dirty.kept)
        let pgd = 4 * Double(shape.parameterCount) + 3 * 4 * 175 * 10 + 16 * 175 + NetworkWorkspace.bytes(shape, capacity: 175)
        // 32 surrogates: their parameters (counted at 8 bytes, the most a model's take) and the losses of their 200 epochs.
        #expect(clean.working - dirty.working == max(sizes.trainingBytes, pgd) + 32 * (8 * Double(shape.parameterCount) + 8 * 200))
    }

    // MARK: The clean baseline

    /// Through a study: at fraction 0 the backdoor's success excess over the clean model is exactly 0
    /// (the run is its own baseline), and every poisoned run's baseline is the fraction-0 success of its
    /// series and seed, for dirty-label, blend and clean-label backdoors.
    @Test func backdoorExcessSuccessIsZeroAtFractionZero() throws {
        let attacks = [StudyConfig.component(Backdoor.kind), StudyConfig.component(Backdoor.kind, ["trigger": .string("blend")]),
                       StudyConfig.component(Backdoor.kind, ["clean-label": .bool(true), "target": .int(1)])]
        let study = try Study(StudyConfig(models: [StudyConfig.mlp(8)], attacks: attacks, fractions: [0, 0.1], seeds: [1, 2],
                                          training: TrainingSettings(epochs: 10)))
        let runs = study.withCleanBaselines(runStudy(study, threads: 2).results)
        #expect(runs.count == 12)
        let key = "backdoorSuccess"
        var clean = [[UInt64]: Double]()
        for run in runs where run.fraction == 0 {
            let metrics = try #require(run.metrics)
            let success = try #require(metrics[key])
            #expect(metrics[key + "Excess"] == 0 && metrics[key + "Baseline"] == success)
            clean[[UInt64(run.series), run.seed]] = success
        }
        #expect(clean.count == 6)
        for run in runs where run.fraction > 0 {
            let metrics = try #require(run.metrics)
            let baseline = try #require(clean[[UInt64(run.series), run.seed]])
            #expect(metrics[key + "Baseline"] == baseline && metrics[key + "Excess"] == metrics[key].map { $0 - baseline })
        }
    }
}
