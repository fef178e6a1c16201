// onionboard — GPL-3.0-or-later.
import Foundation
import Secrets
@testable import XMPPOverTor

/// The server's byte stream (what arrives over Tor): one parser fed the whole input at
/// once, byte by byte (every boundary), and in chunks cut where the input's own bytes say.
enum XMPPStreamTarget {
    enum Outcome: Equatable {
        case events([XMLStreamEvent])
        /// The events of the calls before the failing one, and the failure.
        case failed([XMLStreamEvent], StreamError)
    }

    static func feed(_ chunks: [ArraySlice<UInt8>]) -> Outcome {
        let parser = XMLStreamParser()
        var events: [XMLStreamEvent] = []
        for chunk in chunks {
            do {
                events += try parser.feed(Array(chunk))
            } catch let error as StreamError {
                return .failed(events, error)
            } catch {
                invariant(false, "the stream parser threw a \(type(of: error)): \(error)")
            }
        }
        return .events(events)
    }

    static func run(_ data: [UInt8]) {
        let whole = feed([data[...]])
        let bytewise = feed(data.indices.map { data[$0...$0] })
        var cuts: [ArraySlice<UInt8>] = []
        var start = 0
        var seed = data.reduce(UInt64(1469598103934665603)) { ($0 ^ UInt64($1)) &* 1099511628211 }
        while start < data.count {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let length = 1 + Int((seed >> 33) % 97)
            cuts.append(data[start..<min(data.count, start + length)])
            start += length
        }
        let chunked = feed(cuts)
        let ways = [("whole", whole), ("byte by byte", bytewise), ("in chunks", chunked)]
        if case .events(let events) = whole, events.last == .streamClosed {
            // A complete, valid stream gives the same events however it arrives.
            for (way, outcome) in ways.dropFirst() {
                invariant(outcome == .events(events), "\(way): \(outcome); whole: \(events)")
            }
            return
        }
        // An unfinished or broken stream need not fail at the same moment: libxml2's push
        // parser judges a tag, or a CDATA section's UTF-8, only once enough of it has arrived,
        // else the session's deadline ends it. But the events may never differ: of any two
        // ways, one saw a prefix of what the other saw. And a stream that fails whole is
        // never complete and clean in pieces.
        for (index, (wayA, a)) in ways.enumerated() {
            for (wayB, b) in ways.dropFirst(index + 1) {
                let (x, y) = (a.seen, b.seen)
                invariant(x.starts(with: y) || y.starts(with: x), "\(wayA): \(a); \(wayB): \(b)")
            }
        }
        if case .failed = whole {
            for (way, outcome) in ways.dropFirst() {
                if case .events(let events) = outcome {
                    invariant(events.last != .streamClosed, "fails whole, but \(way) it is complete: \(events)")
                }
            }
        }
    }
}

extension XMPPStreamTarget.Outcome {
    /// The events delivered, up to a failure.
    var seen: [XMLStreamEvent] {
        switch self {
        case .events(let events), .failed(let events, _): events
        }
    }
}

/// Invite links, data forms and SCRAM messages: what a provider or an invitation hands us.
/// The first byte chooses which; the rest is the input.
enum XMPPMessagesTarget {
    static func run(_ data: [UInt8]) {
        guard let selector = data.first else { return }
        let rest = Array(data.dropFirst())
        switch selector % 3 {
        case 0: invite(String(decoding: rest, as: UTF8.self))
        case 1: dataForms(rest)
        default: scram(String(decoding: rest, as: UTF8.self))
        }
    }

    /// An accepted invite rebuilt from its parts reads back to the same parts.
    static func invite(_ text: String) {
        guard let invite = try? InviteURI(text) else { return }
        invariant(!invite.domain.isEmpty && invite.domain == invite.domain.lowercased()
                  && !invite.domain.contains(where: \.isWhitespace), "domain \(String(reflecting: invite.domain))")
        invariant(!invite.token.isEmpty, "empty token")
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._")
        guard let domain = invite.domain.addingPercentEncoding(withAllowedCharacters: safe),
              let token = invite.token.addingPercentEncoding(withAllowedCharacters: safe) else { return }
        let rebuilt = "xmpp:\(domain)?register;preauth=\(token)"
        guard let again = try? InviteURI(rebuilt) else {
            invariant(false, "\(String(reflecting: text)) accepted, its rebuilt form \(rebuilt) refused")
            return
        }
        invariant(again.domain == invite.domain && again.token == invite.token,
                  "\(rebuilt) reads as \(again), the original as \(invite)")
    }

