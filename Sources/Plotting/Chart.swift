import Foundation

/// A data series drawn in a panel: markers with optional vertical bars (symmetric errors or
/// intervals of y) and horizontal bars (intervals of x), and/or a line.
public struct Series: Sendable {
    /// Legend text; not used by the chart itself (legends list `LegendEntry`s).
    public var label: String
    /// Points in data coordinates.
    public var points: [Point]
    /// Symmetric y errors (± one value per point), drawn as capped bars; nil for none.
    public var errors: [Double]?
    /// Intervals of y, one per point (nil for none at that point), drawn as capped bars like
    /// `errors`, for bounds that are not symmetric about the point; nil for none.
    public var intervals: [ClosedRange<Double>?]?
    /// Intervals of x, one per point (nil for none at that point), drawn as capped horizontal bars
    /// through the point; nil for none.
    public var xIntervals: [ClosedRange<Double>?]?
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
    /// Whether the markers are filled; false draws them open (white inside an edge in `color`).
    public var filled: Bool

    /// A series; by default markers with no line.
    public init(label: String, points: [Point], errors: [Double]? = nil, intervals: [ClosedRange<Double>?]? = nil,
                xIntervals: [ClosedRange<Double>?]? = nil, color: Color, line: LineStyle? = nil, lineWidth: Double = 1.4,
                marker: MarkerShape? = nil, markerSize: Double = 6.5, filled: Bool = true) {
        precondition(errors == nil || errors!.count == points.count, "one error per point")
        precondition(intervals == nil || intervals!.count == points.count, "one interval per point")
        precondition(xIntervals == nil || xIntervals!.count == points.count, "one x interval per point")
        self.label = label
        self.points = points
        self.errors = errors
        self.intervals = intervals
        self.xIntervals = xIntervals
        self.color = color
        self.line = line
        self.lineWidth = lineWidth
        self.marker = marker
        self.markerSize = markerSize
        self.filled = filled
    }

    /// Whether the legend's `entry` stands for this series: the same marker and line style, and the same label or the same
    /// colour, filled or open (an entry naming a model or a defense whose series are labelled in full, as the penalty and
    /// defense trade-offs', r22f m2).
    func shows(_ entry: LegendEntry) -> Bool {
        (label == entry.label || color == entry.color) && marker == entry.marker && line == entry.line
    }

    /// The y range the bar of point `index` spans (its interval, or its value ± its error), nil
    /// when it has no bar.
    public func bar(_ index: Int) -> ClosedRange<Double>? {
        if let interval = intervals?[index] { return interval }
        guard let error = errors?[index], error > 0 else { return nil }
        return (points[index].y - error)...(points[index].y + error)
    }
}

/// A horizontal or vertical line across a panel at a data value (chance level, a threshold); an
/// axis without a given range includes the values of its reference lines.
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

/// One row of a legend: a sample of a line, a marker and/or a swatch, and its text.
public struct LegendEntry: Sendable {
    /// The sample of an area or interval, drawn as the chart draws it.
    public enum Swatch: Sendable {
        /// A filled translucent box, for a band.
        case box
        /// A line with a cap at each end, for an interval strip (`Span`).
        case interval
    }

    public var label: String
    public var color: Color
    public var line: LineStyle?
    public var marker: MarkerShape?
    /// The swatch of a band or an interval; nil for none.
    public var swatch: Swatch?
    /// The key that stands for the entry beside a point whose direct label has no room
    /// (`PointLabel.key`), written before the label as "key: label"; nil for none.
    public var key: String?
    /// Whether the marker is filled; false shows it open, as `Series.filled` draws it.
    public var filled: Bool

    /// A legend row.
    public init(label: String, color: Color, line: LineStyle? = nil, marker: MarkerShape? = nil, swatch: Swatch? = nil,
                key: String? = nil, filled: Bool = true) {
        self.label = label
        self.color = color
        self.line = line
        self.marker = marker
        self.swatch = swatch
        self.key = key
        self.filled = filled
    }

    /// The text the legend shows: "key: label", or the label without a key.
    var text: String { key.map { "\($0): \(label)" } ?? label }
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

/// An interval of x drawn along the bottom of a panel as a line with a cap at each end that the axis
/// holds (an end that runs off the axis has none), one lane per span so that overlapping intervals
/// stay apart and no data point is covered.
public struct Span: Sendable {
    /// Start and end in data units; nil for an end that runs off the axis.
    public var from: Double?
    public var to: Double?
    public var color: Color
    /// Lane above the x axis, 0 the lowest.
    public var lane: Int
    /// Whether the start, or the end, is open: the span goes on beyond it (an interval bounded on one side
    /// only), drawn as an arrowhead pointing outward instead of a cap.
    public var opensFrom: Bool, opensTo: Bool

    /// A span.
    public init(from: Double?, to: Double?, color: Color, lane: Int, opensFrom: Bool = false, opensTo: Bool = false) {
        self.from = from
        self.to = to
        self.color = color
        self.lane = lane
        self.opensFrom = opensFrom
        self.opensTo = opensTo
    }
}

/// A text set next to a data point (a direct label), placed by the chart where it overlaps no other
/// label, marker or line. Where the text finds no such place near the point, its `key` (a number
/// the legend explains) is set there instead, beside the point or farther out with a leader line,
/// and as a last resort over the data, so that every point in the plot area is labelled.
public struct PointLabel: Sendable {
    /// The text.
    public var text: String
    /// The labelled point, in data coordinates.
    public var point: Point
    /// The text's colour (usually the point's).
    public var color: Color
    /// A short stand-in for the text (e.g. "3", with "3 name" in the legend); nil for none, when a
    /// text with no room is left out.
    public var key: String?

    /// A label for the point.
    public init(_ text: String, at point: Point, color: Color, key: String? = nil) {
        self.text = text
        self.point = point
        self.color = color
        self.key = key
    }
}

/// One plot area's content.
public struct Panel: Sendable {
    /// Title above the panel (e.g. "width 64"); nil for none. A title wider than the panel wraps to as
    /// many lines as it needs (a word wider than the panel between its characters), never shortened.
    public var title: String?
    public var series: [Series]
    public var referenceLines: [ReferenceLine]
    /// Shaded bands beneath the series.
    public var bands: [Band]
    /// Interval strips along the bottom.
    public var spans: [Span]
    /// Direct labels next to data points.
    public var labels: [PointLabel]
    /// Whether markers that would overlap are set apart sideways (for a scatter of single points
    /// that may coincide): each marker, in order, moves right or left by whole marker widths (+1, -1,
    /// +2, ...) until it overlaps none before it, with its bar, and a label whose point is that
    /// marker's (the first not yet taken with equal coordinates) follows it.
    public var dodge: Bool

    /// A panel.
    public init(title: String? = nil, series: [Series], referenceLines: [ReferenceLine] = [], bands: [Band] = [],
                spans: [Span] = [], labels: [PointLabel] = [], dodge: Bool = false) {
        self.title = title
        self.series = series
        self.referenceLines = referenceLines
        self.bands = bands
        self.spans = spans
        self.labels = labels
        self.dodge = dodge
    }
}

/// How tick values are written.
public enum TickFormat: Sendable {
    /// Plain decimals, as many as the tick step needs.
    case number
    /// value × 100 followed by "%".
    case percent
}

/// An axis: its label, its range (nil to fit the data), its tick format, the least span of a
/// fitted range and its scale.
public struct Axis: Sendable {
    public var label: String
    public var range: ClosedRange<Double>?
    public var format: TickFormat
    /// The least span of a fitted range, in data units (nil for none): a fitted range narrower than
    /// this is widened about its middle to it, so that differences too small to matter (a tenth of a
    /// percentage point) do not fill the panel. Figures of percentage points give 4, of fractions 0.04.
    /// Only a linear axis uses it.
    public var minimumSpan: Double?
    /// Whether `range` is a range fitted to the data (set when a chart splits into pages that share
    /// its fitted ranges), which already keeps the data inside the frame; a range given by the caller
    /// is padded instead (`Chart.insetRange`).
    var rangeIsFitted = false
    /// How data map to position. On a log scale the range is positive, the labelled ticks sit at
    /// powers of ten (`logTicks`) and are written as `logTickLabel` does, and the chart leaves out
    /// every point, label and reference line at 0 or below (`Chart.pointsOffScale` counts them).
    public var scale: AxisScale

    /// An axis.
    public init(label: String, range: ClosedRange<Double>? = nil, format: TickFormat = .number, minimumSpan: Double? = nil,
                scale: AxisScale = .linear) {
        precondition(minimumSpan.map { $0 > 0 } ?? true, "a minimum span is positive")
        precondition(range.map { scale.shows($0.lowerBound) } ?? true, "a log axis's range is positive")
        if case .symmetricLog(let t) = scale { precondition(t > 0, "a symmetric log scale's linear part is positive") }
        self.label = label
        self.range = range
        self.format = format
        self.minimumSpan = minimumSpan
        self.scale = scale
    }
}

/// A complete figure: a title, a grid of panels sharing the x axis and the y axis (or a y range per row
/// or column, `ySharing`), optional headers of its columns and rows, and a legend. The panels
/// fill rows of at most `maxColumns`; a panel is `panelWidth` wide unless that would make the figure
/// wider than `maxWidth`, when panels narrow down to `Chart.minimumPanelWidth` and then rows are
/// added (unless headers or ranges by row or column fix the columns). Tick labels are drawn on the outer
/// panels only: y on the first column (on every panel when each column has its own range), x on the lowest
/// panel of each column. The figure's size follows from the grid and the legend.
public struct Chart: Sendable {
    public var title: String
    public var x: Axis
    public var y: Axis
    public var panels: [Panel]
    public var legend: [LegendEntry]
    /// Width of one panel's plot area in points, at most.
    public var panelWidth: Double
    /// Height of one panel's plot area in points.
    public var panelHeight: Double
    /// Most panels in a row.
    public var maxColumns: Int
    /// Most rows of panels on one page (`paged()`); nil for `rowsPerPage`'s default.
    public var maxRows: Int?
    /// Widest figure in points.
    public var maxWidth: Double
    /// Tallest page in points (`paged(font:groups:)`): a taller chart is split into pages of fewer rows.
    public var maxHeight: Double
    /// Which panels share a fitted y range (an axis without a given `range`): all of them, or only those of a
    /// row or of a column of the grid, for panels whose quantities differ in scale from row to row or column
    /// to column (each attack's success). Panels of a column of their own range draw their own y tick labels.
    public var ySharing: YSharing = .all
    /// The header of each column of a facet grid (e.g. its defense), drawn once above the top row of each
    /// page, in place of a panel title repeating it; nil for none. With headers, the grid keeps `maxColumns`
    /// columns (narrowing its panels below `minimumPanelWidth` if it must), so that a header heads its column.
    public var columnHeaders: [String]?
    /// The header of each row of `maxColumns` panels (e.g. its attack), drawn once at the right of the row,
    /// reading downwards; nil for none.
    public var rowHeaders: [String]?
    /// Each panel's y range, fitted to the whole chart when it was split into pages that keep the ranges of
    /// its rows or columns (`ySharing`); nil to fit them.
    var panelYRanges: [ClosedRange<Double>]?

