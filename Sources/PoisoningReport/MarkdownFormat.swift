import Plotting

/// Markdown (`report.md`): figures linked as PNG (else SVG, else the first format written).
struct MarkdownFormat: ReportFormatDefinition {
    let fileExtension = "md"
    let shippedTemplate = ShippedTemplate("report.md.mustache", PackageResources.report_md_mustache)
    let figurePlacement = FigurePlacement.linked(preferring: [.png, .svg])

    /// `markdownEscaped(text)`: every string of the report renders as written, wherever a template puts it.
    func escape(_ text: String) -> String { markdownEscaped(text) }

    /// Unchanged: the command goes into a code block fenced by `codeFence(for:)`, which it cannot close.
    func escapeVerbatim(_ text: String) -> String { text }

    /// `markdownEscaped(text)`, but a leading `>` of a bound the tool wrote ("> 20.0%", "> +15.0 pp":
    /// `>` and a blank before a digit or a sign) stays as written: inside a table cell, where the
    /// templates put a row's texts, no block can start.
    func escapeCell(_ text: String) -> String {
        guard isBoundText(text) else { return markdownEscaped(text) }
        return "> " + markdownEscaped(String(text.dropFirst(2)))
    }
}

/// Whether `text` is a bound as the tool writes one: `> ` before a digit or a sign, e.g. "> 20.0%".
private func isBoundText(_ text: String) -> Bool {
    let bytes = Array(text.utf8.prefix(3))
    guard bytes.count == 3, bytes[0] == UInt8(ascii: ">"), bytes[1] == UInt8(ascii: " ") else { return false }
    return (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[2]) || bytes[2] == UInt8(ascii: "+") || bytes[2] == UInt8(ascii: "-")
}

/// `text` made to render as written in CommonMark and GitHub-flavoured Markdown, in a paragraph, a
/// heading, a list item, a table cell or an image's description alike, so that no title, label,
/// class or column name, file name or study name can add markup to the report:
/// - `&` and a `<` that is not followed by a blank as character references, so that a string is never
///   raw HTML (which renderers such as pandoc pass through), an autolink or an entity (a `<` before a
///   blank, as in "< -15.0 pp", can start neither and stays as written); `>` stays as written
///   ("> 50.0%") but at a line's start;
/// - `\ | * _ ~ $` and the backtick escaped with a backslash: no escape, table cell break, emphasis,
///   strikethrough, code span or math (`$...$`, which GitHub, pandoc and others render as TeX; an
///   escaped `$` is never a math delimiter);
/// - the `:` of every `://` and the `.` of every `www.` escaped, so that no URL becomes a link (GitHub's
///   extended autolinks `https://...`, `www....`; `<` is escaped anyway); an e-mail address is left
///   as it is: GitHub links it whatever its escapes, showing it as written;
/// - `[` and `]` escaped unless they pair up within the text and the pair is not followed by `(`,
///   `[` or `:` (which would make a link, an image or a link definition): the intervals' "[0.89, 0.93]"
///   stay as written, and no bracket can close the description of the figure the template links;
/// - at the start of the text (after at most three blanks) what would start a block: `#` (heading), `>`
///   (quote), `=` (heading underline), `[` (task list box), `-` or `+` followed by a blank, the end or
///   another `-` (list item, rule), and the `.` or `)` of one to nine digits followed by a blank or the
///   end (numbered list item); four leading spaces (a code block) begin with `&#32;`;
/// - at its end, the first of the `#`s that follow a blank, which would close a heading.
/// Text with none of these is returned as it is, without a copy.
func markdownEscaped(_ text: String) -> String {
    guard text.utf8.contains(where: markdownSpecials.contains) || startsBlock(text) || text.contains("://") || text.contains("www.") else {
        return text
    }
    let scalars = Array(text.unicodeScalars)
    let marker = blockMarker(in: scalars), closing = closingHashes(in: scalars)
    // The brackets that pair up (innermost first, as a link's text nests them) and make no link; a
    // `[` escaped as a block marker opens no pair, so that its `]` is escaped too.
    var paired = Set<Int>(), open = [Int]()
    for (index, scalar) in scalars.enumerated() {
        if scalar == "[" && index != marker {
            open.append(index)
        } else if scalar == "]", let opener = open.popLast() {
            let next = index + 1 < scalars.count ? scalars[index + 1] : nil
            if next != "(" && next != "[" && next != ":" { paired.formUnion([opener, index]) }
        }
    }
    var result = String.UnicodeScalarView()
    for (index, scalar) in scalars.enumerated() {
        switch scalar {
        case " " where index == 0 && scalars.prefix(4).allSatisfy({ $0 == " " }):
            result.append(contentsOf: "&#32;".unicodeScalars)
        case "&": result.append(contentsOf: "&amp;".unicodeScalars)
        case "<" where index + 1 == scalars.count || (scalars[index + 1] != " " && scalars[index + 1] != "\t"):
            result.append(contentsOf: "&lt;".unicodeScalars)
        default:
            let isBracket = scalar == "[" || scalar == "]"
            if "\\|*_~`$".unicodeScalars.contains(scalar) || (isBracket && !paired.contains(index)) || index == marker || index == closing
                || startsAutolink(scalars, at: index) {
                result.append("\\")
            }
            result.append(scalar)
        }
    }
    return String(result)
}

