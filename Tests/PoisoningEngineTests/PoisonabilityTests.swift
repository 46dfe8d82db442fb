import Foundation
import Testing
@testable import PoisoningAttacks
@testable import PoisoningData
@testable import PoisoningDefenses
@testable import PoisoningEngine
@testable import PoisoningModels
@testable import PoisoningTheory
@testable import PoisoningUtilities

/// Lambert's W₀, the poisonability threshold τ (Lu, Kamath, Yu 2023) and the targets, against
/// SciPy and NumPy (scripts/lambertw_reference.py, scripts/poisonability_reference.py) and
/// independent checks.
struct PoisonabilityTests {
    /// scripts/lambertw_reference.py's output: (x, scipy.special.lambertw(x, 0).real, mpmath's W₀(x) at 40 digits).
    static let lambertReference: [(x: Double, scipy: Double, exact: Double)] = [
        (-0.3678794411714423, -0.9999999875524939, -0.9999999846957459),
        (-0.36787943117144234, -0.9997668537222322, -0.9997668537219889),
        (-0.36787934117144233, -0.9992628505899687, -0.9992628505901586),
        (-0.36787844117144236, -0.9976701662720396, -0.9976701662720535),
        (-0.3678694411714423, -0.9926447551971257, -0.992644755197123),
        (-0.36777944117144235, -0.9768628655744274, -0.9768628655744246),
        (-0.36687944117144233, -0.9280201500545666, -0.9280201500545675),
        (-0.3578794411714423, -0.783229198981297, -0.7832291989812968),
        (-0.35, -0.7166388164560736, -0.7166388164560736),
        (-0.3, -0.4894022271802149, -0.4894022271802149),
        (-0.25, -0.35740295618138895, -0.3574029561813889),
        (-0.19999999999999998, -0.2591711018190737, -0.2591711018190737),
        (-0.15, -0.17949126834798473, -0.17949126834798473),
        (-0.1, -0.11183255915896297, -0.11183255915896297),
        (-0.04999999999999999, -0.052705983551546334, -0.052705983551546334),
        (0.0, 0.0, 0.0),
        (1e-300, 1e-300, 1e-300),
        (1e-10, 9.999999999e-11, 9.999999999e-11),
        (0.001, 0.000999001497338531, 0.0009990014973385308),
        (0.1, 0.09127652716086226, 0.09127652716086226),
        (0.5, 0.35173371124919584, 0.35173371124919584),
        (1.0, 0.5671432904097838, 0.5671432904097838),
        (0.36787944117144233, 0.2784645427610738, 0.2784645427610738),
        (2.0, 0.8526055020137254, 0.8526055020137255),
        (2.718281828459045, 1.0, 1.0),
        (3.0, 1.04990889496404, 1.04990889496404),
        (10.0, 1.7455280027406994, 1.7455280027406994),
        (100.0, 3.38563014029005, 3.38563014029005),
        (10000.0, 7.231846038093373, 7.231846038093373),
        (10000000000.0, 20.028685413304952, 20.028685413304952),
        (1e+100, 224.8431064451185, 224.8431064451185),
        (1e+300, 684.2472086297608, 684.2472086297608),
    ]

