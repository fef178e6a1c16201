import Diagnostics

/// One problem in a template file, with its location (`file:line:column`), in the
/// format compilers use so editors can jump to it.
public struct TemplateDiagnostic: Sendable, Equatable, Codable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "\(file):\(line):\(column): error: \(message)" }
}

/// A template that could not be loaded.
public enum TemplateError: ClassifiedError, Equatable {
    /// The file has problems; every one of them is listed.
    case invalid(origin: String, diagnostics: [TemplateDiagnostic])
    case notFound(name: String, searched: [String])
    case unreadable(path: String, reason: String)

    public var category: ErrorCategory {
        switch self {
        case .invalid: .invalidData
        case .notFound, .unreadable: .missingInput
        }
    }

    public var description: String {
        switch self {
        case .invalid(let origin, let diagnostics):
            "the wizard template \(origin) has \(diagnostics.count) problem\(diagnostics.count == 1 ? "" : "s"):\n"
                + diagnostics.map(\.description).joined(separator: "\n")
        case .notFound(let name, let searched):
            "no wizard template named \(name) (looked for a file and among the bundled templates: \(searched.joined(separator: ", ")))"
        case .unreadable(let path, let reason):
            "cannot read the wizard template \(path): \(reason)"
        }
    }
}
