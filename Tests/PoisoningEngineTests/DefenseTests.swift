import Foundation
import Testing
@testable import PoisoningAttacks
@testable import PoisoningData
@testable import PoisoningDefenses
@testable import PoisoningEngine
@testable import PoisoningModels
@testable import PoisoningTheory
@testable import PoisoningUtilities

/// Detection metrics by hand, AUROC with ties, and the loss filter where it must work.
struct DefenseTests {
    /// Positives {0.9, 0.5, 0.5}, negatives {0.5, 0.1}: of the 6 (positive, negative) pairs the
    /// positive wins 0.9>0.5, 0.9>0.1, 0.5>0.1, 0.5>0.1 (4) and ties 0.5=0.5 twice (2 x 1/2): U = 5.
    @Test func aurocCountsTiesAsOneHalf() {
        #expect(areaUnderROC(positives: [0.9, 0.5, 0.5], negatives: [0.5, 0.1]) == 5.0 / 6.0)
        #expect(areaUnderROC(positives: [3, 4], negatives: [1, 2]) == 1)
        #expect(areaUnderROC(positives: [1, 2], negatives: [3, 4]) == 0)
        #expect(areaUnderROC(positives: [1, 1], negatives: [1, 1, 1]) == 0.5)
        #expect(areaUnderROC(positives: [], negatives: [1]) == nil)
    }

    @Test func aurocEqualsThePairCountOnRandomScores() {
        var random = Xoshiro256StarStar(seed: 3, purpose: "auroc")
        // Scores on a coarse grid so that ties are common.
        let positives = (0..<40).map { _ in Double(random.nextInt(below: 7)) }
        let negatives = (0..<55).map { _ in Double(random.nextInt(below: 5)) }
        var pairs = 0.0
        for p in positives { for n in negatives { pairs += p > n ? 1 : p == n ? 0.5 : 0 } }
        let auroc = areaUnderROC(positives: positives, negatives: negatives)!
        #expect(abs(auroc - pairs / Double(positives.count * negatives.count)) < 1e-12)
    }

    /// 10 rows, rows 1, 3, 5 poisoned; the defense removes 3, 5, 7, 9 and scores rows by index.
    @Test func precisionRecallAndRemovedShareByHand() {
        let decision = DefenseDecision(scores: (0..<10).map(Double.init), kept: [0, 1, 2, 4, 6, 8])
        let metrics = DetectionMetrics(decision: decision, poisonedRows: [1, 3, 5], labels: Array(repeating: 0, count: 10))
        #expect(metrics.precision == 2.0 / 4.0)
        #expect(metrics.recall == 2.0 / 3.0)
        #expect(metrics.removedFraction == 0.4)
        // Pairs (poisoned, clean) won by the poisoned row: row 1 beats 0; 3 beats 0, 2; 5 beats 0, 2, 4: 6 of 21.
        #expect(metrics.auroc == 6.0 / 21.0)
        let nothingRemoved = DetectionMetrics(decision: DefenseDecision(scores: nil, kept: Array(0..<10)), poisonedRows: [], labels: Array(repeating: 0, count: 10))
        #expect(nothingRemoved.precision == nil && nothingRemoved.recall == nil && nothingRemoved.auroc == nil)
    }

