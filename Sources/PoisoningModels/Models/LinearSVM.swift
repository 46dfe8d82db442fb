import PoisoningData
import PoisoningUtilities

/// A linear support vector machine, one-vs-rest (not Crammer-Singer): for every class k a hyperplane
/// (w_k, b_k) minimising ½ ||(w_k, b_k)||² + C Σ_i max(0, 1 − y_ik (w_k · x_i + b_k)), with y_ik = +1
/// for the rows of class k and −1 for the others, the bias regularised like a weight (liblinear's
/// intercept_scaling 1, scikit-learn's `LinearSVC(loss='hinge')`). Solved to a tolerance (not by the
/// study's SGD settings): dual coordinate descent (Hsieh et al. 2008) in Double, the rows in order,
/// until no dual variable's projected gradient exceeds `tolerance`; a solve that reaches `max-passes`
/// passes first with a projected gradient above `LinearSVMModel.failingGradient` (1e-3, finer than
/// liblinear's own default stopping accuracy) is far from the solution, and its run fails with that
/// reason (`ModelFit.failure`); one between the tolerance and 1e-3 is kept. A row's
/// decision values are w_k · x + b_k, its prediction the largest, its loss the sum of the classes'
/// hinge losses. It offers that loss's input gradient (for PGD); it has no representation and no
/// parameter vector trained by SGD (`scripts/linear_svm_reference.py` checks it against scikit-learn).
public struct LinearSVM: ModelArchitecture {
    /// "linear-svm".
    public static let kind = "linear-svm"
    /// One sentence for help and commented study files.
    public static let summary = "A linear SVM, one-vs-rest hinge loss with L2 regularisation C, solved by dual coordinate descent in Double to a tolerance (a run whose solve reaches max-passes first fails)."
    /// How it is trained.
    public static let trainingMethod = "dual coordinate descent"

    /// C, the weight of the hinge losses against ½ ||w||².
    public let c: Double
    /// The largest projected gradient of a dual variable at which the solver stops.
    public let tolerance: Double
    /// The most passes over the rows per class.
    public let maxPasses: Int

    /// A linear SVM (C > 0, tolerance > 0, at least one pass).
    public init(c: Double, tolerance: Double, maxPasses: Int) {
        precondition(c > 0 && tolerance > 0 && maxPasses > 0, "a linear SVM needs a positive C, tolerance and pass count")
        self.c = c
        self.tolerance = tolerance
        self.maxPasses = maxPasses
    }

    /// Reads its keys from the study, each with its default and help.
    public init(parameters: inout ParameterReader) throws {
        let c = try parameters.double("c", default: 1.0, in: 1e-8...1e8, help: "C: the weight of the hinge losses against the L2 penalty.")
        let tolerance = try parameters.double("tolerance", default: 1e-8, in: 1e-14...1,
                                              help: "The solver stops once no dual variable's projected gradient exceeds this.")
        let maxPasses = try parameters.int("max-passes", default: 10_000, in: 1...10_000_000, help: "The most passes over the rows per class; a solve that reaches them before its tolerance fails its run.")
        self.init(c: c, tolerance: tolerance, maxPasses: maxPasses)
    }

    /// "linear SVM (C = 1.0)".
    public var label: String { "linear SVM (C = \(c))" }

    /// The input gradient, and its trained SVM can be a target (a parameter vector with its hinge threshold τ).
    public var capabilities: Set<ModelCapability> { [.inputGradient, .target] }

    /// A `LinearSVMModel` of these settings.
    public func model(for sizes: SplitSizes) -> any TrainableModel {
        LinearSVMModel(c: c, tolerance: tolerance, maxPasses: maxPasses, inputs: sizes.features, classes: sizes.classes)
    }
}

/// A one-vs-rest linear SVM at a split's sizes, ready to solve.
public struct LinearSVMModel: TrainableModel, Hashable {
    /// C.
    public let c: Double
    /// The solver's tolerance.
    public let tolerance: Double
    /// The most passes per class.
    public let maxPasses: Int
    /// Input features.
    public let inputs: Int
    /// Classes.
    public let classes: Int

    /// The model itself.
    public var identity: AnyHashable { AnyHashable(self) }
    /// Solved exactly: the seed plays no part.
    public var trainingDependsOnSeed: Bool { false }

    /// A weight per feature and a bias, per class.
    public var parameterCount: Int { (inputs + 1) * classes }

