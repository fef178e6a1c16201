import Foundation
import Glibc
import Testing
@testable import XMPPOverTor

/// Issue 16: a server that keeps talking, bloats stanzas with attributes, or answers for
/// someone else. Fake servers: a real one cannot be made to do this.
@Suite struct HostileServerTests {
    static let header = FaultTests.header

    /// A plain-TCP XMPP connection to a fake server (the XML layer is the same over TLS).
    static func connection(to server: FakeServer, reply: Double = 1) throws -> XMPPConnection {
        let tcp = try TCPConnection(host: "127.0.0.1", port: server.port, deadline: Deadline(seconds: 5, phase: "connect"))
        return XMPPConnection(tcp: tcp, domain: "example.org", timeouts: Timeouts(reply: reply))
    }

    /// The id of the first iq in what the client sent.
    static func requestID(_ bytes: [UInt8]) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let match = text.firstMatch(of: /<iq[^>]* id='([^']+)'/) else { return nil }
        return String(match.1)
    }

    // MARK: - Item 1: deadlines whatever arrives, caps before authentication

    /// Stanzas as fast as the socket takes them, never the answer: the reply deadline still
    /// ends the wait on time (before the fix it was only checked when nothing was readable).
    @Test func aServerThatNeverStopsTalkingHitsTheDeadline() throws {
        let server = FakeServer { _, fd in
            guard Sockets.write(fd, Self.header) else { return }
            let burst = String(repeating: "<message from='x@example.org' type='chat'><body>hello</body></message>", count: 200)
            let started = Date()
            while Date().timeIntervalSince(started) < 20, Sockets.write(fd, burst) {}
        }
        let connection = try Self.connection(to: server)
        connection.authenticated()  // only the deadline is under test here, not the caps
        let started = Date()
        #expect(throws: ConnectionError.timedOut(phase: "waiting for the bookmark replies", seconds: 1)) {
            _ = try connection.readIQ(id: "bookmark-1", phase: "waiting for the bookmark replies")
        }
        #expect(Date().timeIntervalSince(started) < 3)
        connection.tcp.shutdownForTests()
    }

    /// 100 MB of whitespace in half-MiB gaps between stanzas: counted, and refused after the
    /// pre-authentication budget (before the fix it was dropped uncounted, all 100 MB of it).
    @Test func whitespaceBetweenStanzasCountsBeforeAuthentication() throws {
        let server = Self.whitespaceServer(gap: 1 << 19)
        let connection = try Self.connection(to: server, reply: 30)
        #expect(throws: StreamError.tooMuchBeforeAuthentication("more than 2048 KiB")) {
            _ = try connection.readIQ(id: "form-1", phase: "waiting for the registration form")
        }
    }

    /// After authentication, 100 MB of whitespace after one stanza is bounded by the stanza size limit.
    @Test func whitespaceBetweenStanzasCountsTowardsTheNextStanza() throws {
        let server = Self.whitespaceServer(gap: 100 << 20)
        let connection = try Self.connection(to: server, reply: 30)
        connection.authenticated()
        #expect(throws: StreamError.stanzaTooLarge(limit: 1 << 20)) {
            _ = try connection.readIQ(id: "private-1", phase: "waiting for the bookmark replies")
        }
    }

    /// 100 MB of whitespace after the header, in gaps of `gap` bytes after a stanza each.
    static func whitespaceServer(gap: Int) -> FakeServer {
        FakeServer { _, fd in
            guard Sockets.write(fd, Self.header) else { return }
            let spaces = [UInt8](repeating: 0x20, count: min(gap, 1 << 20))
            var sent = 0
            while sent < 100 << 20 {
                guard Sockets.write(fd, "<message from='example.org'/>") else { return }
                var inGap = 0
                while inGap < gap, Sockets.write(fd, spaces) { inGap += spaces.count }
                guard inGap >= gap else { return }
                sent += gap
            }
        }
    }

    @Test func tooManyStanzasBeforeAuthentication() throws {
        let server = FakeServer { server, fd in
            Sockets.write(fd, Self.header + String(repeating: "<message from='example.org'><body>x</body></message>", count: 100))
            server.drain(fd)
        }
        let connection = try Self.connection(to: server, reply: 5)
        #expect(throws: StreamError.tooMuchBeforeAuthentication("more than 64 stanzas")) {
            _ = try connection.readIQ(id: "form-1", phase: "waiting for the registration form")
        }
    }

    @Test func textBetweenStanzasIsRefused() throws {
        #expect(throws: StreamError.textBetweenStanzas) {
            _ = try XMLStreamParser().feed(Array((Self.header + "<message/>garbage<message/>").utf8))
        }
        // Whitespace keepalives are fine.
        let events = try XMLStreamParser().feed(Array((Self.header + "<message/> \n\t <message/>").utf8))
        #expect(events.count == 3)
    }

    // MARK: - Item 2: attributes

    static func stanza(attributes: Int, elements: Int = 1) -> [UInt8] {
        var text = Self.header + "<message>"
        for element in 0..<elements {
            text += "<x\(element)"
            for index in 0..<attributes { text += " a\(index)='v'" }
            text += "/>"
        }
        return Array((text + "</message>").utf8)
    }

    /// 80,000 attributes on one element took libxml2 seconds (its duplicate check is
    /// quadratic); now the element is refused before libxml2 parses it.
    @Test(arguments: [65, 20_000, 80_000])
    func tooManyAttributesOnOneElementAreRefused(count: Int) {
        #expect(throws: StreamError.tooManyAttributes(limit: 64, inOneElement: true)) {
            _ = try XMLStreamParser().feed(Self.stanza(attributes: count))
        }
    }

    @Test func sixtyFourAttributesAreFine() throws {
        let events = try XMLStreamParser().feed(Self.stanza(attributes: 64))
        guard case .element(let message) = events.last else { Issue.record("no stanza"); return }
        #expect(message.children.first?.attributes.count == 64)
    }

    @Test func tooManyAttributesInOneStanzaAreRefused() throws {
        #expect(throws: StreamError.tooManyAttributes(limit: 4096, inOneElement: false)) {
            _ = try XMLStreamParser().feed(Self.stanza(attributes: 50, elements: 100))
        }
        // The count starts again with the next stanza.
        let parser = XMLStreamParser()
        _ = try parser.feed(Array(Self.stanza(attributes: 50, elements: 80).dropLast("</message>".utf8.count)) + Array("</message>".utf8))
        let next = Array("<message>".utf8) + Array(Self.stanza(attributes: 50, elements: 80).dropFirst(Self.header.utf8.count + "<message>".utf8.count))
        #expect(throws: Never.self) { _ = try parser.feed(next) }
    }

    /// `=` in values, text, comments and CDATA is not an attribute; a split anywhere changes nothing.
    @Test func theAttributeScanSeesOnlyTags() throws {
        let equals = String(repeating: "=", count: 200)
        let text = Self.header + "<message a='\(equals)>' b=\"\(equals)\"><body>\(equals)</body><!-- \(equals) > --><x><![CDATA[\(equals) > ]]></x></message>"
        let bytes = Array(text.utf8)
        for split in stride(from: 1, to: bytes.count, by: 7) {
            let parser = XMLStreamParser()
            var events = try parser.feed(Array(bytes[..<split]))
            events += try parser.feed(Array(bytes[split...]))
            #expect(events.count == 2, "split at \(split)")
        }
    }

    // MARK: - Item 3: who may answer

    @Test func repliesMustComeFromWhereTheRequestWent() {
        let account = JID("alice@example.org/phone")
        let toServer = ReplySender(to: nil)
        // Before bind: the server only.
        #expect(toServer.accepts(nil, domain: "example.org", account: nil))
        #expect(toServer.accepts("Example.ORG", domain: "example.org", account: nil))
        #expect(!toServer.accepts("alice@example.org", domain: "example.org", account: nil))
        // After bind: also the account's bare or full JID.
        #expect(toServer.accepts("alice@example.org", domain: "example.org", account: account))
        #expect(toServer.accepts("Alice@example.org/phone", domain: "example.org", account: account))
        #expect(!toServer.accepts("alice@example.org/other", domain: "example.org", account: account))
        #expect(!toServer.accepts("mallory@evil.example/x", domain: "example.org", account: account))
        #expect(!toServer.accepts("mallory@example.org", domain: "example.org", account: account))
        #expect(!toServer.accepts("evil.example", domain: "example.org", account: account))
        // Sent to an address: only that address (or no from, for our own account or our server).
        let toAccount = ReplySender(to: "alice@example.org")
        #expect(toAccount.accepts("alice@example.org", domain: "example.org", account: account))
        #expect(toAccount.accepts(nil, domain: "example.org", account: account))
        #expect(!toAccount.accepts("example.org", domain: "example.org", account: account))
        let toRoom = ReplySender(to: "room@conference.example.org")
        #expect(!toRoom.accepts(nil, domain: "example.org", account: account))
        #expect(ReplySender(to: "example.org").accepts(nil, domain: "example.org", account: nil))
    }

    /// The review's trap: a "reply" to the private-storage read from mallory, carrying a
    /// room to auto-join, is refused instead of being merged into the account's bookmarks.
    @Test func aReplyFromSomeoneElseIsRefused() throws {
        let server = FakeServer { server, fd in
            Sockets.write(fd, Self.header)
            guard let id = Self.requestID(server.read(fd)) else { return }
            Sockets.write(fd, "<iq type='result' id='\(id)' from='mallory@evil.example/x' to='alice@example.org/phone'><query xmlns='jabber:iq:private'><storage xmlns='storage:bookmarks'><conference jid='trap@conference.evil.example' autojoin='true'/></storage></query></iq>")
            server.drain(fd)
        }
        let connection = try Self.connection(to: server, reply: 5)
        connection.bound(to: "alice@example.org/phone")
        let id = connection.makeID("private")
        try connection.send(BookmarkPayloads.privateStorageGet(id: id), phase: "storing the room bookmark")
        #expect(throws: StreamError.replyFromWrongSender(from: "mallory@evil.example/x",
                                                         expected: "the server example.org or the account itself")) {
            _ = try connection.readIQ(id: id, phase: "waiting for the bookmark replies")
        }
    }

    @Test func aReplyFromTheAccountIsAccepted() throws {
        let server = FakeServer { server, fd in
            Sockets.write(fd, Self.header)
            guard let id = Self.requestID(server.read(fd)) else { return }
            Sockets.write(fd, "<iq type='result' id='\(id)' from='alice@example.org' to='alice@example.org/phone'/>")
            server.drain(fd)
        }
        let connection = try Self.connection(to: server, reply: 5)
        connection.bound(to: "alice@example.org/phone")
        let id = connection.makeID("private")
        try connection.send(BookmarkPayloads.privateStorageGet(id: id), phase: "storing the room bookmark")
        #expect(try connection.readIQ(id: id, phase: "waiting")[attribute: "from"] == "alice@example.org")
    }

    @Test func idsAreUnpredictable() {
        let connection = XMPPConnection(tcp: try! TCPConnection(host: "127.0.0.1", port: FakeServer { _, _ in }.port,
                                                                deadline: Deadline(seconds: 5, phase: "connect")),
                                        domain: "example.org", timeouts: Timeouts())
        let ids = (0..<100).map { _ in connection.makeID("form") }
        #expect(Set(ids).count == 100)
        for id in ids {
            #expect(id.hasPrefix("form-") && id.dropFirst(5).count == 24 && id.dropFirst(5).allSatisfy(\.isHexDigit))
        }
    }
}

