import Foundation
import PoisoningData
import PoisoningUtilities

/// The kernels of `KernelRidge`, of length scale ℓ.
public enum RidgeKernel: String, Sendable, Hashable, CaseIterable {
    /// k(x, x') = exp(−||x − x'||² / (2ℓ²)) (scikit-learn's `rbf` with γ = 1 / (2ℓ²)).
    case rbf
    /// k(x, x') = exp(−||x − x'||₁ / ℓ), the Laplacian kernel, in the L1 norm (scikit-learn's
    /// `laplacian` with γ = 1 / ℓ). It is what the "exponential (Laplacian)" kernel names;
    /// the exponential kernel of the L2 norm, exp(−||x − x'||₂ / ℓ) (Matérn ν = 1/2), is another
    /// kernel and not offered.
    case laplacian
}

/// Kernel ridge regression on one-hot targets (Granziol 2026 uses it as the exact model of wide
/// networks): with K the kernel matrix of the n training rows and Y their one-hot labels [n x c], the
/// dual coefficients are A = (K + λ I)⁻¹ Y, solved by Cholesky in Double, and the decision values of
/// a row x are f(x) = Σ_i k(x, x_i) A_i, the predicted class the largest. A row's loss is the squared
/// error Σ_k (f_k(x) − [y = k])². It is solved exactly: the study's SGD settings and seed play no
/// part, and no training adjustment applies. It offers the input gradient of that loss (for PGD) and
/// its input Hessian-vector products (`KernelRidgeInputHessian`, for input curvature);
/// it has no representation and no parameter vector trained by SGD. The same as scikit-learn's
/// `KernelRidge(alpha=λ)` on the one-hot targets (`scripts/kernel_ridge_reference.py`).
public struct KernelRidge: ModelArchitecture {
    /// "kernel-ridge".
    public static let kind = "kernel-ridge"
    /// One sentence for help and commented study files.
    public static let summary = "Kernel ridge regression on one-hot targets (RBF or Laplacian kernel), solved exactly by Cholesky in Double."
    /// How it is trained.
    public static let trainingMethod = "a Cholesky solve"

    /// The kernel.
    public let kernel: RidgeKernel
    /// ℓ.
    public let lengthScale: Double
    /// λ, added to the kernel matrix's diagonal.
    public let lambda: Double

    /// A kernel ridge regression (ℓ > 0, λ > 0).
    public init(kernel: RidgeKernel, lengthScale: Double, lambda: Double) {
        precondition(lengthScale > 0 && lambda > 0, "kernel ridge needs a positive length scale and ridge")
        self.kernel = kernel
        self.lengthScale = lengthScale
        self.lambda = lambda
    }

    /// Reads its keys from the study, each with its default and help.
    public init(parameters: inout ParameterReader) throws {
        let kernel = try parameters.string("kernel", default: RidgeKernel.rbf.rawValue, oneOf: RidgeKernel.allCases.map(\.rawValue),
                                           help: "rbf: exp(-||x - x'||^2 / (2 l^2)); laplacian: exp(-||x - x'||_1 / l).")
        let lengthScale = try parameters.double("length-scale", default: 1.0, in: 1e-6...1e6, help: "The kernel's length scale l.")
        let lambda = try parameters.double("lambda", default: 1.0, in: 1e-10...1e10,
                                           help: "Ridge lambda added to the kernel matrix's diagonal (scikit-learn's alpha).")
        self.init(kernel: RidgeKernel(rawValue: kernel)!, lengthScale: lengthScale, lambda: lambda)
    }

    /// "kernel ridge rbf (ℓ = 1.0, λ = 1.0)".
    public var label: String { "kernel ridge \(kernel.rawValue) (ℓ = \(lengthScale), λ = \(lambda))" }

    /// The input gradient and input Hessian-vector products (`KernelRidgeInputHessian`).
    public var capabilities: Set<ModelCapability> { [.inputGradient, .inputHessian] }

