import Foundation

/// A data series drawn in a panel: markers with optional symmetric error bars, and/or a line.
public struct Series: Sendable {
    /// Legend text; not used by the chart itself (legends list `LegendEntry`s).
    public var label: String
    /// Points in data coordinates.
    public var points: [Point]
    /// Symmetric y errors (± one value per point), drawn as capped bars; nil for none.
    public var errors: [Double]?
    /// Colour of markers, bars and line.
    public var color: Color
    /// The connecting line's style; nil for markers only.
    public var line: LineStyle?
    /// Line width in points.
    public var lineWidth: Double
    /// Marker shape; nil for a line only.
    public var marker: MarkerShape?
    /// Marker diameter in points.
    public var markerSize: Double

    /// A series; by default markers with no line.
    public init(label: String, points: [Point], errors: [Double]? = nil, color: Color, line: LineStyle? = nil,
                lineWidth: Double = 1.4, marker: MarkerShape? = nil, markerSize: Double = 6.5) {
        precondition(errors == nil || errors!.count == points.count, "one error per point")
        self.label = label
        self.points = points
        self.errors = errors
        self.color = color
        self.line = line
        self.lineWidth = lineWidth
        self.marker = marker
        self.markerSize = markerSize
    }
}

/// A horizontal or vertical line across a panel at a data value (chance level, a threshold).
public struct ReferenceLine: Sendable {
    /// Direction of the line.
    public enum Orientation: Sendable { case horizontal, vertical }
    public var orientation: Orientation
    /// The y (horizontal) or x (vertical) data value.
    public var value: Double
    public var color: Color
    public var style: LineStyle
    public var width: Double

    /// A reference line.
    public init(_ orientation: Orientation, at value: Double, color: Color, style: LineStyle, width: Double = 1.1) {
        self.orientation = orientation
        self.value = value
        self.color = color
        self.style = style
        self.width = width
    }
}

/// One row of a legend: a sample of a line, a marker and/or a translucent swatch, and its text.
public struct LegendEntry: Sendable {
    public var label: String
    public var color: Color
    public var line: LineStyle?
    public var marker: MarkerShape?
    /// Draw a translucent swatch (for bands and strips).
    public var swatch: Bool

    /// A legend row.
    public init(label: String, color: Color, line: LineStyle? = nil, marker: MarkerShape? = nil, swatch: Bool = false) {
        self.label = label
        self.color = color
        self.line = line
        self.marker = marker
        self.swatch = swatch
    }
}

/// A shaded region between a lower and an upper curve over the same x values (a confidence band),
/// drawn translucent beneath the series.
public struct Band: Sendable {
    /// x values, ascending.
    public var x: [Double]
    /// Lower edge at each x.
    public var lower: [Double]
    /// Upper edge at each x.
    public var upper: [Double]
    /// Fill colour (drawn at `opacity`).
    public var color: Color
    public var opacity: Double

    /// A band; the three lists pair up.
    public init(x: [Double], lower: [Double], upper: [Double], color: Color, opacity: Double = 0.16) {
        precondition(x.count == lower.count && x.count == upper.count, "one lower and one upper value per x")
        self.x = x
        self.lower = lower
        self.upper = upper
        self.color = color
        self.opacity = opacity
    }
}

/// An interval of x drawn as a translucent strip along the bottom of a panel, one lane per span
/// so that overlapping intervals stay apart and no data point is covered.
public struct Span: Sendable {
    /// Start and end in data units; nil for an end that runs off the axis.
    public var from: Double?
    public var to: Double?
    public var color: Color
    /// Lane above the x axis, 0 the lowest.
    public var lane: Int

    /// A span.
    public init(from: Double?, to: Double?, color: Color, lane: Int) {
        self.from = from
        self.to = to
        self.color = color
        self.lane = lane
    }
}

/// One plot area's content.
public struct Panel: Sendable {
    /// Title above the panel (e.g. "width 64"); nil for none.
    public var title: String?
    public var series: [Series]
    public var referenceLines: [ReferenceLine]
    /// Shaded bands beneath the series.
    public var bands: [Band]
    /// Interval strips along the bottom.
    public var spans: [Span]

