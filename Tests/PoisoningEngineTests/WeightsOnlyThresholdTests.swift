import Foundation
import Testing
@testable import PoisoningData
@testable import PoisoningModels
@testable import PoisoningTheory

/// The weights-only threshold τ_w of gradient canceling's `cancel: weights` (`WeightsOnlyThreshold.swift`)
/// against scripts/weights_only_threshold.py (NumPy and SciPy, recorded in scripts/weights_only_threshold.out):
/// the 1-D infimum of (t − s·b)ℓ'(t) found by numeric minimisation, <W, G_W> from the explicit mean
/// gradient on fixed rows and weights exact in Float, and τ_w, which an L-BFGS-B search with free
/// features cancels at 1.05 τ_w and cannot at 0.95 τ_w.
struct WeightsOnlyThresholdTests {
    /// The binary network of the script: W[k, j] = ((3k + 5j) mod 7 − 3)/8, b = (−1/2, 3/4), so b₁ − b₀ = 1.25.
    static func binaryNetwork() -> NetworkParameters {
        let shape = NetworkShape(inputs: 4, hidden: [], classes: 2)
        var values = [Float](repeating: 0, count: shape.parameterCount)
        let layer = shape.layers[0]
        for k in 0..<2 {
            for j in 0..<4 { values[layer.weightIndex(output: k, input: j)] = Float((3 * k + 5 * j) % 7 - 3) / 8 }
        }
        values[layer.biasOffset] = -0.5
        values[layer.biasOffset + 1] = 0.75
        return NetworkParameters(shape: shape, values: values)
    }

    /// The floors are the script's minimised values: at b = 0 both are W₀(1/e) and τ_w is τ's formula;
    /// label 1's floor shrinks and label 0's grows as b grows (the binary model's bias b₁ − b₀ > 0 favours label 1).
    @Test func theFloorsAreTheInfimaOfTheWeightsOnlyTerm() {
        let w = lambertW0(exp(-1.0))
        #expect(abs(weightsOnlyMarginFloor(bias: 0, label: 0) - w) <= 1e-15 && abs(weightsOnlyMarginFloor(bias: 0, label: 1) - w) <= 1e-15)
        // −W₀(e^(−s b − 1)) at b = 1.25: the script's minimize_scalar agrees with lambertw to 2.2e-16 over b in [−4, 4].
        #expect(abs(weightsOnlyMarginFloor(bias: 1.25, label: 1) - 0.09577312855910744) <= 1e-12)
        #expect(abs(weightsOnlyMarginFloor(bias: 1.25, label: 0) - 0.6621950814645123) <= 1e-12)
        #expect(binaryWeightsOnlyThreshold(innerProduct: 0.5, bias: 0, labelOneShare: 0.3, lowerBound: false).tau!
            == softmaxPoisonabilityThreshold(innerProduct: 0.5, classes: 2, lowerBound: false).tau!)
        #expect(binaryWeightsOnlyThreshold(innerProduct: 0, bias: 1, labelOneShare: 0.5, lowerBound: false) == .none)
        #expect(binaryWeightsOnlyThreshold(innerProduct: -0.1, bias: 1, labelOneShare: 0.5, lowerBound: false) == .none)
    }

    /// On the script's fixed rows (those of scripts/poisonability_reference.py, two classes) and binary
    /// network: <W, G_W> and <θ, G> to 1e-12, τ, τ_w for poison labels [1, 0, 0, 1, 0] (π₁ = 0.4) and for the
    /// clean rows' shares (no poisons), to 1e-9; τ_w = 0.23 τ here, so τ is far from the weights-only threshold.
    @Test func tauWIsTheScriptsOnFixedRowsAndWeights() {
        let rows = PoisonabilityTests.referenceRows(classes: 2), network = Self.binaryNetwork()
        #expect(abs(lastLayerGradientProduct(network, on: rows, includingBias: false) - 0.1604043984136862) <= 1e-12)
        #expect(abs(lastLayerGradientProduct(network, on: rows) - 0.44942833549449296) <= 1e-12)
        #expect(abs(poisonabilityThreshold(of: network, on: rows).tau! - 1.6139517478177046) <= 1e-9)
        guard case .threshold(let tauW, let bound) = weightsOnlyThreshold(of: network, on: rows, poisonLabels: [1, 0, 0, 1, 0]) else {
            Issue.record("no weights-only threshold")
            return
        }
        #expect(abs(tauW - 0.3682155974107993) <= 1e-9 && !bound)
        #expect(abs(weightsOnlyThreshold(of: network, on: rows, poisonLabels: []).tau! - 0.4232483534070319) <= 1e-9)
    }

    /// Three classes (scripts/poisonability_reference.py's softmax regression): the bound
    /// <W, G_W>/Σ_y π_y (W₀(2/e) + max b − b_y) at poison labels [0, 2, 2, 1], marked a lower bound; an
    /// MLP's binary τ_w is its last layer's, a lower bound too.
    @Test func moreClassesAndNetworksGiveALowerBound() {
        let rows = PoisonabilityTests.referenceRows(classes: 3), network = PoisonabilityTests.referenceNetwork(classes: 3, hidden: false)
        #expect(abs(lastLayerGradientProduct(network, on: rows, includingBias: false) - 0.4030804833880658) <= 1e-12)
        guard case .threshold(let bound, let isBound) = weightsOnlyThreshold(of: network, on: rows, poisonLabels: [0, 2, 2, 1]) else {
            Issue.record("no bound")
            return
        }
        #expect(abs(bound - 0.6195942930416358) <= 1e-9 && isBound)
        let mlp = PoisonabilityTests.referenceNetwork(classes: 2, hidden: true), binaryRows = PoisonabilityTests.referenceRows(classes: 2)
        let product = lastLayerGradientProduct(mlp, on: binaryRows, includingBias: false)
        let last = mlp.shape.layers.last!, b = Double(mlp.values[last.biasOffset + 1] - mlp.values[last.biasOffset])
        #expect(weightsOnlyThreshold(of: mlp, on: binaryRows, poisonLabels: [1, 1, 0])
            == binaryWeightsOnlyThreshold(innerProduct: product, bias: b, labelOneShare: 2.0 / 3, lowerBound: true))
    }
}