/// Issue 16 items 5 and 7: the connect budget and the SOCKS method.
@Suite struct ConnectBudgetTests {
    static let onion = FaultTests.onion

    /// A proxy that accepts the isolation credentials and never answers the CONNECT.
    static func silentProxy() -> FakeServer {
        FakeServer { server, fd in
            _ = server.read(fd)
            Sockets.write(fd, [0x05, 0x02])
            _ = server.read(fd)
            Sockets.write(fd, [0x01, 0x00])
            server.drain(fd, quiet: 4)
        }
    }

    /// The TCP connect to Tor and the SOCKS exchange share one budget: time spent before the
    /// SOCKS exchange (here a slow progress display) is not given back to it.
    @Test func connectAndSOCKSShareOneBudget() throws {
        let proxy = Self.silentProxy()
        var options = FaultTests.fastOptions()
        options.timeouts.connect = 1.5
        let started = Date()
        #expect {
            _ = try AccountSession.open(endpoint: Endpoint(domain: "example.org", host: Self.onion, port: 5222),
                                        proxy: .tor(host: "127.0.0.1", port: proxy.port), options: options,
                                        intent: .register, events: { event in
                                            if case .reachingService = event { Thread.sleep(forTimeInterval: 1) }
                                        })
        } throws: { error in
            "\(error)".contains("reaching \(Self.onion):5222 through Tor did not finish within 1.5 s")
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed >= 1.4 && elapsed < 2.2, "took \(elapsed) s for a 1.5 s budget")
    }

    /// Absurd durations from library callers cannot trap the process (they did in `Deadline`).
    @Test func absurdDeadlinesDoNotCrash() throws {
        for seconds in [Double.infinity, 1e300, -Double.infinity, .nan] {
            let deadline = Deadline(seconds: seconds, phase: "p")
            if seconds > 0 { #expect(throws: Never.self) { try deadline.check() } }
        }
        #expect(throws: ConnectionError.self) { try Deadline(seconds: .nan, phase: "p").check() }
    }

    /// Item 7: we offer only username/password (isolation); a proxy that picks "no
    /// authentication" is refused before the CONNECT is sent.
    @Test func noAuthenticationWhenOnlyIsolationWasOfferedIsRefused() throws {
        let proxy = FakeServer { server, fd in
            _ = server.read(fd)
            Sockets.write(fd, [0x05, 0x00])
            server.drain(fd, quiet: 1)
        }
        #expect(throws: SOCKS5Error.unofferedMethodChosen) {
            _ = try AccountSession.open(endpoint: Endpoint(domain: "example.org", host: Self.onion, port: 5222),
                                        proxy: .tor(host: "127.0.0.1", port: proxy.port), options: FaultTests.fastOptions(),
                                        intent: .register)
        }
        proxy.waitUntilDone()
        #expect(proxy.received == [0x05, 0x01, 0x02])
        #expect(SOCKS5Error.unofferedMethodChosen.category == .protocolViolation)
    }

    /// Without credentials we offer "no authentication" ourselves, and then it is fine.
    @Test func noAuthenticationIsFineWhenOffered() throws {
        let proxy = FakeServer { server, fd in
            _ = server.read(fd)
            Sockets.write(fd, [0x05, 0x00])
            _ = server.read(fd)
            Sockets.write(fd, [0x05, 0x05, 0x00, 0x01, 0, 0, 0, 0, 0, 0])
            server.drain(fd, quiet: 0.3)
        }
        #expect(throws: SOCKS5Error.reply(code: 0x05, destination: "\(Self.onion):5222")) {
            _ = try AccountSession.open(endpoint: Endpoint(domain: "example.org", host: Self.onion, port: 5222),
                                        proxy: .socks5(host: "127.0.0.1", port: proxy.port, credentials: nil),
                                        options: FaultTests.fastOptions(), intent: .register)
        }
    }
}

