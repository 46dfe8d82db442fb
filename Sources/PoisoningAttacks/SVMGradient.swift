import Foundation
import PoisoningData
import PoisoningModels
import PoisoningTheory
import PoisoningUtilities
import Synchronization

/// The optimal poisoning attack on support vector machines of Biggio, Nelson and Laskov, "Poisoning
/// attacks against support vector machines" (ICML 2012; arXiv:1206.6389). Binary, as in the paper:
/// it attacks one pair of classes, `classes: [a, b]`, and the other classes' rows play no part.
///
/// Per run (streams of the run's seed, none of the fraction):
/// 1. The attacker's data. The training rows of classes a and b are split per class: a share
///    `validation-share` of each class (at least one row, at most all but one; stream
///    (seed, "poison-validation")) is its validation set, the rest its training set. Test rows are
///    never used. Its surrogate is a binary C-SVC of its own (`BinarySVC`: linear or RBF kernel,
///    C, bias, solved exactly by SMO in Double), not the run's model, so it needs no capability of
///    that model and attacks every kind alike.
/// 2. The budget. The fraction is a share of the victim's clean training set: m =
///    min(round(fraction · n), the class-b rows of the attacker's training set) poisons, n the rows
///    of that set (before poisons are added, under `placement: add`); a larger budget is saturated. By default (`victim-sees-validation: false`, the
///    paper's victim: the victim is the SVM the attacker trains, on its training rows and the
///    poisons, measured on test rows) the victim trains on the run's training rows without the
///    attacker's validation rows (rows of classes outside the pair stay). With
///    `victim-sees-validation: true` it trains on every row of the run's training set, the
///    attacker's validation rows included; the poisons are crafted among the attacker's training
///    rows, a share 1 − `validation-share` of the pair's rows, so there they are a larger share
///    than in the victim's set (at 20% of the 252 digit rows: 50 poisons in the victim's 252 rows,
///    in the attacker's 126).
/// 3. The start. Poison i is a copy of a training row of class b of the attacker's training set
///    (the rows in the order of a shuffle on (seed, "poison-samples")), relabelled a: the paper's
///    "clone of a point of the attacked class with its label flipped", added to the training set
///    or in the place of the row it copies (`placement`).
/// 4. The climb. Each poison in turn, the others staying where they are, climbs the validation
///    hinge loss L = Σ_k max(0, 1 − y_k f(x_k)) of the SVM retrained on the attacker's training set
///    with every poison (the paper's Algorithm 1 per point): at most `steps` retrainings a pass, each a
///    step of length `step-size` along ∂L/∂x_c (normalised, as in the paper), clipped feature by
///    feature to the range of the pair's training rows (the paper's box of feasible points). A step
///    that does not raise L is undone and the step length halved; the climb stops when the length
///    falls below `step-size` / 2⁸ or the gradient vanishes. Then a second pass climbs each poison
///    again (so at most 2 × `steps` retrainings per poison). Every kept step raises L, so the poisons end with a validation loss at least the
///    unclimbed clones'. Climbing all of them together, twice (`order: together`, the default), is
///    the multi-point attack of the paper's authors' own library (secml's `CAttackPoisoning`, which
///    re-optimises every point with the others in place). The paper adds its points one at a time,
///    each against the SVM with the earlier ones, none re-optimised: `order: one-at-a-time` places
///    poison i as a clone and climbs it (at most 2 × `steps` retrainings) with poisons 0 to i − 1 in
///    place and the later ones not yet placed, so that a budget's poisons are the first of a larger
///    budget's; that greedy order leaves the later clones out of the earlier climbs
///    (`scripts/svm_gradient_order.out` compares the two orders on the digits).
/// 5. The gradient (the paper's eq. 10, its "adiabatic update"). While the sets of margin support
///    vectors S (0 < α < C), error vectors (α = C) and reserve vectors (α = 0) do not change, the
///    KKT conditions y_s f(x_s) = 1 (s ∈ S) and Σ y_i α_i = 0 hold as x_c moves, so
///    [Q_SS y_S; y_Sᵀ 0] [∂α_S; ∂b] = −[∂(Q_S· α)/∂x_c; 0] with the poison's own α_c held (or, when
///    the poison is itself a margin vector, in S), and
///    ∂L/∂x_c = −Σ_{k: y_k f(x_k) < 1} y_k (Σ_{j∈S} y_j k(x_k, x_j) ∂α_j + ∂b + α_c y_c ∂k(x_k, x_c)/∂x_c).
///    It is solved by the adjoint: one linear system of the margin vectors for the validation
///    rows' weights, with a ridge of 1e-9 times the largest diagonal entry of Q_SS (a linear kernel
///    with more margin vectors than features + 1 makes Q_SS singular; the decision values do not
///    depend on the null space). A poison with α_c = 0 has no effect and no gradient: its climb stops.
///    An SVM without a margin vector (α_c > 0, every α at 0 or C) has no such system: no KKT
///    equality fixes b, so ∂b and the gradient are undefined, and the run fails with that reason.
///
/// The poisoned set (`placement`). With `add`, the paper's, each poison is a row added to the
/// training set (the attacker's and the victim's), whose clean rows all stay: the victim trains on
/// n + m rows, and the budget m = round(fraction · n) is a share m/n of its n clean rows (the poisons
/// are m/(n + m) of the rows it trains on). With `replace`, the default, each poison replaces the
/// row it was copied from (in the attacker's problem too), so that the victim trains on n rows at
/// every budget, m of them poisons (m/n), as under every other attack of a study, whose curves it
/// then shares an axis with. The default is therefore not the paper's attack (add, one at a time) but
/// replace and together; the report's method note says so. It records three errors of the attacker's SVM: `svmValidationError`, retrained on its
/// training set with every poison, on its validation rows (the paper's "validation error", the
/// attack's success); `svmTestError`, the same SVM on the test rows of the pair, which the attack
/// never uses (the paper's "test error"); and `svmRandomFlipTestError`, on the same test rows, the
/// SVM trained on its training set with as many of its rows' labels flipped at random (stream
/// (seed, "svm-random-flips")) as there are poisons, flipped in place whatever the `placement`:
/// random flips of the same budget on the same rows, in place (under `add`, the like-for-like baseline
/// of the added poisons is `poisons: random-flips` with `placement: add`, whose flipped copies are added).
/// A run's poisons depend on its seed and budget only: the attack keeps each (seed, budget)'s set
/// for its other runs (`PoisonSets`), so that the models of a study face the same poisons. One at a
/// time, where a budget's poisons are the first of a larger budget's, a budget takes the first of a
/// kept larger set, or continues the climb from the largest kept smaller one (the same poisons as a
/// climb from the start, at the cost of the seed's largest budget rather than of every budget).
///
/// `poisons: random-flips` is the comparison of the same budget: instead of the m poisons, the
/// labels of m of the attacker's training rows, the rows that `svmRandomFlipTestError` flips
/// (stream (seed, "svm-random-flips")), are flipped to the pair's other class, and the victim
/// trains on the same rows as under the climbed poisons (by default, as in the paper, the
/// attacker's training rows), so that its curve compares like with like. With `placement: replace`
/// (the default) the flips are in place: the m rows lose their true labels, and the victim trains on
/// n rows. With `placement: add`, the baseline of the paper's added poisons, copies of those m rows
/// with their labels flipped are added after the clean rows, all of which stay (n + m rows, as under
/// the added poisons). Its three errors are those of the attacker's SVM trained with these flips; in
/// place, its `svmTestError` is the climbed attack's `svmRandomFlipTestError` of the same seed and budget
/// (which always flips in place).
///
/// `poisons: clones` is the control of the climb: the m clones of step 3, unclimbed (the rows of the
/// attacked class that the climbed poisons replace, their features kept, their label the poison
/// class: a flip of the attacked class only), the victim on the same rows. Between it and random
/// flips lies what the choice of rows and label explains; between it and the climbed poisons, what
/// the climb adds. Its three errors are those of the attacker's SVM trained with the clones.
public struct SVMGradient: PoisoningAttack {
    public static let kind = "svm-gradient"
    /// The error of the attacker's poisoned SVM on its validation rows.
    public static let successMetricKey: String? = validationErrorKey
    /// The attacker's own SVM, not the run's model.
    public static let successModel: String? = "the attacker's SVM"
    public static let summary = "Biggio et al.'s optimal attack on a binary SVM: poisons of one class pair that climb the validation hinge loss."

