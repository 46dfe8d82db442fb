import Foundation
import Testing
import PoisoningAnalysis
import PoisoningEngine
import TestSupport
@testable import PoisoningReport

/// The layout of the tables by series and fraction (`SeriesTable`), and the numbers the HTML report
/// sorts by (`sortValue`).
struct SeriesTableTests {
    /// The width of a block as this test counts it: each column's longest cell, or its header or row
    /// label when longer, at most 40 characters, plus 3; the label column included.
    static func width(_ block: SeriesTable.Block) -> Int {
        let labels = ([block.corner] + block.rows.map(\.label)).map { min($0.count, 40) }.max()! + 3
        return labels + block.columns.indices.map { c in
            max(min(block.columns[c].count, 40), block.rows.map { $0.cells[c].count }.max() ?? 0) + 3
        }.reduce(0, +)
    }

    /// Every (series, fraction) cell of `table`, as "series|fraction" -> cell, with the number of times it appears.
    static func cells(_ table: SeriesTable) -> [String: [String]] {
        var found = [String: [String]]()
        for block in table.blocks {
            for row in block.rows {
                for (column, cell) in zip(block.columns, row.cells) {
                    let key = table.seriesInRows ? "\(row.label)|\(column)" : "\(column)|\(row.label)"
                    found[key, default: []].append(cell)
                }
            }
        }
        return found
    }

    @Test func fewSeriesStayInColumnsInOneTable() {
        let table = SeriesTable(series: ["MLP 32", "MLP 64", "MLP 128"], fractions: ["0.0%", "10.0%"]) { s, f in "\(s).\(f)" }
        #expect(!table.seriesInRows && table.blocks.count == 1)
        let block = table.blocks[0]
        #expect(block.corner == "Poison fraction" && block.columns == ["MLP 32", "MLP 64", "MLP 128"])
        #expect(block.rows.map(\.label) == ["0.0%", "10.0%"] && block.rows[1].cells == ["0.1", "1.1", "2.1"])
    }

    /// The defenses example's shape: 56 series and 9 fractions of accuracy cells with Wilson intervals.
    @Test func manySeriesGoToRowsAndTheFractionsSplitIntoBlocksThatFit() {
        let series = (0..<56).map { "MLP \($0 % 2 == 0 ? 64 : 128), backdoor → 0, spectral signature (ε = 0.1 per class) \($0)" }
        let fractions = ["0.0%", "5.0%", "10.0%", "15.0%", "20.0%", "25.0%", "30.0%", "40.0%", "50.0%"]
        let table = SeriesTable(series: series, fractions: fractions) { s, f in "0.9\(s % 10)\(f) ± 0.010 [0.893, 0.928]" }
        #expect(table.seriesInRows)
        #expect(table.blocks.allSatisfy { $0.corner == "Series" && $0.rows.map(\.label) == series })
        #expect(table.blocks.flatMap(\.columns) == fractions, "the fractions in order, each in one block")
        #expect(table.blocks.allSatisfy { Self.width($0) <= SeriesTable.widthBudget }, "\(table.blocks.map(Self.width))")
        // The label column counts 43 of 120 characters: two 31-character fraction columns per block.
        #expect(table.blocks.map(\.columns.count) == [2, 2, 2, 2, 1])
        let cells = Self.cells(table)
        #expect(cells.count == 56 * 9 && cells.values.allSatisfy { $0.count == 1 })
        #expect(cells["\(series[3])|10.0%"] == ["0.932 ± 0.010 [0.893, 0.928]"])
    }

