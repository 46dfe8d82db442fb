import PoisoningEngine

/// One small study for every (model, attack, defense) triple of the registry, each kind with its
/// defaults (an MLP of 4 hidden units, and the clean-label backdoor beside the dirty-label one), on
/// 60 rows of 4 features in 3 classes, at fractions 0 and 0.2, one seed, two epochs: what the
/// conformance tests run, read back and refuse.
public enum ConformanceStudies {
    /// A triple's kinds and its study.
    public struct Triple: Sendable {
        /// The model's kind.
        public let model: String
        /// The attack's kind (with " (clean-label)" for the clean-label backdoor).
        public let attack: String
        /// The defense's kind.
        public let defense: String
        /// The study of the triple.
        public let config: StudyConfig
    }

    /// The tiny data set.
    public static let data = StudyConfig.component(GaussianClusters.kind, ["samples": .int(60), "features": .int(4), "classes": .int(3)])

    /// Every registered model with its defaults (an MLP needs its widths).
    public static var models: [(kind: String, value: ParameterValue)] {
        Registry.models.map { ($0.kind, $0.kind == MLP.kind ? StudyConfig.mlp(4) : StudyConfig.component($0.kind)) }
    }

    /// The target of every study with gradient canceling (`targets`), which that attack names.
    public static let target = StudyConfig.component(GradPCTarget.kind, ["eps-w": .double(0.5)])

    /// Every registered attack with its defaults (gradient canceling aims at `target`), and the clean-label backdoor.
    public static var attacks: [(kind: String, value: ParameterValue)] {
        Registry.attacks.map {
            ($0.kind, $0.kind == GradientCanceling.kind ? StudyConfig.component($0.kind, ["target": .string("gradpc 0.5")]) : StudyConfig.component($0.kind))
        }
            + [(Backdoor.kind + " (clean-label)", StudyConfig.component(Backdoor.kind, ["clean-label": .bool(true)]))]
    }

    /// Every registered defense with its defaults.
    public static var defenses: [(kind: String, value: ParameterValue)] {
        Registry.defenses.map { ($0.kind, StudyConfig.component($0.kind)) }
    }

    /// The study of one model, attack and defense.
    public static func config(model: ParameterValue, attack: ParameterValue, defense: ParameterValue) -> StudyConfig {
        StudyConfig(data: data, models: [model], attacks: [attack], defenses: [defense], fractions: [0, 0.2], seeds: [3],
                    training: TrainingSettings(epochs: 2, batchSize: 16),
                    targets: attack.value(at: "kind") == .string(GradientCanceling.kind) ? [target] : [])
    }

    /// Every triple, model-major, then attack, then defense.
    public static var all: [Triple] {
        models.flatMap { model in
            attacks.flatMap { attack in
                defenses.map { defense in
                    Triple(model: model.kind, attack: attack.kind, defense: defense.kind,
                           config: config(model: model.value, attack: attack.value, defense: defense.value))
                }
            }
        }
    }
}