    /// A panel.
    public init(title: String? = nil, series: [Series], referenceLines: [ReferenceLine] = [], bands: [Band] = [],
                spans: [Span] = []) {
        self.title = title
        self.series = series
        self.referenceLines = referenceLines
        self.bands = bands
        self.spans = spans
    }
}

/// How tick values are written.
public enum TickFormat: Sendable {
    /// Plain decimals, as many as the tick step needs.
    case number
    /// value × 100 followed by "%".
    case percent
}

/// An axis: its label, its range (nil to fit the data) and its tick format.
public struct Axis: Sendable {
    public var label: String
    public var range: ClosedRange<Double>?
    public var format: TickFormat

    /// An axis.
    public init(label: String, range: ClosedRange<Double>? = nil, format: TickFormat = .number) {
        self.label = label
        self.range = range
        self.format = format
    }
}

/// A complete figure: a title, a row of one or more panels sharing the x and y axes, and a legend.
public struct Chart: Sendable {
    public var title: String
    public var x: Axis
    public var y: Axis
    public var panels: [Panel]
    public var legend: [LegendEntry]
    /// Figure width in points.
    public var width: Double
    /// Figure height in points.
    public var height: Double

    /// A figure of `width` × `height` points.
    public init(title: String, x: Axis, y: Axis, panels: [Panel], legend: [LegendEntry], width: Double, height: Double) {
        precondition(!panels.isEmpty, "a chart needs a panel")
        self.title = title
        self.x = x
        self.y = y
        self.panels = panels
        self.legend = legend
        self.width = width
        self.height = height
    }
}

/// A drawn chart and where everything ended up, in device points.
public struct RenderedChart {
    /// The canvas holding the drawing; `canvas.render()` gives the file bytes.
    public let canvas: Canvas
    /// Each panel's data-to-device transform, in panel order.
    public let transforms: [Transform]
    /// The title's box.
    public let titleBox: Rect
    /// The legend's box, if the chart has a legend.
    public let legendBox: Rect?
    /// Every tick label's box (for overlap checks).
    public let tickLabelBoxes: [Rect]
}

/// Text sizes and spacing of every chart, in points.
enum Style {
    static let titleSize = 13.0
    static let labelSize = 10.5
    static let tickSize = 9.0
    static let legendSize = 9.0
    static let margin = 10.0
    static let tickLength = 4.0
    /// Height of an interval strip, and the gap below each.
    static let spanHeight = 4.0
    static let spanGap = 2.0
    static let panelGap = 12.0
    static let legendSample = 24.0
    static let legendPadding = 6.0
}

