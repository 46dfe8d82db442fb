import Foundation
import PoisoningUtilities

/// A data set read from a CSV file (UTF-8; LF, CRLF or, as old Mac OS wrote them and as Python's
/// csv module and pandas read them, CR line ends; a byte-order mark at the start skipped; cells
/// optionally quoted as RFC 4180 says): numeric feature columns (decimal numbers, read as pandas
/// reads them, that 32-bit floats hold: `feature(_:)`) and one label column
/// (any values; quotes only delimit, so `"1"` is the label 1; blanks around a label are kept, as
/// pandas keeps them). The distinct labels become classes 0, 1, ... in one order, whatever the order
/// of the rows, as pandas' `read_csv` reads the column (`classes(of:lines:)`): numeric order when
/// every label is a decimal number (`-1`, `2`, `10`), otherwise the order of their Unicode scalars
/// compared by value (`10`, `1a`, `2`; `B` before `a`). One class written two ways is refused as
/// ambiguous, naming both and their lines: the same number (`1` and `1.0`, `0` and `-0`, `1e0` and
/// `1`) or the same text in other Unicode scalars (precomposed é and e + U+0301) or blanks (`a` and
/// `a `); so are empty labels, `nan` and infinite numbers, and labels and column names holding a control character
/// or a bidirectional override (`isDisallowedInText`; a quoted label may hold line ends, which RFC
/// 4180 allows and Python's csv module writes; outputs name each class by its label, such a character
/// written as its code point: `className(_:in:)`). The split is stratified and seeded (per class, a
/// Fisher-Yates shuffle on the stream (seed, "split"); the first round(train-fraction · n_class)
/// rows train), or given by a split column holding `train` and `test`. With `standardize`, every
/// feature is centred and scaled by the training rows' mean and standard deviation (a constant
/// feature is only centred). Problems end in one line "file:line: why", a row that spans lines
/// named by its first line.
public struct CSVDataset: DatasetSource {
    /// "csv".
    public static let kind = "csv"
    /// One sentence for help and commented study files.
    public static let summary = "Rows of a CSV file: numeric features and a label column."

    /// The file: as a study file names it, relative to the study file's folder (or absolute); once
    /// the study is read, relative to the working directory (`movingStudyPaths`).
    public let path: String
    /// The label column; `.unset` for the last column.
    public let labelColumn: CSVColumn
    /// Whether the first line names the columns.
    public let header: Bool
    /// The cell separator.
    public let delimiter: Unicode.Scalar
    /// Fraction of each class that trains (when there is no split column).
    public let trainFraction: Double
    /// Seed of the stratified split.
    public let seed: UInt64
    /// A column of `train`/`test` that gives the split instead; `.unset` for none.
    public let splitColumn: CSVColumn
    /// Whether features are standardised with the training rows' statistics.
    public let standardize: Bool
    /// The most rows the file may have.
    public let maxRows: Int

    /// `path` names a file.
    public static let pathKeys = ["path"]

    /// Reads its keys from the study, each with its default and help.
    public init(parameters p: inout ParameterReader) throws {
        path = try p.string("path", maximumLength: ParameterReader.maximumPathLength, help: "The CSV file, relative to this file's folder, or absolute.")
        guard !path.isEmpty else { throw p.error("path", "is empty; give the CSV file's path") }
        labelColumn = try Self.column("label-column", &p, help: "The label column: its header name (a string; quoted when it looks like "
            + "a number, \"2\") or its 0-based index (an unquoted integer) (default: the last column); read as pandas reads it: numbers in "
            + "numeric order if every label is a decimal number, else text by Unicode scalars.")
        header = try p.bool("header", default: true, help: "Whether the first line names the columns.")
        let delimiter = try p.string("delimiter", default: ",", anyCharacter: true, help: "The cell separator, one character.")
        guard delimiter.unicodeScalars.count == 1, let scalar = delimiter.unicodeScalars.first else {
            throw p.error("delimiter", "must be one character")
        }
        if let problem = Self.delimiterProblem(scalar) { throw p.error("delimiter", problem) }
        self.delimiter = scalar
        trainFraction = try p.double("train-fraction", default: 0.7, in: 0.01...0.99, help: "Fraction of each class used for training (stratified split).")
        seed = UInt64(try p.int("seed", default: 42, in: 0...Int.max, help: "Seed of the stratified split."))
        splitColumn = try Self.column("split-column", &p, help: "A column of train/test values that gives the split instead, named or "
            + "indexed as label-column is (default: none).")
        standardize = try p.bool("standardize", default: false, help: "Standardise every feature with the training rows' mean and standard deviation.")
        maxRows = try p.int("max-rows", default: 1_000_000, in: 1...Self.maximumRows, help: "The most rows the file may have.")
    }

    /// Why `scalar` cannot separate cells, or nil: a quote encloses cells, a line feed or carriage
    /// return ends a row, and a digit, '.', '+', '-', 'e' or 'E' is part of a number's cell, so the
    /// file would not read as its author meant.
    static func delimiterProblem(_ scalar: Unicode.Scalar) -> String? {
        switch scalar {
        case "\"": "cannot be '\"', the quote that encloses a cell"
        case "\n", "\r": "cannot be a line end (\(codePointText(scalar))), which ends a row"
        case "0"..."9", ".", "+", "-", "e", "E": "cannot be '\(scalar)', which a number in a cell is written with"
        default: nil
        }
    }

