/// The attacks a study can sweep, by the name results record. Each case maps to one
/// `PoisoningAttack` type.
public enum AttackKind: String, Sendable, Codable, CaseIterable {
    /// `RandomLabelFlip`, the reference study's attack.
    case randomLabelFlip = "random-label-flip"

    /// The attack implementation.
    public var attack: any PoisoningAttack {
        switch self {
        case .randomLabelFlip: RandomLabelFlip()
        }
    }
}

/// Everything that determines a study's results: the data, the attack, the sweep and training.
/// Two studies with equal configurations produce byte-identical `results.json`.
public struct StudyConfig: Sendable, Codable, Equatable {
    /// The synthetic data set and its train/test split.
    public var data: GaussianClusters
    /// The poisoning attack applied to the training labels.
    public var attack: AttackKind
    /// Hidden widths of the MLPs.
    public var widths: [Int]
    /// Poison fractions, in [0, 1].
    public var fractions: [Double]
    /// Seeds; each drives initialisation, shuffling and the choice of poisoned rows.
    public var seeds: [UInt64]
    /// SGD settings.
    public var training: TrainingSettings

    /// A configuration; the defaults are the reference study's (81 runs).
    public init(data: GaussianClusters = GaussianClusters(), attack: AttackKind = .randomLabelFlip,
                widths: [Int] = [32, 64, 128],
                fractions: [Double] = [0, 0.01, 0.05, 0.10, 0.15, 0.20, 0.30, 0.40, 0.50],
                seeds: [UInt64] = [42, 123, 7], training: TrainingSettings = TrainingSettings()) {
        self.data = data
        self.attack = attack
        self.widths = widths
        self.fractions = fractions
        self.seeds = seeds
        self.training = training
    }

    /// The runs of the sweep, fraction-major, then width, then seed.
    public var runSpecs: [RunSpec] {
        fractions.flatMap { fraction in
            widths.flatMap { width in seeds.map { RunSpec(fraction: fraction, width: width, seed: $0) } }
        }
    }

    /// Every reason this configuration cannot run, each naming the command-line option at fault;
    /// empty when it is valid.
    public func problems() -> [ConfigProblem] {
        var found = [ConfigProblem]()
        func check(_ ok: Bool, _ option: String, _ message: String) {
            if !ok { found.append(ConfigProblem(option: option, message: message)) }
        }
        check(!widths.isEmpty, "widths", "needs at least one width")
        check(widths.allSatisfy { (1...65_536).contains($0) }, "widths", "each width must be between 1 and 65536")
        check(Set(widths).count == widths.count, "widths", "widths must not repeat")
        check(!fractions.isEmpty, "fractions", "needs at least one fraction")
        check(fractions.allSatisfy { (0...1).contains($0) }, "fractions", "each fraction must lie in [0, 1]")
        check(Set(fractions).count == fractions.count, "fractions", "fractions must not repeat")
        check(!seeds.isEmpty, "seeds", "needs at least one seed")
        check(Set(seeds).count == seeds.count, "seeds", "seeds must not repeat")
        check(training.epochs >= 1, "epochs", "must be at least 1")
        check(training.batchSize >= 1, "batch-size", "must be at least 1")
        check(training.learningRate > 0 && training.learningRate.isFinite, "lr", "must be a positive number")
        check(data.features >= 1, "features", "must be at least 1")
        check(data.classes >= 2, "classes", "needs at least 2 classes")
        check(data.clusterStd >= 0 && data.clusterStd.isFinite, "cluster-std", "must be a non-negative number")
        check(data.centerScale >= 0 && data.centerScale.isFinite, "center-scale", "must be a non-negative number")
        check(data.samples >= 2 && data.samples <= 10_000_000, "samples", "must be between 2 and 10000000")
        let trainCount = data.trainCount
        check(data.trainFraction > 0 && data.trainFraction < 1 && trainCount >= 1 && trainCount < data.samples,
              "train-fraction", "must leave at least one training and one test sample (0 < fraction < 1)")
        return found
    }
}

/// One reason a configuration is invalid.
public struct ConfigProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The command-line option (without dashes) whose value is at fault, e.g. "batch-size".
    public let option: String
    /// What is wrong with it.
    public let message: String

    /// "--option: message".
    public var description: String { "--\(option): \(message)" }
}

/// One cell of the sweep: a model width trained with one seed at one poison fraction.
public struct RunSpec: Sendable, Codable, Equatable, Hashable {
    /// Poison fraction.
    public let fraction: Double
    /// Hidden width.
    public let width: Int
    /// Seed of the run's random streams.
    public let seed: UInt64
}
