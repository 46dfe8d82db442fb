import Testing
@testable import PoisoningAttacks
@testable import PoisoningData
@testable import PoisoningDefenses
@testable import PoisoningEngine
@testable import PoisoningModels
@testable import PoisoningTheory
@testable import PoisoningUtilities

/// The study's data set must be the published one: values from NumPy recorded by
/// `scripts/reference_values.py` (section data).
struct GaussianClustersTests {
    let source = GaussianClusters()

    @Test func datasetMatchesNumPyRowForRow() {
        let data = source.makeDataset()
        #expect(data.count == 500 && data.featureCount == 10 && data.classCount == 5)
        let row0: [Float] = [3.8950295448303223, 0.6429769992828369, 1.2328240871429443, -3.359407901763916,
                             -1.3396739959716797, 0.8776042461395264, -2.1302011013031006, -3.687204599380493,
                             -1.6608766317367554, -2.2862002849578857]
        let row499: [Float] = [0.5126151442527771, 2.048163890838623, -4.06397008895874, -1.8252943754196167,
                               3.2314412593841553, -2.6858015060424805, -0.4979695677757263, -4.238064765930176,
                               -3.3975377082824707, -2.3023717403411865]
        #expect(Array(data.features[0..<10]) == row0)
        #expect(Array(data.features[4990..<5000]) == row499)
        #expect(Array(data.labels.prefix(20)) == [2, 3, 1, 1, 1, 0, 4, 1, 4, 3, 4, 1, 4, 1, 3, 0, 2, 2, 4, 3])
        #expect(data.features.reduce(0.0) { $0 + Double($1) } == -2168.104217785658)
    }

    @Test func splitMatchesNumPyAndKeepsEveryRowOnce() {
        let data = source.makeDataset()
        let split = source.makeSplit()
        #expect(split.train.count == 350 && split.test.count == 150)
        #expect(split.train.rows(Array(0..<10)) == data.rows([361, 73, 374, 155, 104, 394, 377, 124, 68, 450]))
        #expect(classCounts(split.train) == [63, 71, 76, 67, 73])
        #expect(classCounts(split.test) == [37, 29, 24, 33, 27])
        let allRows = Set((split.train.features + split.test.features).chunked(10))
        #expect(allRows == Set(data.features.chunked(10)))
    }

    @Test func classSizesGiveTheRemainderToTheFirstClasses() {
        let small = GaussianClusters(samples: 103, features: 3, classes: 4, clusterStd: 1.5, centerScale: 3.0,
                                     trainFraction: 0.6, seed: 7)
        let data = small.makeDataset()
        #expect(classCounts(data) == [26, 26, 26, 25])
        #expect(data.features.reduce(0.0) { $0 + Double($1) } == -14.669244442135096)
        #expect(small.makeSplit().train.count == 62)
    }

    @Test func generationIsDeterministicAndSeedDependent() {
        #expect(source.makeSplit() == source.makeSplit())
        var other = source
        other.seed = 43
        #expect(other.makeDataset() != source.makeDataset())
    }

    private func classCounts(_ data: Dataset) -> [Int] {
        (0..<data.classCount).map { label in data.labels.filter { $0 == label }.count }
    }
}

extension Array where Element == Float {
    fileprivate func chunked(_ size: Int) -> [[Float]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0 ..< $0 + size]) }
    }
}
