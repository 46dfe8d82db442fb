import Foundation
import PoisoningData
import PoisoningModels
import PoisoningTheory
import PoisoningUtilities

/// A backdoor: a trigger stamped on some training rows, so that the trained model sends rows with
/// the trigger to class `target` while behaving normally on the rest.
///
/// The trigger stays inside the training data's range by default, so that a clean model does not
/// already send triggered rows to the target class merely because they lie outside the data:
/// - patch (Gu et al. 2017, "BadNets"): x_j ← v_j for each trigger feature j, where v_j is the
///   q-quantile of feature j's training values (linear interpolation between order statistics,
///   NumPy's default; q = `trigger-quantile`, 0.95 by default), or one given `trigger-value` for all;
/// - blend (Chen et al. 2017, "Targeted backdoor attacks on deep learning systems using data
///   poisoning", blended injection): x ← (1 - a) x + a p over every feature, a = `blend-alpha`, p a
///   fixed pattern with p_j uniform in [min_j, max_j] of feature j's training values (stream
///   (seed, "backdoor-pattern"), features in order). A blend of a training row is a convex
///   combination of two points of the range, so it stays in it.
///
/// The trigger depends only on the training rows and the seed, never on the fraction, so that the
/// fraction-0 run of a seed measures the clean model on the very trigger the poisoned runs use
/// (`backdoorSuccessBaseline`, `backdoorSuccessExcess`: `Study.withCleanBaselines`).
///
/// Dirty label: round(fraction · n) training rows of classes other than `target`, chosen uniformly
/// without replacement (stream (seed, "poison-samples")), get the trigger and the label `target`.
///
/// Near clone (`near-clone: {distance: d}`, dirty label only; after Granziol 2026, "Safety-efficacy
/// trade off: robustness against data-poisoning", whose near-clone regime keeps an order-one attack
/// success while the input-curvature spike of clustered poisons vanishes): before the trigger, each
/// chosen row x moves toward the mean m of the target class's training rows by at most d in
/// standardised units, x' = x + min(1, d / D) (m - x) with D = ‖(m - x) / σ‖₂ = √(Σ_j ((m_j - x_j) / σ_j)²)
/// over the features with σ_j > 0 (σ_j the population standard deviation of feature j over the
/// training rows; a feature with σ_j = 0 is constant, so m_j = x_j), in Double, rounded to Float;
/// x' = m when D ≤ d. The poison then lies within d of its stamped clean row (a patch overwrites its
/// features after the move, a blend scales the move by 1 - a). d = 0 leaves the rows as they are: the
/// plain dirty-label backdoor, each poison a clone of its clean row with the trigger; as d grows past
/// every row's D, every poison becomes the one point stamp(m): one tight cluster, as Granziol's
/// clustered poisons are, though lying on the target class's data its label no longer contradicts
/// its place. The class mean, rather than each row's nearest target-class row, makes that far end
/// one cluster; moving toward nearest rows would end in clones of target-class rows, another
/// near-clone regime rather than clustered poisons. The rows chosen and the trigger do not depend on
/// d, so a sweep over d (one attack entry per distance) changes only how far the same poisons move.
/// `near-clone: {distance: d, toward: source-mean}` moves each chosen row toward the mean of its own
/// (source) class's training rows instead, by the same rule: the label stays wrong at every d, and as
/// d grows past every row's D the poisons become stamp(m_s) for each source class s: one tight cluster
/// per source class, on that class's data, labelled as the target: Granziol's clustered dirty-label
/// poisons (with one source class, one cluster).
///
/// Clean label (Turner et al. 2019, "Label-consistent backdoor attacks"): as many rows of the target
/// class itself (all of them, and `saturated`, when the budget asks for more) are first made hard to
/// learn, then stamped, and keep their correct label, so that the model has to rely on the trigger
/// to fit them. Hard to learn: projected gradient ascent on the softmax cross-entropy of a surrogate
/// model of the clean training rows (`trainer.surrogate(knowledge)`, `white-box` as
/// `AttackerKnowledge`), in the L∞ ball |x_j - b_j| ≤ ε σ_j around each row b, σ_j the population
/// standard deviation of feature j over the training rows (ε in per-feature standardised units,
/// `epsilon`), `pgd-steps` steps of 2.5 ε σ_j / steps each (the convention of the Madry lab's
/// `robustness` library, Tsipras et al. 2019; Madry et al. 2018 used fixed steps), from x = b
/// (`projectedGradientAscent`). With ε = 0 the rows are stamped unperturbed and no surrogate is trained.
/// The surrogate does not depend on the fraction, so the attack keeps the ones it trained for its
/// runs at other fractions (`TrainedModelCache`: per attack, deterministic, thread-safe).
///
/// Either way the success metric is the share of the test rows whose true class is not `target` that,
/// with the trigger, the trained model assigns to `target`.
///
/// Deviations from the papers: the data are feature vectors, not images, so a patch is a set of
/// features rather than a pixel square, and its value a quantile of the data rather than the
/// maximum intensity; Chen et al. let the blend ratio at test time differ from the poisoning one, here
/// one a serves both; Turner et al. perturb images in pixel units inside the valid pixel range, here
/// ε is in standard deviations of each feature (data of mixed units get one radius) and the perturbed
/// rows are not clipped to the data's range (the trigger is stamped after the perturbation, as in the
/// paper); the paper attacks models of its own, here the surrogate is the run's architecture trained
/// with the run's SGD settings on the clean rows (its own seed unless `white-box`), without
/// adversarial training; PGD starts at the row itself, without Madry et al.'s random start, so the
/// poisons are a function of the run's seed and data; only the L∞ ball is offered (Turner et al. also
/// use L2); the budget is a share of the training set (as every attack's, one axis for all), where
/// Turner et al. count poisons within the target class; with the blend trigger the blend after the
/// perturbation scales it by (1 - a), so the effective radius is (1 - a) ε; and ε up to 100 is
/// accepted, though beyond a few standard deviations the rows no longer look like their class and the
/// attack is label-consistent in name only.
public struct Backdoor: PoisoningAttack {
    /// "backdoor".
    public static let kind = "backdoor"
    /// The share of triggered test rows classified as the target class.
    public static let successMetricKey: String? = "backdoorSuccess"
    /// One sentence for help and commented study files.
    public static let summary = "Stamp a trigger (trigger features set to an in-range quantile, or a blended pattern) on training rows: "
        + "relabelled as the target class, or (clean-label) target-class rows made hard to learn by PGD, labels kept."