extension Chart {
    /// Lays out and draws the chart on a new canvas.
    public func render(format: ImageFormat, dpi: Double = 150, font: Font) throws -> RenderedChart {
        let canvas = try Canvas(width: width, height: height, format: format, dpi: dpi, font: font)
        let xRange = x.range ?? Self.paddedRange(panels.flatMap { $0.series.flatMap { $0.points.map(\.x) } }, fraction: 0.04)
        let yRange = y.range ?? Self.niceRange(panels.flatMap { panel in
            panel.series.flatMap { series in
                series.points.indices.flatMap { i in
                    let error = series.errors?[i] ?? 0
                    return [series.points[i].y - error, series.points[i].y + error]
                }
            } + panel.referenceLines.filter { $0.orientation == .horizontal }.map(\.value)
        })

        // Vertical layout, top to bottom: title, panel titles, plots, x ticks, x label, legend (multi-panel).
        let titleHeight = canvas.lineHeight(size: Style.titleSize)
        let titleBox = Rect(x: (width - canvas.font.width(of: title, size: Style.titleSize)) / 2, y: Style.margin,
                            width: canvas.font.width(of: title, size: Style.titleSize), height: titleHeight)
        let panelTitleHeight = panels.contains { $0.title != nil } ? canvas.lineHeight(size: Style.labelSize) + 4 : 0
        let top = titleBox.maxY + 8 + panelTitleHeight
        let tickLabelHeight = canvas.lineHeight(size: Style.tickSize)
        let xLabelHeight = canvas.lineHeight(size: Style.labelSize)
        /// The plot row's vertical and horizontal layout, with or without a legend below it.
        func layout(legendBelow: Bool) -> (legend: LegendRows, plotHeight: Double, yTicks: (values: [Double], step: Double),
                                           yLabels: [String], left: Double) {
            var bottomReserve = Style.tickLength + 3 + tickLabelHeight + 5 + xLabelHeight + Style.margin
            // Below the plots the legend takes as many columns as fit; inside or beside them, one column.
            let legendRows = legendLayout(canvas: canvas, availableWidth: legendBelow ? width - 2 * Style.margin : nil)
            if legendBelow { bottomReserve += legendRows.height + 8 }
            // Horizontal layout: y label, y tick labels, panels.
            let plotHeight = height - top - bottomReserve
            let yTicks = Self.ticks(yRange, maxTicks: max(2, min(9, Int(plotHeight / (tickLabelHeight * 2.4)))))
            let yLabels = yTicks.values.map { tickLabel(y.format, $0, step: yTicks.step) }
            let yLabelWidth = yLabels.map { canvas.font.width(of: $0, size: Style.tickSize) }.max() ?? 0
            let left = Style.margin + canvas.lineHeight(size: Style.labelSize) + 6 + yLabelWidth + 4 + Style.tickLength
            return (legendRows, plotHeight, yTicks, yLabels, left)
        }
        // A row of panels has its legend below; a single panel's goes inside, in a corner free of
        // data, else below it too.
        var legendBelow = panels.count > 1 && !legend.isEmpty
        var legendBox: Rect?
        let right = width - Style.margin - 4
        if panels.count == 1 && !legend.isEmpty {
            let inside = layout(legendBelow: false)
            let area = Rect(x: inside.left, y: top, width: right - inside.left, height: inside.plotHeight)
            legendBox = insideLegendBox(width: inside.legend.width, height: inside.legend.height,
                                        transform: Transform(area: area, xRange: xRange, yRange: yRange))
            legendBelow = legendBox == nil
        }
        let (legendRows, plotHeight, yTicks, yLabels, left) = layout(legendBelow: legendBelow)

        let panelWidth = (right - left - Style.panelGap * Double(panels.count - 1)) / Double(panels.count)
        let transforms = panels.indices.map { index in
            Transform(area: Rect(x: left + Double(index) * (panelWidth + Style.panelGap), y: top,
                                 width: panelWidth, height: plotHeight), xRange: xRange, yRange: yRange)
        }
        let xTicks = fittingXTicks(canvas: canvas, range: xRange, panelWidth: panelWidth)

        var tickBoxes = [Rect]()
        canvas.drawText(title, at: Point(width / 2, titleBox.y), size: Style.titleSize, anchor: .top)
        for (index, panel) in panels.enumerated() {
            tickBoxes += drawPanel(panel, canvas: canvas, transform: transforms[index], xTicks: xTicks,
                                   yTicks: yTicks, yLabels: index == 0 ? yLabels : nil)
        }
        let plotsLeft = transforms.first!.area.x, plotsRight = transforms.last!.area.maxX
        let xLabelY = top + plotHeight + Style.tickLength + 3 + tickLabelHeight + 5
        canvas.drawText(x.label, at: Point((plotsLeft + plotsRight) / 2, xLabelY), size: Style.labelSize, anchor: .top)
        canvas.drawText(y.label, at: Point(Style.margin, top + plotHeight / 2), size: Style.labelSize,
                        anchor: .top, degrees: 90)

        if legendBelow {
            legendBox = Rect(x: (width - legendRows.width) / 2, y: xLabelY + xLabelHeight + 8,
                             width: legendRows.width, height: legendRows.height)
        }
        if let box = legendBox { drawLegend(canvas: canvas, box: box, rows: legendRows) }
        return RenderedChart(canvas: canvas, transforms: transforms, titleBox: titleBox, legendBox: legendBox,
                             tickLabelBoxes: tickBoxes)
    }

    // MARK: Panels

