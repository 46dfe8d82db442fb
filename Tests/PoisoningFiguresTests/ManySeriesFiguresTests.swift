import Foundation
import Testing
import Plotting
import PoisoningAnalysis
import PoisoningEngine
import TestSupport
@testable import PoisoningFigures

/// Every figure of a 30-series study, of a study of 12 models and 4 attacks, and of the committed
/// examples: at most 2,400 pixels wide and 3,000 high at 150 dpi and at most twice as high as wide, no
/// two texts overlapping, every text on the canvas, no panel title shortened, every direct label by
/// its own point and clear of the bars, one colour per model and defense across the figures,
/// and no two series of a panel or entries of a legend in one style. Set FIGURE_PREVIEW_DIR to a folder to have the examples' test write
/// each figure there as PNG (`<example>-<figure>.png`) for a reader to look at.
struct ManySeriesFiguresTests {
    static let fractions = [0, 0.1, 0.2, 0.3, 0.4, 0.5]

    /// 2 models × 3 attacks (random label flip, class flip class 0 → class 1, backdoor → 0) × 5 defenses (none, loss
    /// filter, k-NN filter, activation clustering, weight decay) = 30 series, two seeds, with made-up
    /// metrics and no training: test accuracy follows a sigmoid whose midpoint moves by 0.03 per
    /// defense and 0.02 per model (seed 1 +0.01, seed 2 -0.01); every attack's success metric rises
    /// with the fraction from 0.1 at 0, its slope 0.01 lower per model (so that its excess over the
    /// clean model differs between models); the sanitisers score rows with AUROC
    /// 0.9 - fraction, 0.01 lower per model (so that no two models have the same curves).
    static func thirtySeries() throws -> StudyResults {
        let config = StudyConfig(
            models: [StudyConfig.mlp(8), StudyConfig.mlp(16)],
            attacks: [StudyConfig.component(RandomLabelFlip.kind),
                      StudyConfig.component(ClassFlip.kind, ["source": .int(0), "target": .int(1)]),
                      StudyConfig.component(Backdoor.kind, ["target": .int(0)])],
            defenses: [NoDefense.kind, LossFilter.kind, KNNFilter.kind, ActivationClustering.kind, WeightDecay.kind]
                .map { StudyConfig.component($0) },
            fractions: fractions, seeds: [1, 2], training: TrainingSettings(epochs: 5),
            analysis: AnalysisSettings(replicates: 200))
        return try madeUp(config, sanitisers: [1, 2, 3])
    }

    /// 12 models (MLPs of widths 4 to 48) × 4 attacks (random label flip, class flip class 0 → class 1, backdoor → 0,
    /// confident flip) × 2 defenses (none, loss filter) = 96 series, made up as `thirtySeries()`'s
    /// (the loss filter scores rows), two seeds.
    static func manyModels() throws -> StudyResults {
        let config = StudyConfig(
            models: (1...12).map { StudyConfig.mlp(4 * $0) },
            attacks: [StudyConfig.component(RandomLabelFlip.kind),
                      StudyConfig.component(ClassFlip.kind, ["source": .int(0), "target": .int(1)]),
                      StudyConfig.component(Backdoor.kind, ["target": .int(0)]),
                      StudyConfig.component(ConfidentFlip.kind)],
            defenses: [NoDefense.kind, LossFilter.kind].map { StudyConfig.component($0) },
            fractions: fractions, seeds: [1, 2], training: TrainingSettings(epochs: 5),
            analysis: AnalysisSettings(replicates: 200))
        return try madeUp(config, sanitisers: [1])
    }

    /// Results of `config` without training, made up as `thirtySeries()` describes.
    static func madeUp(_ config: StudyConfig, sanitisers: Set<Int>) throws -> StudyResults {
        let study = try Study(config)
        let runs = study.runSpecs.map { spec -> RunResult in
            let series = study.series[spec.series]
            let noise = spec.seed == 1 ? 0.01 : -0.01
            let curve = SigmoidParameters(amplitude: 0.7, steepness: 12,
                                          midpoint: 0.25 + 0.03 * Double(series.defense) - 0.02 * Double(series.model), floor: 0.2)
            let test = curve.value(at: spec.fraction) + noise
            var metrics = [MetricKey.testAccuracy: test, MetricKey.trainAccuracy: 1 - spec.fraction * 0.3,
                           MetricKey.trainCleanAccuracy: 0.95, MetricKey.generalizationGap: 1 - spec.fraction * 0.3 - test,
                           MetricKey.finalLoss: 0.2]
            for metric in study.attacks[series.attack].metrics {
                let rate = min(1, 0.1 + (1.5 - 0.01 * Double(series.model)) * spec.fraction + noise)
                metrics[metric.key] = rate
                if metric.hasBaseline {
                    metrics[metric.baseline.key] = 0.1 + noise
                    metrics[metric.excess.key] = rate - (0.1 + noise)
                }
            }
            if sanitisers.contains(series.defense) && spec.fraction > 0 {
                metrics[MetricKey.removedFraction] = 0.1
                let model = 0.01 * Double(series.model)
                metrics[MetricKey.detectionAUROC] = 0.9 - spec.fraction - model
                metrics[MetricKey.detectionPrecision] = 0.8 - spec.fraction - model
                metrics[MetricKey.detectionRecall] = 0.5 - model
                metrics[MetricKey.detectionTPRAt5FPR] = 0.6 - spec.fraction - model
            }
            let poisoned = poisonCount(fraction: spec.fraction, of: study.split.train.count)
            return RunResult(fraction: spec.fraction, series: spec.series, seed: spec.seed, poisonedCount: poisoned,
                             realisedFraction: Double(poisoned) / Double(study.split.train.count), metrics: metrics, divergence: nil)
        }
        return StudyResults(study: study, runs: runs, toolVersion: "test")
    }

