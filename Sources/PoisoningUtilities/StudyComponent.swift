/// A part of a study that a study file names by `kind` and configures with its own keys: a data
/// set, a model, an attack, a defense or a target model. Each is one small type; `Registry` lists them.
public protocol StudyComponent: Sendable {
    /// The `kind` a study file names it by, e.g. "class-flip".
    static var kind: String { get }
    /// One sentence on what it is, for help and commented study files.
    static var summary: String { get }
    /// Reads and checks its parameters (every key it knows, with its default and help).
    init(parameters: inout ParameterReader) throws
    /// A short name for legends and tables, e.g. "MLP 64" or "class-flip class 0 → class 1".
    var label: String { get }
    /// The keys of its settings that name files (a CSV data set's `path`): relative to the folder of
    /// the file that holds them, and moved with it (`movingStudyPaths`). None by default.
    static var pathKeys: [String] { get }
}

extension StudyComponent {
    /// None: most components name no file.
    public static var pathKeys: [String] { [] }
}

/// The memory a step of a run (its attack or its defense) takes, in bytes.
public struct MemoryNeed: Sendable, Equatable {
    /// What the step returns and the run keeps until its model is trained and measured (a poisoned
    /// copy of the rows, a decision and the rows it keeps).
    public var kept: Double
    /// The most the step holds at once beyond `kept` while it works (the models it trains, its
    /// scratch), or while the run's model trains as it says, or while its decision is measured.
    public var working: Double

    /// A need.
    public init(kept: Double, working: Double) {
        self.kept = kept
        self.working = working
    }
}