    /// The column `key` names: an integer is a 0-based index, a string a header name (`.unset` when
    /// absent or empty). The effective study keeps the kind, so `"2"` stays a name and `2` an index.
    private static func column(_ key: String, _ p: inout ParameterReader, help: String) throws -> CSVColumn {
        if case .int = p.value(key, help: help) { return .index(try p.int(key, in: 0...maximumFeatures, help: help)) }
        let name = try p.string(key, default: "", help: help)
        return name.isEmpty ? .unset : .name(name)
    }

    /// The file's name.
    public var label: String { (path as NSString).lastPathComponent }

    /// The largest CSV file read, in bytes.
    public static let maximumFileBytes = 2 << 30

    /// The largest `max-rows`: the most rows a file may have.
    public static let maximumRows = 100_000_000

    /// The most features a file can have: each cell takes at least one byte and its delimiter.
    public static let maximumFeatures = maximumFileBytes / 2

    /// Draws the data and splits them into training and test rows.
    public func makeSplit() throws -> TrainTestSplit {
        try makeSplit(admitting: { _ in })
    }

    /// Reads the file once, has `admit` judge the memory splitting it takes (`estimatedBytes(of:)`,
    /// counted from the bytes read rather than by reading the file again), then splits them.
    public func makeSplit(admitting admit: (_ makingBytes: Double) throws -> Void) throws -> TrainTestSplit {
        let data: Data
        do {
            data = try readUserFile(path, maximumBytes: Self.maximumFileBytes)
        } catch {
            throw failure(nil, "\(error)")
        }
        try admit(estimatedBytes(of: data))
        return try split(of: data)
    }

    /// The train/test split of the CSV text `data`, read with this source's settings.
    public func split(of data: Data) throws -> TrainTestSplit {
        let table = try table(of: data)
        let classes: Classes
        do throws(LabelError) { classes = try Self.classes(of: table.labels, lines: table.lines) } catch {
            throw failure(error.line, error.message)
        }
        guard classes.names.count >= 2 else { throw failure(nil, "has a single class (\(quotedUserText(classes.names[0]))); a study needs at least two") }
        let all = Dataset(features: table.features, labels: classes.ofRow, featureCount: table.featureCount, classCount: classes.names.count)

        var trainRows = [Int](), testRows = [Int]()
        if let inTrain = table.inTrain {
            trainRows = all.labels.indices.filter { inTrain[$0] }
            testRows = all.labels.indices.filter { !inTrain[$0] }
        } else {
            var random = Xoshiro256StarStar(seed: seed, purpose: "split")
            for label in 0..<all.classCount {
                var rows = all.labels.indices.filter { all.labels[$0] == label }
                for index in stride(from: rows.count - 1, to: 0, by: -1) { rows.swapAt(index, random.nextInt(below: index + 1)) }
                let count = Int((trainFraction * Double(rows.count)).rounded(.toNearestOrEven))
                trainRows += rows[..<count]
                testRows += rows[count...]
            }
            trainRows.sort()
            testRows.sort()
        }
        if let problem = Self.emptySplitProblem(train: trainRows.count, test: testRows.count, classCount: all.classCount,
                                                trainFraction: table.inTrain == nil ? trainFraction : nil) {
            throw failure(nil, problem)
        }
        let fromSplitColumn = table.inTrain != nil
        if let problem = classSplitProblem(trainLabels: trainRows.map { all.labels[$0] }, testLabels: testRows.map { all.labels[$0] },
                                           names: classes.names, cause: { missing, rows in
            fromSplitColumn ? "the split column marks all of its \(rows) \(rows == 1 ? "row" : "rows") \(missing == "test" ? "train" : "test")"
                : "the stratified split of its \(rows) \(rows == 1 ? "row" : "rows") leaves none"
        }) {
            throw failure(nil, problem)
        }
        var train = all.rows(trainRows), test = all.rows(testRows)
        if standardize { standardise(&train, &test) }
        return TrainTestSplit(train: train, test: test, classNames: classes.names)
    }

    /// Why a split of `train` and `test` rows cannot make a study, or nil: it leaves no training or
    /// no test rows, said with its cause: a split column's values (`trainFraction` nil), a class per
    /// row, or the stratified split's rounding of `trainFraction` of each class.
    static func emptySplitProblem(train: Int, test: Int, classCount: Int, trainFraction: Double?) -> String? {
        guard train == 0 || test == 0 else { return nil }
        let missing = train == 0 ? "training" : "test"
        guard let trainFraction else { return "the split column marks no row \(train == 0 ? "train" : "test"); a study needs both" }
        if train + test == classCount {
            return "each of its \(classCount) classes has only one row, so the stratified split leaves no \(missing) rows; "
                + "a class needs at least two rows"
        }
        return "train-fraction \(trainFraction) rounds to \(train == 0 ? "no row" : "every row") of each class, so the stratified split "
            + "leaves no \(missing) rows; give more rows per class or a train-fraction nearer 0.5"
    }

