import Testing
@testable import PoisoningEngine

/// The make_classification-like generator: redundant columns are combinations of the informative
/// ones and noise columns are not, classes sit at ±class-sep, flip-y redraws labels only.
struct MadeClassificationTests {
    /// The column `j` of `data` in Double.
    func column(_ data: Dataset, _ j: Int) -> [Double] {
        (0..<data.count).map { Double(data.features[$0 * data.featureCount + j]) }
    }

    /// ‖residual‖ / ‖y‖ of y's least-squares fit on `basis` (Gram-Schmidt, modified, in Double).
    func residualShare(_ y: [Double], on basis: [[Double]]) -> Double {
        var orthonormal = [[Double]]()
        for vector in basis {
            var v = vector
            for q in orthonormal {
                let dot = zip(v, q).reduce(0) { $0 + $1.0 * $1.1 }
                for i in v.indices { v[i] -= dot * q[i] }
            }
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            orthonormal.append(v.map { $0 / norm })
        }
        var r = y
        for q in orthonormal {
            let dot = zip(r, q).reduce(0) { $0 + $1.0 * $1.1 }
            for i in r.indices { r[i] -= dot * q[i] }
        }
        return (r.reduce(0) { $0 + $1 * $1 } / y.reduce(0) { $0 + $1 * $1 }).squareRoot()
    }

    @Test func redundantColumnsAreCombinationsOfTheInformativeOnesAndNoiseIsNot() {
        let data = MadeClassification(samples: 1000, features: 8, informative: 3, redundant: 2, seed: 7).makeDataset()
        let informative = (0..<3).map { column(data, $0) }
        // Float storage of the inputs and the result: a residual of rounding only.
        for j in 3..<5 { #expect(residualShare(column(data, j), on: informative) < 1e-6) }
        // Standard normal noise: 3 directions of 1,000 explain about 3/1000 of it.
        for j in 5..<8 { #expect(residualShare(column(data, j), on: informative) > 0.99) }
    }

    @Test func classesSitAtTheHypercubeVerticesAndNoiseColumnsCarryNoClass() {
        let data = MadeClassification(samples: 2000, features: 4, informative: 2, redundant: 0, classes: 2, clustersPerClass: 1,
                                      classSep: 3, flipY: 0, seed: 3).makeDataset()
        for label in 0..<2 {
            let rows = (0..<data.count).filter { data.labels[$0] == label }
            #expect(rows.count == 1000)
            let means = (0..<4).map { j in rows.reduce(0.0) { $0 + Double(data.features[$1 * 4 + j]) } / Double(rows.count) }
            // z A has mean 0 and a standard error under 0.06 per column here: the vertex ±3 shows.
            for j in 0..<2 { #expect(abs(abs(means[j]) - 3) < 0.2) }
            for j in 2..<4 { #expect(abs(means[j]) < 0.2) }
        }
    }

    @Test func flipYRedrawsLabelsOnlyAndTheSplitIsReproducible() {
        let clean = MadeClassification(samples: 1000, flipY: 0, seed: 5).makeDataset()
        let noisy = MadeClassification(samples: 1000, flipY: 0.3, seed: 5).makeDataset()
        #expect(clean.features == noisy.features)
        // A redrawn label differs from its class with probability 1/2 (two classes): 0.15 of the rows,
        // standard error 0.011.
        let changed = Double(zip(clean.labels, noisy.labels).filter { $0 != $1 }.count) / 1000
        #expect(abs(changed - 0.15) < 0.045)
        let source = MadeClassification(seed: 11)
        #expect(source.makeSplit().train.features == source.makeSplit().train.features)
        #expect(source.makeSplit().train.count == 700 && source.makeSplit().test.count == 300)
    }
}
