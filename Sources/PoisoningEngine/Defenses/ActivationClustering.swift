/// Activation clustering (Chen et al. 2018, "Detecting backdoor attacks on deep neural networks by
/// activation clustering"): train the run's model on the poisoned set; per class, reduce the
/// centred representations to `components` principal components and split them into two clusters
/// by 2-means (Lloyd's iterations from the rows with the smallest and the largest first component);
/// when the smaller cluster holds less than `size-bound` of the class, remove it. A row's score is
/// its distance to the larger cluster's centre minus its distance to the smaller one's (higher:
/// closer to the suspicious cluster).
public struct ActivationClustering: TrainingSetDefense {
    public static let kind = "activation-clustering"
    public static let summary = "Per class, split the model's representations into two clusters and remove a small one."

    /// Principal components kept.
    public let components: Int
    /// The largest share of a class the smaller cluster may have and still be removed.
    public let sizeBound: Double

    public init(parameters: inout ParameterReader) throws {
        components = try parameters.int("components", default: 3, in: 1...1000, help: "Principal components the clustering uses.")
        sizeBound = try parameters.double("size-bound", default: 0.35, in: 0...0.5,
                                          help: "The smaller cluster is removed when it holds less than this share of its class.")
    }

    /// "activation clustering".
    public var label: String { "activation clustering" }

    /// It scores rows, so its runs record how well the scores and removals find the poisoned ones.
    public var recordedMetrics: [String] { MetricKey.detection }

    /// Scores and removes rows; while it inspects, grouping a model's representations and clustering them.
    public func memoryNeed(_ sizes: RunSizes) -> MemoryNeed {
        removingDefenseNeed(sizes, working: ClassRepresentations.bytes(sizes, components: components))
    }

    public func inspect(_ poisoned: PoisonedTrainingSet, trainer: ModelTrainer) -> DefenseDecision? {
        guard let representations = ClassRepresentations(poisoned, trainer: trainer) else { return nil }
        return decide(representations, rowCount: poisoned.data.count)
    }

    /// The scores and kept rows for representations grouped by class.
    func decide(_ representations: ClassRepresentations, rowCount: Int) -> DefenseDecision {
        var scores = [Double](repeating: 0, count: rowCount), removed = Set<Int>()
        for (rows, centred) in representations.classes where rows.count >= 2 {
            let directions = ClassRepresentations.leadingDirections(centred, width: representations.width, count: components)
            guard !directions.isEmpty else { continue }
            let points = ClassRepresentations.project(centred, width: representations.width, on: directions)
            let (assignment, centres) = twoMeans(points)
            let sizes = [assignment.filter { $0 == 0 }.count, assignment.filter { $0 == 1 }.count]
            let small = sizes[0] <= sizes[1] ? 0 : 1
            for (i, row) in rows.enumerated() {
                scores[row] = distance(points[i], centres[1 - small]) - distance(points[i], centres[small])
            }
            if Double(sizes[small]) < sizeBound * Double(rows.count) {
                for (i, row) in rows.enumerated() where assignment[i] == small { removed.insert(row) }
            }
        }
        return DefenseDecision(scores: scores, kept: scores.indices.filter { !removed.contains($0) })
    }

    /// Lloyd's 2-means from the points with the smallest and the largest first coordinate (ties: the
    /// earlier point), until the assignment repeats (at most 100 rounds).
    func twoMeans(_ points: [[Double]]) -> (assignment: [Int], centres: [[Double]]) {
        let first = points.indices.min { points[$0][0] != points[$1][0] ? points[$0][0] < points[$1][0] : $0 < $1 }!
        let last = points.indices.max { points[$0][0] != points[$1][0] ? points[$0][0] < points[$1][0] : $0 > $1 }!
        var centres = [points[first], points[last]], assignment = [Int](repeating: -1, count: points.count)
        for _ in 0..<100 {
            let next = points.map { distance($0, centres[0]) <= distance($0, centres[1]) ? 0 : 1 }
            if next == assignment { break }
            assignment = next
            for cluster in 0..<2 {
                let members = points.indices.filter { assignment[$0] == cluster }
                guard !members.isEmpty else { continue }
                centres[cluster] = (0..<points[0].count).map { j in members.reduce(0) { $0 + points[$1][j] } / Double(members.count) }
            }
        }
        return (assignment, centres)
    }

    /// Euclidean distance.
    private func distance(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    }
}