    /// How the trigger changes a row.
    public enum Trigger: Sendable, Equatable {
        /// x_j ← v_j for each feature j of `features` (negative indices count from the end).
        case patch(features: [Int], level: PatchLevel)
        /// x ← (1 - alpha) x + alpha p over every feature, p a pattern uniform in each feature's range.
        case blend(alpha: Double)
    }

    /// The value a patch sets on each of its features.
    public enum PatchLevel: Sendable, Equatable {
        /// The q-quantile of the feature's training values (its own per feature).
        case quantile(Double)
        /// The same given value on every trigger feature.
        case value(Double)
    }

    /// Turner et al.'s perturbation of the clean-label poisons before they are stamped.
    public struct Hardening: Sendable, Equatable {
        /// ε, the L∞ radius in standard deviations of each feature.
        public let epsilon: Double
        /// PGD iterations.
        public let steps: Int
        /// Whose seed the surrogate the perturbation is computed against is trained with.
        public let knowledge: AttackerKnowledge

        /// The step of an iteration, in standard deviations of each feature: 2.5 ε / steps (Madry et al. 2018).
        public var stepSize: Double { 2.5 * epsilon / Double(steps) }
    }

    /// The class the trigger should lead to.
    public let target: Int
    /// The trigger.
    public let trigger: Trigger
    /// Clean label: the perturbation of the target-class rows stamped; nil for a dirty-label backdoor.
    public let hardening: Hardening?

