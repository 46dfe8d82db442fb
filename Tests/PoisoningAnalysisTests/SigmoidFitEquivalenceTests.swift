import Foundation
import Testing
import PoisoningEngine
@testable import PoisoningAnalysis

/// The fit against the one it replaced, written plainly (the normal equations recomputed on every
/// iteration, the matrix in a SIMD vector): the same parameters, RSS and iterations to the bit, on
/// noisy curves, curves that pin parameters at the bounds, and bootstrap-like refits from a start.
struct SigmoidFitEquivalenceTests {
    @Test func theFitGivesTheSameBitsAsThePlainFit() throws {
        var random = Xoshiro256StarStar(seed: 21, purpose: "fit equivalence test")
        let x = SigmoidFitTests.fractions
        var compared = 0, pinned = 0
        for index in 0..<400 {
            let truth = SigmoidParameters(amplitude: 0.3 + 0.8 * random.nextUnitDouble(), steepness: 2 + 40 * random.nextUnitDouble(),
                                          midpoint: 0.5 * random.nextUnitDouble(), floor: 0.4 * random.nextUnitDouble())
            let noise = [0.0, 0.005, 0.03, 0.2][index % 4]
            let y = x.map { truth.value(at: $0) + noise * random.nextStandardNormal() }
            let start: SigmoidParameters? = index % 3 == 0 ? nil : truth
            let fast = fitDescendingSigmoid(x: x, y: y, start: start)
            let plain = plainFitDescendingSigmoid(x: x, y: y, start: start)
            guard case .success(let a) = fast, case .success(let b) = plain else {
                #expect(fast == plain)
                continue
            }
            compared += 1
            let bounds = SigmoidFitBounds.study
            if zip(b.parameters.vector, zip(bounds.lower.vector, bounds.upper.vector)).contains(where: { $0 == $1.0 || $0 == $1.1 }) {
                pinned += 1
            }
            #expect(a.parameters.vector.map(\.bitPattern) == b.parameters.vector.map(\.bitPattern), "curve \(index)")
            #expect(a.residualSumOfSquares.bitPattern == b.residualSumOfSquares.bitPattern && a.iterations == b.iterations, "curve \(index)")
        }
        #expect(compared > 350 && pinned > 20, "\(compared) fits compared, \(pinned) with a parameter at a bound")
    }

    /// The fit's solver (an augmented 4 x 4 system, fixed parameters padded as identity rows) against
    /// `solveLinearSystem` on the damped system over the free parameters alone, to the bit, for every
    /// set of free parameters: on small-integer matrices (exact ties in the pivot search, singular
    /// systems) and on random ones.
    @Test func thePaddedSolverGivesTheSameBitsAsTheCompactSolver() {
        var random = Xoshiro256StarStar(seed: 22, purpose: "padded solver test")
        var solved = 0, singular = 0, swapped = 0
        for index in 0..<3000 {
            let integers = index % 2 == 0
            let entry = { integers ? Double(Int(random.nextUnitDouble() * 7) - 3) : random.nextStandardNormal() }
            var normal = NormalMatrix(rows: InlineArray(repeating: SIMD4()))
            for i in 0..<4 { normal.rows[i] = SIMD4(entry(), entry(), entry(), entry()) }
            let gradient = SIMD4(entry(), entry(), entry(), entry())
            let damping = integers ? 0 : 1e-3 * random.nextUnitDouble()
            let mask = 1 + index % 15
            let freeList = (0..<4).filter { mask & (1 << $0) != 0 }
            var free = InlineArray<4, Int>(repeating: 0)
            for (row, j) in freeList.enumerated() { free[row] = j }

            var matrix = freeList.map { i in freeList.map { j in normal.rows[i][j] } }
            for (row, i) in freeList.enumerated() { matrix[row][row] += damping * max(normal.rows[i][i], 1e-12) }
            let reference = solveLinearSystem(matrix, freeList.map { -gradient[$0] })
            let padded = AugmentedSystem(normal, gradient, damping: damping, free: free, freeCount: freeList.count).solve()
            #expect(padded.map { solution in (0..<freeList.count).map { solution[$0].bitPattern } } == reference.map { $0.map(\.bitPattern) },
                    "system \(index)")
            if let padded { #expect((freeList.count..<4).allSatisfy { padded[$0].bitPattern == 0 }, "system \(index)") }
            if freeList.count == 4 {
                let full = AugmentedSystem(normal, gradient, damping: damping).solve()
                #expect(full.map { solution in (0..<4).map { solution[$0].bitPattern } } == reference.map { $0.map(\.bitPattern) }, "system \(index)")
            }
            if reference == nil { singular += 1 } else { solved += 1 }
            if abs(matrix[0][0]) < matrix.map({ abs($0[0]) }).max()! { swapped += 1 }
        }
        #expect(solved > 2000 && singular > 50 && swapped > 1000, "\(solved) solved, \(singular) singular, \(swapped) with a first-column pivot swap")
    }
}