    /// Which panels of a chart share a fitted y range.
    public enum YSharing: Sendable {
        /// Every panel.
        case all
        /// The panels of a row of `maxColumns`.
        case rows
        /// The panels of a column.
        case columns
    }

    /// The width report.tex gives a figure, in points: its \linewidth, letter paper (8.5 inches) less
    /// two 2.4 cm margins.
    public static let printedWidth = 8.5 * 72 - 2 * 2.4 / 2.54 * 72
    /// The smallest size, in points, at which a figure's text may print.
    public static let smallestPrintedText = 7.0
    /// The widest figure by default, in points: one that report.tex, scaling it to `printedWidth`,
    /// prints with its tick labels and legend (9 points, the smallest text of a grid of panels) at
    /// `smallestPrintedText`: 612 points, 1,275 pixels at 150 dpi, four panels of 125 points in a row.
    /// (Four 205-point panels made a figure 950 points wide, whose tick labels printed at 4.5 points.)
    public static let defaultMaxWidth = printedWidth * Style.tickSize / smallestPrintedText
    /// The size of the direct labels of a figure `figureWidth` × `figureHeight` points: 7.5 points, or more in
    /// a figure so wide or tall that report.tex, scaling it (`printedScale`), would print them below
    /// `smallestPrintedText`: 7 / printedScale, 9 points in a figure `defaultMaxWidth` wide. (At 7.5 points
    /// throughout, the penalty trade-off figure's λ labels printed at 5.8 points.)
    public static func directLabelSize(figureWidth: Double, figureHeight: Double) -> Double {
        max(Style.pointLabelSize, smallestPrintedText / printedScale(width: figureWidth, height: figureHeight))
    }
    /// The height report.tex gives a figure at most, in points: its \figureimageheight, the text height of
    /// letter paper (11 inches less two 2.4 cm margins, 656 points) less the caption and the space about the
    /// figure, for a caption of up to eight lines (0.85 of the text height, 558 points, when the caption is short).
    public static let printedHeight = 482.0
    /// The tallest figure by default, in points: one that report.tex, scaling it to `printedHeight`, prints
    /// with its 9-point tick labels and legend at `smallestPrintedText`: 620 points. (A facet grid of 4 rows
    /// of 250-point panels and a long legend was 1,048 points tall, and its tick labels printed at 4.5 points.)
    public static let defaultMaxHeight = printedHeight * Style.tickSize / smallestPrintedText
    /// The scale at which report.tex prints a figure `width` × `height` points: to `printedWidth`, or less when
    /// that would make it taller than `printedHeight` (`\includegraphics[width=\linewidth,height=…,keepaspectratio]`).
    public static func printedScale(width: Double, height: Double) -> Double {
        min(printedWidth / width, printedHeight / height)
    }
    /// The narrowest plot area a grid shrinks its panels to before it adds rows, in points.
    public static let minimumPanelWidth = 120.0
    /// The height, in points, that the rows of panels of a page fill at most by default
    /// (`rowsPerPage`): with the title, the x label and a legend, a page of the narrowest panels stays
    /// within twice `defaultMaxWidth` high.
    public static let pageGridHeight = 960.0

    /// A figure whose panels' plot areas are `panelWidth` × `panelHeight` points.
    public init(title: String, x: Axis, y: Axis, panels: [Panel], legend: [LegendEntry], panelWidth: Double,
                panelHeight: Double, maxColumns: Int = 4, maxRows: Int? = nil, maxWidth: Double = Chart.defaultMaxWidth,
                maxHeight: Double = Chart.defaultMaxHeight, ySharing: YSharing = .all, columnHeaders: [String]? = nil,
                rowHeaders: [String]? = nil) {
        precondition(!panels.isEmpty, "a chart needs a panel")
        precondition(maxColumns >= 1 && (maxRows ?? 1) >= 1 && panelWidth > 0 && panelHeight > 0,
                     "a chart needs a column, a row and a positive panel size")
        self.title = title
        self.x = x
        self.y = y
        self.panels = panels
        self.legend = legend
        self.panelWidth = panelWidth
        self.panelHeight = panelHeight
        self.maxColumns = maxColumns
        self.maxRows = maxRows
        self.maxWidth = maxWidth
        self.maxHeight = maxHeight
        self.ySharing = ySharing
        precondition(columnHeaders.map { $0.count == min(maxColumns, panels.count) } ?? true, "one header per column")
        precondition(rowHeaders.map { $0.count == (panels.count + maxColumns - 1) / maxColumns } ?? true, "one header per row")
        self.columnHeaders = columnHeaders
        self.rowHeaders = rowHeaders
    }

    /// The most rows of panels on a page: `maxRows`, else as many rows of `panelHeight` and 70
    /// points (room for two lines of panel title, x tick labels and the gap) as fill
    /// `Chart.pageGridHeight` (4 rows of 140- or 170-point panels, 3 of 250), at least one.
    public var rowsPerPage: Int { maxRows ?? max(1, Int(Self.pageGridHeight / (panelHeight + 70))) }

    /// The chart split into pages of whole rows of `maxColumns` panels, as few as keep each within
    /// `rowsPerPage` rows and as even as can be (the earlier pages holding the extra row): itself when
    /// it fits one page. Every page keeps the legend (less the entries for series it does not draw) and the axes, their fitted ranges those of the
    /// whole chart so that the pages compare, and its title ends "(k of n)".
    public func paged() -> [Chart] {
        let rows = (panels.count + maxColumns - 1) / maxColumns, maxRows = rowsPerPage
        guard rows > maxRows else { return [self] }
        let pages = (rows + maxRows - 1) / maxRows
        var start = 0
        return pagesOf((0..<pages).map { page in
            let pageRows = rows / pages + (page < rows % pages ? 1 : 0)
            let end = min(panels.count, start + pageRows * maxColumns)
            defer { start = end }
            return start..<end
        })
    }

    /// The chart split into pages as `paged()` does, but only between groups of panels: `groups`
    /// gives each panel's group (e.g. its attack; a group's panels adjacent), and each page holds
    /// whole groups, as many consecutive ones as fill at most `rowsPerPage` rows, so that no group is
    /// split across pages. `paged()` when a group alone needs more than a page, or `groups` does not
    /// give one group per panel; itself when it fits one page.
    public func paged(groups: [Int]) -> [Chart] {
        let capacity = rowsPerPage * maxColumns
        guard groups.count == panels.count, panels.count > capacity else { return paged() }
        var runs = [Range<Int>]()
        for index in panels.indices {
            if let last = runs.last, groups[last.lowerBound] == groups[index] {
                runs[runs.count - 1] = last.lowerBound..<(index + 1)
            } else {
                runs.append(index..<(index + 1))
            }
        }
        guard runs.allSatisfy({ $0.count <= capacity }) else { return paged() }
        var pages = [Range<Int>]()
        for run in runs {
            if let last = pages.last, run.upperBound - last.lowerBound <= capacity {
                pages[pages.count - 1] = last.lowerBound..<run.upperBound
            } else {
                pages.append(run)
            }
        }
        return pagesOf(pages)
    }

    /// The chart split into pages as `paged()` (or `paged(groups:)` when `groups` is given) does, with as
    /// many rows per page as keep every page, laid out with `font`, within `maxHeight` (at least one row):
    /// the height report.tex prints its 9-point text at 7 points or more.
    public func paged(font: Font, groups: [Int]? = nil) -> [Chart] {
        var chart = self
        var rows = rowsPerPage
        while true {
            chart.maxRows = rows
            let pages = groups.map(chart.paged(groups:)) ?? chart.paged()
            if rows == 1 || pages.allSatisfy({ $0.layOut(font: font).height <= maxHeight }) { return pages }
            rows -= 1
        }
    }

