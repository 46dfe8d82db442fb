import PoisoningData
import PoisoningUtilities

/// The single-precision GFLOP/s one core reaches on the arithmetic the kernels use: SIMD8
/// multiplies each followed by a separate add (never fused), in twelve independent chains so that
/// neither latency nor a lack of independent work limits it. It is the ceiling for the kernels'
/// GFLOP/s, measured rather than taken from a data sheet (which would count fused multiply-adds),
/// and it lives in this module so that it is compiled with the kernels' flags (`Package.swift`).
public func measuredPeakGFLOPs(seconds budget: Double = 0.3) -> Double {
    let scale = SIMD8<Float>(repeating: 0.999_9), shift = SIMD8<Float>(repeating: 1e-4)
    var chains = (0..<12).map { SIMD8<Float>(repeating: Float($0) * 0.01) }
    var best = 0.0, spent = 0.0
    let iterations = 2_000_000
    while spent < budget {
        let start = ContinuousClock.now
        var (c0, c1, c2, c3, c4, c5) = (chains[0], chains[1], chains[2], chains[3], chains[4], chains[5])
        var (c6, c7, c8, c9, c10, c11) = (chains[6], chains[7], chains[8], chains[9], chains[10], chains[11])
        for _ in 0..<iterations {
            c0 = c0 * scale + shift
            c1 = c1 * scale + shift
            c2 = c2 * scale + shift
            c3 = c3 * scale + shift
            c4 = c4 * scale + shift
            c5 = c5 * scale + shift
            c6 = c6 * scale + shift
            c7 = c7 * scale + shift
            c8 = c8 * scale + shift
            c9 = c9 * scale + shift
            c10 = c10 * scale + shift
            c11 = c11 * scale + shift
        }
        chains = [c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11]
        let elapsed = secondsElapsed(since: start)
        spent += elapsed
        best = max(best, Double(iterations * 12 * 8 * 2) / elapsed / 1e9)
    }
    // The chains' values feed the result (by less than any rounding of it) so that the loop stays.
    return best + Double(chains.reduce(SIMD8<Float>(), +).sum()) * 1e-30
}
