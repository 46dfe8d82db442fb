import PoisoningData
import PoisoningUtilities

/// A linear support vector machine, one-vs-rest (not Crammer-Singer): for every class k a hyperplane
/// (w_k, b_k) minimising ½ ||(w_k, b_k)||² + C Σ_i max(0, 1 − y_ik (w_k · x_i + b_k)), with y_ik = +1
/// for the rows of class k and −1 for the others, the bias regularised like a weight (liblinear's
/// intercept_scaling 1, scikit-learn's `LinearSVC(loss='hinge')`). Solved to a tolerance (not by the
/// study's SGD settings): dual coordinate descent in Double (Hsieh et al. 2008, with a seeded random
/// order of the rows each pass and shrinking; `LinearSVMSolver.swift`), stopping once a pass over
/// all rows has the projected gradients' spread PGmax − PGmin, and their size |PGmax|, |PGmin|, at
/// most `tolerance`: stricter than liblinear, whose dual solver stops on the spread PGmax − PGmin ≤
/// eps alone. A solve still above it after `max-passes` passes fails its run with that reason
/// (`ModelFit.failure`); there is no other rule, so every kept run's model meets its tolerance. A row's
/// decision values are w_k · x + b_k, its prediction the largest, its loss the sum of the classes'
/// hinge losses. It offers that loss's input gradient (for PGD); it has no representation and no
/// parameter vector trained by SGD (`scripts/linear_svm_reference.py` checks it against scikit-learn).
public struct LinearSVM: ModelArchitecture {
    /// "linear-svm".
    public static let kind = "linear-svm"
    /// One sentence for help and commented study files.
    public static let summary = "A linear SVM, one-vs-rest hinge loss with L2 regularisation C, solved by dual coordinate descent in Double until its projected-gradient gap is at most tolerance (a run whose solve is still above it after max-passes passes fails)."
    /// How it is trained.
    public static let trainingMethod = "dual coordinate descent"