    /// The rows of a CSV file before its labels become classes.
    public struct Table: Sendable, Equatable {
        /// Row-major features, `featureCount` per row.
        public let features: [Float]
        /// Feature columns per row.
        public let featureCount: Int
        /// Each row's label as pandas reads it: every character of its cell, blanks included (a
        /// quoted cell's: what lies between its quotes).
        public let labels: [String]
        /// Each row's line number in the file, from 1: the line it starts on.
        public let lines: [Int]
        /// Whether each row trains, when a split column says so; nil without one.
        public let inTrain: [Bool]?
    }

    /// The rows of the CSV text `data`, read with this source's settings: UTF-8, an optional byte-order
    /// mark, LF, CRLF or CR line ends, cells split at the delimiter, quoted or not; names and the split
    /// column trimmed of blanks, features (`feature(_:)`) and labels read as pandas reads them.
    public func table(of data: Data) throws -> Table {
        guard let text = String(validating: data, as: UTF8.self) else { throw failure(nil, "is not UTF-8 text") }
        // A NUL byte would cut a cell short where C's number parsing reads it ("0.5\0junk" as 0.5).
        if let nul = data.firstIndex(of: 0) {
            throw failure(1 + Self.lineEndCount(data[data.startIndex..<nul]), "holds a NUL byte")
        }
        let records = try records(of: text)
        let lines = records.text
        guard !lines.isEmpty else { throw failure(nil, "the file is empty") }
        let names = header ? try cells(of: lines[0], line: records.lines[0]).map { String($0.trimmedText) } : nil
        let firstRow = header ? 1 : 0
        for (index, name) in (names ?? []).enumerated() {
            if let problem = disallowedTextProblem(name) {
                throw failure(records.lines[0], "the name of column \(index) \(quotedUserText(name)) \(problem)")
            }
        }
        guard lines.count > firstRow else { throw failure(nil, "the file has a header but no rows") }
        guard lines.count - firstRow <= maxRows else { throw failure(nil, "has \(lines.count - firstRow) rows, more than max-rows (\(maxRows))") }
        let width = try names?.count ?? cells(of: lines[0], line: records.lines[0]).count
        func column(_ choice: CSVColumn, _ what: String) throws -> Int? {
            let columns = "(\(width) columns" + (names.map { ": " + $0.prefix(6).map { shortenedUserText($0) }.joined(separator: ", ") + ($0.count > 6 ? ", ..." : "") } ?? "") + ")"
            switch choice {
            case .unset:
                return nil
            case .name(let name):
                if let index = names?.firstIndex(of: name) { return index }
                guard header else {
                    throw failure(nil, "the \(what) column \(quotedUserText(name)) is a name, and the file has no header (header: false); "
                                  + "give its 0-based index, an unquoted integer")
                }
                throw failure(1, "the \(what) column \(quotedUserText(name)) does not exist \(columns)"
                              + (Int(name).map { $0 >= 0 && $0 < width ? "; for the column at index \($0), write \(what)-column: \($0) unquoted" : "" } ?? ""))
            case .index(let index):
                guard index < width else { throw failure(header ? 1 : nil, "the \(what) column \(index) does not exist \(columns)") }
                // An integer that is also a column's name, another column's, could mean either.
                if let named = names?.firstIndex(of: String(index)), named != index {
                    throw failure(1, "\(what)-column: \(index) is ambiguous: it is the index of column \(quotedUserText(names![index])) and the name "
                                  + "of column \(named); write \(what)-column: \"\(index)\" (quoted) for the name, or rename column \(named)")
                }
                return index
            }
        }
        // Names compare as Swift compares strings: canonically, so é and e + U+0301 are one name.
        var seen = [String: String]()
        for name in names ?? [] {
            guard let earlier = seen.updateValue(name, forKey: name) else { continue }
            guard earlier.utf8.elementsEqual(name.utf8) else {
                throw failure(1, "the column names \(quotedUserText(earlier)) (\(Self.codePointsText(earlier))) and \(quotedUserText(name)) "
                              + "(\(Self.codePointsText(name))) are one name in other Unicode scalars; name each column once")
            }
            throw failure(1, "the column name \(quotedUserText(name)) appears twice; name each column once")
        }
        let labelIndex = try column(labelColumn, "label") ?? width - 1
        let splitIndex = try column(splitColumn, "split")
        if splitIndex == labelIndex { throw failure(nil, "the split column is the label column; give two different columns") }
        let featureIndices = (0..<width).filter { $0 != labelIndex && $0 != splitIndex }
        guard !featureIndices.isEmpty else { throw failure(nil, "has no feature columns") }

        var features = [Float](), labels = [String](), numbers = [Int](), inTrain = [Bool]()
        features.reserveCapacity((lines.count - firstRow) * featureIndices.count)
        for lineIndex in firstRow..<lines.count {
            let number = records.lines[lineIndex]
            // A blank line among the rows (nothing, or spaces and tabs that are not the delimiter,
            // before the last row) is refused, not skipped as pandas skips it: a row lost from the
            // middle of a data file is more likely damage than layout.
            if lines[lineIndex].unicodeScalars.allSatisfy({ ($0 == " " || $0 == "\t") && $0 != delimiter }) {
                throw failure(number, "is blank; remove the blank lines among the rows (pandas skips them, make-report refuses them)")
            }
            let cells = try cells(of: lines[lineIndex], line: number)
            guard cells.count == width else { throw failure(number, "has \(cells.count) cells, expected \(width)") }
            for index in featureIndices {
                switch Self.feature(cells[index].text) {
                case .success(let value):
                    features.append(value)
                case .failure(let problem):
                    let column = names.map { shortenedUserText($0[index]) } ?? "\(index)"
                    throw failure(number, "column \(column) \(problem.reason)")
                }
            }
            // pandas reads blanks before a quote as text (the quote too), and blanks after a closing
            // quote as part of the label.
            guard !cells[labelIndex].blanksOutsideQuotes else {
                throw failure(number, "the label's cell has blanks outside its quotes, which pandas reads as part of the label "
                              + "(and a quote after blanks as text); write the quotes right at the delimiters")
            }
            labels.append(String(cells[labelIndex].text))
            numbers.append(number)
            if let splitIndex {
                switch cells[splitIndex].trimmedText.lowercased() {
                case "train": inTrain.append(true)
                case "test": inTrain.append(false)
                default: throw failure(number, "the split column holds \(quotedUserText(cells[splitIndex].trimmedText)), expected train or test")
                }
            }
        }
        return Table(features: features, featureCount: featureIndices.count, labels: labels, lines: numbers,
                     inTrain: splitIndex == nil ? nil : inTrain)
    }

