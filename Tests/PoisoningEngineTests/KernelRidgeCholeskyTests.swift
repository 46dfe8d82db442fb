import Testing
@testable import PoisoningAttacks
@testable import PoisoningData
@testable import PoisoningDefenses
@testable import PoisoningEngine
@testable import PoisoningModels
@testable import PoisoningTheory
@testable import PoisoningUtilities

/// The blocked Cholesky factorization of kernel ridge against the straightforward reference: the same
/// bits on every size around the block width, the same refusals, and L Lᵀ = A.
struct KernelRidgeCholeskyTests {
    /// A positive definite n x n matrix: B Bᵀ / n + I for B of uniform entries in [−1, 1), row-major.
    static func positiveDefinite(_ n: Int, seed: UInt64) -> [Double] {
        var random = SplitMix64(seed: seed)
        let b = (0..<(n * n)).map { _ in Double(random.next() >> 11) / Double(1 << 53) * 2 - 1 }
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                var sum = 0.0
                for k in 0..<n { sum += b[i * n + k] * b[j * n + k] }
                a[i * n + j] = sum / Double(n) + (i == j ? 1 : 0)
            }
        }
        return a
    }

    /// `matrix` factored in place by `variant`, and whether it succeeded.
    static func factored(_ matrix: [Double], n: Int, by variant: CholeskyVariant) -> (factor: [Double], succeeded: Bool) {
        var copy = matrix
        let succeeded = copy.withUnsafeMutableBufferPointer { variant.factor($0.baseAddress!, n: n) }
        return (copy, succeeded)
    }

    /// Sizes below, at and around multiples of the block width (4) and of 16, odd and even (rows go in pairs).
    @Test(arguments: [1, 2, 3, 4, 5, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 100, 203])
    func blockedEqualsReferenceBitForBit(_ n: Int) {
        let matrix = Self.positiveDefinite(n, seed: UInt64(n))
        let blocked = Self.factored(matrix, n: n, by: .blocked), reference = Self.factored(matrix, n: n, by: .reference)
        #expect(blocked.succeeded && reference.succeeded)
        let differing = (0..<(n * n)).filter { blocked.factor[$0].bitPattern != reference.factor[$0].bitPattern }
        #expect(differing.isEmpty, "\(differing.count) of \(n * n) entries differ, the first at \(differing.first ?? -1)")
    }

    /// The factor reproduces the matrix: max |(L Lᵀ)[i, j] − A[i, j]| ≤ 1e-13 (a well-conditioned A
    /// of entries below 2).
    @Test func theFactorReproducesTheMatrix() {
        let n = 50, matrix = Self.positiveDefinite(n, seed: 7)
        let factor = Self.factored(matrix, n: n, by: .blocked).factor
        var largest = 0.0
        for i in 0..<n {
            for j in 0...i {
                var sum = 0.0
                for k in 0...j { sum += factor[i * n + k] * factor[j * n + k] }
                largest = max(largest, abs(sum - matrix[i * n + j]))
            }
        }
        #expect(largest <= 1e-13)
    }

    /// A matrix that is not positive definite (a negative entry on the diagonal past the first block,
    /// or a NaN) is refused by both.
    @Test(arguments: [(20, -5.0), (3, -5.0), (40, Double.nan)])
    func bothRefuseAMatrixThatIsNotPositiveDefinite(_ index: Int, _ value: Double) {
        let n = 48
        var matrix = Self.positiveDefinite(n, seed: 3)
        matrix[index * n + index] = value
        #expect(!Self.factored(matrix, n: n, by: .blocked).succeeded)
        #expect(!Self.factored(matrix, n: n, by: .reference).succeeded)
    }

    /// The whole solve on 300 rows of 8 features, 3 classes, both kernels: the same dual coefficients.
    @Test(arguments: RidgeKernel.allCases)
    func ridgeSolveGivesTheSameBitsEitherWay(_ kernel: RidgeKernel) throws {
        var random = SplitMix64(seed: 11)
        let n = 300, d = 8, c = 3
        let points = (0..<(n * d)).map { _ in Double(random.next() >> 11) / Double(1 << 53) }
        let targets = (0..<n).flatMap { row in (0..<c).map { $0 == row % c ? 1.0 : 0.0 } }
        func solve(_ variant: CholeskyVariant) -> [Double]? {
            KernelRidgeModel.ridgeSolve(points: points, targets: targets, features: d, classes: c, kernel: kernel, lengthScale: 0.5,
                                        lambda: 0.1, variant: variant)
        }
        let blocked = try #require(solve(.blocked)), reference = try #require(solve(.reference))
        #expect(blocked.map(\.bitPattern) == reference.map(\.bitPattern))
    }
}