    /// Near clone: the largest distance d, in standardised units, a dirty-label poison moves toward the
    /// target class's mean before it is stamped; nil for a backdoor that does not move its rows.
    public let nearCloneDistance: Double?
    /// Near clone: the class mean each poison moves toward (`near-clone: {toward: ...}`).
    public let nearCloneDestination: NearCloneDestination

    /// Where a near-clone poison moves.
    public enum NearCloneDestination: String, Sendable, Equatable, CaseIterable {
        /// The mean of the target class's training rows (the default): at the far end one cluster on
        /// the target class's data, whose label then fits its place.
        case targetMean = "target-mean"
        /// The mean of the poison's own class's training rows: at the far end one cluster per source
        /// class, on its data, labelled as the target (clustered dirty-label poisons).
        case sourceMean = "source-mean"
    }

    /// Stamp only rows of the target class and keep every label.
    public var cleanLabel: Bool { hardening != nil }
    /// The clean-label surrogates trained so far, for the attack's other runs (a surrogate does not
    /// depend on the fraction; `TrainedModelCache`), enough for every seed of a series of a study of
    /// up to 32 seeds, whose runs come fraction by fraction, seed by seed.
    let surrogates = TrainedModelCache(capacity: 32)

    /// Reads its keys from the study, each with its default and help.
    public init(parameters: inout ParameterReader) throws {
        target = try parameters.int("target", default: 0, in: 0...1_000_000, help: "The class the trigger should lead to.")
        let kind = try parameters.string("trigger", default: "patch", oneOf: ["patch", "blend"],
                                         help: "The trigger: patch (the trigger features set to a quantile of their training values, "
                                             + "or to trigger-value; Gu et al. 2017) or blend (every feature blended with a fixed random "
                                             + "pattern inside the data's range, x ← (1 - a) x + a p; Chen et al. 2017).")
        if kind == "blend" {
            try Self.reject(["trigger-features", "trigger-quantile", "trigger-value"], in: parameters, unless: "trigger: patch")
            // a = 1 would replace every triggered row by the pattern: no row of its own is left.
            let alpha = try parameters.double("blend-alpha", default: 0.2, in: 0.001...0.999,
                                              help: "The blend ratio a of x ← (1 - a) x + a p, p drawn uniformly in each feature's "
                                                  + "training range per seed.")
            trigger = .blend(alpha: alpha)
        } else {
            try Self.reject(["blend-alpha"], in: parameters, unless: "trigger: blend")
            let features = try parameters.intList("trigger-features", default: [-3, -2, -1], in: -1_000_000...1_000_000,
                                                  help: "Feature indices the trigger sets; negative ones count from the end (-1 is the last).")
            guard !features.isEmpty else { throw parameters.error("trigger-features", "needs at least one feature") }
            let valueHelp = "A value the trigger sets on every trigger feature, instead of a quantile (it may lie outside the data)."
            if let raw = parameters.value("trigger-value", help: valueHelp) {
                let number: Double
                switch raw {
                case .int(let integer): number = Double(integer)
                case .double(let real) where real.isFinite: number = real
                default:
                    throw parameters.error("trigger-value", "expected a number (auto, the data's maximum plus 3 standard deviations, "
                        + "is gone: it lies outside the data; trigger-quantile sets a value inside it)")
                }
                if parameters.contains("trigger-quantile") {
                    throw parameters.error("trigger-quantile", "give trigger-quantile or trigger-value, not both")
                }
                parameters.record("trigger-value", .double(number))
                trigger = .patch(features: features, level: .value(number))
            } else {
                let quantile = try parameters.double("trigger-quantile", default: 0.95, in: 0...1,
                                                     help: "Each trigger feature is set to this quantile of its training values "
                                                         + "(0 its minimum, 1 its maximum), so the trigger stays inside the data.")
                trigger = .patch(features: features, level: .quantile(quantile))
            }
        }
        let clean = try parameters.bool("clean-label", default: false,
                                        help: "Stamp only rows of the target class, first made hard to learn by PGD against a surrogate "
                                            + "model, and keep every label (Turner et al. 2019).")
        if clean {
            let epsilon = try parameters.double("epsilon", default: 0.5, in: 0...100,
                                                help: "PGD radius ε of the clean-label poisons: each feature moves at most ε of its "
                                                    + "training standard deviations (L∞); 0 stamps the rows unperturbed.")
            let steps = try parameters.int("pgd-steps", default: 10, in: 1...10_000,
                                           help: "PGD iterations, each a step of 2.5 ε / pgd-steps standard deviations.")
            hardening = Hardening(epsilon: epsilon, steps: steps, knowledge: try AttackerKnowledge.read(&parameters))
            try Self.reject(["near-clone"], in: parameters, unless: "clean-label: false")
            nearCloneDistance = nil
            nearCloneDestination = .targetMean
        } else {
            try Self.reject(["epsilon", "pgd-steps", "white-box"], in: parameters, unless: "clean-label: true")
            hardening = nil
            let nearClone = try parameters.mapping("near-clone", of: "distance and toward",
                                                   help: "Near-clone poisons (Granziol 2026): each poison moves toward a class "
                                                       + "mean before it is stamped, by at most distance.") { nested in
                let distance = try nested.double("distance", in: 0...1_000_000,
                                                 help: "The most a poison moves, in standard deviations of each feature (Euclidean norm of the "
                                                     + "move in standardised units); 0 leaves the rows as they are (clones of clean rows with the "
                                                     + "trigger), a distance beyond every row's puts every poison on its class mean.")
                let towardHelp = "target-mean (the default): toward the target class's mean, where far poisons' label fits their "
                    + "place; source-mean: toward the mean of the poison's own class, so that far poisons cluster on their class's data "
                    + "with the wrong label (clustered dirty-label poisons)."
                // Read only when given, so that a study without it keeps its effective settings.
                guard nested.contains("toward") else {
                    _ = nested.value("toward", help: towardHelp)
                    return (distance, NearCloneDestination.targetMean)
                }
                let toward = try nested.string("toward", oneOf: NearCloneDestination.allCases.map(\.rawValue), help: towardHelp)
                return (distance, NearCloneDestination(rawValue: toward)!)
            }
            nearCloneDistance = nearClone?.0
            nearCloneDestination = nearClone?.1 ?? .targetMean
        }
    }