    /// The label the poisons carry.
    public let poisonClass: Int
    /// The attacked class, whose training rows the poisons start from.
    public let attackedClass: Int
    /// The surrogate SVM's kernel.
    public let kernel: SVCKernel
    /// The surrogate SVM's C.
    public let c: Double
    /// The most retrainings per poison in one pass (`passes` of them: at most `passes` × `steps` in all).
    public let steps: Int
    /// The length of a poison's first step (in the units of the features).
    public let stepSize: Double
    /// The share of each class's training rows the attacker keeps for validation.
    public let validationShare: Double
    /// Whether the victim trains on the attacker's validation rows too (false, as in the paper, whose victim is the attacker's SVM).
    public let victimSeesValidation: Bool
    /// Whether the poisons are climbed, the unclimbed clones, or random flips of as many of the
    /// attacker's training rows.
    public let poisons: Poisons
    /// The order in which the poisons climb.
    public let order: Order
    /// Whether the poisons are added to the training set (the paper's) or replace the rows they were
    /// copied from.
    public let placement: Placement

    /// Where a budget's poisons (climbed or clones) go.
    public enum Placement: String, CaseIterable, Sendable {
        /// The paper's: each poison is a row added to the training set, whose every clean row stays; the
        /// victim trains on n + m rows, the budget m being a share m/n of the n clean rows.
        case add
        /// Each poison replaces the training row of the attacked class it was copied from; the victim
        /// trains on n rows, m of them poisons (m/n), as under every other attack of a study.
        case replace
    }

    /// How the poisons of a budget climb.
    public enum Order: String, CaseIterable, Sendable {
        /// All clones placed at once, then each in turn climbs with the others in place, in `passes`
        /// passes (the multi-point attack of secml, the paper's authors' library).
        case together
        /// The paper's Algorithm 1 applied point after point: poison i is placed and climbs (at most
        /// `passes` × `steps` retrainings) against the SVM with the poisons before it, the later ones not
        /// yet placed, and none is moved again. A budget's poisons are then the first of a larger one's.
        case oneAtATime = "one-at-a-time"
    }

    /// What the attack puts in the victim's training rows.
    public enum Poisons: String, CaseIterable, Sendable {
        /// Biggio et al.'s poisons: relabelled clones of the attacked class that climb the validation loss.
        case climbed
        /// The comparison: the labels of as many of the attacker's training rows flipped at random.
        case randomFlips = "random-flips"
        /// The control of the climb: the unclimbed clones the climbed poisons start from, the same rows
        /// of the attacked class with their label flipped to the poison class and their features kept.
        case clones
    }
    /// The largest KKT violation at which the surrogate's SMO stops.
    public static let tolerance = 1e-8
    /// The defaults of `steps`, `step-size` and `validation-share`.
    public static let defaultSteps = 50, defaultStepSize = 3.0, defaultValidationShare = 0.5
    /// The passes over the poisons, each climbing every poison once (secml's default).
    static let passes = 2
    /// A climb stops when its step length falls below `stepSize` / `smallestStepDivisor` (eight halvings).
    static let smallestStepDivisor = 256.0
    /// The poison sets computed so far, for the attack's other runs.
    let sets = PoisonSets()
    /// Why its failed runs failed.
    let failures = FailureReasons()
    /// The most SMO steps of each solve of the attacker's SVM; nil (always, outside tests): libsvm's
    /// limit, `BinarySVC.stepLimit(rows:)`. No study key sets it: a test lowers it to make solves
    /// stop short and follow a failed run through the outputs.
    var stepLimit: Int?

    /// The attack on the pair (a poison class, an attacked class) with these settings.
    public init(classes: (poison: Int, attacked: Int), kernel: SVCKernel, c: Double, steps: Int, stepSize: Double, validationShare: Double,
                victimSeesValidation: Bool = false, poisons: Poisons = .climbed, order: Order = .together, placement: Placement = .replace) {
        precondition(classes.poison != classes.attacked && classes.poison >= 0 && classes.attacked >= 0, "two distinct classes required")
        precondition(c > 0 && steps > 0 && stepSize > 0 && validationShare > 0 && validationShare < 1, "positive settings required")
        poisonClass = classes.poison
        attackedClass = classes.attacked
        self.kernel = kernel
        self.c = c
        self.steps = steps
        self.stepSize = stepSize
        self.validationShare = validationShare
        self.victimSeesValidation = victimSeesValidation
        self.poisons = poisons
        self.order = order
        self.placement = placement
    }

    /// Reads `classes`, `kernel`, `gamma` (RBF only), `c`, `steps`, `step-size`, `validation-share`,
    /// `victim-sees-validation`, `poisons`, `order` and `placement` (`steps`, `step-size` and `order`
    /// only with `poisons: climbed`).
    public init(parameters: inout ParameterReader) throws {
        let classes = try parameters.intList("classes", default: [0, 1], in: 0...1_000_000,
                                             help: "The class pair [a, b], by class index (0 to classes - 1, in the order of the data's labels), not by name: "
                                                 + "the poisons carry label a and start as copies of training rows of class b.")
        guard classes.count == 2 else { throw parameters.error("classes", "expected two classes [a, b], not \(classes.count)") }
        let kind = try parameters.string("kernel", default: SVCKernel.Kind.linear.rawValue, oneOf: SVCKernel.Kind.allCases.map(\.rawValue),
                                         help: "The attacker's SVM kernel: linear (x · x') or rbf (exp(-gamma ||x - x'||^2)).")
        let kernelKind = SVCKernel.Kind(rawValue: kind)!
        var gamma = 1.0
        if kernelKind == .rbf {
            gamma = try parameters.double("gamma", default: 0.01, in: 1e-9...1e9, help: "Gamma of the RBF kernel.")
        } else if parameters.contains("gamma") {
            throw parameters.error("gamma", "applies only with kernel: rbf")
        }
        let c = try parameters.double("c", default: 1.0, in: 1e-6...1e6, help: "C of the attacker's SVM.")
        let share = try parameters.double("validation-share", default: Self.defaultValidationShare, in: 0.05...0.9,
                                          help: "The share of each class's training rows the attacker keeps to validate on (never test rows).")
        let seesValidation = try parameters.bool("victim-sees-validation", default: false,
                                                 help: "Whether the victim trains on the attacker's validation rows too; false (as in the paper, whose victim is the attacker's SVM): "
                                                     + "the victim trains on the run's training rows without them, and the budget is a share of those.")
        let poisons = try parameters.string("poisons", default: Poisons.climbed.rawValue, oneOf: Poisons.allCases.map(\.rawValue),
                                            help: "climbed (Biggio et al.'s poisons); random-flips: the comparison of the same budget, the labels of "
                                                + "as many of the attacker's training rows flipped at random, the victim training on the same rows; or "
                                                + "clones: the control of the climb, the clones the climbed poisons start from (the same rows of the "
                                                + "attacked class relabelled, their features unchanged).")
        // The climb's settings exist only where something climbs, as gamma only with rbf: elsewhere
        // they are refused, and the resolved study does not list them.
        var steps = Self.defaultSteps, stepSize = Self.defaultStepSize, order = Order.together.rawValue
        if poisons == Poisons.climbed.rawValue {
            steps = try parameters.int("steps", default: Self.defaultSteps, in: 1...10_000, help: "The most retrainings of the SVM per poison in each of the \(Self.passes) passes over the poisons (gradient steps tried): at most \(Self.passes) × steps per poison.")
            stepSize = try parameters.double("step-size", default: Self.defaultStepSize, in: 1e-9...1e9,
                                             help: "The length of a poison's first gradient step, in the units of the features; halved after a step that does not raise the loss, the climb stopping below 1/256 of it.")
            order = try parameters.string("order", default: Order.together.rawValue, oneOf: Order.allCases.map(\.rawValue),
                                          help: "together: all of a budget's clones placed at once, then each climbs with the others in place, "
                                              + "in \(Self.passes) passes (secml's multi-point attack); one-at-a-time: the paper's sequence, each "
                                              + "poison placed and climbed (at most \(Self.passes) × steps retrainings) against the poisons before it, "
                                              + "never moved again.")
        } else {
            for key in ["steps", "step-size", "order"] where parameters.contains(key) {
                throw parameters.error(key, "applies only with poisons: climbed (\(poisons) climbs nothing)")
            }
        }
        let placement = try parameters.string("placement", default: Placement.replace.rawValue, oneOf: Placement.allCases.map(\.rawValue),
                                              help: "add: the paper's, each poison a row added to the victim's training rows, all of which stay "
                                                  + "(the budget m is a share m/n of its n clean rows; it trains on n + m); replace (the default, "
                                                  + "so that the victims train on as many rows at every budget, as under every other attack): "
                                                  + "each poison takes the place of the training row of the attacked class it was copied from. "
                                                  + "With random-flips: add adds flipped copies of the drawn rows, replace flips them in place.")
        self.init(classes: (classes[0], classes[1]), kernel: SVCKernel(kernelKind, gamma: gamma), c: c, steps: steps, stepSize: stepSize,
                  validationShare: share, victimSeesValidation: seesValidation, poisons: Poisons(rawValue: poisons)!,
                  order: Order(rawValue: order)!, placement: Placement(rawValue: placement)!)
    }