    /// Every registered defense (under an attack with its own metric): each run records only metrics
    /// its series declares it can, and every one of them defined for it (here all but precision,
    /// undefined when nothing is flagged), so that a check of stored or merged runs that refuses any
    /// other metric never refuses a real run.
    @Test func everyDefenseRecordsOnlyTheMetricsItDeclares() throws {
        let config = StudyConfig(models: [StudyConfig.mlp(8)], attacks: [StudyConfig.component(ClassFlip.kind)],
                                 defenses: Registry.defenses.map { StudyConfig.component($0.kind) }, fractions: [0, 0.3], seeds: [1],
                                 training: TrainingSettings(epochs: 4))
        let study = try Study(config)
        let runs = study.withCleanBaselines(study.runSpecs.map { executeRun($0, study: study) })
        for run in runs where run.fraction == 0.3 {
            let spec = RunSpec(fraction: run.fraction, series: run.series, seed: run.seed)
            let metrics = try #require(run.metrics)
            let recordable = study.recordableMetrics(of: spec.series)
            let label = study.series[spec.series].defenseLabel
            #expect(Set(metrics.keys).isSubset(of: recordable), "\(label)")
            #expect(recordable.subtracting(metrics.keys).isSubset(of: [MetricKey.detectionPrecision]), "\(label)")
        }
        #expect(study.recordableMetrics(of: 0) == Set(MetricKey.recordedByEveryRun
            + ["targetSuccess", "targetSuccessBaseline", "targetSuccessExcess", "sourceClassShare"]))   // no defense
    }

    @Test func rankingPutsTheHighestScoreFirstAndBreaksTiesByRow() {
        #expect(rankedDescending([0.5, 2, 2, -1, .nan]) == [4, 1, 2, 0, 3])
    }

    /// Well-separated clusters (std 0.5 around centers 2 · N(0, 1) in 10 dimensions) with 20% random
    /// flips: a flipped row sits inside another class's cluster, so its loss stands out.
    @Test func lossFilterFindsRandomFlipsOnWellSeparatedClusters() throws {
        let config = StudyConfig(data: StudyConfig.component(GaussianClusters.kind, ["cluster-std": .double(0.5)]),
                                 models: [StudyConfig.mlp(32)], defenses: [StudyConfig.component(LossFilter.kind, ["drop": .double(0.2)])],
                                 fractions: [0.2], seeds: [1], training: TrainingSettings(epochs: 30))
        let study = try Study(config)
        let result = executeRun(study.runSpecs[0], study: study)
        let metrics = try #require(result.metrics)
        let auroc = try #require(metrics[MetricKey.detectionAUROC])
        #expect(auroc > 0.9, "AUROC \(auroc)")
        #expect(metrics[MetricKey.removedFraction] == 0.2)
        // Removing as many rows as were poisoned: precision equals recall.
        #expect(metrics[MetricKey.detectionPrecision] == metrics[MetricKey.detectionRecall])
        #expect(try #require(metrics[MetricKey.detectionRecall]) > 0.7)
    }

    /// The loss filter's decision is the first model's losses and their top `drop` share, computed here
    /// independently from a model trained the same way.
    @Test func lossFilterDropsTheRowsWithTheHighestLossOfTheFirstModel() throws {
        let split = GaussianClusters().makeSplit()
        let poisoned = RandomLabelFlip().poison(split, fraction: 0.3, seed: 4)
        let trainer = ModelTrainer(model: NetworkShape(inputs: 10, hidden: [16], classes: 5),
                                   settings: TrainingSettings(epochs: 10), seed: 4)
        let decision = try #require(LossFilter(drop: 0.25).inspect(poisoned, trainer: trainer))
        let losses = trainer.train(poisoned.data).model.rowLosses(on: poisoned.data)
        #expect(decision.scores == losses)
        let threshold = losses.sorted(by: >)[poisonCount(fraction: 0.25, of: 350) - 1]
        let removed = Set(0..<350).subtracting(decision.kept)
        #expect(removed.count == 88)
        #expect(removed.allSatisfy { losses[$0] >= threshold })
        #expect(decision.kept.allSatisfy { losses[$0] <= threshold })
    }
}

/// The sanitisers on hand-made cases, and the robust-training adjustments.
struct SanitiserAndTrainingTests {
    /// Two tight clusters of six rows in two features, labels 0 and 1, with row 2 of the first
    /// cluster and row 9 of the second planted with the other cluster's label.
    static let planted: PoisonedTrainingSet = {
        var features = [Float](), labels = [Int]()
        for (cluster, centre) in [(0, Float(0)), (1, Float(10))].map({ ($0.0, $0.1) }) {
            for i in 0..<6 {
                features += [centre + Float(i % 3) * 0.1, centre + Float(i / 3) * 0.1]
                labels.append(cluster)
            }
        }
        var given = labels
        given[2] = 1
        given[9] = 0
        return PoisonedTrainingSet(data: Dataset(features: features, labels: given, featureCount: 2, classCount: 2),
                                   trueLabels: labels, poisonedRows: [2, 9])
    }()

    static let trainer = ModelTrainer(model: NetworkShape(inputs: 2, hidden: [4], classes: 2), settings: TrainingSettings(epochs: 2), seed: 1)