    /// Throws for the first of `keys` present in the mapping: they apply only with `setting`.
    private static func reject(_ keys: [String], in parameters: ParameterReader, unless setting: String) throws {
        if let key = keys.first(where: parameters.contains) { throw parameters.error(key, "applies only with \(setting)") }
    }

    /// "backdoor → 0", "blend backdoor → 0", "clean-label backdoor → 0 (ε 0.5)", "near-clone backdoor
    /// → 0 (d 0.5)", with the settings that differ from the defaults in parentheses (the near-clone
    /// distance, trigger features, quantile or value, blend ratio, PGD steps; ", white box" in that
    /// setting), so that two backdoors of one study are told apart.
    public var label: String { label(classNames: nil) }

    /// `label` with the target class as the data name it (`className(_:in:)`): "backdoor → cat".
    public func label(classNames: [String]?) -> String {
        var blend = false
        if case .blend = trigger { blend = true }
        var details = [String]()
        if let nearCloneDistance { details.append("d \(Self.shown(nearCloneDistance))") }
        if nearCloneDistance != nil, nearCloneDestination == .sourceMean { details.append("toward source mean") }
        switch trigger {
        case .patch(let features, let level):
            if features != [-3, -2, -1] { details.append("features \(features.map(String.init).joined(separator: ","))") }
            switch level {
            case .quantile(let q) where q != 0.95: details.append("q \(q)")
            case .value(let v): details.append("value \(v)")
            default: break
            }
        case .blend(let alpha) where alpha != 0.2: details.append("a \(alpha)")
        case .blend: break
        }
        if let hardening, hardening.steps != 10 { details.append("\(hardening.steps) steps") }
        let name = (cleanLabel ? "clean-label " : "") + (nearCloneDistance != nil ? "near-clone " : "") + (blend ? "blend " : "")
            + "backdoor → \(className(target, in: classNames))" + (details.isEmpty || hardening != nil ? "" : " (\(details.joined(separator: ", ")))")
        guard let hardening else { return name }
        return name + " (ε \(Self.shown(hardening.epsilon))" + details.map { ", " + $0 }.joined()
            + (hardening.knowledge == .whiteBox ? ", white box" : "") + ")"
    }

