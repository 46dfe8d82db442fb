import Foundation
import PackagePlugin

/// Writes `ShippedTemplate.allCases` for the ReportTemplates target: one entry per `*.mustache` file
/// of `templates/`, naming the bytes SwiftPM embeds for it. The `PackageResources` SwiftPM generates
/// is internal to the target and cannot be enumerated, so without this list every new template (and
/// so every new report format) would need a line of its own.
@main
struct ShippedTemplateList: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        guard let module = target.sourceModule else { return [] }
        let templates = module.sourceFiles(withSuffix: "mustache").map(\.url).sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "ShippedTemplateList.swift")
        return [.buildCommand(displayName: "Listing the shipped report templates",
                              executable: try context.tool(named: "ShippedTemplateLister").url,
                              arguments: [output.path] + templates.map(\.lastPathComponent),
                              inputFiles: templates, outputFiles: [output])]
    }
}
