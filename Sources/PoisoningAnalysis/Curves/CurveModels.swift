import Foundation

/// The curves a series' mean accuracy is compared against.
public enum CurveModel: String, Sendable, Codable, CaseIterable {
    /// The descending sigmoid L / (1 + exp(k (x - x0))) + b: 4 parameters.
    case sigmoid
    /// A straight line a + c·x: 2 parameters.
    case line
    /// A quadratic a + c·x + d·x²: 3 parameters.
    case quadratic

    /// Parameters of the mean curve (the noise variance is counted apart, see `aicc`).
    public var parameterCount: Int {
        switch self {
        case .sigmoid: 4
        case .line: 2
        case .quadratic: 3
        }
    }
}

/// Least-squares polynomial coefficients (c0 + c1 x + c2 x² ...) of `degree` through (x, y), by the
/// normal equations; nil when fewer distinct x than coefficients make them singular.
public func fitPolynomial(x: [Double], y: [Double], degree: Int) -> [Double]? {
    let size = degree + 1
    guard Set(x).count >= size else { return nil }
    var normal = [[Double]](repeating: [Double](repeating: 0, count: size), count: size)
    var rhs = [Double](repeating: 0, count: size)
    for (xi, yi) in zip(x, y) {
        let powers = (0..<size).map { pow(xi, Double($0)) }
        for i in 0..<size {
            rhs[i] += powers[i] * yi
            for j in 0..<size { normal[i][j] += powers[i] * powers[j] }
        }
    }
    return solveLinearSystem(normal, rhs)
}

/// The value of polynomial `coefficients` at x.
public func polynomialValue(_ coefficients: [Double], at x: Double) -> Double {
    coefficients.reversed().reduce(0) { $0 * x + $1 }
}

/// The small-sample Akaike information criterion of a least-squares fit with Gaussian errors of
/// unknown variance (Hurvich & Tsai 1989; Burnham & Anderson 2002, §2.4):
/// AICc = n ln(RSS / n) + 2K + 2K(K + 1) / (n - K - 1), with K = parameters + 1 (the variance).
/// Nil when n - K - 1 <= 0 (too few points for the correction).
public func aicc(residualSumOfSquares: Double, points: Int, parameters: Int) -> Double? {
    let n = Double(points), k = Double(parameters + 1)
    guard n - k - 1 > 0 else { return nil }
    // A perfect fit has RSS = 0; a floor keeps the logarithm finite.
    let rss = max(residualSumOfSquares, 1e-300)
    return n * log(rss / n) + 2 * k + 2 * k * (k + 1) / (n - k - 1)
}

/// Akaike weights exp(-Δ_i / 2) / Σ_j exp(-Δ_j / 2), with Δ_i = AICc_i - min AICc (Burnham &
/// Anderson 2002, §2.9): the weight of evidence for each model among those compared.
public func akaikeWeights(_ criteria: [Double]) -> [Double] {
    let best = criteria.min() ?? 0
    let raw = criteria.map { exp(-($0 - best) / 2) }
    let total = raw.reduce(0, +)
    return raw.map { $0 / total }
}

/// The evidence ratio a claim about a curve needs: the Akaike weight of one side at least this many
/// times the other's (Burnham & Anderson 2002, §2.11: a ratio of 10 is the usual line for
/// "considerable" support; below it the data leave both plausible).
public let decisiveEvidenceRatio = 10.0

/// The evidence ratio of the sigmoid against the best simpler curve (line or quadratic),
/// w_sigmoid / max(w_line, w_quadratic) = exp((min AICc_simpler - AICc_sigmoid) / 2): above
/// `decisiveEvidenceRatio` the data favour the sigmoid, below its inverse a simpler curve.
/// Nil when either side has no AICc.
public func sigmoidEvidenceRatio(sigmoidAICc: Double?, simplerAICc: [Double?]) -> Double? {
    guard let sigmoidAICc else { return nil }
    let simpler = simplerAICc.compactMap { $0 }
    guard let best = simpler.min() else { return nil }
    // Bounded so that JSON can hold it (an evidence ratio beyond 1e300 says the same as 1e300).
    return min(max(exp((best - sigmoidAICc) / 2), 1e-300), 1e300)
}

/// A sweep design: `fractions` evenly spaced poison fractions over the same range, `seeds` seeds each.
public struct CurveDesign: Sendable, Codable, Equatable {
    /// Evenly spaced fractions.
    public let fractions: Int
    /// Seeds per fraction.
    public let seeds: Int
    /// The evidence ratio of the sigmoid against the best simpler curve that the design is expected
    /// to give when the fitted sigmoid is the truth (see `expectedSigmoidEvidence`).
    public let expectedEvidenceRatio: Double