    /// "svm-gradient class 1 → class 0 (linear, replace, together)" (the attacked class, then the
    /// poisons' label, by number; `label(classNames:)` names them as the data do), with γ for the RBF
    /// kernel, the settings that differ from the defaults (C, steps, step size, validation share, a
    /// victim with the validation rows, random flips, clones), and always the placement (add or
    /// replace) and, for climbed poisons, the order (together or one at a time), where the paper's
    /// attack (add, one at a time) and the default differ, so that two attacks of one study are told apart.
    public var label: String { label(classNames: nil) }

    /// `label` with the classes as the data name them (`className(_:in:)`): "svm-gradient class 7 →
    /// class 1 (linear, replace, together)" on digits whose classes are 1 and 7.
    public func label(classNames: [String]?) -> String {
        var details = [kernel.kind == .rbf ? "rbf γ \(kernel.gamma)" : "linear"]
        if c != 1 { details.append("C \(c)") }
        if steps != Self.defaultSteps { details.append("\(steps) steps") }
        if stepSize != Self.defaultStepSize { details.append("step \(stepSize)") }
        if validationShare != Self.defaultValidationShare { details.append("validation \(validationShare)") }
        if victimSeesValidation { details.append("victim with validation rows") }
        switch poisons {
        case .climbed: details += [placement.rawValue, order == .oneAtATime ? "one at a time" : "together"]
        case .randomFlips: details += placement == .add ? ["random flips", "add"] : ["random flips"]
        case .clones: details += ["unclimbed clones", placement.rawValue]
        }
        return "svm-gradient class \(className(attackedClass, in: classNames)) → class \(className(poisonClass, in: classNames)) "
            + "(\(details.joined(separator: ", ")))"
    }

    /// How it follows Biggio et al. and where it deviates (the placement and the order when they are
    /// not the paper's, each with its reason), the budget's denominator, and the victims.
    public var methodNote: String? {
        let placementWords = placement == .add
            ? "placement add, the paper's: each poison is added to the training rows, all of which stay; the budget m is a share m/n of "
                + "the n clean rows the victims train on, the poisons m/(n + m) of the rows they then train on"
            : "placement replace, not the paper's (which adds its points): each poison takes the place of the training row it was "
                + "copied from, so that the victims train on n rows at every budget, m/n of them poisons, as under every other attack of "
                + "a study, whose curves then share the x axis (placement: add runs the paper's)"
        // The budget's cap: each poison is a distinct clone of the attacked class's training rows.
        let capWords = "at most as many poisons as the attacked class has rows in the attacker's training set (each a distinct clone; "
            + "a larger budget is saturated, under placement add too, where m/n could otherwise grow past them)"
        switch poisons {
        case .randomFlips:
            guard placement == .add else {
                return "the comparison of Biggio, Nelson and Laskov's (ICML 2012) attack, not an attack of the paper: the labels of m of the "
                    + "attacker's training rows, drawn at random, flipped in place (the budget m is a share m/n of the n rows the victims train on)."
            }
            return "the comparison of Biggio, Nelson and Laskov's (ICML 2012) attack under placement add, not an attack of the paper: copies "
                + "of m of the attacker's training rows, drawn at random (either class), with their labels flipped, added to the training "
                + "rows, all of which stay, as the paper's poisons are (the budget m is a share m/n of the n clean rows the victims train on, "
                + "the flipped copies m/(n + m) of the rows they then train on; m is capped as the paper's poisons are, at the attacked "
                + "class's rows in the attacker's training set, so that both have as many at every budget)."
        case .clones:
            return "the control of Biggio, Nelson and Laskov's (ICML 2012) attack, not an attack of the paper: the clones its poisons "
                + "start from (training rows of the attacked class relabelled), unclimbed; \(placementWords); \(capWords)."
        case .climbed:
            let orderWords = order == .oneAtATime
                ? "order one at a time, the paper's: each poison climbs against the SVM with the earlier ones and is not moved again"
                : "order together, not the paper's (which adds and climbs its points one at a time): every clone is placed at once, then "
                    + "each climbs with the others in place, in \(Self.passes) passes, as the multi-point attack of secml, the paper's "
                    + "authors' library, does, so that no poison is climbed against an SVM without the later ones (order: one-at-a-time "
                    + "runs the paper's)"
            let cap = order == .oneAtATime ? "at most \(Self.passes * steps) retrainings per poison (\(Self.passes) × steps, steps = \(steps))"
                : "at most steps = \(steps) retrainings per poison in each of \(Self.passes) passes (\(Self.passes * steps) in all)"
            let climbWords = "backtracking, not the paper's fixed step: a step of length step-size = \(stepSize) along the normalised gradient "
                + "is kept only if it raises the validation hinge loss, else undone and its length halved, the poison's climb stopping "
                + "when the length falls below step-size / \(Int(Self.smallestStepDivisor)) or the gradient vanishes; \(cap)"
            return "Biggio, Nelson and Laskov (ICML 2012): each poison, a training row of the attacked class relabelled, climbs the "
                + "validation hinge loss of the attacker's SVM retrained with it, along the gradient of that SVM's KKT conditions, within "
                + "the range of the pair's features; \(placementWords); \(orderWords). As in the paper the attacked SVM is the "
                + "attacker's own (its errors are the attack's success); the study's models train on the same poisoned rows, so their "
                + "curves measure how the poisons transfer to them. The climb: \(climbWords); each step is clipped, feature by "
                + "feature, to the box of the pair's training rows (the smallest to the largest value of each feature among the "
                + "training rows of the two classes, validation rows included: the paper's box of feasible points, here the data's own "
                + "range); \(capWords)."
        }
    }

    /// The key of the surrogate's validation error.
    public static let validationErrorKey = "svmValidationError"
    /// The key of the surrogate's test error.
    public static let testErrorKey = "svmTestError"
    /// The key of the surrogate's test error under random flips of the same budget, in place (under
    /// every `placement`).
    public static let randomFlipTestErrorKey = "svmRandomFlipTestError"

    /// The attacker's SVM's validation and test errors (with the poisons, or with the random flips of
    /// `poisons: random-flips`), each also as its excess over the clean run's, and its test error
    /// under random flips.
    public var metrics: [MetricInfo] { metrics(classNames: nil) }