    /// A radius or distance for a label: "1" for a whole number, "0.5" otherwise.
    private static func shown(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? "\(Int(value))" : "\(value)"
    }

    /// The surrogate's knowledge when the attack trains one (clean label with ε > 0).
    public var knowledge: AttackerKnowledge? {
        guard let hardening, hardening.epsilon > 0 else { return nil }
        return hardening.knowledge
    }

    /// The success metrics it adds to every run.
    public var metrics: [MetricInfo] { metrics(classNames: nil) }

    /// `metrics` with the target class as the data name it.
    public func metrics(classNames: [String]?) -> [MetricInfo] {
        [MetricInfo(key: "backdoorSuccess", name: "Backdoor success",
                    meaning: "share of the test rows of other classes that, with the trigger, the model assigns to class "
                        + className(target, in: classNames),
                    hasBaseline: true)]
    }

    /// Why it cannot run on data of `classCount` classes and `featureCount` features, as its key and a sentence; nil when it can.
    public func problem(classCount: Int, featureCount: Int) -> (key: String, message: String)? {
        if target >= classCount { return ("target", "class \(target) does not exist (the data have \(classCount) classes, 0 to \(classCount - 1))") }
        if case .patch(let features, _) = trigger, let bad = features.first(where: { $0 >= featureCount || $0 < -featureCount }) {
            return ("trigger-features", "feature \(bad) does not exist (the data have \(featureCount) features, 0 to \(featureCount - 1), "
                + "or -\(featureCount) to -1 from the end)")
        }
        return nil
    }

    /// A clean-label backdoor needs training rows of its target class; a patch needs distinct trigger
    /// features of which at least one varies over the training rows (on a constant feature the
    /// quantile is the constant, and the trigger would change no row).
    public func problem(in split: TrainTestSplit) -> (key: String, message: String)? {
        let train = split.train
        if cleanLabel, !train.labels.contains(target) {
            return ("target", "class \(target) has no training rows, so a clean-label backdoor has nothing to stamp")
        }
        if nearCloneDistance != nil, nearCloneDestination == .targetMean, !train.labels.contains(target) {
            return ("target", "class \(target) has no training rows, so near-clone poisons have no class mean to move toward")
        }
        guard case .patch(let features, let level) = trigger else { return nil }
        let indices = features.map { $0 < 0 ? train.featureCount + $0 : $0 }
        if let repeated = indices.indices.first(where: { indices[..<$0].contains(indices[$0]) }) {
            return ("trigger-features", "feature \(features[repeated]) is feature \(indices[repeated]), given twice")
        }
        guard case .quantile = level, train.count > 0 else { return nil }
        let varies = indices.contains { j in
            let first = train.features[j]
            return (0..<train.count).contains { train.features[$0 * train.featureCount + j] != first }
        }
        return varies ? nil : ("trigger-features", "every trigger feature is constant over the training rows, so its quantile "
            + "is that constant and the trigger would change no row")
    }

    /// A trigger fitted to a run's training rows: exactly what it writes into a row.
    enum Stamp: Equatable {
        /// x_j ← values[k] for j = features[k] (indices from 0).
        case patch(features: [Int], values: [Float])
        /// x_j ← (1 - alpha) x_j + alpha pattern[j] for every feature j, in Float.
        case blend(alpha: Float, pattern: [Float])