    /// One chart per range of panels, each keeping the legend (without an entry for open markers where the page draws
    /// none, nor one for series of the chart that the page does not draw) and the axes, their fitted ranges those of the whole chart, and titled "(k of n)".
    /// A page holds whole rows of `maxColumns` panels, so that it keeps its rows' headers and the columns' headers.
    private func pagesOf(_ ranges: [Range<Int>]) -> [Chart] {
        var x = self.x, y = self.y
        x.range = x.range ?? fittedXRange(plotWidth: panelWidth)
        let shared = ySharing == .all || y.range != nil
        let wholeYRanges = shared ? nil : yTickRanges(columns: min(maxColumns, panels.count))
        if y.range == nil && shared {
            y.range = fittedYRange(Array(panels.indices))
            y.rangeIsFitted = true
        }
        let allSeries = panels.flatMap(\.series).filter { !$0.points.isEmpty }
        return ranges.enumerated().map { page, range in
            let rows = range.lowerBound / maxColumns..<((range.upperBound + maxColumns - 1) / maxColumns)
            // An entry for open markers only on a page that draws one (review r22d m6: part 1 of a trade-off listed one), and an
            // entry that names series of the chart (by label, marker and line) only on a page that draws one of them (review
            // r22e m1: train_vs_test part 4 listed two train accuracies it does not draw).
            let pageSeries = panels[range].flatMap(\.series).filter { !$0.points.isEmpty }
            let drawsOpen = pageSeries.contains { $0.marker != nil && !$0.filled }
            let pageLegend = legend.filter { entry in
                ((entry.filled || entry.marker == nil) || drawsOpen) && (!allSeries.contains { $0.shows(entry) } || pageSeries.contains { $0.shows(entry) })
            }
            var chart = Chart(title: "\(title) (\(page + 1) of \(ranges.count))", x: x, y: y, panels: Array(panels[range]),
                              legend: pageLegend, panelWidth: panelWidth, panelHeight: panelHeight, maxColumns: maxColumns,
                              maxRows: self.maxRows, maxWidth: maxWidth, maxHeight: maxHeight, ySharing: ySharing,
                              columnHeaders: columnHeaders.map { Array($0.prefix(min(maxColumns, range.count))) },
                              rowHeaders: rowHeaders.map { Array($0[rows]) })
            chart.panelYRanges = wholeYRanges.map { Array($0[range]) }
            return chart
        }
    }
}

/// An axis's ticks: the labelled ones with their labels, the minor ones (unlabelled, shorter, no
/// grid line) and, on a linear axis, the step between the labelled ones (0 otherwise).
struct AxisTicks {
    let values: [Double]
    let labels: [String]
    let minor: [Double]
    let step: Double
}

/// A drawn chart and where everything ended up, in device points.
public struct RenderedChart {
    /// The canvas holding the drawing; `canvas.render()` gives the file bytes.
    public let canvas: Canvas
    /// Each panel's data-to-device transform, in panel order.
    public let transforms: [Transform]
    /// The number of panels in a row.
    public let columns: Int
    /// The title's box.
    public let titleBox: Rect
    /// The legend's box, if the chart has a legend.
    public let legendBox: Rect?
    /// Each panel's direct labels as placed, in panel order.
    public let labels: [[Chart.PlacedLabel]]
    /// Each panel's series' points where they are drawn (set apart when the panel dodges), in device
    /// points: those of `Chart.onScale`, without the points a log axis cannot show.
    public let points: [[[Point]]]
    /// How many points were left out because a log axis cannot show them (at 0 or below).
    public let pointsOffScale: Int
    /// Every text drawn (titles, tick labels, axis labels, legend and direct labels) with its box.
    public var textBoxes: [TextBox] { canvas.textBoxes }
}

/// Text sizes and spacing of every chart, in points.
enum Style {
    static let titleSize = 13.0
    static let labelSize = 10.5
    static let tickSize = 9.0
    static let legendSize = 9.0
    /// The least size of a direct label (`Chart.directLabelSize` gives a wide figure's).
    static let pointLabelSize = 7.5
    /// How much farther than its own point every other marker must be from a direct label without a
    /// leader line: about a marker's radius, so that the marker whose edge is nearest the label is its own.
    static let labelMarkerMargin = 4.0
    /// The least gap, across and up and down, between a direct label's box and any error bar or marker (its own
    /// marker's bar counted as the 2-point line it is), so that a label never seems to continue a bar.
    static let labelBarGap = 2.0
    static let margin = 10.0
    static let tickLength = 4.0
    static let minorTickLength = 2.5
    /// Height of an interval strip, and the gap below each.
    static let spanHeight = 4.0
    static let spanGap = 2.0
    static let panelGap = 14.0
    /// The least distance, in points, between a fitted axis range's outermost data and the frame.
    static let dataInset = 12.0
    static let rowGap = 8.0
    static let legendSample = 24.0
    /// The length of a legend's line samples when one draws a marker on a dash-dotted line (`Chart.legendSampleLength`).
    static let longLegendSample = 36.0
    static let legendPadding = 6.0
    /// The distance between the baselines of a text's lines, in line heights.
    static let lineSpacing = 1.12
    /// The space between a facet header's text and its strip's edges, and between the strip and the panels.
    static let headerPadding = 3.0
    static let headerGap = 4.0
    /// The fill of a facet header's strip.
    static let headerFill = Color(hex: 0xE6E6E6)
}

extension Chart {
    /// Lays out and draws the chart on a new canvas. On a log axis, whatever lies at 0 or below is
    /// left out (`onScale`; `RenderedChart.pointsOffScale` counts the points), never drawn at an
    /// infinite or NaN coordinate.
    public func render(format: ImageFormat, dpi: Double = 150, font: Font) throws -> RenderedChart {
        try onScale.draw(format: format, dpi: dpi, font: font, pointsOffScale: pointsOffScale)
    }

    /// The chart without what its axes' scales cannot show: on a log axis, the points (with their
    /// bars), direct labels and reference lines at 0 or below and band columns at x ≤ 0; an interval
    /// strip's end at 0 or below runs off the axis. Itself when both axes are linear.
    public var onScale: Chart {
        guard x.scale != .linear || y.scale != .linear else { return self }
        var chart = self
        chart.panels = panels.map { panel in
            var panel = panel
            panel.series = panel.series.map { series in
                let kept = series.points.indices.filter { x.scale.shows(series.points[$0].x) && y.scale.shows(series.points[$0].y) }
                var series = series
                series.points = kept.map { series.points[$0] }
                series.errors = series.errors.map { errors in kept.map { errors[$0] } }
                series.intervals = series.intervals.map { intervals in kept.map { intervals[$0] } }
                series.xIntervals = series.xIntervals.map { intervals in kept.map { intervals[$0] } }
                return series
            }
            panel.labels = panel.labels.filter { x.scale.shows($0.point.x) && y.scale.shows($0.point.y) }
            panel.referenceLines = panel.referenceLines.filter { ($0.orientation == .vertical ? x.scale : y.scale).shows($0.value) }
            panel.bands = panel.bands.map { band in
                let kept = band.x.indices.filter { x.scale.shows(band.x[$0]) }
                var band = band
                band.x = kept.map { band.x[$0] }
                band.lower = kept.map { band.lower[$0] }
                band.upper = kept.map { band.upper[$0] }
                return band
            }
            panel.spans = panel.spans.map { span in
                var span = span
                if let from = span.from, !x.scale.shows(from) { span.from = nil }
                if let to = span.to, !x.scale.shows(to) { span.to = nil }
                return span
            }
            return panel
        }
        return chart
    }

    /// How many points of the series a log axis cannot show (at 0 or below), which `render` leaves
    /// out: a figure's caption should say so.
    public var pointsOffScale: Int {
        panels.reduce(0) { total, panel in
            total + panel.series.reduce(0) { count, series in
                count + series.points.filter { !x.scale.shows($0.x) || !y.scale.shows($0.y) }.count
            }
        }
    }

    /// Lays out and draws a chart whose content its scales show.
    private func draw(format: ImageFormat, dpi: Double, font: Font, pointsOffScale: Int) throws -> RenderedChart {
        let layout = layOut(font: font)
        let canvas = try Canvas(width: layout.width, height: layout.height, format: format, dpi: dpi, font: font)
        for (index, line) in layout.titleLines.enumerated() {
            let top = layout.titleBox.y + Double(index) * canvas.lineHeight(size: Style.titleSize) * Style.lineSpacing
            canvas.drawText(line, at: Point(layout.width / 2, top), size: Style.titleSize, anchor: .top)
        }
        var labels = [[PlacedLabel]]()
        for (index, panel) in panels.enumerated() {
            labels.append(drawPanel(panel, canvas: canvas, transform: layout.transforms[index], xTicks: layout.xTicks,
                                    yTicks: layout.panelYTicks[index], yLabels: ySharing == .columns || index % layout.columns == 0,
                                    xLabels: layout.showsXLabels[index], legendBox: layout.legendBox))
            drawPanelTitle(layout.panelTitles[index], canvas: canvas, area: layout.transforms[index].area)
        }
        drawHeaders(layout, canvas: canvas)
        canvas.drawText(layout.xLabel.text, at: layout.xLabel.at, size: Style.labelSize, anchor: .top)
        for (index, line) in layout.yLabel.lines.enumerated() {
            let x = layout.yLabel.at.x + Double(index) * canvas.lineHeight(size: Style.labelSize) * Style.lineSpacing
            canvas.drawText(line, at: Point(x, layout.yLabel.at.y),
                            size: Style.labelSize, anchor: .top, degrees: 90)
        }
        if let box = layout.legendBox, let rows = layout.legendRows { drawLegend(canvas: canvas, box: box, rows: rows) }
        return RenderedChart(canvas: canvas, transforms: layout.transforms, columns: layout.columns, titleBox: layout.titleBox,
                             legendBox: layout.legendBox, labels: labels,
                             points: zip(panels, layout.transforms).map { geometry($0, transform: $1).series },
                             pointsOffScale: pointsOffScale)
    }

    /// Where everything goes, measured with `font` before anything is drawn.
    struct Layout {
        let width: Double
        let height: Double
        let columns: Int
        /// The title's lines (`wrapped`, at most three).
        let titleLines: [String]
        let titleBox: Rect
        let transforms: [Transform]
        /// Each panel's title lines.
        let panelTitles: [[String]]
        /// Whether each panel draws its x tick labels (it is the lowest of its column).
        let showsXLabels: [Bool]
        let xTicks: AxisTicks
        /// Each panel's y ticks.
        let panelYTicks: [AxisTicks]
        let xLabel: (text: String, at: Point)
        /// The y label's lines, the first leftmost, and the centre of the first line's left edge.
        let yLabel: (lines: [String], at: Point)
        let legendRows: LegendRows?
        let legendBox: Rect?
        /// Each column header's lines and strip.
        let columnHeaders: [(lines: [String], box: Rect)]
        /// Each row header's lines (the first rightmost) and strip.
        let rowHeaders: [(lines: [String], box: Rect)]
        /// The first panel's y ticks.
        var yTicks: AxisTicks { panelYTicks[0] }
    }

