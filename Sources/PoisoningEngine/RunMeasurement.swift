import PoisoningData
import PoisoningModels
import PoisoningUtilities

/// A measurement of a run's trained model that a study asks for by name (`measure: [kind]`), beyond
/// the metrics every run records. Adding one is one file with a type conforming to this protocol,
/// plus its line in `Registry.measurements`; the runner records its metrics on every finished run,
/// and the aggregation, results.json, the tidy tables and the report pick them up by key.
public protocol RunMeasurement: Sendable {
    /// The name study files use in `measure:`, e.g. "input-curvature".
    static var kind: String { get }
    /// One sentence for help and commented study files.
    static var summary: String { get }
    /// The capabilities it needs of the run's model; a study asking for it with a model lacking one is
    /// refused when it is read.
    static var requirements: Set<ModelCapability> { get }
    /// The metrics it records on the runs of an attack that stamps a trigger (`triggered`) or not.
    static func metrics(triggered: Bool) -> [MetricInfo]
    /// Its metrics of `model`, trained in a run whose clean test rows are `test` and whose attack made
    /// `poisoned`, random choices from streams of `seed` (a metric undefined for the run is absent).
    /// `clean` gives, when asked, the model of the same series and seed at fraction 0 (the clean
    /// model a baseline is measured on), or nil where none is at hand (`cleanModelOfTheRun`).
    static func measure(_ model: any Classifier, test: Dataset, poisoned: PoisonedTrainingSet, seed: UInt64,
                        clean: () -> (any Classifier)?) -> [String: Double]
    /// The most memory measuring a run of `sizes` holds at once.
    static func memoryBytes(_ sizes: RunSizes) -> Double
    /// Reads, checks and records the options a study gives it (`measure: [{kind: k, option: value}]`)
    /// with `reader`, whose `finish()` then refuses any other key. Options set how the results are
    /// analysed, never what a run records. None by default.
    static func readOptions(_ reader: inout ParameterReader) throws
}

extension RunMeasurement {
    /// No options: every key besides `kind` is refused.
    public static func readOptions(_ reader: inout ParameterReader) throws {}
}
