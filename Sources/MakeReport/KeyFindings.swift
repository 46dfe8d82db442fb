/// The most characters the key findings a command prints may take, line ends included: beyond it a
/// study's findings (a 64-series study has more than 50,000 characters of them) would bury the
/// terminal, so the command prints the report's opening summary and where the findings are instead.
let keyFindingsCharacterLimit = 5_000

/// The most characters one printed finding may take: a longer one (a shape sentence per series runs
/// to 1,000 characters) is cut after its last whole sentence within it (`shortenedFinding`).
let keyFindingCharacterLimit = 400

/// The lines a command prints after publishing a study: `header`, then the adaptive study's
/// `sequentialSummary` and every finding as "  - " items, while those lines, line ends included, take
/// at most `limit` characters, each item shortened to `itemLimit` characters (`shortenedFinding`), with
/// a last line naming `reportPath` when one is; beyond `limit` `header`, the report's `openingSummary`
/// as one item and "  N more findings in `reportPath`" (N counting every finding, and the sequential
/// summary when there is one, none of which is printed).
func keyFindingsLines(header: String, sequentialSummary: String?, findings: [String], openingSummary: String,
                      reportPath: String, limit: Int = keyFindingsCharacterLimit, itemLimit: Int = keyFindingCharacterLimit) -> [String] {
    let items = (sequentialSummary.map { [$0] } ?? []) + findings
    let full = [header] + items.map { "  - " + $0 }
    // Each line is printed with its line end.
    if full.reduce(0, { $0 + $1.count + 1 }) <= limit {
        let short = items.map { shortenedFinding($0, limit: itemLimit) }
        return [header] + short.map { "  - " + $0 } + (short == items ? [] : ["  (shortened; every finding in full in \(reportPath))"])
    }
    let more = items.count == 1 ? "1 more finding" : "\(items.count) more findings"
    return [header, "  - " + openingSummary, "  \(more) in \(reportPath)"]
}

/// The report a reader is sent to for the findings the terminal leaves out: `report.md` when it was
/// written, else the first report written (`reports`, file names in `folder`), else the folder.
func keyFindingsReportPath(folder: String, reports: [String]) -> String {
    guard let report = reports.first(where: { $0 == "report.md" }) ?? reports.first else { return folder }
    return folder.hasSuffix("/") ? folder + report : folder + "/" + report
}

/// `finding` cut to at most `limit` characters: after its last sentence that ends within them (a
/// full stop followed by a space and a capital letter), then " …"; else at its last space within
/// them, then "…"; unchanged when it fits.
func shortenedFinding(_ finding: String, limit: Int) -> String {
    guard finding.count > limit else { return finding }
    let characters = Array(finding)
    let room = limit - 2
    var end: Int?
    for index in 0..<min(room, characters.count - 2) where characters[index] == "." && characters[index + 1] == " "
        && characters[index + 2].isUppercase {
        end = index + 1
    }
    if let end { return String(characters[..<end]) + " …" }
    let cut = characters[..<(limit - 1)].lastIndex(of: " ") ?? (limit - 1)
    return String(characters[..<cut]) + "…"
}
