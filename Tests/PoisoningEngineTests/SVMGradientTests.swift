import Foundation
import Testing
@testable import PoisoningAttacks
@testable import PoisoningData
@testable import PoisoningDefenses
@testable import PoisoningEngine
@testable import PoisoningModels
@testable import PoisoningTheory
@testable import PoisoningUtilities

/// scripts/binary_svc_reference.py's values (Fixtures/binary_svc_reference.json): scikit-learn's
/// SVC on fixed float32 data of two classes, per kernel and C.
struct BinarySVCReference: Decodable {
    struct Case: Decodable {
        let kernel: String
        let gamma: Double
        let c: Double
        let alpha: [Double]
        let bias: Double
        let objective: Double
        let decision: [Double]
    }

    let features: Int
    let trainFeatures: [Float]
    let trainLabels: [Int]
    let testFeatures: [Float]
    let testLabels: [Int]
    let cases: [Case]

    /// The fixture.
    static func load() throws -> BinarySVCReference {
        let url = try #require(Bundle.module.url(forResource: "binary_svc_reference", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(BinarySVCReference.self, from: Data(contentsOf: url))
    }

    var train: Dataset { Dataset(features: trainFeatures, labels: trainLabels, featureCount: features, classCount: 2) }
    var test: Dataset { Dataset(features: testFeatures, labels: testLabels, featureCount: features, classCount: 2) }

    /// The attacker's problem of a case: the training rows to train on, the test rows to validate on,
    /// class 1 positive (scikit-learn's sign).
    func problem(_ kernel: SVCKernel) -> AttackerProblem {
        AttackerProblem(kernel: kernel, features: features, points: trainFeatures.map(Double.init), signs: trainLabels.map { $0 == 1 ? 1 : -1 },
                        validation: testFeatures.map(Double.init), validationSigns: testLabels.map { $0 == 1 ? 1 : -1 })
    }
}

/// The svm-gradient attack: its SVM against scikit-learn and the KKT conditions, its gradient against
/// finite differences of the retrained SVM's validation loss, and its effect on the digits 1 vs 7.
struct SVMGradientTests {
    static func kernel(_ reference: BinarySVCReference.Case) -> SVCKernel {
        SVCKernel(reference.kernel == "rbf" ? .rbf : .linear, gamma: reference.gamma)
    }