    @Test func kNNFilterAndRelabelFlagExactlyThePlantedRows() throws {
        let filter = try #require(try component(KNNFilter.self, ["k": .int(4)]).inspect(Self.planted, trainer: Self.trainer))
        #expect(Set(0..<12).subtracting(filter.kept) == [2, 9])
        let metrics = DetectionMetrics(decision: filter, poisonedRows: [2, 9], labels: Self.planted.data.labels)
        #expect(metrics.precision == 1 && metrics.recall == 1 && metrics.auroc == 1)
        let relabel = try #require(try component(KNNRelabel.self, ["k": .int(4)]).inspect(Self.planted, trainer: Self.trainer))
        #expect(relabel.kept == Array(0..<12) && relabel.labels == Self.planted.trueLabels)
        #expect(relabel.flagged(rowCount: 12, originalLabels: Self.planted.data.labels) == [2, 9])
    }

    @Test func theCentroidSphereDropsThePlantedFarRow() throws {
        var data = Self.planted.data
        data.labels = Self.planted.trueLabels
        data.features[2 * 2] = 4   // row 2 moved far from its class centroid
        let far = PoisonedTrainingSet(data: data, trueLabels: data.labels, poisonedRows: [2])
        let decision = try #require(try component(CentroidSphere.self, ["drop": .double(0.05)]).inspect(far, trainer: Self.trainer))
        #expect(Set(0..<12).subtracting(decision.kept) == [2])
        #expect(decision.scores.map(rankedDescending)?.first == 2)
    }

    @Test func aPerfectScoreHasAUROCOneAndAConstantOneHalf() {
        #expect(areaUnderROC(positives: [0.9, 0.8], negatives: [0.1, 0.2, 0.3]) == 1)
        #expect(areaUnderROC(positives: [0.5, 0.5], negatives: [0.5, 0.5, 0.5]) == 0.5)
        #expect(areaUnderROC(positives: [0.1], negatives: [0.9]) == 0)
    }

    /// Validation losses 1.0, 0.8, 0.9, 0.85, 0.95 with patience 2: best at epoch 2, stop after epoch 4.
    @Test func earlyStoppingStopsWhereTheValidationCurveSays() {
        var rule = StoppingRule(patience: 2)
        let decisions = zip([1.0, 0.8, 0.9, 0.85, 0.95], 1...).map { rule.record($0, epoch: $1) }
        #expect(decisions.map(\.improved) == [true, true, false, false, false])
        #expect(decisions.map(\.stop) == [false, false, false, true, true])
        #expect(rule.bestEpoch == 2 && rule.bestLoss == 0.8)
    }

    @Test func earlyStoppingKeepsTheBestEpochAndHoldsOutItsShare() throws {
        let split = GaussianClusters(samples: 200, features: 4, classes: 3, seed: 5).makeSplit()
        let poisoned = RandomLabelFlip().poison(split, fraction: 0.4, seed: 2)
        let trainer = ModelTrainer(model: NetworkShape(inputs: 4, hidden: [32], classes: 3), settings: TrainingSettings(epochs: 300), seed: 2)
        let decision = try #require(try component(EarlyStoppingDefense.self, ["patience": .int(5)]).inspect(poisoned, trainer: trainer))
        #expect(decision.kept.count == 140 - 28 && decision.scores == nil)
        let outcome = trainer.train(poisoned.data.rows(decision.kept), adjustment: decision.training)
        let stopped = try #require(outcome.stoppingEpoch)
        #expect(stopped < 300 && outcome.epochLosses.count >= stopped + 5 && outcome.epochLosses.count < 300)
    }