    /// Random shapes: every cell appears once, where its series and fraction say; every block fits
    /// the budget unless one column alone is wider; the series are in rows only when they do not fit
    /// as columns; blocks are as few as greedy packing allows (no two neighbours would fit together).
    @Test func everyShapeKeepsEveryCellOnceAndEachBlockWithinTheBudget() {
        var random = SeededGenerator(SplitMix64(seed: 22))
        for _ in 0..<300 {
            let seriesCount = Int.random(in: 1...40, using: &random), fractionCount = Int.random(in: 1...25, using: &random)
            let series = (0..<seriesCount).map { "s\($0)" + String(repeating: "x", count: Int.random(in: 0...40, using: &random)) }
            let fractions = (0..<fractionCount).map { "\($0)%" }
            let lengths = (0..<seriesCount).map { _ in (0..<fractionCount).map { _ in Int.random(in: 1...60, using: &random) } }
            let table = SeriesTable(series: series, fractions: fractions) { s, f in "\(s),\(f)" + String(repeating: "·", count: lengths[s][f]) }
            let cells = Self.cells(table)
            #expect(cells.count == seriesCount * fractionCount && cells.values.allSatisfy { $0.count == 1 })
            for (key, found) in cells {
                let parts = key.split(separator: "|"), s = series.firstIndex(of: String(parts[0]))!, f = fractions.firstIndex(of: String(parts[1]))!
                #expect(found[0].hasPrefix("\(s),\(f)·"))
            }
            for block in table.blocks where block.columns.count > 1 {
                #expect(Self.width(block) <= SeriesTable.widthBudget)
            }
            let asColumns = SeriesTable.Block(corner: "Poison fraction", columns: series,
                                              rows: fractions.indices.map { f in SeriesTable.Row(label: fractions[f], cells: series.indices.map { s in "\(s),\(f)" + String(repeating: "·", count: lengths[s][f]) }) })
            #expect(table.seriesInRows == (Self.width(asColumns) > SeriesTable.widthBudget))
            if table.seriesInRows {
                for (first, second) in zip(table.blocks, table.blocks.dropFirst()) {
                    let joined = SeriesTable.Block(corner: first.corner, columns: first.columns + [second.columns[0]],
                                                   rows: first.rows.indices.map { SeriesTable.Row(label: first.rows[$0].label, cells: first.rows[$0].cells + [second.rows[$0].cells[0]]) })
                    #expect(Self.width(joined) > SeriesTable.widthBudget, "greedy: the next column did not fit")
                }
            }
        }
    }

