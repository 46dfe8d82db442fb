import Foundation
import PoisoningEngine

/// The store keys of a study's runs. A key is the SHA-256 of everything that determines a run's
/// result: the engine version, a fingerprint of the data (every feature and label of the split, so
/// a CSV file edited in place gets new keys), the run's model, attack and defense settings, the
/// training settings, the poison fraction and the seed, in a study with targets (`targets:`) the
/// targets' settings, which every run measures (`RunResult.targets`), and the study's measurements
/// (`measure:`) when it names any (so a measured run is never taken for an unmeasured one, nor the
/// reverse); a study without targets or measurements keeps the keys it had. The series' index and
/// label are not in it, so adding a width or a seed to a study reuses every run it already had.
public struct RunKeys: Sendable {
    /// One key per entry of `Study.runSpecs`.
    public let keys: [String]

    /// The keys of every run of `study`.
    public init(study: Study) {
        let data = dataFingerprint(study.split)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let training = (try? encoder.encode(study.config.training)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        /// Canonical text of a component's effective settings.
        func text(_ value: ParameterValue) -> String {
            (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? value.description
        }
        let models = study.config.models.map(text), attacks = study.config.attacks.map(text), defenses = study.config.defenses.map(text)
        let targets = study.config.targets.isEmpty ? [] : ["targets \(study.config.targets.map(text).joined(separator: ", "))"]
        let measure = study.config.measure.isEmpty ? [] : ["measure \(study.config.measure.joined(separator: ","))"]
        keys = study.runSpecs.map { spec in
            let series = study.series[spec.series]
            let description = ([
                "engine \(engineVersion)", "data \(data)", "model \(models[series.model])", "attack \(attacks[series.attack])",
                "defense \(defenses[series.defense])", "training \(training)",
                "fraction \(spec.fraction.bitPattern)", "seed \(spec.seed)",
            ] + targets + measure).joined(separator: "\n")
            return SHA256.hexDigest(of: Array(description.utf8))
        }
    }
}

/// SHA-256 of the split's shapes, features (IEEE bits) and labels (64-bit), in memory order
/// (little-endian on every platform the tool builds for), hashed from the arrays in place.
func dataFingerprint(_ split: TrainTestSplit) -> String {
    var hash = SHA256()
    for part in [split.train, split.test] {
        [part.count, part.featureCount, part.classCount].withUnsafeBytes { hash.update($0) }
        part.features.withUnsafeBytes { hash.update($0) }
        part.labels.withUnsafeBytes { hash.update($0) }
    }
    return hash.hexDigest()
}