    /// Trimmed loss on well-separated clusters with 20% random flips: the rows that sit out the last
    /// epoch are exactly the round(ε n) highest losses before it, and mostly the flipped ones.
    @Test func trimmedLossLeavesOutTheHighestLossRowsAndFindsTheFlips() throws {
        let split = GaussianClusters(samples: 300, features: 5, classes: 3, clusterStd: 1.0, centerScale: 4.0, seed: 4).makeSplit()
        let poisoned = RandomLabelFlip().poison(split, fraction: 0.2, seed: 5)
        let trainer = ModelTrainer(model: NetworkShape(inputs: 5, hidden: [16], classes: 3), settings: TrainingSettings(epochs: 40), seed: 5)
        let trimmed = trainer.train(poisoned.data, adjustment: TrainingAdjustment(trimmedShare: 0.2))
        let left = try #require(trimmed.trimmedRows)
        #expect(left.count == poisonCount(fraction: 0.2, of: 210))
        #expect(Double(Set(left).intersection(poisoned.poisonedRows).count) / Double(left.count) > 0.8)
        // The last epoch's exclusions are the highest losses of the model before it: the same training
        // stopped one epoch earlier (its streams are the same), ranked here independently.
        let earlier = ModelTrainer(model: trainer.model, settings: TrainingSettings(epochs: 39), seed: 5)
            .train(poisoned.data, adjustment: TrainingAdjustment(trimmedShare: 0.2)).model
        let ranked = rankedDescending(earlier.rowLosses(on: poisoned.data)).prefix(left.count)
        #expect(Set(ranked) == Set(left))
        let decision = try #require(try component(TrimmedLoss.self, ["epsilon": .double(0.2)]).inspect(poisoned, trainer: trainer))
        #expect(Set(0..<210).subtracting(decision.kept) == Set(left))
        let metrics = DetectionMetrics(decision: decision, poisonedRows: poisoned.poisonedRows, labels: poisoned.data.labels)
        #expect(try #require(metrics.auroc) > 0.9)
    }

    /// ε of the subsampled Gaussian mechanism on the integer orders 2..64 against dp-accounting's
    /// RdpAccountant(orders=range(2, 65)) (scripts/reference_statistics.py), exact there: the finite
    /// binomial sums and the conversion. The default orders are checked in PrivacyAccountantTests.
    @Test(arguments: [(0.2, 1.1, 100, 1e-5, 14.367597352732545), (64.0 / 350, 1.0, 1200, 1e-5, 77.16328743306588),
                      (0.01, 4.0, 10000, 1e-6, 1.1694689236889932), (1.0, 2.0, 10, 1e-5, 8.087861628831664)])
    func theAccountantMatchesDPAccounting(q: Double, sigma: Double, steps: Int, delta: Double, expected: Double) {
        let integerOrders = (2...64).map(Double.init)
        let budget = privacyBudget(samplingRate: q, noise: sigma, steps: steps, delta: delta, orders: integerOrders)
        #expect(abs(budget.epsilon - expected) < 1e-9 * expected)
    }

    /// The batched clipped gradient (per-example norms from the outer-product identity, one more
    /// pass with scaled deltas) against the naive one pass per row, for networks of zero to two
    /// hidden layers, bounds that clip no row, some rows and every row, with and without smoothing.
    @Test(arguments: [([Int](), Float(1e6), Float(0)), ([6], 0.5, 0), ([6], 0.05, 0.1), ([8, 5], 0.3, 0), ([8, 5], 1e-3, 0.1)])
    func batchedClippingMatchesOnePassPerExample(hidden: [Int], bound: Float, smoothing: Float) {
        let shape = NetworkShape(inputs: 7, hidden: hidden, classes: 4)
        var random = Xoshiro256StarStar(seed: 11, purpose: "clip-test")
        let parameters = NetworkParameters.pytorchDefault(shape: shape, random: &random).values
        let rows = 13
        let inputs = (0..<(rows * 7)).map { _ in Float(random.nextStandardNormal()) * 2 }
        let labels = (0..<rows).map { _ in random.nextInt(below: 4) }
        let workspace = NetworkWorkspace(shape: shape, capacity: 16)
        parameters.withUnsafeBufferPointer { theta in
            inputs.withUnsafeBufferPointer { x in
                labels.withUnsafeBufferPointer { y in
                    let reference = NetworkWorkspace.referenceClippedGradient(
                        shape: shape, parameters: theta.baseAddress!, inputs: x.baseAddress!, labels: y.baseAddress!, rows: rows,
                        labelSmoothing: smoothing, bound: bound)
                    workspace.forward(parameters: theta.baseAddress!, inputs: x.baseAddress!, rows: rows)
                    let lossSum = workspace.clippedBackward(parameters: theta.baseAddress!, inputs: x.baseAddress!, labels: y.baseAddress!,
                                                            rows: rows, labelSmoothing: smoothing, bound: bound)
                    #expect(abs(lossSum - reference.lossSum) <= 1e-5 * reference.lossSum)
                    let largest = reference.gradient.map(abs).max()!
                    for j in 0..<shape.parameterCount {
                        #expect(abs(workspace.gradient[j] - reference.gradient[j]) <= 2e-5 * largest, "parameter \(j)")
                    }
                }
            }
        }
    }