    /// The grid, from top to bottom: title; the column headers; rows of panels, each with its panels' titles
    /// above, its header at the right and, when one of its panels is the lowest of its column, x tick labels
    /// below; the x label; the legend when it goes below. Left of the first column: the y label and y tick labels.
    func layOut(font: Font) -> Layout {
        func lineHeight(_ size: Double) -> Double { (font.ascent + font.descent) * size }
        let tickLabelHeight = lineHeight(Style.tickSize)
        let headed = columnHeaders != nil || rowHeaders != nil
        // The grid keeps `maxColumns` columns when it has headers or y ranges by row or column (they belong to its
        // columns); any other grid may drop columns below, which changes neither its one y range nor its tick labels.
        var columns = min(maxColumns, panels.count)
        // Each panel's y ticks and y range (`yTickRanges`). A given y range (accuracy's 0 to 1) is drawn with a pad, so
        // that a value at either end is not drawn on the frame; its ticks stay within it. Only a linear range is padded
        // (a log range's ends are powers of ten the ticks need).
        let tickRanges = yTickRanges(columns: columns)
        let padded = y.range != nil && !y.rangeIsFitted && panelYRanges == nil && y.scale == .linear
        let yRanges = padded ? tickRanges.map { Self.insetRange($0, size: panelHeight) } : tickRanges
        let panelYTicks = tickRanges.map { axisTicks(y, range: $0, maxTicks: max(2, min(9, Int(panelHeight / (tickLabelHeight * 2.4))))) }
        // The widest y tick label of the panels that draw theirs: the first column's, or every panel's with ranges by column.
        let yLabelWidth = panels.indices.filter { ySharing == .columns || $0 % columns == 0 }.flatMap { panelYTicks[$0].labels }
            .map { font.width(of: $0, size: Style.tickSize) }.max() ?? 0
        // The y label runs up the grid, which is at least one panel high: in two lines when one is too short.
        let yLabelLines = wrapped(y.label, width: panelHeight, size: Style.labelSize, maxLines: 2, font: font)
        let left = Style.margin + textHeight(lines: yLabelLines.count, size: Style.labelSize, font: font) + 6 + yLabelWidth + 4
            + Style.tickLength
        // Row headers stand at the right of the grid, reading downwards, in as many lines as fit a panel's height.
        let rowHeaderLines = (rowHeaders ?? []).map { wrapped($0, width: panelHeight - 4, size: Style.labelSize, maxLines: .max, font: font) }
        let rowHeaderWidth = rowHeaderLines.isEmpty ? 0
            : textHeight(lines: rowHeaderLines.map(\.count).max() ?? 1, size: Style.labelSize, font: font) + 2 * Style.headerPadding
        let rightMargin = Style.margin + 4 + (rowHeaderWidth > 0 ? rowHeaderWidth + Style.headerGap : 0)
        // Panels with a y range of their own per column leave room between them for their tick labels.
        let gap = ySharing == .columns ? Style.panelGap + yLabelWidth + 4 + Style.tickLength : Style.panelGap

        // Columns: as many as allowed, each as wide as asked, narrowed to fit `maxWidth`, then fewer (see above).
        func fittingWidth(_ columns: Int) -> Double {
            min(panelWidth, (maxWidth - left - rightMargin - gap * Double(columns - 1)) / Double(columns))
        }
        while !headed && ySharing == .all && columns > 1 && fittingWidth(columns) < Self.minimumPanelWidth { columns -= 1 }
        let plotWidth = max(fittingWidth(columns), 1)
        let xRange = x.range ?? fittedXRange(plotWidth: plotWidth)
        let rows = (panels.count + columns - 1) / columns
        let gridRight = left + Double(columns) * plotWidth + Double(columns - 1) * gap
        let width = gridRight + rightMargin

        // Wrapped rather than cut: a title shortened with "…" lost the name of the one attack it was about.
        let titleLines = wrapped(title, width: width - 2 * Style.margin, size: Style.titleSize, maxLines: 3, font: font)
        let titleWidth = titleLines.map { font.width(of: $0, size: Style.titleSize) }.max() ?? 0
        let titleBox = Rect(x: (width - titleWidth) / 2, y: Style.margin, width: titleWidth,
                            height: textHeight(lines: titleLines.count, size: Style.titleSize, font: font))
        let panelTitles = panels.map { panel in
            panel.title.map { wrapped($0, width: plotWidth, size: Style.labelSize, maxLines: .max, font: font) } ?? []
        }
        let showsXLabels = panels.indices.map { $0 + columns >= panels.count }
        let xTickBand = Style.tickLength + 3 + tickLabelHeight

        var cursor = titleBox.maxY + 8
        // Column headers, in strips as high as the most lines one needs, above the top row.
        let columnHeaderLines = (columnHeaders ?? []).map {
            wrapped($0, width: plotWidth - 2 * Style.headerPadding, size: Style.labelSize, maxLines: .max, font: font)
        }
        var columnHeaderBoxes = [Rect]()
        if !columnHeaderLines.isEmpty {
            let height = textHeight(lines: columnHeaderLines.map(\.count).max() ?? 1, size: Style.labelSize, font: font)
                + 2 * Style.headerPadding
            columnHeaderBoxes = columnHeaderLines.indices.map { column in
                Rect(x: left + Double(column) * (plotWidth + gap), y: cursor, width: plotWidth, height: height)
            }
            cursor += height + Style.headerGap
        }
        var rowTops = [Double]()
        for row in 0..<rows {
            // Each row leaves room above for the most lines of its panels' titles.
            let members = row * columns..<min((row + 1) * columns, panels.count)
            let titleLines = members.map { panelTitles[$0].count }.max() ?? 0
            rowTops.append(cursor + (titleLines > 0 ? textHeight(lines: titleLines, size: Style.labelSize, font: font) + 4 : 0))
            let labelled = members.contains { showsXLabels[$0] }
            cursor = rowTops[row] + panelHeight + (labelled ? xTickBand : 0) + Style.rowGap
        }
        cursor += 5 - Style.rowGap
        let areas = panels.indices.map { index in
            Rect(x: left + Double(index % columns) * (plotWidth + gap), y: rowTops[index / columns],
                 width: plotWidth, height: panelHeight)
        }
        let transforms = zip(areas, yRanges).map {
            Transform(area: $0, xRange: xRange, yRange: $1, xScale: x.scale, yScale: y.scale)
        }
        let rowHeaderBoxes = rowHeaderLines.indices.map { row in
            Rect(x: gridRight + Style.headerGap, y: rowTops[row], width: rowHeaderWidth, height: panelHeight)
        }
        let gridLeft = left
        let xLabel = (fitted(x.label, width: gridRight - gridLeft, size: Style.labelSize, font: font),
                      Point((gridLeft + gridRight) / 2, cursor))
        cursor += lineHeight(Style.labelSize)
        let gridTop = rowTops[0], gridBottom = rowTops[rows - 1] + panelHeight
        let yLabel = (yLabelLines, Point(Style.margin, (gridTop + gridBottom) / 2))

        // A single panel's legend goes inside, in a corner free of data, when it fits there whole;
        // every other legend goes below, in as many columns as fit.
        var legendRows: LegendRows?, legendBox: Rect?
        if !legend.isEmpty, panels.count == 1 {
            let inside = legendLayout(font: font, availableWidth: plotWidth - 12, columns: 1)
            legendBox = insideLegendBox(width: inside.width, height: inside.height, transform: transforms[0], font: font)
            if legendBox != nil { legendRows = inside }
        }
        if !legend.isEmpty, legendBox == nil {
            let below = legendLayout(font: font, availableWidth: width - 2 * Style.margin, columns: nil)
            cursor += 8
            legendBox = Rect(x: (width - below.width) / 2, y: cursor, width: below.width, height: below.height)
            legendRows = below
            cursor += below.height
        }
        return Layout(width: width, height: cursor + Style.margin, columns: columns, titleLines: titleLines, titleBox: titleBox,
                      transforms: transforms, panelTitles: panelTitles, showsXLabels: showsXLabels,
                      xTicks: fittingXTicks(font: font, range: xRange, panelWidth: plotWidth), panelYTicks: panelYTicks,
                      xLabel: xLabel, yLabel: yLabel, legendRows: legendRows, legendBox: legendBox,
                      columnHeaders: Array(zip(columnHeaderLines, columnHeaderBoxes)),
                      rowHeaders: Array(zip(rowHeaderLines, rowHeaderBoxes)))
    }

    // MARK: Panels

