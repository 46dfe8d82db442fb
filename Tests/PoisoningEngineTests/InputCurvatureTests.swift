import Foundation
import Testing
@testable import PoisoningData
@testable import PoisoningDefenses
@testable import PoisoningEngine
@testable import PoisoningModels
@testable import PoisoningUtilities

/// Input Hessian-vector products against central finite differences of the input gradient computed
/// naively in Double, and the power iteration against a full eigen-decomposition of the Hessian
/// built from those differences (input dimension 10), for every model kind with input Hessians: an
/// MLP, logistic regression and kernel ridge with either kernel.
struct InputCurvatureTests {
    /// The models under test, each with random parameters and inputs.
    enum HessianModel: String, CaseIterable, CustomTestStringConvertible {
        case mlp, logistic, rbfKernelRidge, laplacianKernelRidge
        var testDescription: String { rawValue }
    }

    /// A model's Hessian-vector products, its naive Double input gradient ∂ℓ/∂x (x, label), and
    /// random rows and labels to take them at.
    struct Subject {
        let hessian: (Int) -> any InputHessianEvaluator
        let gradient: ([Double], Int) -> [Double]
        let inputs: [Float]
        let labels: [Int]
    }

    /// `model` with random parameters from `seed` and `rows` random inputs in [-2, 2]^10 with random
    /// labels of 3 classes. The networks: PyTorch's initialisation scaled by 3 (so that the softmax is
    /// not flat). Kernel ridge: solved on 30 random rows in [-2, 2]^10 with random labels (ℓ = 3 for
    /// the RBF kernel, 5 for the Laplacian, λ = 0.1), so that the kernel values are not negligible.
    static func subject(_ model: HessianModel, rows: Int, seed: UInt64) -> Subject {
        var random = Xoshiro256StarStar(seed: seed, purpose: "input-curvature-test")
        switch model {
        case .mlp, .logistic:
            let shape = NetworkShape(inputs: 10, hidden: model == .mlp ? [16, 8] : [], classes: 3)
            var parameters = NetworkParameters.pytorchDefault(shape: shape, random: &random)
            parameters.values = parameters.values.map { 3 * $0 }
            let inputs = (0..<(rows * 10)).map { _ in 4 * random.nextUnitFloat() - 2 }
            let labels = (0..<rows).map { _ in Int(random.next() % 3) }
            return Subject(hessian: { InputHessian(parameters: parameters, rows: $0) },
                           gradient: { x, label in networkInputGradient(parameters, x, label: label) }, inputs: inputs, labels: labels)
        case .rbfKernelRidge, .laplacianKernelRidge:
            let kernel: RidgeKernel = model == .rbfKernelRidge ? .rbf : .laplacian, scale = kernel == .rbf ? 3.0 : 5.0
            let points = (0..<(30 * 10)).map { _ in Double(4 * random.nextUnitFloat() - 2) }
            let targets = (0..<30).flatMap { _ in
                let label = Int(random.next() % 3)
                return (0..<3).map { $0 == label ? 1.0 : 0.0 }
            }
            let dual = KernelRidgeModel.ridgeSolve(points: points, targets: targets, features: 10, classes: 3, kernel: kernel,
                                                   lengthScale: scale, lambda: 0.1)!
            let classifier = KernelRidgeClassifier(kernel: kernel, lengthScale: scale, featureCount: 10, classCount: 3, points: points, dual: dual)
            var inputs = (0..<(rows * 10)).map { _ in 4 * random.nextUnitFloat() - 2 }
            let labels = (0..<rows).map { _ in Int(random.next() % 3) }
            // No coordinate within 1e-4 of a training row's (moved by 1e-3 until it is not), so that no
            // finite difference (steps of at most 1e-5) crosses a Laplacian kernel's cusp.
            for m in inputs.indices {
                while (0..<30).contains(where: { abs(Double(inputs[m]) - points[$0 * 10 + m % 10]) <= 1e-4 }) { inputs[m] += 1e-3 }
            }
            return Subject(hessian: { classifier.inputHessian(rows: $0) },
                           gradient: { x, label in kernelRidgeInputGradient(classifier, x, label: label) }, inputs: inputs, labels: labels)
        }
    }

