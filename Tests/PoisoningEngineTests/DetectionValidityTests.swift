import Foundation
import Testing
@testable import PoisoningEngine

/// Each detection method on a controlled case, doing what its paper says it does: a backdoor with an
/// in-range trigger stamped here (independent of the `backdoor` attack), naive reimplementations of
/// the rules, and the true-positive rate at 5% false positives by hand.
struct DetectionValidityTests {
    /// Three well-separated classes of 200 rows in six features (140 training rows each).
    static let split = GaussianClusters(samples: 600, features: 6, classes: 3, clusterStd: 1.0, centerScale: 4.0, seed: 3).makeSplit()

    /// The run's model: 32 hidden units, 60 epochs.
    static func trainer(seed: UInt64) -> ModelTrainer {
        ModelTrainer(shape: NetworkShape(inputs: 6, hidden: [32], classes: 3), settings: TrainingSettings(epochs: 60), seed: seed)
    }

    /// A dirty-label backdoor on `train`: round(fraction · n) rows of classes other than `target`
    /// (drawn by a Fisher-Yates shuffle from the stream (seed, "test-backdoor")) get the label
    /// `target` and a trigger on their last `width` features: alternately the smallest and the largest
    /// value those features take in `train`, each inside the data's range.
    static func inRangeBackdoor(_ train: Dataset, fraction: Double, target: Int, seed: UInt64, width: Int = 2) -> PoisonedTrainingSet {
        let d = train.featureCount, trigger = Array((d - width)..<d)
        let values = (0..<train.count).flatMap { row in trigger.map { train.features[row * d + $0] } }
        let (low, high) = (values.min()!, values.max()!)
        var candidates = train.labels.indices.filter { train.labels[$0] != target }
        var stream = Xoshiro256StarStar(seed: seed, purpose: "test-backdoor")
        for index in stride(from: candidates.count - 1, to: 0, by: -1) { candidates.swapAt(index, stream.nextInt(below: index + 1)) }
        let chosen = Array(candidates.prefix(Int((fraction * Double(train.count)).rounded()))).sorted()
        var poisoned = train
        for row in chosen {
            for (i, feature) in trigger.enumerated() { poisoned.features[row * d + feature] = i % 2 == 0 ? low : high }
            poisoned.labels[row] = target
        }
        return PoisonedTrainingSet(data: poisoned, trueLabels: train.labels, poisonedRows: chosen)
    }

    /// The detection of `decision` against the poisoned rows of `poisoned`.
    static func detection(_ decision: DefenseDecision, _ poisoned: PoisonedTrainingSet) -> DetectionMetrics {
        DetectionMetrics(decision: decision, poisonedRows: poisoned.poisonedRows, labels: poisoned.data.labels)
    }

    /// 20 clean rows scoring 0...19 and four poisoned rows scoring 25, 18.5, 17.5 and 3. Flagging every
    /// row above 18 flags one clean row of 20 (5%) and two of the four poisoned rows: TPR 0.5. With
    /// the clean scores 18 and 19 both raised to 19 and the poisoned rows at 25, 19, 10 and 5, the
    /// curve jumps from (0, 1/4) to (2/20, 2/4) through the three rows tied at 19; flagging each of
    /// them with probability 1/2 flags one clean row on average (5%) and 1/4 + 1/8 of the poisoned.
    @Test func theTruePositiveRateAtFivePercentFalsePositivesByHand() {
        let clean = (0..<20).map(Double.init)
        #expect(truePositiveRate(atFalsePositiveRate: 0.05, positives: [25, 18.5, 17.5, 3], negatives: clean) == 0.5)
        let tied = [19, 19] + (0..<18).map(Double.init)
        #expect(truePositiveRate(atFalsePositiveRate: 0.05, positives: [25, 19, 10, 5], negatives: tied) == 0.375)
        // Every poisoned row above every clean one: all found at any false-positive rate; the reverse:
        // none until every clean row is flagged.
        #expect(truePositiveRate(atFalsePositiveRate: 0.05, positives: [30, 31], negatives: clean) == 1)
        #expect(truePositiveRate(atFalsePositiveRate: 0.05, positives: [-1, -2], negatives: clean) == 0)
        #expect(truePositiveRate(atFalsePositiveRate: 0.05, positives: [], negatives: clean) == nil)
        // The run's metric is this rate of the defense's scores.
        let decision = DefenseDecision(scores: clean + [25, 18.5, 17.5, 3], kept: Array(0..<24))
        #expect(DetectionMetrics(decision: decision, poisonedRows: [20, 21, 22, 23], labels: Array(repeating: 0, count: 24)).tprAt5FPR == 0.5)
    }

    /// Backdoored rows are learnt first (Li et al. 2021): on the overlapping default clusters, with a
    /// three-feature trigger, after two epochs they have the lowest losses. The loss filter's low side
    /// ranks them as the most suspicious, its high side as the least; its scores are the negated
    /// losses of the high side.
    @Test func theLossFiltersLowSideRanksBackdooredRowsAsSuspicious() throws {
        let split = GaussianClusters().makeSplit()
        let poisoned = Self.inRangeBackdoor(split.train, fraction: 0.1, target: 0, seed: 6, width: 3)
        let trainer = ModelTrainer(shape: NetworkShape(inputs: 10, hidden: [32], classes: 5), settings: TrainingSettings(epochs: 2), seed: 6)
        let low = try component(LossFilter.self, ["side": .string("low"), "drop": .double(0.1)])
        #expect(low.side == .low && low.label == "loss-filter 10% (low)")
        let lowDecision = try #require(low.inspect(poisoned, trainer: trainer))
        let highDecision = try #require(LossFilter(drop: 0.1).inspect(poisoned, trainer: trainer))
        #expect(lowDecision.scores == highDecision.scores.map { $0.map { -$0 } })
        #expect(try #require(Self.detection(lowDecision, poisoned).auroc) > 0.95)
        #expect(try #require(Self.detection(highDecision, poisoned).auroc) < 0.05)
        #expect(throws: SpecificationError.self) { try component(LossFilter.self, ["side": .string("middle")]) }
    }
}