    /// `metrics` with the pair's classes as the data name them.
    public func metrics(classNames: [String]?) -> [MetricInfo] {
        let svm = "the attacker's SVM (classes \(className(poisonClass, in: classNames)) and \(className(attackedClass, in: classNames)))"
        // One meaning for both kinds of poison: a study lists a metric key once. Quoted, not in backticks, which every
        // report format would escape (a meaning is report text, not Markdown).
        let retrained = "retrained with every poison (or, under “poisons: random-flips”, with the flipped rows)"
        return [MetricInfo(key: Self.validationErrorKey, name: "Attacker's SVM validation error",
                           meaning: "error of \(svm), \(retrained), on its validation rows (training rows it held out)",
                           hasBaseline: true),
                MetricInfo(key: Self.testErrorKey, name: "Attacker's SVM test error",
                           meaning: "error of \(svm), \(retrained), on the test rows of the pair (never used to craft: "
                               + "the paper's test error)", hasBaseline: true),
                MetricInfo(key: Self.randomFlipTestErrorKey, name: "Attacker's SVM test error under random flips",
                           meaning: "error on the test rows of the pair of \(svm) trained on its training rows with as many of their "
                               + "labels flipped at random, in place, as there are poisons (random flips of the same budget on the same rows, in place "
                               + "whatever the placement)")]
    }

    /// Under `placement: add` (climbed poisons, clones or random flips): its budget is then poisons per clean row of
    /// the victims' set, saturating at the attacked class's rows of the attacker's training set.
    public var addsRows: Bool { placement == .add }

    /// The pair's other class: the attacked class for a row of the poison class, else the poison class.
    func otherClass(of label: Int) -> Int { label == poisonClass ? attackedClass : poisonClass }

    /// None: the attacker trains an SVM of its own.
    public var requirements: Set<ModelCapability> { [] }

    /// By default (`victim-sees-validation: false`, as in the paper), the attacker's training rows: the
    /// victim never sees its validation rows; nil with `victim-sees-validation: true`.
    public var victimRowSubset: String? { victimRowSubset(classNames: nil) }

    /// `victimRowSubset` with the pair's classes as the data name them, as in `label(classNames:)`.
    public func victimRowSubset(classNames: [String]?) -> String? {
        guard !victimSeesValidation else { return nil }
        return "the attacker's training rows: those of classes \(className(poisonClass, in: classNames)) and "
            + "\(className(attackedClass, in: classNames)) but the share \(validationShare) of each "
            + "class that the attacker holds out to validate on, and every row of the other classes"
    }

    public func problem(classCount: Int, featureCount: Int) -> (key: String, message: String)? {
        problem(classCount: classCount, featureCount: featureCount, classNames: nil)
    }

    /// A class of the pair beyond the data's: `classes` takes class indices, never names (names such
    /// as the digits "1" and "7" are numbers too, so a pair could read either way); the message lists
    /// the data's names by index and, when both entries are names of the data, the indices that name them.
    public func problem(classCount: Int, featureCount: Int, classNames: [String]?) -> (key: String, message: String)? {
        guard let missing = [poisonClass, attackedClass].first(where: { $0 >= classCount }) else { return nil }
        var message = "class \(missing) does not exist (the data have \(classCount) classes, 0 to \(classCount - 1))"
        guard let names = classNames, names.count == classCount else { return ("classes", message) }
        let listed = names.indices.prefix(12).map { "\($0) = \(quotedUserText(names[$0]))" }
        message += ": classes takes class indices, not names; the data's classes are " + listed.joined(separator: ", ")
            + (names.count > listed.count ? " and \(names.count - listed.count) more" : "")
        let asked = [poisonClass, attackedClass].map(String.init)
        let indices = asked.compactMap { name in names.firstIndex(of: name) }
        if indices.count == 2 {
            message += " (for the classes named \(quotedUserText(asked[0])) and \(quotedUserText(asked[1])), write [\(indices[0]), \(indices[1])])"
        }
        return ("classes", message)
    }

    /// Each class of the pair needs two training rows: one to validate on, one to train on.
    /// By default (`victim-sees-validation: false`) the victim's rows: every training row but the
    /// attacker's validation rows (`AttackerSetting.validationCount` of each class of the pair, which
    /// depends on the class's row count only, not on the seed); every training row otherwise.
    public func budgetRows(in split: TrainTestSplit) -> Int {
        let labels = split.train.labels
        guard !victimSeesValidation else { return labels.count }
        return labels.count - [poisonClass, attackedClass].reduce(0) { held, label in
            held + AttackerSetting.validationCount(ofClassRows: labels.filter { $0 == label }.count, share: validationShare)
        }
    }

    public func problem(in split: TrainTestSplit) -> (key: String, message: String)? {
        for label in [poisonClass, attackedClass] where split.train.labels.filter({ $0 == label }).count < 2 {
            return ("classes", "class \(label) has fewer than 2 training rows (the attacker needs one to train on and one to validate on)")
        }
        return nil
    }

    /// The poisoned set's copy of the features, its list of rows; while it works, the pair's rows in
    /// Double, the kernel matrices of the attacker's a training rows (poisons included) and v
    /// validation rows (a² and v·a Doubles, twice while `add` grows them by a row), the gradient's
    /// system of the margin vectors ((a + 1)² at most), and the kept sets (`PoisonSets.capacity` of
    /// them). The pair's rows are its two classes' training rows (`RunSizes.trainRows(ofClass:)`:
    /// counted once the data are made, before that the classes' even share), of which the attacker
    /// validates on its `validationShare` of each class (`AttackerSetting`) and trains on the rest,
    /// plus, under `add`, the study's most poisons (at most the attacked class's rows it trains on;
    /// under `replace` each poison takes the place of the row it clones, so the count stays). The kernel
    /// matrices, the bulk of it on large data, are named for a refusal, with what shrinks them.
    public func memoryNeed(_ sizes: RunSizes) -> MemoryNeed {
        let (n, d, p) = (sizes.n, sizes.d, sizes.p)
        let classRows = [poisonClass, attackedClass].map { sizes.trainRows(ofClass: $0) }
        // `AttackerSetting.validationCount`'s rule, on planned row counts, which are Doubles (a class's even
        // share of the rows before the data exist may be fractional).
        let held = classRows.map { rows in rows < 2 ? 0 : min(max((validationShare * rows).rounded(.toNearestOrEven), 1), rows - 1) }
        let pair = classRows[0] + classRows[1], v = held[0] + held[1]
        let added = placement == .add ? min(Double(sizes.poisonedRows), classRows[1] - held[1]) : 0
        let a = pair - v + added
        let copies: Double = placement == .add ? 2 : 1
        let matrices = copies * 8 * (a * a + v * a) + 8 * (a + 1) * (a + 1)
        let working = matrices + 3 * 8 * pair * d + 8 * 8 * n + Double(PoisonSets.capacity) * 8 * p * d
        let holder = MemoryHolder(what: "\(Self.kind)'s kernel matrices over its attacker's \(Int(a)) training and \(Int(v)) validation rows",
                      remedy: "they grow as the square of those rows: use fewer rows of the pair's classes or a smaller train-fraction")
        return MemoryNeed(kept: 4 * n * d + 8 * n + 8 * p, working: working, holder: holder)
    }

    /// Nil when a solve of the attacker's SVM stopped at its step limit short of its tolerance, an
    /// attack gradient's system of the margin vectors had no finite solution, or the SVM had no margin
    /// vector to take the gradient through (`failure(fraction:seed:)`
    /// gives the run's reason): the run ends without metrics rather than measure an SVM that is not
    /// the solution or poisons climbed along another direction than the paper's gradient.
    public func poison(_ split: TrainTestSplit, fraction: Double, seed: UInt64, trainer: ModelTrainer) -> PoisonedTrainingSet? {
        do {
            return try poisonedSet(split, fraction: fraction, seed: seed)
        } catch is AttackerGradientUnsolved {
            failures.record(Self.gradientFailure, fraction: fraction, seed: seed)
        } catch is AttackerGradientUndefined {
            failures.record(Self.noMarginFailure, fraction: fraction, seed: seed)
        } catch {
            failures.record(failure!, fraction: fraction, seed: seed)
        }
        return nil
    }