    /// ∂ℓ/∂x of one row in Double by naive loops: forward through the layers (ReLU after each hidden
    /// one), p - onehot(y) at the logits, then back through Wᵀ and the masks.
    static func networkInputGradient(_ parameters: NetworkParameters, _ x: [Double], label: Int) -> [Double] {
        let layers = parameters.shape.layers, theta = parameters.values.map(Double.init)
        var outputs = [[Double]](), input = x
        for layer in layers {
            var a = (0..<layer.outputs).map { o in
                theta[layer.biasOffset + o] + (0..<layer.inputs).reduce(0.0) { $0 + theta[layer.weightIndex(output: o, input: $1)] * input[$1] }
            }
            if layer.isHidden { a = a.map { max($0, 0) } }
            outputs.append(a)
            input = a
        }
        let z = outputs.last!, largest = z.max()!, exps = z.map { exp($0 - largest) }, total = exps.reduce(0, +)
        var upstream = exps.enumerated().map { $1 / total - ($0 == label ? 1 : 0) }
        for index in layers.indices.reversed() {
            let layer = layers[index]
            if layer.isHidden { upstream = upstream.enumerated().map { outputs[index][$0] > 0 ? $1 : 0 } }
            upstream = (0..<layer.inputs).map { i in
                (0..<layer.outputs).reduce(0.0) { $0 + theta[layer.weightIndex(output: $1, input: i)] * upstream[$1] }
            }
        }
        return upstream
    }

    /// ∂ℓ/∂x of one row's squared error Σ_k (f_k(x) − [y = k])² under kernel ridge in Double by naive
    /// loops: k_i = exp(−‖x − x_i‖² / 2ℓ²) or exp(−‖x − x_i‖₁ / ℓ), f = Σ_i k_i A_i, and
    /// ∂ℓ/∂x = Σ_k 2 e_k Σ_i A_ik ∂k_i/∂x with ∂k_i/∂x = −k_i (x − x_i) / ℓ² or −k_i sign(x − x_i) / ℓ.
    static func kernelRidgeInputGradient(_ model: KernelRidgeClassifier, _ x: [Double], label: Int) -> [Double] {
        let d = model.featureCount, c = model.classCount, n = model.points.count / d, l = model.lengthScale
        let v = (0..<n).map { i in (0..<d).map { x[$0] - model.points[i * d + $0] } }
        let similarity = v.map { vi in
            model.kernel == .rbf ? exp(-vi.reduce(0) { $0 + $1 * $1 } / (2 * l * l)) : exp(-vi.reduce(0) { $0 + abs($1) } / l)
        }
        let e = (0..<c).map { k in (0..<n).reduce(0.0) { $0 + similarity[$1] * model.dual[$1 * c + k] } - (k == label ? 1 : 0) }
        // Σ_k 2 e_k A_ik, each point's weight, the same for every feature j.
        let weight = (0..<n).map { i in (0..<c).reduce(0.0) { $0 + 2 * e[$1] * model.dual[i * c + $1] } }
        return (0..<d).map { j in
            (0..<n).reduce(0.0) { sum, i in
                let slope = model.kernel == .rbf ? -similarity[i] * v[i][j] / (l * l) : -similarity[i] * (v[i][j] > 0 ? 1 : -1) / l
                return sum + weight[i] * slope
            }
        }
    }

    /// H u of one row by central differences of the Double input gradient: (g(x + h u) - g(x - h u)) / 2h.
    static func finiteDifferenceProduct(_ subject: Subject, _ x: [Double], label: Int, _ u: [Double], step h: Double = 1e-5) -> [Double] {
        let plus = subject.gradient(zip(x, u).map { $0 + h * $1 }, label)
        let minus = subject.gradient(zip(x, u).map { $0 - h * $1 }, label)
        return zip(plus, minus).map { ($0 - $1) / (2 * h) }
    }