/// Issue 16 item 4: what a server says reaches messages sanitised and marked as its.
@Suite struct ServerTextInMessagesTests {
    static let forged = "Please wait\n✓ registered victim@example.org\u{202E}\u{9B}"

    static func isClean(_ text: String) -> Bool {
        !text.contains("\n✓") && !text.unicodeScalars.contains { $0.value == 0x202E || $0.value == 0x9B }
    }

    @Test func registrationAndAuthenticationErrors() {
        let errors: [any Error] = [
            RegistrationError.usernameTaken(username: "alice", serverText: Self.forged),
            RegistrationError.rateLimited(condition: "policy\nviolation", serverText: Self.forged, retryAfterSeconds: nil),
            RegistrationError.webRegistrationOnly(url: "https://x.example/\nregistered", instructions: Self.forged),
            RegistrationError.other(condition: "x\u{202E}", type: "cancel\n", serverText: Self.forged),
            AuthenticationError.failure(condition: "not-authorized", text: Self.forged),
            StreamError.serverStreamError(condition: "conflict", text: Self.forged),
            BookmarkError(step: "XEP-0402 publish", condition: "forbidden", serverText: Self.forged),
        ]
        for error in errors {
            let message = "\(error)"
            #expect(Self.isClean(message), "\(message)")
            #expect(message.contains("server says: “") || !message.contains("registered victim"), "\(message)")
        }
        #expect("\(errors[0])".contains("(server says: “Please wait ✓ registered victim@example.org\u{FFFD}”)"))
    }