    /// Why a feature cell gives no finite 32-bit number, as "column x" goes on in an error line.
    public enum FeatureProblem: Error, Equatable {
        /// The cell is empty or blank.
        case empty
        /// The cell is one of pandas' missing-value markers (`missingValueMarkers`), e.g. `nan`.
        case missing(String)
        /// The cell is an infinity (`inf`, `-Infinity`).
        case infinite(String)
        /// The cell is a decimal number beyond the largest 32-bit float, e.g. `3.5e38`.
        case outsideFloatRange(String)
        /// The cell is a nonzero decimal number below the smallest normal 32-bit float, e.g. `1e-50`,
        /// which would be read as 0 or as a subnormal float that keeps few of its digits.
        case belowFloatRange(String)
        /// The cell is text to pandas, e.g. `0x10`, `1_000`, `1,5`.
        case notANumber(String)

        /// The reason, after "column x" in an error line, the cell quoted.
        public var reason: String {
            switch self {
            case .empty: "is empty"
            case .missing(let cell): "holds \(quotedUserText(cell)), which marks a missing value (pandas reads it as NaN); give every cell a number"
            case .infinite(let cell): "is not a finite number: \(quotedUserText(cell))"
            case .outsideFloatRange(let cell): "is outside Float range: \(quotedUserText(cell)) (features are 32-bit floats, at most ±\(Float.greatestFiniteMagnitude))"
            case .belowFloatRange(let cell): "is below Float's smallest normal magnitude: \(quotedUserText(cell)) (features are 32-bit floats; "
                + "a nonzero one is at least ±\(Float.leastNormalMagnitude)); scale the column"
            case .notANumber(let cell): "is not a number: \(quotedUserText(cell))"
            }
        }
    }

    /// The feature a cell's text gives (every character between its delimiters, or between its
    /// quotes), read as pandas' `read_csv` reads a number (`number(_:)`: decimal, the white space
    /// around it skipped; `0x10`, `1_000`, other scripts' digits and `1,5` are text), as the nearest
    /// 32-bit float; or why it gives none: empty or blank, a missing-value marker, an infinity, a
    /// number beyond the 32-bit range, a nonzero number below its normal range (it would be read as
    /// 0, or as a subnormal float, where pandas reads distinct values), or text.
    public static func feature(_ cell: some StringProtocol) -> Result<Float, FeatureProblem> {
        let text = String(cell)
        if trimmed(text.unicodeScalars).isEmpty { return .failure(.empty) }
        if missingValueMarkers.contains(text) { return .failure(.missing(text)) }
        guard let double = number(text) else { return .failure(.notANumber(text)) }
        guard double.isFinite else {
            return .failure(decimalNumber(numberText(text)) == nil ? .infinite(text) : .outsideFloatRange(text))
        }
        guard let value = Float(numberText(text)), value.isFinite else { return .failure(.outsideFloatRange(text)) }
        let mantissa = numberText(text).utf8.prefix { $0 != UInt8(ascii: "e") && $0 != UInt8(ascii: "E") }
        if value.magnitude < Float.leastNormalMagnitude, mantissa.contains(where: { (UInt8(ascii: "1")...UInt8(ascii: "9")).contains($0) }) {
            return .failure(.belowFloatRange(text))
        }
        return .success(value)
    }

