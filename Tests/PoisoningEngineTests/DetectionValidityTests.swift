import Foundation
import Testing
@testable import PoisoningAttacks
@testable import PoisoningData
@testable import PoisoningDefenses
@testable import PoisoningEngine
@testable import PoisoningModels
@testable import PoisoningTheory
@testable import PoisoningUtilities

/// Each detection method on a controlled case, doing what its paper says it does: a backdoor with an
/// in-range trigger stamped here (independent of the `backdoor` attack), naive reimplementations of
/// the rules, and the true-positive rate at 5% false positives by hand.
struct DetectionValidityTests {
    /// Three well-separated classes of 200 rows in six features (140 training rows each).
    static let split = GaussianClusters(samples: 600, features: 6, classes: 3, clusterStd: 1.0, centerScale: 4.0, seed: 3).makeSplit()

    /// The run's model: 32 hidden units, 60 epochs.
    static func trainer(seed: UInt64) -> ModelTrainer {
        ModelTrainer(model: NetworkShape(inputs: 6, hidden: [32], classes: 3), settings: TrainingSettings(epochs: 60), seed: seed)
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

    /// Tran et al.'s ε is a share of each class: a 10% backdoor is 42 of the 179 rows of class 0
    /// here (23%), so ε = 0.25 removes ⌈1.5 · 0.25 · 179⌉ = 68 rows of that class, every poisoned one
    /// among them; ε = 0.1 removes ⌈26.85⌉ = 27 rows of it, so at most 27 of the 42.
    @Test func spectralSignaturesFindATenPercentInRangeBackdoorWithPerClassEpsilon() throws {
        let poisoned = Self.inRangeBackdoor(Self.split.train, fraction: 0.1, target: 0, seed: 4)
        #expect(poisoned.poisonedRows.count == 42 && poisoned.data.labels.filter { $0 == 0 }.count == 179)
        let representations = try #require(ClassRepresentations(poisoned, trainer: Self.trainer(seed: 4)))
        let perClass = try component(SpectralSignature.self, ["epsilon": .double(0.25)]).decide(representations, rowCount: 420)
        #expect(Self.detection(perClass, poisoned).recall == 1)
        #expect(Set(0..<420).subtracting(perClass.kept).filter { poisoned.data.labels[$0] == 0 }.count == 68)
        let global = try component(SpectralSignature.self, ["epsilon": .double(0.1)]).decide(representations, rowCount: 420)
        #expect(try #require(Self.detection(global, poisoned).recall) <= 27.0 / 42.0)
    }

    /// Activation clustering ranks the backdoored rows first while they are the smaller part of their
    /// class (5% to 20% of the rows: 14 to 38% of class 0), removes them where the smaller cluster is
    /// under the size bound and a model trained without it gives its rows their own classes (5% to
    /// 15%), and ranks them last once they are the larger part (40%: 55% of class 0).
    @Test func activationClusteringFindsAMinorityBackdoorAndFlipsOnceItIsTheMajority() throws {
        let clustering = try component(ActivationClustering.self)
        for (fraction, removes) in [(0.05, true), (0.1, true), (0.15, true), (0.2, false)] {
            let poisoned = Self.inRangeBackdoor(Self.split.train, fraction: fraction, target: 0, seed: 5)
            let decision = try #require(clustering.inspect(poisoned, trainer: Self.trainer(seed: 5)))
            let metrics = Self.detection(decision, poisoned)
            #expect(try #require(metrics.auroc) > 0.9, "AUROC \(metrics.auroc ?? .nan) at \(fraction)")
            if removes {
                #expect(metrics.precision == 1 && metrics.recall == 1, "precision \(metrics.precision ?? .nan), recall \(metrics.recall ?? .nan) at \(fraction)")
            } else {
                #expect(decision.kept.count == 420, "the smaller cluster holds more than 35% of its class at \(fraction)")
            }
        }
        let majority = Self.inRangeBackdoor(Self.split.train, fraction: 0.4, target: 0, seed: 5)
        let decision = try #require(clustering.inspect(majority, trainer: Self.trainer(seed: 5)))
        #expect(try #require(Self.detection(decision, majority).auroc) < 0.1)
    }

    /// Backdoored rows are learnt first (Li et al. 2021): on the overlapping default clusters, with a
    /// three-feature trigger, after two epochs they have the lowest losses. The loss filter's low side
    /// ranks them as the most suspicious, its high side as the least; its scores are the negated
    /// losses of the high side.
    @Test func theLossFiltersLowSideRanksBackdooredRowsAsSuspicious() throws {
        let split = GaussianClusters().makeSplit()
        let poisoned = Self.inRangeBackdoor(split.train, fraction: 0.1, target: 0, seed: 6, width: 3)
        let trainer = ModelTrainer(model: NetworkShape(inputs: 10, hidden: [32], classes: 5), settings: TrainingSettings(epochs: 2), seed: 6)
        let low = try component(LossFilter.self, ["side": .string("low"), "drop": .double(0.1)])
        #expect(low.side == .low && low.label == "loss-filter 10% (low)")
        let lowDecision = try #require(low.inspect(poisoned, trainer: trainer))
        let highDecision = try #require(LossFilter(drop: 0.1).inspect(poisoned, trainer: trainer))
        #expect(lowDecision.scores == highDecision.scores.map { $0.map { -$0 } })
        #expect(try #require(Self.detection(lowDecision, poisoned).auroc) > 0.95)
        #expect(try #require(Self.detection(highDecision, poisoned).auroc) < 0.05)
        #expect(throws: SpecificationError.self) { try component(LossFilter.self, ["side": .string("middle")]) }
    }

    /// Paudice et al.'s rule, written out plainly: standardise each feature (population standard
    /// deviation), find each row's k nearest other rows (Euclidean; ties to the earlier row), and give
    /// the row the most common of their labels when at least η of them carry it (its own label when
    /// that is among the most common, else the smallest).
    static func paudiceLabels(_ data: Dataset, k: Int, eta: Double) -> [Int] {
        let n = data.count, d = data.featureCount
        var z = [[Double]](repeating: [Double](repeating: 0, count: d), count: n)
        for j in 0..<d {
            let column = (0..<n).map { Double(data.features[$0 * d + j]) }
            let mean = column.reduce(0, +) / Double(n)
            let sd = (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)).squareRoot()
            for i in 0..<n { z[i][j] = sd > 0 ? (column[i] - mean) / sd : 0 }
        }
        return (0..<n).map { i in
            let others = (0..<n).filter { $0 != i }.map { other in
                (distance: zip(z[i], z[other]).map { ($0 - $1) * ($0 - $1) }.reduce(0, +), row: other)
            }
            let nearest = others.sorted { ($0.distance, $0.row) < ($1.distance, $1.row) }.prefix(k)
            var votes = [Int: Int]()
            for neighbour in nearest { votes[data.labels[neighbour.row], default: 0] += 1 }
            let top = votes.values.max()!
            let common = votes[data.labels[i]] == top ? data.labels[i] : votes.filter { $0.value == top }.keys.min()!
            return Double(top) / Double(nearest.count) >= eta ? common : data.labels[i]
        }
    }

