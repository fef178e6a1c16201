// onionboard-bench: timings of the Pidgin profile writer for bench/run.py (issue 8).
//
//   onionboard-bench blist-merge [--repeat R] N...
//       For each N: a profile whose blist.xml holds N buddies (in groups of 100, each buddy
//       in its own contact, as Pidgin saves them) and whose accounts.xml holds two other
//       accounts; then times PurpleProfile.write merging a new account + chat into it
//       (median of R fresh copies), and its dry run (plannedChanges: read, parse, merge,
//       serialise, no write). Prints one JSON object per N.
//
//   onionboard-bench xml-attributes [--repeat R] N...
//       For each N: one stanza with N attributes, all on one element and then 64 on each of
//       several elements, fed to the XMPP stream parser (XMPPOverTor's libxml2 push parser)
//       as a server would send it; prints the median time until the parser returns (the
//       stanza, or the refusal) and what it was.
//
// Not a test: it prints numbers. Everything happens in a temporary directory removed at exit.
import Foundation
import PurpleConfig
import Vocabulary
import Secrets
import XMPPOverTor

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("onionboard-bench: \(message)\n".utf8))
    exit(64)
}

/// A blist.xml with `buddies` buddies spread over groups of 100, plus a few chats.
func blist(buddies: Int) -> String {
    var text = "<?xml version='1.0' encoding='UTF-8' ?>\n\n<purple version='1.0'>\n\t<blist>\n"
    var index = 0
    var group = 0
    while index < buddies || group == 0 {
        text += "\t\t<group name='Group \(group)'>\n\t\t\t<setting name='collapsed' type='bool'>0</setting>\n"
        for _ in 0..<100 where index < buddies {
            text += """
            \t\t\t<contact>
            \t\t\t\t<buddy account='bob@example.org/laptop' proto='prpl-jabber'>
            \t\t\t\t\t<name>buddy\(index)@example.net</name>
            \t\t\t\t\t<alias>Buddy \(index) &amp; co</alias>
            \t\t\t\t\t<setting name='note' type='string'>note \(index)</setting>
            \t\t\t\t</buddy>
            \t\t\t</contact>

            """
            index += 1
        }
        if group == 0 {
            text += """
            \t\t\t<chat proto='prpl-jabber' account='bob@example.org/laptop'>
            \t\t\t\t<alias>Team</alias>
            \t\t\t\t<component name='handle'>bob</component>
            \t\t\t\t<component name='room'>team</component>
            \t\t\t\t<component name='server'>conference.example.org</component>
            \t\t\t\t<setting name='gtk-autojoin' type='bool'>1</setting>
            \t\t\t</chat>

            """
        }
        text += "\t\t</group>\n"
        group += 1
    }
    text += "\t</blist>\n\t<privacy>\n\t\t<account proto='prpl-jabber' name='bob@example.org/laptop' mode='1'/>\n\t</privacy>\n</purple>\n"
    return text
}

let accounts = """
    <?xml version='1.0' encoding='UTF-8' ?>

    <account version='1.0'>
    \t<account>
    \t\t<protocol>prpl-jabber</protocol>
    \t\t<name>bob@example.org/laptop</name>
    \t\t<password>not-a-real-one</password>
    \t\t<settings>
    \t\t\t<setting name='connection_security' type='string'>require_tls</setting>
    \t\t</settings>
    \t</account>
    \t<account>
    \t\t<protocol>prpl-irc</protocol>
    \t\t<name>zoe@irc.oftc.net</name>
    \t</account>
    </account>

    """

/// A throwaway self-signed certificate is not needed: the pin is optional, and the
/// merge cost under test is blist.xml's.
func request() -> ProfileRequest {
    ProfileRequest(
        accountJID: "alice@onionboard.test",
        password: SecretBytes(utf8: "bench-password-&<>"),
        connectServer: "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuv.onion",
        proxy: ProxySettings(username: "onionboard-bench", password: "isolation"),
        chat: RoomBookmark(jid: "support@conference.onionboard.test", alias: "Support", handle: "quiet-lark-27"))
}