    /// Without noise and with a bound no gradient reaches, DP-SGD is plain SGD up to the order of the
    /// sums; with a tight bound every step moves θ by at most lr · C (no noise).
    @Test func dpSGDWithoutNoiseIsSGDAndItsStepsAreBounded() {
        let data = Dataset(features: (0..<40).map { Float(($0 * 7) % 11) / 5 - 1 }, labels: (0..<20).map { $0 % 3 }, featureCount: 2, classCount: 3)
        let shape = NetworkShape(inputs: 2, hidden: [5], classes: 3)
        let settings = TrainingSettings(epochs: 3, batchSize: 4, learningRate: 0.1)
        let plain = trainNetwork(shape, on: data, settings: settings, seed: 3).parameters.values
        let loose = trainNetwork(shape, on: data, settings: settings, seed: 3,
                                 adjustment: TrainingAdjustment(privacy: DifferentialPrivacy(clip: 1e6, noise: 0, delta: 1e-5))).parameters.values
        #expect(zip(plain, loose).allSatisfy { abs($0 - $1) < 1e-5 })
        let start = trainNetwork(shape, on: data, settings: TrainingSettings(epochs: 1, batchSize: 20, learningRate: 0.1), seed: 3,
                                 adjustment: TrainingAdjustment(privacy: DifferentialPrivacy(clip: 0.01, noise: 0, delta: 1e-5)))
        var random = Xoshiro256StarStar(seed: 3, purpose: "init")
        let initial = NetworkParameters.pytorchDefault(shape: shape, random: &random).values
        let step = zip(start.parameters.values, initial).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        #expect(step <= 0.1 * 0.01 + 1e-6)
    }

    /// cleanlab 2.9's find_label_issues(filter_by="confident_learning") flags rows 2, 7 and 9 of these
    /// probabilities (scripts/reference_statistics.py).
    @Test func confidentLearningFlagsWhatCleanlabFlags() {
        let probabilities: [[Double]] = [
            [0.90, 0.05, 0.05], [0.80, 0.10, 0.10], [0.20, 0.70, 0.10], [0.60, 0.30, 0.10], [0.40, 0.40, 0.20],
            [0.10, 0.85, 0.05], [0.05, 0.90, 0.05], [0.70, 0.20, 0.10], [0.30, 0.60, 0.10], [0.10, 0.30, 0.60],
            [0.05, 0.10, 0.85], [0.10, 0.10, 0.80], [0.50, 0.10, 0.40], [0.20, 0.20, 0.60], [0.34, 0.33, 0.33],
            [0.10, 0.45, 0.45],
        ]
        let labels = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]
        let (flags, scores) = ConfidentLearning.issues(probabilities: probabilities.flatMap { $0 }, labels: labels, classes: 3)
        #expect(flags.indices.filter { flags[$0] } == [2, 7, 9])
        // t_0 = mean of p_0 over class 0 = 0.58: row 2 scores 0.58 - 0.2.
        #expect(abs(scores[2] - 0.38) < 1e-12)
    }

    @Test func confidentLearningFindsRandomFlipsOnSeparatedClusters() throws {
        let split = GaussianClusters(samples: 300, features: 5, classes: 3, clusterStd: 1.0, centerScale: 4.0, seed: 4).makeSplit()
        let poisoned = RandomLabelFlip().poison(split, fraction: 0.2, seed: 5)
        let trainer = ModelTrainer(model: NetworkShape(inputs: 5, hidden: [16], classes: 3), settings: TrainingSettings(epochs: 40), seed: 5)
        let decision = try #require(try component(ConfidentLearning.self, [:]).inspect(poisoned, trainer: trainer))
        let metrics = DetectionMetrics(decision: decision, poisonedRows: poisoned.poisonedRows, labels: poisoned.data.labels)
        #expect(try #require(metrics.precision) > 0.8 && (try #require(metrics.recall)) > 0.8)
    }

    /// One full-batch step with weight decay: θ1 = θ0 - lr (g + λ θ0), g the gradient at θ0.
    @Test func weightDecayAddsLambdaThetaToTheGradient() {
        let data = Dataset(features: [0.5, -1, 1.5, 0.2, -0.3, 0.8], labels: [0, 1, 2], featureCount: 2, classCount: 3)
        let shape = NetworkShape(inputs: 2, hidden: [], classes: 3)
        let settings = TrainingSettings(epochs: 1, batchSize: 3, learningRate: 0.1)
        var random = Xoshiro256StarStar(seed: 8, purpose: "init")
        let start = NetworkParameters.pytorchDefault(shape: shape, random: &random)
        let gradient = start.lossAndGradient(on: data).gradient
        let trained = trainNetwork(shape, on: data, settings: settings, seed: 8, adjustment: TrainingAdjustment(weightDecay: 0.5)).parameters
        for i in 0..<shape.parameterCount {
            let expected = start.values[i] - 0.1 * (gradient[i] + 0.5 * start.values[i])
            #expect(abs(trained.values[i] - expected) < 1e-6)
        }
    }
}

