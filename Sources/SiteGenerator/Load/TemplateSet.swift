import Foundation
import MentorCore
import TemplateEngine

/// The Mustache templates of `templates/`, parsed once by MentorCore's `Template` (the
/// engine the booking CGI renders the same layout with), checked for missing partials and
/// partial loops.
public struct TemplateSet: Sendable {
    public let library: TemplateLibrary
    public let names: Set<String>
    /// The source of every template, to parse private copies for render threads.
    let sources: [String: String]
    /// Every file in `templates/assets/`, relative to it.
    public let assetFiles: [String]
    public let folder: String

    /// Templates every site build needs.
    public static let required = ["layout", "card", "directory", "mentor", "specialty", "language", "page", "404", "redirect"]

    public static func load(from folder: String, required: [String] = TemplateSet.required) throws(GeneratorError) -> TemplateSet {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw GeneratorError(stage: .load, file: folder, message: "no such templates folder")
        }
        var templates: [String: Template] = [:]
        var sources: [String: String] = [:]
        var references: [String: [(name: String, line: Int)]] = [:]
        var diagnostics: [Diagnostic] = []
        let files = ((try? FileManager.default.subpathsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".mustache") && !$0.hasPrefix("assets/") }.sorted()
        for file in files {
            let path = folder + "/" + file
            let name = String(file.dropLast(".mustache".count))
            // Read as the CGI reads its booking templates (`BookingPages.library`).
            guard let text = Files.readText(path) else {
                diagnostics.append(Diagnostic(file: path, message: "cannot read the template"))
                continue
            }
            do {
                let template = try Template(text)
                templates[name] = template
                sources[name] = text
                references[name] = template.references.map { ($0.name, Template.line(of: $0.offset, in: text)) }
            } catch {
                let line = text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(error.line - 1).first.map { WebText.trimmed($0) } ?? ""
                diagnostics.append(Diagnostic(file: path, line: error.line, message: "column \(error.column): \(error.message): \(line)"))
            }
        }
        for name in required where templates[name] == nil && !diagnostics.contains(where: { $0.file.hasSuffix("/\(name).mustache") }) {
            diagnostics.append(Diagnostic(file: folder + "/\(name).mustache", message: "missing template"))
        }
        // An empty page template would publish empty pages without a word.
        for name in required where sources[name].map({ WebText.trimmed($0).isEmpty }) == true {
            diagnostics.append(Diagnostic(file: folder + "/\(name).mustache", message: "the template is empty"))
        }
        for (name, refs) in references.sorted(by: { $0.key < $1.key }) {
            for ref in refs where templates[ref.name] == nil {
                diagnostics.append(Diagnostic(file: folder + "/\(name).mustache", line: ref.line, message: "uses partial \"\(ref.name)\", but there is no \(ref.name).mustache"))
            }
        }
        if diagnostics.isEmpty, let cycle = findCycle(references) {
            diagnostics.append(Diagnostic(file: folder + "/\(cycle[0]).mustache", message: "partials include each other in a loop: \(cycle.joined(separator: " → "))"))
        }
        if !diagnostics.isEmpty { throw GeneratorError(stage: .load, diagnostics: diagnostics) }

        let assets = ((try? FileManager.default.subpathsOfDirectory(atPath: folder + "/assets")) ?? []).filter { sub in
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: folder + "/assets/" + sub, isDirectory: &isDir)
            return !isDir.boolValue && !(sub as NSString).lastPathComponent.hasPrefix(".")
        }.sorted()
        return TemplateSet(library: TemplateLibrary(templates: templates), names: Set(templates.keys), sources: sources, assetFiles: assets, folder: folder)
    }

    /// A copy that shares no objects with this one (see `parallelMap(_:state:_:)`).
    func privateCopy() -> TemplateSet {
        var templates: [String: Template] = [:]
        for (name, text) in sources {
            // These sources parsed once already; they parse again.
            templates[name] = try? Template(String(decoding: Array(text.utf8), as: UTF8.self))
        }
        return TemplateSet(library: TemplateLibrary(templates: templates), names: names, sources: sources, assetFiles: assetFiles, folder: folder)
    }

    /// Renders `context` with the template `name`.
    public func render(_ name: String, _ context: [String: TemplateValue]) -> String {
        library.render(name, context) ?? ""
    }

    /// `render` as the bytes of an output file: no validating copy into a String and back
    /// (a tenth of an incremental build's time, where listings are most of the rendering).
    public func renderBytes(_ name: String, _ context: [String: TemplateValue]) -> [UInt8] {
        library.renderBytes(name, context) ?? []
    }

    /// `{{> name}}` and `{{< name}}` tags with their line numbers.
    static func findCycle(_ graph: [String: [(name: String, line: Int)]]) -> [String]? {
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        var path: [String] = []
        func visit(_ node: String) -> [String]? {
            if state[node] == 2 { return nil }
            if state[node] == 1 {
                let start = path.firstIndex(of: node) ?? 0
                return Array(path[start...]) + [node]
            }
            state[node] = 1
            path.append(node)
            for next in graph[node] ?? [] {
                if let cycle = visit(next.name) { return cycle }
            }
            path.removeLast()
            state[node] = 2
            return nil
        }
        for node in graph.keys.sorted() {
            if let cycle = visit(node) { return cycle }
        }
        return nil
    }
}
