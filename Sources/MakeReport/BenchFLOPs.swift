import PoisoningEngine

/// The floating-point operations the benchmark divides by time, for each model kind whose work it can
/// count. One FLOP is an add, subtract, multiply, divide, square root or `exp`; comparisons, min and
/// max, absolute values and negations count none. Each count follows the loops of the model's code.
/// Not counted: the binary SVC that `svm-gradient` retrains (its SMO iterations depend on the data),
/// and attacks and defenses generally.
enum BenchFLOPs {
    /// A dense network's training: per training row and epoch, a multiply-add (2 FLOPs) per weight
    /// in the forward pass and two in the backward pass (dW and dx; the first layer needs no dx): for
    /// one hidden layer 4D·H + 6H·C, for logistic regression 4D·C.
    static func networkEpoch(_ shape: NetworkShape, rows: Int) -> Double {
        let firstLayer = Double(shape.inputs * (shape.hidden.first ?? shape.classes))
        return (6 * Double(shape.multiplyAddsPerRow) - 2 * firstLayer) * Double(rows)
    }

    /// One kernel value k(x, y) of `features` = d values: the RBF kernel's d subtractions, d squares
    /// and d adds, then 2ℓ·ℓ (2), the division and exp: 3d + 4; the Laplacian's d subtractions and d
    /// adds (the absolute values count none), the division by ℓ and exp: 2d + 2.
    static func kernelValue(_ kernel: RidgeKernel, features d: Int) -> Double {
        switch kernel {
        case .rbf: 3 * Double(d) + 4
        case .laplacian: 2 * Double(d) + 2
        }
    }

    /// The Cholesky factorization of an n x n matrix (either variant; the blocked one's discarded
    /// lanes past a block's last column are not counted): each entry (i, j), i ≥ j, of L costs the
    /// dot product of length j (2j), its partial sums' 3 closing adds, the subtraction and the
    /// division or square root, 2j + 5; summed over the n − j entries of each column,
    /// Σ_{j<n} (n − j)(2j + 5) = n(n² − 1)/3 + 5n(n + 1)/2.
    static func cholesky(n: Int) -> Double {
        let n = Double(n)
        return n * (n * n - 1) / 3 + 5 * n * (n + 1) / 2
    }

    /// `KernelRidgeModel.ridgeSolve` on n rows of d features and c classes: the kernel matrix's lower
    /// triangle, n(n + 1)/2 kernel values, and the n additions of λ; the Cholesky factorization; the
    /// two substitutions, each a multiply and a subtraction per class for each of the n(n − 1)/2
    /// entries below the diagonal and a division per class and row, 2c·n² together (an upper bound:
    /// they skip entries of L that are exactly zero).
    static func kernelRidgeSolve(_ kernel: RidgeKernel, rows n: Int, features d: Int, classes c: Int) -> Double {
        let rows = Double(n), classes = Double(c)
        return rows * (rows + 1) / 2 * kernelValue(kernel, features: d) + rows + cholesky(n: n) + 2 * classes * rows * rows
    }

    /// Kernel ridge's training (`KernelRidgeModel.train`): the solve, then the mean training loss: for
    /// each of the n rows the n kernel values and a multiply-add per class for each (n²(k + 2c)), the
    /// squared error's subtraction, square and add per class (3c per row), the n adds of the mean and
    /// its division.
    static func kernelRidgeTraining(_ kernel: RidgeKernel, rows n: Int, features d: Int, classes c: Int) -> Double {
        let rows = Double(n), classes = Double(c)
        return kernelRidgeSolve(kernel, rows: n, features: d, classes: c)
            + rows * rows * (kernelValue(kernel, features: d) + 2 * classes) + 3 * classes * rows + rows + 1
    }

    /// One pass of the linear SVM's dual coordinate descent over n rows of d features for each of c
    /// classes, with f = d + 1 (the bias's feature): per row the margin w · x' (2f) and the gradient
    /// y·margin − 1 (2); a row whose projected gradient is not zero also takes a step, the new α
    /// (a division and a subtraction), its change times y (2) and w += step · x' (2f). How many rows
    /// step depends on the data, so the count is a range: from no step, c·n(2f + 2), to a step at
    /// every row, c·n(4f + 6). Both ends count every row; the solver's shrinking leaves rows out of
    /// its later passes, so a measured pass may do less than the lower end, and only the upper end
    /// bounds it (the bench prints the rate it implies as an upper bound).
    static func linearSVMPass(rows n: Int, features d: Int, classes c: Int) -> ClosedRange<Double> {
        let f = Double(d + 1), rowsTimesClasses = Double(n * c)
        return rowsTimesClasses * (2 * f + 2)...rowsTimesClasses * (4 * f + 6)
    }
}