func measure(buddies: Int, repeats: Int, root: URL) throws -> [String: Any] {
    let blistText = Data(blist(buddies: buddies).utf8)
    var seconds: [Double] = []
    var prepareSeconds: [Double] = []
    for round in 0..<repeats {
        let directory = root.appendingPathComponent("p\(buddies)-\(round)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try blistText.write(to: directory.appendingPathComponent("blist.xml"))
        try Data(accounts.utf8).write(to: directory.appendingPathComponent("accounts.xml"))
        let nowhere = directory.path + "/.nowhere"
        let profile = PurpleProfile(
            directory: directory.path,
            environment: TailsEnvironment(persistenceRoot: nowhere, mountInfoPath: nowhere, tailsMarker: nowhere,
                                          pidginExecutable: "/bin/sh"),
            procRoot: nowhere)
        // The dry run reads, parses, merges and serialises (CPU); the write adds the
        // durable part (temporary file, fsync, backup link, rename, directory fsync).
        var started = DispatchTime.now().uptimeNanoseconds
        _ = try profile.plannedChanges(request())
        prepareSeconds.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
        started = DispatchTime.now().uptimeNanoseconds
        let report = try profile.write(request(), force: true)
        seconds.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
        guard report.written.contains(where: { $0.hasSuffix("/blist.xml") }) else { fail("blist.xml was not written") }
        // Every buddy is still there and the chat was added (a cheap check: the file grew).
        let merged = try Data(contentsOf: directory.appendingPathComponent("blist.xml"))
        guard merged.count > blistText.count,
              merged.suffix(4096).range(of: Data("<component name='room'>support</component>".utf8)) != nil
                || merged.range(of: Data("<component name='room'>support</component>".utf8)) != nil else {
            fail("the merged blist.xml lacks the chat")
        }
        try FileManager.default.removeItem(at: directory)
    }
    seconds.sort()
    prepareSeconds.sort()
    return ["buddies": buddies, "bytes": blistText.count, "repeats": repeats,
            "median_seconds": seconds[seconds.count / 2], "min_seconds": seconds[0],
            "median_dry_run_seconds": prepareSeconds[prepareSeconds.count / 2]]
}

/// Parses one stanza with `attributes` attributes, `repeats` times: all on one element, or
/// `perElement` on each of several child elements.
func measureAttributes(_ attributes: Int, perElement: Int?, repeats: Int) -> [String: Any] {
    var text = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'><message>"
    var index = 0
    while index < attributes {
        text += "<x"
        for _ in 0..<min(perElement ?? attributes, attributes - index) {
            text += " a\(index)='x'"
            index += 1
        }
        text += "/>"
    }
    text += "</message>"
    let bytes = Array(text.utf8)
    var seconds: [Double] = []
    var outcome = ""
    for _ in 0..<repeats {
        let parser = XMLStreamParser()
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            let events = try parser.feed(bytes)
            outcome = "parsed \(events.count) events"
        } catch {
            outcome = "refused: \(error)"
        }
        seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    seconds.sort()
    return ["attributes": attributes, "per_element": perElement ?? attributes, "bytes": bytes.count, "repeats": repeats,
            "median_seconds": seconds[seconds.count / 2], "min_seconds": seconds[0], "outcome": outcome]
}

let usage = "usage: onionboard-bench blist-merge|xml-attributes [--repeat R] N..."
var arguments = Array(CommandLine.arguments.dropFirst())
guard let mode = arguments.first, mode == "blist-merge" || mode == "xml-attributes" else { fail(usage) }
arguments.removeFirst()
var repeats = 3
if arguments.first == "--repeat", arguments.count > 1, let value = Int(arguments[1]), value > 0 {
    repeats = value
    arguments.removeFirst(2)
}
let sizes = arguments.compactMap(Int.init)
guard !sizes.isEmpty, sizes.count == arguments.count else { fail("sizes must be whole numbers") }

if mode == "xml-attributes" {
    for size in sizes {
        for perElement in [nil, 64] {
            let result = measureAttributes(size, perElement: perElement, repeats: repeats)
            let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        }
    }
    exit(0)
}

let root = FileManager.default.temporaryDirectory.appendingPathComponent("onionboard-bench-\(getpid())")
try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: root) }
do {
    for size in sizes {
        let result = try measure(buddies: size, repeats: repeats, root: root)
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
} catch {
    try? FileManager.default.removeItem(at: root)
    fail("\(error)")
}