    /// Draws grid, reference lines, series, frame, ticks and tick labels; returns the label boxes.
    private func drawPanel(_ panel: Panel, canvas: Canvas, transform: Transform, xTicks: (values: [Double], step: Double),
                           yTicks: (values: [Double], step: Double), yLabels: [String]?) -> [Rect] {
        let area = transform.area
        var boxes = [Rect]()
        canvas.clipped(to: area) {
            for value in xTicks.values {
                canvas.strokeLine([Point(transform.deviceX(value), area.y), Point(transform.deviceX(value), area.maxY)],
                                  color: .grid, width: 0.6)
            }
            for value in yTicks.values {
                canvas.strokeLine([Point(area.x, transform.deviceY(value)), Point(area.maxX, transform.deviceY(value))],
                                  color: .grid, width: 0.6)
            }
            for band in panel.bands {
                let upper = zip(band.x, band.upper).map { transform.device(Point($0, $1)) }
                let lower = zip(band.x, band.lower).map { transform.device(Point($0, $1)) }
                var fill = band.color
                fill.alpha = band.opacity
                canvas.fillPolygon(upper + lower.reversed(), color: fill)
            }
            for span in panel.spans {
                let left = span.from.map(transform.deviceX) ?? area.x, right = span.to.map(transform.deviceX) ?? area.maxX
                var fill = span.color
                fill.alpha = 0.45
                let y = area.maxY - Style.spanHeight * Double(span.lane + 1) - Style.spanGap * Double(span.lane + 1)
                canvas.fillRect(Rect(x: min(left, right), y: y, width: abs(right - left), height: Style.spanHeight), color: fill)
            }
            for line in panel.referenceLines {
                let ends = line.orientation == .horizontal
                    ? [Point(area.x, transform.deviceY(line.value)), Point(area.maxX, transform.deviceY(line.value))]
                    : [Point(transform.deviceX(line.value), area.y), Point(transform.deviceX(line.value), area.maxY)]
                canvas.strokeLine(ends, color: line.color, width: line.width, style: line.style)
            }
            for series in panel.series where series.line != nil {
                canvas.strokeLine(series.points.map(transform.device), color: series.color, width: series.lineWidth,
                                  style: series.line!)
            }
            for series in panel.series {
                guard let errors = series.errors else { continue }
                for (point, error) in zip(series.points, errors) where error > 0 {
                    let x = transform.deviceX(point.x)
                    let low = transform.deviceY(point.y - error), high = transform.deviceY(point.y + error)
                    canvas.strokeLine([Point(x, low), Point(x, high)], color: series.color, width: 1)
                    canvas.strokeLine([Point(x - 2.5, low), Point(x + 2.5, low)], color: series.color, width: 1)
                    canvas.strokeLine([Point(x - 2.5, high), Point(x + 2.5, high)], color: series.color, width: 1)
                }
            }
        }
        // Markers may overhang the frame a little, as in most plotting tools.
        for series in panel.series {
            guard let marker = series.marker else { continue }
            for point in series.points where transform.xRange.contains(point.x) && transform.yRange.contains(point.y) {
                canvas.drawMarker(marker, at: transform.device(point), size: series.markerSize, color: series.color)
            }
        }
        canvas.strokeRect(area, color: .ink, width: 0.8)
        for value in xTicks.values {
            let x = transform.deviceX(value)
            canvas.strokeLine([Point(x, area.maxY), Point(x, area.maxY + Style.tickLength)], color: .ink, width: 0.8)
            let label = tickLabel(self.x.format, value, step: xTicks.step)
            let anchor = Point(x, area.maxY + Style.tickLength + 3)
            canvas.drawText(label, at: anchor, size: Style.tickSize, anchor: .top)
            let box = canvas.textBounds(label, size: Style.tickSize, anchor: .top)
            boxes.append(Rect(x: box.x + anchor.x, y: box.y + anchor.y, width: box.width, height: box.height))
        }
        for (index, value) in yTicks.values.enumerated() {
            let y = transform.deviceY(value)
            canvas.strokeLine([Point(area.x - Style.tickLength, y), Point(area.x, y)], color: .ink, width: 0.8)
            guard let labels = yLabels else { continue }
            let anchor = Point(area.x - Style.tickLength - 3, y)
            canvas.drawText(labels[index], at: anchor, size: Style.tickSize, anchor: .right)
            let box = canvas.textBounds(labels[index], size: Style.tickSize, anchor: .right)
            boxes.append(Rect(x: box.x + anchor.x, y: box.y + anchor.y, width: box.width, height: box.height))
        }
        if let title = panel.title {
            canvas.drawText(title, at: Point(area.x + area.width / 2, area.y - 4), size: Style.labelSize, anchor: .bottom)
        }
        return boxes
    }

