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

/// The lack-of-fit F test of a curve fitted to the means of replicated points (Draper & Smith
/// 1998, §2.1): with n_i seeds at point i, SS_LOF = Σ n_i (ȳ_i - ŷ_i)² on m - p degrees of freedom
/// against the pure (seed) error SS_PE = Σ (n_i - 1) s_i² on Σ (n_i - 1); F = (SS_LOF / df_LOF) /
/// (SS_PE / df_PE), p = P(F(df_LOF, df_PE) > F). A small p says the curve misses the means by more
/// than the seed noise explains.
public struct LackOfFitTest: Sendable, Codable, Equatable {
    /// F statistic.
    public let f: Double
    /// Degrees of freedom of lack of fit (points - parameters).
    public let lackOfFitDegrees: Int
    /// Degrees of freedom of pure error (Σ (seeds - 1)).
    public let pureErrorDegrees: Int
    /// P(F > f) under a curve that fits.
    public let p: Double

    /// The test of fitted values `fitted` against means `means` with their seed counts and spreads;
    /// nil when either degrees of freedom is zero or there is no seed noise.
    public init?(means: [Double], fitted: [Double], counts: [Int], stds: [Double], parameters: Int) {
        let lackDegrees = means.count - parameters
        let pureDegrees = counts.reduce(0) { $0 + max($1 - 1, 0) }
        let lack = zip(zip(means, fitted), counts).reduce(0) { $0 + Double($1.1) * ($1.0.0 - $1.0.1) * ($1.0.0 - $1.0.1) }
        let pure = zip(counts, stds).reduce(0) { $0 + Double(max($1.0 - 1, 0)) * $1.1 * $1.1 }
        guard lackDegrees > 0, pureDegrees > 0, pure > 0 else { return nil }
        f = (lack / Double(lackDegrees)) / (pure / Double(pureDegrees))
        lackOfFitDegrees = lackDegrees
        pureErrorDegrees = pureDegrees
        p = fUpperTail(f, d1: Double(lackDegrees), d2: Double(pureDegrees))
    }
}