    /// The failure of a run whose attack gradient could not be computed (`AttackerGradientUnsolved`).
    static let gradientFailure = "the attack gradient could not be computed: the linear system of the attacker's SVM's margin vectors "
        + "(its KKT conditions) had no finite solution, and a climb along the direct term alone would not be the paper's"

    /// The failure of a run whose attack gradient was asked of an SVM without a margin vector
    /// (`AttackerGradientUndefined`).
    static let noMarginFailure = "the attack gradient is undefined: the attacker's SVM had no margin support vector (every α at 0 or C), "
        + "so its KKT conditions do not fix the derivative of its bias (a larger c gives it margin vectors)"

    /// The reason its `poison` of `fraction` and `seed` returned nil: the attack gradient's failure or
    /// the attacker's SVM's (`failure`).
    public func failure(fraction: Double, seed: UInt64) -> String? {
        failures.reason(fraction: fraction, seed: seed) ?? failure
    }

    /// The failure of a run whose `poison` returned nil.
    public var failure: String? {
        let limit = stepLimit.map { "\($0) step\($0 == 1 ? "" : "s")" } ?? "max(10⁷, 100 × rows) steps"
        return "the attacker's SVM (C = \(c)) did not converge: SMO stopped at its limit of \(limit) short of its tolerance "
            + "\(Self.tolerance); lower c (a C too large for the features' scale makes the problem hard to solve; unstandardised features do too)"
    }

    /// `poison`'s set; throws `AttackerSVMNotConverged` when a solve of the attacker's SVM stops short.
    func poisonedSet(_ split: TrainTestSplit, fraction: Double, seed: UInt64) throws -> PoisonedTrainingSet {
        let train = split.train, d = train.featureCount
        precondition(fraction >= 0 && (addsRows || fraction <= 1))
        let setting = AttackerSetting(train: train, seed: seed, poisonClass: poisonClass, attackedClass: attackedClass,
                                      validationShare: validationShare)
        let held = Set(setting.validationRows)
        // The rows the victim trains on, in the order of the training set.
        let victimRows = victimSeesValidation ? Array(train.labels.indices) : train.labels.indices.filter { !held.contains($0) }
        let asked = poisonCount(fraction: fraction, of: victimRows.count), count = min(asked, setting.candidates.count)
        let test = setting.pairRows(of: split.test)
        var problem = setting.problem(kernel: kernel, stepLimit: stepLimit)
        let clean = problem
        var poisoned = train
        let chosen: [Int]
        // With `placement: add`, the poisons' features [count x features], added after the victim's rows.
        var added = [Double]()
        switch poisons {
        case .climbed:
            // One at a time, a budget's poisons are the first of a larger budget's: a kept set of the
            // seed serves a smaller budget, and a larger one continues the largest smaller kept set.
            let points = try sets.points(train: train, seed: seed, count: count, nested: order == .oneAtATime) { prefix in
                try craft(count, in: setting, continuing: prefix).points
            }
            chosen = Array(setting.candidates.prefix(count))
            for (i, row) in chosen.enumerated() {
                let point = Array(points[(i * d)..<((i + 1) * d)])
                guard placement == .replace else {
                    problem.append(point, sign: 1)
                    continue
                }
                problem.place(row: setting.position[row]!, at: point, sign: 1)
                for j in 0..<d { poisoned.features[row * d + j] = Float(points[i * d + j]) }
                poisoned.labels[row] = poisonClass
            }
            if placement == .add { added = points }
        case .randomFlips:
            let positions = Self.randomFlipPositions(count, among: clean.signs.count, seed: seed)
            chosen = positions.map { setting.trainingRows[$0] }
            for position in positions {
                switch placement {
                case .replace: problem.place(row: position, at: problem.point(position), sign: -problem.signs[position])
                case .add: problem.append(problem.point(position), sign: -problem.signs[position])
                }
            }
            if placement == .replace {
                for row in chosen { poisoned.labels[row] = otherClass(of: train.labels[row]) }
            }
        case .clones:
            chosen = Array(setting.candidates.prefix(count))
            for row in chosen {
                let position = setting.position[row]!
                guard placement == .replace else {
                    added += problem.point(position)
                    problem.append(problem.point(position), sign: 1)
                    continue
                }
                problem.place(row: position, at: problem.point(position), sign: 1)
                poisoned.labels[row] = poisonClass
            }
        }
        let svc = try problem.solve(c: c)
        let measurements = [Self.validationErrorKey: problem.validationError(svc),
                            Self.testErrorKey: problem.error(svc, on: test.features, signs: test.signs),
                            Self.randomFlipTestErrorKey: try Self.randomFlipTestError(clean, flips: count, seed: seed, c: c, on: test)]
        if placement == .add {
            // Every victim row as it is, then the poisons: climbed points or clones, labelled the poison
            // class, whose true class is that of the row they were copied from, the attacked class; or
            // flipped copies of the drawn rows, labelled the pair's other class, true class their row's.
            var victim = victimSeesValidation ? train : train.rows(victimRows)
            let clean = victim.count
            var labels = [Int](repeating: poisonClass, count: count), trueLabels = [Int](repeating: attackedClass, count: count)
            if poisons == .randomFlips {
                for row in chosen { victim.features += train.features[(row * d)..<((row + 1) * d)] }
                trueLabels = chosen.map { train.labels[$0] }
                labels = trueLabels.map { otherClass(of: $0) }
            } else {
                victim.features += added.map(Float.init)
            }
            victim.labels += labels
            return PoisonedTrainingSet(data: victim, trueLabels: Array(victim.labels.prefix(clean)) + trueLabels,
                                       poisonedRows: Array(clean..<(clean + count)), measurements: measurements, saturated: asked > count)
        }
        guard !victimSeesValidation else {
            return PoisonedTrainingSet(data: poisoned, trueLabels: train.labels, poisonedRows: chosen, measurements: measurements,
                                       saturated: asked > count)
        }
        let place = Dictionary(uniqueKeysWithValues: victimRows.enumerated().map { ($1, $0) })
        return PoisonedTrainingSet(data: poisoned.rows(victimRows), trueLabels: victimRows.map { train.labels[$0] },
                                   poisonedRows: chosen.map { place[$0]! }, measurements: measurements, saturated: asked > count)
    }

    /// The places, among the attacker's `count` training rows, of the `flips` rows whose labels random
    /// flips of the same budget flip: the first picks of a partial shuffle on the stream (seed,
    /// "svm-random-flips").
    static func randomFlipPositions(_ flips: Int, among count: Int, seed: UInt64) -> [Int] {
        var rows = Array(0..<count)
        var stream = Xoshiro256StarStar(seed: seed, purpose: "svm-random-flips")
        stream.choosePrefix(flips, of: &rows)
        return Array(rows.prefix(flips))
    }

    /// The test error (on `test`) of the SVM of the attacker's clean problem `clean` with the labels
    /// of its `randomFlipPositions` flipped.
    static func randomFlipTestError(_ clean: AttackerProblem, flips: Int, seed: UInt64, c: Double,
                                    on test: (features: [Double], signs: [Double])) throws -> Double {
        var problem = clean
        for row in randomFlipPositions(flips, among: clean.signs.count, seed: seed) {
            problem.place(row: row, at: problem.point(row), sign: -problem.signs[row])
        }
        return problem.error(try problem.solve(c: c), on: test.features, signs: test.signs)
    }

    /// What `craft` tells its observer each time it records a loss: the attacker's problem then, the
    /// place of the poison just placed or moved (nil when every clone was placed at once), whether it
    /// was placed (else a kept step moved it), and the validation hinge loss it recorded.
    typealias CraftObserver = (_ problem: AttackerProblem, _ poison: Int?, _ placed: Bool, _ loss: Double) -> Void