    /// The committed results.json of every example and of the reference study, by example name.
    static func committedResults() throws -> [(name: String, results: StudyResults)] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let examples = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("examples").path).sorted()
        let files = [("reference", root.appendingPathComponent("output/results.json"))]
            + examples.map { ($0, root.appendingPathComponent("examples/\($0)/output/results.json")) }
        return try files.filter { FileManager.default.fileExists(atPath: $0.1.path) }.map { name, file in
            (name, try JSONDecoder().decode(StudyResults.self, from: Data(contentsOf: file)))
        }
    }

    /// The failures of one rendered figure: wider than 2,400 pixels or higher than 3,000 at 150 dpi,
    /// or more than twice as high as wide, two texts overlapping (exact rectangle intersection), a
    /// text off the canvas, a shortened panel title, a legend covering a marker or a reference line, a
    /// point of a panel without its direct label (its text or its key, in the panel), a label without
    /// a leader line as near another marker as its own (within 4 points, a marker's radius), two leader
    /// lines crossing (or one crossing another label or marker), a label covering a marker (any series' marker, its own too), a label crossing
    /// a bar (vertical or horizontal) or a data line, a label crossing a reference line without a white backing, a marker nearer than
    /// 12 points to the frame along an axis whose range was fitted, two series with markers or two
    /// legend entries in one style (colour, line style and marker).
    static func layoutFailures(_ figure: StudyFigure, _ rendered: RenderedChart) -> [String] {
        var failures = [String]()
        let pixels = (rendered.canvas.width * 150 / 72).rounded(), height = (rendered.canvas.height * 150 / 72).rounded()
        if pixels > 2400 { failures.append("\(figure.name) is \(pixels) px wide") }
        if height > 3000 || height > 2 * pixels { failures.append("\(figure.name) is \(pixels) × \(height) px") }
        for area in rendered.transforms.map(\.area) {
            for box in rendered.textBoxes where box.rect.maxY <= area.y && box.rect.maxY > area.y - 40
                && box.rect.x >= area.x && box.rect.maxX <= area.maxX && box.text.hasSuffix("…") {
                failures.append("\(figure.name): the panel title line '\(box.text)' is shortened")
            }
        }
        // Review s7: a figure title cut with "…" ("…benign_fibroadenoma_tis…") left the attack's full name nowhere.
        for box in rendered.textBoxes where rendered.titleBox.contains(Point(box.rect.x + box.rect.width / 2, box.rect.y + box.rect.height / 2))
            && box.text.hasSuffix("…") {
            failures.append("\(figure.name): the title line '\(box.text)' is shortened")
        }
        // Review s7: panel titles broke words mid-way without a hyphen ("malignant_ductal_carci" / "noma", "(k =" / "10)"):
        // every word of a title line is a word of the title, or a piece of one that ends in "-" or "_" or follows such a piece.
        for (panel, transform) in zip(figure.chart.panels, rendered.transforms) {
            guard let title = panel.title else { continue }
            let words = Set(title.split(separator: " ").map { String($0).trimmingCharacters(in: [","]) })
            var continues = false
            for line in wrapped(title, width: transform.area.width, size: 10.5, maxLines: .max, font: rendered.canvas.font) {
                let tokens = line.split(separator: " ").map { String($0).trimmingCharacters(in: [","]) }
                for (index, token) in tokens.enumerated() where !words.contains(token) && !token.hasSuffix("-") && !token.hasSuffix("_")
                    && !(index == 0 && continues) {
                    failures.append("\(figure.name): the panel title '\(title)' breaks at '\(token)' without a hyphen")
                }
                continues = tokens.last.map { !words.contains($0) && ($0.hasSuffix("-") || $0.hasSuffix("_")) } ?? false
                // A parenthesised group as narrow as the panel stays on one line.
                let groups = title.matches(of: /\([^()]*\)/).map { String(title[$0.range]) }
                if line.filter({ $0 == "(" }).count != line.filter({ $0 == ")" }).count
                    && groups.allSatisfy({ rendered.canvas.font.width(of: $0, size: 10.5) <= transform.area.width }) {
                    failures.append("\(figure.name): the panel title '\(title)' breaks a parenthesis at '\(line)'")
                }
            }
        }
        let legendStyles = figure.chart.legend.map {
            "\($0.color) \(String(describing: $0.line)) \(String(describing: $0.marker)) \(String(describing: $0.swatch)) \($0.filled)"
        }
        if Set(legendStyles).count != legendStyles.count { failures.append("\(figure.name): two legend entries share a style") }
        let boxes = rendered.textBoxes
        for (i, a) in boxes.enumerated() {
            for b in boxes[(i + 1)...] where a.rect.intersects(b.rect) {
                failures.append("\(figure.name): '\(a.text)' \(a.rect) overlaps '\(b.text)' \(b.rect)")
            }
            let canvas = Rect(x: 0, y: 0, width: rendered.canvas.width, height: rendered.canvas.height)
            if a.rect.x < canvas.x || a.rect.y < canvas.y || a.rect.maxX > canvas.maxX || a.rect.maxY > canvas.maxY {
                failures.append("\(figure.name): '\(a.text)' \(a.rect) leaves the canvas")
            }
        }
        if let legend = rendered.legendBox {
            for (panel, transform) in zip(figure.chart.panels, rendered.transforms) {
                for series in panel.series where series.marker != nil
                    && series.points.contains(where: { legend.contains(transform.device($0)) }) {
                    failures.append("\(figure.name): the legend covers a point of \(series.label)")
                }
                for line in panel.referenceLines {
                    let crosses = line.orientation == .horizontal
                        ? (legend.y...legend.maxY).contains(transform.deviceY(line.value)) && legend.intersects(transform.area)
                        : (legend.x...legend.maxX).contains(transform.deviceX(line.value)) && legend.intersects(transform.area)
                    if crosses { failures.append("\(figure.name): the legend covers the reference line at \(line.value)") }
                }
            }
        }
        for (index, (panel, transform)) in zip(figure.chart.panels, rendered.transforms).enumerated() {
            let area = transform.area
            for label in panel.labels where area.contains(transform.device(label.point)) {
                let named = boxes.contains { box in
                    area.contains(Point(box.rect.x, box.rect.y)) && (box.text == label.text || box.text == label.key
                        || (box.text.hasSuffix("…") && label.text.hasPrefix(box.text.dropLast())))
                }
                // A label with no room anywhere is left out of the plot and named in the caption's key (`unlabelledKey`).
                let keyed = figure.caption.contains("for want of room") && figure.caption.contains(label.text)
                if !named && !keyed { failures.append("\(figure.name): panel \(index + 1)'s point '\(label.text)' has no label") }
            }
            let marked = panel.series.filter { $0.marker != nil }
            let styles = Set(marked.map { "\($0.color) \(String(describing: $0.line)) \(String(describing: $0.marker)) \($0.filled)" })
            if styles.count != marked.count { failures.append("\(figure.name): two series of panel \(index + 1) share a style") }
            // Two series of markers at the same points, with the same bars, would hide one behind the other.
            for (i, a) in marked.enumerated() {
                for b in marked[(i + 1)...] where !a.points.isEmpty && a.points == b.points
                    && a.points.indices.allSatisfy({ a.bar($0) == b.bar($0) }) {
                    failures.append("\(figure.name): '\(a.label)' and '\(b.label)' of panel \(index + 1) hide one another")
                }
            }
            // Every label names its own point (no other marker drawn is as near its box) and no bar crosses it.
            let drawn = zip(panel.series, rendered.points[index])
            let markers = drawn.filter { $0.0.marker != nil }.flatMap(\.1)
            let bars = drawn.flatMap { series, points in
                series.points.indices.compactMap { i in
                    series.bar(i).map { bar in
                        Rect(x: points[i].x - 0.5, y: transform.deviceY(bar.upperBound), width: 1,
                             height: transform.deviceY(bar.lowerBound) - transform.deviceY(bar.upperBound))
                    }
                }
            }
            // Horizontal bars (`Series.xIntervals`) through their points, with the point each runs through.
            let horizontalBars = drawn.flatMap { series, points in
                series.points.indices.compactMap { i in
                    series.xIntervals?[i].map { bar in
                        let shift = points[i].x - transform.deviceX(series.points[i].x)
                        return (point: points[i], box: Rect(x: transform.deviceX(bar.lowerBound) + shift, y: points[i].y - 0.5,
                                                            width: transform.deviceX(bar.upperBound) - transform.deviceX(bar.lowerBound), height: 1))
                    }
                }
            }
            // Every marker drawn, as the square it fills.
            let markerSquares = drawn.flatMap { series, points in
                series.marker == nil ? [] : points.map { point in
                    Rect(x: point.x - series.markerSize / 2, y: point.y - series.markerSize / 2, width: series.markerSize, height: series.markerSize)
                }
            }
            // Reference lines (x = 0, y = 0, chance) as the thin strips they are drawn in.
            let lines = panel.referenceLines.map { line in
                line.orientation == .horizontal
                    ? Rect(x: area.x, y: transform.deviceY(line.value) - 0.5, width: area.width, height: 1)
                    : Rect(x: transform.deviceX(line.value) - 0.5, y: area.y, width: 1, height: area.height)
            }
            let placedLabels = rendered.labels[index]
            // Each leader line as drawn-to: from 6 points out from its marker to the box's nearest point.
            let leaderSegments = placedLabels.map { placed -> (Point, Point)? in
                guard placed.leader else { return nil }
                let end = Point(min(max(placed.point.x, placed.box.x), placed.box.maxX), min(max(placed.point.y, placed.box.y), placed.box.maxY))
                let length = hypot(end.x - placed.point.x, end.y - placed.point.y)
                return (Point(placed.point.x + 6 / length * (end.x - placed.point.x), placed.point.y + 6 / length * (end.y - placed.point.y)), end)
            }
            for (i, first) in leaderSegments.enumerated() {
                for (j, second) in leaderSegments.enumerated() where j > i {
                    if let first, let second, segmentsCross(first, second) {
                        failures.append("\(figure.name): the leader lines of '\(placedLabels[i].text)' and '\(placedLabels[j].text)' cross")
                    }
                }
            }
            // The brute-force reference check of every pair: leader lines, label boxes, markers and bars with their caps.
            // Each bar as its stroke (1 point wide) and its two caps (5 points across, 1 point wide), as drawn.
            let barStrokes = drawn.flatMap { series, points in
                series.points.indices.flatMap { i -> [Rect] in
                    var strokes = [Rect]()
                    if let bar = series.bar(i) {
                        let top = transform.deviceY(bar.upperBound), bottom = transform.deviceY(bar.lowerBound), x = points[i].x
                        strokes += [Rect(x: x - 0.5, y: top, width: 1, height: bottom - top),
                                    Rect(x: x - 3, y: top - 0.5, width: 6, height: 1), Rect(x: x - 3, y: bottom - 0.5, width: 6, height: 1)]
                    }
                    if let bar = series.xIntervals?[i] ?? nil {
                        let shift = points[i].x - transform.deviceX(series.points[i].x), y = points[i].y
                        let left = transform.deviceX(bar.lowerBound) + shift, right = transform.deviceX(bar.upperBound) + shift
                        strokes += [Rect(x: left, y: y - 0.5, width: right - left, height: 1),
                                    Rect(x: left - 0.5, y: y - 3, width: 1, height: 6), Rect(x: right - 0.5, y: y - 3, width: 1, height: 6)]
                    }
                    return strokes
                }
            }
            // Every data line as the segments drawn between its points (review r22e M1: "λ 1" was drawn through its own line).
            let dataLines = drawn.filter { $0.0.line != nil }.flatMap { _, points in Array(zip(points, points.dropFirst())) }
            failures += Chart.labelConflicts(placedLabels, markers: markerSquares, bars: barStrokes, dataLines: dataLines)
                .map { "\(figure.name): \($0)" }
            for (labelIndex, placed) in placedLabels.enumerated() {
                // Without a leader, every other marker is farther from the label than its own by more than a marker's radius (4 points).
                let own = placed.box.distance(to: placed.point)
                if !placed.leader && markers.filter({ $0 != placed.point && placed.box.distance(to: $0) <= own + 4 }).count > 0 {
                    failures.append("\(figure.name): label '\(placed.text)' is about as near another marker as its own")
                }
                if bars.contains(where: placed.box.intersects) || horizontalBars.contains(where: { placed.box.intersects($0.box) }) {
                    failures.append("\(figure.name): a bar crosses label '\(placed.text)'")
                }
                if let marker = markerSquares.first(where: placed.box.intersects) {
                    failures.append("\(figure.name): label '\(placed.text)' \(placed.box) covers the marker at \(marker)")
                }
                // A label across a reference line stands on white, which interrupts the line.
                if lines.contains(where: placed.box.intersects) && !placed.backed {
                    failures.append("\(figure.name): a reference line crosses label '\(placed.text)'")
                }
                guard placed.leader else { continue }
                // A leader line, from beyond its marker to the label, crosses no other label or marker (it may
                // cross a bar, a thin line it meets at an angle, where a crowded panel leaves it no other way).
                let end = Point(min(max(placed.point.x, placed.box.x), placed.box.maxX), min(max(placed.point.y, placed.box.y), placed.box.maxY))
                let length = hypot(end.x - placed.point.x, end.y - placed.point.y)
                let samples = stride(from: 6.0, through: length, by: 1).map { distance in
                    Point(placed.point.x + distance / length * (end.x - placed.point.x), placed.point.y + distance / length * (end.y - placed.point.y))
                }
                var others: [Rect] = placedLabels.enumerated().filter { $0.offset != labelIndex }.map(\.element.box)
                others += drawn.flatMap { series, points -> [Rect] in
                    series.marker == nil ? [] : points.filter { $0 != placed.point }.map { point in
                        Rect(x: point.x - series.markerSize / 2, y: point.y - series.markerSize / 2, width: series.markerSize,
                             height: series.markerSize)
                    }
                }
                if samples.contains(where: { sample in others.contains { $0.contains(sample) } }) {
                    failures.append("\(figure.name): the leader line of '\(placed.text)' crosses another label or marker")
                }
            }
            for series in panel.series where series.marker != nil {
                for point in series.points.map(transform.device) {
                    let near = (figure.chart.x.range == nil && min(point.x - area.x, area.maxX - point.x) < 12 - 1e-6)
                        || (figure.chart.y.range == nil && min(point.y - area.y, area.maxY - point.y) < 12 - 1e-6)
                    if near { failures.append("\(figure.name): a marker of \(series.label) at \(point) is within 12 points of the frame") }
                }
            }
        }
        return failures
    }

    /// Whether the segments `first` and `second` (device points) cross or touch: each one's ends lie on
    /// opposite sides of (or on) the other's line, by the signs of cross products.
    static func segmentsCross(_ first: (Point, Point), _ second: (Point, Point)) -> Bool {
        func side(_ a: Point, _ b: Point, _ c: Point) -> Double { (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x) }
        let d1 = side(second.0, second.1, first.0), d2 = side(second.0, second.1, first.1)
        let d3 = side(first.0, first.1, second.0), d4 = side(first.0, first.1, second.1)
        return d1 * d2 <= 0 && d3 * d4 <= 0 && !(d1 == 0 && d2 == 0)
    }

    /// The leader-line check's crossing test: an X crosses, segments that only touch at an end
    /// count, parallel or apart segments do not.
    @Test func segmentsCrossAsGeometrySays() {
        #expect(Self.segmentsCross((Point(0, 0), Point(10, 10)), (Point(0, 10), Point(10, 0))))
        #expect(Self.segmentsCross((Point(0, 0), Point(10, 10)), (Point(10, 10), Point(20, 0))))
        #expect(!Self.segmentsCross((Point(0, 0), Point(10, 0)), (Point(0, 1), Point(10, 1))))
        #expect(!Self.segmentsCross((Point(0, 0), Point(4, 4)), (Point(0, 10), Point(10, 0))))
    }

    let font: Font
    init() throws { font = try Font() }

    @Test func thirtySeriesFiguresFitAndNoTextsOverlap() throws {
        let results = try Self.thirtySeries()
        #expect(results.series.count == 30)
        let figures = studyFigures(results)
        // Review s7: split by height (at most 620 points, so report.tex prints the 9-point text at 7 points); train vs test's
        // 30 panels are 4 pages of 2 rows of 4, on one y and one x range.
        // Review r22c: with the attacks and defenses in headers rather than two-line panel titles, the grids of 5 rows take
        // 2 pages, and the detection figures' 3 rows of metrics one.
        #expect(figures.map(\.name) == ["accuracy_vs_poison_part1", "accuracy_vs_poison_part2",
                                         "generalization_gap_part1", "generalization_gap_part2",
                                         "train_vs_test_part1", "train_vs_test_part2", "train_vs_test_part3", "train_vs_test_part4",
                                         "attack_success_part1", "attack_success_part2", "defense_tradeoff",
                                         "detection_loss_filter", "detection_knn_filter", "detection_activation_clustering"])
        let pages = figures.filter { $0.name.hasPrefix("train_vs_test") }
        #expect(pages.map(\.chart.panels.count) == [8, 8, 8, 6])
        #expect(pages.map(\.chart.title) == (1...4).map { "Train vs. test accuracy under poisoning (\($0) of 4)" })
        #expect(pages.allSatisfy { $0.chart.x.range != nil && $0.chart.x.range == pages[0].chart.x.range })
        #expect(pages[0].caption.hasSuffix(" Part 1 of 4.") && pages[3].caption.hasSuffix(" Part 4 of 4."))
        for figure in figures {
            let rendered = try figure.chart.render(format: .png, font: font)
            #expect(Self.layoutFailures(figure, rendered) == [])
            #expect(rendered.columns <= 4)
        }
    }

    /// 96 series of 12 models and 4 attacks: every figure within its bounds (the 96 panels of train vs
    /// test on twelve pages of 2 rows, with their legend of 12 models within 620 points), the detection figure a row of four panels per attack with one
    /// line per model in its style, and no two models or defenses (nor two series of a panel) in one style.
    @Test func twelveModelsAndFourAttacksStayDistinctAndBounded() throws {
        let results = try Self.manyModels()
        #expect(results.series.count == 96)
        let figures = studyFigures(results)
        #expect(figures.filter { $0.name.hasPrefix("train_vs_test_part") }.count == 12)
        for figure in figures {
            let rendered = try figure.chart.render(format: .png, font: font)
            #expect(Self.layoutFailures(figure, rendered) == [])
        }
        let styles = StudyStyles(results)
        let components = styles.models + [styles.defenses[1]]
        #expect(Set(components.map { "\($0)" }).count == components.count)
        let detection = try #require(figures.first { $0.name.hasPrefix("detection_loss_filter") })
        let detectionPanels = figures.filter { $0.name.hasPrefix("detection_loss_filter") }.flatMap(\.chart.panels)
        #expect(detectionPanels.count == 16)
        // The metrics head the columns and the attacks the rows, once each (review r22c), not every panel's title.
        #expect(detectionPanels.allSatisfy { $0.title == nil })
        #expect(detection.chart.columnHeaders == ["AUROC", "Precision", "Recall", "TPR at 5% FPR"])
        #expect(figures.filter { $0.name.hasPrefix("detection_loss_filter") }.flatMap { $0.chart.rowHeaders ?? [] }
            == results.config.attacks.indices.map { attack in results.series.first { $0.attack == attack }!.attackLabel })
        for panel in detectionPanels {
            // Precision's and recall's chance curves (random removal) aside.
            let measured = panel.series.filter { !$0.label.hasPrefix("chance") }
            #expect(measured.count == 12)
            #expect(zip(measured, styles.models).allSatisfy { $0.color == $1.color && $0.line == $1.line && $0.marker == $1.marker })
        }
        #expect(detection.chart.legend.count == 13 && detection.chart.legend.last?.label.hasPrefix("random removal (precision, recall)") == true)
    }

    @Test func committedExamplesFiguresFitAndNoTextsOverlap() throws {
        let preview = ProcessInfo.processInfo.environment["FIGURE_PREVIEW_DIR"].map(URL.init(fileURLWithPath:))
        let examples = try Self.committedResults()
        #expect(examples.count >= 6, "the reference output and five examples")
        for (name, results) in examples {
            for figure in studyFigures(results) {
                let rendered = try figure.chart.render(format: .png, font: font)
                #expect(Self.layoutFailures(figure, rendered) == [], "\(name)")
                if let preview { try rendered.canvas.render().write(to: preview.appendingPathComponent("\(name)-\(figure.name).png")) }
            }
        }
    }

    /// Issue 22 (review r22b): report.tex printed a four-column figure (950 points wide) at 0.5 of its size,
    /// its tick labels at 4.5 points; and the trade-off figures' 7.5-point direct labels printed at 5.8 points in a
    /// figure 612 points wide. Every text the plotting layer drew (each `TextBox` with its size) in every figure of
    /// the 30-series study, the 96-series one, the penalty trade-off study and the committed examples prints at
    /// 7 points or more at the size report.tex gives it (`Chart.printedScale`: to its line width, or less for a figure
    /// taller than `Chart.printedHeight` allows). (Review s7: 22 committed figures, 1,048 points tall, printed text
    /// at 4.5 to 6.8 points when report.tex shrank them to its image height.)
    @Test func everyFigurePrintsItsTextAtSevenPointsOrMore() throws {
        var failures = [String](), labels = 0
        let tradeOff: (String, StudyResults) = ("penalty trade-off", try PenaltyTradeOffFigureTests.results())
        for (name, results) in [("30 series", try Self.thirtySeries()), ("96 series", try Self.manyModels()), tradeOff] + (try Self.committedResults()) {
            for figure in studyFigures(results) {
                let rendered = try figure.chart.render(format: .png, font: font)
                let scale = Chart.printedScale(width: rendered.canvas.width, height: rendered.canvas.height)
                labels += rendered.labels.joined().count
                for box in rendered.textBoxes where box.size * scale < Chart.smallestPrintedText - 1e-9 {
                    failures.append(String(format: "%@ %@ (%.0f × %.0f points): \"%@\" at %.1f points prints at %.1f", name, figure.name,
                                           rendered.canvas.width, rendered.canvas.height, box.text, box.size, box.size * scale))
                }
            }
        }
        #expect(labels > 0, "direct labels were drawn")
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }

    /// Review s7: examples/defenses (2 attacks × 15 defenses) wrapped its panels into 4 columns, so no column was one
    /// attack or one defense. In its accuracy and gap figures (every page), a column per attack: each column's panels
    /// share their attack (the first part of their titles). (Its attack-success figure has one attack, backdoor.)
    @Test func theDefensesExampleGivesEachAttackAColumn() throws {
        let defenses = try #require(Self.committedResults().first { $0.name == "defenses" }?.results)
        var checked = 0
        for figure in studyFigures(defenses) where ["accuracy_vs_poison", "generalization_gap"].contains(where: { figure.name.hasPrefix($0) }) {
            let rendered = try figure.chart.render(format: .png, font: font)
            let titles = figure.chart.panels.map { $0.title ?? "" }
            for column in 0..<rendered.columns {
                let attacks = Set(stride(from: column, to: titles.count, by: rendered.columns).map { titles[$0].components(separatedBy: ", ")[0] })
                #expect(attacks.count == 1, "\(figure.name) column \(column + 1): \(attacks)")
            }
            #expect(rendered.columns == 2, "\(figure.name)")
            checked += 1
        }
        #expect(checked >= 2)
    }

    /// Issue 22: the detection and near-clone figures drew the seeds of an AUROC split in orientation as open markers
    /// with no legend entry saying so. In every figure of the committed examples (examples/near-clone-detection has
    /// such splits), of the split detection study and of the 30-series one, the legend has an open-marker entry exactly
    /// when a panel draws open markers, page by page (review r22d m6: part 1 of a trade-off listed one it did not draw).
    @Test func aFigureWithOpenMarkersSaysInItsLegendWhatTheyAre() throws {
        let (study, runs) = splitDetectionStudy()
        let split = ("split detection", StudyResults(study: study, runs: runs, toolVersion: "test"))
        var open = [String]()
        for (name, results) in [split, ("30 series", try Self.thirtySeries())] + (try Self.committedResults()) {
            let figures = studyFigures(results)
            for figure in figures {
                let drawsOpen = figure.chart.panels.contains { $0.series.contains { $0.marker != nil && !$0.filled && !$0.points.isEmpty } }
                let explains = figure.chart.legend.contains { $0.marker != nil && !$0.filled }
                #expect(drawsOpen == explains, "\(name) \(figure.name): open markers \(drawsOpen), legend entry \(explains)")
                if drawsOpen { open.append("\(name) \(figure.name)") }
            }
        }
        #expect(open.contains { $0.hasPrefix("split detection detection_") } && open.contains { $0.hasPrefix("near-clone-detection near_clone") },
                "\(open)")
    }

    /// examples/near-clone-detection sweeps the distance d at one poison fraction (10%): its detection figures' precision
    /// and recall panels drew their random-removal references as curves of one point, which draw nothing, while the legend
    /// named them. There each is a dash-dotted horizontal line across its panel at the share poisoned (precision) or
    /// removed (recall); a figure over several fractions keeps its curves (examples/defenses).
    @Test func aSingleFractionDetectionFigureDrawsItsChanceAsLines() throws {
        let examples = try Self.committedResults()
        let nearClone = try #require(examples.first { $0.name == "near-clone-detection" }?.results)
        let figures = studyFigures(nearClone).filter { $0.name.hasPrefix("detection_") }
        #expect(figures.count >= 2)
        var lined = 0
        for figure in figures {
            for panel in Self.metricPanels(figure, "Precision") + Self.metricPanels(figure, "Recall") {
                #expect(!panel.series.contains { $0.label.hasPrefix("chance") }, "\(figure.name) \(panel.title ?? "")")
                let lines = panel.referenceLines.filter { $0.orientation == .horizontal && $0.style == .dashDot }
                #expect(lines.count <= 1, "\(figure.name) \(panel.title ?? "")")
                // Spectral signature removes rows at every distance: its precision (share poisoned) and recall (share removed)
                // references lie strictly between 0 and 1. (Activation clustering removes none at some distances: recall's is 0
                // there, and precision, undefined, has none.)
                if figure.name.hasPrefix("detection_spectral_signature") {
                    #expect(lines.count == 1 && lines[0].value > 0 && lines[0].value < 1, "\(figure.name) \(panel.title ?? "")")
                }
                lined += lines.count
            }
        }
        #expect(lined >= 16, "\(lined) random-removal lines")
        let defenses = try #require(examples.first { $0.name == "defenses" }?.results)
        let clustering = try #require(studyFigures(defenses).first { $0.name == "detection_activation_clustering" })
        #expect(clustering.chart.panels[1].series.contains { $0.label.hasPrefix("chance") && $0.points.count > 1 }
            && clustering.chart.panels[1].referenceLines.isEmpty)
    }

    /// examples/near-clone-detection: activation clustering removes no row at d 4 and 1000, so its precision panels
    /// there are empty with no word why, and a TPR bar (mean ± std) ran below 0 off the frame. The caption now says
    /// what an empty panel means, and the bars are cut at 0 and 1 (`clippedBars`) as the caption says; spectral
    /// signature, which has a value in every panel, gets no such sentence.
    @Test func aDetectionFigureSaysWhyAPanelIsEmptyAndCutsItsBarsAtZeroAndOne() throws {
        let nearClone = try #require(Self.committedResults().first { $0.name == "near-clone-detection" }?.results)
        let figures = studyFigures(nearClone)
        let clustering = try #require(figures.first { $0.name == "detection_activation_clustering_part2" })
        let pages = figures.filter { $0.name.hasPrefix("detection_activation_clustering") }
        let isEmpty = { (panel: Panel) in !panel.series.contains { !$0.label.hasPrefix("chance") && !$0.points.isEmpty } }
        // Over the whole figure (its pages): the precision panels at d 0, 2, 4, 1000 and 1000 toward the source mean, and no other.
        #expect(pages.flatMap(\.chart.panels).filter(isEmpty).count == 5)
        #expect(pages.flatMap { Self.metricPanels($0, "Precision") }.filter(isEmpty).count == 5)
        #expect(clustering.caption.contains("A panel left empty has no value to draw: the metric is undefined at every fraction there"))
        #expect(clustering.caption.contains("that reach past 0 or 1, the range of a detection metric, are cut there"))
        for figure in figures where figure.name.hasPrefix("detection_") {
            for panel in figure.chart.panels {
                for series in panel.series {
                    #expect(series.errors == nil && (series.intervals ?? []).allSatisfy { bar in bar.map { 0...1 ~= $0.lowerBound && 0...1 ~= $0.upperBound } ?? true },
                            "\(figure.name) \(series.label)")
                }
            }
        }
        let spectral = try #require(figures.first { $0.name == "detection_spectral_signature_part1" })
        #expect(!spectral.caption.contains("A panel left empty"))
    }

    /// The panels of a detection figure (or page) of `metric` ("Precision"): titled by it, or in the column it heads.
    static func metricPanels(_ figure: StudyFigure, _ metric: String) -> [Panel] {
        figure.chart.panels.enumerated().filter { index, panel in
            (panel.title ?? figure.chart.columnHeaders?[index % figure.chart.maxColumns] ?? "").hasPrefix(metric)
        }.map(\.element)
    }

    /// examples/poisonability sweeps budgets from 1% to 400%: its poisonability figures drew them on a symmetric log
    /// axis, but the accuracy, gap, train-vs-test and attack-success figures on a linear one, where every budget below
    /// 50% (τ's among them) was pressed against 0. Every figure of a study whose x is the budget alone draws it on the
    /// same axis (`budgetAxis`), and its caption says where the axis turns logarithmic.
    @Test func everyBudgetFigureOfAStudyDrawsTheSameBudgetAxis() throws {
        var checked = 0
        for (name, results) in try Self.committedResults() where name.hasPrefix("poisonability") {
            let figures = studyFigures(results)
            let reference = try #require(figures.first { $0.name == "poisonability_gradient" }).chart.x
            for figure in figures where figure.chart.x.label == reference.label {
                checked += 1
                #expect(figure.chart.x.scale == reference.scale, "\(name) \(figure.name)")
                if case .symmetricLog = reference.scale {
                    #expect(figure.caption.contains("The budget axis is linear from 0 to"), "\(name) \(figure.name)")
                }
            }
            if name == "poisonability" {
                guard case .symmetricLog = reference.scale else { Issue.record("examples/poisonability: a linear budget axis"); continue }
                #expect(figures.filter { $0.chart.x.label == reference.label }.map(\.name).sorted()
                    == ["accuracy_vs_poison", "attack_success", "generalization_gap", "poisonability", "poisonability_gradient", "train_vs_test"])
            }
        }
        #expect(checked >= 12)
    }

    /// Review r22b: the poisonability figure was titled "Predicted threshold τ vs. gradient canceling", which names
    /// neither axis; its title says what is drawn against what, whole on the figure of every committed example that has it.
    /// r24k m-f: where no victim converged (examples/poisonability-mlp) no agreement is drawn, and neither the title nor the
    /// legend names one.
    @Test func thePoisonabilityTitleSaysWhatIsPlotted() throws {
        var drawn = 0, withoutAgreement = 0
        for (name, results) in try Self.committedResults() {
            for figure in studyFigures(results) where figure.name == "poisonability" || figure.name.hasPrefix("poisonability_part") {
                drawn += 1
                let agreement = figure.chart.panels.contains { $0.series.contains { $0.label == "agreement with target" && !$0.points.isEmpty } }
                withoutAgreement += agreement ? 0 : 1
                #expect(figure.chart.title.hasPrefix(agreement ? "Victim's agreement with the target and accuracy vs. budget ε"
                                                               : "Victim's accuracy vs. budget ε"), "\(name)")
                #expect(figure.chart.legend.contains { $0.label == "agreement with target" } == agreement, "\(name)")
                #expect(figure.chart.y.label == (agreement ? "Agreement, accuracy" : "Accuracy"), "\(name)")
                #expect(figure.caption.contains("the share of test rows on which the retrained victim agrees with the target") == agreement, "\(name)")
                let rendered = try figure.chart.render(format: .png, font: font)
                #expect(rendered.textBoxes.contains { $0.text == figure.chart.title }, "\(name): the title is shortened")
            }
        }
        #expect(drawn >= 2 && withoutAgreement >= 1 && withoutAgreement < drawn)
    }

    /// r21z M3: a threshold interval with an end withheld as imprecise (the report prints "withheld") was drawn as a span
    /// ending at the withheld value, as if placed. The reference study's results with MLP 32's upper end marked withheld:
    /// its span is gone, the other two series keep theirs, and the caption says why.
    @Test func aThresholdIntervalWithAWithheldEndIsNotDrawn() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let data = try Data(contentsOf: root.appendingPathComponent("output/results.json"))
        let draw = { (results: StudyResults) in try #require(studyFigures(results).first { $0.name == "accuracy_vs_poison" }) }
        let placed = try draw(JSONDecoder().decode(StudyResults.self, from: data))
        var json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var statistics = try #require(json["statistics"] as? [String: Any]), series = try #require(statistics["series"] as? [[String: Any]])
        var threshold = try #require(series[0]["threshold"] as? [String: Any]), interval = try #require(threshold["interval"] as? [String: Any])
        interval["imprecise"] = ["upper"]
        threshold["interval"] = interval
        series[0]["threshold"] = threshold
        statistics["series"] = series
        json["statistics"] = statistics
        let withheld = try draw(JSONDecoder().decode(StudyResults.self, from: JSONSerialization.data(withJSONObject: json)))
        let spans = { (figure: StudyFigure) in figure.chart.panels.flatMap(\.spans).count }
        #expect(spans(placed) == 3 && spans(withheld) == 2, "\(spans(placed)) \(spans(withheld))")
        #expect(withheld.caption.contains("A threshold interval with an end withheld as too imprecise to place") && !placed.caption.contains("withheld"))
    }

    /// r24m m4: the attack-success figure draws the agreement's excess over the clean model, and its caption counted the
    /// runs the agreement leaves out (own victim unconverged), not those the excess leaves out (own or clean victim
    /// unconverged). In every committed gradient-canceling example the caption's count is the excess's, counted here
    /// from the runs: those at positive budgets that record the agreement, and of them those without a counted excess.
    @Test func theAttackSuccessCaptionCountsTheRunsTheExcessLeavesOut() throws {
        var checked = 0
        for (name, results) in try Self.committedResults() where name.hasPrefix("poisonability") {
            guard let figure = studyFigures(results).first(where: { $0.name == "attack_success" }) else { continue }
            let excess = MetricKey.targetAgreement + MetricKey.excessSuffix
            let recorded = results.runs.filter { $0.fraction > 0 && $0.metrics?[MetricKey.targetAgreement] != nil }
            let leftOut = recorded.filter { $0.countedMetric(excess) == nil }.count
            checked += 1
            #expect(leftOut == 0 ? !figure.caption.contains("left out")
                    : figure.caption.contains("The agreement's excess over the clean model is over the runs whose retrained victim and clean "
                                              + "model's victim converged") && figure.caption.contains(": \(leftOut) of \(recorded.count) runs at positive budgets are left out"),
                    "\(name): \(figure.caption)")
        }
        #expect(checked >= 1)
    }

    /// examples/svm (review r22d m1): its six attacks are all "svm-gradient class 7 → class 1 (linear, …)", and every
    /// panel title repeated that over three to five lines. Panels now name an attack by its own settings, the caption
    /// says once what every attack is, the clean model's rate (0.00 in every panel) is in the caption, not in five
    /// titles, and train-vs-test is a grid of a column per model and a row per attack, each named once in a header.
    @Test func svmPanelsNameWhatSetsAnAttackApart() throws {
        let svm = try #require(Self.committedResults().first { $0.name == "svm" }?.results)
        let names = ["replace, together", "random flips", "unclimbed clones, replace", "add, one at a time", "unclimbed clones, add",
                     "random flips, add"]
        let attackNames = AttackNames(svm)
        #expect(attackNames.common == "svm-gradient class 7 → class 1 (linear)" && (0..<6).map(attackNames.name) == names)
        let figures = studyFigures(svm)
        let success = try #require(figures.first { $0.name == "attack_success" })
        #expect(success.chart.panels.map(\.title) == names)
        #expect(success.caption.contains("the clean model's mean rate 0.00 in every panel."), "\(success.caption)")
        let accuracy = try #require(figures.first { $0.name == "accuracy_vs_poison" })
        #expect(accuracy.chart.panels.map(\.title) == names)
        let trainVersusTest = figures.filter { $0.name.hasPrefix("train_vs_test") }
        #expect(!trainVersusTest.isEmpty)
        for figure in trainVersusTest {
            #expect(figure.chart.columnHeaders == ["linear SVM (C = 1.0)", "kernel ridge rbf (ℓ = 8.0, λ = 1.0)", "logistic"])
            #expect(figure.chart.rowHeaders.map { Set($0).isSubset(of: names) } == true && figure.chart.panels.allSatisfy { $0.title == nil })
        }
        #expect(trainVersusTest.flatMap { $0.chart.rowHeaders ?? [] } == names)
        for figure in figures where figure.chart.panels.contains(where: { $0.title != nil }) || figure.chart.rowHeaders != nil {
            #expect(figure.caption.contains(" Every attack is svm-gradient class 7 → class 1 (linear); a panel names its attack by the "
                + "settings that set it apart."), "\(figure.name)")
            let rendered = try figure.chart.render(format: .png, font: font)
            #expect(Self.layoutFailures(figure, rendered) == [], "\(figure.name)")
            // No title or header takes more than two lines, and none says "svm-gradient" or the clean rate again.
            let panelWidth = rendered.transforms[0].area.width
            for text in figure.chart.panels.compactMap(\.title) + (figure.chart.columnHeaders ?? []) {
                #expect(wrapped(text, width: panelWidth, size: 10.5, maxLines: .max, font: font).count <= 2, "\(figure.name): \(text)")
                #expect(!text.contains("svm-gradient") && !text.contains("clean model's rate"), "\(figure.name): \(text)")
            }
        }
    }

    /// examples/svm: svm-gradient's success is its own SVM's error, the same whatever the victim, so
    /// each panel draws it once, in black, named by that SVM (the committed figure drew three
    /// identical lines); examples/defenses: the k-NN filter scores rows from the data alone, so its
    /// detection panels draw one line. The models' own curves (digits' accuracy) stay one per model.
    @Test func seriesWithTheSameValuesAreDrawnOnce() throws {
        let examples = try Self.committedResults()
        let svm = try #require(examples.first { $0.name == "svm" }?.results)
        let success = try #require(studyFigures(svm).first { $0.name == "attack_success" })
        for panel in success.chart.panels {
            #expect(panel.series.filter { $0.marker != nil }.map(\.label) == ["the attacker's SVM (the same for every model)"])
            #expect(panel.series.allSatisfy { $0.color == Color.ink })
        }
        #expect(success.chart.legend.map(\.label) == ["the attacker's SVM (the same for every model)"])
        #expect(success.caption.contains("Models with the same values (measured on the attacker's own model): one line, in black."))
        let defenses = try #require(examples.first { $0.name == "defenses" }?.results)
        let knn = try #require(studyFigures(defenses).first { $0.name == "detection_knn_filter" })
        #expect(knn.chart.panels.count == 8
            && knn.chart.panels.allSatisfy { $0.series.filter { !$0.label.hasPrefix("chance") }.map(\.label) == ["every model"] })
        #expect(knn.chart.legend.map(\.label) == ["every model (the same values)", "random removal (precision, recall)"])
        // examples/defenses: activation clustering removes different shares under each model, so its random-removal
        // curves are drawn in the models' colours, which the legend and caption say; the k-NN filter's are one grey curve.
        let clustering = try #require(studyFigures(defenses).first { $0.name == "detection_activation_clustering" })
        let chanceColours = Set(clustering.chart.panels.flatMap { $0.series.filter { $0.label.hasPrefix("chance") }.map { "\($0.color)" } })
        #expect(chanceColours.count > 1 && chanceColours.contains("\(StudyStyles(defenses).models[0].color)"), "\(chanceColours)")
        #expect(clustering.chart.legend.last?.label == "random removal (precision, recall); in the model's colour where models differ")
        #expect(clustering.caption.contains("Where the models' random-removal curves differ, each is drawn in its model's colour."))
        #expect(!knn.caption.contains("random-removal curves differ"))
        let lossFilter = try #require(studyFigures(defenses).first { $0.name == "detection_loss_filter" })
        #expect(lossFilter.chart.panels.allSatisfy { $0.series.filter { !$0.label.hasPrefix("chance") }.count == 2 })
    }

    /// Issue 22's cold review: the attack-success figure drew the clean model's raw rate (dotted) on
    /// the axis of the excess over it, so curves "crossed" it meaninglessly, and its y axis stopped at
    /// 0, the zero line and 0-markers on the frame. Now each panel draws only the excess, the caption
    /// gives the clean model's rate, the same in every panel (the 30-series study's is 0.10 ± 0.01 over its two seeds:
    /// 0.10; review r22d m1: not in every panel's title), and the axis leaves a margin below 0 and above 1.
    @Test func attackSuccessGivesTheCleanRateAsTextAndLeavesAMarginBelowZero() throws {
        let results = try Self.thirtySeries()
        let success = try #require(studyFigures(results).first { $0.name.hasPrefix("attack_success") })
        let range = try #require(success.chart.y.range)
        #expect(range.lowerBound < 0 && range.upperBound > 1)
        #expect(!success.chart.legend.contains { $0.line == .dotted })
        for panel in success.chart.panels {
            #expect(panel.series.allSatisfy { $0.line != .dotted && $0.marker != nil }, "\(panel.title ?? "")")
            // The attack and defense head the grid's columns and rows (review r22c), and the rate is the caption's.
            #expect(panel.title == nil, "\(panel.title ?? "")")
        }
        #expect(success.caption.contains("the clean model's mean rate 0.10 in every panel."), "\(success.caption)")
        #expect(cleanRateText([0.049, 0.051]) == "0.05" && cleanRateText([0.02, 0.05]) == "0.02–0.05" && cleanRateText([]) == nil)
    }

    /// examples/poisonability: gradient canceling adds its poisons, so every figure's x is the budget
    /// ε and says so, without "ε_d", whose underscore a figure draws literally (it read "Poisoned share of the training rows"); the poisonability figure draws
    /// its three quantities in the model's colour, told apart by line style and marker, with τ grey
    /// (they were in the first three palette colours, the colours of models elsewhere). The reference
    /// study (random label flips) keeps the poison fraction.
    @Test func xAxesSayWhatXIsAndPoisonabilityColoursMeanTheModel() throws {
        let examples = try Self.committedResults()
        let poisonability = try #require(examples.first { $0.name == "poisonability" }?.results)
        let figures = studyFigures(poisonability)
        #expect(figures.map(\.name) == ["accuracy_vs_poison", "generalization_gap", "train_vs_test", "attack_success", "poisonability",
                                         "poisonability_gradient"])
        for figure in figures {
            #expect(figure.chart.x.label == "Poison budget ε (poisons per clean row)", "\(figure.name)")
            // A figure's text shows no TeX-like "ε_d": its underscore would be drawn literally.
            let texts = [figure.chart.title, figure.chart.x.label, figure.chart.y.label] + figure.chart.panels.compactMap(\.title)
                + figure.chart.legend.map(\.label)
            #expect(!texts.contains { $0.contains("_") }, "\(figure.name)")
        }
        #expect(figures[0].chart.title == "Clean test accuracy vs. poison budget ε")
        #expect(figures[0].caption.hasPrefix("Clean test accuracy (mean ± std over seeds) against the poison budget ε (poisons per clean row),"))
        let model = StudyStyles(poisonability).models[0].color
        let tau = try #require(figures.first { $0.name == "poisonability" }).chart
        for panel in tau.panels {
            #expect(panel.series.map(\.color) == [model, model])
            #expect(Set(panel.series.map { "\(String(describing: $0.line)) \(String(describing: $0.marker))" }).count == 2)
            #expect(panel.bands.allSatisfy { $0.color == Color.reference } && panel.referenceLines.allSatisfy { $0.color == Color.reference })
        }
        let gradient = try #require(figures.last).chart
        #expect(gradient.y.scale == .log10)
        for panel in gradient.panels {
            #expect(panel.series.map(\.color) == [model])
            #expect(panel.bands.allSatisfy { $0.color == Color.reference } && panel.referenceLines.allSatisfy { $0.color == Color.reference })
        }
        let reference = try #require(examples.first { $0.name == "reference" }?.results)
        #expect(studyFigures(reference).allSatisfy { $0.chart.x.label == "Poison fraction (share of the training rows asked for)" })
    }

    /// A study of random label flips and gradient canceling (a tiny one, trained): the figures that
    /// draw both say both on x, the poisonability figure (gradient canceling only) the budget.
    @Test func aFigureDrawingBothKindsOfBudgetNamesBoth() throws {
        let study = try Study(StudyConfig(
            data: StudyConfig.component(GaussianClusters.kind, ["samples": .int(80), "features": .int(3), "classes": .int(2)]),
            models: [StudyConfig.component(LogisticRegression.kind)],
            attacks: [StudyConfig.component(RandomLabelFlip.kind),
                      StudyConfig.component(GradientCanceling.kind, ["target": .string("gradpc 0.5"), "steps": .int(5)])],
            fractions: [0, 0.1], seeds: [2], training: TrainingSettings(epochs: 3, batchSize: 16),
            targets: [StudyConfig.component(GradPCTarget.kind)]))
        let results = StudyResults(study: study, runs: runStudy(study, threads: 1).results, toolVersion: "test")
        let axes = Dictionary(uniqueKeysWithValues: studyFigures(results).map { ($0.name, $0.chart.x.label) })
        let both = "Poison fraction (share of the training rows asked for); for gradient canceling, budget ε (poisons per clean row)"
        #expect(axes["accuracy_vs_poison"] == both && axes["generalization_gap"] == both && axes["train_vs_test"] == both)
        #expect(axes["poisonability"] == "Poison budget ε (poisons per clean row)")
    }

    /// examples/svm, whose svm-gradient poisons about half the share of the study's training rows its
    /// fraction asks for (the fraction counts the victim's rows), and examples/attacks, whose
    /// class-flip and clean-label budgets saturate: every figure draws its points at the swept
    /// fractions, the x of the fits and thresholds (they stood at the poisoned share, left of their
    /// fitted curves), and the accuracy figure's caption says where the poisoned share is given.
    @Test func pointsStandAtTheFractionsTheFitsUse() throws {
        let examples = try Self.committedResults()
        for name in ["svm", "attacks"] {
            let results = try #require(examples.first { $0.name == name }?.results)
            #expect(results.points.contains { abs($0.realisedFraction.mean - $0.fraction) > 0.01 }, "\(name) poisons another share")
            for figure in studyFigures(results) where figure.name != "defense_tradeoff" {
                for panel in figure.chart.panels {
                    for series in panel.series where series.marker != nil {
                        #expect(series.points.allSatisfy { results.config.fractions.contains($0.x) }, "\(name) \(figure.name) \(series.label)")
                    }
                }
            }
            let accuracy = try #require(studyFigures(results).first { $0.name == "accuracy_vs_poison" })
            #expect(accuracy.caption.contains("Points stand at the fraction asked for"), "\(name)")
        }
        // examples/svm's victims train on the attacker's 126 training rows: its replacing series' fractions
        // are shares of those, and its adding series (the paper's configuration) give a budget, poisons
        // per clean row. Every figure's x names both, and the accuracy caption names which series is which;
        // examples/attacks' attacks train on every row and keep the training rows.
        let svm = try #require(examples.first { $0.name == "svm" }?.results)
        for figure in studyFigures(svm) where figure.name != "defense_tradeoff" {
            #expect(figure.chart.x.label == "Poison fraction (share of the rows asked for), or budget ε (poisons per clean row) where added",
                    "\(figure.name)")
        }
        let accuracy = try #require(studyFigures(svm).first { $0.name == "accuracy_vs_poison" })
        #expect(accuracy.caption.contains("(linear, unclimbed clones, replace), of the rows its victims train on; for svm-gradient "
            + "class 7 → class 1 (linear, add, one at a time), svm-gradient class 7 → class 1 (linear, unclimbed clones, add) and "
            + "svm-gradient class 7 → class 1 (linear, random flips, add), which add their poisons, the budget ε: poisons per clean row)"))
        let attacks = try #require(examples.first { $0.name == "attacks" }?.results)
        #expect(studyFigures(attacks).first { $0.name == "accuracy_vs_poison" }?.chart.x.label == "Poison fraction (share of the training rows asked for)")
    }

    /// examples/poisonability: gradient canceling's poisons keep their labels, so a series' train
    /// accuracy on the poisoned labels equals that on the true labels at every fraction, and the
    /// circles of the one were hidden behind the triangles of the other. Each panel now draws one
    /// line for both, in a style of its own that the legend and caption name; the reference study,
    /// whose flipped labels part the two, keeps three lines a panel.
    @Test func identicalTrainCurvesAreDrawnOnceAndSaidToBeTheSame() throws {
        let examples = try Self.committedResults()
        let poisonability = try #require(examples.first { $0.name == "poisonability" }?.results)
        let figure = try #require(studyFigures(poisonability).first { $0.name == "train_vs_test" })
        for panel in figure.chart.panels {
            #expect(panel.series.map(\.label) == ["train accuracy (poisoned labels = true labels)", "clean test accuracy"])
        }
        #expect(figure.chart.legend.map(\.label) == ["clean test accuracy", "train accuracy (poisoned labels = true labels)", "chance (0.50)"])
        #expect(figure.caption.contains("where the two train accuracies are the same at every fraction"))
        let reference = try #require(examples.first { $0.name == "reference" }?.results)
        let flips = try #require(studyFigures(reference).first { $0.name == "train_vs_test" })
        #expect(flips.chart.panels.allSatisfy { $0.series.count == 3 } && flips.chart.legend.count == 4)
        #expect(!flips.caption.contains("the same at every fraction"))
    }

    /// examples/defenses: a defense whose threshold gain the runs do not resolve is drawn open (white
    /// inside, its colour around), a resolved one filled, and the legend says what an open marker means.
    @Test func unresolvedTradeOffGainsAreOpenMarkers() throws {
        let results = try #require(Self.committedResults().first { $0.name == "defenses" }?.results)
        let figure = try #require(studyFigures(results).first { $0.name == "defense_tradeoff" })
        let resolved = Dictionary(results.findings.defenses.map { (results.series[$0.series].label, $0.shiftResolved) }) { $1 }
        #expect(Set(resolved.values) == [true, false], "the example has both")
        let rendered = try figure.chart.render(format: .png, font: font)
        for (index, panel) in figure.chart.panels.enumerated() {
            for (series, points) in zip(panel.series, rendered.points[index]) {
                #expect(series.filled == resolved[series.label], "\(series.label)")
                let centre = rendered.canvas.pixel(at: points[0])
                #expect(centre.isClose(to: series.filled ? series.color : Color.white, tolerance: 0.1), "\(series.label)")
            }
        }
        let open = try #require(figure.chart.legend.last)
        #expect(open.label == "open marker: gain not resolved (its interval reaches 0)" && !open.filled)
        #expect(figure.caption.contains("an open marker is a gain whose sign the runs do not resolve"))
    }

    /// examples/defended (2 attacks × 2 models, a loss filter): only random label flip is drawn, so
    /// the single attack is named once, in the title, each panel names a model with a gain to draw
    /// (swept to 50%, only MLP 64 had one; swept to 80%, both have), the caption names a model left
    /// out (by its model: the one attack drawn is in the title) and the class flip, left out because
    /// it does not aim at clean accuracy. Both axes span at least 4 percentage points
    /// (the gain of 0.15 points and the cost of 0.22 filled the panel). examples/early-stopping: every point
    /// is named, not numbered (its name crosses x = 0 on white where it has no other room), but where the name's only room
    /// would hide its leader line along the point's own y bar: there its key.
    @Test func tradeOffNamesWhatItLeavesOutAndPrefersNamesToNumbers() throws {
        let examples = try Self.committedResults()
        let defended = try #require(examples.first { $0.name == "defended" }?.results)
        let figure = try #require(studyFigures(defended).first { $0.name == "defense_tradeoff" })
        #expect(figure.chart.title == "Defense trade-off against random label flip")
        // The models whose loss filter has a gain (not a bound) and a cost against random label flip.
        let drawable = defended.findings.defenses.filter { finding in
            defended.series[finding.series].attack == 0 && finding.thresholdShift.value != nil && finding.thresholdShift.bound == nil
                && finding.cleanAccuracyChange.value != nil
        }.map { defended.series[$0.series].modelLabel }
        #expect(!drawable.isEmpty && figure.chart.panels.map(\.title) == drawable)
        #expect(figure.caption.contains(" against random label flip, one panel per model,"))
        let missing = ["MLP 64", "logistic"].filter { !drawable.contains($0) }
        // The class flip aims at its target class, not at clean accuracy (issue 22's cold review): no panel, and the caption says why.
        #expect(figure.caption.hasSuffix((missing.isEmpty ? "." : "; no panel is drawn for \(missing.joined(separator: " and ")), where no defense has a gain to draw.")
            + " No panel is drawn for class-flip class 0 → class 1, which does not aim at clean accuracy: a threshold of clean accuracy "
            + "does not judge a defense against it, and the report's table of defenses gives the attack's success under each defense."),
                "\(figure.caption)")
        let rendered = try figure.chart.render(format: .png, font: font)
        #expect(!rendered.textBoxes.contains { $0.text.hasSuffix("…") }, "the title is whole")
        #expect(rendered.transforms[0].xRange.upperBound - rendered.transforms[0].xRange.lowerBound >= 4 - 1e-9)
        #expect(rendered.transforms[0].yRange.upperBound - rendered.transforms[0].yRange.lowerBound >= 4 - 1e-9)
        #expect(Self.layoutFailures(figure, rendered) == [])

        let early = try #require(examples.first { $0.name == "early-stopping" }?.results)
        // Its pages together (review s7: split by height).
        let placed = try studyFigures(early).filter { $0.name.hasPrefix("defense_tradeoff") }
            .flatMap { try $0.chart.render(format: .png, font: font).labels.flatMap { $0 } }
        // In the MLP 64 panels the name's only room was centred above the point's y bar, its leader line hidden along the bar
        // (review r22e m2): there the point takes its key, beside it, which the legend explains.
        #expect(placed.map(\.text) == ["1", "early stopping (patience 10)", "1", "early stopping (patience 10)"])
    }

    @Test func panelTitlesLeaveOutAxesWithOneValue() throws {
        // examples/early-stopping: two models, two attacks, two defenses (none and early stopping).
        let results = try #require(Self.committedResults().first { $0.name == "early-stopping" }?.results)
        // A full grid of both: the defenses head its columns and the attacks its rows, once each, and panels have no title.
        let accuracy = studyFigures(results).first { $0.name == "accuracy_vs_poison" }!.chart
        #expect(accuracy.panels.allSatisfy { $0.title == nil })
        #expect(accuracy.columnHeaders == ["no defense", "early stopping (patience 10)"]
            && accuracy.rowHeaders == ["random label flip", "confident flip (to worst)"])
        // examples/attacks: seven attacks, one defense, so the titles name the attack only.
        let attacks = try #require(Self.committedResults().first { $0.name == "attacks" }?.results)
        let attackTitles = studyFigures(attacks).first { $0.name == "accuracy_vs_poison" }!.chart.panels.map(\.title)
        #expect(attackTitles.count == 7 && attackTitles.allSatisfy { $0 != nil && !$0!.contains("no defense") })
        // The reference study: one attack and one defense, so no panel title says "no defense".
        let reference = try #require(Self.committedResults().first { $0.name == "reference" }?.results)
        for figure in studyFigures(reference) {
            #expect(figure.chart.panels.allSatisfy { $0.title?.contains("no defense") != true }, "\(figure.name)")
        }
    }

    @Test func aComponentKeepsItsColourInEveryFigure() throws {
        let results = try Self.thirtySeries()
        let styles = StudyStyles(results)
        // No two components of the study share a style.
        let all = styles.models + zip(styles.defenses, results.config.defenses.indices)
            .filter { _, defense in !results.series.contains { $0.defense == defense && $0.isUndefended } }.map(\.0)
        #expect(Set(all.map { "\($0)" }).count == all.count)
        // Every legend label names one colour across the figures.
        var colors = [String: Color]()
        for figure in studyFigures(results) {
            for entry in figure.chart.legend where entry.color != Color.reference && entry.color != Color.ink {
                if let known = colors[entry.label] {
                    #expect(known == entry.color, "\(entry.label) changes colour in \(figure.name)")
                }
                colors[entry.label] = entry.color
            }
        }
        // A model's colour in the accuracy, gap and attack-success figures, a defense's in the trade-off.
        for model in results.config.models.indices {
            #expect(colors[results.series.first { $0.model == model }!.modelLabel] == styles.models[model].color)
        }
        for defense in 1..<results.config.defenses.count {
            #expect(colors[results.series.first { $0.defense == defense }!.defenseLabel] == styles.defenses[defense].color)
        }
        // Drawn series, too: every series of the accuracy figure in its model's colour.
        for panel in studyFigures(results).filter({ $0.name.hasPrefix("accuracy_vs_poison") }).flatMap(\.chart.panels) {
            for series in panel.series {
                let model = results.series.first { series.label == $0.label || series.label == "fit " + $0.label }!.model
                #expect(series.color == styles.models[model].color, "\(series.label)")
            }
        }
    }

    /// 30 models, more than the palette's 16 colours (issue 22, r22b): the models' data lines (attack
    /// success) are all solid and differ in colour or marker, and every fitted curve of the accuracy
    /// figure is dashed, so that a dashed line means a fit in every figure (the styles of models 13 to
    /// 24 dashed their data lines, which read as fits).
    @Test func beyondTwelveSeriesOnlyFitsAreDashed() throws {
        let config = StudyConfig(
            models: (1...30).map { StudyConfig.mlp(2 * $0) }, attacks: [StudyConfig.component(Backdoor.kind, ["target": .int(0)])],
            defenses: [StudyConfig.component(NoDefense.kind)], fractions: Self.fractions, seeds: [1, 2],
            training: TrainingSettings(epochs: 5), analysis: AnalysisSettings(replicates: 200))
        let results = try Self.madeUp(config, sanitisers: [])
        #expect(results.series.count == 30)
        let figures = studyFigures(results)
        let accuracy = try #require(figures.first { $0.name == "accuracy_vs_poison" })
        let fits = accuracy.chart.panels.flatMap(\.series).filter { $0.label.hasPrefix("fit ") }
        #expect(fits.count > 12 && fits.allSatisfy { $0.line == .dashed && $0.marker == nil })
        let points = accuracy.chart.panels.flatMap(\.series).filter { !$0.label.hasPrefix("fit ") }
        #expect(points.count == 30 && points.allSatisfy { $0.line == nil })
        let success = try #require(figures.first { $0.name == "attack_success" })
        let lines = success.chart.panels.flatMap(\.series).filter { $0.marker != nil }
        #expect(lines.count == 30 && lines.allSatisfy { $0.line == .solid })
        #expect(Set(lines.map { "\($0.color) \(String(describing: $0.marker))" }).count == 30)
        // train_vs_test tells its quantities (train, test) apart by line style, which its legend says; every other
        // figure draws the models' own styles.
        for figure in figures where !figure.name.hasPrefix("train_vs_test") {
            let dashed = figure.chart.panels.flatMap(\.series).filter { $0.line == .dashed && !$0.label.hasPrefix("fit ") }
            #expect(dashed.isEmpty, "\(figure.name): \(dashed.map(\.label))")
            #expect(Self.layoutFailures(figure, try figure.chart.render(format: .png, font: font)) == [])
        }
    }

    /// examples/defenses: 2 models and 13 defenses. No defense has a model's colour (the trade-off drew
    /// early stopping in MLP 64's blue and DP-SGD in MLP 128's orange), no two components share a colour
    /// (r22d m4: on 12 colours, loss-filter and early stopping were both green, k-NN filter and DP-SGD both
    /// pink, k-NN relabel and the input-gradient penalty both orange), a legend label keeps its colour in every
    /// figure, and each trade-off point is drawn in its defense's colour and marker.
    @Test func aDefenseNeverTakesAModelsColour() throws {
        let results = try #require(Self.committedResults().first { $0.name == "defenses" }?.results)
        let styles = StudyStyles(results)
        let defended = results.config.defenses.indices.filter { defense in
            !results.series.contains { $0.defense == defense && $0.isUndefended }
        }
        #expect(defended.count == 13)
        let modelColours = styles.models.map(\.color)
        #expect(defended.allSatisfy { !modelColours.contains(styles.defenses[$0].color) })
        let all = styles.models + defended.map { styles.defenses[$0] }
        #expect(Set(all.map { "\($0.color) \($0.marker)" }).count == 15)
        #expect(Set(all.map { "\($0.color)" }).count == 15, "every component its own colour")
        var colours = [String: Color]()
        let figures = studyFigures(results)
        for figure in figures {
            for entry in figure.chart.legend where entry.color != Color.reference && entry.color != Color.ink {
                if let known = colours[entry.label] { #expect(known == entry.color, "\(entry.label) changes colour in \(figure.name)") }
                colours[entry.label] = entry.color
            }
        }
        let tradeOff = try #require(figures.first { $0.name == "defense_tradeoff" })
        for series in tradeOff.chart.panels.flatMap(\.series) {
            let defense = try #require(results.series.first { $0.label == series.label }).defense
            #expect(series.color == styles.defenses[defense].color && series.marker == styles.defenses[defense].marker, "\(series.label)")
        }
        #expect(tradeOff.caption.contains("in its colour and marker as in every figure of the study"))
    }

    /// examples/defended: the class flip is the one attack that measures its success, so the
    /// attack-success panels leave it out of their titles (the figure's title names it once) and name
    /// the defense, the one axis with two values, as the accuracy figure's titles do.
    @Test func attackSuccessPanelTitlesLeaveOutASingleAttack() throws {
        let results = try #require(Self.committedResults().first { $0.name == "defended" }?.results)
        let figure = try #require(studyFigures(results).first { $0.name == "attack_success" })
        #expect(figure.chart.title == "Success of class-flip class 0 → class 1 vs. poison fraction")
        let titles = figure.chart.panels.map { $0.title ?? "" }
        // The clean model's rate, the same in both panels, is the caption's (review r22d m1).
        #expect(titles == ["no defense", "loss-filter 20%"], "\(titles)")
        #expect(figure.caption.contains("the clean model's mean rate 0.00 in every panel."), "\(figure.caption)")
        #expect(!titles.contains { $0.contains("class-flip") })
        // The reference study: one attack and one defense, so no attack-success panel names either.
        let reference = try #require(Self.committedResults().first { $0.name == "reference" }?.results)
        if let success = studyFigures(reference).first(where: { $0.name == "attack_success" }) {
            #expect(success.chart.panels.allSatisfy { $0.title == nil || $0.title!.hasPrefix("clean model's rate") })
        }
    }

    /// examples/defenses: each trade-off point has its cost's interval as a horizontal bar, the
    /// report's interval of the clean-accuracy change negated (cost = undefended minus defended), in
    /// percentage points, and the caption gives the intervals' level.
    @Test func tradeOffDrawsTheCostInterval() throws {
        let results = try #require(Self.committedResults().first { $0.name == "defenses" }?.results)
        let figure = try #require(studyFigures(results).first { $0.name == "defense_tradeoff" })
        var checked = 0
        for series in figure.chart.panels.flatMap(\.series) {
            let index = try #require(results.series.firstIndex { $0.label == series.label })
            let finding = try #require(results.findings.defenses.first { $0.series == index })
            let change = try #require(finding.cleanAccuracyChange.interval)
            let bar = try #require(series.xIntervals?[0])
            #expect(abs(bar.lowerBound + change.upper! * 100) < 1e-9 && abs(bar.upperBound + change.lower! * 100) < 1e-9)
            #expect(bar.contains(series.points[0].x))
            checked += 1
        }
        #expect(checked == 26)
        #expect(figure.caption.contains("horizontal bars: its 95% interval") && figure.caption.contains("vertical bars: its 95% interval"))
        let rendered = try figure.chart.render(format: .png, font: font)
        #expect(Self.layoutFailures(figure, rendered) == [])
        // The bars are drawn: halfway between a point's marker and its bar's right end, a pixel has the
        // series' colour, for the points whose bar reaches 10 points beyond the marker (most of them).
        let transform = rendered.transforms[0], panel = figure.chart.panels[0]
        let long = panel.series.indices.compactMap { index -> (Point, Double, Color)? in
            let series = panel.series[index], start = rendered.points[0][index][0]
            let end = transform.deviceX(series.xIntervals![0]!.upperBound) + start.x - transform.deviceX(series.points[0].x)
            return end - start.x > 14 ? (start, end, series.color) : nil
        }
        let coloured = long.filter { start, end, color in
            rendered.canvas.pixel(at: Point((start.x + 4 + end) / 2, start.y)).isClose(to: color, tolerance: 0.2)
        }
        #expect(long.count >= 3 && coloured.count * 2 > long.count, "\(coloured.count) of \(long.count)")
    }

    /// examples/curvature: the penalty trade-off gives each attack its own panel, so that one y axis
    /// never holds two metrics (a backdoor's trigger rate and a label flip's accuracy loss shared
    /// one), each titled by the attack and its success, one curve in the model's colour, with both
    /// intervals as bars.
    @Test func penaltyTradeOffPutsOneMetricOnEachAxis() throws {
        let results = try #require(Self.committedResults().first { $0.name == "curvature" }?.results)
        let figure = try #require(studyFigures(results).first { $0.name == "penalty_tradeoff" })
        let tradeOff = try #require(results.penaltyTradeOff)
        #expect(figure.chart.panels.count == 2)
        for (panel, curve) in zip(figure.chart.panels, tradeOff.curves.sorted { $0.attack < $1.attack }) {
            let attack = try #require(results.series.first { $0.attack == curve.attack }).attackLabel
            #expect(panel.title?.hasPrefix(attack + ": ") == true, "\(String(describing: panel.title))")
            #expect(panel.title?.lowercased().hasSuffix(curve.successName.lowercased()) == true)
            #expect(panel.series.count == 1 && panel.series[0].color == StudyStyles(results).models[curve.model].color)
            #expect(panel.series[0].xIntervals?.allSatisfy { $0 != nil } == true && panel.series[0].intervals?.allSatisfy { $0 != nil } == true)
        }
        #expect(figure.caption.contains("one panel per attack, so that each y axis holds one attack's success"))
        #expect(figure.chart.legend.map(\.label) == ["MLP 64"])
        #expect(Self.layoutFailures(figure, try figure.chart.render(format: .png, font: font)) == [])
    }
}
