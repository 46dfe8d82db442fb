/// The most characters the key findings a command prints may take, line ends included: beyond it a
/// study's findings (a 64-series study has more than 50,000 characters of them) would bury the
/// terminal, so the command prints the report's opening summary and where the findings are instead.
let keyFindingsCharacterLimit = 5_000

/// The lines a command prints after publishing a study: `header`, then the adaptive study's
/// `sequentialSummary` and every finding as "  - " items, while those lines, line ends included, take
/// at most `limit` characters; beyond it `header`, the report's `openingSummary` as one item and
/// "  N more findings in `reportPath`" (N counting every finding, and the sequential summary when
/// there is one, none of which is printed).
func keyFindingsLines(header: String, sequentialSummary: String?, findings: [String], openingSummary: String,
                      reportPath: String, limit: Int = keyFindingsCharacterLimit) -> [String] {
    let items = (sequentialSummary.map { [$0] } ?? []) + findings
    let full = [header] + items.map { "  - " + $0 }
    // Each line is printed with its line end.
    if full.reduce(0, { $0 + $1.count + 1 }) <= limit { return full }
    let more = items.count == 1 ? "1 more finding" : "\(items.count) more findings"
    return [header, "  - " + openingSummary, "  \(more) in \(reportPath)"]
}

/// The report a reader is sent to for the findings the terminal leaves out: `report.md` when it was
/// written, else the first report written (`reports`, file names in `folder`), else the folder.
func keyFindingsReportPath(folder: String, reports: [String]) -> String {
    guard let report = reports.first(where: { $0 == "report.md" }) ?? reports.first else { return folder }
    return folder.hasSuffix("/") ? folder + report : folder + "/" + report
}
