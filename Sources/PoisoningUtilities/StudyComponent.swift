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

/// What holds a step's working memory, for a refusal: e.g. "svm-gradient's kernel matrices over its
/// attacker's 70000 training and 70000 validation rows", and what shrinks it.
public struct MemoryHolder: Sendable, Equatable {
    /// What holds the memory.
    public let what: String
    /// What would shrink it, as advice: "they grow as the square of those rows: ...".
    public let remedy: String

    /// A holder.
    public init(what: String, remedy: String) {
        self.what = what
        self.remedy = remedy
    }
}

/// The memory a step of a run (its attack or its defense) takes, in bytes.
public struct MemoryNeed: Sendable, Equatable {
    /// What the step returns and the run keeps until its model is trained and measured (a poisoned
    /// copy of the rows, a decision and the rows it keeps).
    public var kept: Double
    /// The most the step holds at once beyond `kept` while it works (the models it trains, its
    /// scratch), or while the run's model trains as it says, or while its decision is measured.
    public var working: Double
    /// What holds `working`, named for a refusal in which it is most of a run's memory, with what
    /// would shrink it; nil when the run's model and threads are what a refusal should name.
    public var holder: MemoryHolder?

    /// A need.
    public init(kept: Double, working: Double, holder: MemoryHolder? = nil) {
        self.kept = kept
        self.working = working
        self.holder = holder
    }
}