    /// The mean Hessian of `rows` rows of `d` features, column by column by finite differences, symmetrised [d x d].
    static func meanHessian(_ subject: Subject, rows: Range<Int>, d: Int = 10) -> [Double] {
        var h = [Double](repeating: 0, count: d * d)
        for r in rows {
            let x = (0..<d).map { Double(subject.inputs[r * d + $0]) }
            for j in 0..<d {
                let column = finiteDifferenceProduct(subject, x, label: subject.labels[r], (0..<d).map { $0 == j ? 1 : 0 })
                for i in 0..<d { h[i * d + j] += column[i] / Double(rows.count) }
            }
        }
        var symmetric = h
        for i in 0..<d {
            for j in 0..<d { symmetric[i * d + j] = (h[i * d + j] + h[j * d + i]) / 2 }
        }
        return symmetric
    }

    static func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    @Test(arguments: HessianModel.allCases)
    func productsMatchFiniteDifferencesOfTheInputGradient(model: HessianModel) {
        let rows = 12
        let subject = Self.subject(model, rows: rows, seed: 1)
        var random = Xoshiro256StarStar(seed: 2, purpose: "input-curvature-test")
        let directions = (0..<(rows * 10)).map { _ in 2 * random.nextUnitFloat() - 1 }
        let products = subject.hessian(rows).products(inputs: subject.inputs, labels: subject.labels, directions: directions)
        var largest = 0.0
        for r in 0..<rows {
            let x = (0..<10).map { Double(subject.inputs[r * 10 + $0]) }, u = (0..<10).map { Double(directions[r * 10 + $0]) }
            let expected = Self.finiteDifferenceProduct(subject, x, label: subject.labels[r], u)
            let error = Self.norm(zip(expected, products[(r * 10)..<(r * 10 + 10)]).map { $0 - Double($1) })
            // Relative 1e-4, plus Float's rounding of the intermediate sums when the product is small.
            #expect(error <= 1e-4 * Self.norm(expected) + 1e-6, "row \(r): \(error) against ‖Hu‖ \(Self.norm(expected))")
            largest = max(largest, Self.norm(expected))
        }
        #expect(largest > 1e-2, "the products are not all near zero")
    }

    /// The ways to the top eigenpair: the exact decomposition (the default for 10 features) of the
    /// Hessians kernel ridge assembles in closed form, the same of the Hessians built from d products
    /// (the reference; the networks build them so either way), and power iteration to its default
    /// residual tolerance.
    enum Route: String, CaseIterable, CustomTestStringConvertible {
        case assembled, products, powerIteration
        var testDescription: String { rawValue }
        /// `meanTop`'s and `rowTops`' `exactLimit`.
        var exactLimit: Int { self == .powerIteration ? 0 : InputHessian.exactInputLimit }
    }

