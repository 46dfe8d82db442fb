import PoisoningAttacks
import PoisoningData
import PoisoningDefenses
import PoisoningModels
import PoisoningTheory
import PoisoningUtilities

/// The most memory one worker holds at once for `runs` runs of one series (prepared together, then
/// trained, alone or packed, and measured): every run's kept memory (its attack's and its defense's)
/// plus the largest of the attack's and the defense's working memory, measuring the study's `targets`
/// (`targetMeasurementBytes`), the training of the run's model (packed when `executeRuns` packs these
/// runs), and measuring it (its parameters, a prediction per row and a workspace, or the study's
/// `measurements` when one needs more). The clean models and targets the study keeps are counted
/// once for the whole study (`StudyDesign.trainedModels`), not here.
public func estimatedRunBytes(_ sizes: RunSizes, attack: any PoisoningAttack, defense: any TrainingSetDefense, runs: Int,
                              measurements: [any RunMeasurement.Type] = [], targets: [any TargetModel] = []) -> Double {
    let attackNeed = attack.memoryNeed(sizes), defenseNeed = defense.memoryNeed(sizes)
    let packed = (sizes.model as? NetworkShape).flatMap { runs >= packingMinimum && packable($0, widest: packingWidest) ? $0 : nil }
    let training = packed.map { packedTrainingBytes($0, rows: sizes.split.trainRows, settings: sizes.settings, runs: runs) }
        ?? sizes.trainingBytes
    let measuring = sizes.parameterBytes + max(sizes.model.evaluationBytes(rows: max(sizes.split.trainRows, sizes.split.testRows)),
                                               measurements.map { $0.memoryBytes(sizes) }.max() ?? 0)
    return Double(runs) * (attackNeed.kept + defenseNeed.kept)
        + max(attackNeed.working, defenseNeed.working, training, measuring, targetMeasurementBytes(sizes, targets: targets))
}

/// The most memory measuring `targets` for a run of `sizes` holds at once (`measureTargets`), beside
/// the models the study keeps: training the clean model, making a target (`TargetModel.workingBytes`),
/// or measuring one (a pass over the training rows for τ with a network's representation of each,
/// the test accuracy, and both models' parameters in Double for their distance); 0 without targets.
func targetMeasurementBytes(_ sizes: RunSizes, targets: [any TargetModel]) -> Double {
    guard !targets.isEmpty else { return 0 }
    let measuring = sizes.model.evaluationBytes(rows: max(sizes.split.trainRows, sizes.split.testRows))
        + 4 * sizes.n * sizes.representationWidth + 2 * 8 * Double(sizes.model.parameterCount)
    return max(sizes.trainingBytes, targets.map { $0.workingBytes(sizes) }.max()!, measuring)
}