        /// `data` with the trigger on `rows`, in place.
        func apply(to data: inout Dataset, rows: some Sequence<Int>) {
            let d = data.featureCount
            switch self {
            case .patch(let features, let values):
                for row in rows {
                    for (feature, value) in zip(features, values) { data.features[row * d + feature] = value }
                }
            case .blend(let alpha, let pattern):
                let keep = 1 - alpha
                for row in rows {
                    for j in 0..<d {
                        // x ← (1 - a) x + a p.
                        data.features[row * d + j] = keep * data.features[row * d + j] + alpha * pattern[j]
                    }
                }
            }
        }

        /// stamp(x̄) - x̄ for the mean x̄ of the rows of `data` (in Double, rounded to Float; the trigger
        /// is applied to x̄ in Float as to a row): the trigger's displacement of their mean, which is its
        /// mean displacement of them.
        func displacement(ofMeanOf data: Dataset) -> [Float] {
            let d = data.featureCount
            var sums = [Double](repeating: 0, count: d)
            for row in 0..<data.count {
                for j in 0..<d { sums[j] += Double(data.features[row * d + j]) }
            }
            let mean = sums.map { Float($0 / Double(max(data.count, 1))) }
            var stamped = Dataset(features: mean, labels: [0], featureCount: d, classCount: data.classCount)
            apply(to: &stamped, rows: [0])
            return zip(stamped.features, mean).map { $0 - $1 }
        }
    }

    /// The trigger for training rows `train` under `seed` (the seed only draws a blend's pattern).
    func stamp(for train: Dataset, seed: UInt64) -> Stamp {
        let d = train.featureCount
        switch trigger {
        case .patch(let features, .value(let value)):
            let indices = features.map { $0 < 0 ? d + $0 : $0 }
            return .patch(features: indices, values: indices.map { _ in Float(value) })
        case .patch(let features, .quantile(let q)):
            let indices = features.map { $0 < 0 ? d + $0 : $0 }
            return .patch(features: indices, values: indices.map { Self.quantile(Self.column($0, of: train).sorted(), q) })
        case .blend(let alpha):
            var stream = Xoshiro256StarStar(seed: seed, purpose: "backdoor-pattern")
            let pattern = (0..<d).map { j -> Float in
                let (low, high) = Self.range(of: j, in: train)
                return Float(Double(low) + stream.nextUnitDouble() * (Double(high) - Double(low)))
            }
            return .blend(alpha: Float(alpha), pattern: pattern)
        }
    }

    /// Feature `j` of every row of `data`.
    static func column(_ j: Int, of data: Dataset) -> [Float] {
        (0..<data.count).map { data.features[$0 * data.featureCount + j] }
    }

    /// The smallest and largest value of feature `j` over the rows of `data` ((0, 0) without rows).
    static func range(of j: Int, in data: Dataset) -> (low: Float, high: Float) {
        guard data.count > 0 else { return (0, 0) }
        var low = data.features[j], high = low
        for row in 1..<data.count {
            let value = data.features[row * data.featureCount + j]
            low = min(low, value)
            high = max(high, value)
        }
        return (low, high)
    }

    /// The q-quantile of ascending `sorted` values by linear interpolation (NumPy's default): with
    /// h = (n - 1) q and k = ⌊h⌋, v_k + (h - k)(v_{k+1} - v_k), in Double then rounded to Float, so
    /// it lies in [v_k, v_{k+1}] and hence in [min, max]; 0 without values.
    static func quantile(_ sorted: [Float], _ q: Double) -> Float {
        guard !sorted.isEmpty else { return 0 }
        let h = Double(sorted.count - 1) * q, k = min(Int(h.rounded(.down)), sorted.count - 1)
        guard k + 1 < sorted.count else { return sorted[k] }
        let low = Double(sorted[k]), high = Double(sorted[k + 1])
        return Float(low + (h - Double(k)) * (high - low))
    }