    /// SMO to a violation of 1e-10 reaches libsvm's optimum: the dual objective agrees to 1e-8 of
    /// its size; the test rows' decision values, the bias and, with the RBF kernel (whose Q is
    /// positive definite, so α is unique), α itself agree to 1e-4 (libsvm caches the kernel in
    /// float, so its α are good to about 1e-5 at C = 10). The KKT conditions, checked directly (the
    /// naive reference beside the solver): y_i f(x_i) ≥ 1 at α_i = 0, ≤ 1 at α_i = C, = 1 between,
    /// to 1e-8, and Σ y_i α_i = 0.
    @Test(arguments: 0..<4)
    func theSolverIsScikitLearnsSVCAndMeetsTheKKTConditions(_ index: Int) throws {
        let reference = try BinarySVCReference.load()
        #expect(reference.cases.count == 4)
        let expected = reference.cases[index]
        let problem = reference.problem(Self.kernel(expected))
        let svc = BinarySVC.solve(gram: problem.gram, signs: problem.signs, c: expected.c, tolerance: 1e-10)
        #expect(svc.converged)
        let decision = problem.validationDecisions(svc)
        let worst = zip(decision, expected.decision).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-4, "largest decision difference \(worst)")
        #expect(abs(svc.bias - expected.bias) < 1e-4, "bias \(svc.bias) against \(expected.bias)")
        let n = problem.signs.count
        var objective = 0.0
        for i in 0..<n { for j in 0..<n { objective += 0.5 * svc.alpha[i] * svc.alpha[j] * problem.signs[i] * problem.signs[j] * problem.gram[i * n + j] } }
        objective -= svc.alpha.reduce(0, +)
        #expect(abs(objective - expected.objective) <= 1e-8 * abs(expected.objective), "objective \(objective) against \(expected.objective)")
        if expected.kernel == "rbf" {
            let alphaGap = zip(svc.alpha, expected.alpha).map { abs($0 - $1) }.max()!
            #expect(alphaGap < 1e-4, "largest alpha difference \(alphaGap)")
        }
        #expect(abs(zip(svc.alpha, problem.signs).reduce(0) { $0 + $1.0 * $1.1 }) < 1e-12)
        for i in 0..<n {
            let f = svc.decision(similarities: (0..<n).map { problem.gram[i * n + $0] }, signs: problem.signs)
            let margin = problem.signs[i] * f
            if svc.alpha[i] == 0 { #expect(margin >= 1 - 1e-8, "row \(i) at 0 has margin \(margin)") }
            else if svc.alpha[i] == expected.c { #expect(margin <= 1 + 1e-8, "row \(i) at C has margin \(margin)") }
            else { #expect(abs(margin - 1) <= 1e-8, "free row \(i) has margin \(margin)") }
        }
    }

    /// The kinds of support vector of a solution: 0 (reserve), 1 (margin), 2 (error).
    static func supportSets(_ svc: BinarySVC, c: Double) -> [Int] {
        svc.alpha.map { $0 <= 1e-9 * c ? 0 : $0 >= c * (1 - 1e-9) ? 2 : 1 }
    }

    /// The attack's gradient is the slope of the validation hinge loss of the SVM retrained (from
    /// scratch, to a violation of 1e-13) with the poison moved: central differences of step 1e-4 in
    /// every coordinate where neither end changes the support sets or the validation rows inside
    /// their margin agree with it to 1e-4 of the gradient's norm, for a poison that is an error
    /// vector (a class-0 row relabelled 1) under each kernel, and for one that is a margin vector
    /// under the linear kernel at C = 10 (its branch adds 2 α_c x_c from k(x_c, x_c); at C = 0.1 no
    /// relabelled row becomes one) and under the RBF kernel.
    /// The linear kernel at C = 10 has d + 1 = 5 margin vectors, which pin (w, b): there a small move
    /// of an error vector moves nothing, and the gradient and the differences are both 0 (to 1e-7).
    @Test(arguments: [(0, false), (1, false), (2, false), (3, false), (1, true), (2, true), (3, true)])
    func theGradientIsTheSlopeOfTheRetrainedValidationLoss(_ index: Int, _ marginPoison: Bool) throws {
        let reference = try BinarySVCReference.load()
        let expected = reference.cases[index], c = expected.c
        var problem = reference.problem(Self.kernel(expected))
        func solved() throws -> BinarySVC { try problem.solve(c: c, tolerance: 1e-13) }
        // The poison: the first class-0 row that, relabelled 1, becomes an error vector (or a margin one).
        var poison: Int?
        for row in 0..<reference.trainLabels.count where reference.trainLabels[row] == 0 {
            problem.place(row: row, at: problem.point(row), sign: 1)
            let kind = Self.supportSets(try solved(), c: c)[row]
            if kind == (marginPoison ? 1 : 2) { poison = row; break }
            problem.place(row: row, at: problem.point(row), sign: -1)
        }
        let p = try #require(poison, "no class-0 row becomes a \(marginPoison ? "margin" : "error") vector")
        let svc = try solved()
        let gradient = try problem.hingeGradient(svc, poison: p, c: c)
        let norm = gradient.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let pinned = expected.kernel == "linear" && expected.c == 10 && !marginPoison
        #expect(pinned ? norm < 1e-6 : norm > 1e-3, "gradient norm \(norm)")
        let sets = Self.supportSets(svc, c: c), inside = problem.validationDecisions(svc).enumerated().map { 1 - problem.validationSigns[$0.offset] * $0.element > 0 }
        let x = problem.point(p), h = 1e-4
        var compared = 0
        for j in 0..<reference.features {
            var ends = [Double]()
            var stable = true
            for sign in [1.0, -1.0] {
                var moved = x
                moved[j] += sign * h
                problem.place(row: p, at: moved, sign: 1)
                let next = try solved()
                stable = stable && Self.supportSets(next, c: c) == sets
                    && problem.validationDecisions(next).enumerated().map { 1 - problem.validationSigns[$0.offset] * $0.element > 0 } == inside
                ends.append(problem.validationHinge(next))
            }
            problem.place(row: p, at: x, sign: 1)
            guard stable else { continue }
            compared += 1
            let slope = (ends[0] - ends[1]) / (2 * h)
            #expect(abs(slope - gradient[j]) <= 1e-4 * max(norm, 1e-3), "coordinate \(j): finite difference \(slope), gradient \(gradient[j])")
        }
        #expect(compared >= 3, "only \(compared) coordinates kept the support sets")
    }

    /// Under `placement: add` (the paper's), the attack's gradient for a poison added after the
    /// training rows is the slope of the validation hinge loss of the SVM retrained (from scratch, to
    /// a violation of 1e-13) with that added point at x ± h: central differences of step 1e-4 in every
    /// coordinate where neither end changes the support sets or the validation rows inside their margin
    /// agree with it to 1e-4 of the gradient's norm, under each kernel and C of the fixture. The poison
    /// is the first class-0 row whose clone, added with label 1, is a support vector (α > 0) with a
    /// gradient of norm above 1e-3 (at the linear kernel and C = 10 an added error vector is pinned
    /// by the d + 1 margin vectors, as in the test above).
    @Test(arguments: 0..<4)
    func underAddTheGradientIsTheSlopeOfTheRetrainedValidationLoss(_ index: Int) throws {
        let reference = try BinarySVCReference.load()
        let expected = reference.cases[index], c = expected.c
        let clean = reference.problem(Self.kernel(expected)), p = clean.signs.count
        var problem = clean, gradient = [Double](), norm = 0.0
        for row in 0..<p where reference.trainLabels[row] == 0 {
            problem = clean
            problem.append(clean.point(row), sign: 1)
            let svc = try problem.solve(c: c, tolerance: 1e-13)
            guard svc.alpha[p] > 1e-9 * c else { continue }
            gradient = try problem.hingeGradient(svc, poison: p, c: c)
            norm = gradient.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 1e-3 { break }
        }
        #expect(norm > 1e-3, "no added clone has a gradient")
        #expect(problem.signs.count == p + 1 && problem.gram.count == (p + 1) * (p + 1))
        let svc = try problem.solve(c: c, tolerance: 1e-13)
        let sets = Self.supportSets(svc, c: c)
        func inside(_ svc: BinarySVC) -> [Bool] {
            problem.validationDecisions(svc).enumerated().map { 1 - problem.validationSigns[$0.offset] * $0.element > 0 }
        }
        let margin = inside(svc), x = problem.point(p), h = 1e-4
        var compared = 0
        for j in 0..<reference.features {
            var ends = [Double](), stable = true
            for sign in [1.0, -1.0] {
                var moved = x
                moved[j] += sign * h
                problem.place(row: p, at: moved, sign: 1)
                let next = try problem.solve(c: c, tolerance: 1e-13)
                stable = stable && Self.supportSets(next, c: c) == sets && inside(next) == margin
                ends.append(problem.validationHinge(next))
            }
            problem.place(row: p, at: x, sign: 1)
            guard stable else { continue }
            compared += 1
            let slope = (ends[0] - ends[1]) / (2 * h)
            #expect(abs(slope - gradient[j]) <= 1e-4 * norm, "coordinate \(j): finite difference \(slope), gradient \(gradient[j])")
        }
        #expect(compared >= 3, "only \(compared) coordinates kept the support sets")
    }

    /// The paper's configuration (`placement: add`, `order: one-at-a-time`) on the digits 1 and 7 at
    /// 10% of the attacker's 126 training rows (13 poisons), seeds 1 and 2. Poison i is row 126 + i of
    /// the attacker's set, placed after the i earlier ones. After each recorded step the attacker's
    /// state is a fresh one: its kernel matrices equal those of a problem built afresh from its rows
    /// (the incremental `append` and `place` kept them), the loss it recorded equals that of an SVM
    /// solved from α = 0 on those rows (to 1e-6), the earlier poisons have not moved since their own
    /// climbs ended, and every kept step moves the poison just placed and raises the loss. At the
    /// first kept steps of each poison, central differences of step 1e-4 along the normalised gradient
    /// (SVMs solved to 1e-13) equal its norm to 1e-4 of it wherever the support sets stay (at least 5).
    @Test func thePapersConfigurationEveryStepIsAFreshSolvesState() throws {
        let split = try Self.digitsSplit()
        let attack = try component(SVMGradient.self, ["order": .string("one-at-a-time"), "placement": .string("add")])
        var kept = 0, checkedSlopes = 0
        for seed: UInt64 in 1...2 {
            let setting = AttackerSetting(train: split.train, seed: seed, poisonClass: 0, attackedClass: 1, validationShare: 0.5)
            let n = setting.trainingRows.count, d = 64
            #expect(n == 126)
            var previous: (poison: Int, loss: Double)?
            var finished = [Int: [Double]]()
            var slopesOfPoison = [Int: Int]()
            var problems = [String]()
            let crafted = try attack.craft(13, in: setting) { problem, poison, placed, loss in
                guard let poison else { problems.append("one at a time, every loss belongs to a poison"); return }
                if poison != problem.signs.count - 1 || poison < n { problems.append("poison \(poison) is not the last of \(problem.signs.count) rows") }
                let fresh = AttackerProblem(kernel: problem.kernel, features: d, points: problem.points, signs: problem.signs,
                                            validation: problem.validation, validationSigns: problem.validationSigns)
                if fresh.gram != problem.gram || fresh.validationGram != problem.validationGram {
                    problems.append("seed \(seed), poison \(poison): the kernel matrices differ from a fresh problem's")
                }
                guard let solved = try? fresh.solve(c: 1) else { problems.append("a fresh solve stopped short"); return }
                let freshLoss = fresh.validationHinge(solved)
                if abs(freshLoss - loss) > 1e-6 { problems.append("seed \(seed), poison \(poison): recorded \(loss), fresh \(freshLoss)") }
                for (earlier, point) in finished where problem.point(earlier) != point {
                    problems.append("seed \(seed): poison \(earlier) moved after its climb")
                }
                if placed {
                    if let previous { finished[previous.poison] = problem.point(previous.poison) }
                    if problem.signs[poison] != 1 || problem.point(poison) != problem.point(setting.position[setting.candidates[poison - n]]!) {
                        problems.append("seed \(seed): poison \(poison) was not placed as its clone")
                    }
                } else {
                    kept += 1
                    if previous?.poison != poison || !(loss > previous!.loss) {
                        problems.append("seed \(seed): a kept step of poison \(poison) after \(String(describing: previous)) gave \(loss)")
                    }
                    if slopesOfPoison[poison, default: 0] < 2, let slope = Self.directionalSlope(problem, poison: poison, c: 1) {
                        slopesOfPoison[poison, default: 0] += 1
                        checkedSlopes += 1
                        if abs(slope.differences - slope.norm) > 1e-4 * slope.norm {
                            problems.append("seed \(seed), poison \(poison): finite differences \(slope.differences), gradient norm \(slope.norm)")
                        }
                    }
                }
                previous = (poison, loss)
            }
            #expect(problems.isEmpty, "\(problems.prefix(5))")
            #expect(crafted.points.count == 13 * d)
        }
        #expect(kept >= 10 && checkedSlopes >= 5, "\(kept) kept steps, \(checkedSlopes) slopes compared")
    }

    /// A kept set is the set computed afresh: an attack that has crafted other budgets gives the
    /// same poisoned set as a fresh one. The rows of a smaller budget are the first of a larger
    /// one's (their features differ: every poison climbs with the others of its budget), the
    /// poisons are relabelled copies of the attacked class, some of them moved up the validation
    /// loss, and fraction 0 changes nothing. (The victim trains on every training row here, so that
    /// fraction 0 leaves the training set as it is.)
    @Test func aKeptSetIsTheSetComputedAfresh() throws {
        let reference = try BinarySVCReference.load()
        let split = TrainTestSplit(train: reference.train, test: reference.test)
        let trainer = ModelTrainer(model: NetworkShape(inputs: 4, hidden: [], classes: 2), settings: TrainingSettings(epochs: 1), seed: 1)
        let settings: [String: ParameterValue] = ["steps": .int(5), "victim-sees-validation": .bool(true)]
        let kept = try component(SVMGradient.self, settings)
        let small = try #require(kept.poison(split, fraction: 0.05, seed: 4, trainer: trainer))
        let large = try #require(kept.poison(split, fraction: 0.15, seed: 4, trainer: trainer))
        let again = try #require(kept.poison(split, fraction: 0.15, seed: 4, trainer: trainer))
        let fresh = try #require(try component(SVMGradient.self, settings).poison(split, fraction: 0.15, seed: 4, trainer: trainer))
        #expect(small.poisonedRows.count == 3 && large.poisonedRows.count == 9)
        #expect(Array(large.poisonedRows.prefix(3)) == small.poisonedRows)
        #expect(large.data == fresh.data && large.poisonedRows == fresh.poisonedRows && large.measurements == fresh.measurements)
        #expect(again.data == large.data && again.measurements == large.measurements)
        let d = reference.features
        for row in large.poisonedRows { #expect(large.data.labels[row] == 0 && split.train.labels[row] == 1) }
        // Some poisons moved (one whose α is 0, or whose every step lowers the loss, stays where it
        // started; 2 of 9 move here), and their climb raised the attacker's validation hinge loss.
        let moved = large.poisonedRows.filter { row in
            large.data.features[(row * d)..<((row + 1) * d)] != split.train.features[(row * d)..<((row + 1) * d)]
        }
        #expect(moved.count >= 2, "\(moved.count) of 9 poisons moved")
        let setting = AttackerSetting(train: split.train, seed: 4, poisonClass: 0, attackedClass: 1, validationShare: 0.5)
        let losses = try kept.craft(9, in: setting).losses
        #expect(losses.count > 1 && zip(losses, losses.dropFirst()).allSatisfy { $0 < $1 }, "validation hinge \(losses)")
        let none = try #require(kept.poison(split, fraction: 0, seed: 4, trainer: trainer))
        #expect(none.data == split.train && none.poisonedRows.isEmpty)
    }

    /// The settings `theTestRowsNeverShapeThePoisons` runs: the default climb (linear, replace,
    /// together), the paper's configuration on the RBF kernel (add, one at a time), the random-flip
    /// comparison and the unclimbed clones.
    static let testRowSettings: [[String: ParameterValue]] = [
        ["steps": .int(5)],
        ["steps": .int(5), "kernel": .string("rbf"), "gamma": .double(0.5), "placement": .string("add"), "order": .string("one-at-a-time")],
        ["poisons": .string("random-flips")],
        ["poisons": .string("clones")],
    ]

    /// The attack never reads the test rows to craft (the paper's validation split comes from the
    /// training rows only). The same training rows with three test sets, each poisoned by a fresh
    /// attack value (a kept set would otherwise be handed back without crafting): the fixture's test
    /// rows, other rows (the training rows themselves, with their labels), and the fixture's test rows
    /// with every feature NaN. All three give the same poisoned set bit for bit: rows, features,
    /// labels, true labels, and the validation error the poisons were climbed against. Only the
    /// measured test errors differ (between the first two, so the attack did measure the rows it was
    /// given), and with climbed poisons some poison moved off its clone (so the climb ran).
    @Test(arguments: testRowSettings.indices)
    func theTestRowsNeverShapeThePoisons(_ index: Int) throws {
        let reference = try BinarySVCReference.load()
        let train = reference.train, test = reference.test
        let nanTest = Dataset(features: test.features.map { _ in Float.nan }, labels: test.labels, featureCount: test.featureCount,
                              classCount: test.classCount)
        let trainer = ModelTrainer(model: NetworkShape(inputs: 4, hidden: [], classes: 2), settings: TrainingSettings(epochs: 1), seed: 1)
        let sets = try [test, train, nanTest].map { rows in
            try #require(try component(SVMGradient.self, Self.testRowSettings[index])
                .poison(TrainTestSplit(train: train, test: rows), fraction: 0.3, seed: 4, trainer: trainer))
        }
        #expect(!sets[0].poisonedRows.isEmpty)
        for other in sets.dropFirst() {
            #expect(other.data == sets[0].data && other.trueLabels == sets[0].trueLabels && other.poisonedRows == sets[0].poisonedRows)
            #expect(other.measurements[SVMGradient.validationErrorKey] == sets[0].measurements[SVMGradient.validationErrorKey])
        }
        #expect(sets[0].measurements[SVMGradient.testErrorKey] != sets[1].measurements[SVMGradient.testErrorKey],
                "test errors \(sets.map { $0.measurements[SVMGradient.testErrorKey] ?? -1 })")
        if Self.testRowSettings[index]["poisons"] == nil {
            let d = reference.features, poisoned = sets[0]
            // Poison i (after the victim's clean rows under add, in its row's place under replace) is a clone of candidate i.
            let setting = AttackerSetting(train: train, seed: 4, poisonClass: 0, attackedClass: 1, validationShare: 0.5)
            let moved = poisoned.poisonedRows.enumerated().contains { i, row in
                let features = Array(poisoned.data.features[(row * d)..<((row + 1) * d)])
                let source = setting.candidates[i]
                return features != Array(train.features[(source * d)..<((source + 1) * d)])
            }
            #expect(moved, "no poison moved off its clone")
        }
    }

    /// `order: one-at-a-time` is the paper's sequence: poison i is placed and climbs against the
    /// poisons before it only, never to move again, so a budget's poisons are the first of a larger
    /// budget's, feature for feature; some of them moved off their clones.
    @Test func oneAtATimeABudgetsPoisonsAreTheFirstOfALargerOnes() throws {
        let reference = try BinarySVCReference.load()
        let train = reference.train, d = reference.features
        let setting = AttackerSetting(train: train, seed: 4, poisonClass: 0, attackedClass: 1, validationShare: 0.5)
        let sequential = try component(SVMGradient.self, ["steps": .int(5), "order": .string("one-at-a-time")])
        #expect(sequential.order == .oneAtATime && sequential.label == "svm-gradient class 1 → class 0 (linear, 5 steps, replace, one at a time)")
        let small = try sequential.craft(3, in: setting), large = try sequential.craft(9, in: setting)
        #expect(small.points.count == 3 * d && Array(large.points.prefix(3 * d)) == small.points)
        // Continued from the 3 (as `PoisonSets` does for a larger budget), the climb ends where the climb from the start does.
        #expect(try sequential.craft(9, in: setting, continuing: small.points).points == large.points)
        let adding = try component(SVMGradient.self, ["steps": .int(5), "order": .string("one-at-a-time"), "placement": .string("add")])
        let addedSmall = try adding.craft(3, in: setting), addedLarge = try adding.craft(9, in: setting)
        #expect(Array(addedLarge.points.prefix(3 * d)) == addedSmall.points)
        #expect(try adding.craft(9, in: setting, continuing: addedSmall.points).points == addedLarge.points)
        let clones = setting.candidates.prefix(9).flatMap { row in train.features[(row * d)..<((row + 1) * d)].map(Double.init) }
        let moved = (0..<9).filter { i in large.points[(i * d)..<((i + 1) * d)] != clones[(i * d)..<((i + 1) * d)] }
        #expect(!moved.isEmpty, "no poison moved")
    }

    /// Under order one-at-a-time an attack's kept poison sets serve its other budgets of a seed (a
    /// smaller budget takes the first poisons of a kept larger set, a larger one continues the climb
    /// from the largest kept smaller set): whichever budget runs first, each run's poisoned rows and
    /// measurements equal those of a fresh attack value that crafts its budget from the start, under
    /// both placements (digits 1 and 7, seed 2, 5 steps; 10%, then 5%, then 20%).
    @Test func oneAtATimeKeptSetsServeTheSeedsOtherBudgetsExactly() throws {
        let split = try Self.digitsSplit()
        let trainer = ModelTrainer(model: NetworkShape(inputs: 64, hidden: [], classes: 2), settings: TrainingSettings(epochs: 1), seed: 1)
        for placement in ["add", "replace"] {
            let settings: [String: ParameterValue] = ["steps": .int(5), "order": .string("one-at-a-time"), "placement": .string(placement)]
            let shared = try component(SVMGradient.self, settings)
            for fraction in [0.1, 0.05, 0.2] {
                let kept = try #require(shared.poison(split, fraction: fraction, seed: 2, trainer: trainer))
                let alone = try #require(try component(SVMGradient.self, settings).poison(split, fraction: fraction, seed: 2, trainer: trainer))
                #expect(kept.data == alone.data && kept.poisonedRows == alone.poisonedRows, "\(placement), \(fraction)")
                #expect(kept.measurements == alone.measurements, "\(placement), \(fraction)")
            }
        }
    }

    /// The paper's one-at-a-time climb on the digits 1 and 7 at 10% of the attacker's 126 training
    /// rows (13 poisons; linear SVM, C = 1), seeds 1 to 3. Each loss it records is that of an SVM
    /// solved afresh (from α = 0, not warm-started) on the problem as it then stands, to 1e-6; every
    /// kept step moves the poison just placed or moved before it and raises that loss. At the first
    /// kept steps of each poison the climb's gradient is the slope of the retrained validation loss:
    /// central differences of step 1e-4 along the normalised gradient (SVMs solved to 1e-13) equal
    /// its norm to 1e-4 of it, wherever neither end changes the support sets or the validation rows
    /// inside their margin (at least 5 such states are checked; measured: 277 kept steps, 27 slopes).
    @Test func oneAtATimeEveryKeptStepRaisesTheValidationLossOfAFreshSolve() throws {
        let split = try Self.digitsSplit()
        let attack = try component(SVMGradient.self, ["order": .string("one-at-a-time")])
        var kept = 0, checkedSlopes = 0
        for seed: UInt64 in 1...3 {
            let setting = AttackerSetting(train: split.train, seed: seed, poisonClass: 0, attackedClass: 1, validationShare: 0.5)
            var previous: (poison: Int, loss: Double)?
            var slopesOfPoison = [Int: Int]()
            var problems = [String]()
            _ = try attack.craft(13, in: setting) { problem, poison, placed, loss in
                guard let poison else { problems.append("one at a time, every loss belongs to a poison"); return }
                guard let fresh = try? problem.solve(c: 1) else { problems.append("a fresh solve stopped short"); return }
                let freshLoss = problem.validationHinge(fresh)
                if abs(freshLoss - loss) > 1e-6 { problems.append("seed \(seed), poison \(poison): recorded \(loss), fresh \(freshLoss)") }
                if !placed {
                    kept += 1
                    if previous?.poison != poison || !(loss > previous!.loss) {
                        problems.append("seed \(seed): a kept step of poison \(poison) after \(String(describing: previous)) gave \(loss)")
                    }
                    if slopesOfPoison[poison, default: 0] < 2, let slope = Self.directionalSlope(problem, poison: poison, c: 1) {
                        slopesOfPoison[poison, default: 0] += 1
                        checkedSlopes += 1
                        if abs(slope.differences - slope.norm) > 1e-4 * slope.norm {
                            problems.append("seed \(seed), poison \(poison): finite differences \(slope.differences), gradient norm \(slope.norm)")
                        }
                    }
                }
                previous = (poison, loss)
            }
            #expect(problems.isEmpty, "\(problems.prefix(5))")
        }
        #expect(kept >= 10 && checkedSlopes >= 5, "\(kept) kept steps, \(checkedSlopes) slopes compared")
    }

    /// The slope of the validation hinge loss of the SVM of `problem` retrained (to 1e-13) as the
    /// poison at `poison` moves along its normalised attack gradient: central differences of step
    /// 1e-4, and the gradient's norm (the slope the gradient predicts); nil where the gradient
    /// vanishes or either end changes the support sets or the validation rows inside their margin.
    static func directionalSlope(_ problem: AttackerProblem, poison p: Int, c: Double) -> (differences: Double, norm: Double)? {
        var problem = problem
        guard let svc = try? problem.solve(c: c, tolerance: 1e-13) else { return nil }
        guard let gradient = try? problem.hingeGradient(svc, poison: p, c: c) else { return nil }
        let norm = gradient.reduce(0) { $0 + $1 * $1 }.squareRoot()
        guard norm > 1e-6 else { return nil }
        func inside(_ svc: BinarySVC) -> [Bool] {
            problem.validationDecisions(svc).enumerated().map { 1 - problem.validationSigns[$0.offset] * $0.element > 0 }
        }
        let sets = supportSets(svc, c: c), margin = inside(svc)
        let x = problem.point(p), sign = problem.signs[p], h = 1e-4
        var ends = [Double]()
        for direction in [1.0, -1.0] {
            problem.place(row: p, at: x.indices.map { x[$0] + direction * h * gradient[$0] / norm }, sign: sign)
            guard let moved = try? problem.solve(c: c, tolerance: 1e-13), supportSets(moved, c: c) == sets, inside(moved) == margin else { return nil }
            ends.append(problem.validationHinge(moved))
        }
        return ((ends[0] - ends[1]) / (2 * h), norm)
    }

    /// The paper's one-at-a-time order beats its own unclimbed clones on the attacker's validation
    /// error, the attack's measure of success: on the digits 1 and 7 at 10% of the attacker's 126
    /// training rows (13 poisons; linear SVM, C = 1), paired by seed over seeds 1 to 20, the
    /// two-sided 95% Student t interval of the mean difference, climbed minus clones
    /// (t(0.975, 19) = 2.093), lies above 0. Measured (the message gives them): +0.106 (+0.085 to
    /// +0.128); seeds 1 to 10 alone give +0.117 (+0.080 to +0.155), so at this budget 10 seeds would
    /// decide too; the test takes 20 for a narrower interval. The margin is the seeds' spread.
    @Test func oneAtATimeTheValidationErrorIsAboveTheClonesOverTwentySeeds() throws {
        let split = try Self.digitsSplit()
        let attack = try component(SVMGradient.self, ["order": .string("one-at-a-time")])
        var differences = [Double]()
        for seed: UInt64 in 1...20 {
            let setting = AttackerSetting(train: split.train, seed: seed, poisonClass: 0, attackedClass: 1, validationShare: 0.5)
            let crafted = try attack.craft(13, in: setting)
            var clones = setting.problem(kernel: attack.kernel), climbed = clones
            for (i, row) in setting.candidates.prefix(13).enumerated() {
                let position = setting.position[row]!
                clones.place(row: position, at: clones.point(position), sign: 1)
                climbed.place(row: position, at: Array(crafted.points[(i * 64)..<((i + 1) * 64)]), sign: 1)
            }
            differences.append(climbed.validationError(try climbed.solve(c: 1)) - clones.validationError(try clones.solve(c: 1)))
        }
        func interval(_ values: ArraySlice<Double>, t: Double) -> (mean: Double, lower: Double, upper: Double) {
            let n = Double(values.count), mean = values.reduce(0, +) / n
            let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
            return (mean, mean - t * sd / n.squareRoot(), mean + t * sd / n.squareRoot())
        }
        let twenty = interval(differences[...], t: 2.093), ten = interval(differences.prefix(10), t: 2.262)
        #expect(twenty.lower > 0, "climbed minus clones \(differences): 20 seeds \(twenty), 10 seeds \(ten)")
    }

    /// The paper's configuration (`placement: add`, `order: one-at-a-time`) on the digits 1 and 7 at
    /// 10% of the attacker's 126 training rows (13 poisons added; linear SVM, C = 1), seeds 1 to 10,
    /// against a like-for-like random baseline, which adds 13 points too (flips in place would keep
    /// the SVM at 126 rows, none of them with its true label beside it): copies of 13 of the attacker's
    /// training rows drawn at random (either class; the rows `poisons: random-flips` flips, stream
    /// (seed, "svm-random-flips")) with their labels flipped, "random-add", built here by hand from
    /// the attacker's problem, independently of `poisons: random-flips` with `placement: add`, which
    /// adds the same copies (examples/svm's series "random flips, add"). Paired by seed, the two-sided 95% Student t interval
    /// (t(0.975, 9) = 2.262) of the attacker's SVM's validation error, the paper's attack minus
    /// random-add, lies above 0, and so does that of the paper's attack minus its own unclimbed
    /// clones added (`poisons: clones, placement: add`, the attacked class's rows relabelled), and so
    /// does that of its test error (on the pair's 109 test rows) minus random-add's. The margin is the
    /// seeds' spread. Measured (the message gives them): validation error 0.205 under the paper's
    /// attack, 0.012 under random-add, 0.004 under the added clones; the paper's minus random-add
    /// +0.193 (+0.168 to +0.218), minus the clones +0.201 (+0.175 to +0.226); test error minus
    /// random-add's +0.117 (+0.097 to +0.136).
    @Test func thePapersConfigurationOnTheDigitsBeatsRandomAddedFlips() throws {
        let split = try Self.digitsSplit()
        let papers = try component(SVMGradient.self, ["order": .string("one-at-a-time"), "placement": .string("add")])
        let clones = try component(SVMGradient.self, ["poisons": .string("clones"), "placement": .string("add")])
        let trainer = ModelTrainer(model: NetworkShape(inputs: 64, hidden: [], classes: 2), settings: TrainingSettings(epochs: 1), seed: 1)
        var overRandom = [Double](), overClones = [Double](), testOverRandom = [Double](), means = [0.0, 0.0, 0.0]
        for seed: UInt64 in 1...10 {
            let attacked = try #require(papers.poison(split, fraction: 0.1, seed: seed, trainer: trainer))
            let cloned = try #require(clones.poison(split, fraction: 0.1, seed: seed, trainer: trainer))
            #expect(attacked.data.count == 126 + 13 && attacked.poisonedRows == Array(126..<139))
            let setting = AttackerSetting(train: split.train, seed: seed, poisonClass: 0, attackedClass: 1, validationShare: 0.5)
            var random = setting.problem(kernel: papers.kernel)
            for position in SVMGradient.randomFlipPositions(13, among: 126, seed: seed) {
                random.append(random.point(position), sign: -random.signs[position])
            }
            #expect(random.signs.count == 139)
            let randomSVC = try random.solve(c: 1), test = setting.pairRows(of: split.test)
            let randomError = random.validationError(randomSVC)
            let error = attacked.measurements[SVMGradient.validationErrorKey]!
            overRandom.append(error - randomError)
            overClones.append(error - cloned.measurements[SVMGradient.validationErrorKey]!)
            testOverRandom.append(attacked.measurements[SVMGradient.testErrorKey]! - random.error(randomSVC, on: test.features, signs: test.signs))
            means[0] += error / 10
            means[1] += randomError / 10
            means[2] += cloned.measurements[SVMGradient.validationErrorKey]! / 10
        }
        func interval(_ values: [Double]) -> (mean: Double, lower: Double, upper: Double) {
            let n = Double(values.count), mean = values.reduce(0, +) / n
            let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
            return (mean, mean - 2.262 * sd / n.squareRoot(), mean + 2.262 * sd / n.squareRoot())
        }
        let random = interval(overRandom), control = interval(overClones), test = interval(testOverRandom)
        let message = "validation error: paper's \(means[0]), random-add \(means[1]), added clones \(means[2]); paper's minus random-add "
            + "\(random), minus clones \(control); test error minus random-add's \(test)"
        #expect(random.lower > 0, "\(message)")
        #expect(control.lower > 0, "\(message)")
        #expect(test.lower > 0, "\(message)")
    }

    /// An SVM without a margin vector has no gradient (its bias is not fixed by the KKT conditions):
    /// two rows of one feature, 0.1 of sign +1 and −0.1 of sign −1, at C = 1 are both error vectors
    /// (the hard margin would need α = 50): `hingeGradient` throws `AttackerGradientUndefined` rather
    /// than hand on the direct term, and the run's failure says why. At C = 100 both are margin vectors
    /// and the gradient is finite.
    @Test func anSVMWithoutMarginVectorsHasNoGradient() throws {
        let problem = AttackerProblem(kernel: SVCKernel(.linear), features: 1, points: [0.1, -0.1], signs: [1, -1],
                                      validation: [0.05], validationSigns: [-1])
        let svc = try problem.solve(c: 1)
        #expect(svc.alpha == [1, 1])
        #expect(throws: AttackerGradientUndefined.self) { try problem.hingeGradient(svc, poison: 0, c: 1) }
        let hard = try problem.solve(c: 100)
        #expect(abs(hard.alpha[0] - 50) < 1e-6 && abs(hard.alpha[1] - 50) < 1e-6)
        let gradient = try problem.hingeGradient(hard, poison: 0, c: 100)
        #expect(gradient.count == 1 && gradient[0].isFinite)
        let attack = try component(SVMGradient.self)
        attack.failures.record(SVMGradient.noMarginFailure, fraction: 0.1, seed: 3)
        #expect(attack.failure(fraction: 0.1, seed: 3) == "the attack gradient is undefined: the attacker's SVM had no margin support vector "
            + "(every α at 0 or C), so its KKT conditions do not fix the derivative of its bias (a larger c gives it margin vectors)")
    }