    /// The records of `text` (a BOM at the start skipped): each without its line end (LF, CRLF or
    /// CR), with the line it starts on, the empty records at the end left out. A record ends at a
    /// line end outside quotes; a quoted cell may hold line ends. A quote opens a quoted cell only
    /// where a cell starts (after blanks), and a quote right after a closing one opens again (a
    /// doubled quote); any other quote is left in its record for `cells(of:line:)`, which refuses it
    /// with its line and column. Found on UTF-8 bytes: Swift reads "\r\n" as one Character.
    private func records(of text: String) throws -> (text: [Substring], lines: [Int]) {
        let body = text.unicodeScalars.first == "\u{FEFF}" ? Substring(text.unicodeScalars.dropFirst()) : Substring(text)
        let utf8 = body.utf8
        let bounds = { (bytes: UnsafeBufferPointer<UInt8>) in Self.recordBounds(bytes, delimiter: delimiter) }
        let found = utf8.withContiguousStorageIfAvailable(bounds) ?? Array(utf8).withUnsafeBufferPointer(bounds)
        if let unclosed = found.unclosedQuoteLine { throw failure(unclosed, "a quote opened on this line is never closed") }
        func index(_ offset: Int) -> Substring.UTF8View.Index { utf8.index(utf8.startIndex, offsetBy: offset) }
        var records = found.bounds.map { Substring(utf8[index($0.start)..<index($0.end)]) }
        var lines = found.bounds.map(\.line)
        while records.last?.isEmpty == true {
            records.removeLast()
            lines.removeLast()
        }
        return (records, lines)
    }

