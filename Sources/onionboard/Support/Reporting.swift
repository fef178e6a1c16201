import Frontends
import ArgumentParser
import Diagnostics
import FoundationEssentials
import Glibc
import Platform
import Wizard

/// `--json`, shared by every command that reports something.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print a machine-readable JSON report on standard output.")
    var json = false
}

/// `--providers FILE`, shared by every command that uses the provider map: extra maps
/// (Lua onions_map or metadata JSON) layered over the bundled one.
struct ProviderMapOptions: ParsableArguments {
    @Option(name: .customLong("providers"), help: ArgumentHelp(
        "An extra provider map (.lua onions_map or .json metadata) used on top of the bundled one.",
        valueName: "file"))
    var extraMaps: [String] = []
}

enum Console {
    static func out(_ text: String) {
        StandardStreams.writeOutput(text + "\n")
    }

    static func err(_ text: String) {
        StandardStreams.writeError(text + "\n")
    }

    /// Pretty, key-sorted JSON on standard output.
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        StandardStreams.writeOutput(Array(data) + [UInt8(ascii: "\n")])
    }
}

/// The JSON shape of a failure, for `--json` runs.
struct ErrorReport: Encodable {
    struct Body: Encodable {
        let category: String
        let exitCode: Int32
        let message: String
    }
    let ok = false
    let error: Body
    /// When answers are missing: every one of them, with the flag that gives it.
    var missing: [MissingAnswer]? = nil
}

/// Runs a command body and turns any error into a clear message (human text on
/// standard error, or a JSON report with `--json`) and its documented exit code.
func reportingErrors(json: Bool, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch let validation as ValidationError {
        throw validation
    } catch {
        let category = error.category
        let message = String(describing: error)  // ClassifiedError.description: the human message
        if json {
            var missing: [MissingAnswer]?
            if case AnswersError.missing(let list) = error { missing = list }
            try? Console.json(ErrorReport(error: .init(category: category.rawValue, exitCode: category.exitCode, message: message),
                                          missing: missing))
        } else {
            Console.err("onionboard: \(message)")
        }
        throw ExitCode(category.exitCode)
    }
}
