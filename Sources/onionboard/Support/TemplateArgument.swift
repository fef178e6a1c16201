import ArgumentParser
import Wizard

/// The template argument of `run` and `bootstrap`. `run` is the default command, so a
/// mistyped command (`onionboard regsiter`) arrives here as a template name: a bare word
/// that names no bundled template is a usage error (64) that suggests the command meant,
/// not a missing template file (66). Files are given as paths (with `/` or `.wizard`).
func validateTemplateArgument(_ name: String) throws {
    guard !name.contains("/"), !name.hasSuffix(".wizard"), TemplateLibrary.bundled[name] == nil else { return }
    let commands = Onionboard.configuration.subcommands.compactMap { $0.configuration.commandName }
    if let meant = commands.min(by: { editDistance(name, $0) < editDistance(name, $1) }), editDistance(name, meant) <= 2 {
        throw ValidationError("unknown command '\(name)'; did you mean '\(meant)'? (onionboard --help lists the commands)")
    }
    throw ValidationError("'\(name)' is neither a command (\(commands.joined(separator: ", "))) nor a bundled wizard template "
        + "(\(TemplateLibrary.bundled.keys.sorted().joined(separator: ", "))); give a template file by its path, e.g. ./\(name).wizard")
}

/// Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`, case-insensitively.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.lowercased()), b = Array(b.lowercased())
    guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
    var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { table[i][0] = i }
    for j in 0...b.count { table[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
            }
        }
    }
    return table[a.count][b.count]
}