/// `fitDescendingSigmoid` as it was written before it kept its normal equations across rejected steps.
private func plainFitDescendingSigmoid(x: [Double], y: [Double], bounds: SigmoidFitBounds = .study,
                                 start: SigmoidParameters? = nil) -> Result<FittedSigmoid, SigmoidFitError> {
    precondition(x.count == y.count, "x and y must pair up")
    guard (x + y).allSatisfy(\.isFinite) else { return .failure(.nonFiniteData) }
    guard x.count >= 4 else { return .failure(.tooFewPoints(x.count)) }
    guard y.max()! - y.min()! > 1e-12 else { return .failure(.flatCurve(y[0])) }
    let mean = y.reduce(0, +) / Double(y.count)
    let totalSquares = y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }

    let lower = SIMD4(bounds.lower.vector), upper = SIMD4(bounds.upper.vector)
    var theta = SIMD4(start.map(bounds.clip)?.vector ?? bounds.studyStart(for: y).vector)
    var cost = plainResidualSumOfSquares(theta, x, y)
    var damping = 1e-3
    var iterations = 0
    while iterations < 2000 && damping < 1e16 {
        iterations += 1
        let (gradient, normal) = plainNormalEquations(theta, x, y)
        // A parameter at a bound whose descent direction (-gradient) leaves the box stays fixed.
        let free = (0..<4).filter { j in
            !((theta[j] <= lower[j] && gradient[j] > 0) || (theta[j] >= upper[j] && gradient[j] < 0))
        }
        guard !free.isEmpty, free.contains(where: { gradient[$0] != 0 }) else { break }
        var system = PlainMatrix(size: free.count), rhs = SIMD4<Double>()
        for (row, i) in free.enumerated() {
            for (column, j) in free.enumerated() { system[row, column] = normal[i, j] }
            system[row, row] += damping * max(normal[i, i], 1e-12)
            rhs[row] = -gradient[i]
        }
        guard let step = system.solve(rhs) else {
            damping *= 4
            continue
        }
        var candidate = theta
        for (row, j) in free.enumerated() { candidate[j] = min(max(theta[j] + step[row], lower[j]), upper[j]) }
        let candidateCost = plainResidualSumOfSquares(candidate, x, y)
        if candidateCost < cost {
            let improvement = (cost - candidateCost) / max(cost, .leastNormalMagnitude)
            theta = candidate
            cost = candidateCost
            damping = max(damping / 3, 1e-12)
            if improvement < 1e-15 { break }
        } else {
            damping *= 4
        }
    }
    let parameters = SigmoidParameters(amplitude: theta[0], steepness: theta[1], midpoint: theta[2], floor: theta[3])
    return .success(FittedSigmoid(parameters: parameters, residualSumOfSquares: cost,
                                  rSquared: 1 - cost / totalSquares, iterations: iterations))
}

/// Σ (acc(x_i; θ) - y_i)² for θ = (L, k, x0, b).
private func plainResidualSumOfSquares(_ theta: SIMD4<Double>, _ x: [Double], _ y: [Double]) -> Double {
    var sum = 0.0
    for i in x.indices {
        let residual = theta[0] / (1 + exp(theta[1] * (x[i] - theta[2]))) + theta[3] - y[i]
        sum += residual * residual
    }
    return sum
}

/// g = Jᵀr and JᵀJ for residuals r_i = acc(x_i) - y_i, with s = 1 / (1 + exp(k (x - x0))):
/// ∂acc/∂L = s, ∂acc/∂k = -L s (1 - s) (x - x0), ∂acc/∂x0 = L s (1 - s) k, ∂acc/∂b = 1.
private func plainNormalEquations(_ theta: SIMD4<Double>, _ x: [Double], _ y: [Double]) -> (SIMD4<Double>, PlainMatrix) {
    let (amplitude, steepness, midpoint, floor) = (theta[0], theta[1], theta[2], theta[3])
    var gradient = SIMD4<Double>()
    var normal = PlainMatrix(size: 4)
    for (xi, yi) in zip(x, y) {
        let s = 1 / (1 + exp(steepness * (xi - midpoint)))
        let slope = amplitude * s * (1 - s)
        let jacobian = SIMD4(s, -slope * (xi - midpoint), slope * steepness, 1)
        let residual = amplitude * s + floor - yi
        for i in 0..<4 {
            gradient[i] += jacobian[i] * residual
            for j in 0..<4 { normal[i, j] += jacobian[i] * jacobian[j] }
        }
    }
    return (gradient, normal)
}

/// A square matrix of size at most 4, stored without allocation.
private struct PlainMatrix {
    let size: Int
    var entries = SIMD16<Double>()

    init(size: Int) { self.size = size }

    subscript(row: Int, column: Int) -> Double {
        get { entries[row * 4 + column] }
        set { entries[row * 4 + column] = newValue }
    }

    /// Solves A v = rhs (first `size` entries) by Gaussian elimination with partial pivoting, the
    /// same operations as `solveLinearSystem`; nil when A is singular.
    func solve(_ rhs: SIMD4<Double>) -> SIMD4<Double>? {
        var a = self, b = rhs
        for column in 0..<size {
            var pivot = column
            for row in (column + 1)..<max(size, column + 1) where abs(a[row, column]) > abs(a[pivot, column]) { pivot = row }
            guard abs(a[pivot, column]) > 1e-300, a[pivot, column].isFinite else { return nil }
            if pivot != column {
                for k in 0..<size { (a[column, k], a[pivot, k]) = (a[pivot, k], a[column, k]) }
                (b[column], b[pivot]) = (b[pivot], b[column])
            }
            for row in (column + 1)..<max(size, column + 1) {
                let factor = a[row, column] / a[column, column]
                for k in column..<size { a[row, k] -= factor * a[column, k] }
                b[row] -= factor * b[column]
            }
        }
        var solution = SIMD4<Double>()
        for row in stride(from: size - 1, through: 0, by: -1) {
            var sum = b[row]
            for k in (row + 1)..<max(size, row + 1) { sum -= a[row, k] * solution[k] }
            solution[row] = sum / a[row, row]
        }
        for row in 0..<size where !solution[row].isFinite { return nil }
        return solution
    }
}

