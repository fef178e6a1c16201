// onionboard — GPL-3.0-or-later.
import Foundation

/// One fuzz target: a parser fed arbitrary bytes, with the invariants it must keep.
struct FuzzTarget: Sendable {
    let name: String
    let summary: String
    let run: @Sendable ([UInt8]) -> Void
    /// Makes the target's constants before libFuzzer starts counting allocations.
    var warmUp: @Sendable () -> Void = {}

    static let all: [FuzzTarget] = [
        FuzzTarget(name: "onions-map", summary: "Lua onions_map parser; every accepted onion re-validates",
                   run: OnionsMapTarget.run),
        FuzzTarget(name: "provider-metadata", summary: "provider metadata JSON; every provider's onion, domain and ports re-validate",
                   run: ProviderMetadataTarget.run),
        FuzzTarget(name: "templates", summary: "wizard templates; diagnostics point into the file, accepted defaults pass their validation",
                   run: TemplatesTarget.run),
        FuzzTarget(name: "answers", summary: "answers files; what --save-answers writes reads back the same",
                   run: AnswersTarget.run, warmUp: { _ = AnswersTarget.template }),
        FuzzTarget(name: "xmpp-stream", summary: "the XMPP stream parser; whole, byte by byte and in random chunks give one result",
                   run: XMPPStreamTarget.run),
        FuzzTarget(name: "pidgin-files", summary: "accounts.xml + blist.xml (NUL between) read and merged; counts kept, idempotent, output re-parses",
                   run: PidginFilesTarget.run),
        FuzzTarget(name: "xmpp-messages", summary: "invite URIs, data forms, SCRAM messages (first byte chooses)",
                   run: XMPPMessagesTarget.run, warmUp: XMPPMessagesTarget.warmUp),
    ]
}

/// Stops the run with the input when an invariant does not hold: libFuzzer reports the
/// abort as a crash and saves the input.
func invariant(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
               file: StaticString = #fileID, line: UInt = #line) {
    guard !condition() else { return }
    FileHandle.standardError.write(Data("INVARIANT BROKEN at \(file):\(line): \(message())\n".utf8))
    abort()
}
