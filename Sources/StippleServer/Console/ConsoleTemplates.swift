import Foundation
import Hummingbird
import NIOCore
import Mustache

/// The console's Mustache templates, stylesheet and script, loaded once from the package resources.
struct ConsoleTemplates: Sendable {
    let library: MustacheLibrary
    let stylesheet: ByteBuffer
    let script: ByteBuffer

    /// Why the resources could not be loaded (a broken install, not a request error).
    struct LoadFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Loads every `templates/*.mustache` file and the static files from the module's bundle.
    static func load() throws -> ConsoleTemplates {
        guard let root = Bundle.module.url(forResource: "Resources", withExtension: nil) else {
            throw LoadFailure(description: "the console's resources are missing from the StippleServer bundle")
        }
        let folder = root.appendingPathComponent("templates")
        var templates: [String: MustacheTemplate] = [:]
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasSuffix(".mustache")
        }
        for file in names {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            templates[String(file.dropLast(".mustache".count))] = try MustacheTemplate(string: text)
        }
        let css = try Data(contentsOf: root.appendingPathComponent("static/console.css"))
        let js = try Data(contentsOf: root.appendingPathComponent("static/console.js"))
        return ConsoleTemplates(
            library: MustacheLibrary(templates: templates), stylesheet: ByteBuffer(data: css),
            script: ByteBuffer(data: js))
    }

    /// The HTML of `template` rendered with `context`.
    func render(_ template: String, _ context: [String: Any]) -> String {
        library.render(context, withTemplate: template) ?? "<!doctype html><title>Missing template</title>"
    }
}