    /// A design with its expected evidence ratio.
    public init(fractions: Int, seeds: Int, expectedEvidenceRatio: Double) {
        self.fractions = fractions
        self.seeds = seeds
        self.expectedEvidenceRatio = expectedEvidenceRatio
    }
}

/// The designs searched for one that would tell the sigmoid from the simpler curves: evenly spaced
/// fractions (`fractionCounts`) times seeds (`seedCounts`), tried from the fewest runs.
public enum CurveDesignMenu {
    /// Numbers of evenly spaced fractions tried.
    public static let fractionCounts = [9, 13, 17, 21, 31, 41]
    /// Numbers of seeds tried.
    public static let seedCounts = [3, 5, 10, 20]
}

/// The evidence ratio of the sigmoid against the best simpler curve that a sweep at `fractions` with
/// `seeds` seeds is expected to give when `truth` is the true mean curve and a seed's accuracy at
/// each fraction varies with variance `seedVariance` about it. Each curve's expected residual sum of
/// squares is its least-squares misfit to the true curve at the fractions plus (m - p) σ² / seeds
/// (m fractions, p parameters; the sigmoid, the truth, has no misfit), and those enter AICc as the
/// observed ones do. Nil with fewer than 7 fractions (no AICc for the sigmoid).
public func expectedSigmoidEvidence(truth: SigmoidParameters, fractions: [Double], seedVariance: Double, seeds: Int) -> Double? {
    let m = fractions.count, noise = seedVariance / Double(seeds)
    let y = fractions.map(truth.value)
    let simpler = [(CurveModel.line, 1), (.quadratic, 2)].map { model, degree -> Double? in
        guard let coefficients = fitPolynomial(x: fractions, y: y, degree: degree) else { return nil }
        let misfit = zip(fractions, y).reduce(0) { sum, point in
            let residual = polynomialValue(coefficients, at: point.0) - point.1
            return sum + residual * residual
        }
        return aicc(residualSumOfSquares: misfit + Double(m - model.parameterCount) * noise, points: m, parameters: model.parameterCount)
    }
    let sigmoid = aicc(residualSumOfSquares: Double(m - CurveModel.sigmoid.parameterCount) * noise, points: m,
                       parameters: CurveModel.sigmoid.parameterCount)
    return sigmoidEvidenceRatio(sigmoidAICc: sigmoid, simplerAICc: simpler)
}

/// `count` evenly spaced fractions from the lower to the upper end of `range`.
public func evenlySpacedFractions(_ count: Int, over range: ClosedRange<Double>) -> [Double] {
    (0..<count).map { range.lowerBound + (range.upperBound - range.lowerBound) * Double($0) / Double(count - 1) }
}

/// The chance, validated by simulation, that a study at the design `smallestDecisiveDesign` names
/// reaches `decisiveEvidenceRatio` for the sigmoid when the fitted sigmoid is the truth: at least 80%
/// (87% to 89% for the reference study's series in scripts/design_calibration.py and CurveDesignTests).
public let decisiveDesignChance = 0.8

/// The design on `CurveDesignMenu` with the fewest runs (fractions x seeds; the fewer seeds on a tie)
/// whose expected evidence ratio for the sigmoid (`expectedSigmoidEvidence`, fitted sigmoid `truth`,
/// the same range of fractions) reaches `decisiveEvidenceRatio` with half its seeds, that is with
/// twice the noise variance of the means; nil when none does. The expected ratio sits near the median
/// of the ratios studies give, so a design that only reaches 10 with all its seeds decides about half
/// the time; the margin of half the seeds raises that to `decisiveDesignChance`. The design carries
/// its expected ratio with all its seeds.
public func smallestDecisiveDesign(truth: SigmoidParameters, range: ClosedRange<Double>, seedVariance: Double) -> CurveDesign? {
    let designs = CurveDesignMenu.fractionCounts.flatMap { m in CurveDesignMenu.seedCounts.map { (m, $0) } }
        .sorted { ($0.0 * $0.1, $0.1) < ($1.0 * $1.1, $1.1) }
    for (m, s) in designs {
        let fractions = evenlySpacedFractions(m, over: range)
        if let margin = expectedSigmoidEvidence(truth: truth, fractions: fractions, seedVariance: 2 * seedVariance, seeds: s),
           margin >= decisiveEvidenceRatio,
           let ratio = expectedSigmoidEvidence(truth: truth, fractions: fractions, seedVariance: seedVariance, seeds: s) {
            return CurveDesign(fractions: m, seeds: s, expectedEvidenceRatio: ratio)
        }
    }
    return nil
}