    /// A `KernelRidgeModel` of these settings.
    public func model(for sizes: SplitSizes) -> any TrainableModel {
        KernelRidgeModel(kernel: kernel, lengthScale: lengthScale, lambda: lambda, inputs: sizes.features, classes: sizes.classes,
                         rows: sizes.trainRows)
    }
}

/// A kernel ridge regression at a split's sizes, ready to solve.
public struct KernelRidgeModel: TrainableModel, Hashable {
    /// The kernel.
    public let kernel: RidgeKernel
    /// ℓ.
    public let lengthScale: Double
    /// λ.
    public let lambda: Double
    /// Input features.
    public let inputs: Int
    /// Classes.
    public let classes: Int
    /// The study's training rows (for the sizes it reports).
    public let rows: Int

    /// The model itself.
    public var identity: AnyHashable { AnyHashable(self) }
    /// Solved exactly: the seed plays no part.
    public var trainingDependsOnSeed: Bool { false }

    /// The dual coefficients of the study's training rows: rows · classes.
    public var parameterCount: Int { rows * classes }

    /// Solves (K + λ I) A = Y on `data`; `settings` and `seed` play no part. Its one "epoch" loss is
    /// the mean squared error on `data`; it diverged (epoch 1) when K + λ I was not numerically
    /// positive definite or a value became non-finite, and its classifier then decides nothing (A = 0).
    public func train(_ data: Dataset, settings: TrainingSettings, seed: UInt64, adjustment: TrainingAdjustment) -> ModelFit {
        precondition(adjustment.requirements.isEmpty, "kernel ridge is solved exactly: no training adjustment applies")
        precondition(data.count > 0 && data.featureCount == inputs && data.classCount <= classes, "training data do not fit the model")
        let points = data.features.map(Double.init)
        let targets = data.labels.flatMap { label in (0..<classes).map { $0 == label ? 1.0 : 0.0 } }
        guard let dual = Self.ridgeSolve(points: points, targets: targets, features: inputs, classes: classes, kernel: kernel,
                                         lengthScale: lengthScale, lambda: lambda) else {
            let none = KernelRidgeClassifier(kernel: kernel, lengthScale: lengthScale, featureCount: inputs, classCount: classes,
                                             points: points, dual: [Double](repeating: 0, count: targets.count))
            return ModelFit(model: none, epochLosses: [.nan], divergedEpoch: 1)
        }
        let classifier = KernelRidgeClassifier(kernel: kernel, lengthScale: lengthScale, featureCount: inputs, classCount: classes,
                                               points: points, dual: dual)
        let loss = classifier.rowLosses(on: data).reduce(0, +) / Double(data.count)
        return ModelFit(model: classifier, epochLosses: [loss], divergedEpoch: loss.isFinite ? nil : 1)
    }

