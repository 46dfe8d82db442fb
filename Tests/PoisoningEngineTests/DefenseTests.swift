import Testing
@testable import PoisoningEngine

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
        let trainer = ModelTrainer(shape: NetworkShape(inputs: 10, hidden: [16], classes: 5),
                                   settings: TrainingSettings(epochs: 10), seed: 4)
        let decision = try #require(LossFilter(drop: 0.25).inspect(poisoned, trainer: trainer))
        let losses = trainer.train(poisoned.data).parameters.rowLosses(on: poisoned.data)
        #expect(decision.scores == losses)
        let threshold = losses.sorted(by: >)[poisonCount(fraction: 0.25, of: 350) - 1]
        let removed = Set(0..<350).subtracting(decision.kept)
        #expect(removed.count == 88)
        #expect(removed.allSatisfy { losses[$0] >= threshold })
        #expect(decision.kept.allSatisfy { losses[$0] <= threshold })
    }
}
