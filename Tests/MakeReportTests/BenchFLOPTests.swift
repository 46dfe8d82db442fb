import Testing
import PoisoningEngine
@testable import MakeReport

/// The benchmark's FLOP formulas against operations counted by hand, line by line of each model's
/// code, on tiny shapes.
struct BenchFLOPTests {
    /// A network of 2 inputs, 3 hidden units and 2 classes, one row: forward 2·3 + 3·2 = 12
    /// multiply-adds (24 FLOPs), backward dW 12 multiply-adds (24) and dx of the second layer 3·2 (12):
    /// 60. Logistic regression of 2 inputs and 2 classes: forward 4 multiply-adds (8), dW (8): 16.
    @Test func networkEpoch() {
        #expect(BenchFLOPs.networkEpoch(NetworkShape(inputs: 2, hidden: [3], classes: 2), rows: 1) == 60)
        #expect(BenchFLOPs.networkEpoch(NetworkShape(inputs: 2, hidden: [], classes: 2), rows: 5) == 5 * 16)
    }

    /// A 3 x 3 matrix: column 0 has 3 entries of a dot of length 0 (its 3 closing adds), a
    /// subtraction and a square root or division: 5 each, 15; column 1, 2 entries of a dot of length 1
    /// (a multiply, an add, 3 closing adds) and 2 more: 7 each, 14; column 2, the pivot, a dot of
    /// length 2: 9. Together 38; a 1 x 1 matrix: 5.
    @Test func cholesky() {
        #expect(BenchFLOPs.cholesky(n: 3) == 38)
        #expect(BenchFLOPs.cholesky(n: 1) == 5)
    }

    /// 2 rows of 1 feature, 2 classes, RBF. A kernel value: a subtraction, a square, an add, 2·ℓ·ℓ (2),
    /// the division and exp: 7. The solve: the lower triangle's 3 kernel values (21) and 2 additions
    /// of λ (2); Cholesky of 2 x 2: 5 + 5 + 7 = 17; forward substitution: row 0 divides 2 classes (2),
    /// row 1 a multiply and a subtraction per class against row 0 (4) and divides (2): 8, the back
    /// substitution the same 8. Together 56. The training loss: 4 kernel values (28), each times 2
    /// classes' multiply-add (16); per row and class a subtraction, a square and an add (12); the mean's
    /// 2 adds and division (3). Together 115.
    @Test func kernelRidgeRBF() {
        #expect(BenchFLOPs.kernelValue(.rbf, features: 1) == 7)
        #expect(BenchFLOPs.kernelRidgeSolve(.rbf, rows: 2, features: 1, classes: 2) == 56)
        #expect(BenchFLOPs.kernelRidgeTraining(.rbf, rows: 2, features: 1, classes: 2) == 115)
    }

    /// The Laplacian kernel of 3 features: 3 subtractions and 3 adds (the absolute values count none),
    /// the division and exp: 8. 2 rows of 3 features, 1 class: the triangle's 3 values (24), λ twice
    /// (2), Cholesky (17), the substitutions (2 + 2 each: 8): 51; the loss: 4 values (32) and their
    /// multiply-adds (8), 3 per row (6), the mean (3): 100.
    @Test func kernelRidgeLaplacian() {
        #expect(BenchFLOPs.kernelValue(.laplacian, features: 3) == 8)
        #expect(BenchFLOPs.kernelRidgeSolve(.laplacian, rows: 2, features: 3, classes: 1) == 51)
        #expect(BenchFLOPs.kernelRidgeTraining(.laplacian, rows: 2, features: 3, classes: 1) == 100)
    }

    /// 2 rows of 1 feature (2 with the bias's), 2 classes: per row and class the margin (2 multiplies,
    /// 2 adds) and the gradient (a multiply, a subtraction): 6, 24 for the pass; with a step also the
    /// new α (a division, a subtraction), its change times y (2) and w's update (2 multiply-adds): 14,
    /// 56 for the pass.
    @Test func linearSVMPass() {
        #expect(BenchFLOPs.linearSVMPass(rows: 2, features: 1, classes: 2) == 24...56)
    }
}
