import Foundation

/// A data set read from a CSV file: numeric feature columns and one label column (any values;
/// the distinct labels, sorted, become classes 0, 1, ...). The split is stratified and seeded
/// (per class, a Fisher-Yates shuffle on the stream (seed, "split"); the first
/// round(train-fraction · n_class) rows train), or given by a split column holding `train` and
/// `test`. With `standardize`, every feature is centred and scaled by the training rows' mean and
/// standard deviation (a constant feature is only centred). Problems end in one line "file:line: why".
public struct CSVDataset: DatasetSource {
    public static let kind = "csv"
    public static let summary = "Rows of a CSV file: numeric features and a label column."

    /// The file, relative to the working directory.
    public let path: String
    /// The label column: a header name or a 0-based index as text; "" for the last column.
    public let labelColumn: String
    /// Whether the first line names the columns.
    public let header: Bool
    /// The cell separator.
    public let delimiter: Character
    /// Fraction of each class that trains (when there is no split column).
    public let trainFraction: Double
    /// Seed of the stratified split.
    public let seed: UInt64
    /// A column of `train`/`test` that gives the split instead, or "".
    public let splitColumn: String
    /// Whether features are standardised with the training rows' statistics.
    public let standardize: Bool
    /// The most rows the file may have.
    public let maxRows: Int

    public init(parameters p: inout ParameterReader) throws {
        path = try p.string("path", help: "The CSV file, relative to the working directory.")
        labelColumn = try p.string("label-column", default: "", help: "The label column: its header name or 0-based index (default: the last column).")
        header = try p.bool("header", default: true, help: "Whether the first line names the columns.")
        let delimiter = try p.string("delimiter", default: ",", help: "The cell separator, one character.")
        guard delimiter.count == 1, let character = delimiter.first, character != "\"" else {
            throw p.error("delimiter", "must be one character")
        }
        self.delimiter = character
        trainFraction = try p.double("train-fraction", default: 0.7, in: 0.01...0.99, help: "Fraction of each class used for training (stratified split).")
        seed = UInt64(try p.int("seed", default: 42, in: 0...Int.max, help: "Seed of the stratified split."))
        splitColumn = try p.string("split-column", default: "", help: "A column of train/test values that gives the split instead (default: none).")
        standardize = try p.bool("standardize", default: false, help: "Standardise every feature with the training rows' mean and standard deviation.")
        maxRows = try p.int("max-rows", default: 1_000_000, in: 1...100_000_000, help: "The most rows the file may have.")
    }

    /// The file's name.
    public var label: String { (path as NSString).lastPathComponent }

    /// The largest CSV file read, in bytes.
    public static let maximumFileBytes = 2 << 30

    public func makeSplit() throws -> TrainTestSplit {
        let data: Data
        do {
            data = try readUserFile(path, maximumBytes: Self.maximumFileBytes)
        } catch {
            throw SpecificationError(path: "", location: nil, message: "\(label): \(error)")
        }
        return try split(of: data)
    }

    /// The train/test split of the CSV text `data`, read with this source's settings.
    public func split(of data: Data) throws -> TrainTestSplit {
        let name = label
        func failure(_ line: Int?, _ message: String) -> SpecificationError {
            SpecificationError(path: "", location: nil, message: "\(name)" + (line.map { ":\($0)" } ?? "") + ": " + message)
        }
        guard let text = String(data: data, encoding: .utf8) else { throw failure(nil, "is not UTF-8 text") }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard !lines.isEmpty else { throw failure(nil, "the file is empty") }
        let names = header ? lines[0].split(separator: delimiter, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } : nil
        let firstRow = header ? 1 : 0
        guard lines.count > firstRow else { throw failure(nil, "the file has a header but no rows") }
        guard lines.count - firstRow <= maxRows else { throw failure(nil, "has \(lines.count - firstRow) rows, more than max-rows (\(maxRows))") }
        let width = names?.count ?? lines[0].split(separator: delimiter, omittingEmptySubsequences: false).count
        func column(_ key: String, _ what: String) throws -> Int? {
            if key.isEmpty { return nil }
            if let index = names?.firstIndex(of: key) { return index }
            if let index = Int(key), (0..<width).contains(index) { return index }
            throw failure(header ? 1 : nil, "the \(what) column '\(key)' does not exist (\(width) columns"
                + (names.map { ": " + $0.prefix(6).joined(separator: ", ") + ($0.count > 6 ? ", ..." : "") } ?? "") + ")")
        }
        let labelIndex = try column(labelColumn, "label") ?? width - 1
        let splitIndex = try column(splitColumn, "split")
        let featureIndices = (0..<width).filter { $0 != labelIndex && $0 != splitIndex }
        guard !featureIndices.isEmpty else { throw failure(nil, "has no feature columns") }

        var features = [Float](), rawLabels = [String](), inTrain = [Bool]()
        features.reserveCapacity((lines.count - firstRow) * featureIndices.count)
        for lineIndex in firstRow..<lines.count {
            let number = lineIndex + 1
            let cells = lines[lineIndex].split(separator: delimiter, omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == width else { throw failure(number, "has \(cells.count) cells, expected \(width)") }
            for index in featureIndices {
                guard let value = Float(cells[index]), value.isFinite else {
                    throw failure(number, cells[index].isEmpty ? "column \(names?[index] ?? "\(index)") is empty"
                                  : "column \(names?[index] ?? "\(index)") is not a number: '\(cells[index].prefix(20))'")
                }
                features.append(value)
            }
            guard !cells[labelIndex].isEmpty else { throw failure(number, "the label is empty") }
            rawLabels.append(cells[labelIndex])
            if let splitIndex {
                switch cells[splitIndex].lowercased() {
                case "train": inTrain.append(true)
                case "test": inTrain.append(false)
                default: throw failure(number, "the split column holds '\(cells[splitIndex])', expected train or test")
                }
            }
        }
        let distinct = Set(rawLabels).sorted { a, b in
            if let x = Double(a), let y = Double(b) { return x < y }
            return a < b
        }
        guard distinct.count >= 2 else { throw failure(nil, "has a single class ('\(distinct[0])'); a study needs at least two") }
        let classOf = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($1, $0) })
        let all = Dataset(features: features, labels: rawLabels.map { classOf[$0]! }, featureCount: featureIndices.count,
                          classCount: distinct.count)

        var trainRows = [Int](), testRows = [Int]()
        if splitIndex != nil {
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
        guard !trainRows.isEmpty, !testRows.isEmpty else { throw failure(nil, "the split leaves no training or no test rows") }
        var train = all.rows(trainRows), test = all.rows(testRows)
        if standardize { standardise(&train, &test) }
        return TrainTestSplit(train: train, test: test)
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