    /// Every route to the top eigenpair against a full decomposition of the Hessian built by finite differences.
    @Test(arguments: HessianModel.allCases, Route.allCases)
    func theTopEigenpairIsTheFullHessiansTop(model: HessianModel, route: Route) {
        let rows = 20, exactLimit = route.exactLimit, assembled = route == .assembled
        let subject = Self.subject(model, rows: rows, seed: 3)
        let hessian = subject.hessian(rows)
        // The mean Hessian: built column by column from the exact products, equal to the finite differences'.
        let exact = (0..<10).map { j -> [Double] in
            let e = (0..<(rows * 10)).map { Float($0 % 10 == j ? 1 : 0) }
            let products = hessian.products(inputs: subject.inputs, labels: subject.labels, directions: e)
            return (0..<10).map { i in (0..<rows).reduce(0.0) { $0 + Double(products[$1 * 10 + i]) } / Double(rows) }
        }
        let differences = Self.meanHessian(subject, rows: 0..<rows)
        for i in 0..<10 {
            for j in 0..<10 {
                let difference: Double = differences[i * 10 + j]
                #expect(abs(exact[j][i] - difference) <= 1e-4 * (1 + abs(difference)), "H[\(i), \(j)]")
            }
        }
        let eigen = ClassRepresentations.symmetricEigen(differences, n: 10)
        // The spread of the spectrum: power iteration's accuracy is relative to the largest |λ|.
        let spread = max(abs(eigen[0].value), abs(eigen[9].value))
        #expect(eigen[0].value - eigen[1].value > 0.05 * spread, "a clear gap, so that a residual of 1e-4 · |λ| places the vector within 0.002")
        let top = hessian.meanTop(inputs: subject.inputs, labels: subject.labels, seed: 4, exactLimit: exactLimit, assembled: assembled)
        #expect(abs(top.value - eigen[0].value) <= 1e-4 * spread, "\(top.value) against \(eigen[0].value)")
        let cosine = zip(top.vector, eigen[0].vector).reduce(0.0) { $0 + Double($1.0) * $1.1 }
        #expect(abs(cosine) >= 0.999, "|cos| \(abs(cosine))")
        // Each row's own Hessian (for a network of rank at most classes - 1 = 2), where the top
        // eigenvalue is well separated (its convergence is as slow as the gap is small).
        let perRow = hessian.rowTops(inputs: subject.inputs, labels: subject.labels, seed: 5, exactLimit: exactLimit, assembled: assembled)
        var separated = 0, shifted = 0
        for r in 0..<rows {
            let rowEigen = ClassRepresentations.symmetricEigen(Self.meanHessian(subject, rows: r..<(r + 1)), n: 10)
            let rowSpread = max(abs(rowEigen[0].value), abs(rowEigen[9].value))
            if -rowEigen[9].value > abs(rowEigen[0].value) { shifted += 1 }
            guard rowEigen[0].value - rowEigen[1].value > 0.05 * rowSpread else { continue }
            separated += 1
            #expect(abs(perRow.values[r] - rowEigen[0].value) <= 1e-4 * rowSpread + 1e-6, "row \(r): \(perRow.values[r]) against \(rowEigen[0].value)")
            let rowCosine = (0..<10).reduce(0.0) { $0 + Double(perRow.vectors[r * 10 + $1]) * rowEigen[0].vector[$1] }
            #expect(abs(rowCosine) >= 0.999, "row \(r): |cos| \(abs(rowCosine))")
        }
        #expect(separated >= 19, "\(separated) rows checked")
        // Kernel ridge's Hessians are indefinite: on some rows (and for the RBF kernel on the mean) the
        // eigenvalue of largest magnitude is negative (8 and 4 of 20 rows), which plain power iteration would return.
        #expect(shifted == [.mlp: 0, .logistic: 0, .rbfKernelRidge: 8, .laplacianKernelRidge: 4][model])
        #expect((-eigen[9].value > eigen[0].value) == (model == .rbfKernelRidge), "mean spectrum \(eigen[0].value) ... \(eigen[9].value)")
    }