    /// The most x ticks (at most 11) whose labels fit side by side with a gap of 8 points.
    private func fittingXTicks(canvas: Canvas, range: ClosedRange<Double>, panelWidth: Double) -> (values: [Double], step: Double) {
        var count = 11
        while true {
            let ticks = Self.ticks(range, maxTicks: count)
            let widths = ticks.values.map { canvas.font.width(of: tickLabel(x.format, $0, step: ticks.step), size: Style.tickSize) }
            let spacing = panelWidth * ticks.step / (range.upperBound - range.lowerBound)
            if count <= 2 || (widths.max() ?? 0) + 8 <= spacing { return ticks }
            count -= 1
        }
    }

    // MARK: Legend

    /// Legend entries laid out in rows of `columns` entries each.
    struct LegendRows {
        let entryWidths: [Double]
        let lineHeight: Double
        let rowHeight: Double
        let columns: Int
        var rows: Int { (entryWidths.count + columns - 1) / max(columns, 1) }
        var columnWidth: Double { entryWidths.max() ?? 0 }
        var width: Double { Double(columns) * columnWidth + 2 * Style.legendPadding }
        var height: Double { Double(rows) * rowHeight + 2 * Style.legendPadding - (rowHeight - lineHeight) }
    }

    /// One column when `availableWidth` is nil, else as many columns as fit in it.
    private func legendLayout(canvas: Canvas, availableWidth: Double?) -> LegendRows {
        let widths = legend.map { Style.legendSample + 6 + canvas.font.width(of: $0.label, size: Style.legendSize) + 14 }
        let columns = availableWidth.map { available in
            max(1, min(legend.count, Int((available - 2 * Style.legendPadding) / max(widths.max() ?? 0, 1))))
        } ?? 1
        let lineHeight = canvas.lineHeight(size: Style.legendSize)
        return LegendRows(entryWidths: widths, lineHeight: lineHeight, rowHeight: lineHeight * 1.45, columns: columns)
    }

    private func drawLegend(canvas: Canvas, box: Rect, rows: LegendRows) {
        canvas.fillRect(box, color: Color(hex: 0xFFFFFF, alpha: 0.92))
        canvas.strokeRect(box, color: Color(hex: 0xBBBBBB), width: 0.6)
        for (index, entry) in legend.enumerated() {
            let column = index % rows.columns, row = index / rows.columns
            let x = box.x + Style.legendPadding + Double(column) * rows.columnWidth
            let centerY = box.y + Style.legendPadding + rows.lineHeight / 2 + Double(row) * rows.rowHeight
            if let line = entry.line {
                canvas.strokeLine([Point(x, centerY), Point(x + Style.legendSample, centerY)], color: entry.color,
                                  width: 1.4, style: line)
            }
            if entry.swatch {
                var fill = entry.color
                fill.alpha = 0.35
                canvas.fillRect(Rect(x: x, y: centerY - 4, width: Style.legendSample, height: 8), color: fill)
            }
            if let marker = entry.marker {
                canvas.drawMarker(marker, at: Point(x + Style.legendSample / 2, centerY), size: 6.5, color: entry.color)
            }
            canvas.drawText(entry.label, at: Point(x + Style.legendSample + 6, centerY), size: Style.legendSize,
                            anchor: .left)
        }
    }

    /// The first inside corner (upper right, upper left, lower left, lower right) whose box covers no
    /// data (markers, error bars, lines); corners that also avoid reference lines are preferred.
    private func insideLegendBox(width: Double, height: Double, transform: Transform) -> Rect? {
        let area = transform.area, inset = 6.0
        let corners = [
            Rect(x: area.maxX - inset - width, y: area.y + inset, width: width, height: height),
            Rect(x: area.x + inset, y: area.y + inset, width: width, height: height),
            Rect(x: area.x + inset, y: area.maxY - inset - height, width: width, height: height),
            Rect(x: area.maxX - inset - width, y: area.maxY - inset - height, width: width, height: height),
        ].filter { $0.x >= area.x && $0.y >= area.y }
        let data = dataObstacles(transform: transform)
        let references = referenceObstacles(transform: transform)
        return corners.first { box in !data.contains(where: box.intersects) && !references.contains(where: box.intersects) }
            ?? corners.first { box in !data.contains(where: box.intersects) }
    }

