import PoisoningData
import PoisoningModels
import PoisoningUtilities

/// Activation clustering (Chen et al. 2018, "Detecting backdoor attacks on deep neural networks by
/// activation clustering"): train the run's model on the poisoned set and, per class (the rows
/// carrying its label):
///
/// 1. Reduce the centred last-hidden-layer representations to their `components` leading principal
///    components (PCA, 10 by default as the paper's 10 dimensions). The paper uses FastICA, which
///    whitens the leading principal components (each scaled to unit variance) and then only rotates
///    them; a rotation changes no distance, so 2-means after ICA is 2-means on whitened components.
///    Whitening is what fails here: it gives the direction along which the poison stands apart the
///    same variance as every noise direction, and on the Gaussian-clusters backdoor it left the
///    poisoned class's two clusters mixed (mean silhouette about 0.1, most poisoned rows in the
///    larger cluster), where the unscaled components split them exactly (silhouette about 0.7).
/// 2. Split the reduced rows into two clusters by 2-means (Lloyd's iterations from the rows with the
///    smallest and the largest first component).
/// 3. The smaller cluster is a candidate when it holds less than `size-bound` of the class (the
///    paper's relative size) and the two clusters' mean silhouette is at least `silhouette` (two
///    clusters fit the class; the default 0.25 is where Kaufman and Rousseeuw's reading of the
///    silhouette starts to see structure).
///
/// Then exclusionary reclassification: the run's model is trained once more on the rows outside
/// every candidate cluster (one training for all classes, so that it costs at most one training a
/// run), and a candidate is confirmed when that model gives its own label to at most
/// `reclassification` times as many of its rows as it gives to the most common other class (the
/// paper's l/p ≤ T): a clean cluster, left out, is still recognised from the rest of its class; a
/// poisoned one goes to the class its rows came from. Confirmed clusters are removed.
///
/// A row's score is its distance to the larger cluster's centre minus its distance to the smaller
/// one's in the reduced space (higher: nearer the smaller cluster), in every class, whether or not its
/// split made a candidate: the detection AUROC ranks all classes' 2-means splits together, so a clean
/// class split in two adds clean rows with high scores. The method assumes that the poison
/// is the smaller part of its class. Once it is the larger part, the smaller cluster is the clean
/// one: the scores rank the poisoned rows as clean (AUROC near 0), and the clean cluster, once under
/// `size-bound`, is a candidate that exclusionary reclassification confirms, since without it its
/// class keeps only poisoned rows to recognise it from; the clean rows are removed.
public struct ActivationClustering: TrainingSetDefense {
    /// "activation-clustering".
    public static let kind = "activation-clustering"
    /// One sentence for help and commented study files.
    public static let summary = "Per class, split the model's representations, reduced by PCA (ICA's whitening mixed the clusters), "
        + "into two by 2-means; remove a small, well separated cluster that a model trained without it gives to another class."

    /// Principal components kept (at most the representation's width).
    public let components: Int
    /// The largest share of a class the smaller cluster may have and still be a candidate.
    public let sizeBound: Double
    /// The smallest mean silhouette of the two clusters for the smaller one to be a candidate.
    public let silhouette: Double
    /// T: a candidate is confirmed when its own label gets at most T times the rows the most common
    /// other class gets from the model trained without it.
    public let reclassification: Double

    /// Reads its keys from the study, each with its default and help.
    public init(parameters: inout ParameterReader) throws {
        components = try parameters.int("components", default: 10, in: 1...1000,
                                        help: "Principal components the clustering uses; the paper reduces to 10 dimensions.")
        sizeBound = try parameters.double("size-bound", default: 0.35, in: 0...0.5,
                                          help: "The smaller cluster is a candidate when it holds less than this share of its class.")
        silhouette = try parameters.double("silhouette", default: 0.25, in: -1...1,
                                           help: "The smaller cluster is a candidate when the two clusters' mean silhouette is at least this.")
        reclassification = try parameters.double("reclassification", default: 1, in: 0...1_000_000,
                                                 help: "A candidate is removed when a model trained without it gives its own label to "
                                                     + "at most this many times the rows it gives to the most common other class.")
    }

    /// "activation clustering".
    public var label: String { "activation clustering" }

    /// It scores rows, so its runs record how well the scores and removals find the poisoned ones.
    public var recordedMetrics: [String] { MetricKey.detection }

    /// Scores and removes rows; while it inspects, grouping a model's representations and clustering
    /// them (with a class's scatter matrix, its reduction, eigenvectors and Householder scratch), then,
    /// with the clusters (every row's score, the candidates' rows and their set), the list and a copy
    /// of the rows outside the candidates and training on them, or that model's parameters, a copy of
    /// the candidates' rows (at most every row), their predictions with a workspace and the set of
    /// removed rows.
    public func memoryNeed(_ sizes: RunSizes) -> MemoryNeed {
        let (n, width) = (sizes.n, sizes.representationWidth)
        let rows = datasetBytes(rows: sizes.split.trainRows, features: sizes.split.features)
        let grouping = ClassRepresentations.bytes(sizes, components: components) + 3 * 8 * width * width + 8 * 8 * width
        let clusters = 8 * n + 8 * n + 24 * n
        let retraining = sizes.rowIndexBytes + rows + sizes.trainingBytes
        let predicting = sizes.parameterBytes + rows + 8 * n + sizes.trainEvaluationBytes + 24 * n
        return removingDefenseNeed(sizes, working: max(grouping, clusters + max(retraining, predicting)))
    }

