import PoisoningData
import PoisoningModels
import PoisoningUtilities

/// The label agreement of every training row with its k nearest neighbours, the evidence of the
/// k-NN sanitisers (Paudice, Muñoz-González and Lupu 2018, "Label sanitization against label
/// flipping poisoning attacks"). Features are standardised with the training rows' mean and standard
/// deviation; distances are Euclidean; a row is not its own neighbour; ties in distance go to the
/// earlier row.
struct NeighbourAgreement {
    /// Per row: the share of its k neighbours that carry its label.
    let agreement: [Double]
    /// Per row: the most common label among its neighbours (on ties its own label when that is among
    /// the most common, else the smallest such class).
    let majority: [Int]
    /// Per row: the share of its k neighbours that carry `majority`.
    let majorityShare: [Double]

    /// The agreement of every row of `data` with its `k` nearest neighbours.
    init(_ data: Dataset, k: Int) {
        let n = data.count, d = data.featureCount, neighbours = min(k, n - 1)
        var standardised = [Double](repeating: 0, count: n * d)
        for j in 0..<d {
            let column = (0..<n).map { Double(data.features[$0 * d + j]) }
            let mean = column.reduce(0, +) / Double(n)
            let sd = (column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)).squareRoot()
            for i in 0..<n { standardised[i * d + j] = sd > 0 ? (column[i] - mean) / sd : 0 }
        }
        var agreement = [Double](), majority = [Int](), majorityShare = [Double]()
        var distances = [(Double, Int)]()
        distances.reserveCapacity(n)
        for i in 0..<n {
            distances.removeAll(keepingCapacity: true)
            for other in 0..<n where other != i {
                var sum = 0.0
                for j in 0..<d {
                    let delta = standardised[i * d + j] - standardised[other * d + j]
                    sum += delta * delta
                }
                distances.append((sum, other))
            }
            distances.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            var votes = [Int](repeating: 0, count: data.classCount)
            for (_, other) in distances.prefix(neighbours) { votes[data.labels[other]] += 1 }
            let own = data.labels[i]
            let most = votes.indices.max { votes[$0] != votes[$1] ? votes[$0] < votes[$1] : $0 > $1 }!
            let common = votes[own] == votes[most] ? own : most
            agreement.append(neighbours == 0 ? 1 : Double(votes[own]) / Double(neighbours))
            majority.append(common)
            majorityShare.append(neighbours == 0 ? 1 : Double(votes[common]) / Double(neighbours))
        }
        self.agreement = agreement
        self.majority = majority
        self.majorityShare = majorityShare
    }

    /// The most memory finding the neighbours holds at once: the standardised rows in Double, one
    /// column of them, every other row's (distance, index) pair, and each row's agreement, majority
    /// and majority share.
    static func bytes(_ sizes: RunSizes) -> Double {
        8 * sizes.n * sizes.d + 8 * sizes.n + 16 * sizes.n + 3 * 8 * sizes.n
    }

    /// Reads `k`, the neighbours a k-NN sanitiser consults.
    static func neighbours(_ p: inout ParameterReader) throws -> Int {
        try p.int("k", default: 10, in: 1...10_000, help: "Neighbours consulted per row.")
    }
}