    /// Solves the classes' dual problems on `data`; `settings` and `seed` play no part. Its one "epoch"
    /// loss is the mean row loss on `data`; it diverged (epoch 1) when a value became non-finite, and
    /// it has a `failure` when a class's solve reached `maxPasses` with a projected gradient above
    /// both `tolerance` and `failingGradient`.
    public func train(_ data: Dataset, settings: TrainingSettings, seed: UInt64, adjustment: TrainingAdjustment) -> ModelFit {
        precondition(adjustment.requirements.isEmpty, "a linear SVM is solved exactly: no training adjustment applies")
        precondition(data.count > 0 && data.featureCount == inputs && data.classCount <= classes, "training data do not fit the model")
        let d = inputs, n = data.count
        // The rows with a constant 1 appended (the bias's feature), and their squared norms.
        var rows = [Double](repeating: 1, count: n * (d + 1))
        for i in 0..<n { for j in 0..<d { rows[i * (d + 1) + j] = Double(data.features[i * d + j]) } }
        let norms = (0..<n).map { i in (0...d).reduce(0.0) { $0 + rows[i * (d + 1) + $1] * rows[i * (d + 1) + $1] } }
        var weights = [Double](repeating: 0, count: classes * (d + 1))
        var unconverged = [(class: Int, gradient: Double)]()
        for k in 0..<classes {
            let solved = Self.dualCoordinateDescent(rows: rows, norms: norms, signs: data.labels.map { $0 == k ? 1.0 : -1.0 }, features: d + 1,
                                                    c: c, tolerance: tolerance, maxPasses: maxPasses)
            weights.replaceSubrange((k * (d + 1))..<((k + 1) * (d + 1)), with: solved.w)
            if solved.largestGradient > max(tolerance, Self.failingGradient) { unconverged.append((k, solved.largestGradient)) }
        }
        let classifier = LinearSVMClassifier(featureCount: d, classCount: classes, weights: weights, c: c)
        let loss = classifier.rowLosses(on: data).reduce(0, +) / Double(n)
        return ModelFit(model: classifier, epochLosses: [loss], divergedEpoch: loss.isFinite ? nil : 1,
                        failure: unconverged.first.map { failure(class: $0.class, gradient: $0.gradient, classes: unconverged.count) })
    }

    /// The largest projected gradient a solve that reached `maxPasses` may end with and still give its
    /// run: 1e-3. The shipped tolerance (1e-8) is far finer than liblinear's default stopping accuracy
    /// (0.1, on the gradient's spread), and on unstandardised Gaussian clusters 10,000 passes end near
    /// 1.4e-4; a run failed for that would refuse a model that is as close to its optimum as
    /// scikit-learn's.
    static let failingGradient = 1e-3

    /// The failure of a solve that reached `maxPasses` with class `k`'s largest projected gradient
    /// `gradient` above `tolerance` and `failingGradient` (`classes` of the classes short of it).
    func failure(class k: Int, gradient: Double, classes count: Int) -> String {
        "the linear SVM (C = \(c)) did not converge: dual coordinate descent reached its max-passes \(maxPasses) with a projected "
            + "gradient of \(gradient) (class \(k)\(count > 1 ? " and \(count - 1) more" : "")) above \(max(tolerance, Self.failingGradient)); "
            + "raise max-passes, or lower c or standardise the features"
    }

    /// The primal solution w (bias last) of one binary problem: for rows x'_i [n x features] with
    /// squared norms Q_ii and signs y_i, dual coordinate descent on min ½ αᵀQα − Σα, 0 ≤ α ≤ C,
    /// Q_ij = y_i y_j x'_i · x'_j, keeping w = Σ α_i y_i x'_i: for each row in order, the gradient
    /// G = y_i w · x'_i − 1, projected onto the box; a step α_i ← clip(α_i − G / Q_ii, 0, C). With
    /// it, the largest |projected G| of the last pass: at most `tolerance` when it converged.
    static func dualCoordinateDescent(rows: [Double], norms: [Double], signs: [Double], features f: Int, c: Double, tolerance: Double,
                                      maxPasses: Int) -> (w: [Double], largestGradient: Double) {
        let n = signs.count
        var alpha = [Double](repeating: 0, count: n), w = [Double](repeating: 0, count: f)
        var largest = Double.infinity
        for _ in 0..<maxPasses {
            largest = 0.0
            for i in 0..<n where norms[i] > 0 {
                var margin = 0.0
                for j in 0..<f { margin += w[j] * rows[i * f + j] }
                let g = signs[i] * margin - 1
                let projected = alpha[i] == 0 ? min(g, 0) : alpha[i] == c ? max(g, 0) : g
                largest = max(largest, abs(projected))
                guard projected != 0 else { continue }
                let old = alpha[i]
                alpha[i] = min(max(old - g / norms[i], 0), c)
                let step = (alpha[i] - old) * signs[i]
                for j in 0..<f { w[j] += step * rows[i * f + j] }
            }
            if largest <= tolerance { break }
        }
        return (w, largest)
    }