/// `text` as a Markdown code span it cannot close, shown exactly as written: fenced by one backtick
/// more than its longest run of backticks, with a space inside each fence when it begins or ends with
/// a backtick or with a space (which CommonMark would strip), e.g. "``a`b``" for "a`b".
func markdownCodeSpan(_ text: String) -> String {
    var longest = 0, current = 0
    for character in text {
        current = character == "`" ? current + 1 : 0
        longest = max(longest, current)
    }
    let fence = String(repeating: "`", count: longest + 1)
    let padded = text.hasPrefix("`") || text.hasSuffix("`") || (text.hasPrefix(" ") && text.hasSuffix(" ") && text.contains { $0 != " " })
    return padded ? "\(fence) \(text) \(fence)" : fence + text + fence
}

/// The bytes `markdownEscaped` may escape anywhere in a text.
private let markdownSpecials: Set<UInt8> = Set("&<\\|*_~`[]$".utf8)

/// Whether `scalars[index]` is the `:` of a `://` or the `.` of a `www.`, which GitHub would read as
/// the start of a link (escaped, they cannot be).
private func startsAutolink(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
    func matches(_ pattern: String, from start: Int) -> Bool {
        let pattern = Array(pattern.unicodeScalars)
        return start >= 0 && start + pattern.count <= scalars.count && scalars[start..<(start + pattern.count)].elementsEqual(pattern)
    }
    switch scalars[index] {
    case ":": return matches("://", from: index)
    case ".": return matches("www.", from: index - 3)
    default: return false
    }
}

/// Whether `text` may start a block (`blockMarker`), end a heading with `#`s (`closingHashes`) or
/// start with an indented code block's four blanks, judged by its first and last bytes.
private func startsBlock(_ text: String) -> Bool {
    guard let first = text.utf8.first(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") }) else { return false }
    return "#>=[-+0123456789".utf8.contains(first) || text.utf8.last == UInt8(ascii: "#") || text.hasPrefix("    ")
}

/// The index of the first of the `#`s that end `scalars` after a blank, to be escaped, or nil: a
/// heading's optional closing sequence, which a renderer would drop ("Study #" would show as "Study").
private func closingHashes(in scalars: [Unicode.Scalar]) -> Int? {
    var first = scalars.count
    while first > 0, scalars[first - 1] == "#" { first -= 1 }
    guard first < scalars.count, first > 0, scalars[first - 1] == " " || scalars[first - 1] == "\t" else { return nil }
    return first
}

/// The index of the scalar that makes `scalars` start a block, to be escaped, or nil: its first after
/// at most three blanks when it is `#`, `>`, `=` or `[`, or `-` or `+` followed by a blank, the end
/// or another `-`; the `.` or `)` after one to nine leading digits when a blank or the end follows it.
private func blockMarker(in scalars: [Unicode.Scalar]) -> Int? {
    var start = 0
    while start < min(3, scalars.count), scalars[start] == " " || scalars[start] == "\t" { start += 1 }
    guard start < scalars.count else { return nil }
    func endsMarker(_ index: Int) -> Bool { index >= scalars.count || scalars[index] == " " || scalars[index] == "\t" }
    switch scalars[start] {
    case "#", ">", "=", "[":
        return start
    case "-", "+":
        return endsMarker(start + 1) || (scalars[start] == "-" && scalars[start + 1] == "-") ? start : nil
    default:
        var end = start
        while end < scalars.count, end - start < 10, ("0"..."9").contains(scalars[end]) { end += 1 }
        guard end > start, end - start <= 9, end < scalars.count, scalars[end] == "." || scalars[end] == ")", endsMarker(end + 1) else { return nil }
        return end
    }
}