    /// It clusters the model's representations.
    public var requirements: Set<ModelCapability> { [.representation] }

    /// The defense's decision on the poisoned training set, with `trainer` for the run's model; nil when its training diverged.
    public func inspect(_ poisoned: PoisonedTrainingSet, trainer: ModelTrainer) -> DefenseDecision? {
        // The representations go once clustered.
        guard let clustering = ClassRepresentations(poisoned, trainer: trainer).map({ cluster($0, rowCount: poisoned.data.count) })
        else { return nil }
        let candidates = clustering.candidates
        guard !candidates.isEmpty else { return DefenseDecision(scores: clustering.scores, kept: Array(0..<poisoned.data.count)) }
        let excluded = Set(candidates.joined())
        let outcome = trainer.train(poisoned.data.rows((0..<poisoned.data.count).filter { !excluded.contains($0) }))
        guard outcome.divergedEpoch == nil else { return nil }
        let removed = Set(candidates.filter { rows in
            confirmed(predictions: outcome.model.predictions(on: poisoned.data.rows(rows)), label: poisoned.data.labels[rows[0]],
                      classCount: poisoned.data.classCount)
        }.joined())
        return DefenseDecision(scores: clustering.scores, kept: (0..<poisoned.data.count).filter { !removed.contains($0) })
    }

    /// Exclusionary reclassification of a candidate cluster whose rows carry `label`: whether the
    /// model trained without it gives `label` to at most T times as many of them as it gives to the
    /// most common other class (never when it gives every row its label).
    func confirmed(predictions: [Int], label: Int, classCount: Int) -> Bool {
        var counts = [Int](repeating: 0, count: classCount)
        for predicted in predictions { counts[predicted] += 1 }
        let other = counts.indices.filter { $0 != label }.map { counts[$0] }.max() ?? 0
        return other > 0 && Double(counts[label]) <= reclassification * Double(other)
    }

    /// Every row's score and the candidate clusters (each its rows, ascending) for representations
    /// grouped by class, from steps 1 to 3.
    func cluster(_ representations: ClassRepresentations, rowCount: Int) -> (scores: [Double], candidates: [[Int]]) {
        var scores = [Double](repeating: 0, count: rowCount), candidates = [[Int]]()
        for (rows, centred) in representations.classes where rows.count >= 2 {
            let points = reduced(centred, width: representations.width)
            guard points.first?.isEmpty == false else { continue }
            let (assignment, centres) = twoMeans(points)
            let sizes = [assignment.filter { $0 == 0 }.count, assignment.filter { $0 == 1 }.count]
            let small = sizes[0] <= sizes[1] ? 0 : 1
            for (i, row) in rows.enumerated() {
                scores[row] = distance(points[i], centres[1 - small]) - distance(points[i], centres[small])
            }
            if Double(sizes[small]) < sizeBound * Double(rows.count), meanSilhouette(points, assignment: assignment) >= silhouette {
                candidates.append(rows.indices.filter { assignment[$0] == small }.map { rows[$0] })
            }
        }
        return (scores, candidates)
    }

    /// Centred rows [rows x width] reduced to their projections on the leading principal components:
    /// [rows x components]; components without variance (eigenvalue not above 1e-12 of the largest)
    /// are left out, none when the rows do not vary.
    func reduced(_ centred: [Double], width: Int) -> [[Double]] {
        let eigen = ClassRepresentations.symmetricEigen(ClassRepresentations.scatter(centred, width: width), n: width)
        let largest = eigen.first?.value ?? 0
        let kept = eigen.prefix(components).filter { $0.value > 1e-12 * largest && $0.value > 0 }
        return ClassRepresentations.project(centred, width: width, on: kept.map(\.vector))
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

    /// The mean silhouette (Rousseeuw 1987) of points split into clusters 0 and 1: per point, a is its
    /// mean distance to the other points of its cluster, b its mean distance to the other cluster's,
    /// and its silhouette (b - a) / max(a, b), 0 when its cluster has no other point; -1 when a
    /// cluster is empty.
    func meanSilhouette(_ points: [[Double]], assignment: [Int]) -> Double {
        let sizes = [assignment.filter { $0 == 0 }.count, assignment.filter { $0 == 1 }.count]
        guard sizes[0] > 0, sizes[1] > 0 else { return -1 }
        var total = 0.0
        for (i, point) in points.enumerated() {
            var sums = [0.0, 0.0]
            for (j, other) in points.enumerated() where j != i { sums[assignment[j]] += distance(point, other) }
            let own = assignment[i]
            guard sizes[own] > 1 else { continue }
            let a = sums[own] / Double(sizes[own] - 1), b = sums[1 - own] / Double(sizes[1 - own])
            let largest = max(a, b)
            if largest > 0 { total += (b - a) / largest }
        }
        return total / Double(points.count)
    }

    /// Euclidean distance.
    private func distance(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    }
}