    /// `classes` takes class indices, not names: on the digits named "1" and "7" (classes 0 and 1),
    /// `classes: [1, 7]` is refused with the names listed by index and the indices that name them;
    /// `[0, 5]` (5 no name) lists the names without a suggestion; data without names keep the short message.
    @Test func aClassBeyondTheDataListsItsNames() throws {
        let byName = try component(SVMGradient.self, ["classes": .list([.int(1), .int(7)])])
        #expect(byName.problem(classCount: 2, featureCount: 64, classNames: ["1", "7"])?.message
            == "class 7 does not exist (the data have 2 classes, 0 to 1): classes takes class indices, not names; the data's classes are "
            + "0 = '1', 1 = '7' (for the classes named '1' and '7', write [0, 1])")
        let unnamed = try component(SVMGradient.self, ["classes": .list([.int(0), .int(5)])])
        #expect(unnamed.problem(classCount: 2, featureCount: 64, classNames: ["1", "7"])?.message
            == "class 5 does not exist (the data have 2 classes, 0 to 1): classes takes class indices, not names; the data's classes are "
            + "0 = '1', 1 = '7'")
        #expect(byName.problem(classCount: 2, featureCount: 64, classNames: nil)?.message == "class 7 does not exist (the data have 2 classes, 0 to 1)")
        #expect(byName.problem(classCount: 8, featureCount: 64, classNames: ["1", "7"]) == nil)
    }

    /// Its settings are checked when the study is read, each with one line.
    @Test func itsSettingsAreChecked() throws {
        func message(_ parameters: [String: ParameterValue]) -> String? {
            do { _ = try component(SVMGradient.self, parameters); return nil } catch { return "\(error)" }
        }
        #expect(message(["gamma": .double(0.1)])?.contains("applies only with kernel: rbf") == true)
        #expect(message(["classes": .list([.int(1), .int(2), .int(3)])])?.contains("expected two classes [a, b], not 3") == true)
        #expect(message(["classes": .list([.int(1), .int(1)])])?.contains("must not repeat") == true)
        #expect(message(["kernel": .string("rbf"), "gamma": .double(0.1)]) == nil)
        #expect(message(["poisons": .string("flips")])?.contains("random-flips") == true)
        #expect(message(["order": .string("sequential")])?.contains("one-at-a-time") == true)
        // Settings of the climb are refused where nothing climbs, as gamma is without rbf.
        for poisons in ["clones", "random-flips"] {
            for (key, value) in [("order", ParameterValue.string("one-at-a-time")), ("steps", .int(5)), ("step-size", .double(0.5))] {
                #expect(message(["poisons": .string(poisons), key: value])?
                    .contains("\(key): applies only with poisons: climbed (\(poisons) climbs nothing)") == true)
            }
        }
        #expect(message(["poisons": .string("climbed"), "steps": .int(5), "order": .string("one-at-a-time")]) == nil)
        let attack = try component(SVMGradient.self, ["classes": .list([.int(7), .int(1)])])
        #expect(attack.label == "svm-gradient class 1 → class 7 (linear, replace, together)")
        #expect(try component(SVMGradient.self, ["placement": .string("add"), "order": .string("one-at-a-time")]).label
            == "svm-gradient class 1 → class 0 (linear, add, one at a time)")
        let addedFlips = try component(SVMGradient.self, ["poisons": .string("random-flips"), "placement": .string("add")])
        #expect(addedFlips.label == "svm-gradient class 1 → class 0 (linear, random flips, add)" && addedFlips.addsRows)
        #expect(try #require(addedFlips.methodNote).contains("copies of m of the attacker's training rows, drawn at random (either class), "
            + "with their labels flipped, added to the training rows, all of which stay"))
        #expect(message(["placement": .string("append")])?.contains("replace") == true)
        // The method note says where the default is not the paper's attack (add, one at a time), and why.
        let note = try #require(attack.methodNote)
        #expect(note.contains("placement replace, not the paper's (which adds its points)") && note.contains("m/n of them poisons")
            && note.contains("order together, not the paper's (which adds and climbs its points one at a time)"))
        let papers = try #require(try component(SVMGradient.self, ["placement": .string("add"), "order": .string("one-at-a-time")]).methodNote)
        #expect(papers.contains("placement add, the paper's") && papers.contains("m/(n + m)") && papers.contains("order one at a time, the paper's")
            && !papers.contains("not the paper's (which"))
        // It states the backtracking step, the cap of retrainings per pass, the feasible box and the cap of poisons, with their values.
        #expect(note.contains("backtracking, not the paper's fixed step: a step of length step-size = 3.0 along the normalised gradient")
            && note.contains("step-size / 256") && note.contains("at most steps = 50 retrainings per poison in each of 2 passes (100 in all)")
            && note.contains("to the box of the pair's training rows (the smallest to the largest value of each feature")
            && note.contains("at most as many poisons as the attacked class has rows in the attacker's training set"))
        #expect(papers.contains("at most 100 retrainings per poison (2 × steps, steps = 50)") && papers.contains("under placement add too"))
        // The victims' rows name the classes as the label does.
        #expect(attack.victimRowSubset(classNames: ["zero", "one", "two", "three", "four", "five", "six", "seven"])?
            .hasPrefix("the attacker's training rows: those of classes seven and one but") == true)
        #expect(!attack.victimSeesValidation && attack.poisons == .climbed)
        let comparison = try component(SVMGradient.self, ["victim-sees-validation": .bool(true), "poisons": .string("random-flips")])
        #expect(comparison.label == "svm-gradient class 1 → class 0 (linear, victim with validation rows, random flips)")
        #expect(try component(SVMGradient.self, ["poisons": .string("clones")]).label == "svm-gradient class 1 → class 0 (linear, unclimbed clones, replace)")
        // Its victims train on a subset of the training rows with `victim-sees-validation: false` only.
        #expect(attack.victimRowSubset?.hasPrefix("the attacker's training rows: those of classes 7 and 1 but the share 0.5") == true)
        #expect(comparison.victimRowSubset == nil)
        #expect(attack.problem(classCount: 5, featureCount: 3)?.message == "class 7 does not exist (the data have 5 classes, 0 to 4)")
        #expect(attack.problem(classCount: 10, featureCount: 3) == nil)
    }

    /// A solve of the attacker's SVM that stops at its step limit short of the tolerance is not handed
    /// on: on the digits 1 and 7 with their raw pixels (0 to 16, not standardised), the attacker's clean
    /// SVM at C = 10⁶ converges within 20,000 SMO steps but not within 5; `BinarySVC.solve` says so
    /// (`converged` false) and `AttackerProblem.solve` throws. The default limit is
    /// libsvm's, max(10⁷, 100 n), and the attack names the reason for the run's message.
    @Test func aSolveThatStopsShortIsRefused() throws {
        let split = try Self.digitsSplit(standardize: false)
        let setting = AttackerSetting(train: split.train, seed: 1, poisonClass: 0, attackedClass: 1, validationShare: 0.5)
        #expect(BinarySVC.stepLimit(rows: 126) == 10_000_000 && BinarySVC.stepLimit(rows: 200_000) == 20_000_000)
        #expect(throws: Never.self) { try setting.problem(kernel: SVCKernel(.linear), stepLimit: 20_000).solve(c: 1e6) }
        let limited = setting.problem(kernel: SVCKernel(.linear), stepLimit: 5)
        #expect(throws: AttackerSVMNotConverged.self) { try limited.solve(c: 1e6) }
        #expect(!BinarySVC.solve(gram: limited.gram, signs: limited.signs, c: 1e6, tolerance: SVMGradient.tolerance, maxIterations: 5).converged)
        let large = try component(SVMGradient.self, ["c": .double(1e6)])
        #expect(large.failure == "the attacker's SVM (C = 1000000.0) did not converge: SMO stopped at its limit of "
            + "max(10⁷, 100 × rows) steps short of its tolerance 1e-08; lower c (a C too large for the features' scale "
            + "makes the problem hard to solve; unstandardised features do too)")
    }

    /// An attack gradient whose system of the margin vectors has no finite solution is refused (it was
    /// handed on as its direct term alone): one feature, training rows 3 and 4 of sign +1 and 1 and 0.5
    /// of sign −1 (margin vectors 3 and 1, α = 0.5 each at C = 1), one validation row at 1e308 of sign
    /// −1, whose kernel value with the row 3 overflows to +∞: its decision is +∞, inside its margin, and
    /// the system's right-hand side infinite. A run that meets it fails with that reason, per run: the
    /// attack's other runs keep the SVM's own.
    @Test func aGradientWithoutAFiniteSolutionFailsTheRun() throws {
        let problem = AttackerProblem(kernel: SVCKernel(.linear), features: 1, points: [3, 4, 1, 0.5], signs: [1, 1, -1, -1],
                                      validation: [1e308], validationSigns: [-1])
        let svc = try problem.solve(c: 1)
        #expect(abs(svc.alpha[0] - 0.5) < 1e-6 && abs(svc.alpha[2] - 0.5) < 1e-6)
        #expect(throws: AttackerGradientUnsolved.self) { try problem.hingeGradient(svc, poison: 0, c: 1) }
        let attack = try component(SVMGradient.self)
        #expect(attack.failure(fraction: 0.1, seed: 3) == attack.failure)
        attack.failures.record(SVMGradient.gradientFailure, fraction: 0.1, seed: 3)
        #expect(attack.failure(fraction: 0.1, seed: 3)?.hasPrefix("the attack gradient could not be computed") == true)
        #expect(attack.failure(fraction: 0.1, seed: 4) == attack.failure && attack.failure(fraction: 0.2, seed: 3) == attack.failure)
    }

    /// The digits 1 and 7 (examples/svm/digits-1-7.csv, standardised unless `standardize` is false:
    /// 252 training and 109 test rows).
    static func digitsSplit(standardize: Bool = true) throws -> TrainTestSplit {
        var reader = ParameterReader([ParameterEntry(key: "path", value: .string("examples/svm/digits-1-7.csv")),
                                      ParameterEntry(key: "label-column", value: .string("digit")),
                                      ParameterEntry(key: "standardize", value: .bool(standardize))],
                                     path: "data", locations: SourceLocations())
        return try CSVDataset(parameters: &reader).makeSplit()
    }

    /// `poisons: random-flips`, the comparison of the same budget, trains the victim on the rows the
    /// climbed attack's victim trains on: by default (`victim-sees-validation: false`) the attacker's 126
    /// training rows, 6 of them poisoned at 5%; with `victim-sees-validation: true` all 252, 13 of
    /// them poisoned. The two sets have as many rows and poisoned rows and the same true labels; outside
    /// their poisoned rows both are the clean victim set (the attack at fraction 0); the comparison's
    /// poisoned rows keep their features, their labels moved to the pair's other class, and lie among
    /// the attacker's training rows. They are the rows whose flips the climbed attack's
    /// `svmRandomFlipTestError` measures: the comparison's `svmTestError` equals it. The control
    /// `poisons: clones` poisons the climbed attack's rows, with their clean features. An attack
    /// declares its victims train on a subset (`victimRowSubset`) exactly when they train on fewer
    /// rows than the 252.
    @Test(arguments: [false, true])
    func theRandomFlipComparisonTrainsOnTheClimbedAttacksRows(_ seesValidation: Bool) throws {
        let split = try Self.digitsSplit()
        let climbed = try component(SVMGradient.self, ["steps": .int(2), "victim-sees-validation": .bool(seesValidation)])
        let flips = try component(SVMGradient.self, ["poisons": .string("random-flips"), "victim-sees-validation": .bool(seesValidation)])
        let clones = try component(SVMGradient.self, ["poisons": .string("clones"), "victim-sees-validation": .bool(seesValidation)])
        #expect([climbed, flips, clones].allSatisfy { ($0.victimRowSubset != nil) == !seesValidation })
        let trainer = ModelTrainer(model: NetworkShape(inputs: 64, hidden: [], classes: 2), settings: TrainingSettings(epochs: 1), seed: 1)
        let (rows, poisons, d) = seesValidation ? (252, 13, 64) : (126, 6, 64)
        for seed: UInt64 in [1, 2] {
            let none = try #require(climbed.poison(split, fraction: 0, seed: seed, trainer: trainer))
            let attacked = try #require(climbed.poison(split, fraction: 0.05, seed: seed, trainer: trainer))
            let compared = try #require(flips.poison(split, fraction: 0.05, seed: seed, trainer: trainer))
            #expect(none.data.count == rows && attacked.data.count == rows && compared.data.count == rows)
            #expect(attacked.poisonedRows.count == poisons && compared.poisonedRows.count == poisons)
            #expect(attacked.trueLabels == none.data.labels && compared.trueLabels == none.data.labels)
            #expect(compared.data.features == none.data.features)
            for row in 0..<rows {
                let flipped = compared.poisonedRows.contains(row), poisoned = attacked.poisonedRows.contains(row)
                #expect(compared.data.labels[row] == (flipped ? 1 - none.data.labels[row] : none.data.labels[row]))
                if !poisoned {
                    #expect(attacked.data.labels[row] == none.data.labels[row]
                        && attacked.data.features[(row * d)..<((row + 1) * d)] == none.data.features[(row * d)..<((row + 1) * d)])
                }
            }
            let setting = AttackerSetting(train: split.train, seed: seed, poisonClass: 0, attackedClass: 1, validationShare: 0.5)
            let victimRows = seesValidation ? Array(split.train.labels.indices) : setting.trainingRows
            #expect(Set(compared.poisonedRows.map { victimRows[$0] }).isSubset(of: setting.trainingRows))
            let comparedError = try #require(compared.measurements[SVMGradient.testErrorKey])
            #expect(comparedError == attacked.measurements[SVMGradient.randomFlipTestErrorKey])
            #expect(comparedError == compared.measurements[SVMGradient.randomFlipTestErrorKey])
            let cloned = try #require(clones.poison(split, fraction: 0.05, seed: seed, trainer: trainer))
            #expect(cloned.poisonedRows == attacked.poisonedRows && cloned.data.features == none.data.features && cloned.trueLabels == none.data.labels)
            for row in 0..<rows { #expect(cloned.data.labels[row] == (cloned.poisonedRows.contains(row) ? 0 : none.data.labels[row])) }
        }
    }

    /// With `placement: add` (the paper's), the victim's training set is its clean set (the attacker's
    /// 126 training rows, or all 252 with `victim-sees-validation: true`) with every clean row as it
    /// was, followed by the m = round(0.05 · n) poisons, labelled the poison class (0), their true class
    /// the attacked one (1); the clones are those the replacing attack puts in place, added instead.
    @Test(arguments: [false, true])
    func addedPoisonsGrowTheVictimsSetAndKeepEveryCleanRow(_ seesValidation: Bool) throws {
        let split = try Self.digitsSplit()
        let see = ParameterValue.bool(seesValidation)
        let added = try component(SVMGradient.self, ["steps": .int(2), "placement": .string("add"), "victim-sees-validation": see])
        let addedClones = try component(SVMGradient.self, ["poisons": .string("clones"), "placement": .string("add"), "victim-sees-validation": see])
        let replacingClones = try component(SVMGradient.self, ["poisons": .string("clones"), "victim-sees-validation": see])
        #expect(added.placement == .add && replacingClones.placement == .replace)
        let trainer = ModelTrainer(model: NetworkShape(inputs: 64, hidden: [], classes: 2), settings: TrainingSettings(epochs: 1), seed: 1)
        let (rows, poisons, d) = seesValidation ? (252, 13, 64) : (126, 6, 64)
        let clean = try #require(added.poison(split, fraction: 0, seed: 1, trainer: trainer))
        #expect(clean.data.count == rows && clean.poisonedRows.isEmpty)
        for attack in [added, addedClones] {
            let set = try #require(attack.poison(split, fraction: 0.05, seed: 1, trainer: trainer))
            #expect(set.data.count == rows + poisons && set.poisonedRows == Array(rows..<(rows + poisons)))
            #expect(Array(set.data.features.prefix(rows * d)) == clean.data.features && Array(set.data.labels.prefix(rows)) == clean.data.labels)
            #expect(Array(set.trueLabels.prefix(rows)) == clean.data.labels)
            #expect(set.poisonedRows.allSatisfy { set.data.labels[$0] == 0 && set.trueLabels[$0] == 1 })
        }
        let cloned = try #require(addedClones.poison(split, fraction: 0.05, seed: 1, trainer: trainer))
        let replaced = try #require(replacingClones.poison(split, fraction: 0.05, seed: 1, trainer: trainer))
        #expect(replaced.data.count == rows && replaced.poisonedRows.count == poisons)
        for (i, row) in replaced.poisonedRows.enumerated() {
            #expect(cloned.data.features[((rows + i) * d)..<((rows + i + 1) * d)] == replaced.data.features[(row * d)..<((row + 1) * d)])
        }
    }

    /// `poisons: random-flips` with `placement: add`, the baseline of the paper's added poisons: the
    /// victim's set is its clean set (the attacker's 126 training rows, or all 252 with
    /// `victim-sees-validation: true`) with every clean row as it was, followed by m = round(0.05 · n)
    /// added rows (6 or 13): copies of the rows the in-place flips flip, in the same order, with their
    /// labels flipped (true label the row's own, label the pair's other class; either class may be
    /// drawn). Its attacker's SVM is the one the "random-add" baseline of
    /// `thePapersConfigurationOnTheDigitsBeatsRandomAddedFlips` builds (the attacker's problem with the
    /// flipped copies appended): the same validation and test errors, bit for bit.
    @Test(arguments: [false, true])
    func addedRandomFlipsAreFlippedCopiesBesideEveryCleanRow(_ seesValidation: Bool) throws {
        let split = try Self.digitsSplit()
        let see = ParameterValue.bool(seesValidation)
        let added = try component(SVMGradient.self, ["poisons": .string("random-flips"), "placement": .string("add"), "victim-sees-validation": see])
        let inPlace = try component(SVMGradient.self, ["poisons": .string("random-flips"), "victim-sees-validation": see])
        #expect(added.addsRows && !inPlace.addsRows)
        let trainer = ModelTrainer(model: NetworkShape(inputs: 64, hidden: [], classes: 2), settings: TrainingSettings(epochs: 1), seed: 1)
        let (rows, poisons, d) = seesValidation ? (252, 13, 64) : (126, 6, 64)
        for seed: UInt64 in [1, 2] {
            let clean = try #require(added.poison(split, fraction: 0, seed: seed, trainer: trainer))
            #expect(clean.data.count == rows && clean.poisonedRows.isEmpty)
            let set = try #require(added.poison(split, fraction: 0.05, seed: seed, trainer: trainer))
            let flipped = try #require(inPlace.poison(split, fraction: 0.05, seed: seed, trainer: trainer))
            #expect(set.data.count == rows + poisons && set.poisonedRows == Array(rows..<(rows + poisons)))
            #expect(Array(set.data.features.prefix(rows * d)) == clean.data.features && Array(set.data.labels.prefix(rows)) == clean.data.labels)
            #expect(Array(set.trueLabels.prefix(rows)) == clean.data.labels)
            #expect(flipped.poisonedRows.count == poisons)
            for (i, row) in flipped.poisonedRows.enumerated() {
                #expect(set.data.features[((rows + i) * d)..<((rows + i + 1) * d)] == clean.data.features[(row * d)..<((row + 1) * d)])
                #expect(set.trueLabels[rows + i] == clean.data.labels[row] && set.data.labels[rows + i] == 1 - clean.data.labels[row])
                #expect(set.data.labels[rows + i] == flipped.data.labels[row])
            }
            // The attacker's SVM: the clean problem with the flipped copies appended, as random-add builds it.
            let setting = AttackerSetting(train: split.train, seed: seed, poisonClass: 0, attackedClass: 1, validationShare: 0.5)
            var random = setting.problem(kernel: added.kernel)
            for position in SVMGradient.randomFlipPositions(poisons, among: 126, seed: seed) {
                random.append(random.point(position), sign: -random.signs[position])
            }
            let svc = try random.solve(c: 1), test = setting.pairRows(of: split.test)
            #expect(set.measurements[SVMGradient.validationErrorKey] == random.validationError(svc))
            #expect(set.measurements[SVMGradient.testErrorKey] == random.error(svc, on: test.features, signs: test.signs))
            #expect(set.measurements[SVMGradient.randomFlipTestErrorKey] == flipped.measurements[SVMGradient.testErrorKey])
        }
    }

    /// The climb does what the paper says on the digits 1 and 7 at 20%: every kept step raises the
    /// attacker's validation hinge loss, which ends at least 1.5 times the unclimbed clones' (the
    /// same 50 rows flipped in place; measured: 357 against 168 on average over the seeds), and the
    /// attacker's validation error ends at least 2 points above the clones' on average (measured:
    /// 0.439 against 0.392). Without the climb the loss would stay the clones'.
    ///
    /// `poisons: clones`, the control of the climb, is those unclimbed clones: the climbed poisons'
    /// rows, their features unchanged, relabelled to the poison class, every other row as it was, and
    /// its attacker's SVM is the clones' (the same validation error, bit for bit).
    @Test func onTheDigitsTheClimbRaisesTheValidationLossAboveTheClones() throws {
        let split = try Self.digitsSplit()
        let attack = try component(SVMGradient.self)
        let control = try component(SVMGradient.self, ["poisons": .string("clones"), "victim-sees-validation": .bool(true)])
        let trainer = ModelTrainer(model: NetworkShape(inputs: 64, hidden: [], classes: 2), settings: TrainingSettings(epochs: 1), seed: 1)
        var cloneError = 0.0, climbedError = 0.0
        for seed: UInt64 in 1...3 {
            let setting = AttackerSetting(train: split.train, seed: seed, poisonClass: 0, attackedClass: 1, validationShare: 0.5)
            let count = poisonCount(fraction: 0.2, of: split.train.count)
            let crafted = try attack.craft(count, in: setting)
            #expect(count == 50 && crafted.points.count == 50 * 64)
            let losses = crafted.losses
            #expect(zip(losses, losses.dropFirst()).allSatisfy { $0 < $1 }, "a kept step lowered the loss")
            #expect(losses.last! >= 1.5 * losses[0], "seed \(seed): validation hinge \(losses[0]) with the clones, \(losses.last!) climbed")
            var clones = setting.problem(kernel: attack.kernel), climbed = clones
            for (i, row) in setting.candidates.prefix(count).enumerated() {
                let position = setting.position[row]!
                clones.place(row: position, at: clones.point(position), sign: 1)
                climbed.place(row: position, at: Array(crafted.points[(i * 64)..<((i + 1) * 64)]), sign: 1)
            }
            let cloneSVC = try clones.solve(c: 1), climbedSVC = try climbed.solve(c: 1)
            let cloned = try #require(control.poison(split, fraction: 0.2, seed: seed, trainer: trainer))
            #expect(cloned.poisonedRows == Array(setting.candidates.prefix(count)) && cloned.data.features == split.train.features)
            for row in split.train.labels.indices {
                #expect(cloned.data.labels[row] == (cloned.poisonedRows.contains(row) ? 0 : split.train.labels[row]))
            }
            #expect(cloned.poisonedRows.allSatisfy { split.train.labels[$0] == 1 })
            #expect(cloned.measurements[SVMGradient.validationErrorKey] == clones.validationError(cloneSVC))
            #expect(abs(clones.validationHinge(cloneSVC) - losses[0]) < 1e-6 && abs(climbed.validationHinge(climbedSVC) - losses.last!) < 1e-6)
            cloneError += clones.validationError(cloneSVC) / 3
            climbedError += climbed.validationError(climbedSVC) / 3
        }
        #expect(climbedError >= cloneError + 0.02, "validation error \(cloneError) with the clones, \(climbedError) climbed")
    }

    /// The attack's defaults (`placement: replace`, `order: together`: not the paper's configuration,
    /// which `thePapersConfigurationOnTheDigitsBeatsRandomAddedFlips` runs; linear SVM, C = 1) with the
    /// paper's victim rows (the default, `victim-sees-validation: false`: the victim trains on the
    /// attacker's 126 training rows and the poisons, not on its validation rows) on the digits 1 and
    /// 7, seeds 1 to 10, at 2.5%, 5% and 10% of the 126
    /// rows (3, 6 and 13 poisons), against `poisons: random-flips`, as many of the same rows' labels
    /// flipped at random (the victim on the same rows). Paired by seed, the two-sided 95% Student t
    /// interval of the mean difference, climbed minus random flips (t(0.975, 9) = 2.262), excludes 0 at
    /// 2.5% and 10%, where the margin is clear:
    /// - for the paper's test error (the attacker's SVM retrained with the poisons, on the 109 test
    ///   rows, never used to craft), and
    /// - for the test error of a `linear-svm` victim (the study's defaults).
    /// At 5% the test asserts no interval: the paper's lower end is +0.002 (4 of the 10 seeds below,
    /// and Bonferroni-corrected over examples/svm's six budgets −0.020), the victim's −0.001; the seeds
    /// cannot decide there, and asserting either way would test a lucky draw.
    /// The margin is the seeds' spread, not chosen. Measured (the message gives them; the same as
    /// examples/svm's runs, `scripts/svm_gradient_paired_seeds.out`): the paper's test error +0.065
    /// (+0.035 to +0.095), +0.048 (+0.002 to +0.093), +0.079 (+0.037 to +0.121); the victim's +0.059
    /// (+0.033 to +0.084), +0.040 (−0.001 to +0.081), +0.068 (+0.022 to +0.114). The independent
    /// scikit-learn replication `scripts/svm_gradient_papers_setting.py` (other splits, 5 seeds,
    /// poisons added one at a time) found 0.123 against 0.084 at 4.8%. The attacker's validation error
    /// rises from its clean value at every seed and budget too.
    /// Both errors rise with contamination (issue 23's proof): paired by seed, the attacker's SVM's
    /// validation and test errors at 2.5% minus clean, and at 10% minus at 2.5%, have 95% intervals
    /// above 0 (measured: test +0.113, +0.088 to +0.138, and +0.093, +0.065 to +0.120; validation
    /// +0.183, +0.154 to +0.213, and +0.078, +0.043 to +0.112). Between 2.5% and 5% the seeds cannot
    /// tell (test +0.018, −0.016 to +0.053), and nothing is asserted there.
    @Test func withItsDefaultsOnTheDigitsItBeatsRandomFlipsInPlaceOfTheSameBudget() throws {
        let split = try Self.digitsSplit()
        let attack = try component(SVMGradient.self), flips = try component(SVMGradient.self, ["poisons": .string("random-flips")])
        let victim = try component(LinearSVM.self).model(for: split.sizes)
        let trainer = ModelTrainer(model: victim, settings: TrainingSettings(), seed: 1)
        func victimError(_ set: PoisonedTrainingSet) -> Double {
            1 - victim.train(set.data, settings: TrainingSettings(), seed: 1, adjustment: TrainingAdjustment()).model.accuracy(on: split.test)
        }
        /// The mean and the two-sided 95% t interval's ends of the paired differences of 10 seeds.
        func interval(_ differences: [Double]) -> (mean: Double, lower: Double, upper: Double) {
            let n = Double(differences.count), mean = differences.reduce(0, +) / n
            let sd = (differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)).squareRoot()
            return (mean, mean - 2.262 * sd / n.squareRoot(), mean + 2.262 * sd / n.squareRoot())
        }
        // The attacker's SVM's errors per budget (0 clean) and seed, for the rise with contamination.
        var errors = [Double: (test: [Double], validation: [Double])]()
        var clean = [PoisonedTrainingSet]()   // seed s at clean[s - 1]
        for seed: UInt64 in 1...10 {
            let none = try #require(attack.poison(split, fraction: 0, seed: seed, trainer: trainer))
            clean.append(none)
            errors[0, default: ([], [])].test.append(none.measurements[SVMGradient.testErrorKey]!)
            errors[0, default: ([], [])].validation.append(none.measurements[SVMGradient.validationErrorKey]!)
        }
        for (fraction, poisons) in [(0.025, 3), (0.05, 6), (0.1, 13)] {
            var paper = [Double](), victims = [Double]()
            for seed: UInt64 in 1...10 {
                let none = clean[Int(seed) - 1]
                let poisoned = try #require(attack.poison(split, fraction: fraction, seed: seed, trainer: trainer))
                errors[fraction, default: ([], [])].test.append(poisoned.measurements[SVMGradient.testErrorKey]!)
                errors[fraction, default: ([], [])].validation.append(poisoned.measurements[SVMGradient.validationErrorKey]!)
                let flipped = try #require(flips.poison(split, fraction: fraction, seed: seed, trainer: trainer))
                #expect(poisoned.data.count == 126 && poisoned.poisonedRows.count == poisons && !poisoned.saturated)
                #expect(flipped.data.count == 126 && flipped.poisonedRows.count == poisons)
                #expect(poisoned.measurements[SVMGradient.validationErrorKey]! > none.measurements[SVMGradient.validationErrorKey]!)
                paper.append(poisoned.measurements[SVMGradient.testErrorKey]! - poisoned.measurements[SVMGradient.randomFlipTestErrorKey]!)
                victims.append(victimError(poisoned) - victimError(flipped))
            }
            let paperInterval = interval(paper), victimInterval = interval(victims)
            let message = "at \(fraction): paper's test error minus random flips' \(paper), \(paperInterval); "
                + "the linear-svm victim's \(victims), \(victimInterval)"
            // The intervals must exclude 0 only where the margin is clear (lower ends +0.035 and
            // +0.037 for the paper's test error, +0.033 and +0.022 for the victim, in
            // scripts/svm_gradient_paired_seeds.out). At 5% the paper's lower end is +0.002 and
            // the victim's −0.001: the seeds cannot decide there, so a draw either way is no defect.
            if fraction != 0.05 {
                #expect(paperInterval.lower > 0, "\(message)")
                #expect(victimInterval.lower > 0, "\(message)")
            }
        }
        for (lower, upper) in [(0.0, 0.025), (0.025, 0.1)] {
            let below = try #require(errors[lower]), above = try #require(errors[upper])
            let test = interval(zip(above.test, below.test).map { $0 - $1 })
            let validation = interval(zip(above.validation, below.validation).map { $0 - $1 })
            #expect(test.lower > 0 && validation.lower > 0, "from \(lower) to \(upper): test error \(test), validation error \(validation)")
        }
    }

    /// Review r23g, minor 4: the memory estimate names the rows the attacker holds as the attack
    /// draws them: on ten classes its pair's training rows, half of each class to validate on, and the
    /// poisons it adds under `add` (the attacked class's training rows at most; under `replace`, the
    /// default, none: review r23h, minor 3), not every training row.
    @Test func theMemoryEstimateCountsThePairsRowsAsTheAttackerDrawsThem() throws {
        let data = StudyConfig.component(GaussianClusters.kind, ["samples": .int(3_001), "features": .int(2), "classes": .int(10)])
        for fraction in [0.05, 0.9] { for placement in ["replace", "add"] {
            let study = try Study(StudyConfig(data: data, models: [StudyConfig.component(LogisticRegression.kind)],
                                              attacks: [StudyConfig.component(SVMGradient.kind, ["classes": .list([.int(7), .int(1)]),
                                                                                                 "placement": .string(placement)])],
                                              fractions: [0, fraction], seeds: [1]))
            let train = study.split.train, attack = try #require(study.attacks[0] as? SVMGradient)
            let counts = (0..<10).map { label in train.labels.filter { $0 == label }.count }
            let poisoned = poisonCount(fraction: fraction, of: train.count)
            let sizes = RunSizes(split: study.split.sizes, model: study.models[0].model(for: study.split.sizes), settings: study.config.training,
                                 poisonedRows: poisoned, classTrainRows: counts)
            let setting = AttackerSetting(train: train, seed: 1, poisonClass: 7, attackedClass: 1, validationShare: attack.validationShare)
            // Under replace (the default) each poison takes the place of the row it clones; under add it is a new row.
            let rows = setting.trainingRows.count + (placement == "add" ? min(poisoned, setting.candidates.count) : 0)
            #expect(attack.memoryNeed(sizes).holder?.what
                == "svm-gradient's kernel matrices over its attacker's \(rows) training and \(setting.validationRows.count) validation rows",
                "\(placement)")
            #expect(rows + setting.validationRows.count < train.count / 3, "the pair's rows, not all \(train.count)")
        } }
    }
}