    /// W₀ agrees with mpmath to 1e-12 (relative to max(1, |W|)) over its range, from the first Double
    /// above the branch point to 1e300, and with SciPy to 1e-12 wherever SciPy is itself that close to
    /// mpmath (all but the first point, where SciPy is off by 2.9e-9); it solves w·eʷ = x.
    @Test func lambertW0IsSciPysAndMpmaths() {
        #expect(Self.lambertReference.count == 32)
        var comparedWithSciPy = 0
        for (x, scipy, exact) in Self.lambertReference {
            let w = lambertW0(x), tolerance = 1e-12 * max(1, abs(exact))
            #expect(abs(w - exact) <= tolerance, "W0(\(x)) = \(w), mpmath \(exact)")
            if abs(scipy - exact) <= tolerance {
                #expect(abs(w - scipy) <= tolerance, "W0(\(x)) = \(w), SciPy \(scipy)")
                comparedWithSciPy += 1
            }
            if x < 1e100 { #expect(abs(w * exp(w) - x) <= 1e-14 * max(1, abs(x)), "w·e^w ≠ x at \(x)") }
        }
        #expect(comparedWithSciPy == 31)
    }

    /// At −exp(−1) in Double (a hair below the true −1/e, where SciPy gives NaN) W₀ is the branch
    /// value −1; below it NaN; W₀(1/e) = 0.27846454276107380 (the logistic loss's a, to 1e-16).
    @Test func lambertW0AtItsEdges() {
        #expect(lambertW0(-exp(-1.0)) == -1)
        #expect(lambertW0(-0.4).isNaN && lambertW0(.nan).isNaN)
        #expect(lambertW0(.infinity) == .infinity && lambertW0(0) == 0)
        #expect(abs(lambertW0(exp(-1.0)) - 0.2784645427610738) <= 1e-16)
        #expect(lambertW0(exp(1.0)) == 1)
    }

    /// The interval [a, b] of t·ℓ'(t): its infimum found on a grid of t in [−20, 20] (step 1e-5)
    /// independently of the closed forms: −W₀(1/e) for the logistic loss, −1 (approached at t → 1)
    /// for the hinge.
    @Test func theMarginLossesIntervalsAreTheirInfima() {
        var logistic = Double.infinity, hinge = Double.infinity
        for step in 0...4_000_000 {
            let t = -20 + Double(step) * 1e-5
            logistic = min(logistic, t * (-1 / (1 + exp(t))))
            hinge = min(hinge, t < 1 ? -t : 0)
        }
        #expect(abs(MarginLoss.logistic.interval.a - logistic) <= 1e-9)
        #expect(abs(MarginLoss.hinge.interval.a - hinge) <= 1e-5)
        #expect(MarginLoss.allCases.allSatisfy { $0.interval.b == .infinity })
    }

    /// The binary threshold: <w, g>/(−a) for <w, g> > 0 (0.5/W₀(1/e) for the logistic loss, 0.5 for
    /// the hinge); none for <w, g> ≤ 0 with b = +∞, nor for a = −∞ (least squares); the mirror side
    /// with a finite b: <w, g>/(−b).
    @Test func theBinaryThresholdFollowsTheInterval() {
        #expect(marginPoisonabilityThreshold(innerProduct: 0.5, interval: MarginLoss.logistic.interval)
            == .threshold(tau: 0.5 / 0.2784645427610738, lowerBound: false))
        #expect(marginPoisonabilityThreshold(innerProduct: 0.5, interval: MarginLoss.hinge.interval) == .threshold(tau: 0.5, lowerBound: false))
        #expect(marginPoisonabilityThreshold(innerProduct: -0.5, interval: MarginLoss.logistic.interval) == .none)
        #expect(marginPoisonabilityThreshold(innerProduct: 0, interval: MarginLoss.logistic.interval) == .none)
        #expect(marginPoisonabilityThreshold(innerProduct: 0.5, interval: (-.infinity, .infinity)) == .none)
        #expect(marginPoisonabilityThreshold(innerProduct: -0.5, interval: (-1, 2)) == .threshold(tau: 0.25, lowerBound: false))
        // For two classes τ(c) is the binary logistic threshold.
        #expect(softmaxPoisonabilityThreshold(innerProduct: 0.5, classes: 2, lowerBound: false).tau
            == marginPoisonabilityThreshold(innerProduct: 0.5, interval: MarginLoss.logistic.interval).tau)
    }

    /// The fixed rows and weights of scripts/poisonability_reference.py, each exact in Float.
    static func referenceRows(classes c: Int) -> Dataset {
        var x = [Float]()
        for i in 0..<12 {
            for j in 0..<4 { x.append(Float((7 * i + 13 * j) % 23 - 11) / 8) }
        }
        return Dataset(features: x, labels: (0..<12).map { (5 * $0) % c }, featureCount: 4, classCount: c)
    }

    /// Softmax regression, or with `hidden` an MLP with one hidden layer of 5 units, and with
    /// `secondHidden` a second of 3 units.
    static func referenceNetwork(classes c: Int, hidden: Bool, secondHidden: Bool = false) -> NetworkParameters {
        let shape = NetworkShape(inputs: 4, hidden: hidden ? (secondHidden ? [5, 3] : [5]) : [], classes: c)
        var values = [Float](repeating: 0, count: shape.parameterCount)
        let layers = shape.layers
        if hidden {
            for o in 0..<5 {
                for j in 0..<4 { values[layers[0].weightIndex(output: o, input: j)] = Float((3 * o + 7 * j) % 13 - 6) / 8 }
                values[layers[0].biasOffset + o] = Float((5 * o) % 7 - 3) / 8
            }
        }
        if secondHidden {
            for o in 0..<3 {
                for j in 0..<5 { values[layers[1].weightIndex(output: o, input: j)] = Float((2 * o + 3 * j) % 11 - 5) / 8 }
                values[layers[1].biasOffset + o] = Float(o - 1) / 8
            }
        }
        let last = layers.last!
        for k in 0..<c {
            for j in 0..<last.inputs { values[last.weightIndex(output: k, input: j)] = Float((11 * k + 5 * j) % 17 - 8) / 16 }
            values[last.biasOffset + k] = Float(k - 1) / 4
        }
        return NetworkParameters(shape: shape, values: values)
    }

    /// τ against the NumPy computation (explicit mean gradient G and its Frobenius product with the
    /// parameters): softmax regression with 3 classes to 1e-12; with 2 classes <W, G> < 0, so no
    /// threshold; the last layer of MLPs with one and two hidden layers (their hidden activations
    /// computed in Float here, in float64 there, exact in both) to 1e-12, and marked a lower bound.
    @Test func tauIsNumPys() {
        let softmax3 = Self.referenceNetwork(classes: 3, hidden: false)
        #expect(abs(lastLayerGradientProduct(softmax3, on: Self.referenceRows(classes: 3)) - 0.4443248956088772) <= 1e-12)
        let tau3 = poisonabilityThreshold(of: softmax3, on: Self.referenceRows(classes: 3))
        guard case .threshold(let tau, let lowerBound) = tau3 else { Issue.record("no threshold"); return }
        #expect(abs(tau - 0.9595499519689658) <= 1e-12 && !lowerBound)
        let softmax2 = Self.referenceNetwork(classes: 2, hidden: false)
        #expect(abs(lastLayerGradientProduct(softmax2, on: Self.referenceRows(classes: 2)) - -0.08475495846965303) <= 1e-12)
        #expect(poisonabilityThreshold(of: softmax2, on: Self.referenceRows(classes: 2)) == .none)
        for (secondHidden, product, expected) in [(false, 0.5660124121261755, 1.2223424530944944), (true, 0.08941366381806631, 0.19309491246135035)] {
            let mlp = Self.referenceNetwork(classes: 3, hidden: true, secondHidden: secondHidden)
            #expect(abs(lastLayerGradientProduct(mlp, on: Self.referenceRows(classes: 3)) - product) <= 1e-12)
            guard case .threshold(let mlpTau, let mlpBound) = poisonabilityThreshold(of: mlp, on: Self.referenceRows(classes: 3)) else {
                Issue.record("no threshold for the MLP \(mlp.shape.hidden)"); return
            }
            #expect(abs(mlpTau - expected) <= 1e-12 && mlpBound, "\(mlp.shape.hidden): τ \(mlpTau)")
        }
    }

    /// `referenceNetwork` with its last layer replaced by scripts/poisonability_reference.py's model B,
    /// W'[k, j] = ((7k + 3j) mod 13 − 6)/16, b'[k] = (2 − k)/8 (`shifted` adds v[j] = (j − 1.5)/4 to
    /// every class's weights and 3/8 to every bias instead: every sum exact in Float).
    static func otherLastLayer(of network: NetworkParameters, shifted: Bool = false) -> NetworkParameters {
        var values = network.values
        let last = network.shape.layers.last!
        for k in 0..<last.outputs {
            for j in 0..<last.inputs {
                let index = last.weightIndex(output: k, input: j)
                values[index] = shifted ? values[index] + Float(j) / 4 - 0.375 : Float((7 * k + 3 * j) % 13 - 6) / 16
            }
            values[last.biasOffset + k] = shifted ? values[last.biasOffset + k] + 0.375 : Float(2 - k) / 8
        }
        return NetworkParameters(shape: network.shape, values: values)
    }

    /// Adding one vector to every class's last-layer weights and one number to every bias (the
    /// class-sum direction) changes no prediction, and leaves the centred distance to and from any
    /// model and the centred last-layer norm exactly as they were (4 classes, so that every weight,
    /// shift and mean over classes is exact in Float and Double and the centred values are the same
    /// bits), the shifted model's centred distance from the original exactly 0, and τ's ⟨W, G⟩ within
    /// 1e-12 (rounding only); the uncentred distance does change.
    @Test func centringIgnoresTheClassSumDirection() {
        let rows = Self.referenceRows(classes: 4)
        for hidden in [false, true] {
            let a = Self.referenceNetwork(classes: 4, hidden: hidden), b = Self.otherLastLayer(of: a)
            let shifted = Self.otherLastLayer(of: a, shifted: true)
            #expect(shifted.predictions(on: rows) == a.predictions(on: rows))
            #expect(relativeParameterDistance(shifted, from: a) == 0)
            #expect(relativeParameterDistance(shifted, from: b) == relativeParameterDistance(a, from: b))
            #expect(relativeParameterDistance(b, from: shifted) == relativeParameterDistance(b, from: a))
            #expect(centredLastLayerNorm(shifted) == centredLastLayerNorm(a))
            #expect(abs(lastLayerGradientProduct(shifted, on: rows) - lastLayerGradientProduct(a, on: rows)) <= 1e-12)
            let uncentred = { (x: NetworkParameters, y: NetworkParameters) in
                zip(x.parameterValues, y.parameterValues).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
            }
            #expect(uncentred(shifted, b) != uncentred(a, b))
        }
    }

    /// The centred distance from model B, the centred last-layer norm and ⟨W, G⟩ of the shifted model
    /// against scripts/poisonability_reference.py's NumPy values (centring by the projection matrix
    /// I − 11ᵀ/c there, by subtracting means here) to 1e-12, for softmax regression and the MLP (its
    /// hidden layers counted as they are).
    @Test func centredDistancesAreNumPys() {
        let rows = Self.referenceRows(classes: 3)
        for (hidden, distance, norm, product) in [(false, 1.3290238326779877, 1.0569709078304852, 0.44432489560887733),
                                                 (true, 0.5275716276514598, 1.1636866703140785, 0.5660124121261756)] {
            let a = Self.referenceNetwork(classes: 3, hidden: hidden)
            #expect(abs(relativeParameterDistance(a, from: Self.otherLastLayer(of: a)) - distance) <= 1e-12)
            #expect(abs(centredLastLayerNorm(a) - norm) <= 1e-12)
            #expect(abs(lastLayerGradientProduct(Self.otherLastLayer(of: a, shifted: true), on: rows) - product) <= 1e-12)
        }
    }

    /// An MLP's τ is the τ of softmax regression with its last layer on its last hidden layer's
    /// activations as fixed inputs (the same number), but only the MLP's is marked a lower bound.
    @Test func anMLPsTauIsItsLastLayerOnItsRepresentation() throws {
        for secondHidden in [false, true] {
            let mlp = Self.referenceNetwork(classes: 3, hidden: true, secondHidden: secondHidden), rows = Self.referenceRows(classes: 3)
            let last = mlp.shape.layers.last!
            let softmax = NetworkParameters(shape: NetworkShape(inputs: last.inputs, hidden: [], classes: 3),
                                            values: Array(mlp.values[last.weightOffset...]))
            let phi = Dataset(features: mlp.representations(of: rows), labels: rows.labels, featureCount: last.inputs, classCount: 3)
            let fixed = try #require(poisonabilityThreshold(of: softmax, on: phi).tau)
            #expect(poisonabilityThreshold(of: mlp, on: rows) == .threshold(tau: fixed, lowerBound: true))
            #expect(poisonabilityThreshold(of: softmax, on: phi) == .threshold(tau: fixed, lowerBound: false))
        }
    }

    /// The one-vs-rest linear SVM of scripts/poisonability_reference.py: class k's weights
    /// ((3k + 5j) mod 11 − 5)/8 and bias (2k − 1)/8, all divided by `scale`; for two classes class 0
    /// the mirror image of class 1.
    static func referenceSVM(classes c: Int, scale: Double, regularization: Double) -> LinearSVMClassifier {
        var weights = [Double]()
        for k in 0..<c {
            let row = c == 2 ? 1 : k
            let sign: Double = c == 2 && k == 0 ? -1 : 1
            for j in 0..<4 { weights.append(sign * Double((3 * row + 5 * j) % 11 - 5) / 8 / scale) }
            weights.append(sign * Double(2 * row - 1) / 8 / scale)
        }
        return LinearSVMClassifier(featureCount: 4, classCount: c, weights: weights, c: regularization)
    }

    /// The linear SVM's τ against the NumPy computation (its explicit subgradient G_k = θ_k/(Cn) +
    /// mean of −y_k (x, 1) over the rows with t ≤ 1, and the largest positive <θ_k, G_k>) to 1e-12: 3
    /// classes (the largest of three positive products), 2 mirrored classes, 3 classes negated (one
    /// product negative, the largest of the other two), and 2 classes scaled by −1/4 with C = 100,
    /// both products negative: no threshold.
    @Test func linearSVMTauIsNumPys() {
        let cases: [(classes: Int, scale: Double, c: Double, tau: Double?)] = [
            (3, 1, 0.5, 0.5247395833333333), (2, 1, 0.5, 0.19140625000000003), (3, -1, 0.5, 0.06380208333333331), (2, -4, 100, nil),
        ]
        for (classes, scale, c, expected) in cases {
            let threshold = linearSVMPoisonabilityThreshold(of: Self.referenceSVM(classes: classes, scale: scale, regularization: c),
                                                            on: Self.referenceRows(classes: classes))
            if let expected {
                guard case .threshold(let tau, let lowerBound) = threshold else { Issue.record("no threshold for \(classes), \(scale)"); continue }
                #expect(abs(tau - expected) <= 1e-12 && !lowerBound, "\(classes) classes, scale \(scale): \(tau)")
            } else {
                #expect(threshold == .none, "\(classes) classes, scale \(scale)")
            }
        }
    }

    /// A linear SVM solved on the clean rows is stationary there, so no poison is needed to reach it:
    /// by its KKT conditions ‖θ‖² = Σ α_i t_i, so <θ, g(μ)> n = Σ over the free support vectors (t = 1)
    /// of (α_i/C − 1) ≤ 0, and there is no threshold. Two mirrored classes of 60 Gaussian rows, C = 1,
    /// solver tolerance 1e-10.
    @Test func aSolvedLinearSVMNeedsNoBudgetToReachItself() throws {
        let data = GaussianClusters(samples: 60, features: 3, classes: 2, seed: 4).makeSplit().train
        let model = LinearSVM(c: 1, tolerance: 1e-10, maxPasses: 100_000).model(for: SplitSizes(trainRows: data.count, testRows: 1, features: 3, classes: 2))
        let svm = try #require(model.train(data, settings: TrainingSettings(), seed: 1, adjustment: TrainingAdjustment()).model as? LinearSVMClassifier)
        #expect((0..<4).allSatisfy { svm.weights[$0] == -svm.weights[4 + $0] }, "the two hyperplanes are mirror images")
        #expect(linearSVMPoisonabilityThreshold(of: svm, on: data) == .none)
    }
}
