import Testing
@testable import PoisoningModels

/// Power iteration's convergence record (`InputCurvature.converged`, `relativeResidual`) on Hessians
/// of known spectra: with too small a cap of products the pair is counted unconverged and its
/// relative residual stays above the tolerance; with the default cap it converges, its residual below
/// the tolerance and its eigenvalue the known one.
struct PowerIterationConvergenceTests {
    /// Products with fixed symmetric matrices, one per row: H_r = Q diag(spectrum_r) Qᵀ with the
    /// Householder reflection Q = I - 2 w wᵀ / ‖w‖², w = (1, 2, ..., d), so that the eigenvectors are
    /// Q's columns and no coordinate axis.
    final class KnownSpectrum: InputHessianEvaluator {
        let rows: Int, inputCount: Int, positiveSemiDefinite: Bool
        /// H_r of each row [rows x d x d].
        let matrices: [Double]

        init(spectra: [[Double]], positiveSemiDefinite: Bool) {
            let d = spectra[0].count
            rows = spectra.count
            inputCount = d
            self.positiveSemiDefinite = positiveSemiDefinite
            let w = (1...d).map(Double.init), norm = w.reduce(0) { $0 + $1 * $1 }
            let q = (0..<(d * d)).map { m in (m / d == m % d ? 1 : 0) - 2 * w[m / d] * w[m % d] / norm }
            matrices = spectra.flatMap { spectrum in
                (0..<(d * d)).map { m in (0..<d).reduce(0.0) { $0 + q[(m / d) * d + $1] * spectrum[$1] * q[(m % d) * d + $1] } }
            }
        }

        func prepare(inputs: UnsafePointer<Float>, labels: UnsafePointer<Int>) {}

        func multiply(_ u: UnsafePointer<Float>, into product: UnsafeMutablePointer<Float>) {
            let d = inputCount
            for r in 0..<rows {
                for i in 0..<d {
                    var sum = 0.0
                    for j in 0..<d { sum += matrices[r * d * d + i * d + j] * Double(u[r * d + j]) }
                    product[r * d + i] = Float(sum)
                }
            }
        }

        /// Every row's top eigenpair by power iteration (`exactLimit` 0) with at most `products` products per run.
        func rowTops(products: Int) -> RowCurvatures {
            rowTops(inputs: [Float](repeating: 0, count: rows * inputCount), labels: [Int](repeating: 0, count: rows), seed: 3,
                    exactLimit: 0, maximumProducts: products)
        }

        /// The mean Hessian's top eigenpair, by power iteration (`exactLimit` 0) or in full (the default limit).
        func meanTop(products: Int = InputHessian.maximumProducts, exactLimit: Int = 0) -> InputCurvature {
            meanTop(inputs: [Float](repeating: 0, count: rows * inputCount), labels: [Int](repeating: 0, count: rows), seed: 3,
                    exactLimit: exactLimit, maximumProducts: products)
        }
    }

    /// λ_1 = 4 with λ_2 = 3.8 (ratio 0.95, about 150 products to the tolerance), then a tail to 0.01.
    static let slowSpectrum: [Double] = [4, 3.8, 2, 1, 0.5, 0.25, 0.1, 0.05, 0.02, 0.01]

    /// Ten products leave the slow spectrum's pair unconverged, its Rayleigh quotient below λ_1; the
    /// default cap converges to λ_1 with the relative residual within the tolerance.
    @Test func theMeanHessiansPairIsCountedUnconvergedBelowTheCapItNeeds() {
        let hessian = KnownSpectrum(spectra: [Self.slowSpectrum], positiveSemiDefinite: true)
        let short = hessian.meanTop(products: 10)
        #expect(!short.converged)
        #expect(short.relativeResidual > InputHessian.residualTolerance, "relative residual \(short.relativeResidual)")
        #expect(short.value < 4 && short.value > 3.5, "λ \(short.value)")
        #expect(abs(short.relativeResidual - short.residual / short.value) <= 1e-15 * short.relativeResidual)
        let full = hessian.meanTop()
        #expect(full.converged)
        #expect(full.relativeResidual <= InputHessian.residualTolerance, "relative residual \(full.relativeResidual)")
        #expect(abs(full.value - 4) <= 1e-5 * 4, "λ \(full.value)")
    }

    /// Where H may be indefinite and its most negative eigenvalue dominates (-5 against the largest,
    /// 3): the shifted second run is judged relative to its shift σ ≈ 5, unconverged after 4 products
    /// and converged to λ_max = 3 within the default cap.
    @Test func theShiftedRunOfAnIndefiniteHessianRecordsItsConvergence() {
        let hessian = KnownSpectrum(spectra: [[3, 2, 1, 0.5, 0, -0.5, -1, -2, -3, -5]], positiveSemiDefinite: false)
        let short = hessian.meanTop(products: 4)
        #expect(!short.converged)
        #expect(short.relativeResidual > InputHessian.residualTolerance, "relative residual \(short.relativeResidual)")
        let full = hessian.meanTop()
        #expect(full.converged)
        #expect(full.relativeResidual <= InputHessian.residualTolerance, "relative residual \(full.relativeResidual)")
        #expect(abs(full.value - 3) <= 1e-4 * 5, "λ \(full.value)")
    }

    /// The exact decomposition always converges; its eigenvalue and its relative residual (to the
    /// spectral radius, 5 here) are exact to the Float products' rounding.
    @Test func theExactDecompositionConvergesToRounding() {
        let top = KnownSpectrum(spectra: [[3, 2, 1, 0.5, 0, -0.5, -1, -2, -3, -5]], positiveSemiDefinite: false)
            .meanTop(exactLimit: InputHessian.exactInputLimit)
        #expect(top.converged)
        #expect(abs(top.value - 3) <= 1e-6 * 5, "λ \(top.value)")
        #expect(top.relativeResidual <= 1e-6 && abs(top.relativeResidual - top.residual / 5) <= 1e-12, "relative residual \(top.relativeResidual)")
    }

    /// Per row, three Hessians of top-two ratios 0.25, 0.95 and 0.98: 60 products converge the first
    /// only (two rows counted unconverged, their residuals above the tolerance); the default cap
    /// converges all three to λ_1 = 4.
    @Test func rowsThatMissTheToleranceAtTheCapAreCounted() {
        let spectra = [[4, 1, 0.5, 0.2, 0.1, 0.1, 0.05, 0.02, 0.01, 0], Self.slowSpectrum, [4, 3.92, 2, 1, 0.5, 0.25, 0.1, 0.05, 0.02, 0.01]]
        let hessian = KnownSpectrum(spectra: spectra, positiveSemiDefinite: true)
        let short = hessian.rowTops(products: 60)
        #expect(short.converged == [true, false, false])
        #expect(short.relativeResiduals[0] <= InputHessian.residualTolerance, "row 0: \(short.relativeResiduals[0])")
        #expect(short.relativeResiduals[1...].allSatisfy { $0 > InputHessian.residualTolerance }, "\(short.relativeResiduals)")
        let full = hessian.rowTops(products: InputHessian.maximumProducts)
        #expect(full.converged == [true, true, true])
        #expect(full.relativeResiduals.allSatisfy { $0 <= InputHessian.residualTolerance }, "\(full.relativeResiduals)")
        #expect(full.values.allSatisfy { abs($0 - 4) <= 1e-4 * 4 }, "\(full.values)")
    }
}