    /// The byte ranges of the records of `bytes` (line ends left out) with the line each starts on,
    /// and the line of a quote never closed, if any; cells are separated by `delimiter`.
    private static func recordBounds(_ bytes: UnsafeBufferPointer<UInt8>, delimiter: Unicode.Scalar)
        -> (bounds: [(start: Int, end: Int, line: Int)], unclosedQuoteLine: Int?) {
        let quote = UInt8(ascii: "\""), lineFeed = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")
        let delimiterBytes = Array(String(delimiter).utf8)
        var bounds = [(start: Int, end: Int, line: Int)]()
        var line = 1, recordLine = 1, openedOn = 1, quoted = false, start = 0
        // Whether only blanks stand between the cell's start and `offset`; where the last quote closed.
        var atCellStart = true, closedAt = -2
        var offset = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == quote {
                if quoted {
                    quoted = false
                    closedAt = offset
                } else if atCellStart || closedAt == offset - 1 {
                    quoted = true
                    openedOn = line
                }
                atCellStart = false
                offset += 1
            } else if byte == lineFeed || byte == carriageReturn {
                let length = byte == carriageReturn && offset + 1 < bytes.count && bytes[offset + 1] == lineFeed ? 2 : 1
                line += 1
                if !quoted {
                    bounds.append((start, offset, recordLine))
                    start = offset + length
                    recordLine = line
                    atCellStart = true
                }
                offset += length
            } else if quoted {
                offset += 1
            } else if byte == delimiterBytes[0], bytes[offset...].starts(with: delimiterBytes) {
                atCellStart = true
                offset += delimiterBytes.count
            } else {
                let scalar = Self.scalar(in: bytes, at: offset)
                atCellStart = atCellStart && isBlank(scalar.value)
                offset += scalar.length
            }
        }
        bounds.append((start, bytes.count, recordLine))
        return (bounds, quoted ? openedOn : nil)
    }

    /// The Unicode scalar whose UTF-8 encoding starts at `offset` of the valid UTF-8 `bytes`, and its length in bytes.
    private static func scalar(in bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> (value: Unicode.Scalar, length: Int) {
        let lead = bytes[offset]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        var value = UInt32(lead) & (0xFF >> (length + 1))
        for next in bytes[(offset + 1)..<(offset + length)] { value = value << 6 | UInt32(next & 0x3F) }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }

    /// The number of line ends among `bytes`: line feeds, and carriage returns not followed by one.
    static func lineEndCount(_ bytes: some Collection<UInt8>) -> Int {
        var count = 0, afterCarriageReturn = false
        for byte in bytes {
            if byte == UInt8(ascii: "\n") || afterCarriageReturn { count += 1 }
            afterCarriageReturn = byte == UInt8(ascii: "\r")
        }
        return count + (afterCarriageReturn ? 1 : 0)
    }

    /// A cell of a record: its text (unquoted, every character between its delimiters; quoted, what
    /// lies between the quotes, a doubled quote made one), and whether blanks stand outside its quotes.
    private struct Cell {
        /// The text, untrimmed: a label as pandas reads it.
        let text: Substring
        /// Whether blanks stand before the opening quote or after the closing one.
        let blanksOutsideQuotes: Bool

        /// The text trimmed of blanks: a name, a split column's value.
        var trimmedText: Substring { Substring(trimmed(text.unicodeScalars)) }
    }

    /// The cells of `record` (which starts on `line`): split at the delimiter (a Unicode scalar).
    /// A cell may be quoted whole (RFC 4180): between double quotes it may hold the delimiter, line
    /// ends and, doubled, a quote; blanks may stand around the quotes. Quotes only delimit: `"1"`
    /// is the number 1. Text after a closing quote is refused naming its line, and a quote inside
    /// an unquoted cell naming its line and column (in Unicode scalars, from 1).
    private func cells(of record: Substring, line: Int) throws -> [Cell] {
        guard record.utf8.contains(UInt8(ascii: "\"")) else {
            return record.unicodeScalars.split(separator: delimiter, omittingEmptySubsequences: false).map {
                Cell(text: Substring($0), blanksOutsideQuotes: false)
            }
        }
        let scalars = record.unicodeScalars
        func lineOf(_ index: String.UnicodeScalarView.Index) -> Int {
            line + Self.lineEndCount(record.utf8[..<index])
        }
        func columnOf(_ index: String.UnicodeScalarView.Index) -> Int {
            let lineStart = scalars[..<index].lastIndex { $0 == "\n" || $0 == "\r" }.map(scalars.index(after:)) ?? scalars.startIndex
            return scalars[lineStart..<index].count + 1
        }
        func isBlank(_ scalar: Unicode.Scalar) -> Bool { scalar != delimiter && CSVDataset.isBlank(scalar) }
        var cells = [Cell]()
        var index = scalars.startIndex
        while true {
            let start = index
            while index != scalars.endIndex, isBlank(scalars[index]) { index = scalars.index(after: index) }
            if index != scalars.endIndex, scalars[index] == "\"" {
                let blanksBefore = index != start
                var content = String.UnicodeScalarView()
                index = scalars.index(after: index)
                while true {
                    // `records(of:)` has seen every quote closed.
                    let close = scalars[index...].firstIndex(of: "\"")!
                    content.append(contentsOf: scalars[index..<close])
                    index = scalars.index(after: close)
                    guard index != scalars.endIndex, scalars[index] == "\"" else { break }
                    content.append("\"")
                    index = scalars.index(after: index)
                }
                let closed = index
                while index != scalars.endIndex, isBlank(scalars[index]) { index = scalars.index(after: index) }
                guard index == scalars.endIndex || scalars[index] == delimiter else {
                    throw failure(lineOf(index), "has text after the closing quote of a cell; quote a cell whole, a quote inside it doubled")
                }
                cells.append(Cell(text: Substring(String(content)), blanksOutsideQuotes: blanksBefore || index != closed))
            } else {
                let end = scalars[index...].firstIndex(of: delimiter) ?? scalars.endIndex
                if let quote = scalars[index..<end].firstIndex(of: "\"") {
                    throw failure(lineOf(quote), "a quote inside an unquoted cell at line \(lineOf(quote)), column \(columnOf(quote)); "
                                  + "quote a cell whole, a quote inside it doubled")
                }
                cells.append(Cell(text: Substring(scalars[start..<end]), blanksOutsideQuotes: false))
                index = end
            }
            guard index != scalars.endIndex else { return cells }
            index = scalars.index(after: index)
        }
    }

    /// The classes of a label column and each row's class.
    public struct Classes: Sendable, Equatable {
        /// The distinct labels, class 0 first.
        public let names: [String]
        /// Each row's class.
        public let ofRow: [Int]
    }

    /// Why a label column cannot form classes: the line of the first row at fault, and the reason.
    public struct LabelError: Error, Sendable, Equatable {
        /// The line of the row at fault.
        public let line: Int
        /// What is wrong.
        public let message: String
    }

    /// The labels pandas' `read_csv` reads as a missing value (its default `na_values`), which no
    /// class may be written as.
    public static let missingValueMarkers: Set<String> = ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
                                                          "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a",
                                                          "nan", "null"]

    /// The classes of the label column `labels` (row i on line `lines[i]`, each label as pandas
    /// reads it: blanks included), read as pandas' `read_csv` reads the column, in an order that
    /// depends on the set of distinct labels alone: when every label is a number (`number`; pandas
    /// skips the white space around one), the column is numbers in numeric order, compared exactly
    /// as 64-bit integers when every label is an integer (pandas' int64), else as doubles (float64);
    /// when every label is a truth value (True, true, TRUE, False, false, FALSE, exactly), false comes
    /// first; otherwise the labels are text, blanks kept, in the lexicographic order of their Unicode
    /// scalars by value, so that `0x10`, `16` and `0x1p4` are three classes, and `nan ` is a class.
    /// Throws at the first row whose label is empty or blank or a missing-value marker
    /// (`missingValueMarkers`), and where pandas would merge classes silently or keep apart what a
    /// reader cannot tell apart: an infinite number in a column of numbers, an integer outside the
    /// 64-bit range in a column of numbers (pandas reads such a column as uint64, as Python integers
    /// or as text, depending on the other labels), a class an earlier row spells otherwise (the same
    /// number: `1` and `1.0`, `0` and `-0`, or two integers one double, `9007199254740993` and
    /// `9007199254740992` beside `1.5`; the same truth value), and two texts that differ only in
    /// their Unicode scalars (precomposed é and e + U+0301) or in the blanks around them (`a` and `a `).
    public static func classes(of labels: [String], lines: [Int]) throws(LabelError) -> Classes {
        var spellings = [String](), firstLines = [Int](), ofRow = [Int]()
        var indexOfText = [String: Int]()
        ofRow.reserveCapacity(labels.count)
        for (label, line) in zip(labels, lines) {
            if let index = indexOfText[label] {
                guard label.utf8.elementsEqual(spellings[index].utf8) else {
                    throw LabelError(line: line, message: "label \(quotedUserText(label)) (\(codePointsText(label))) is label "
                                     + "\(quotedUserText(spellings[index])) (\(codePointsText(spellings[index]))) of line \(firstLines[index]) "
                                     + "in other Unicode scalars; write each class one way")
                }
                ofRow.append(index)
                continue
            }
            guard !label.unicodeScalars.allSatisfy(isBlank) else { throw LabelError(line: line, message: "the label is empty") }
            guard !missingValueMarkers.contains(label) else {
                throw LabelError(line: line, message: "label \(quotedUserText(label)) marks a missing value (pandas reads it as NaN); give every row its class")
            }
            // A line end inside a quoted label is the label's (RFC 4180, and Python writes such files);
            // outputs show it as an error line does (`className(_:in:)`). Tabs around it are blanks.
            if let problem = disallowedTextProblem(visibleText(label), allowingLineEnds: true) {
                throw LabelError(line: line, message: "label \(quotedUserText(label)) \(problem)")
            }
            indexOfText[label] = spellings.count
            ofRow.append(spellings.count)
            spellings.append(label)
            firstLines.append(line)
        }
        // Each distinct spelling's class, named by the class's first spelling (a number or truth value
        // without the blanks around it, which its spellings may differ by, so that the name does not
        // depend on the order of the rows); the classes in order.
        var classOf = Array(spellings.indices)
        let order: [Int]
        var name = { (index: Int) in String(numberText(spellings[index])) }
        let numbers = spellings.map(number), truths = spellings.map(truthValue)
        func described(_ index: Int) -> String { "label \(quotedUserText(spellings[index])) (line \(firstLines[index]))" }
        if numbers.allSatisfy({ $0 != nil }) {
            if let infinite = numbers.firstIndex(where: { !$0!.isFinite }) {
                throw LabelError(line: firstLines[infinite], message: "label \(quotedUserText(spellings[infinite])) is not a finite number")
            }
            let integerTexts = spellings.map(integerText)
            if let huge = integerTexts.firstIndex(where: { $0 != nil && Int64($0!) == nil }) {
                throw LabelError(line: firstLines[huge], message: "label \(quotedUserText(spellings[huge])) is an integer outside the 64-bit range, "
                                 + "which pandas reads as uint64, Python integers or text, as the other labels decide; write classes within ±\(Int64.max)")
            }
            if integerTexts.allSatisfy({ $0 != nil }) {
                let integers = integerTexts.map { Int64($0!)! }
                classOf = try sameClasses(spellings, values: integers, firstLines: firstLines, what: "the number")
                order = spellings.indices.filter { classOf[$0] == $0 }.sorted { integers[$0] < integers[$1] }
            } else {
                // pandas reads the column as float64: two integers may become one double.
                let decimal = integerTexts.firstIndex { $0 == nil }!
                let values = numbers.map { $0! }
                classOf = try sameClasses(spellings, values: values, firstLines: firstLines, what: "the number") { index, earlier in
                    guard let one = integerTexts[index].flatMap({ Int64($0) }), let other = integerTexts[earlier].flatMap({ Int64($0) }),
                          one != other else { return nil }
                    return "\(described(index)) and \(described(earlier)) are one number once pandas reads the column as floating-point "
                        + "numbers, as it does since \(described(decimal)) is no integer; give classes pandas tells apart"
                }
                order = spellings.indices.filter { classOf[$0] == $0 }.sorted { values[$0] < values[$1] }
            }
        } else if truths.allSatisfy({ $0 != nil }) {
            classOf = try sameClasses(spellings, values: truths.map { $0! }, firstLines: firstLines, what: "the truth value")
            order = spellings.indices.filter { classOf[$0] == $0 }.sorted { !truths[$0]! && truths[$1]! }
        } else {
            name = { spellings[$0] }
            // pandas keeps a text's blanks: `a` and `a ` would be two classes no reader tells apart.
            var byVisibleText = [String: Int]()
            for (index, spelling) in spellings.enumerated() {
                let visible = visibleText(spelling)
                if let earlier = byVisibleText[visible] {
                    throw LabelError(line: firstLines[index], message: "label \(quotedUserText(spelling)) is \(described(earlier)) but for the "
                                     + "blanks around it, which pandas keeps, reading two classes; write each class one way")
                }
                byVisibleText[visible] = index
            }
            // UTF-8 preserves the order of scalar values, so its bytes compare as the scalars do.
            order = spellings.indices.sorted { spellings[$0].utf8.lexicographicallyPrecedes(spellings[$1].utf8) }
        }
        var rank = [Int](repeating: 0, count: spellings.count)
        for (position, index) in order.enumerated() { rank[index] = position }
        return Classes(names: order.map(name), ofRow: ofRow.map { rank[classOf[$0]] })
    }

    /// Each of `spellings`' class (distinct labels, in the order of their first lines): the first
    /// spelling of its value; a spelling whose value is an earlier one's is that class when it is
    /// the same number text but for the white space pandas skips (` 1` and `1`), and throws
    /// otherwise: `merged(index, earlier)` when it says why, else "label '1.0' is the number of
    /// label '1' (line 2)", `what` naming the value.
    private static func sameClasses<Value: Hashable>(_ spellings: [String], values: [Value], firstLines: [Int], what: String,
                                                     merged: (Int, Int) -> String? = { _, _ in nil }) throws(LabelError) -> [Int] {
        var first = [Value: Int](), classOf = [Int]()
        for (index, value) in values.enumerated() {
            guard let earlier = first[value] else {
                first[value] = index
                classOf.append(index)
                continue
            }
            guard numberText(spellings[index]) != numberText(spellings[earlier]) else {
                classOf.append(earlier)
                continue
            }
            throw LabelError(line: firstLines[index], message: merged(index, earlier) ?? "label \(quotedUserText(spellings[index])) is \(what) of label "
                             + "\(quotedUserText(spellings[earlier])) (line \(firstLines[earlier])); write each class one way")
        }
        return classOf
    }

    /// The number `label` is when pandas' `read_csv` reads it as one, or nil: a `decimalNumber`
    /// (`-1`, `+2`, `.5`, `5.`, `1e-3`) with the white space pandas skips around it (`numberText`),
    /// or an infinity written without it (`inf`, `-Infinity`, in any case). Hexadecimal (`0x10`,
    /// `0x1p4`), `nan`, digit group separators (`1_000`), other scripts' digits and numbers beside
    /// other blanks (a no-break space) are text, as pandas reads them.
    public static func number(_ label: String) -> Double? {
        if let value = decimalNumber(numberText(label)) { return value }
        let sign = label.first.map { "+-".contains($0) } == true ? label.dropFirst() : label[...]
        guard ["inf", "infinity"].contains(sign.lowercased()) else { return nil }
        return label.first == "-" ? -.infinity : .infinity
    }

    /// `label` without the white space pandas' number parsing skips around a number: ASCII space,
    /// tab, line feed, vertical tab, form feed and carriage return.
    static func numberText(_ label: String) -> Substring {
        let isWhiteSpace = { (byte: UInt8) in byte == 0x20 || (0x09...0x0D).contains(byte) }
        let bytes = label.utf8
        guard let first = bytes.firstIndex(where: { !isWhiteSpace($0) }), let last = bytes.lastIndex(where: { !isWhiteSpace($0) }) else { return "" }
        return Substring(bytes[first...last])
    }

    /// `numberText(label)` when it is an integer as pandas reads one (ASCII digits with an optional
    /// sign), else nil.
    static func integerText(_ label: String) -> Substring? {
        let text = numberText(label)
        let digits = text.first == "+" || text.first == "-" ? text.dropFirst() : text
        return !digits.isEmpty && digits.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } ? text : nil
    }

    /// The truth value `label` is when pandas' `read_csv` reads a column of such labels as booleans
    /// (True, true, TRUE, False, false, FALSE, exactly: ` True` is text), or nil.
    public static func truthValue(_ label: String) -> Bool? {
        switch label {
        case "True", "true", "TRUE": true
        case "False", "false", "FALSE": false
        default: nil
        }
    }

    /// The code points of `label` for a message, e.g. "U+0065 U+0301"; the first 8 and "…" when it has more.
    private static func codePointsText(_ label: String) -> String {
        label.unicodeScalars.prefix(8).map(codePointText).joined(separator: " ") + (label.unicodeScalars.count > 8 ? " …" : "")
    }

    /// The error "file:line: message" (the line omitted when nil).
    private func failure(_ line: Int?, _ message: String) -> SpecificationError {
        SpecificationError(path: "", location: nil, message: label + (line.map { ":\($0)" } ?? "") + ": " + message)
    }

    /// x ← (x - mean) / std per feature, both from the training rows (std 0: centred only).
    private func standardise(_ train: inout Dataset, _ test: inout Dataset) {
        let d = train.featureCount, n = Double(train.count)
        for j in 0..<d {
            let column = stride(from: j, to: train.features.count, by: d).map { Double(train.features[$0]) }
            let mean = column.reduce(0, +) / n
            let std = (column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot()
            let scale = std > 0 ? 1 / std : 1
            for i in stride(from: j, to: train.features.count, by: d) { train.features[i] = Float((Double(train.features[i]) - mean) * scale) }
            for i in stride(from: j, to: test.features.count, by: d) { test.features[i] = Float((Double(test.features[i]) - mean) * scale) }
        }
    }
}

