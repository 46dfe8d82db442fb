import PoisoningData
import PoisoningModels
import PoisoningTheory
import PoisoningUtilities

/// Projected gradient ascent on a fixed model's loss in an L∞ box around each row (PGD, Madry et al.
/// 2018, "Towards deep learning models resistant to adversarial attacks"), the perturbation Turner et
/// al. (2019) use to make target-class rows hard to learn before a clean-label backdoor stamps them.
///
/// For `count` rows b [count x features] with labels y, from x⁰ = b (no random start, so the result
/// is a function of its inputs), `steps` times for every row and feature j:
///
///     x_j ← clip(x_j + s_j · sign(∂ℓ(x, y)/∂x_j), b_j - r_j, b_j + r_j),
///
/// ℓ the model's loss (`InputGradientClassifier.lossInputGradient`), sign(0) = 0 (a zero or NaN gradient
/// leaves the feature), `radius` r and `step` s given per feature. So every result satisfies
/// |x_j - b_j| ≤ r_j (up to the Float rounding of b_j ± r_j). Buffers are allocated before the loop;
/// the iterations allocate nothing.
func projectedGradientAscent(rows bases: [Float], labels: [Int], model: any InputGradientClassifier, radius: [Float], step: [Float],
                             steps: Int) -> [Float] {
    let d = model.featureCount, count = labels.count
    precondition(bases.count == count * d && radius.count == d && step.count == d, "rows, labels and per-feature sizes do not fit")
    guard count > 0, steps > 0 else { return bases }
    let loss = model.lossInputGradient(rows: count)
    var x = bases, gradient = [Float](repeating: 0, count: bases.count), losses = [Double](repeating: 0, count: count)
    x.withUnsafeMutableBufferPointer { x in
        gradient.withUnsafeMutableBufferPointer { g in
            losses.withUnsafeMutableBufferPointer { l in
                bases.withUnsafeBufferPointer { b in
                    labels.withUnsafeBufferPointer { y in
                        radius.withUnsafeBufferPointer { r in
                            step.withUnsafeBufferPointer { s in
                                for _ in 0..<steps {
                                    // g = ∂ℓ(x_row, y_row)/∂x_row for every row.
                                    loss.evaluate(inputs: UnsafePointer(x.baseAddress!), labels: y.baseAddress!, losses: l.baseAddress!,
                                                  gradient: g.baseAddress!)
                                    for row in 0..<count {
                                        for j in 0..<d {
                                            let i = row * d + j
                                            // Ascent: x + s_j sign(g); projection: clip to [b - r_j, b + r_j].
                                            let moved = g[i] > 0 ? x[i] + s[j] : g[i] < 0 ? x[i] - s[j] : x[i]
                                            x[i] = min(max(moved, b[i] - r[j]), b[i] + r[j])
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    return x
}