    @Test func theSortValueIsTheNumberEachKindOfCellShowsFirst() {
        let cases: [(String, String)] = [
            ("0.912 ± 0.010 [0.893, 0.928]", "0.912"), ("-0.021 ± 0.004", "-0.021"), ("+0.717 ± 0.047 (clean 0.012)", "0.717"),
            ("24.7% [22.1%, 30.2%]", "24.7"), ("45.2% [42.4% or more]", "45.2"), ("> 50.0% [41.2% or more]", "1000050"),
            ("< 5.0%", "4.9999999999999991"), ("< 0.001", "0.0009999999999999998"), ("> 1/4", "1000000.25"),
            ("not reached", "3000000"), ("not reached [45.0% or more]", "3000045"), ("not reached (37.5% or more)", "3000037.5"),
            ("-8.5 pp to +1.0 pp", "-8.5"), ("−3.0 pp", "-3"), ("at most +2.0 pp", "2"), ("42.4% or more", "1000042.4"), ("-14.3 pp or more", "999985.7"),
            ("1/9048", String(format: "%.12g", 1.0 / 9048)), ("1/2.50", "0.4"), ("237", "237"), ("2.80", "2.8"),
            ("under 1/1000000", "1e-06"), ("over 1000000", "1000000"), ("w = 0.52", "0.52"), ("τ_w = 12.3% [10.1%, 14.5%] (seeds 9.0%–15.0%)", "12.3"), ("τ = 5.0%", "5"), ("1.5e-05 ± 7.1e-06", "1.5e-05"), ("2.0e+03", "2000"), ("41 × 10 (345)", "410"),
            ("5 to more than 200 seeds (33 at the estimated spread)", "5"), ("40 seeds (spread at its upper 80% bound; 5 to more than 200 over its interval, 33 at the estimated spread)", "40"), ("more than 200 seeds", "200"), ("+0.12 → +0.03", "0.12"),
            ("12.5%; 40.0% of its source class (saturated)", "12.5"),
            ("—", ""), ("n/a", ""), ("no fit", ""), ("cannot tell", ""), ("", ""), ("MLP 64, no defense", ""),
            ("yes", ""), ("undetermined", ""), (".5", ""), ("1/0", ""),
        ]
        for (text, expected) in cases { #expect(sortValue(text) == expected, "\(text)") }
    }

    /// A threshold column sorts by what its cells mean (review r22c, finding 4; issue 22's cold review:
    /// "> 15.0%" sorted below a point estimate of 30.0%): every point estimate below every cell bounded
    /// only from below ("> 15.0%", "-20.0 pp or more": beyond the swept range), ordered among
    /// themselves by their bound, below every "not reached", ordered by the bound of their interval;
    /// "< 5.0%" below an exact 5.0%. Read back as the page's script reads them.
    @Test func boundsAndUnreachedThresholdsSortBeyondTheirNumbers() throws {
        let ascending = ["< 5.0%", "5.0% [2.0%, 8.0%]", "30.0% [20.0%, 40.0%]", "59.9% [50.0% or more]", "60.0% [51.0% or more]",
                         "-20.0 pp or more", "> 15.0%", "> 60.0% [41.2% or more]",
                         "> 60.0%", "not reached", "not reached [40.0% or more]", "not reached [45.0% or more]"]
        let values = try ascending.map { try #require(Double(sortValue($0)), "\($0)") }
        for index in values.indices.dropLast() {
            let strictlyBelow = !(ascending[index].hasPrefix("> 60.0%") && ascending[index + 1].hasPrefix("> 60.0%"))
            #expect(strictlyBelow ? values[index] < values[index + 1] : values[index] == values[index + 1],
                    "\(ascending[index]) then \(ascending[index + 1])")
        }
    }

    /// `sortValue` reads bytes where it can; the reference below reads characters throughout, as the
    /// definition does. They agree on every text made of the pieces a cell's number is read from,
    /// and of marks that join the character before them (a combining accent, a zero-width joiner),
    /// which turn a digit, a sign or a "/" into a character that is none of them.
    @Test func theSortValueReadsTheSameNumberAsCharactersDo() {
        /// The number at the start of `text` as characters read it.
        func referenceNumber(_ text: inout Substring) -> Double? {
            var digits = "", rest = text
            if let sign = rest.first, "+-\u{2212}".contains(sign) {
                digits = sign == "+" ? "" : "-"
                rest = rest.dropFirst()
            }
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard number.first?.isNumber == true, let value = Double(digits + number) else { return nil }
            text = rest.dropFirst(number.count)
            return value
        }
        func reference(_ text: String) -> String {
            var rest = Substring(text)
            let strict = text.hasPrefix("> ") ? 1.0 : text.hasPrefix("< ") ? -1.0 : 0
            for word in ["w = ", "> ", "< ", "at most ", "up to ", "from ", "under ", "over ", "more than "] where rest.hasPrefix(word) {
                rest = rest.dropFirst(word.count)
            }
            guard let first = referenceNumber(&rest) else { return "" }
            var value = first
            if rest.hasPrefix("/") {
                rest = rest.dropFirst()
                guard let denominator = referenceNumber(&rest), denominator != 0 else { return "" }
                value /= denominator
            } else if rest.hasPrefix(" × ") {
                rest = rest.dropFirst(3)
                guard let factor = referenceNumber(&rest) else { return "" }
                value *= factor
            }
            // A lower bound sorts after every point estimate, a strict upper bound as the next smaller Double.
            if strict > 0 { return String(format: "%.12g", 1_000_000 + value) }
            if strict < 0 { return String(format: "%.17g", value.nextDown) }
            for unit in ["", "%", " pp"] where rest.hasPrefix(unit + " or more") { return String(format: "%.12g", 1_000_000 + value) }
            return String(format: "%.12g", value)
        }
        let pieces = ["0", "1", "7", "25", ".", "-", "+", "\u{2212}", "/", " × ", " ", "%", "w = ", "> ", "< ", "at most ", "more than ", " or more", " pp",
                      "\u{301}", "\u{200D}", "\u{FE0F}", "\r\n", "±", "é", "x"]
        var generator = SplitMix64(seed: 22)
        var checked = 0
        for _ in 0..<20_000 {
            let text = (0..<Int(generator.next() % 7)).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
            #expect(sortValue(text) == reference(text), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
            if !reference(text).isEmpty { checked += 1 }
        }
        #expect(checked > 2_000, "many of the texts hold a number")
        // The marks at the very places the byte reading looks past: after the last digit, the sign, the point and the "/".
        for text in ["12\u{301}", "1.\u{301}5", "+\u{301}5", "\u{2212}\u{301}5", "3/\u{301}4", "3/4\u{200D}", "5\u{301}", "41 ×\u{301} 10"] {
            #expect(sortValue(text) == reference(text), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        #expect(sortValue("12\u{301}") == "1")
    }

    /// `formattedSortValue` writes what `String(format: "%.12g")` writes, for the numbers a cell can
    /// hold and for the extremes.
    @Test func theSortValueIsWrittenAsPercentTwelveG() {
        var generator = SplitMix64(seed: 12)
        var values: [Double] = [0, -0.0, 1, -1, 0.1, 1.0 / 3, 2.0 / 3, 410, 1.0 / 9048, 1e-6, 1e-5, 123456789012, 1234567890123, 0.000123456789012345,
                                .infinity, -.infinity, .nan, .greatestFiniteMagnitude, .leastNonzeroMagnitude, .leastNormalMagnitude, 999999999999.5]
        for _ in 0..<5_000 {
            let mantissa = Double(generator.next() % 1_000_000_000) / 1_000
            let exponent = Int(generator.next() % 40) - 20
            values.append((generator.next() % 2 == 0 ? 1 : -1) * mantissa * pow(10, Double(exponent)))
        }
        for value in values { #expect(formattedSortValue(value) == String(format: "%.12g", value), "\(value)") }
    }

    /// The reference study's committed results (output/results.json), whose curve table has evidence ratios "1/N".
    @Test func everyCellOfTheHTMLReportsSortableTablesCarriesItsNumber() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("output/results.json")
        let results = try JSONDecoder().decode(StudyResults.self, from: Data(contentsOf: file))
        let html = ReportFormat(rawValue: "html")!
        let page = try renderReport(template: ShippedTemplate.html.text, fileName: "report.html",
                                    context: reportContext(for: results, format: html, settings: ReportSettings(command: "make-report", figureExtension: "png")),
                                    strict: true).text
        let sortable = page.components(separatedBy: "<table class=\"sortable\">").dropFirst().map { $0.components(separatedBy: "</table>")[0] }
        #expect(sortable.count >= 6)
        let named: Set<String> = ["Series", "Model", "Attack", "Defense"]
        for table in sortable {
            let headers = table.matches(of: /<th(?: class="[a-z]+")?>([^<]*)<\/th>/).map { String($0.output.1) }
            var places = [Int: [String]]()   // by column: the names in the order the table lists them
            for row in table.components(separatedBy: "<tr>").dropFirst(2) {
                // Each cell carries the number its text shows, or, in a column of series, models, attacks or
                // defenses, the place of its name in the table (the study's order); only the yes/no verdicts,
                // which sort as text, carry none.
                for (column, cell) in row.matches(of: /<td(?: class="[a-z]+")?( data-sort-value="([^"]*)")?>([^<]*)<\/td>/).enumerated() {
                    let text = String(cell.output.3)
                    guard let value = cell.output.2 else {
                        #expect(["yes", "no"].contains(text), "\(text) has no data-sort-value")
                        continue
                    }
                    // (The differences table's second column, "Series", holds pairs of series, texts.)
                    if column < headers.count, named.contains(headers[column]), headers[column] != "Series" || column == 0 {
                        if !places[column, default: []].contains(text) { places[column, default: []].append(text) }
                        #expect(String(value) == String(places[column]!.firstIndex(of: text)!), "\(headers[column]) \(text)")
                    } else {
                        #expect(String(value) == sortValue(text), "\(text)")
                    }
                }
            }
        }
        // Sorted by their values, the series keep the study's order: MLP 32, MLP 64, MLP 128 (alphabetically,
        // and before each series had its place, MLP 128 came first).
        let fitTable = try #require(sortable.first { $0.contains("<th>Series</th>") })
        let series = fitTable.matches(of: /<tr><td data-sort-value="([^"]*)">([^<]*)<\/td>/).map { (String($0.output.1), String($0.output.2)) }
        #expect(series.sorted { Double($0.0)! < Double($1.0)! }.map(\.1) == ["MLP 32", "MLP 64", "MLP 128"])
        // An evidence ratio "1/N" sorts as 1/N, not as 1.
        let ratios = page.matches(of: /data-sort-value="([^"]*)">1\/([0-9.]+)<\/td>/)
        #expect(!ratios.isEmpty, "the reference study has ratios below 1")
        for ratio in ratios {
            let value = try #require(Double(ratio.output.1)), denominator = try #require(Double(ratio.output.2))
            #expect(abs(value * denominator - 1) < 1e-9)
        }
    }
}