    /// The population standard deviation σ_j of every feature over the rows of `data`, in Double
    /// (two passes: the mean, then the mean squared deviation).
    static func standardDeviations(of data: Dataset) -> [Double] {
        let d = data.featureCount, n = Double(max(data.count, 1))
        var mean = [Double](repeating: 0, count: d), variance = [Double](repeating: 0, count: d)
        for row in 0..<data.count {
            for j in 0..<d { mean[j] += Double(data.features[row * d + j]) }
        }
        for j in 0..<d { mean[j] /= n }
        for row in 0..<data.count {
            for j in 0..<d {
                let deviation = Double(data.features[row * d + j]) - mean[j]
                variance[j] += deviation * deviation
            }
        }
        return variance.map { ($0 / n).squareRoot() }
    }

    /// The mean of the rows of class `label` in `data`, per feature, in Double (zeros without such rows).
    static func classMean(_ label: Int, of data: Dataset) -> [Double] {
        let d = data.featureCount
        var sums = [Double](repeating: 0, count: d), count = 0
        for row in 0..<data.count where data.labels[row] == label {
            count += 1
            for j in 0..<d { sums[j] += Double(data.features[row * d + j]) }
        }
        return sums.map { $0 / Double(max(count, 1)) }
    }

    /// The near-clone move of the row `x` toward `mean` by at most `distance` in the units `sd` (one
    /// standard deviation per feature): with D = √(Σ_j ((m_j - x_j) / σ_j)²) over the features with
    /// σ_j > 0, x + (distance / D) (m - x) when D > distance, else m (x itself when D = 0: the row is
    /// at the mean already); in Double, rounded to Float.
    static func nearClone(_ x: ArraySlice<Float>, toward mean: [Double], distance: Double, sd: [Double]) -> [Float] {
        var squared = 0.0
        for (j, value) in zip(mean.indices, x) where sd[j] > 0 {
            let standardised = (mean[j] - Double(value)) / sd[j]
            squared += standardised * standardised
        }
        let span = squared.squareRoot()
        guard span > distance else { return span == 0 ? Array(x) : mean.map { Float($0) } }
        let share = distance / span
        return zip(x, mean).map { value, m in Float(Double(value) + share * (m - Double(value))) }
    }

    /// Turner et al.'s perturbation of the training rows `chosen` of `train` (of the target class):
    /// `projectedGradientAscent` against the surrogate `trainer.surrogate(knowledge)` trained on
    /// `train` (or taken from `surrogates` when an earlier run of the same seed, model and rows
    /// trained it), radius ε σ_j and step 2.5 ε σ_j / steps per feature. Returns the perturbed rows
    /// [chosen.count x features] and the surrogate; nil when the surrogate's training diverged.
    func hardened(_ train: Dataset, rows chosen: [Int], hardening: Hardening, trainer: ModelTrainer)
        -> (rows: [Float], surrogate: any InputGradientClassifier)? {
        guard let trained = surrogates.model(trainer.surrogate(hardening.knowledge), on: train) else { return nil }
        let surrogate = trained.capable((any InputGradientClassifier).self)
        let sd = Self.standardDeviations(of: train), d = train.featureCount
        var bases = [Float]()
        bases.reserveCapacity(chosen.count * d)
        for row in chosen { bases.append(contentsOf: train.features[(row * d)..<((row + 1) * d)]) }
        let perturbed = projectedGradientAscent(rows: bases, labels: chosen.map { train.labels[$0] }, model: surrogate,
                                                radius: sd.map { Float(hardening.epsilon * $0) },
                                                step: sd.map { Float(hardening.stepSize * $0) }, steps: hardening.steps)
        return (perturbed, surrogate)
    }

    /// Clean-label hardening (PGD on the surrogate's loss) needs the model's input gradient.
    public var requirements: Set<ModelCapability> {
        if let hardening, hardening.epsilon > 0 { [.inputGradient] } else { [] }
    }

