import Foundation
import PoisoningEngine

/// The settings of a study that decide what its numbers mean, as far as its file says: two studies
/// that differ in them are not replications of one experiment (`settingDifferences`).
public struct ComparedSettings: Sendable, Equatable {
    /// The data set's kind, e.g. "gaussian-clusters" or "digits".
    public let dataKind: String
    /// The classes: chance accuracy is 1 / classes.
    public let classCount: Int
    /// The data set's whole block as canonical text; nil when the file does not give it (the
    /// published format, whose data is read as samples, classes and a train fraction).
    public let data: String?
    /// Training, e.g. "200 epochs, batch 64, learning rate 0.05"; nil when the file does not say.
    public let training: String?
    /// The attacks' kinds, e.g. "random-label-flip"; nil when the file does not say.
    public let attacks: String?
    /// The defenses' kinds, e.g. "none"; nil when the file does not say.
    public let defenses: String?

    /// Settings from their parts.
    public init(dataKind: String, classCount: Int, data: String? = nil, training: String? = nil, attacks: String? = nil,
                defenses: String? = nil) {
        self.dataKind = dataKind
        self.classCount = classCount
        self.data = data
        self.training = training
        self.attacks = attacks
        self.defenses = defenses
    }

    /// The settings of a make-report study's configuration, with `classCount` classes.
    init(_ config: StudyConfig, classCount: Int) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let kinds = { (components: [ParameterValue]) in
            components.map { component -> String in
                if case .string(let kind)? = component.value(at: "kind") { return kind }
                return "?"
            }.joined(separator: ", ")
        }
        let kind: String = if case .string(let kind)? = config.data.value(at: "kind") { kind } else { "?" }
        let training = config.training
        self.init(dataKind: kind, classCount: classCount,
                  data: (try? encoder.encode(config.data)).map { String(decoding: $0, as: UTF8.self) },
                  training: "\(training.epochs) epochs, batch \(training.batchSize), learning rate \(training.learningRate)",
                  attacks: kinds(config.attacks), defenses: kinds(config.defenses))
    }

    /// The data set as a difference names it: its kind, classes and chance accuracy.
    var dataText: String { "\(dataKind), \(classCount) classes, chance \(fixed(1 / Double(classCount), decimals: 3))" }
}

/// The settings in which the studies `first` and `second` differ, each as "name (first vs second)":
/// data, training, attack and defense, each compared only where both files give it. Empty for
/// studies on the same settings.
public func settingDifferences(_ first: ComparedSettings, _ second: ComparedSettings) -> [String] {
    var differences = [String]()
    if first.dataKind != second.dataKind || first.classCount != second.classCount {
        differences.append("data (\(first.dataText) vs \(second.dataText))")
    } else if let a = first.data, let b = second.data, a != b {
        differences.append("data (\(first.dataKind) with other parameters: \(a) vs \(b))")
    }
    for (name, a, b) in [("training", first.training, second.training), ("attack", first.attacks, second.attacks),
                         ("defense", first.defenses, second.defenses)] {
        if let a, let b, a != b { differences.append("\(name) (\(a) vs \(b))") }
    }
    return differences
}

/// Why the studies cannot be compared as replications, in one line, or nil: their data sets differ
/// in kind, or in classes and so in the chance accuracy every accuracy is read against.
public func differentExperimentReason(_ first: ComparedSettings, _ second: ComparedSettings) -> String? {
    guard first.dataKind != second.dataKind || first.classCount != second.classCount else { return nil }
    return "the files hold studies on different data (\(first.dataText) vs \(second.dataText)), so their accuracies are not "
        + "replications of one another"
}