    /// On 90 rows with labels drawn at random (so neighbourhoods disagree often), k-NN relabel gives
    /// every row the label of the plain rule, for several k and η. The rule differs from relabelling
    /// the rows whose own label has less than η of the neighbours, except where they coincide: with
    /// three classes, 4 neighbours and η = 1/2, at most one carrying the row's label leaves another
    /// label at least two, and two carrying it leave no other label more.
    @Test(arguments: [(5, 0.4, true), (5, 0.6, true), (10, 0.5, true), (10, 0.7, true), (4, 0.5, false)])
    func kNNRelabelFollowsPaudicesRule(k: Int, eta: Double, rulesDiffer: Bool) throws {
        var stream = Xoshiro256StarStar(seed: 9, purpose: "knn-test")
        let features = (0..<(90 * 3)).map { _ in Float(stream.nextStandardNormal()) }
        let labels = (0..<90).map { _ in stream.nextInt(below: 3) }
        let data = Dataset(features: features, labels: labels, featureCount: 3, classCount: 3)
        let poisoned = PoisonedTrainingSet(data: data, trueLabels: labels, poisonedRows: [])
        let relabel = try component(KNNRelabel.self, ["k": .int(k), "eta": .double(eta)])
        let decision = try #require(relabel.inspect(poisoned, trainer: AttackTests.trainer))
        let expected = Self.paudiceLabels(data, k: k, eta: eta)
        #expect(decision.labels == expected && decision.kept == Array(0..<90))
        let agreement = NeighbourAgreement(data, k: k).agreement
        let ownShareRule = labels.indices.filter { agreement[$0] < eta }
        #expect((ownShareRule != labels.indices.filter { expected[$0] != labels[$0] }) == rulesDiffer)
    }
}