    /// Draws grid, reference lines, series, frame, ticks (minor ones shorter, without grid line or
    /// label), tick labels (y when `yLabels`, x when `xLabels`) and the direct labels, which keep clear of the data and of `legendBox`; returns
    /// the labels as placed.
    private func drawPanel(_ panel: Panel, canvas: Canvas, transform: Transform, xTicks: AxisTicks,
                           yTicks: AxisTicks, yLabels: Bool, xLabels: Bool, legendBox: Rect?)
        -> [PlacedLabel] {
        let area = transform.area, drawn = geometry(panel, transform: transform)
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
                let top = area.maxY - (Style.spanHeight + Style.spanGap) * Double(span.lane + 1)
                let ends = [span.opensFrom ? nil : span.from.map(transform.deviceX), span.opensTo ? nil : span.to.map(transform.deviceX)]
                drawInterval(canvas: canvas, from: min(left, right), to: max(left, right), top: top, caps: ends.compactMap { $0 }, color: span.color)
                for (open, x, outward) in [(span.opensFrom, left, left <= right ? -1.0 : 1.0), (span.opensTo, right, left <= right ? 1.0 : -1.0)] where open {
                    let middle = top + Style.spanHeight / 2
                    canvas.strokeLine([Point(x - 4 * outward, middle - 3), Point(x, middle), Point(x - 4 * outward, middle + 3)],
                                      color: span.color, width: 1.2)
                }
            }
            for line in panel.referenceLines {
                let ends = line.orientation == .horizontal
                    ? [Point(area.x, transform.deviceY(line.value)), Point(area.maxX, transform.deviceY(line.value))]
                    : [Point(transform.deviceX(line.value), area.y), Point(transform.deviceX(line.value), area.maxY)]
                canvas.strokeLine(ends, color: line.color, width: line.width, style: line.style)
            }
            for (series, points) in zip(panel.series, drawn.series) where series.line != nil {
                canvas.strokeLine(points, color: series.color, width: series.lineWidth, style: series.line!)
            }
            for (series, points) in zip(panel.series, drawn.series) {
                for index in series.points.indices {
                    guard let bar = series.bar(index) else { continue }
                    let x = points[index].x
                    let low = transform.deviceY(bar.lowerBound), high = transform.deviceY(bar.upperBound)
                    canvas.strokeLine([Point(x, low), Point(x, high)], color: series.color, width: 1)
                    canvas.strokeLine([Point(x - 2.5, low), Point(x + 2.5, low)], color: series.color, width: 1)
                    canvas.strokeLine([Point(x - 2.5, high), Point(x + 2.5, high)], color: series.color, width: 1)
                }
                for (index, bar) in horizontalBars(series, points: points, transform: transform) {
                    let y = points[index].y
                    canvas.strokeLine([Point(bar.lowerBound, y), Point(bar.upperBound, y)], color: series.color, width: 1)
                    canvas.strokeLine([Point(bar.lowerBound, y - 2.5), Point(bar.lowerBound, y + 2.5)], color: series.color, width: 1)
                    canvas.strokeLine([Point(bar.upperBound, y - 2.5), Point(bar.upperBound, y + 2.5)], color: series.color, width: 1)
                }
            }
        }
        // Markers may overhang the frame a little, as in most plotting tools.
        for (series, points) in zip(panel.series, drawn.series) {
            guard let marker = series.marker else { continue }
            for (point, device) in zip(series.points, points) where transform.xRange.contains(point.x) && transform.yRange.contains(point.y) {
                canvas.drawMarker(marker, at: device, size: series.markerSize, color: series.color, filled: series.filled)
            }
        }
        canvas.strokeRect(area, color: .ink, width: 0.8)
        for (index, value) in xTicks.values.enumerated() {
            let x = transform.deviceX(value)
            canvas.strokeLine([Point(x, area.maxY), Point(x, area.maxY + Style.tickLength)], color: .ink, width: 0.8)
            if xLabels {
                canvas.drawText(xTicks.labels[index], at: Point(x, area.maxY + Style.tickLength + 3), size: Style.tickSize, anchor: .top)
            }
        }
        for value in xTicks.minor {
            let x = transform.deviceX(value)
            canvas.strokeLine([Point(x, area.maxY), Point(x, area.maxY + Style.minorTickLength)], color: .ink, width: 0.6)
        }
        for (index, value) in yTicks.values.enumerated() {
            let y = transform.deviceY(value)
            canvas.strokeLine([Point(area.x - Style.tickLength, y), Point(area.x, y)], color: .ink, width: 0.8)
            guard yLabels else { continue }
            canvas.drawText(yTicks.labels[index], at: Point(area.x - Style.tickLength - 3, y), size: Style.tickSize, anchor: .right)
        }
        for value in yTicks.minor {
            let y = transform.deviceY(value)
            canvas.strokeLine([Point(area.x - Style.minorTickLength, y), Point(area.x, y)], color: .ink, width: 0.6)
        }
        let labelSize = Self.directLabelSize(figureWidth: canvas.width, figureHeight: canvas.height)
        let labels = placedLabels(panel, transform: transform, legendBox: legendBox, font: canvas.font, size: labelSize)
        for placed in labels {
            // A label across a reference line stands on white, so that the line does not run through its text.
            if placed.backed {
                canvas.fillRect(Rect(x: placed.box.x - 1, y: placed.box.y, width: placed.box.width + 2, height: placed.box.height), color: .white)
            }
            if let (start, end) = placed.leaderSegment {
                canvas.strokeLine([start, end], color: placed.color, width: 0.5)
            }
            canvas.drawText(placed.text, at: Point(placed.box.x, placed.box.y), size: labelSize,
                            color: placed.color, anchor: .topLeft)
        }
        return labels
    }

    /// Draws the column headers, centred in grey strips above the top row, and the row headers, reading
    /// downwards in grey strips at the right of each row.
    private func drawHeaders(_ layout: Layout, canvas: Canvas) {
        let lineHeight = canvas.lineHeight(size: Style.labelSize) * Style.lineSpacing
        for (lines, box) in layout.columnHeaders {
            canvas.fillRect(box, color: Style.headerFill)
            let top = box.y + (box.height - textHeight(lines: lines.count, size: Style.labelSize, font: canvas.font)) / 2
            for (index, line) in lines.enumerated() {
                canvas.drawText(line, at: Point(box.x + box.width / 2, top + Double(index) * lineHeight), size: Style.labelSize, anchor: .top)
            }
        }
        for (lines, box) in layout.rowHeaders {
            canvas.fillRect(box, color: Style.headerFill)
            // Turned a quarter clockwise, a line's top faces right: the first line is the rightmost.
            let right = box.maxX - (box.width - textHeight(lines: lines.count, size: Style.labelSize, font: canvas.font)) / 2
            for (index, line) in lines.enumerated() {
                canvas.drawText(line, at: Point(right - Double(index) * lineHeight, box.y + box.height / 2), size: Style.labelSize,
                                anchor: .top, degrees: -90)
            }
        }
    }

    /// Draws a panel's title lines above its plot area, the last line 4 points above it.
    private func drawPanelTitle(_ lines: [String], canvas: Canvas, area: Rect) {
        let lineHeight = canvas.lineHeight(size: Style.labelSize) * Style.lineSpacing
        for (index, line) in lines.enumerated() {
            canvas.drawText(line, at: Point(area.x + area.width / 2, area.y - 4 - Double(lines.count - 1 - index) * lineHeight),
                            size: Style.labelSize, anchor: .bottom)
        }
    }

    /// The most x ticks (at most 11) whose labels fit side by side with a gap of 8 points.
    /// On a log or symmetric log axis, the most ticks whose neighbouring labels keep 8 points apart.
    private func fittingXTicks(font: Font, range: ClosedRange<Double>, panelWidth: Double) -> AxisTicks {
        var count = 11
        while true {
            let ticks = axisTicks(x, range: range, maxTicks: count)
            let widths = ticks.labels.map { font.width(of: $0, size: Style.tickSize) }
            let fits: Bool
            if case .linear = x.scale {
                let spacing = panelWidth * ticks.step / (range.upperBound - range.lowerBound)
                fits = (widths.max() ?? 0) + 8 <= spacing
            } else {
                let positions = ticks.values.map { x.scale.fraction($0, of: range) * panelWidth }
                fits = positions.indices.dropFirst().allSatisfy { i in
                    (widths[i - 1] + widths[i]) / 2 + 8 <= positions[i] - positions[i - 1]
                }
            }
            if count <= 2 || fits { return ticks }
            count -= 1
        }
    }

    /// An axis's ticks over `range`: on a linear axis at most `maxTicks` nice ones (`niceTicks`),
    /// labelled in its format; on a log axis `logTicks`, labelled by `logTickLabel` (× 100 and "%"
    /// for a percent axis); on a symmetric log axis 0 (when in range) and the log ticks above its
    /// linear part.
    func axisTicks(_ axis: Axis, range: ClosedRange<Double>, maxTicks: Int) -> AxisTicks {
        func logLabels(_ values: [Double]) -> [String] {
            let factor = axis.format == .percent ? 100.0 : 1
            return values.map { logTickLabel($0 * factor, ticks: values.map { $0 * factor }) + (axis.format == .percent ? "%" : "") }
        }
        switch axis.scale {
        case .linear:
            let (values, step) = Self.ticks(range, maxTicks: maxTicks)
            return AxisTicks(values: values, labels: values.map { tickLabel(axis.format, $0, step: step) }, minor: [], step: step)
        case .log10:
            let ticks = logTicks(lower: range.lowerBound, upper: range.upperBound, maxTicks: max(2, maxTicks))
            return AxisTicks(values: ticks.major, labels: logLabels(ticks.major), minor: ticks.minor, step: 0)
        case .symmetricLog(let t):
            let zero: [Double] = range.contains(0) ? [0] : []
            guard range.upperBound > max(t, range.lowerBound) * 1.01 else {
                return axisTicks(Axis(label: axis.label, format: axis.format), range: range, maxTicks: maxTicks)
            }
            let ticks = logTicks(lower: max(t, range.lowerBound), upper: range.upperBound, maxTicks: max(2, maxTicks - zero.count))
            return AxisTicks(values: zero + ticks.major, labels: logLabels(zero + ticks.major), minor: ticks.minor, step: 0)
        }
    }

    // MARK: Dodging

    /// Where a panel's points and its direct labels' points are drawn, in device points.
    struct PanelGeometry {
        /// Each series' points, in the series' order.
        let series: [[Point]]
        /// Each direct label's point.
        let labels: [Point]
    }

    /// Every point of `panel` through `transform`; when the panel dodges, each marker in turn moved
    /// sideways by the first of 0, +1, -1, +2, -2, ... steps of its width plus a point that overlaps
    /// no marker placed before it (its centre at least their mean width plus a point from theirs
    /// along x or y), and the first label not yet taken whose point equals the marker's moved with it.
    func geometry(_ panel: Panel, transform: Transform) -> PanelGeometry {
        var series = panel.series.map { $0.points.map(transform.device) }
        var labels = panel.labels.map { transform.device($0.point) }
        guard panel.dodge else { return PanelGeometry(series: series, labels: labels) }
        var placed = [(point: Point, size: Double)](), untaken = Array(panel.labels.indices)
        for (s, item) in panel.series.enumerated() where item.marker != nil {
            for i in item.points.indices {
                let base = series[s][i], step = item.markerSize + 1
                func clear(_ x: Double) -> Bool {
                    placed.allSatisfy { other in
                        let gap = (item.markerSize + other.size) / 2 + 1
                        return abs(x - other.point.x) >= gap - 1e-9 || abs(base.y - other.point.y) >= gap - 1e-9
                    }
                }
                // Each marker placed rules out a bounded stretch of x, so a clear step comes.
                var k = 0
                func offset(_ k: Int) -> Double { Double((k + 1) / 2) * step * (k % 2 == 1 ? 1 : -1) }
                while !clear(base.x + offset(k)) { k += 1 }
                series[s][i].x += offset(k)
                placed.append((series[s][i], item.markerSize))
                if let position = untaken.firstIndex(where: { panel.labels[$0].point == item.points[i] }) {
                    labels[untaken[position]].x += offset(k)
                    untaken.remove(at: position)
                }
            }
        }
        return PanelGeometry(series: series, labels: labels)
    }

    // MARK: Direct labels

    /// The direct labels of `panel` as `placeLabels` places them in the panel drawn through `transform`, clear of its
    /// data, its reference lines and `legendBox`, at `size` points.
    func placedLabels(_ panel: Panel, transform: Transform, legendBox: Rect?, font: Font, size: Double) -> [PlacedLabel] {
        let drawn = geometry(panel, transform: transform)
        let markers = zip(panel.series, drawn.series).filter { $0.0.marker != nil }.flatMap(\.1)
        return placeLabels(panel.labels, at: drawn.labels, markers: markers,
                           markerBoxes: pointObstacles(panel, transform: transform, markersOnly: true),
                           horizontalBars: horizontalBarObstacles(panel, transform: transform), dataLines: dataLineSegments(panel, drawn: drawn),
                           lines: referenceObstacles(panel, transform: transform), area: transform.area,
                           obstacles: dataObstacles(panel, transform: transform) + (legendBox.map { [$0] } ?? []), font: font, size: size)
    }

    /// The segments of every data line of `panel` (its series drawn with a line) where `drawn` draws them, in device points.
    func dataLineSegments(_ panel: Panel, drawn: PanelGeometry) -> [(Point, Point)] {
        zip(panel.series, drawn.series).filter { $0.0.line != nil }.flatMap { _, points in Array(zip(points, points.dropFirst())) }
    }

    /// Each panel's direct labels that find no position (`placeLabels` leaves a label out rather than draw it over
    /// data, a label or a leader line), in panel order, for the chart as `render` lays it out with `font`: a figure
    /// names them in its caption, so that every point is still named.
    public func unplacedLabels(font: Font) -> [[PointLabel]] {
        let chart = onScale, layout = chart.layOut(font: font)
        let size = Self.directLabelSize(figureWidth: layout.width, figureHeight: layout.height)
        return chart.panels.enumerated().map { index, panel in
            let transform = layout.transforms[index]
            let placed = Set(chart.placedLabels(panel, transform: transform, legendBox: layout.legendBox, font: font, size: size).map(\.index))
            let drawnAt = chart.geometry(panel, transform: transform).labels
            return panel.labels.indices.filter { transform.area.contains(drawnAt[$0]) && !placed.contains($0) }.map { panel.labels[$0] }
        }
    }

    /// A direct label where it was placed: its text, the device point it names, its text box,
    /// whether a leader line joins the two and whether it stands on a white backing.
    public struct PlacedLabel: Sendable {
        /// The label's index among its panel's labels (`Panel.labels`).
        public let index: Int
        /// The text drawn: the label's, shortened to fit, or its key.
        public let text: String
        /// The text's colour.
        public let color: Color
        /// The labelled point, in device points (where its marker is drawn).
        public let point: Point
        /// The text's box, in device points.
        public let box: Rect
        /// Whether a leader line joins the box to the point.
        public let leader: Bool
        /// Whether the text is drawn on a white box a point wider on each side than its own: it
        /// crosses a reference line (and no data), which the white interrupts.
        public let backed: Bool
    }

    /// Places each label, in order, at the first of the positions around its point (right, left,
    /// above, below, the four diagonals; then the same farther out, with a leader line) whose box
    /// lies inside the plot area and overlaps no obstacle, none of `lines` (the reference lines), no
    /// leader line and no label placed before it (nor comes within 2 points of one), whose leader line
    /// crosses no label and no leader line placed before it, passes no other of `markerBoxes` (a
    /// marker with its bar) and crosses no other point's horizontal bar (`horizontalBars`, each with
    /// the point it runs through), and which, without a leader line, is nearer its own point than any other
    /// of `markers` by more than `Style.labelMarkerMargin` (so that it names its own). Labels that find no such position then try the same positions across a reference
    /// line (drawn on a white backing), so that a name is used before a number. Labels still without
    /// one then try their key the same way, out to a longer leader; a key still unplaced takes the
    /// first of those positions that overlaps no label, none of `markerBoxes`, none of `lines`
    /// and none of `horizontalBars`, with a leader line as above, near a data line (but, by the final check, never over it), then
    /// one over a reference line, then the same out to 400 points, then one whose leader line crosses
    /// other points' horizontal bars (but no marker), then one across any bar (but no marker, label or
    /// leader line), and failing that the first whose leader line may pass other data (still nearer its own point than any other marker when it has
    /// no leader line). Every position of every stage must also pass a final check with exact geometry: its box keeps
    /// `Style.labelBarGap` from every marker, bar and data line (each segment of `dataLines`, the series' lines as drawn; its own
    /// marker's square and vertical bar as drawn), keeps clear of every label and leader line placed before it, and its leader
    /// line, as drawn (`PlacedLabel.leaderSegment`), crosses no leader line or label placed before it, no other marker and no
    /// data line, and runs within a point of neither its own point's vertical line nor (with an x bar) its horizontal line
    /// beyond the marker (where it would read as the bar), and a leadered label is not twice nearer another marker than its own point: no
    /// label ever covers a marker, a bar or a data line, and no two
    /// leader lines cross (`labelConflicts` is the brute-force check of the same). A label that finds no position is left
    /// out rather than drawn over something; `unplacedLabels(font:)` names it, for a caption's key. `points` are the labels' points and `markers` every marker's, in device points,
    /// `markerBoxes` the markers' boxes in that order; a label whose box crosses one of `lines` and
    /// none of `obstacles` is `backed`. The labels are `size` points (`Chart.directLabelSize`).
    func placeLabels(_ labels: [PointLabel], at points: [Point], markers: [Point], markerBoxes: [Rect],
                     horizontalBars: [(point: Point, box: Rect)] = [], dataLines: [(Point, Point)] = [], lines: [Rect], area: Rect, obstacles: [Rect],
                     font: Font, size: Double) -> [PlacedLabel] {
        var taken = obstacles, labelBoxes = [Rect](), leaders = [Rect](), placed = [Int: PlacedLabel]()
        var leaderSegments = [(Point, Point)]()
        let height = (font.ascent + font.descent) * size
        let inside = labels.indices.filter { area.contains(points[$0]) }
        // The final check every position passes, whatever its stage, with exact geometry (review r22d m6; the leader
        // lines of two committed figures crossed): its box keeps `Style.labelBarGap` from every marker, bar and data line
        // (review r22e M1: "λ 1" was drawn through its own line; its own marker's square and vertical bar as drawn) and 2
        // points across and 1 up and down from every label, and meets no leader line; its leader line, as drawn, crosses no
        // other leader line, no label and no other marker.
        let squares = zip(markers, markerBoxes).map { marker, box in
            let radius = box.width / 2 - 2
            return (marker: marker, square: Rect(x: marker.x - radius, y: marker.y - radius, width: 2 * radius, height: 2 * radius),
                    bar: Rect(x: marker.x - 1, y: box.y, width: 2, height: box.height), box: box)
        }
        func admissible(_ box: Rect, _ hasLeader: Bool, _ point: Point) -> Bool {
            let gap = Style.labelBarGap
            let gapped = Rect(x: box.x - gap, y: box.y - gap, width: box.width + 2 * gap, height: box.height + 2 * gap)
            let spacedBox = Rect(x: box.x - 2, y: box.y - 1, width: box.width + 4, height: box.height + 2)
            if squares.contains(where: { $0.marker == point ? gapped.intersects($0.square) || gapped.intersects($0.bar) : gapped.intersects($0.box) })
                || horizontalBars.contains(where: { gapped.intersects($0.box) }) || labelBoxes.contains(where: spacedBox.intersects)
                || dataLines.contains(where: { segment($0, meets: gapped) })
                || leaderSegments.contains(where: { segment($0, meets: box) }) {
                return false
            }
            guard hasLeader else { return true }
            let line = Self.leaderSegment(from: point, to: box)
            // Nor does it run within a point of its own point's vertical line, or (for a point with an x bar) its horizontal line,
            // anywhere beyond the marker, whatever the bar's length: there it would not show along the bar, or would carry the
            // bar on past its cap, and the label, in line with the bar, would read as its continuation (r22d m6: "early stopping
            // (patience 10)" beyond an x bar's cap; r22e m2: "λ 0.3" joined only along its y bar; r22f M1: "λ 1"'s leader ran
            // on past its short bar's cap and across the zero line).
            let radius = squares.first { $0.marker == point }.map { $0.square.width / 2 } ?? 0
            let far = 1e6
            let ownLines = [Rect(x: point.x - 1, y: point.y - far, width: 2, height: far - radius),
                            Rect(x: point.x - 1, y: point.y + radius, width: 2, height: far - radius)]
                + (horizontalBars.contains { $0.point == point }
                    ? [Rect(x: point.x - far, y: point.y - 1, width: far - radius, height: 2),
                       Rect(x: point.x + radius, y: point.y - 1, width: far - radius, height: 2)] : [])
            // Nor is its label less than half as far from another point's marker as from its own point, nor does its leader
            // cross a data line: such a label, far from its point, would be read as the other's (r22f m1: "λ 0.3" 140 points
            // out, 35 from λ 10's marker, its leader across the thick λ 3 to λ 10 line); it is left out and named in the caption
            // instead. (A leader line may lead a little past a neighbour, as two uncrossed leaders of stacked points do.)
            let ownDistance = box.distance(to: point)
            return !leaderSegments.contains { segmentsCross($0, line) } && !labelBoxes.contains { segment(line, meets: $0) }
                && !squares.contains { $0.marker != point && segment(line, meets: $0.square) } && !ownLines.contains { segment(line, meets: $0) }
                && !markers.contains { $0 != point && 2 * box.distance(to: $0) < ownDistance } && !dataLines.contains { segmentsCross($0, line) }
        }
        /// Places label `index` as `text` at the first of the positions `distances` away that `fits`.
        func place(_ index: Int, text: String, distances: [Double], fits: (Rect, [Rect]?, Point) -> Bool) {
            let point = points[index]
            let width = font.width(of: text, size: size)
            let candidates: [(box: Rect, leader: [Rect]?)] = distances.flatMap { distance in
                Self.labelDirections.map { direction in
                    let box = labelBox(around: point, direction: direction, distance: distance, width: width, height: height)
                    return (box, distance > 6 ? leaderBoxes(from: point, to: nearestPoint(on: box, to: point)) : nil)
                }
            }
            let inArea = { (box: Rect) in box.x >= area.x + 1 && box.maxX <= area.maxX - 1 && box.y >= area.y + 1 && box.maxY <= area.maxY - 1 }
            guard let chosen = candidates.first(where: {
                inArea($0.box) && fits($0.box, $0.leader, point) && admissible($0.box, $0.leader != nil, point)
            }) else { return }
            taken.append(chosen.box)
            taken += chosen.leader ?? []
            leaders += chosen.leader ?? []
            labelBoxes.append(chosen.box)
            if chosen.leader != nil { leaderSegments.append(Self.leaderSegment(from: point, to: chosen.box)) }
            let backed = lines.contains(where: chosen.box.intersects) && !obstacles.contains(where: chosen.box.intersects)
            placed[index] = PlacedLabel(index: index, text: text, color: labels[index].color, point: point, box: chosen.box, leader: chosen.leader != nil,
                                        backed: backed)
        }
        // A label keeps 2 points across and 1 up and down from every other label, so that two never touch.
        let spaced = { (box: Rect) in Rect(x: box.x - 2, y: box.y - 1, width: box.width + 4, height: box.height + 2) }
        // Without a leader line, every other marker is farther from the box than the label's point by more
        // than `Style.labelMarkerMargin` (about a marker's radius), so that the nearest marker's edge is its own.
        let namesItsPoint = { (box: Rect, point: Point) in
            let own = box.distance(to: point)
            return markers.filter { box.distance(to: $0) <= own + Style.labelMarkerMargin && $0 != point }.isEmpty
        }
        // A leader line crosses no label and no other leader line, passes no other marker (nor within a
        // point of one) and crosses no other marker's bar (the stretch of its box beyond the marker, 3 points wide).
        let others = zip(markers, markerBoxes).map { marker, box in
            (marker: marker, boxes: [Rect(x: marker.x - 5, y: marker.y - 5, width: 10, height: 10),
                                     Rect(x: marker.x - 1.5, y: box.y, width: 3, height: box.height)])
        }
        let leaderClearOfMarkers = { (segments: [Rect], point: Point) in
            !segments.contains { segment in labelBoxes.contains(where: segment.intersects) || leaders.contains(where: segment.intersects) }
                && !others.contains { other in other.marker != point && other.boxes.contains { box in segments.contains(where: box.intersects) } }
        }
        let leaderClear = { (segments: [Rect], point: Point) in
            leaderClearOfMarkers(segments, point)
                && !horizontalBars.contains { bar in bar.point != point && segments.contains(where: bar.box.intersects) }
        }
        let clearOfData = { (box: Rect, leader: [Rect]?, point: Point) in
            !taken.contains(where: box.intersects) && !labelBoxes.contains(where: spaced(box).intersects)
                && (leader.map { leaderClear($0, point) } ?? namesItsPoint(box, point))
        }
        let clear = { (box: Rect, leader: [Rect]?, point: Point) in !lines.contains(where: box.intersects) && clearOfData(box, leader, point) }
        let names = labels.indices.map { fitted(labels[$0].text, width: area.width / 2, size: size, font: font) }
        for index in inside {
            place(index, text: names[index], distances: [6, 14, 26, 40], fits: clear)
        }
        // A name before a number: a name with no room clear of everything crosses a reference line, on white.
        for index in inside where placed[index] == nil {
            place(index, text: names[index], distances: [6, 14, 26, 40], fits: clearOfData)
        }
        for index in inside where placed[index] == nil {
            guard let key = labels[index].key else { continue }
            place(index, text: key, distances: [6, 14, 26, 40, 60, 90, 120, 160], fits: clear)
        }
        // Keys still unplaced: near data lines (but never over one: the final check) and over bands, clear of the markers, their bars (vertical and
        // horizontal) and the reference lines, then over a reference line, then out to a longer leader line,
        // and last with a leader line that may pass other data: never over a marker or a bar.
        let unique = { (box: Rect, leader: [Rect]?, point: Point) in
            !labelBoxes.contains(where: spaced(box).intersects) && (leader != nil || namesItsPoint(box, point))
        }
        let marks = markerBoxes + horizontalBars.map(\.box)
        let offData = { (box: Rect, leader: [Rect]?, point: Point) in unique(box, leader, point) && !marks.contains(where: box.intersects) }
        let stages: [(distances: [Double], fits: (Rect, [Rect]?, Point) -> Bool)] = [
            ([6, 14, 26, 40, 60, 90, 120, 160], { box, leader, point in
                offData(box, leader, point) && !lines.contains(where: box.intersects) && leader.map { leaderClear($0, point) } != false }),
            ([6, 14, 26, 40, 60, 90, 120, 160], { box, leader, point in offData(box, leader, point) && leader.map { leaderClear($0, point) } != false }),
            ([200, 250, 320, 400], { box, leader, point in offData(box, leader, point) && leader.map { leaderClear($0, point) } != false }),
            // A leader line across other points' horizontal bars (thin lines it crosses at an angle) but no marker.
            ([6, 14, 26, 40, 60, 90, 120, 160, 200, 250, 320, 400], { box, leader, point in
                offData(box, leader, point) && leader.map { leaderClearOfMarkers($0, point) } != false }),
            // Then one across any bar, still passing no marker and crossing no label or leader line.
            ([6, 14, 26, 40, 60, 90, 120, 160, 200, 250, 320, 400], { box, leader, point in
                offData(box, leader, point) && !(leader ?? []).contains { segment in
                    labelBoxes.contains(where: segment.intersects) || leaders.contains(where: segment.intersects)
                        || others.contains { $0.marker != point && $0.boxes[0].intersects(segment) }
                } }),
            ([6, 14, 26, 40, 60, 90, 120, 160, 200, 250, 320, 400], offData),
        ]
        for stage in stages {
            for index in inside where placed[index] == nil {
                guard let key = labels[index].key else { continue }
                place(index, text: key, distances: stage.distances, fits: stage.fits)
            }
        }
        return inside.compactMap { placed[$0] }
    }

    /// Small boxes along a leader line from `start` (beyond the marker there) to `end`.
    private func leaderBoxes(from start: Point, to end: Point) -> [Rect] {
        let length = hypot(end.x - start.x, end.y - start.y)
        return stride(from: 6.0, through: length, by: 2).map { distance in
            let t = distance / length
            return Rect(x: start.x + t * (end.x - start.x) - 1, y: start.y + t * (end.y - start.y) - 1, width: 2, height: 2)
        }
    }

    /// The height of `lines` lines of text at `size`, `Style.lineSpacing` apart.
    private func textHeight(lines: Int, size: Double, font: Font) -> Double {
        lines == 0 ? 0 : (font.ascent + font.descent) * size * (1 + Style.lineSpacing * Double(lines - 1))
    }

    /// The directions a label is tried in, in order: right, left, above, below, then the diagonals.
    static let labelDirections: [(dx: Double, dy: Double)] = [(1, 0), (-1, 0), (0, -1), (0, 1), (1, -1), (-1, -1), (1, 1), (-1, 1)]

    /// The box of a label `width` × `height` beside `point` in `direction`: its near edge (or its
    /// centre, along an axis the direction leaves alone) `distance` points from the point.
    private func labelBox(around point: Point, direction: (dx: Double, dy: Double), distance: Double, width: Double,
                          height: Double) -> Rect {
        let x = direction.dx > 0 ? point.x + distance : direction.dx < 0 ? point.x - distance - width : point.x - width / 2
        let y = direction.dy > 0 ? point.y + distance : direction.dy < 0 ? point.y - distance - height : point.y - height / 2
        return Rect(x: x, y: y, width: width, height: height)
    }

    /// The point of `rect` nearest to `point`.
    private func nearestPoint(on rect: Rect, to point: Point) -> Point {
        Point(min(max(point.x, rect.x), rect.maxX), min(max(point.y, rect.y), rect.maxY))
    }

    // MARK: Legend

    /// Legend entries (their labels shortened to fit) laid out in rows of `columns` entries each.
    struct LegendRows {
        let labels: [String]
        let entryWidths: [Double]
        let lineHeight: Double
        let rowHeight: Double
        let columns: Int
        var rows: Int { (entryWidths.count + columns - 1) / max(columns, 1) }
        var columnWidth: Double { entryWidths.max() ?? 0 }
        var width: Double { Double(columns) * columnWidth + 2 * Style.legendPadding }
        var height: Double { Double(rows) * rowHeight + 2 * Style.legendPadding - (rowHeight - lineHeight) }
    }

    /// The legend within `availableWidth`: `columns` columns (as many as fit when nil), each label
    /// shortened with an ellipsis when one column would still be too wide.
    private func legendLayout(font: Font, availableWidth: Double, columns: Int?) -> LegendRows {
        let sample = legendSampleLength + 6, trailing = 14.0
        let labelWidth = availableWidth - 2 * Style.legendPadding - sample - trailing
        let labels = legend.map { fitted($0.text, width: labelWidth, size: Style.legendSize, font: font) }
        let widths = labels.map { sample + font.width(of: $0, size: Style.legendSize) + trailing }
        let fitting = max(1, min(legend.count, Int((availableWidth - 2 * Style.legendPadding) / max(widths.max() ?? 0, 1))))
        let lineHeight = (font.ascent + font.descent) * Style.legendSize
        return LegendRows(labels: labels, entryWidths: widths, lineHeight: lineHeight, rowHeight: lineHeight * 1.45,
                          columns: columns ?? fitting)
    }

    /// The length of the legend's samples: `Style.legendSample`, or `Style.longLegendSample` when an entry draws a marker
    /// on a dash-dotted line, so that its dash and dot show on each side of the marker (review r22e m1: in 24 points the
    /// marker hid the dot, and the line read as solid).
    var legendSampleLength: Double {
        legend.contains { $0.marker != nil && $0.line == .dashDot } ? Style.longLegendSample : Style.legendSample
    }

    private func drawLegend(canvas: Canvas, box: Rect, rows: LegendRows) {
        canvas.fillRect(box, color: Color(hex: 0xFFFFFF, alpha: 0.92))
        canvas.strokeRect(box, color: Color(hex: 0xBBBBBB), width: 0.6)
        for (index, entry) in legend.enumerated() {
            let column = index % rows.columns, row = index / rows.columns
            let x = box.x + Style.legendPadding + Double(column) * rows.columnWidth
            let centerY = box.y + Style.legendPadding + rows.lineHeight / 2 + Double(row) * rows.rowHeight
            if let line = entry.line {
                canvas.strokeLine([Point(x, centerY), Point(x + legendSampleLength, centerY)], color: entry.color,
                                  width: 1.4, style: line)
            }
            switch entry.swatch {
            case .box?:
                var fill = entry.color
                fill.alpha = 0.35
                canvas.fillRect(Rect(x: x, y: centerY - 5, width: legendSampleLength, height: 10), color: fill)
            case .interval?:
                drawInterval(canvas: canvas, from: x + 1, to: x + legendSampleLength - 1, top: centerY - Style.spanHeight / 2,
                             caps: [x + 1, x + legendSampleLength - 1], color: entry.color)
            case nil:
                break
            }
            if let marker = entry.marker {
                canvas.drawMarker(marker, at: Point(x + legendSampleLength / 2, centerY), size: 6.5, color: entry.color,
                                  filled: entry.filled)
            }
            canvas.drawText(rows.labels[index], at: Point(x + legendSampleLength + 6, centerY), size: Style.legendSize,
                            anchor: .left)
        }
    }

    /// An interval `Style.spanHeight` high from its `top`: a line at mid-height from `from` to `to`,
    /// with a cap across the full height at each x of `caps`.
    private func drawInterval(canvas: Canvas, from: Double, to: Double, top: Double, caps: [Double], color: Color) {
        let middle = top + Style.spanHeight / 2
        canvas.strokeLine([Point(from, middle), Point(to, middle)], color: color, width: 1.6)
        for x in caps {
            canvas.strokeLine([Point(x, top - 1), Point(x, top + Style.spanHeight + 1)], color: color, width: 1.2)
        }
    }

    /// The first inside corner (upper right, upper left, lower left, lower right) whose box lies
    /// wholly inside the plot area and covers nothing drawn there but the grid: no data (markers,
    /// error bars, lines, bands, strips), no reference line and no direct label's point. Nil when none does.
    private func insideLegendBox(width: Double, height: Double, transform: Transform, font: Font) -> Rect? {
        let area = transform.area, inset = 6.0
        let corners = [
            Rect(x: area.maxX - inset - width, y: area.y + inset, width: width, height: height),
            Rect(x: area.x + inset, y: area.y + inset, width: width, height: height),
            Rect(x: area.x + inset, y: area.maxY - inset - height, width: width, height: height),
            Rect(x: area.maxX - inset - width, y: area.maxY - inset - height, width: width, height: height),
        ].filter { $0.x >= area.x && $0.y >= area.y && $0.maxX <= area.maxX && $0.maxY <= area.maxY }
        let data = dataObstacles(panels[0], transform: transform)
            + geometry(panels[0], transform: transform).labels.map { point in
                Rect(x: point.x - 10, y: point.y - 10, width: 20, height: 20)
            }
        let drawn = data + referenceObstacles(panels[0], transform: transform)
        return corners.first { box in !drawn.contains(where: box.intersects) }
    }

    /// Small boxes covering every marker, error bar, line segment, strip and band of `panel`.
    private func dataObstacles(_ panel: Panel, transform: Transform) -> [Rect] {
        var boxes = pointObstacles(panel, transform: transform, markersOnly: false)
            + horizontalBarObstacles(panel, transform: transform).map(\.box)
        for (series, device) in zip(panel.series, geometry(panel, transform: transform).series) {
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
        for span in panel.spans {
            let left = span.from.map(transform.deviceX) ?? area.x, right = span.to.map(transform.deviceX) ?? area.maxX
            let y = area.maxY - (Style.spanHeight + Style.spanGap) * Double(span.lane + 1)
            boxes.append(Rect(x: min(left, right), y: y, width: abs(right - left), height: Style.spanHeight))
        }
        // A band's fill, slice by slice between its x values: each slice's box spans both edges at both ends.
        for band in panel.bands {
            let corners = band.x.indices.map { i in (transform.device(Point(band.x[i], band.lower[i])), transform.device(Point(band.x[i], band.upper[i]))) }
            for (start, end) in zip(corners, corners.dropFirst()) {
                let ys = [start.0.y, start.1.y, end.0.y, end.1.y]
                boxes.append(Rect(x: min(start.0.x, end.0.x) - 2, y: ys.min()! - 2, width: abs(end.0.x - start.0.x) + 4,
                                  height: ys.max()! - ys.min()! + 4))
            }
        }
        return boxes
    }

    /// A box per point of `panel` (of its series with markers, when `markersOnly`) covering the
    /// point's marker, or 2 points about it without one, and its bar.
    private func pointObstacles(_ panel: Panel, transform: Transform, markersOnly: Bool) -> [Rect] {
        zip(panel.series, geometry(panel, transform: transform).series).flatMap { series, device -> [Rect] in
            guard series.marker != nil || !markersOnly else { return [] }
            let radius = series.marker == nil ? 2.0 : series.markerSize / 2 + 2
            return device.enumerated().map { index, point in
                let bar = series.bar(index) ?? series.points[index].y...series.points[index].y
                let top = transform.deviceY(bar.upperBound), bottom = transform.deviceY(bar.lowerBound)
                return Rect(x: point.x - radius, y: min(top, point.y - radius), width: 2 * radius,
                            height: max(bottom, point.y + radius) - min(top, point.y - radius))
            }
        }
    }

    /// The device x span of each horizontal bar of `series` (its `xIntervals`) drawn through
    /// `points` (the series' points where they are drawn), by point index; a dodged point's bar moves with it.
    private func horizontalBars(_ series: Series, points: [Point], transform: Transform) -> [(index: Int, bar: ClosedRange<Double>)] {
        (series.xIntervals ?? []).enumerated().compactMap { index, interval in
            interval.map { interval in
                let shift = points[index].x - transform.deviceX(series.points[index].x)
                let ends = [transform.deviceX(interval.lowerBound) + shift, transform.deviceX(interval.upperBound) + shift]
                return (index, ends.min()!...ends.max()!)
            }
        }
    }

    /// A box around each horizontal bar of `panel` (its caps 3 points above and below), with the
    /// device point the bar runs through.
    private func horizontalBarObstacles(_ panel: Panel, transform: Transform) -> [(point: Point, box: Rect)] {
        zip(panel.series, geometry(panel, transform: transform).series).flatMap { series, points in
            horizontalBars(series, points: points, transform: transform).map { index, bar in
                (points[index], Rect(x: bar.lowerBound - 1, y: points[index].y - 3, width: bar.upperBound - bar.lowerBound + 2, height: 6))
            }
        }
    }

    /// A thin box along each reference line of `panel`.
    private func referenceObstacles(_ panel: Panel, transform: Transform) -> [Rect] {
        panel.referenceLines.map { line in
            line.orientation == .horizontal
                ? Rect(x: transform.area.x, y: transform.deviceY(line.value) - 2, width: transform.area.width, height: 4)
                : Rect(x: transform.deviceX(line.value) - 2, y: transform.area.y, width: 4, height: transform.area.height)
        }
    }

    // MARK: Ranges and ticks

    /// The range each panel's y ticks span, for a grid of `columns` columns: `panelYRanges` when the chart
    /// is a page that keeps the whole chart's, else the given range, else the range fitted to the panels
    /// that share it (`ySharing`).
    func yTickRanges(columns: Int) -> [ClosedRange<Double>] {
        if let panelYRanges { return panelYRanges }
        if let range = y.range { return Array(repeating: range, count: panels.count) }
        switch ySharing {
        case .all:
            return Array(repeating: fittedYRange(Array(panels.indices)), count: panels.count)
        case .rows:
            let rows = stride(from: 0, to: panels.count, by: columns).map { fittedYRange(Array($0..<min($0 + columns, panels.count))) }
            return panels.indices.map { rows[$0 / columns] }
        case .columns:
            let byColumn = (0..<min(columns, panels.count)).map { fittedYRange(Array(stride(from: $0, to: panels.count, by: columns))) }
            return panels.indices.map { byColumn[$0 % columns] }
        }
    }

    /// The y range fitted to every panel's points, bars and horizontal reference lines. Fitted ranges
    /// keep every point at least `Style.dataInset` points inside the frame, so that no marker sits in
    /// a corner: a padding of f of the span on each side puts the data f / (1 + 2f) of the panel in,
    /// so f = inset / (size - 2 inset) when that is more than the usual padding.
    /// On a log or symmetric log axis the padding is of the span in scale units (decades), values the
    /// scale cannot show are left out, and the range is not rounded to ticks.
    func fittedYRange() -> ClosedRange<Double> { fittedYRange(Array(panels.indices)) }

    /// The y range fitted as `fittedYRange()` does, to the panels of index `members` only.
    func fittedYRange(_ members: [Int]) -> ClosedRange<Double> {
        let values = members.map { panels[$0] }.flatMap { panel in
            panel.series.flatMap { series in
                series.points.indices.flatMap { i in
                    series.bar(i).map { [series.points[i].y, $0.lowerBound, $0.upperBound] } ?? [series.points[i].y]
                }
            } + panel.referenceLines.filter { $0.orientation == .horizontal }.map(\.value)
        }
        let fraction = max(0.05, Style.dataInset / max(panelHeight - 2 * Style.dataInset, 1))
        guard y.scale == .linear else { return Self.scaledRange(values, scale: y.scale, fraction: fraction) }
        return Self.niceRange(values, fraction: fraction, minimumSpan: y.minimumSpan)
    }

    /// The range of the values `scale` shows, padded by `fraction` of their span in scale units.
    static func scaledRange(_ values: [Double], scale: AxisScale, fraction: Double) -> ClosedRange<Double> {
        let padded = paddedRange(values.filter(scale.shows).map(scale.scaled), fraction: fraction)
        return scale.unscaled(padded.lowerBound)...scale.unscaled(padded.upperBound)
    }

    /// The x range fitted to every panel's points and vertical reference lines for plot areas
    /// `plotWidth` points wide, padded as `fittedYRange()` is.
    func fittedXRange(plotWidth: Double) -> ClosedRange<Double> {
        let values = panels.flatMap { panel in
            panel.series.flatMap { series in
                series.points.map(\.x) + (series.xIntervals ?? []).compactMap { $0 }.flatMap { [$0.lowerBound, $0.upperBound] }
            } + panel.referenceLines.filter { $0.orientation == .vertical }.map(\.value)
        }
        let fraction = max(0.04, Style.dataInset / max(plotWidth - 2 * Style.dataInset, 1))
        guard x.scale == .linear else { return Self.scaledRange(values, scale: x.scale, fraction: fraction) }
        return Self.widened(Self.paddedRange(values, fraction: fraction), to: x.minimumSpan)
    }

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

    /// `range` padded on each side so that its ends lie `Style.dataInset` points inside a frame `size`
    /// points long: a pad of f of the span puts them f / (1 + 2f) of the frame in, so f = inset / (size - 2 inset).
    static func insetRange(_ range: ClosedRange<Double>, size: Double) -> ClosedRange<Double> {
        let pad = (range.upperBound - range.lowerBound) * Style.dataInset / max(size - 2 * Style.dataInset, 1)
        return (range.lowerBound - pad)...(range.upperBound + pad)
    }

    /// `range` widened about its middle to `minimumSpan` when it is narrower; itself otherwise or without one.
    static func widened(_ range: ClosedRange<Double>, to minimumSpan: Double?) -> ClosedRange<Double> {
        guard let minimumSpan, range.upperBound - range.lowerBound < minimumSpan else { return range }
        let middle = (range.lowerBound + range.upperBound) / 2
        return (middle - minimumSpan / 2)...(middle + minimumSpan / 2)
    }

    /// The data's range padded by `fraction` of its span on each side, widened to `minimumSpan` and
    /// extended outward to whole steps of a fine nice step (a tenth of the range or so), so that
    /// little empty space is added.
    static func niceRange(_ values: [Double], fraction: Double = 0.05, minimumSpan: Double? = nil) -> ClosedRange<Double> {
        let padded = widened(paddedRange(values, fraction: fraction), to: minimumSpan)
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
