import Foundation
import PackagePlugin

/// Writes `ShippedTemplate.allCases` for the ReportTemplates target (`templates/`): one entry per
/// `*.mustache` file of the folder, with the file's text, so that a new template is its file alone
/// (the folder is listed at every build; SwiftPM's own resources would need the manifest read again).
@main
struct ShippedTemplateList: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let folder = (target as? SwiftSourceModuleTarget)?.directoryURL else { return [] }
        let templates = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".mustache") }.sorted()
            .map { folder.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "ShippedTemplateList.swift")
        return [.buildCommand(displayName: "Listing the shipped report templates",
                              executable: try context.tool(named: "ShippedTemplateLister").url,
                              arguments: [output.path] + templates.map(\.path),
                              inputFiles: templates, outputFiles: [output])]
    }
}
