import Foundation

/// The Sobol' sequence (Sobol' 1967) in up to `SobolSequence.maximumDimensions` dimensions, with the
/// direction numbers of Joe & Kuo (2008, new-joe-kuo-6.21201) as SciPy ships them
/// (`scripts/sobol_direction_numbers.py` writes the table below and a test fixture of SciPy's points).
struct SobolSequence: Sendable {
    /// Dimensions the committed table covers.
    static let maximumDimensions = 65

    /// Direction numbers: directions[dimension][bit], 32 bits each.
    private let directions: [[UInt32]]

    /// The sequence in `dimensions` (1...65) dimensions.
    init(dimensions: Int) {
        precondition(dimensions >= 1 && dimensions <= Self.maximumDimensions)
        directions = (0..<dimensions).map(sobolDirections)
    }

    /// The first `count` points in Gray-code order (as SciPy and Joe & Kuo generate them), as 32-bit
    /// fractions: points[i][j] / 2³² is coordinate j of point i.
    func points(_ count: Int) -> [[UInt32]] {
        var current = [UInt32](repeating: 0, count: directions.count)
        var points = [current]
        points.reserveCapacity(count)
        for index in 1..<max(count, 1) {
            let bit = index.trailingZeroBitCount
            for j in current.indices { current[j] ^= directions[j][bit] }
            points.append(current)
        }
        return Array(points.prefix(count))
    }
}

/// The 32 direction numbers of one dimension: m_k from the primitive polynomial's recurrence
/// m_k = m_{k-s} ⊕ 2^s m_{k-s} ⊕ ⊕_{l<s} 2^l a_l m_{k-l}, shifted to v_k = m_k · 2^{31-k}.
private func sobolDirections(_ dimension: Int) -> [UInt32] {
    let polynomial = sobolPolynomials[dimension]
    let degree = UInt32.bitWidth - polynomial.leadingZeroBitCount - 1
    var m = sobolInitialNumbers[dimension].map(UInt64.init)
    if degree == 0 { m = Array(repeating: 1, count: 32) }
    while m.count < 32 {
        let k = m.count
        var next = m[k - degree] ^ (m[k - degree] << UInt64(degree))
        for l in 1..<max(degree, 1) where (polynomial >> UInt32(degree - l)) & 1 == 1 {
            next ^= m[k - l] << UInt64(l)
        }
        m.append(next)
    }
    return m.enumerated().map { k, value in UInt32(truncatingIfNeeded: value << UInt64(31 - k)) }
}

/// Primitive polynomials of the first 65 dimensions, leading and constant coefficients included.
private let sobolPolynomials: [UInt32] = [1, 3, 7, 11, 13, 19, 25, 37, 41, 47, 55, 59, 61, 67, 91, 97, 103, 109, 115, 131, 137, 143, 145, 157, 167, 171, 185, 191, 193, 203, 211, 213, 229, 239, 241, 247, 253, 285, 299, 301, 333, 351, 355, 357, 361, 369, 391, 397, 425, 451, 463, 487, 501, 529, 539, 545, 557, 563, 601, 607, 617, 623, 631, 637, 647]
/// Initial direction numbers m_1 ... m_s of the first 65 dimensions.
private let sobolInitialNumbers: [[UInt32]] = [
    [1],
    [1],
    [1, 3],
    [1, 3, 1],
    [1, 1, 1],
    [1, 1, 3, 3],
    [1, 3, 5, 13],
    [1, 1, 5, 5, 17],
    [1, 1, 5, 5, 5],
    [1, 1, 7, 11, 19],
    [1, 1, 5, 1, 1],
    [1, 1, 1, 3, 11],
    [1, 3, 5, 5, 31],
    [1, 3, 3, 9, 7, 49],
    [1, 1, 1, 15, 21, 21],
    [1, 3, 1, 13, 27, 49],
    [1, 1, 1, 15, 7, 5],
    [1, 3, 1, 15, 13, 25],
    [1, 1, 5, 5, 19, 61],
    [1, 3, 7, 11, 23, 15, 103],
    [1, 3, 7, 13, 13, 15, 69],
    [1, 1, 3, 13, 7, 35, 63],
    [1, 3, 5, 9, 1, 25, 53],
    [1, 3, 1, 13, 9, 35, 107],
    [1, 3, 1, 5, 27, 61, 31],
    [1, 1, 5, 11, 19, 41, 61],
    [1, 3, 5, 3, 3, 13, 69],
    [1, 1, 7, 13, 1, 19, 1],
    [1, 3, 7, 5, 13, 19, 59],
    [1, 1, 3, 9, 25, 29, 41],
    [1, 3, 5, 13, 23, 1, 55],
    [1, 3, 7, 3, 13, 59, 17],
    [1, 3, 1, 3, 5, 53, 69],
    [1, 1, 5, 5, 23, 33, 13],
    [1, 1, 7, 7, 1, 61, 123],
    [1, 1, 7, 9, 13, 61, 49],
    [1, 3, 3, 5, 3, 55, 33],
    [1, 3, 1, 15, 31, 13, 49, 245],
    [1, 3, 5, 15, 31, 59, 63, 97],
    [1, 3, 1, 11, 11, 11, 77, 249],
    [1, 3, 1, 11, 27, 43, 71, 9],
    [1, 1, 7, 15, 21, 11, 81, 45],
    [1, 3, 7, 3, 25, 31, 65, 79],
    [1, 3, 1, 1, 19, 11, 3, 205],
    [1, 1, 5, 9, 19, 21, 29, 157],
    [1, 3, 7, 11, 1, 33, 89, 185],
    [1, 3, 3, 3, 15, 9, 79, 71],
    [1, 3, 7, 11, 15, 39, 119, 27],
    [1, 1, 3, 1, 11, 31, 97, 225],
    [1, 1, 1, 3, 23, 43, 57, 177],
    [1, 3, 7, 7, 17, 17, 37, 71],
    [1, 3, 1, 5, 27, 63, 123, 213],
    [1, 1, 3, 5, 11, 43, 53, 133],
    [1, 3, 5, 5, 29, 17, 47, 173, 479],
    [1, 3, 3, 11, 3, 1, 109, 9, 69],
    [1, 1, 1, 5, 17, 39, 23, 5, 343],
    [1, 3, 1, 5, 25, 15, 31, 103, 499],
    [1, 1, 1, 11, 11, 17, 63, 105, 183],
    [1, 1, 5, 11, 9, 29, 97, 231, 363],
    [1, 1, 5, 15, 19, 45, 41, 7, 383],
    [1, 3, 7, 7, 31, 19, 83, 137, 221],
    [1, 1, 1, 3, 23, 15, 111, 223, 83],
    [1, 1, 5, 13, 31, 15, 55, 25, 161],
    [1, 1, 3, 13, 25, 47, 39, 87, 257],
    [1, 1, 1, 11, 21, 53, 125, 249, 293],
]
