import Wizard
import Diagnostics
import FoundationEssentials
import Glibc

/// Reading and writing answers files, at the edge: the engine itself does no I/O.
extension AnswersFile {
    public struct Unreadable: ClassifiedError {
        public let path: String
        public var category: ErrorCategory { .missingInput }
        public var description: String { "cannot read the answers file \(path)" }
    }

    public struct Unwritable: ClassifiedError {
        public let path: String
        public let reason: String
        public var category: ErrorCategory { .cannotWrite }
        public var description: String { "cannot write the answers file \(path): \(reason)" }
    }

    /// Reads and parses an answers file (`--answers`).
    public static func load(path: String) throws -> AnswerSet {
        let text: String
        do {
            text = try TemplateLibrary.readFile(path)
        } catch {
            throw Unreadable(path: path)
        }
        return try parse(text, path: path)
    }

    /// Writes `text` (from `render`) with temp file + rename, mode 0600: it names the account.
    public static func save(_ text: String, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw Unwritable(path: path, reason: "cannot create \(temporary)")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw Unwritable(path: path, reason: reason)
        }
    }
}