    /// Kernel ridge's Hessians in closed form (`InputHessianAssembler`): each row's H_r exactly
    /// symmetric and equal to the one built column by column from the exact products (the reference,
    /// to the products' Float rounding) and to central finite differences of the naive Double input
    /// gradient (1e-4 relative); the mean H̄ (for the RBF kernel by expanding v_i v_iᵀ) equal to the
    /// mean of the assembled rows' to 1e-12 of its largest entry, and to the products'.
    @Test(arguments: [HessianModel.rbfKernelRidge, .laplacianKernelRidge])
    func theAssembledHessiansAreThoseOfTheProducts(model: HessianModel) throws {
        let rows = 12, d = 10
        let subject = Self.subject(model, rows: rows, seed: 8)
        let hessian = subject.hessian(rows)
        let assembler = try #require(hessian as? any InputHessianAssembler)
        // columns[j][r d + i] = (H_r e_j)_i; `products` prepares the same rows that the assembler then reads.
        let columns = (0..<d).map { j in
            hessian.products(inputs: subject.inputs, labels: subject.labels, directions: (0..<(rows * d)).map { Float($0 % d == j ? 1 : 0) })
        }
        var rowHessian = [Double](repeating: 0, count: d * d), rowMean = rowHessian, productMean = rowHessian
        var largest = 0.0
        for r in 0..<rows {
            rowHessian.withUnsafeMutableBufferPointer { assembler.rowHessian(r, into: $0.baseAddress!) }
            let differences = Self.meanHessian(subject, rows: r..<(r + 1))
            let scale = rowHessian.map(abs).max()!
            largest = max(largest, scale)
            for i in 0..<d {
                for j in 0..<d {
                    let value = rowHessian[i * d + j], product = Double(columns[j][r * d + i])
                    #expect(value == rowHessian[j * d + i], "row \(r): H[\(i), \(j)] not symmetric")
                    #expect(abs(value - product) <= 1e-6 * scale, "row \(r): H[\(i), \(j)] \(value) against the products' \(product)")
                    #expect(abs(value - differences[i * d + j]) <= 1e-4 * (1 + abs(differences[i * d + j])),
                            "row \(r): H[\(i), \(j)] \(value) against finite differences \(differences[i * d + j])")
                    rowMean[i * d + j] += value / Double(rows)
                    productMean[i * d + j] += product / Double(rows)
                }
            }
        }
        #expect(largest > 1e-2, "the Hessians are not all near zero")
        var mean = [Double](repeating: 0, count: d * d)
        mean.withUnsafeMutableBufferPointer { assembler.meanHessian(into: $0.baseAddress!) }
        let scale = rowMean.map(abs).max()!
        for m in 0..<(d * d) {
            #expect(abs(mean[m] - rowMean[m]) <= 1e-12 * scale, "H̄ entry \(m): \(mean[m]) against the rows' mean \(rowMean[m])")
            #expect(abs(mean[m] - productMean[m]) <= 1e-6 * scale, "H̄ entry \(m): \(mean[m]) against the products' \(productMean[m])")
        }
    }

    /// The same seed gives the same bits; power iteration's start vector depends on it (3 products,
    /// unconverged), the exact decomposition does not.
    @Test func powerIterationIsDeterministic() {
        let subject = Self.subject(.mlp, rows: 8, seed: 6)
        func top(seed: UInt64, exactLimit: Int) -> InputCurvature {
            subject.hessian(8).meanTop(inputs: subject.inputs, labels: subject.labels, seed: seed, exactLimit: exactLimit, maximumProducts: 3)
        }
        #expect(top(seed: 7, exactLimit: 0) == top(seed: 7, exactLimit: 0))
        #expect(top(seed: 7, exactLimit: 0) != top(seed: 8, exactLimit: 0))
        #expect(top(seed: 7, exactLimit: 10) == top(seed: 8, exactLimit: 10))
    }

    /// The models of fraction 0, seed 1 trained on the reference data (10 features, 5 classes, 150 test
    /// rows): the MLP with 32 hidden units (200 epochs) and kernel ridge (RBF, length scale 4, as in
    /// examples/near-clone).
    enum TrainedModel: String, CaseIterable, CustomTestStringConvertible {
        case mlp, kernelRidge
        var testDescription: String { rawValue }
    }

    /// At the default settings, on trained models of the reference data, kernel ridge's with a small
    /// eigen-gap (λ_2 / λ_1 = 0.907 over the test rows; on examples/near-clone 30 products of power
    /// iteration left its trigger alignment at 0.04-0.31 against an exact 0.47) and the MLP's with a
    /// wider one (0.691), the top eigenpair against a full decomposition of the mean Hessian built
    /// independently, by finite differences of the naive Double input gradient: λ to 1e-4 relative and
    /// |cos| ≥ 0.999; likewise power iteration to its default residual tolerance (`exactLimit` 0),
    /// whose residual meets it.
    @Test(arguments: TrainedModel.allCases)
    func theDefaultTopEigenpairIsExactOnATrainedModelWithASmallEigenGap(model: TrainedModel) throws {
        let component = model == .mlp ? StudyConfig.mlp(32)
            : StudyConfig.component(KernelRidge.kind, ["kernel": .string("rbf"), "length-scale": .double(4)])
        let study = try Study(StudyConfig(models: [component], fractions: [0], seeds: [1]))
        guard case .prepared(let run) = prepareRun(RunSpec(fraction: 0, series: 0, seed: 1), study: study) else {
            Issue.record("the run diverged")
            return
        }
        let trained = run.trainer.train(run.trainingRows).model, test = study.split.test, d = test.featureCount
        let subject: Subject
        if let network = trained as? NetworkParameters {
            subject = Subject(hessian: { InputHessian(parameters: network, rows: $0) },
                              gradient: { x, label in Self.networkInputGradient(network, x, label: label) }, inputs: test.features, labels: test.labels)
        } else {
            let ridge = try #require(trained as? KernelRidgeClassifier)
            subject = Subject(hessian: { ridge.inputHessian(rows: $0) },
                              gradient: { x, label in Self.kernelRidgeInputGradient(ridge, x, label: label) }, inputs: test.features, labels: test.labels)
        }
        let eigen = ClassRepresentations.symmetricEigen(Self.meanHessian(subject, rows: 0..<test.count, d: d), n: d)
        let ratio = eigen[1].value / eigen[0].value
        print("\(model): λ_1 \(eigen[0].value), λ_2 \(eigen[1].value), ratio \(ratio), λ_min \(eigen[d - 1].value)")
        // Kernel ridge's gap is the small one (0.907); the MLP's is wider (0.691).
        #expect(d == 10 && test.count == 150 && ratio >= (model == .kernelRidge ? 0.9 : 0.6) && ratio < 1, "λ_2 / λ_1 \(ratio)")
        let hessian = subject.hessian(test.count)
        for exactLimit in [InputHessian.exactInputLimit, 0] {
            let top = hessian.meanTop(inputs: test.features, labels: test.labels, seed: 1, exactLimit: exactLimit)
            let cosine = abs(zip(top.vector, eigen[0].vector).reduce(0.0) { $0 + Double($1.0) * $1.1 })
            #expect(abs(top.value - eigen[0].value) <= 1e-4 * abs(eigen[0].value), "exact limit \(exactLimit): λ \(top.value) against \(eigen[0].value)")
            #expect(cosine >= 0.999, "exact limit \(exactLimit): |cos| \(cosine)")
            #expect(top.residual <= InputHessian.residualTolerance * abs(top.value), "exact limit \(exactLimit): residual \(top.residual)")
        }
        // What 30 products from the same start gave (the former default).
        let thirty = hessian.meanTop(inputs: test.features, labels: test.labels, seed: 1, exactLimit: 0, tolerance: 0, maximumProducts: 30)
        let thirtyCosine = abs(zip(thirty.vector, eigen[0].vector).reduce(0.0) { $0 + Double($1.0) * $1.1 })
        print("\(model): 30 products give λ \(thirty.value), |cos| \(thirtyCosine)")
    }

    /// Checks the input-curvature filter's `decision` at 10% removed on `poisoned` [rows x 6]: each
    /// score is the top eigenvalue of its row's own 6 x 6 Hessian, built independently by central
    /// finite differences of `subject`'s naive Double input gradient and fully decomposed (to 1e-4 of
    /// the row's spectral spread), the scores are not all near zero, their eigenpairs converged (the decision's metrics), and 10% of the rows go. Returns
    /// how well the decision finds the poisons.
    static func checkFilterScores(_ decision: DefenseDecision, _ poisoned: PoisonedTrainingSet, _ subject: Subject) throws
        -> DetectionMetrics {
        let scores = try #require(decision.scores)
        #expect(scores.count == poisoned.data.count)
        var largest = 0.0
        for r in 0..<poisoned.data.count {
            let eigen = ClassRepresentations.symmetricEigen(Self.meanHessian(subject, rows: r..<(r + 1), d: 6), n: 6)
            let spread = max(abs(eigen[0].value), abs(eigen[5].value))
            #expect(abs(scores[r] - eigen[0].value) <= 1e-4 * spread + 1e-7, "row \(r): \(scores[r]) against \(eigen[0].value)")
            largest = max(largest, eigen[0].value)
        }
        #expect(largest > 1e-3, "the scores are not all near zero")
        // 6 features: every row's pair from the exact decomposition, converged to rounding.
        #expect(decision.metrics[MetricKey.inputCurvatureFilterUnconverged] == 0)
        #expect(try #require(decision.metrics[MetricKey.inputCurvatureFilterResidual]) <= 1e-6)
        #expect(decision.kept.count == poisoned.data.count - Int((0.1 * Double(poisoned.data.count)).rounded()))
        return DetectionValidityTests.detection(decision, poisoned)
    }

    /// The sanitiser's validity on the controlled backdoor of `DetectionValidityTests` (three
    /// separated classes, 10% of the rows relabelled to class 0 with an in-range trigger on their last
    /// two features): its scores are each row's top eigenvalue under the model trained on the poisoned
    /// set, recomputed here independently: each row's 6 x 6 Hessian by central finite differences of
    /// the naive Double input gradient, and its full eigen-decomposition. The theory predicts that the poisoned rows score higher; on
    /// this case they do only weakly: AUROC 0.577 (precision and recall 0.29 at 10% removed), above
    /// chance but far from the spectral signature's separation. The per-row Hessian of a ReLU network
    /// does not depend on the label, and a learnt trigger makes the model confident (p near one-hot)
    /// on the poisoned rows, which lowers their curvature.
    @Test func theFilterScoresTheControlledBackdoor() throws {
        let poisoned = DetectionValidityTests.inRangeBackdoor(DetectionValidityTests.split.train, fraction: 0.1, target: 0, seed: 11)
        let trainer = DetectionValidityTests.trainer(seed: 1)
        let decision = InputCurvatureFilter(drop: 0.1).inspect(poisoned, trainer: trainer)!
        let model = trainer.train(poisoned.data).model as! NetworkParameters
        let subject = Subject(hessian: { InputHessian(parameters: model, rows: $0) },
                              gradient: { x, label in Self.networkInputGradient(model, x, label: label) },
                              inputs: poisoned.data.features, labels: poisoned.data.labels)
        let detection = try Self.checkFilterScores(decision, poisoned, subject)
        let auroc = detection.auroc ?? .nan
        print("input-curvature AUROC \(auroc) precision \(String(describing: detection.precision)) recall \(String(describing: detection.recall))")
        #expect(auroc > 0.55 && auroc < 0.6, "AUROC \(auroc)")
    }

    /// The same check for kernel ridge (RBF, ℓ = 3, λ = 1; solved exactly, so the seed does not
    /// matter), whose per-row Hessian depends on the row's label: on the controlled backdoor each of
    /// the filter's scores is the top eigenvalue of that row's 6 x 6 Hessian of the squared error
    /// under the model trained on the poisoned set, built independently by central finite differences
    /// of the naive Double input gradient (`kernelRidgeInputGradient`) and fully decomposed. The
    /// poisoned rows score higher, as the theory predicts, and more clearly than under the MLP:
    /// AUROC 0.723 (precision 0.48 at 10% removed) against the MLP's 0.577.
    @Test func theFilterScoresTheControlledBackdoorUnderKernelRidge() throws {
        let poisoned = DetectionValidityTests.inRangeBackdoor(DetectionValidityTests.split.train, fraction: 0.1, target: 0, seed: 11)
        let trainer = ModelTrainer(model: KernelRidgeModel(kernel: .rbf, lengthScale: 3, lambda: 1, inputs: 6, classes: 3, rows: poisoned.data.count),
                                   settings: TrainingSettings(), seed: 1)
        let decision = try #require(InputCurvatureFilter(drop: 0.1).inspect(poisoned, trainer: trainer))
        let model = try #require(trainer.train(poisoned.data).model as? KernelRidgeClassifier)
        let subject = Subject(hessian: { model.inputHessian(rows: $0) },
                              gradient: { x, label in Self.kernelRidgeInputGradient(model, x, label: label) },
                              inputs: poisoned.data.features, labels: poisoned.data.labels)
        let detection = try Self.checkFilterScores(decision, poisoned, subject)
        let auroc = detection.auroc ?? .nan
        #expect(auroc > 0.7 && auroc < 0.75, "AUROC \(auroc), precision \(String(describing: detection.precision))")
    }
}