    /// Small boxes covering every marker, error bar and line segment of the (single) panel.
    private func dataObstacles(transform: Transform) -> [Rect] {
        var boxes = [Rect]()
        for series in panels[0].series {
            let device = series.points.map(transform.device)
            let radius = series.marker == nil ? 2.0 : series.markerSize / 2 + 2
            for (index, point) in device.enumerated() {
                let error = series.errors?[index] ?? 0
                let top = transform.deviceY(series.points[index].y + error)
                let bottom = transform.deviceY(series.points[index].y - error)
                boxes.append(Rect(x: point.x - radius, y: min(top, point.y - radius), width: 2 * radius,
                                  height: max(bottom, point.y + radius) - min(top, point.y - radius)))
            }
            guard series.line != nil else { continue }
            for (start, end) in zip(device, device.dropFirst()) {
                let steps = max(1, Int((hypot(end.x - start.x, end.y - start.y) / 3).rounded(.up)))
                for step in 0...steps {
                    let t = Double(step) / Double(steps)
                    boxes.append(Rect(x: start.x + t * (end.x - start.x) - 2, y: start.y + t * (end.y - start.y) - 2,
                                      width: 4, height: 4))
                }
            }
        }
        let area = transform.area
        for span in panels[0].spans {
            let left = span.from.map(transform.deviceX) ?? area.x, right = span.to.map(transform.deviceX) ?? area.maxX
            let y = area.maxY - (Style.spanHeight + Style.spanGap) * Double(span.lane + 1)
            boxes.append(Rect(x: min(left, right), y: y, width: abs(right - left), height: Style.spanHeight))
        }
        for band in panels[0].bands {
            for edge in [band.lower, band.upper] {
                for (x, y) in zip(band.x, edge) {
                    let point = transform.device(Point(x, y))
                    boxes.append(Rect(x: point.x - 2, y: point.y - 2, width: 4, height: 4))
                }
            }
        }
        return boxes
    }

    private func referenceObstacles(transform: Transform) -> [Rect] {
        panels[0].referenceLines.map { line in
            line.orientation == .horizontal
                ? Rect(x: transform.area.x, y: transform.deviceY(line.value) - 2, width: transform.area.width, height: 4)
                : Rect(x: transform.deviceX(line.value) - 2, y: transform.area.y, width: 4, height: transform.area.height)
        }
    }

    // MARK: Ranges and ticks

    static func ticks(_ range: ClosedRange<Double>, maxTicks: Int) -> (values: [Double], step: Double) {
        (niceTicks(lower: range.lowerBound, upper: range.upperBound, maxTicks: maxTicks),
         niceTickStep(lower: range.lowerBound, upper: range.upperBound, maxTicks: maxTicks))
    }

    /// The data's range widened by `fraction` of its span on each side (a unit range around a single value).
    static func paddedRange(_ values: [Double], fraction: Double) -> ClosedRange<Double> {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return 0...1 }
        let span = high > low ? high - low : max(abs(high), 1)
        return (low - fraction * span)...(high + fraction * span)
    }

    /// The data's range padded by 5% and extended outward to whole steps of a fine nice step (a
    /// tenth of the range or so), so that little empty space is added.
    static func niceRange(_ values: [Double]) -> ClosedRange<Double> {
        let padded = paddedRange(values, fraction: 0.05)
        let step = niceTickStep(lower: padded.lowerBound, upper: padded.upperBound, maxTicks: 11)
        return (floor(padded.lowerBound / step + 1e-9) * step)...(ceil(padded.upperBound / step - 1e-9) * step)
    }

    private func tickLabel(_ format: TickFormat, _ value: Double, step: Double) -> String {
        let text: String
        switch format {
        case .number: text = String(format: "%.\(tickDecimals(step: step))f", abs(value))
        case .percent: text = String(format: "%.\(tickDecimals(step: step * 100))f%%", abs(value) * 100)
        }
        // A typographic minus sign (U+2212), as in print.
        return value < 0 ? "\u{2212}" + text : text
    }
}
