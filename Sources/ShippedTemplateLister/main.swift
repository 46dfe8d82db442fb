import Foundation

// Writes the Swift file that lists the shipped report templates (the ShippedTemplateList plugin runs
// it at build time): `ShippedTemplateLister OUTPUT NAME...`, each NAME a `*.mustache` file of
// templates/, whose bytes SwiftPM embeds as `PackageResources.<NAME with every character but a
// letter or digit as _>` (report.md.mustache: report_md_mustache).
let arguments = CommandLine.arguments.dropFirst()
guard let output = arguments.first else {
    FileHandle.standardError.write(Data("usage: ShippedTemplateLister OUTPUT NAME...\n".utf8))
    exit(2)
}
let entries = arguments.dropFirst().map { name in
    let identifier = String(name.unicodeScalars.map { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) ? Character($0) : "_" })
    return "        ShippedTemplate(\(String(reflecting: name)), PackageResources.\(identifier)),\n"
}
let source = """
    // Generated at build time by the ShippedTemplateList plugin from the *.mustache files of templates/.
    extension ShippedTemplate {
        /// Every template of `templates/`, in the order of their file names.
        public static let allCases: [ShippedTemplate] = [

    """ + entries.joined() + """
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