extension CSVDataset {
    /// Whether `scalar` is a blank, which cells are trimmed of: a space, a tab or a Unicode space
    /// separator (category Zs).
    static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar.value >= 0x80 && scalar.properties.generalCategory == .spaceSeparator
    }

    /// `label` without the blanks and line ends (LF, CR) around it, which a reader cannot see.
    static func visibleText(_ label: String) -> String {
        let isInvisible = { (scalar: Unicode.Scalar) in isBlank(scalar) || scalar == "\n" || scalar == "\r" }
        let scalars = label.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isInvisible($0) }), let last = scalars.lastIndex(where: { !isInvisible($0) }) else { return "" }
        return String(scalars[first...last])
    }
}

/// `cell` without its leading and trailing blanks.
private func trimmed<Cell: BidirectionalCollection<Unicode.Scalar>>(_ cell: Cell) -> Cell.SubSequence {
    guard let first = cell.firstIndex(where: { !CSVDataset.isBlank($0) }), let last = cell.lastIndex(where: { !CSVDataset.isBlank($0) }) else {
        return cell[cell.endIndex...]
    }
    return cell[first...last]
}

/// A column of a CSV file as a study file names it: a string is a header name, an unquoted integer
/// a 0-based index (`label-column: "2"` is the column named 2, `label-column: 2` the third). An
/// integer that is another column's name is refused as ambiguous.
public enum CSVColumn: Sendable, Equatable {
    /// Not given: the last column for the label, no split column.
    case unset
    /// The column with this header name.
    case name(String)
    /// The column at this 0-based index.
    case index(Int)
}
