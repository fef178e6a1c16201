import Foundation
import Testing
import TestSupport
@testable import TailsPersistence

/// Tails' persistence.conf, read as Tails' tps reads it (shlex.split with comments; docs/tails.md).
@Suite("persistence configuration")
struct PersistenceConfigurationTests {
    static let lines = [
        "/home/amnesia\tsource=dotfiles,link", "'/home/amnesia/.purple'\tsource=pidgin", "/a\\ b\tsource=x",
        "\"/q\\\"uote\\\\d $x\"\tsource=y # tail", "# comment only", "   ", "", "a#b c", "'a'\"b\"c d", "x 'unterminated",
        "x \"unterminated", "one", "one two three", "tab\tseparated\twords", "back\\\\slash\\n", "\"\\n stays\"", "é 'ü'",
    ]

    @Test("words are split as Python's shlex.split(line, comments=True)")
    func matchesShlex() throws {
        let python = "/usr/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            #expect(!TestSupport.isCI, "python3 is missing")
            return
        }
        let script = """
            import json, shlex, sys
            out = []
            for line in json.load(sys.stdin):
                try:
                    out.append(shlex.split(line, comments=True))
                except ValueError:
                    out.append(None)
            print(json.dumps(out))
            """
        let input = String(decoding: try JSONEncoder().encode(Self.lines), as: UTF8.self)
        let run = try BinaryRun.run(["-c", script], stdin: input, binary: URL(fileURLWithPath: python))
        let expected = try JSONDecoder().decode([[String]?].self, from: run.stdoutData)
        #expect(expected.count == Self.lines.count)
        for (line, words) in zip(Self.lines, expected) {
            #expect(ShellWords.split(line) == words, "\(line.debugDescription)")
        }
    }

    @Test("a feature is on when all its lines are there, with exactly its options")
    func features() {
        let tails = PersistenceConfiguration(text: "/home/amnesia\tsource=dotfiles,link\n/home/amnesia/.purple\tsource=pidgin\n")
        #expect(tails.isOn(.dotfiles) && tails.isOn(.pidgin))
        #expect(tails.ignoredLines.isEmpty)
        let noLink = PersistenceConfiguration(text: "/home/amnesia\tsource=dotfiles\n")
        #expect(!noLink.isOn(.dotfiles))
        let reordered = PersistenceConfiguration(text: "/home/amnesia link,source=dotfiles\n")
        #expect(reordered.isOn(.dotfiles))
        let bad = PersistenceConfiguration(text: "/home/amnesia\tsource=dotfiles,link,bind\n/x\n/home/amnesia/.purple\tlink\n")
        #expect(!bad.isOn(.dotfiles) && !bad.isOn(.pidgin))
        #expect(bad.ignoredLines == [1, 2, 3])
    }

    @Test("lines are written as tps writes them (shlex.quote, tab, comma-joined options)")
    func lines() {
        #expect(PersistenceFeature.dotfiles.bindings[0].line == "/home/amnesia\tsource=dotfiles,link")
        #expect(PersistenceFeature.pidgin.bindings[0].line == "/home/amnesia/.purple\tsource=pidgin")
        #expect(PersistenceConfiguration.Binding(destination: "/a b", source: "it's").line == "'/a b'\t'source=it'\"'\"'s'")
    }
}
