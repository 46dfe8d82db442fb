import Testing
@testable import PoisoningAttacks
@testable import PoisoningData
@testable import PoisoningDefenses
@testable import PoisoningEngine
@testable import PoisoningModels
@testable import PoisoningTheory
@testable import PoisoningUtilities

struct PoisoningTests {
    let split = GaussianClusters().makeSplit()
    var train: Dataset { split.train }

    @Test(arguments: [0.0, 0.01, 0.05, 0.15, 0.5, 1.0])
    func flipsExactlyTheRoundedCountAndEveryFlipChangesTheLabel(fraction: Double) {
        let poisoned = RandomLabelFlip().poison(split, fraction: fraction, seed: 7)
        let expected = Int((fraction * 350).rounded(.toNearestOrEven))
        #expect(poisoned.poisonedRows.count == expected)
        #expect(Set(poisoned.poisonedRows).count == expected)
        let changed = (0..<train.count).filter { poisoned.data.labels[$0] != train.labels[$0] }
        #expect(Set(changed) == Set(poisoned.poisonedRows))
        #expect(poisoned.data.labels.allSatisfy { (0..<5).contains($0) })
    }

    @Test func countsRoundHalvesToEvenLikePython() {
        #expect(poisonCount(fraction: 0.15, of: 350) == 52)
        #expect(poisonCount(fraction: 0.01, of: 350) == 4)
        #expect(poisonCount(fraction: 0.05, of: 350) == 18)
        #expect(poisonCount(fraction: 0.5, of: 350) == 175)
    }

    @Test func matchesIndependentPythonImplementation() {
        let poisoned = RandomLabelFlip().poison(split, fraction: 0.15, seed: 42)
        #expect(poisoned.poisonedRows.count == 52)
        #expect(Array(poisoned.poisonedRows.prefix(8)) == [55, 321, 33, 79, 344, 330, 81, 245])
        #expect(poisoned.poisonedRows.prefix(8).map { poisoned.data.labels[$0] } == [1, 0, 2, 1, 2, 0, 4, 2])
    }

    @Test func smallerFractionsPoisonASubsetWithTheSameLabels() {
        let small = RandomLabelFlip().poison(split, fraction: 0.1, seed: 3)
        let large = RandomLabelFlip().poison(split, fraction: 0.4, seed: 3)
        #expect(Array(large.poisonedRows.prefix(small.poisonedRows.count)) == small.poisonedRows)
        #expect(small.poisonedRows.allSatisfy { small.data.labels[$0] == large.data.labels[$0] })
    }

    @Test func newLabelsAreUniformOverTheOtherClasses() {
        // 20000 rows of class 0 with 5 classes: each of classes 1...4 expects 5000.
        let rows = 20_000
        let data = Dataset(features: [Float](repeating: 0, count: rows), labels: [Int](repeating: 0, count: rows),
                           featureCount: 1, classCount: 5)
        let poisoned = RandomLabelFlip().poison(TrainTestSplit(train: data, test: data), fraction: 1, seed: 11)
        var counts = [Int](repeating: 0, count: 5)
        for label in poisoned.data.labels { counts[label] += 1 }
        #expect(counts[0] == 0)
        let expected = Double(rows) / 4
        let chiSquare = counts[1...].reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        // 3 degrees of freedom: P(chi2 > 16.27) = 0.001.
        #expect(chiSquare < 16.27, "counts \(counts), chi2 \(chiSquare)")
    }

    @Test func runsMeasureTestAccuracyOnCleanTestLabels() throws {
        let study = try Study(StudyConfig(models: [StudyConfig.mlp(16)], fractions: [0.5], seeds: [1],
                                          training: TrainingSettings(epochs: 20)))
        let result = executeRun(study.runSpecs[0], study: study)
        let metrics = try #require(result.metrics)
        let poisoned = RandomLabelFlip().poison(split, fraction: 0.5, seed: 1)
        let model = trainNetwork(NetworkShape(inputs: 10, hidden: [16], classes: 5), on: poisoned.data,
                                 settings: study.config.training, seed: 1).parameters
        let poisonedTest = RandomLabelFlip().poison(TrainTestSplit(train: split.test, test: split.test), fraction: 0.5, seed: 1)
        #expect(metrics[MetricKey.testAccuracy] == model.accuracy(on: split.test))
        #expect(metrics[MetricKey.testAccuracy] != model.accuracy(on: poisonedTest.data))
        #expect(metrics[MetricKey.trainAccuracy] == model.accuracy(on: poisoned.data))
        #expect(metrics[MetricKey.trainCleanAccuracy] == model.accuracy(on: split.train))
        #expect(metrics[MetricKey.detectionAUROC] == nil, "no defense, no detection metrics")
        #expect(result.poisonedCount == 175 && result.realisedFraction == 0.5)
    }

    /// The budget is a share of the training set, capped by the source class's rows (saturated beyond them).
    @Test(arguments: [0.0, 0.1, 0.35, 1.0])
    func classFlipRelabelsTheRoundedShareOfTheTrainingSetFromTheSourceClass(fraction: Double) {
        let attack = ClassFlip(source: 2, target: 4)
        let poisoned = attack.poison(split, fraction: fraction, seed: 5)
        let sourceRows = train.labels.indices.filter { train.labels[$0] == 2 }
        let asked = Int((fraction * Double(train.count)).rounded(.toNearestOrEven))
        let expected = min(asked, sourceRows.count)
        #expect(poisoned.poisonedRows.count == expected && Set(poisoned.poisonedRows).count == expected)
        #expect(poisoned.saturated == (asked > sourceRows.count))
        #expect(poisoned.measurements == ["sourceClassShare": Double(expected) / Double(sourceRows.count)])
        #expect(Set(poisoned.poisonedRows).isSubset(of: sourceRows))
        let changed = train.labels.indices.filter { poisoned.data.labels[$0] != train.labels[$0] }
        #expect(Set(changed) == Set(poisoned.poisonedRows))
        #expect(poisoned.poisonedRows.allSatisfy { poisoned.data.labels[$0] == 4 })
        #expect(poisoned.trueLabels == train.labels && poisoned.data.features == train.features)
        // The success metric's rows: every clean test row of the source class, labelled with the target.
        let evaluation = poisoned.evaluations[0]
        #expect(evaluation.metric.key == "targetSuccess")
        #expect(evaluation.inputs.count == split.test.labels.filter { $0 == 2 }.count)
        #expect(evaluation.inputs.labels.allSatisfy { $0 == 4 })
    }

    @Test func classFlipNamingAClassTheDataDoNotHaveIsRefused() {
        #expect(ClassFlip(source: 7, target: 1).problem(classCount: 5, featureCount: 10)?.key == "source")
        #expect(ClassFlip(source: 0, target: 5).problem(classCount: 5, featureCount: 10)?.key == "target")
        #expect(ClassFlip(source: 0, target: 4).problem(classCount: 5, featureCount: 10) == nil)
    }
}