/// The representation-based sanitisers on hand-made representations.
struct RepresentationSanitiserTests {
    /// Class 0: 20 rows on a small ring around the origin in two dimensions and 3 planted rows at
    /// (6, 6) ± a little; class 1: 10 rows near (20, 0). Rows 20, 21, 22 are the planted ones.
    static let representations: ClassRepresentations = {
        var phi = [Double](), labels = [Int]()
        for i in 0..<20 {
            let angle = Double(i) * 0.314
            phi += [0.5 * cos(angle), 0.5 * sin(angle)]
            labels.append(0)
        }
        for i in 0..<3 {
            phi += [6 + 0.1 * Double(i), 6 - 0.1 * Double(i)]
            labels.append(0)
        }
        for i in 0..<10 {
            phi += [20 + 0.3 * cos(Double(i)), 0.3 * sin(Double(i))]
            labels.append(1)
        }
        return ClassRepresentations(representations: phi, width: 2, labels: labels, classCount: 2)
    }()

    @Test func theLeadingDirectionOfAnElongatedCloudIsItsLongAxis() {
        // Points t (1, 1) + s (1, -1) for t in -4.5...4.5 and s = ±0.45: centred, uncorrelated, and
        // spread about 6 times wider along (1, 1).
        let centred = (0..<10).flatMap { i -> [Double] in
            let t = Double(i) - 4.5
            return [0.45, -0.45].flatMap { s in [t + s, t - s] }
        }
        let direction = ClassRepresentations.leadingDirections(centred, width: 2, count: 1)[0]
        #expect(abs(abs(direction[0]) - 0.5.squareRoot()) < 1e-9 && abs(direction[0] - direction[1]) < 1e-9)
    }

    @Test func spectralSignaturesRemoveExactlyThePlantedRows() throws {
        // ⌈1.5 ε n⌉ with ε = 0.08: ⌈2.76⌉ = 3 rows of class 0 (23 rows), ⌈1.2⌉ = 2 of class 1 (10 rows).
        let decision = try component(SpectralSignature.self, ["epsilon": .double(0.08)]).decide(Self.representations, rowCount: 33)
        let removed = Set(0..<33).subtracting(decision.kept)
        #expect(removed.intersection(0..<23) == [20, 21, 22] && removed.count == 5)
        let scores = try #require(decision.scores)
        #expect(areaUnderROC(positives: [20, 21, 22].map { scores[$0] }, negatives: (0..<20).map { scores[$0] }) == 1)
    }

    /// The planted rows are 3 of class 0's 23 (13%, under the size bound) and far from the ring
    /// (silhouette near 1): a candidate. Class 1's ring splits in halves, too large to be one.
    @Test func activationClusteringMakesTheSmallSeparateClusterACandidate() throws {
        let clustering = try component(ActivationClustering.self, ["components": .int(2)]).cluster(Self.representations, rowCount: 33)
        #expect(clustering.candidates == [[20, 21, 22]])
        let scores = clustering.scores
        #expect(areaUnderROC(positives: [20, 21, 22].map { scores[$0] }, negatives: (0..<20).map { scores[$0] }) == 1)
        // A silhouette bound above the split's own silhouette leaves no candidate.
        let strict = try component(ActivationClustering.self, ["components": .int(2), "silhouette": .double(0.999)])
        #expect(strict.cluster(Self.representations, rowCount: 33).candidates.isEmpty)
    }