    /// A fake server's stream error with a forged line arrives as one marked line.
    @Test func aStreamErrorFromAFakeServer() throws {
        let server = FakeServer { server, fd in
            _ = server.read(fd)
            Sockets.write(fd, FaultTests.header + "<stream:error><policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>Bye&#10;onionboard: registered victim@example.org&#x202E;&#x9B;</text></stream:error></stream:stream>")
            server.drain(fd)
        }
        #expect {
            _ = try AccountSession.open(endpoint: Endpoint(domain: "example.org", host: "127.0.0.1", port: server.port),
                                        proxy: .none, options: FaultTests.fastOptions(), intent: .register)
        } throws: { error in
            let message = "\(error)"
            return !message.contains("\n") && Self.isClean(message)
                && message.contains("(server says: “Bye onionboard: registered victim@example.org\u{FFFD}”)")
        }
    }

    @Test func certificateNamesInThePrompt() {
        let info = CertificateInfo(pem: "", sha256: String(repeating: "a", count: 64), subject: "CN=x\nSHA-256: 00:00",
                                   issuer: "CN=\u{202E}y", subjectAlternativeNames: ["a.example\nSHA-256: 11"],
                                   notBefore: nil, notAfter: nil, validForDomainBySystemCAs: false, domain: "x", overOnion: true)
        let lines = info.summary.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("SHA-256:") }.count == 1 && lines.count == 6)  // five fields and the onion note
        #expect(!info.summary.unicodeScalars.contains { $0.value == 0x202E })
    }
}