    /// A = (K + λ I)⁻¹ Y for rows `points` [n x features] and targets [n x classes]: K + λ I built in
    /// Double, factored L Lᵀ by Cholesky (row-major, lower; `variant`, the blocked one unless a
    /// benchmark asks for the reference: the same bits), then L Z = Y and Lᵀ A = Z by substitution.
    /// Nil when a pivot is not positive and finite.
    public static func ridgeSolve(points: [Double], targets: [Double], features d: Int, classes c: Int, kernel: RidgeKernel,
                                  lengthScale: Double, lambda: Double, variant: CholeskyVariant = .blocked) -> [Double]? {
        let n = points.count / d
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                let value = kernelValue(kernel, lengthScale: lengthScale, points, i * d, points, j * d, features: d)
                a[i * n + j] = value
                a[j * n + i] = value
            }
            a[i * n + i] += lambda
        }
        let factored = a.withUnsafeMutableBufferPointer { matrix in variant.factor(matrix.baseAddress!, n: n) }
        guard factored else { return nil }
        var solution = targets
        for i in 0..<n {   // L Z = Y
            for m in 0..<i where a[i * n + m] != 0 {
                for k in 0..<c { solution[i * c + k] -= a[i * n + m] * solution[m * c + k] }
            }
            for k in 0..<c { solution[i * c + k] /= a[i * n + i] }
        }
        for i in stride(from: n - 1, through: 0, by: -1) {   // Lᵀ A = Z
            for m in (i + 1)..<n where a[m * n + i] != 0 {
                for k in 0..<c { solution[i * c + k] -= a[m * n + i] * solution[m * c + k] }
            }
            for k in 0..<c { solution[i * c + k] /= a[i * n + i] }
        }
        return solution.allSatisfy(\.isFinite) ? solution : nil
    }

    /// Σ_k x[k] y[k] for k < count, in four interleaved partial sums so that the loop pipelines (its
    /// rounding differs from a sequential sum's, not its exactness).
    static func dot(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, count: Int) -> Double {
        var (s0, s1, s2, s3) = (0.0, 0.0, 0.0, 0.0)
        var k = 0
        while k + 4 <= count {
            s0 += x[k] * y[k]
            s1 += x[k + 1] * y[k + 1]
            s2 += x[k + 2] * y[k + 2]
            s3 += x[k + 3] * y[k + 3]
            k += 4
        }
        while k < count {
            s0 += x[k] * y[k]
            k += 1
        }
        return (s0 + s1) + (s2 + s3)
    }

    /// k(x, y) for x at `xOffset` of `x` and y at `yOffset` of `y`, `features` values each.
    static func kernelValue(_ kernel: RidgeKernel, lengthScale: Double, _ x: [Double], _ xOffset: Int, _ y: [Double], _ yOffset: Int,
                            features d: Int) -> Double {
        x.withUnsafeBufferPointer { x in
            y.withUnsafeBufferPointer { y in kernelValue(kernel, lengthScale: lengthScale, x.baseAddress! + xOffset, y.baseAddress! + yOffset, features: d) }
        }
    }

    /// k(x, y) for the `features` values at `x` and at `y`: exp(−Σ_j (x_j − y_j)² / (2ℓ²)) (RBF) or
    /// exp(−Σ_j |x_j − y_j| / ℓ) (Laplacian), the sum over j in order.
    static func kernelValue(_ kernel: RidgeKernel, lengthScale: Double, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>,
                            features d: Int) -> Double {
        var sum = 0.0
        switch kernel {
        case .rbf:
            for j in 0..<d {
                let delta = x[j] - y[j]
                sum += delta * delta
            }
        case .laplacian:
            for j in 0..<d { sum += abs(x[j] - y[j]) }
        }
        return kernelValue(kernel, lengthScale: lengthScale, sum: sum)
    }

    /// k from the sum of squared (RBF) or absolute (Laplacian) differences.
    private static func kernelValue(_ kernel: RidgeKernel, lengthScale: Double, sum: Double) -> Double {
        switch kernel {
        case .rbf: exp(-sum / (2 * lengthScale * lengthScale))
        case .laplacian: exp(-sum / lengthScale)
        }
    }

    /// k(x, x_i) for every row x_i of `points` [count x features] into `values` [count], each bit for
    /// bit as `kernelValue` computes it (its own sum over j in order), four rows at a time so that
    /// their four sums' additions overlap instead of waiting on one another.
    static func kernelValues(_ kernel: RidgeKernel, lengthScale: Double, _ x: UnsafePointer<Double>, _ points: UnsafePointer<Double>,
                             count n: Int, features d: Int, into values: UnsafeMutablePointer<Double>) {
        var i = 0
        while i + 4 <= n {
            let p0 = points + i * d, p1 = p0 + d, p2 = p1 + d, p3 = p2 + d
            var (s0, s1, s2, s3) = (0.0, 0.0, 0.0, 0.0)
            switch kernel {
            case .rbf:
                for j in 0..<d {
                    let (a, b, c, e) = (x[j] - p0[j], x[j] - p1[j], x[j] - p2[j], x[j] - p3[j])
                    s0 += a * a
                    s1 += b * b
                    s2 += c * c
                    s3 += e * e
                }
            case .laplacian:
                for j in 0..<d {
                    s0 += abs(x[j] - p0[j])
                    s1 += abs(x[j] - p1[j])
                    s2 += abs(x[j] - p2[j])
                    s3 += abs(x[j] - p3[j])
                }
            }
            values[i] = kernelValue(kernel, lengthScale: lengthScale, sum: s0)
            values[i + 1] = kernelValue(kernel, lengthScale: lengthScale, sum: s1)
            values[i + 2] = kernelValue(kernel, lengthScale: lengthScale, sum: s2)
            values[i + 3] = kernelValue(kernel, lengthScale: lengthScale, sum: s3)
            i += 4
        }
        for rest in i..<n { values[rest] = kernelValue(kernel, lengthScale: lengthScale, x, points + rest * d, features: d) }
    }

    /// K + λ I (an n x n Double matrix, factored in place), the rows and targets in Double and the
    /// dual coefficients, and the training loss's pass (`evaluationBytes`).
    public func trainingBytes(rows: Int, settings: TrainingSettings, validationRows: Int, trimmed: Bool, inputGradientPenalty: Bool)
        -> Double {
        let n = Double(rows), d = Double(inputs), c = Double(classes)
        return 8 * n * n + 8 * n * d + 2 * 8 * n * c + evaluationBytes(rows: rows)
    }

    /// The classifier's rows and dual coefficients, and per measured row a prediction or loss, the
    /// kernel values against every training row and the decision values.
    public func evaluationBytes(rows measured: Int) -> Double {
        let n = Double(rows), d = Double(inputs), c = Double(classes)
        return 8 * n * (d + c) + 8 * Double(measured) + 8 * n + 8 * c + 4 * Double(measured) * c
    }

    /// None.
    public var representationWidth: Int? { nil }

    /// The evaluator's row, kernel values, decision values and gradient sums.
    public func inputGradientBytes(rows measured: Int) -> Double { 8 * (Double(rows) + Double(classes) + 2 * Double(inputs)) }

    /// A `KernelRidgeInputHessian`'s buffers for `measured` rows.
    public func inputHessianBytes(rows measured: Int) -> Double {
        KernelRidgeInputHessian.bytes(rows: measured, n: rows, d: inputs, c: classes)
    }
}

