import Plotting

/// LaTeX (`report.tex`, a complete article): figures linked as vector PDF when it was written.
struct LaTeXFormat: ReportFormatDefinition {
    let fileExtension = "tex"
    let shippedTemplate = ShippedTemplate("report.tex.mustache", PackageResources.report_tex_mustache)
    let figurePlacement = FigurePlacement.linked(preferring: [.pdf, .png])

    /// The specials `\ { } $ & # % _ ~ ^` escaped, the Unicode symbols the tool and its users write
    /// (Greek letters, ℓ, arrows, ≤ ≥ ± × − – — · …, super- and subscripts) as LaTeX commands and any
    /// other character pdflatex cannot typeset as a visible `[U+XXXX]` (`LaTeXCharacters`), so that the
    /// report always compiles; the backtick as `\textasciigrave{}` and `{}` between two characters the
    /// font would join (`--`, `''`, `<<`...), so that the text shows as written.
    func escape(_ text: String) -> String { LaTeXCharacters.escape(text) }

    /// Unchanged: figure paths are read verbatim by `\includegraphics`, and the tool's numbers hold no special.
    func escapeVerbatim(_ text: String) -> String { text }
}
