/// Tails' Persistent Storage configuration, `persistence.conf` in the unlocked volume, as
/// Tails' own `tps` writes and reads it (Tails' `config/chroot_local-includes/usr/lib/python3/
/// dist-packages/tps/configuration/config_file.py` and `binding.py`, read in a public snapshot
/// of the Tails 7.6.2 tree; docs/tails.md): one line per binding of every feature that is on, sorted,
/// `DESTINATION<TAB>source=NAME[,link][,file]`, each field shell-quoted (`shlex`), `#`
/// comments allowed. A feature is on when every one of its bindings has a line.
public struct PersistenceConfiguration: Equatable, Sendable {
    public private(set) var bindings: [Binding]
    /// Lines tps itself would ignore (wrong number of fields, unknown option, no source).
    public private(set) var ignoredLines: [Int]

    /// One line: where it appears in the home (or system) and what of the volume it is.
    public struct Binding: Equatable, Hashable, Sendable {
        public var destination: String
        public var source: String
        public var usesSymlinks: Bool
        public var isFile: Bool

        public init(destination: String, source: String, usesSymlinks: Bool = false, isFile: Bool = false) {
            self.destination = destination
            self.source = source
            self.usesSymlinks = usesSymlinks
            self.isFile = isFile
        }

        /// The line tps writes for it.
        public var line: String {
            var options = ["source=\(source)"]
            if usesSymlinks { options.append("link") }
            if isFile { options.append("file") }
            return ShellWords.quote(destination) + "\t" + options.map(ShellWords.quote).joined(separator: ",")
        }
    }

    public init(text: String) {
        bindings = []
        ignoredLines = []
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            guard let words = ShellWords.split(String(line)) else {
                ignoredLines.append(offset + 1)
                continue
            }
            if words.isEmpty { continue }
            guard words.count == 2, let binding = Self.binding(destination: words[0], options: words[1]) else {
                ignoredLines.append(offset + 1)
                continue
            }
            bindings.append(binding)
        }
    }

    /// As tps parses the options: `source=` required; `link` and `file` the only others.
    private static func binding(destination: String, options: String) -> Binding? {
        var binding = Binding(destination: destination, source: "")
        for option in options.split(separator: ",", omittingEmptySubsequences: false) {
            if option.hasPrefix("source=") {
                binding.source = String(option.dropFirst(7))
            } else if option == "link" {
                binding.usesSymlinks = true
            } else if option == "file" {
                binding.isFile = true
            } else {
                return nil
            }
        }
        return binding.source.isEmpty ? nil : binding
    }

    public func isOn(_ feature: PersistenceFeature) -> Bool {
        feature.bindings.allSatisfy(bindings.contains)
    }
}

/// The Persistent Storage features onionboard needs, as `tps/configuration/features.py`
/// defines them (id, name in the Persistent Storage settings, bindings).
public enum PersistenceFeature: String, CaseIterable, Sendable, Codable {
    /// Keeps `~/.purple`: the account, the room bookmark, the pinned certificate.
    case pidgin = "Pidgin"
    /// Keeps files in `~/`: the programs in `~/.local/bin` and the autostart entry.
    case dotfiles = "Dotfiles"

    /// The switch's name in Applications ▸ Tails ▸ Persistent Storage.
    public var settingName: String {
        switch self {
        case .pidgin: "Pidgin Internet Messenger"
        case .dotfiles: "Dotfiles"
        }
    }

    public var bindings: [PersistenceConfiguration.Binding] {
        switch self {
        case .pidgin: [.init(destination: "/home/amnesia/.purple", source: "pidgin")]
        case .dotfiles: [.init(destination: "/home/amnesia", source: "dotfiles", usesSymlinks: true)]
        }
    }

    /// What it keeps, for the message that asks to turn it on.
    public var keeps: String {
        switch self {
        case .pidgin: "the XMPP account and Pidgin's settings"
        case .dotfiles: "onionboard itself and its start at login"
        }
    }
}

/// POSIX shell words as Python's `shlex.split(line, comments=True)` reads them: blanks
/// separate words, '…' quotes literally, "…" quotes with `\` escaping `"`, `\`, `$`, `` ` ``,
/// a bare `\` escapes the next character, an unquoted `#` ends the line (and the word it touches).
enum ShellWords {
    /// The words of `line`, or nil when a quote is not closed (shlex raises then).
    static func split(_ line: String) -> [String]? {
        var words: [String] = []
        var word = ""
        var inWord = false
        var characters = line.makeIterator()
        while let character = characters.next() {
            switch character {
            case " ", "\t", "\r", "\n":
                if inWord { words.append(word); word = ""; inWord = false }
            case "#":
                // A comment also ends a word it touches (shlex: "a#b c" is ["a"]).
                if inWord { words.append(word) }
                return words
            case "'":
                inWord = true
                while true {
                    guard let quoted = characters.next() else { return nil }
                    if quoted == "'" { break }
                    word.append(quoted)
                }
            case "\"":
                inWord = true
                while true {
                    guard let quoted = characters.next() else { return nil }
                    if quoted == "\"" { break }
                    if quoted == "\\" {
                        guard let escaped = characters.next() else { return nil }
                        if !"\"\\$`".contains(escaped) { word.append("\\") }
                        word.append(escaped)
                    } else {
                        word.append(quoted)
                    }
                }
            case "\\":
                inWord = true
                guard let escaped = characters.next() else { return nil }
                word.append(escaped)
            default:
                inWord = true
                word.append(character)
            }
        }
        if inWord { words.append(word) }
        return words
    }

    /// As Python's `shlex.quote`: unchanged when made only of safe characters, else in '…'.
    static func quote(_ word: String) -> String {
        if word.isEmpty { return "''" }
        let safe = word.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "@%+=:,./-_".unicodeScalars.contains($0)) }
        return safe ? word : "'" + word.replacing("'", with: "'\"'\"'") + "'"
    }
}