    static let streamHeader = Array("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>".utf8)

    static func elements(_ bytes: [UInt8]) -> [XMLElement]? {
        guard let events = try? XMLStreamParser().feed(streamHeader + bytes) else { return nil }
        return events.compactMap { if case .element(let element) = $0 { element } else { nil } }
    }

    /// Every data form in the stanzas: it survives our serializer, and the submission we
    /// would send reads back with the values we put in.
    static func dataForms(_ bytes: [UInt8]) {
        guard let stanzas = elements(bytes) else { return }
        var forms: [XMLElement] = []
        func collect(_ element: XMLElement) {
            if DataForm(element) != nil { forms.append(element) }
            element.children.forEach(collect)
        }
        stanzas.forEach(collect)
        for element in forms {
            let form = DataForm(element)!
            let serialized = element.serialized()
            guard let back = elements(Array(serialized.utf8)), back.count == 1 else {
                invariant(false, "a form does not survive serialization: \(serialized)")
                return
            }
            invariant(DataForm(back[0]) == form, "the form changed in serialization: \(serialized)")

            var values: [String: [String]] = [:]
            for field in form.fields where field.type != "fixed" {
                if let variable = field.variable { values[variable] = field.values + field.options.map(\.value) }
            }
            let submission = form.submission(values).serialized()
            guard let sent = elements(Array(submission.utf8)), sent.count == 1, let submitted = DataForm(sent[0]) else {
                invariant(false, "our submission does not parse: \(submission)")
                return
            }
            for field in submitted.fields {
                invariant(field.values == values[field.variable ?? ""], "submitted \(field.variable ?? "-"): \(field.values)")
            }
        }
    }

    /// RFC 5802's example exchange (user "user", password "pencil"). Whatever the server
    /// sends, its final message is accepted only if it carries the signature of the real
    /// exchange: a server that does not know the password never passes.
    static let clientNonce = "fyko+d2lbbFgONRv9qkxdawL"
    static let serverFirst = "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"
    static let serverSignature = Array(Data(base64Encoded: "rmF9pqV8S7suAoZWja4dJRkFsKQ=")!)
    static let password = SecretBytes(utf8: "pencil")

    /// Made before libFuzzer starts: a static made lazily inside a run counts as that
    /// input's leak (LeakSanitizer cannot see a reference that Swift keeps with tag bits).
    static func warmUp() {
        _ = (serverSignature, password, streamHeader, clientNonce, serverFirst)
    }

    static func scram(_ text: String) {
        let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let first = parts[0], final = parts.count > 1 ? parts[1] : ""
        // The key derivation costs `i` iterations (the client allows up to 10 million): cap it for speed.
        if let iterations = SCRAMClient.attributes(first)["i"].flatMap({ Int32($0) }), iterations > 4096 { return }
        let client = SCRAMClient(hash: .sha1, username: "user", binding: .unsupported, nonce: clientNonce)
        _ = client.clientFirstMessage()
        guard let clientFinal = try? client.clientFinalMessage(serverFirst: first, password: password) else { return }
        let fields = SCRAMClient.attributes(first)
        invariant(clientFinal.hasPrefix("c=biws,r=\(fields["r"] ?? "")") && fields["r"]!.hasPrefix(clientNonce),
                  "client final \(clientFinal) for \(first)")
        invariant(SCRAMClient.attributes(clientFinal)["p"].flatMap { Data(base64Encoded: $0) }?.count == 20,
                  "the proof is not 20 bytes: \(clientFinal)")
        if first == serverFirst {
            invariant(clientFinal == "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
                      "RFC 5802's client final message differs: \(clientFinal)")
        }
        if (try? client.verifyServerFinal(final)) != nil {
            invariant(first == serverFirst, "a server signature was accepted for another exchange: \(first)")
            invariant(SCRAMClient.attributes(final)["v"].flatMap { Data(base64Encoded: $0) }.map(Array.init) == serverSignature,
                      "a wrong server signature was accepted: \(final)")
        }
    }
}