    /// The poisoned set holds a stamped copy of the training rows, its own labels and the poisoned
    /// rows, and the evaluation set the stamped test rows of other classes (at most every test row);
    /// while it works, the candidates, the test rows' indices and their new labels, one feature column
    /// and its sorted copy (a quantile) or the pattern (a blend), per-feature deviations, radii and
    /// steps (with near clones, the target class's mean, or each source class's, and a moved row), and with
    /// clean labels the larger of training the surrogate and the PGD (the surrogate's parameters, the
    /// poisons' rows, iterate and gradient, their labels and losses, and a workspace for all of them),
    /// plus the surrogates the attack keeps for its other runs (`TrainedModelCache.bytes`, counted full).
    public func memoryNeed(_ sizes: RunSizes) -> MemoryNeed {
        let (n, d, p) = (sizes.n, sizes.d, sizes.p)
        let testRows = datasetBytes(rows: sizes.split.testRows, features: sizes.split.features)
        let kept = datasetBytes(rows: sizes.split.trainRows, features: sizes.split.features) + 8 * p + testRows
        var working = sizes.rowIndexBytes + 2 * 8 * sizes.m + 2 * 4 * n + 4 * d + 32 * d
        if nearCloneDistance != nil { working += 8 * d * (nearCloneDestination == .sourceMean ? sizes.c : 1) + 4 * d }
        if let hardening, hardening.epsilon > 0 {
            let pgd = sizes.parameterBytes + 3 * 4 * p * d + 8 * p + 8 * p
                + sizes.model.inputGradientBytes(rows: sizes.poisonedRows)
            working += max(sizes.trainingBytes, pgd) + surrogates.bytes(sizes)
        }
        return MemoryNeed(kept: kept, working: working)
    }

    /// The poisoned training set of `split` at `fraction`, every random choice from streams of `seed`.
    public func poison(_ split: TrainTestSplit, fraction: Double, seed: UInt64, trainer: ModelTrainer) -> PoisonedTrainingSet? {
        let train = split.train, d = train.featureCount
        precondition((0...1).contains(fraction))
        let stamp = stamp(for: train, seed: seed)
        var candidates = train.labels.indices.filter { (train.labels[$0] == target) == cleanLabel }
        let asked = poisonCount(fraction: fraction, of: train.count), count = min(asked, candidates.count)
        var rowStream = Xoshiro256StarStar(seed: seed, purpose: "poison-samples")
        rowStream.choosePrefix(count, of: &candidates)
        let chosen = Array(candidates.prefix(count))
        var poisoned = train
        if let nearCloneDistance, count > 0 {
            let sd = Self.standardDeviations(of: train)
            let destinations = Set(chosen.map { nearCloneDestination == .targetMean ? target : train.labels[$0] })
            let means = Dictionary(uniqueKeysWithValues: destinations.map { ($0, Self.classMean($0, of: train)) })
            for row in chosen {
                let range = (row * d)..<((row + 1) * d), mean = means[nearCloneDestination == .targetMean ? target : train.labels[row]]!
                poisoned.features.replaceSubrange(range, with: Self.nearClone(train.features[range], toward: mean, distance: nearCloneDistance, sd: sd))
            }
        }
        if let hardening, hardening.epsilon > 0, count > 0 {
            guard let perturbed = hardened(train, rows: chosen, hardening: hardening, trainer: trainer)?.rows else { return nil }
            for (i, row) in chosen.enumerated() {
                poisoned.features.replaceSubrange((row * d)..<((row + 1) * d), with: perturbed[(i * d)..<((i + 1) * d)])
            }
        }
        stamp.apply(to: &poisoned, rows: chosen)
        if !cleanLabel {
            for row in chosen { poisoned.labels[row] = target }
        }
        let others = split.test.labels.indices.filter { split.test.labels[$0] != target }
        var triggered = split.test.rows(others)
        let displacement = stamp.displacement(ofMeanOf: triggered)
        stamp.apply(to: &triggered, rows: triggered.labels.indices)
        triggered.labels = triggered.labels.map { _ in target }
        return PoisonedTrainingSet(data: poisoned, trueLabels: train.labels, poisonedRows: chosen,
                                   evaluations: [AttackEvaluation(metric: metrics[0], inputs: triggered)], saturated: asked > candidates.count,
                                   triggered: TriggeredInputs(rows: triggered, displacement: displacement))
    }

    /// It stamps a trigger, whose response the study-level measurements can measure.
    public var hasTrigger: Bool { true }
}