    /// The first `count` clones of `setting`, climbed in `order` (see the type's description): their
    /// features [count x features], and the validation hinge loss of the attacker's SVM with them:
    /// together, first with the unclimbed clones, then after every kept step; one at a time, as each
    /// clone is placed, then after every kept step of its climb. `observe` sees each of those losses
    /// as it is recorded (for the tests that check them against fresh solves). One at a time, the
    /// first poisons may be given (`continuing`, [k x features], k < `count`, the points an earlier
    /// craft of k returned): they are placed where their climbs ended and the climb goes on from
    /// poison k, with the same result as crafting all `count` (each poison's climb depends on the
    /// poisons before it alone, and a placed row's kernel values are computed afresh either way);
    /// the losses are then those of poisons k and later.
    func craft(_ count: Int, in setting: AttackerSetting, continuing prefix: [Double] = [],
               observe: CraftObserver? = nil) throws -> (points: [Double], losses: [Double]) {
        var problem = setting.problem(kernel: kernel, stepLimit: stepLimit)
        let sources = setting.candidates.prefix(count).map { setting.position[$0]! }
        // The poisons' places in the attacker's training set: the rows they replace, or new rows after its n rows.
        let n = problem.signs.count, d = problem.features, given = prefix.count / d
        precondition(prefix.count == given * d && given < max(count, 1) && (prefix.isEmpty || order == .oneAtATime),
                     "a prefix of whole poisons, fewer than count, for order one-at-a-time")
        let positions = placement == .replace ? sources : Array(n..<(n + count))
        var svc: BinarySVC, losses = [Double]()
        switch order {
        case .together:
            for source in sources { problem.placeClone(of: source, placement: placement) }
            svc = try problem.solve(c: c)
            losses.append(problem.validationHinge(svc))
            observe?(problem, nil, true, losses[losses.count - 1])
            for _ in 0..<Self.passes {
                for position in positions {
                    try climb(position, steps: steps, in: &problem, svc: &svc, losses: &losses, lower: setting.lower, upper: setting.upper,
                              observe: observe)
                }
            }
        case .oneAtATime:
            for i in 0..<given {
                let point = Array(prefix[(i * d)..<((i + 1) * d)])
                switch placement {
                case .replace: problem.place(row: positions[i], at: point, sign: 1)
                case .add: problem.append(point, sign: 1)
                }
            }
            for (source, position) in zip(sources, positions).dropFirst(given) {
                problem.placeClone(of: source, placement: placement)
                svc = try problem.solve(c: c)
                losses.append(problem.validationHinge(svc))
                observe?(problem, position, true, losses[losses.count - 1])
                try climb(position, steps: Self.passes * steps, in: &problem, svc: &svc, losses: &losses, lower: setting.lower, upper: setting.upper,
                          observe: observe)
            }
        }
        return (positions.flatMap { problem.point($0) }, losses)
    }

    /// Moves the poison at `position` of the attacker's training set up the validation hinge loss
    /// of `svc`, the SVM of `problem` (see the type's description), in at most `steps` retrainings,
    /// appending the loss after each kept step to `losses` (and telling `observe`) and leaving `svc`
    /// the SVM of the poison's last place.
    func climb(_ position: Int, steps: Int, in problem: inout AttackerProblem, svc: inout BinarySVC, losses: inout [Double],
               lower: [Double], upper: [Double], observe: CraftObserver? = nil) throws {
        var loss = losses[losses.count - 1]
        var length = stepSize
        for _ in 0..<steps {
            guard length >= stepSize / Self.smallestStepDivisor else { return }
            let gradient = try problem.hingeGradient(svc, poison: position, c: c)
            let norm = gradient.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 && norm.isFinite else { return }
            let old = problem.point(position)
            let moved = old.indices.map { j in min(max(old[j] + length * gradient[j] / norm, lower[j]), upper[j]) }
            guard moved != old else { return }
            problem.place(row: position, at: moved, sign: 1)
            let next = try problem.solve(c: c, start: svc.alpha)
            let nextLoss = problem.validationHinge(next)
            if nextLoss > loss {
                svc = next
                loss = nextLoss
                losses.append(loss)
                observe?(problem, position, false, loss)
            } else {
                problem.place(row: position, at: old, sign: 1)
                length /= 2
            }
        }
    }
}

/// A solve of the attacker's SVM that stopped at its step limit short of its tolerance.
struct AttackerSVMNotConverged: Error {}

/// An attack gradient whose system of the margin vectors had no finite solution (`hingeGradient`).
struct AttackerGradientUnsolved: Error {}

/// An attack gradient asked of an SVM without a margin vector (every α at 0 or C; `hingeGradient`):
/// its bias is not fixed by the KKT conditions, so neither is the gradient.
struct AttackerGradientUndefined: Error {}

/// Why each of an `SVMGradient`'s runs (by fraction and seed) that failed did, for the runner's
/// message: one value per attack (no process-wide state), a mutex guarding the list.
final class FailureReasons: Sendable {
    private let reasons = Mutex<[(fraction: Double, seed: UInt64, reason: String)]>([])

    /// An empty list.
    init() {}

    /// Records `reason` for the run of `fraction` and `seed`.
    func record(_ reason: String, fraction: Double, seed: UInt64) {
        reasons.withLock { list in
            guard !list.contains(where: { $0.fraction.bitPattern == fraction.bitPattern && $0.seed == seed }) else { return }
            list.append((fraction, seed, reason))
        }
    }

    /// The reason recorded for the run of `fraction` and `seed`, if any.
    func reason(fraction: Double, seed: UInt64) -> String? {
        reasons.withLock { list in list.first { $0.fraction.bitPattern == fraction.bitPattern && $0.seed == seed }?.reason }
    }
}

/// What the attacker of one run knows, from the training rows and the seed alone: its training and
/// validation rows of the pair, the order in which rows of the attacked class become poisons, and
/// the features' range.
struct AttackerSetting {
    /// The run's training rows.
    let train: Dataset
    /// The attacker's training rows (indices into `train`, ascending).
    let trainingRows: [Int]
    /// Its validation rows (ascending).
    let validationRows: [Int]
    /// The rows of the attacked class among `trainingRows`, in the order they become poisons.
    let candidates: [Int]
    /// The place of each of `trainingRows` in it.
    let position: [Int: Int]
    /// Each feature's smallest and largest value among the pair's training rows.
    let lower: [Double], upper: [Double]
    /// The signs: +1 for the poison class, −1 for the attacked class.
    let poisonClass: Int, attackedClass: Int

    /// How many of a class's `rows` training rows (at least 2) the attacker validates on: its `share`
    /// of them, rounded half to even, at least 1 and at most all but one.
    static func validationCount(ofClassRows rows: Int, share: Double) -> Int {
        min(max(Int((share * Double(rows)).rounded(.toNearestOrEven)), 1), rows - 1)
    }

    init(train: Dataset, seed: UInt64, poisonClass: Int, attackedClass: Int, validationShare: Double) {
        self.train = train
        self.poisonClass = poisonClass
        self.attackedClass = attackedClass
        var validationStream = Xoshiro256StarStar(seed: seed, purpose: "poison-validation")
        var held = [Int]()
        for label in [poisonClass, attackedClass] {
            var rows = train.labels.indices.filter { train.labels[$0] == label }
            let count = Self.validationCount(ofClassRows: rows.count, share: validationShare)
            validationStream.choosePrefix(count, of: &rows)
            held += rows.prefix(count)
        }
        let heldSet = Set(held)
        validationRows = held.sorted()
        trainingRows = train.labels.indices.filter { (train.labels[$0] == poisonClass || train.labels[$0] == attackedClass) && !heldSet.contains($0) }
        position = Dictionary(uniqueKeysWithValues: trainingRows.enumerated().map { ($1, $0) })
        var attacked = trainingRows.filter { train.labels[$0] == attackedClass }
        var sampleStream = Xoshiro256StarStar(seed: seed, purpose: "poison-samples")
        sampleStream.choosePrefix(attacked.count, of: &attacked)
        candidates = attacked
        let d = train.featureCount
        var lower = [Double](repeating: .infinity, count: d), upper = [Double](repeating: -.infinity, count: d)
        for row in train.labels.indices where train.labels[row] == poisonClass || train.labels[row] == attackedClass {
            for j in 0..<d {
                let value = Double(train.features[row * d + j])
                lower[j] = min(lower[j], value)
                upper[j] = max(upper[j], value)
            }
        }
        self.lower = lower
        self.upper = upper
    }

