import FoundationEssentials
import Platform

/// Finds templates: a path to a `.wizard` file, or the name of a bundled one.
public enum TemplateLibrary {
    /// The template run when none is named.
    public static let defaultID = "tails-support"

    /// Bundled templates, embedded in the binary: id → text.
    public static let bundled: [String: String] = [
        "tails-support": String(decoding: PackageResources.tails_support_wizard, as: UTF8.self),
    ]

    public static func loadBundled(_ id: String) throws -> WizardTemplate {
        guard let text = bundled[id] else {
            throw TemplateError.notFound(name: id, searched: bundled.keys.sorted())
        }
        return try WizardTemplate.parse(text, origin: "bundled:\(id)")
    }

    /// A name containing `/` or ending in `.wizard` is a file; anything else a bundled id.
    public static func load(_ nameOrPath: String) throws -> WizardTemplate {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".wizard") {
            return try WizardTemplate.parse(try readFile(nameOrPath), origin: nameOrPath)
        }
        return try loadBundled(nameOrPath)
    }

    public static func readFile(_ path: String) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else {
            throw TemplateError.notFound(name: path, searched: [path])
        }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let text = String(data: data, encoding: .utf8) else {
                throw TemplateError.unreadable(path: path, reason: "it is not UTF-8 text")
            }
            return text
        } catch let error as TemplateError {
            throw error
        } catch {
            throw TemplateError.unreadable(path: path, reason: SystemErrorText.describe(error))
        }
    }
}
