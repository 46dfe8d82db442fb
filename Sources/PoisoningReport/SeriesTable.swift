/// A table of one quantity by series and poison fraction, laid out so that no part of it is wider
/// than a page, in every report format alike: the series in columns while they all fit beside the
/// fraction column, else the series in rows, the fractions then in columns split into as many blocks
/// (tables one under the other, each repeating the series column) as it takes to fit.
///
/// Widths are counted in characters (`widthBudget`): a report's table shows about 125 characters
/// of its digits across 1,280 px on screen and about 115 across an A4 page in print. A column is as
/// wide as its longest cell, or its header or row label when longer, counted at most `labelLimit`
/// (the HTML report wraps a longer one, LaTeX shrinks the table to the page), plus `columnPadding`.
public struct SeriesTable: Sendable {
    /// One table of the layout: a corner header above the row labels, the column headers, the rows.
    public struct Block: Sendable {
        /// The header of the label column: "Poison fraction" or "Series".
        public let corner: String
        /// The column headers: series labels, or fractions.
        public let columns: [String]
        public let rows: [Row]
    }

    /// One row of a block: its label (a fraction or a series) and one cell per column.
    public struct Row: Sendable {
        public let label: String
        public let cells: [String]
    }

    /// The most characters a block may take across, its label column and padding included.
    public static let widthBudget = 120
    /// The most characters a header or row label counts for.
    public static let labelLimit = 40
    /// The characters a column takes beyond its text: cell padding and borders (`| ` and ` ` in Markdown).
    public static let columnPadding = 3

    /// Whether the series are the rows (the table is too wide with them as columns).
    public let seriesInRows: Bool
    /// The tables, one under the other: one when the table fits, else one per block of fraction columns.
    public let blocks: [Block]

    /// The table of `series` labels by `fractions` (as printed), `cell(series, fraction)` giving each
    /// cell by their indices.
    public init(series: [String], fractions: [String], cell: (_ series: Int, _ fraction: Int) -> String) {
        let byFraction = fractions.indices.map { f in series.indices.map { s in cell(s, f) } }
        /// The width of a column headed `header` whose label or cells are `texts` (`labels`: row labels).
        func width(_ header: String, _ texts: [String], labels: Bool = false) -> Int {
            let longest = texts.map(\.count).max() ?? 0
            return max(min(header.count, Self.labelLimit), labels ? min(longest, Self.labelLimit) : longest) + Self.columnPadding
        }
        let fractionColumn = width("Poison fraction", fractions, labels: true)
        let seriesColumns = series.indices.map { s in width(series[s], byFraction.map { $0[s] }) }
        if fractionColumn + seriesColumns.reduce(0, +) <= Self.widthBudget {
            seriesInRows = false
            blocks = [Block(corner: "Poison fraction", columns: series,
                            rows: fractions.indices.map { Row(label: fractions[$0], cells: byFraction[$0]) })]
            return
        }
        seriesInRows = true
        let seriesColumn = width("Series", series, labels: true)
        let fractionColumns = fractions.indices.map { f in width(fractions[f], byFraction[f]) }
        blocks = packed(fractionColumns, into: Self.widthBudget - seriesColumn).map { columns in
            Block(corner: "Series", columns: columns.map { fractions[$0] },
                  rows: series.indices.map { s in Row(label: series[s], cells: columns.map { byFraction[$0][s] }) })
        }
    }
}

/// The indices of `widths` in order, cut into consecutive runs whose widths add up to at most
/// `budget`; a column wider than the budget alone makes a run of its own.
func packed(_ widths: [Int], into budget: Int) -> [[Int]] {
    var runs = [[Int]](), current = [Int](), used = 0
    for (index, width) in widths.enumerated() {
        if !current.isEmpty && used + width > budget {
            runs.append(current)
            current = []
            used = 0
        }
        current.append(index)
        used += width
    }
    if !current.isEmpty { runs.append(current) }
    return runs
}