    /// The attacker's clean problem with `kernel`, its solves limited to `stepLimit` SMO steps (nil:
    /// `BinarySVC.stepLimit(rows:)`).
    func problem(kernel: SVCKernel, stepLimit: Int? = nil) -> AttackerProblem {
        let training = pairRows(of: train, rows: trainingRows), validation = pairRows(of: train, rows: validationRows)
        return AttackerProblem(kernel: kernel, features: train.featureCount, points: training.features, signs: training.signs,
                               validation: validation.features, validationSigns: validation.signs, stepLimit: stepLimit)
    }

    /// The rows of `data` of the pair (or those of `rows`, all of the pair) in Double [rows x
    /// features], and their signs (+1 for the poison class, −1 for the attacked class).
    func pairRows(of data: Dataset, rows: [Int]? = nil) -> (features: [Double], signs: [Double]) {
        let d = data.featureCount
        let picked = rows ?? data.labels.indices.filter { data.labels[$0] == poisonClass || data.labels[$0] == attackedClass }
        return (picked.flatMap { row in data.features[(row * d)..<((row + 1) * d)].map(Double.init) },
                picked.map { data.labels[$0] == poisonClass ? 1 : -1 })
    }
}

/// The attacker's binary SVM problem: its training rows (one of which moves), their kernel matrix,
/// and its validation rows with their kernel values against the training rows.
struct AttackerProblem {
    /// The kernel.
    let kernel: SVCKernel
    /// Features per row.
    let features: Int
    /// The training rows [n x features] and their signs.
    private(set) var points: [Double], signs: [Double]
    /// k(x_i, x_j) [n x n].
    private(set) var gram: [Double]
    /// The validation rows [v x features] and their signs.
    let validation: [Double], validationSigns: [Double]
    /// k(x_k, x_j) of validation row k and training row j [v x n].
    private(set) var validationGram: [Double]
    /// The most SMO steps of a solve; nil: `BinarySVC.stepLimit(rows:)`.
    let stepLimit: Int?

