import Foundation
import Testing
import PoisoningEngine
@testable import PoisoningAnalysis

/// The design that would tell the sigmoid from the simpler curves: the expected evidence ratio
/// against NumPy reference values (scripts/reference_statistics.py) and, by simulation, that
/// studies at the recommended design decide with the stated chance (`decisiveDesignChance`).
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

    /// The reference study's three fits (scripts/design_calibration.py prints them with their
    /// seed-demeaned spreads σ) and the design each is recommended: MLP 32 41 × 10, MLP 64 41 × 20,
    /// MLP 128 none on the menu (its 41 × 20 reaches an expected ratio of 18.5 with all its seeds but
    /// not 10 with half of them).
    static let references: [(name: String, truth: SigmoidParameters, sigma: Double, design: (m: Int, s: Int)?)] = [
        ("MLP 32", SigmoidParameters(amplitude: 0.6822132664479937, steepness: 5.511545594933283, midpoint: 0.21509730729179308,
                                     floor: 0.3654752279828026), 0.0255, (41, 10)),
        ("MLP 64", mlp64, 0.0317, (41, 20)),
        ("MLP 128", SigmoidParameters(amplitude: 1.0405724962272047, steepness: 4.300978731272309, midpoint: 0.10616902546715277,
                                      floor: 0.26681692189473843), 0.0288, nil),
    ]

    /// The smallest design on the menu (by runs) whose expected ratio reaches 10 with half its seeds,
    /// for each reference series; with a quarter of the noise fewer runs do.
    @Test func theSmallestDecisiveDesignKeepsAMarginOfHalfTheSeeds() throws {
        for reference in Self.references {
            let design = smallestDecisiveDesign(truth: reference.truth, range: 0...0.5, seedVariance: reference.sigma * reference.sigma)
            #expect(design.map { [$0.fractions, $0.seeds] } == reference.design.map { [$0.m, $0.s] }, "\(reference.name)")
            if let design {
                let halfSeeds = try #require(expectedSigmoidEvidence(truth: reference.truth, fractions: evenlySpacedFractions(design.fractions,
                    over: 0...0.5), seedVariance: reference.sigma * reference.sigma, seeds: design.seeds / 2))
                #expect(halfSeeds >= decisiveEvidenceRatio)
            }
        }
        let quieter = try #require(smallestDecisiveDesign(truth: Self.mlp64, range: 0...0.5, seedVariance: 0.0317 * 0.0317 / 16))
        #expect(quieter.fractions * quieter.seeds < 820 && quieter.expectedEvidenceRatio >= decisiveEvidenceRatio)
    }

    /// Simulated studies of a reference-like curve: each seed adds a shared offset (sd 0.015) to all
    /// its runs, which every curve's constant absorbs, and every run its own noise of sd `sigma`; the
    /// means are fitted by the sigmoid (from the study's start point), the line and the quadratic.
    /// Returns each study's evidence ratio of the sigmoid.
    static func simulatedRatios(truth: SigmoidParameters, sigma: Double, fractions m: Int, seeds: Int, studies: Int) -> [Double] {
        var random = Xoshiro256StarStar(seed: UInt64(m * 100 + seeds), purpose: "curve-design")
        let x = evenlySpacedFractions(m, over: 0...0.5)
        let offsetSD = 0.015
        return (0..<studies).compactMap { _ in
            let offsets = (0..<seeds).map { _ in offsetSD * random.nextStandardNormal() }
            let means = x.map { fraction in
                offsets.reduce(0) { $0 + truth.value(at: fraction) + $1 + sigma * random.nextStandardNormal() } / Double(seeds)
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

    /// The share of `ratios` that reach `decisiveEvidenceRatio` (a study whose sigmoid fit fails does not).
    static func decidedShare(_ ratios: [Double], studies: Int) -> Double {
        Double(ratios.filter { $0 >= decisiveEvidenceRatio }.count) / Double(studies)
    }

    /// At each reference series' recommended design at least `decisiveDesignChance` (80%) of 400
    /// simulated studies reach an evidence ratio of 10 for the sigmoid (measured: MLP 32 at 41 × 10
    /// 84.0%, MLP 64 at 41 × 20 88.25%); for MLP 128, with none on the menu, the largest design
    /// 41 × 20 stays short of it (57.25%). Without the margin the rule would name MLP 64's 41 × 10
    /// (expected ratio 16.7), which decides in 49.5% of 200 studies: about even odds.
    @Test func studiesAtTheRecommendedDesignDecideWithTheStatedChance() {
        for reference in Self.references {
            let (m, s) = reference.design ?? (41, 20)
            let share = Self.decidedShare(Self.simulatedRatios(truth: reference.truth, sigma: reference.sigma, fractions: m, seeds: s,
                                                               studies: 400), studies: 400)
            if reference.design != nil { #expect(share >= decisiveDesignChance, "\(reference.name)") } else {
                #expect(share < decisiveDesignChance, "\(reference.name)")
            }
        }
        let oldRule = Self.decidedShare(Self.simulatedRatios(truth: Self.mlp64, sigma: 0.0317, fractions: 41, seeds: 10, studies: 200),
                                        studies: 200)
        #expect(oldRule < 0.7)
    }

    /// At the reference study's design (9 fractions, 3 seeds) almost no simulated study decides for
    /// the sigmoid, and in nearly all a simpler curve wins by a ratio of 10 although the sigmoid is
    /// the truth: why such a win alone is no evidence of a gradual decline.
    @Test func studiesAtTheReferenceDesignFavourASimplerCurve() {
        let reference = Self.simulatedRatios(truth: Self.mlp64, sigma: 0.0317, fractions: 9, seeds: 3, studies: 200)
        #expect(Self.decidedShare(reference, studies: 200) <= 0.05)
        #expect(Double(reference.filter { $0 <= 1 / decisiveEvidenceRatio }.count) / 200 >= 0.9)
    }

    /// The seed-demeaned sum of squares of a small table against its hand-computed value: rows
    /// (fractions) [1, 2], [3, 5]; row means 1.5, 4, column means 2, 3.5, grand mean 2.75; residuals
    /// ±0.25, so the sum is 4 × 0.0625 = 0.25. A seed's shared shift leaves it unchanged.
    @Test func theSeedDemeanedSquaresLeaveOutASeedsSharedShift() {
        #expect(abs(seedDemeanedSquares([[1, 2], [3, 5]]) - 0.25) < 1e-12)
        #expect(abs(seedDemeanedSquares([[1, 2 + 7], [3, 5 + 7]]) - 0.25) < 1e-12)
    }
}