    /// The rows in Double with their bias feature and norms, the dual variables and signs, the
    /// weights, and the training loss's pass.
    public func trainingBytes(rows: Int, settings: TrainingSettings, validationRows: Int, trimmed: Bool, inputGradientPenalty: Bool)
        -> Double {
        let n = Double(rows), d = Double(inputs)
        return 8 * n * (d + 1) + 4 * 8 * n + 2 * 8 * Double(parameterCount) + evaluationBytes(rows: rows)
    }

    /// The weights, and per measured row a prediction or loss and its decision values (twice: Double and Float).
    public func evaluationBytes(rows measured: Int) -> Double {
        8 * Double(parameterCount) + 8 * Double(measured) + 12 * Double(measured * classes)
    }

    /// None.
    public var representationWidth: Int? { nil }

    /// The evaluator's decision values.
    public func inputGradientBytes(rows measured: Int) -> Double { 8 * Double(classes + inputs) }
}

/// A solved one-vs-rest linear SVM.
public struct LinearSVMClassifier: InputGradientClassifier, DecisionValueClassifier {
    /// Input features.
    public let featureCount: Int
    /// Classes.
    public let classCount: Int
    /// Per class, its weights and then its bias [classes x (features + 1)].
    public let weights: [Double]
    /// The C it was solved with (its objective ½ ||(w_k, b_k)||² + C Σ hinge losses per class).
    public let c: Double

    /// A one-vs-rest linear SVM with these weights, solved with C = `c`.
    public init(featureCount: Int, classCount: Int, weights: [Double], c: Double) {
        precondition(weights.count == classCount * (featureCount + 1) && c > 0, "one weight per feature and a bias per class, and a positive C")
        self.featureCount = featureCount
        self.classCount = classCount
        self.weights = weights
        self.c = c
    }

    /// The decision values w_k · x + b_k of every row of `inputs`, in Double [rows x classes].
    public func decisionValues(on inputs: Dataset) -> [Double] {
        precondition(inputs.featureCount == featureCount, "inputs do not fit the model")
        let d = featureCount, c = classCount
        var result = [Double](repeating: 0, count: inputs.count * c)
        for r in 0..<inputs.count {
            for k in 0..<c {
                var value = weights[k * (d + 1) + d]
                for j in 0..<d { value += weights[k * (d + 1) + j] * Double(inputs.features[r * d + j]) }
                result[r * c + k] = value
            }
        }
        return result
    }

    /// Σ_k max(0, 1 − y_k f_k(x)) of every row, y_k = +1 for its class and −1 for the others.
    public func rowLosses(on inputs: Dataset) -> [Double] {
        let f = decisionValues(on: inputs), c = classCount
        return (0..<inputs.count).map { r in
            (0..<c).reduce(0.0) { $0 + max(0, 1 - (inputs.labels[r] == $1 ? 1 : -1) * f[r * c + $1]) }
        }
    }

    /// A `LinearSVMLossGradient` of this model.
    public func lossInputGradient(rows: Int) -> any LossInputGradientEvaluator { LinearSVMLossGradient(model: self, rows: rows) }
}

/// Each row's one-vs-rest hinge loss under a linear SVM and its input gradient
/// ∂ℓ/∂x = Σ_k −y_k w_k over the classes whose hinge is active (1 − y_k f_k(x) > 0). Allocates once.
final class LinearSVMLossGradient: LossInputGradientEvaluator {
    private let model: LinearSVMClassifier
    private let rows: Int
    private var sum: [Double]

    /// An evaluator for batches of exactly `rows` rows.
    init(model: LinearSVMClassifier, rows: Int) {
        self.model = model
        self.rows = rows
        sum = [Double](repeating: 0, count: model.featureCount)
    }

    func evaluate(inputs: UnsafePointer<Float>, labels: UnsafePointer<Int>, losses: UnsafeMutablePointer<Double>,
                  gradient: UnsafeMutablePointer<Float>) {
        let d = model.featureCount, c = model.classCount, w = model.weights
        for r in 0..<rows {
            for j in 0..<d { sum[j] = 0 }
            var loss = 0.0
            for k in 0..<c {
                var value = w[k * (d + 1) + d]
                for j in 0..<d { value += w[k * (d + 1) + j] * Double(inputs[r * d + j]) }
                let sign: Double = labels[r] == k ? 1 : -1
                let hinge = 1 - sign * value
                guard hinge > 0 else { continue }
                loss += hinge
                for j in 0..<d { sum[j] -= sign * w[k * (d + 1) + j] }
            }
            losses[r] = loss
            for j in 0..<d { gradient[r * d + j] = Float(sum[j]) }
        }
    }
}