    init(kernel: SVCKernel, features d: Int, points: [Double], signs: [Double], validation: [Double], validationSigns: [Double],
         stepLimit: Int? = nil) {
        self.kernel = kernel
        self.stepLimit = stepLimit
        features = d
        self.points = points
        self.signs = signs
        self.validation = validation
        self.validationSigns = validationSigns
        let n = signs.count, v = validationSigns.count
        var gram = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                gram[i * n + j] = kernel.value(points, i * d, points, j * d, features: d)
                gram[j * n + i] = gram[i * n + j]
            }
        }
        self.gram = gram
        var validationGram = [Double](repeating: 0, count: v * n)
        for k in 0..<v { for j in 0..<n { validationGram[k * n + j] = kernel.value(validation, k * d, points, j * d, features: d) } }
        self.validationGram = validationGram
    }

    /// Training row `position`'s features.
    func point(_ position: Int) -> [Double] { Array(points[(position * features)..<((position + 1) * features)]) }

    /// Puts training row `position` at `x` with sign `sign`, and updates the kernel values it enters.
    mutating func place(row position: Int, at x: [Double], sign: Double) {
        let d = features, n = signs.count, v = validationSigns.count
        points.replaceSubrange((position * d)..<((position + 1) * d), with: x)
        signs[position] = sign
        for j in 0..<n {
            gram[position * n + j] = kernel.value(points, position * d, points, j * d, features: d)
            gram[j * n + position] = gram[position * n + j]
        }
        for k in 0..<v { validationGram[k * n + position] = kernel.value(validation, k * d, points, position * d, features: d) }
    }

    /// Adds a training row at `x` with sign `sign`, after the others, and its kernel values.
    mutating func append(_ x: [Double], sign: Double) {
        let d = features, n = signs.count, v = validationSigns.count
        points += x
        signs.append(sign)
        var grown = [Double](repeating: 0, count: (n + 1) * (n + 1))
        for i in 0..<n { grown.replaceSubrange((i * (n + 1))..<(i * (n + 1) + n), with: gram[(i * n)..<((i + 1) * n)]) }
        for j in 0...n {
            grown[n * (n + 1) + j] = kernel.value(points, n * d, points, j * d, features: d)
            grown[j * (n + 1) + n] = grown[n * (n + 1) + j]
        }
        gram = grown
        var grownValidation = [Double](repeating: 0, count: v * (n + 1))
        for k in 0..<v {
            grownValidation.replaceSubrange((k * (n + 1))..<(k * (n + 1) + n), with: validationGram[(k * n)..<((k + 1) * n)])
            grownValidation[k * (n + 1) + n] = kernel.value(validation, k * d, points, n * d, features: d)
        }
        validationGram = grownValidation
    }

    /// A clone of training row `source` with sign +1 (the poison class): in its place (`replace`),
    /// or added after the other rows (`add`).
    mutating func placeClone(of source: Int, placement: SVMGradient.Placement) {
        switch placement {
        case .replace: place(row: source, at: point(source), sign: 1)
        case .add: append(point(source), sign: 1)
        }
    }

    /// The SVM of the training rows, from `start` (or from scratch), to a KKT violation of
    /// `tolerance` within `stepLimit` SMO steps (`BinarySVC.stepLimit(rows:)` when nil); throws
    /// `AttackerSVMNotConverged` when it stops short of the tolerance, never handing on an SVM
    /// that is not the solution.
    func solve(c: Double, start: [Double]? = nil, tolerance: Double = SVMGradient.tolerance) throws -> BinarySVC {
        let svc = BinarySVC.solve(gram: gram, signs: signs, c: c, tolerance: tolerance, start: start, maxIterations: stepLimit)
        guard svc.converged else { throw AttackerSVMNotConverged() }
        return svc
    }

    /// f(x_k) of every validation row.
    func validationDecisions(_ svc: BinarySVC) -> [Double] {
        let n = signs.count
        return (0..<validationSigns.count).map { k in
            var sum = svc.bias
            for j in 0..<n where svc.alpha[j] != 0 { sum += svc.alpha[j] * signs[j] * validationGram[k * n + j] }
            return sum
        }
    }

    /// Σ_k max(0, 1 − y_k f(x_k)) over the validation rows.
    func validationHinge(_ svc: BinarySVC) -> Double {
        zip(validationDecisions(svc), validationSigns).reduce(0) { $0 + max(0, 1 - $1.1 * $1.0) }
    }

    /// The share of validation rows on the wrong side (`wrongShare`).
    func validationError(_ svc: BinarySVC) -> Double { Self.wrongShare(validationDecisions(svc), signs: validationSigns) }

    /// The share of the rows `rows` [rows x features] with signs `signs` that `svc` puts on the wrong side.
    func error(_ svc: BinarySVC, on rows: [Double], signs rowSigns: [Double]) -> Double {
        let d = features, n = signs.count
        let decisions = rowSigns.indices.map { k in
            var sum = svc.bias
            for j in 0..<n where svc.alpha[j] != 0 { sum += svc.alpha[j] * signs[j] * kernel.value(rows, k * d, points, j * d, features: d) }
            return sum
        }
        return Self.wrongShare(decisions, signs: rowSigns)
    }

    /// The share of decisions f on the wrong side of their signs y: y f < 0, or f = 0 for the poison
    /// class (f = 0 predicts the attacked class); 0 without rows.
    static func wrongShare(_ decisions: [Double], signs: [Double]) -> Double {
        guard !signs.isEmpty else { return 0 }
        let wrong = zip(decisions, signs).filter { ($0.0 > 0 ? 1.0 : -1.0) != $0.1 }.count
        return Double(wrong) / Double(signs.count)
    }

    /// ∂L/∂x_c of the validation hinge loss for the training row `poison` (see `SVMGradient`), while
    /// the SVM's sets of margin, error and reserve vectors stay as in `svc`; throws
    /// `AttackerGradientUnsolved` when the margin vectors' system has no finite solution (a zero pivot
    /// or a non-finite value), and `AttackerGradientUndefined` when the SVM has no margin vector (the
    /// poison having α_c > 0), rather than hand on the direct term alone as the gradient.
    func hingeGradient(_ svc: BinarySVC, poison p: Int, c: Double) throws -> [Double] {
        let n = signs.count, d = features, alpha = svc.alpha
        let edge = 1e-9 * c
        var gradient = [Double](repeating: 0, count: d)
        guard alpha[p] > edge else { return gradient }
        let margin = (0..<n).filter { alpha[$0] > edge && alpha[$0] < c - edge }
        let s = margin.count
        // The validation rows inside their margin, and the weights w = ∂L/∂(α_S, b) they give.
        let decisions = validationDecisions(svc)
        let active = decisions.indices.filter { 1 - validationSigns[$0] * decisions[$0] > 0 }
        var weights = [Double](repeating: 0, count: s + 1)
        for k in active {
            let y = validationSigns[k]
            for (a, j) in margin.enumerated() { weights[a] -= y * signs[j] * validationGram[k * n + j] }
            weights[s] -= y
        }
        // The direct term: α_c y_c Σ_k −y_k ∂k(x_k, x_c)/∂x_c.
        for k in active {
            kernel.addGradient(scale: -validationSigns[k] * alpha[p] * signs[p], value: validationGram[k * n + p],
                               validation, k * d, points, p * d, features: d, into: &gradient)
        }
        // Without a margin vector (every α at 0 or C) the KKT conditions hold no equality that fixes
        // b, which may move anywhere in an interval: ∂b, and so the gradient, is undefined.
        guard s > 0 else { throw AttackerGradientUndefined() }
        // λ = A⁻¹ w for A = [Q_SS + ridge, y_S; y_Sᵀ, 0] (symmetric), then ∂L/∂x_c += Σ_a λ_a R_a with
        // R_a = −∂(Σ_j Q_aj α_j)/∂x_c (holding α).
        var matrix = [Double](repeating: 0, count: (s + 1) * (s + 1))
        var largest = 0.0
        for i in margin { largest = max(largest, gram[i * n + i]) }
        for (a, i) in margin.enumerated() {
            for (b, j) in margin.enumerated() { matrix[a * (s + 1) + b] = signs[i] * signs[j] * gram[i * n + j] }
            matrix[a * (s + 1) + a] += 1e-9 * max(largest, 1e-300)
            matrix[a * (s + 1) + s] = signs[i]
            matrix[s * (s + 1) + a] = signs[i]
        }
        guard let lambda = Self.solveLinear(matrix, weights, size: s + 1) else { throw AttackerGradientUnsolved() }
        for (a, i) in margin.enumerated() where lambda[a] != 0 {
            if i != p {
                // −∂(Q_ic α_c)/∂x_c = −α_c y_i y_c ∂k(x_i, x_c)/∂x_c.
                kernel.addGradient(scale: -lambda[a] * alpha[p] * signs[i] * signs[p], value: gram[i * n + p], points, i * d, points, p * d,
                                   features: d, into: &gradient)
            } else {
                // −∂(Σ_j Q_cj α_j)/∂x_c = −y_c Σ_{j≠c} α_j y_j ∂k(x_j, x_c)/∂x_c − α_c ∂k(x_c, x_c)/∂x_c.
                for j in 0..<n where j != p && alpha[j] > 0 {
                    kernel.addGradient(scale: -lambda[a] * signs[p] * alpha[j] * signs[j], value: gram[j * n + p], points, j * d, points, p * d,
                                       features: d, into: &gradient)
                }
                if kernel.kind == .linear {   // ∂(x_c · x_c)/∂x_c = 2 x_c; the RBF's k(x, x) is constant.
                    for f in 0..<d { gradient[f] -= lambda[a] * alpha[p] * 2 * points[p * d + f] }
                }
            }
        }
        return gradient
    }

    /// x with A x = b for a square `size` x `size` matrix A, by Gaussian elimination with partial
    /// pivoting; nil when a pivot is zero or a value is not finite.
    static func solveLinear(_ matrix: [Double], _ rhs: [Double], size m: Int) -> [Double]? {
        var a = matrix, x = rhs
        for column in 0..<m {
            var pivot = column
            for row in (column + 1)..<m where abs(a[row * m + column]) > abs(a[pivot * m + column]) { pivot = row }
            guard a[pivot * m + column] != 0 else { return nil }
            if pivot != column {
                for k in 0..<m { a.swapAt(column * m + k, pivot * m + k) }
                x.swapAt(column, pivot)
            }
            let diagonal = a[column * m + column]
            for row in (column + 1)..<m {
                let factor = a[row * m + column] / diagonal
                guard factor != 0 else { continue }
                for k in column..<m { a[row * m + k] -= factor * a[column * m + k] }
                x[row] -= factor * x[column]
            }
        }
        for row in stride(from: m - 1, through: 0, by: -1) {
            var sum = x[row]
            for k in (row + 1)..<m { sum -= a[row * m + k] * x[k] }
            x[row] = sum / a[row * m + row]
        }
        return x.allSatisfy(\.isFinite) ? x : nil
    }
}

/// The poison sets an `SVMGradient` has computed, per seed, training rows and budget, for its
/// other runs: the runs of other models share them (the attacker's SVM is its own). It belongs to
/// one attack value (no process-wide state); a mutex guards the list and the work happens outside
/// it, so two workers may compute the same set at once, with identical results, and one is kept. At
/// most `capacity` entries, the oldest dropped first. Under order one-at-a-time a set also serves the
/// seed's smaller budgets and starts its larger ones (`points(train:seed:count:nested:craft:)`).
final class PoisonSets: Sendable {
    /// The most sets kept: eight budgets of each seed of a study of up to 16 seeds.
    static let capacity = 128

    private struct Entry: Sendable {
        let train: Dataset
        let seed: UInt64
        let count: Int
        /// The poisons' features [count x features].
        let points: [Double]
    }

    private let entries = Mutex<[Entry]>([])

    /// An empty store.
    init() {}

    /// The `count` poisons [count x features] of `seed` on `train`: the kept set, or `craft`'s. With
    /// `nested` (order one-at-a-time, where a budget's poisons are the first of a larger budget's),
    /// the first `count` of a larger kept set of the seed also serve, and `craft` is handed the
    /// largest smaller kept set to continue from (empty when there is none; without `nested`, always).
    func points(train: Dataset, seed: UInt64, count: Int, nested: Bool = false, craft: ([Double]) throws -> [Double]) rethrows -> [Double] {
        func matches(_ entry: Entry) -> Bool { entry.seed == seed && entry.count == count && entry.train == train }
        let (known, prefix): ([Double]?, [Double]) = entries.withLock { list in
            if let exact = list.first(where: matches) { return (exact.points, []) }
            guard nested else { return (nil, []) }
            let seeds = list.filter { $0.seed == seed && $0.count > 0 && $0.train == train }
            if let larger = seeds.filter({ $0.count > count }).min(by: { $0.count < $1.count }) {
                return (Array(larger.points.prefix(larger.points.count / larger.count * count)), [])
            }
            return (nil, seeds.max(by: { $0.count < $1.count })?.points ?? [])
        }
        if let known { return known }
        let points = try craft(prefix)
        entries.withLock { list in
            guard !list.contains(where: matches) else { return }
            list.append(Entry(train: train, seed: seed, count: count, points: points))
            if list.count > Self.capacity { list.removeFirst() }
        }
        return points
    }
}
