import Foundation

// Writes the Swift file that lists the shipped report templates with their texts (the
// ShippedTemplateList plugin runs it at build time): `ShippedTemplateLister OUTPUT TEMPLATE...`, each
// TEMPLATE the path of a `*.mustache` file of templates/, embedded as a string literal.
let arguments = CommandLine.arguments.dropFirst()
guard let output = arguments.first else {
    FileHandle.standardError.write(Data("usage: ShippedTemplateLister OUTPUT TEMPLATE...\n".utf8))
    exit(2)
}
var entries = ""
for path in arguments.dropFirst() {
    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
        FileHandle.standardError.write(Data("ShippedTemplateLister: cannot read \(path) as UTF-8\n".utf8))
        exit(1)
    }
    // `String(reflecting:)` is the text as a Swift string literal, every quote, backslash and control
    // character escaped, so the literal holds exactly the file's text.
    let name = URL(fileURLWithPath: path).lastPathComponent
    entries += "        ShippedTemplate(\(String(reflecting: name)), text: \(String(reflecting: text))),\n"
}
let source = """
    // Generated at build time by the ShippedTemplateList plugin from the *.mustache files of templates/.
    extension ShippedTemplate {
        /// Every template of `templates/`, in the order of their file names.
        public static let allCases: [ShippedTemplate] = [

    """ + entries + """
        ]
    }

    """
do {
    // Written only when it changes, so that an unchanged list recompiles nothing.
    if (try? String(contentsOfFile: output, encoding: .utf8)) != source { try source.write(toFile: output, atomically: true, encoding: .utf8) }
} catch {
    FileHandle.standardError.write(Data("ShippedTemplateLister: cannot write \(output): \(error)\n".utf8))
    exit(1)
}
