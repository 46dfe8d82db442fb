import Testing
@testable import PoisoningEngine

struct PoisoningTests {
    let train = GaussianClusters().makeSplit().train

    @Test(arguments: [0.0, 0.01, 0.05, 0.15, 0.5, 1.0])
    func flipsExactlyTheRoundedCountAndEveryFlipChangesTheLabel(fraction: Double) {
        let poisoned = RandomLabelFlip().poison(train, fraction: fraction, seed: 7)
        let expected = Int((fraction * 350).rounded(.toNearestOrEven))
        #expect(poisoned.poisonedIndices.count == expected)
        #expect(Set(poisoned.poisonedIndices).count == expected)
        let changed = (0..<train.count).filter { poisoned.labels[$0] != train.labels[$0] }
        #expect(Set(changed) == Set(poisoned.poisonedIndices))
        #expect(poisoned.labels.allSatisfy { (0..<5).contains($0) })
    }

    @Test func countsRoundHalvesToEvenLikePython() {
        #expect(poisonCount(fraction: 0.15, of: 350) == 52)
        #expect(poisonCount(fraction: 0.01, of: 350) == 4)
        #expect(poisonCount(fraction: 0.05, of: 350) == 18)
        #expect(poisonCount(fraction: 0.5, of: 350) == 175)
    }

    @Test func matchesIndependentPythonImplementation() {
        let poisoned = RandomLabelFlip().poison(train, fraction: 0.15, seed: 42)
        #expect(poisoned.poisonedIndices.count == 52)
        #expect(Array(poisoned.poisonedIndices.prefix(8)) == [55, 321, 33, 79, 344, 330, 81, 245])
        #expect(poisoned.poisonedIndices.prefix(8).map { poisoned.labels[$0] } == [1, 0, 2, 1, 2, 0, 4, 2])
    }

    @Test func smallerFractionsPoisonASubsetWithTheSameLabels() {
        let small = RandomLabelFlip().poison(train, fraction: 0.1, seed: 3)
        let large = RandomLabelFlip().poison(train, fraction: 0.4, seed: 3)
        #expect(Array(large.poisonedIndices.prefix(small.poisonedIndices.count)) == small.poisonedIndices)
        #expect(small.poisonedIndices.allSatisfy { small.labels[$0] == large.labels[$0] })
    }

    @Test func newLabelsAreUniformOverTheOtherClasses() {
        // 20000 rows of class 0 with 5 classes: each of classes 1...4 expects 5000.
        let rows = 20_000
        let data = Dataset(features: [Float](repeating: 0, count: rows), labels: [Int](repeating: 0, count: rows),
                           featureCount: 1, classCount: 5)
        let poisoned = RandomLabelFlip().poison(data, fraction: 1, seed: 11)
        var counts = [Int](repeating: 0, count: 5)
        for label in poisoned.labels { counts[label] += 1 }
        #expect(counts[0] == 0)
        let expected = Double(rows) / 4
        let chiSquare = counts[1...].reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        // 3 degrees of freedom: P(chi2 > 16.27) = 0.001.
        #expect(chiSquare < 16.27, "counts \(counts), chi2 \(chiSquare)")
    }

    @Test func runsMeasureTestAccuracyOnCleanTestLabels() throws {
        let config = StudyConfig(widths: [16], fractions: [0.5], seeds: [1], training: TrainingSettings(epochs: 20))
        let split = config.data.makeSplit()
        let result = executeRun(config.runSpecs[0], config: config, split: split)
        let metrics = try #require(result.metrics)
        let poisoned = RandomLabelFlip().poison(split.train, fraction: 0.5, seed: 1)
        let model = trainMLP(inputs: split.train, labels: poisoned.labels, hidden: 16, settings: config.training, seed: 1)
            .parameters
        let poisonedTest = RandomLabelFlip().poison(split.test, fraction: 0.5, seed: 1).labels
        #expect(metrics.testAccuracy == model.accuracy(on: split.test, labels: split.test.labels))
        #expect(metrics.testAccuracy != model.accuracy(on: split.test, labels: poisonedTest))
        #expect(metrics.trainAccuracy == model.accuracy(on: split.train, labels: poisoned.labels))
        #expect(metrics.trainCleanAccuracy == model.accuracy(on: split.train, labels: split.train.labels))
        #expect(result.poisonedCount == 175 && result.realisedFraction == 0.5)
    }
}
