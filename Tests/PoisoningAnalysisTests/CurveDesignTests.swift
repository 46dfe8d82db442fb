import Foundation
import Testing
import PoisoningEngine
@testable import PoisoningAnalysis

/// The design that would tell the sigmoid from the simpler curves: the expected evidence ratio
/// against NumPy reference values (scripts/reference_statistics.py) and, by simulation, that
/// studies at the recommended design do decide.
struct CurveDesignTests {
    /// The reference study's MLP 64 fit (9 fractions, 3 seeds) and its pooled seed spread.
    static let mlp64 = SigmoidParameters(amplitude: 0.7802479529000733, steepness: 5.170298942034793,
                                         midpoint: 0.17473061460224756, floor: 0.33966373360510665)
    static let spread = 0.0354

    /// log10 of the expected evidence ratio for the MLP-64-like curve (scripts/reference_statistics.py):
    /// at 9 fractions and 3 seeds a line is expected to win by 10^3; 21 fractions with 10 seeds
    /// favour the sigmoid (10^0.27) without deciding; 31 fractions with 20 seeds decide (10^1.52).
    @Test func theExpectedEvidenceRatioMatchesTheReference() throws {
        let cases: [(m: Int, s: Int, log10Ratio: Double)] = [
            (9, 3, -2.992), (9, 20, -1.3447), (21, 10, 0.2728), (31, 20, 1.5226), (41, 20, 2.0465), (13, 5, -0.6018),
        ]
        for (m, s, expected) in cases {
            let ratio = try #require(expectedSigmoidEvidence(truth: Self.mlp64, fractions: evenlySpacedFractions(m, over: 0...0.5),
                                                             seedVariance: Self.spread * Self.spread, seeds: s))
            #expect(abs(log10(ratio) - expected) < 1e-3, "\(m) fractions, \(s) seeds: \(log10(ratio))")
        }
        #expect(expectedSigmoidEvidence(truth: Self.mlp64, fractions: evenlySpacedFractions(6, over: 0...0.5), seedVariance: 0.001,
                                        seeds: 3) == nil)
    }

    /// The smallest design on the menu (by runs) that reaches a ratio of 10: 31 fractions x 20 seeds
    /// (620 runs); with a quarter of the noise fewer runs do; with five times the noise none does.
    @Test func theSmallestDecisiveDesignIsTheCheapestOnTheMenu() throws {
        let design = try #require(smallestDecisiveDesign(truth: Self.mlp64, range: 0...0.5, seedVariance: Self.spread * Self.spread))
        #expect(design.fractions == 31 && design.seeds == 20 && abs(log10(design.expectedEvidenceRatio) - 1.5226) < 1e-3)
        let quieter = try #require(smallestDecisiveDesign(truth: Self.mlp64, range: 0...0.5,
                                                          seedVariance: Self.spread * Self.spread / 16))
        #expect(quieter.fractions * quieter.seeds < 620 && quieter.expectedEvidenceRatio >= decisiveEvidenceRatio)
        #expect(smallestDecisiveDesign(truth: Self.mlp64, range: 0...0.5, seedVariance: 25 * Self.spread * Self.spread) == nil)
    }

    /// Simulated studies of the MLP-64-like curve: each seed adds a shared offset (sd 0.01) to all its
    /// runs and every run its own noise, so that a seed's spread about the mean is `spread`; the means
    /// are fitted by the sigmoid (from the study's start point), the line and the quadratic. Returns
    /// each study's evidence ratio of the sigmoid.
    static func simulatedRatios(fractions m: Int, seeds: Int, studies: Int) -> [Double] {
        var random = Xoshiro256StarStar(seed: UInt64(m * 100 + seeds), purpose: "curve-design")
        let x = evenlySpacedFractions(m, over: 0...0.5)
        let offsetSD = 0.01, runSD = (spread * spread - offsetSD * offsetSD).squareRoot()
        return (0..<studies).compactMap { _ in
            let offsets = (0..<seeds).map { _ in offsetSD * random.nextStandardNormal() }
            let means = x.map { fraction in
                offsets.reduce(0) { $0 + mlp64.value(at: fraction) + $1 + runSD * random.nextStandardNormal() } / Double(seeds)
            }
            guard case .success(let fit) = fitDescendingSigmoid(x: x, y: means) else { return nil }
            let rss = { (values: [Double]) in zip(values, means).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } }
            let simpler = [1, 2].map { degree -> Double? in
                let c = fitPolynomial(x: x, y: means, degree: degree)!
                return aicc(residualSumOfSquares: rss(x.map { polynomialValue(c, at: $0) }), points: m, parameters: degree + 1)
            }
            return sigmoidEvidenceRatio(sigmoidAICc: aicc(residualSumOfSquares: rss(x.map(fit.parameters.value)), points: m, parameters: 4),
                                        simplerAICc: simpler)
        }
    }

    /// At the recommended design (31 fractions, 20 seeds) at least half of 200 simulated studies
    /// decide for the sigmoid (evidence ratio at least 10; measured 67.5%); at the reference study's
    /// design (9 fractions, 3 seeds) almost none do (1%), and in nearly all (98%) a simpler curve wins
    /// by a ratio of 10 although the sigmoid is the truth: why such a win alone is no evidence of a
    /// gradual decline. At the issue's 21 fractions and 10 seeds the sigmoid is preferred in most
    /// studies (55%; decisively in 21%).
    @Test func studiesAtTheRecommendedDesignDecide() {
        let share = { (ratios: [Double], rule: (Double) -> Bool) in Double(ratios.filter(rule).count) / Double(ratios.count) }
        let recommended = Self.simulatedRatios(fractions: 31, seeds: 20, studies: 200)
        #expect(recommended.count == 200)
        #expect(share(recommended) { $0 >= decisiveEvidenceRatio } >= 0.5)
        let reference = Self.simulatedRatios(fractions: 9, seeds: 3, studies: 200)
        #expect(share(reference) { $0 >= decisiveEvidenceRatio } <= 0.05)
        #expect(share(reference) { $0 <= 1 / decisiveEvidenceRatio } >= 0.9)
        let issue = Self.simulatedRatios(fractions: 21, seeds: 10, studies: 200)
        #expect(share(issue) { $0 > 1 } > 0.5)
    }
}