    /// C, the weight of the hinge losses against ½ ||w||².
    public let c: Double
    /// The stopping accuracy: the largest spread PGmax − PGmin (and size) of the dual variables'
    /// projected gradients over all rows at which the solver stops (where liblinear's `eps` bounds
    /// the spread alone).
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
                                              help: "The solver stops once a pass over all rows has the dual variables' projected gradients within this of each other and of 0 (PGmax - PGmin, |PGmax| and |PGmin| at most this: stricter than liblinear, whose eps bounds PGmax - PGmin alone; scikit-learn's LinearSVC passes its tol, 1e-4 by default, as that eps).")
        let maxPasses = try parameters.int("max-passes", default: 1_000_000, in: 1...10_000_000, help: "The most passes over the rows per class; a run whose solve is still above its tolerance after them fails, and no other run does.")
        self.init(c: c, tolerance: tolerance, maxPasses: maxPasses)
    }

    /// "linear SVM (C = 1.0)".
    public var label: String { "linear SVM (C = \(c))" }

    /// The input gradient, and its trained SVM can be a target (a parameter vector with its hinge threshold τ).
    public var capabilities: Set<ModelCapability> { [.inputGradient, .target] }

    /// The share of test predictions its solve leaves undetermined (`MetricKey.undeterminedTestShare`).
    public var recordedMetrics: [String] { [MetricKey.undeterminedTestShare] }

    /// A `LinearSVMModel` of these settings.
    public func model(for sizes: SplitSizes) -> any TrainableModel {
        LinearSVMModel(c: c, tolerance: tolerance, maxPasses: maxPasses, inputs: sizes.features, classes: sizes.classes)
    }

    /// `LinearSVMModel.rowVisits(training:)` of the model of these settings at `sizes`.
    public func rowVisits(training data: Dataset, sizes: SplitSizes) -> Int {
        LinearSVMModel(c: c, tolerance: tolerance, maxPasses: maxPasses, inputs: sizes.features, classes: sizes.classes).rowVisits(training: data)
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
    /// Solved to its optimum (unique: the objective is strictly convex), the solver's row orders drawn
    /// from a fixed stream: the seed plays no part.
    public var trainingDependsOnSeed: Bool { false }

    /// A weight per feature and a bias, per class.
    public var parameterCount: Int { (inputs + 1) * classes }

    /// Solves the classes' dual problems on `data`; `settings` and `seed` play no part. Each class's
    /// solve draws its passes' row orders from the same fixed stream (`orderStream`, restarted per
    /// class), so a fit depends on the data alone: the same bits for every seed, thread count and
    /// rerun, and a binary problem's two hyperplanes mirror images. Its one "epoch" loss is the mean row loss on
    /// `data`; it diverged (epoch 1) when a value became non-finite, and it has a `failure` when a
    /// class's solve ended at `maxPasses` with a projected-gradient gap above `tolerance`.
    public func train(_ data: Dataset, settings: TrainingSettings, seed: UInt64, adjustment: TrainingAdjustment) -> ModelFit {
        precondition(adjustment.requirements.isEmpty, "a linear SVM is solved exactly: no training adjustment applies")
        precondition(data.count > 0 && data.featureCount == inputs && data.classCount <= classes, "training data do not fit the model")
        let problem = LinearSVMProblem(data)
        var weights = [Double](repeating: 0, count: classes * problem.features)
        var errorBounds = [Double](repeating: 0, count: classes)
        var unconverged = [(class: Int, gap: Double)]()
        for k in 0..<classes {
            var order = Self.orderStream
            let signs = data.labels.map { $0 == k ? 1.0 : -1.0 }
            let solved = problem.solve(signs: signs, c: c, tolerance: tolerance, maxPasses: maxPasses, order: &order)
            weights.replaceSubrange((k * problem.features)..<((k + 1) * problem.features), with: solved.w)
            // ||w_k − w_k*|| ≤ √(2 · duality gap) (`LinearSVMProblem.dualityGap`).
            errorBounds[k] = (2 * problem.dualityGap(signs: signs, c: c, alpha: solved.alpha, w: solved.w)).squareRoot()
            if let gap = solved.gap { unconverged.append((k, gap)) }
        }
        let classifier = LinearSVMClassifier(featureCount: inputs, classCount: classes, weights: weights, c: c, weightErrorBounds: errorBounds)
        let loss = classifier.rowLosses(on: data).reduce(0, +) / Double(data.count)
        return ModelFit(model: classifier, epochLosses: [loss], divergedEpoch: loss.isFinite ? nil : 1,
                        failure: unconverged.first.map { failure(class: $0.class, gap: $0.gap, classes: unconverged.count) })
    }

    /// The rows whose dual gradient a training on `data` computes, summed over the classes' solves
    /// (`LinearSVMDualSolution.rowVisits`: each pass's active rows; a pass over every row of c
    /// classes visits c × rows): the work `make-report bench` gives beside a pass's time, since
    /// shrinking leaves rows out of later passes. The same solves as `train`, without the fit.
    public func rowVisits(training data: Dataset) -> Int {
        let problem = LinearSVMProblem(data)
        return (0..<classes).reduce(0) { visits, k in
            var order = Self.orderStream
            let signs = data.labels.map { $0 == k ? 1.0 : -1.0 }
            return visits + problem.solve(signs: signs, c: c, tolerance: tolerance, maxPasses: maxPasses, order: &order).rowVisits
        }
    }

    /// The stream the solver's random row orders come from: Xoshiro256** of seed 0 for "linear-svm-order".
    /// Fixed rather than the run's seed, so that the model is what `trainingDependsOnSeed` says: a
    /// function of its data (the optimum is unique; the order only decides the last bits).
    static let orderStream = Xoshiro256StarStar(seed: 0, purpose: "linear-svm-order")

    /// The failure of a solve that ended at `maxPasses` with class `k`'s projected-gradient gap `gap`
    /// (over all its rows) above `tolerance` (`count` of the classes short of it).
    func failure(class k: Int, gap: Double, classes count: Int) -> String {
        "the linear SVM (C = \(c)) did not converge: dual coordinate descent ended at its max-passes \(maxPasses) with a projected-"
            + "gradient gap of \(gap) (class \(k)\(count > 1 ? " and \(count - 1) more" : "")) above its tolerance \(tolerance); "
            + "raise max-passes or tolerance, or lower c (unstandardised features also slow the solve)"
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
public struct LinearSVMClassifier: InputGradientClassifier, DecisionValueClassifier, SolvedToleranceClassifier {
    /// Input features.
    public let featureCount: Int
    /// Classes.
    public let classCount: Int
    /// Per class, its weights and then its bias [classes x (features + 1)].
    public let weights: [Double]
    /// The C it was solved with (its objective ½ ||(w_k, b_k)||² + C Σ hinge losses per class).
    public let c: Double
    /// Per class, a bound on ||(w_k, b_k) − (w_k*, b_k*)||, the distance of its weights from the exact
    /// optimum: √(2 · duality gap) of its solve (0 for weights taken as exact).
    public let weightErrorBounds: [Double]

    /// A one-vs-rest linear SVM with these weights, solved with C = `c` to within `weightErrorBounds`
    /// of the optimum per class (nil: the weights are taken as the exact optimum).
    public init(featureCount: Int, classCount: Int, weights: [Double], c: Double, weightErrorBounds: [Double]? = nil) {
        precondition(weights.count == classCount * (featureCount + 1) && c > 0, "one weight per feature and a bias per class, and a positive C")
        precondition(weightErrorBounds.map { $0.count == classCount && $0.allSatisfy { $0 >= 0 } } ?? true, "a non-negative bound per class")
        self.featureCount = featureCount
        self.classCount = classCount
        self.weights = weights
        self.c = c
        self.weightErrorBounds = weightErrorBounds ?? [Double](repeating: 0, count: classCount)
    }

    /// The share of `inputs`' rows whose prediction the solve leaves undetermined: at the exact optimum
    /// another class's decision value may be the largest. Class k's value at x moves by at most
    /// e_k · ||(x, 1)|| between these weights and the optimum (Cauchy-Schwarz, e_k its weight error
    /// bound), so a row is determined when its largest value minus its bound exceeds every other
    /// class's value plus its bound; exact ties are undetermined.
    public func undeterminedShare(on inputs: Dataset) -> Double {
        inputs.count == 0 ? 0 : Double(undeterminedRows(on: inputs).count(where: { $0 })) / Double(inputs.count)
    }

    /// Per row of `inputs`, whether its prediction is undetermined (`undeterminedShare`).
    func undeterminedRows(on inputs: Dataset) -> [Bool] {
        let values = decisionValues(on: inputs), d = featureCount, c = classCount
        return (0..<inputs.count).map { r in
            var squaredNorm = 1.0
            for j in 0..<d { squaredNorm += Double(inputs.features[r * d + j]) * Double(inputs.features[r * d + j]) }
            let norm = squaredNorm.squareRoot()
            var top = 0
            for k in 1..<c where values[r * c + k] > values[r * c + top] { top = k }
            let lowest = values[r * c + top] - weightErrorBounds[top] * norm
            return (0..<c).contains { $0 != top && values[r * c + $0] + weightErrorBounds[$0] * norm >= lowest }
        }
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