    /// Points 0, 1 | 10, 11 on a line: a = 1 for each; b = 10.5, 9.5, 9.5, 10.5.
    @Test func theSilhouetteByHand() throws {
        let clustering = try component(ActivationClustering.self)
        let silhouette = clustering.meanSilhouette([[0], [1], [10], [11]], assignment: [0, 0, 1, 1])
        #expect(abs(silhouette - (9.5 / 10.5 + 8.5 / 9.5) / 2) < 1e-15)
        // Points 0 | 10, 11: 0 is alone in its cluster and counts 0; 10 has a = 1, b = 10; 11 has a = 1, b = 11.
        #expect(abs(clustering.meanSilhouette([[0], [10], [11]], assignment: [0, 1, 1]) - (0.9 + 10.0 / 11) / 3) < 1e-15)
        #expect(clustering.meanSilhouette([[0], [1]], assignment: [0, 0]) == -1)
    }

    /// Exclusionary reclassification's l/p ≤ T: the cluster's own label (0) against the most common
    /// other class.
    @Test func exclusionaryReclassificationComparesTheOwnLabelWithTheMostCommonOther() throws {
        let clustering = try component(ActivationClustering.self)   // T = 1
        #expect(clustering.confirmed(predictions: [0, 0, 1, 1, 1, 2], label: 0, classCount: 3))       // 2 ≤ 3
        #expect(clustering.confirmed(predictions: [0, 0, 1, 1, 2, 2], label: 0, classCount: 3))       // 2 ≤ 2
        #expect(!clustering.confirmed(predictions: [0, 0, 0, 1, 1, 2], label: 0, classCount: 3))      // 3 > 2
        #expect(!clustering.confirmed(predictions: [0, 0], label: 0, classCount: 3))                  // no other class
        let strict = try component(ActivationClustering.self, ["reclassification": .double(0.5)])
        #expect(!strict.confirmed(predictions: [0, 0, 1, 1, 1, 2], label: 0, classCount: 3))          // 2 > 1.5
    }

    /// The eigen-decomposition of random symmetric matrices (one with a repeated eigenvalue): A v = λ v
    /// to rounding, orthonormal vectors, values descending and summing to the trace.
    @Test(arguments: [1, 2, 7, 40])
    func symmetricEigenDecomposesRandomMatrices(n: Int) {
        var random = Xoshiro256StarStar(seed: UInt64(n), purpose: "eigen-test")
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                let value = random.nextStandardNormal()
                (a[i * n + j], a[j * n + i]) = (value, value)
            }
        }
        if n == 7 {
            // Q diag(3, 3, 1, 0, -1, -2, 5) Qᵀ for a Householder reflection Q: 3 is a double eigenvalue.
            let u = (0..<n).map { _ in random.nextStandardNormal() }, norm = u.reduce(0) { $0 + $1 * $1 }
            let d = [3.0, 3, 1, 0, -1, -2, 5]
            for i in 0..<n {
                for j in 0..<n {
                    a[i * n + j] = (0..<n).reduce(0.0) { sum, k in
                        let qi = (i == k ? 1 : 0) - 2 * u[i] * u[k] / norm, qj = (j == k ? 1 : 0) - 2 * u[j] * u[k] / norm
                        return sum + qi * d[k] * qj
                    }
                }
            }
        }
        let eigen = ClassRepresentations.symmetricEigen(a, n: n)
        let scale = a.map(abs).max()!
        #expect(eigen.count == n)
        for (index, (value, vector)) in eigen.enumerated() {
            for i in 0..<n {
                let av = (0..<n).reduce(0) { $0 + a[i * n + $1] * vector[$1] }
                #expect(abs(av - value * vector[i]) < 1e-10 * scale, "row \(i) of pair \(index)")
            }
            for (other, (_, w)) in eigen.enumerated() {
                let dot = zip(vector, w).reduce(0) { $0 + $1.0 * $1.1 }
                #expect(abs(dot - (other == index ? 1 : 0)) < 1e-10)
            }
        }
        #expect(zip(eigen, eigen.dropFirst()).allSatisfy { $0.value >= $1.value })
        #expect(abs(eigen.reduce(0) { $0 + $1.value } - (0..<n).reduce(0) { $0 + a[$1 * n + $1] }) < 1e-10 * scale * Double(n))
        if n == 7 { #expect(zip(eigen.map(\.value), [5.0, 3, 3, 1, 0, -1, -2]).allSatisfy { abs($0 - $1) < 1e-12 }) }
    }
}