/// A solved kernel ridge regression: its training rows and dual coefficients.
public struct KernelRidgeClassifier: InputGradientClassifier, DecisionValueClassifier {
    /// The kernel.
    public let kernel: RidgeKernel
    /// ℓ.
    public let lengthScale: Double
    /// Input features.
    public let featureCount: Int
    /// Classes.
    public let classCount: Int
    /// The training rows [n x features], in Double.
    let points: [Double]
    /// The dual coefficients A [n x classes].
    let dual: [Double]

    /// The decision values f(x) of every row of `inputs`, in Double [rows x classes].
    public func decisionValues(on inputs: Dataset) -> [Double] {
        precondition(inputs.featureCount == featureCount, "inputs do not fit the model")
        let d = featureCount, c = classCount, n = points.count / d
        var result = [Double](repeating: 0, count: inputs.count * c)
        var x = [Double](repeating: 0, count: d), k = [Double](repeating: 0, count: n)
        points.withUnsafeBufferPointer { points in
            dual.withUnsafeBufferPointer { dual in
                result.withUnsafeMutableBufferPointer { result in
                    x.withUnsafeMutableBufferPointer { x in
                        k.withUnsafeMutableBufferPointer { k in
                            for r in 0..<inputs.count {
                                for j in 0..<d { x[j] = Double(inputs.features[r * d + j]) }
                                KernelRidgeModel.kernelValues(kernel, lengthScale: lengthScale, x.baseAddress!, points.baseAddress!, count: n,
                                                              features: d, into: k.baseAddress!)
                                // f_m(x) = Σ_i k_i A_im, over i in order.
                                let f = result.baseAddress! + r * c
                                for i in 0..<n { for m in 0..<c { f[m] += k[i] * dual[i * c + m] } }
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// Σ_k (f_k(x) − [y = k])² of every row.
    public func rowLosses(on inputs: Dataset) -> [Double] {
        let f = decisionValues(on: inputs), c = classCount
        return (0..<inputs.count).map { r in
            (0..<c).reduce(0.0) { sum, k in
                let error = f[r * c + k] - (inputs.labels[r] == k ? 1 : 0)
                return sum + error * error
            }
        }
    }

    /// A `KernelRidgeLossGradient` of this model.
    public func lossInputGradient(rows: Int) -> any LossInputGradientEvaluator { KernelRidgeLossGradient(model: self, rows: rows) }
}

/// Each row's squared error under a kernel ridge regression and its input gradient:
/// ∂ℓ/∂x = Σ_i w_i ∂k(x, x_i)/∂x with w_i = Σ_k A_ik 2 (f_k(x) − [y = k]), where ∂k/∂x = −k (x − x_i) / ℓ²
/// for the RBF kernel and −k sign(x − x_i) / ℓ for the Laplacian (sign(0) = 0). Allocates once.
final class KernelRidgeLossGradient: LossInputGradientEvaluator {
    private let model: KernelRidgeClassifier
    private let rows: Int
    private var row: [Double], similarities: [Double], decision: [Double], sum: [Double]

    /// An evaluator for batches of exactly `rows` rows.
    init(model: KernelRidgeClassifier, rows: Int) {
        self.model = model
        self.rows = rows
        row = [Double](repeating: 0, count: model.featureCount)
        similarities = [Double](repeating: 0, count: model.points.count / model.featureCount)
        decision = [Double](repeating: 0, count: model.classCount)
        sum = [Double](repeating: 0, count: model.featureCount)
    }

    func evaluate(inputs: UnsafePointer<Float>, labels: UnsafePointer<Int>, losses: UnsafeMutablePointer<Double>,
                  gradient: UnsafeMutablePointer<Float>) {
        let d = model.featureCount, c = model.classCount, n = similarities.count
        let points = model.points, dual = model.dual, scale = model.lengthScale
        for r in 0..<rows {
            for j in 0..<d { row[j] = Double(inputs[r * d + j]) }
            for k in 0..<c { decision[k] = 0 }
            for i in 0..<n {
                similarities[i] = KernelRidgeModel.kernelValue(model.kernel, lengthScale: scale, row, 0, points, i * d, features: d)
                for k in 0..<c { decision[k] += similarities[i] * dual[i * c + k] }
            }
            var loss = 0.0
            for k in 0..<c {
                decision[k] -= labels[r] == k ? 1 : 0   // the error f_k − [y = k]
                loss += decision[k] * decision[k]
            }
            losses[r] = loss
            for j in 0..<d { sum[j] = 0 }
            for i in 0..<n {
                var weight = 0.0
                for k in 0..<c { weight += dual[i * c + k] * 2 * decision[k] }
                weight *= similarities[i]
                guard weight != 0 else { continue }
                for j in 0..<d {
                    let delta = row[j] - points[i * d + j]
                    let term = switch model.kernel {
                    case .rbf: -weight * delta / (scale * scale)
                    case .laplacian: -weight * (delta > 0 ? 1 : delta < 0 ? -1 : 0) / scale
                    }
                    sum[j] += term
                }
            }
            for j in 0..<d { gradient[r * d + j] = Float(sum[j]) }
        }
    }
}
