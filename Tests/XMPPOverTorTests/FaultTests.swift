import Foundation
import Glibc
import Secrets
import Testing
@testable import XMPPOverTor

/// Faults a real server or Tor cannot produce on demand, from scripted fake peers.
@Suite struct FaultTests {
    static let onion = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion"
    static let header = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='x' from='example.org' version='1.0'>"

    static func fastOptions(reply: Double = 5) -> SessionOptions {
        SessionOptions(timeouts: Timeouts(connect: 5, tlsHandshake: 5, reply: reply))
    }

    /// A fake SOCKS5 proxy that answers CONNECT with `code`; returns what it received.
    static func socks(code: UInt8) -> FakeServer {
        FakeServer { server, fd in
            _ = server.read(fd)                       // greeting
            Sockets.write(fd, [0x05, 0x02])
            _ = server.read(fd)                       // user/password
            Sockets.write(fd, [0x01, 0x00])
            _ = server.read(fd)                       // CONNECT
            Sockets.write(fd, [0x05, code, 0x00, 0x01, 0, 0, 0, 0, 0, 0])
            server.drain(fd, quiet: 0.3)
        }
    }

    @Test(arguments: [UInt8(0x01), 0x04, 0x05, 0x06, 0xF0, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0x42])
    func socksReplyCodesBecomeClearErrors(code: UInt8) throws {
        let proxy = Self.socks(code: code)
        let endpoint = Endpoint(domain: "example.org", host: Self.onion, port: 5222)
        #expect {
            _ = try AccountSession.open(endpoint: endpoint, proxy: .tor(host: "127.0.0.1", port: proxy.port),
                                        options: Self.fastOptions(), intent: .register)
        } throws: { error in
            guard case SOCKS5Error.reply(let got, let destination) = error else { return false }
            return got == code && destination == "\(Self.onion):5222"
        }
        proxy.waitUntilDone()
        // Greeting offers user/password only; the isolation user is <torS0X>0; CONNECT uses ATYP 3.
        let bytes = proxy.received
        #expect(Array(bytes.prefix(3)) == [0x05, 0x01, 0x02])
        let user = Array("<torS0X>0".utf8)
        #expect(Array(bytes[3..<(5 + user.count)]) == [0x01, UInt8(user.count)] + user)
        let connect = [0x05, 0x01, 0x00, 0x03, UInt8(Self.onion.utf8.count)] + Array(Self.onion.utf8) + [0x14, 0x66]
        #expect(Array(bytes.suffix(connect.count)) == connect)
    }

    /// Tor accepting the CONNECT but never answering (a circuit that never builds).
    @Test func socksConnectHitsTheConnectDeadline() throws {
        let proxy = FakeServer { server, fd in
            _ = server.read(fd)
            Sockets.write(fd, [0x05, 0x02])
            _ = server.read(fd)
            Sockets.write(fd, [0x01, 0x00])
            server.drain(fd, quiet: 4)
        }
        var options = Self.fastOptions()
        options.timeouts.connect = 1
        let started = Date()
        #expect {
            _ = try AccountSession.open(endpoint: Endpoint(domain: "example.org", host: Self.onion, port: 5222),
                                        proxy: .tor(host: "127.0.0.1", port: proxy.port), options: options, intent: .register)
        } throws: { error in
            "\(error)".contains("reaching \(Self.onion):5222 through Tor did not finish within 1 s")
        }
        #expect(Date().timeIntervalSince(started) < 3.5)
    }

    /// Tor ≥ 0.4.9 rejects `<torS0X>` user names other than `<torS0X>0` with `01 01`.
    @Test func rejectedIsolationCredentials() throws {
        let proxy = FakeServer { server, fd in
            _ = server.read(fd)
            Sockets.write(fd, [0x05, 0x02])
            _ = server.read(fd)
            Sockets.write(fd, [0x01, 0x01])
            server.drain(fd, quiet: 0.3)
        }
        #expect(throws: SOCKS5Error.authenticationRejected) {
            _ = try AccountSession.open(endpoint: Endpoint(domain: "example.org", host: Self.onion, port: 5222),
                                        proxy: .socks5(host: "127.0.0.1", port: proxy.port,
                                                       credentials: SOCKSCredentials(username: "<torS0X>1", password: "x")),
                                        options: Self.fastOptions(), intent: .register)
        }
    }

    @Test func onionMessagesSayWhatHappened() {
        #expect(SOCKS5Error.reply(code: 0xF0, destination: "x.onion:5222").description.contains("not in the Tor network (descriptor not found)"))
        #expect(SOCKS5Error.reply(code: 0xF6, destination: "x.onion:5222").description.contains("bad onion address"))
        #expect(SOCKS5Error.reply(code: 0xF2, destination: "x.onion:5222").description.contains("introduction"))
        #expect(SOCKS5Error.reply(code: 0xF6, destination: "x").category == .invalidData)
        // One failure, one exit code: whatever Tor says when the onion cannot be reached now
        // (TTL expired, general failure, failed introduction) is 69, like a SOCKS timeout.
        for code: UInt8 in [0x01, 0x04, 0x06, 0xF0, 0xF2, 0xF3, 0xF7] {
            #expect(SOCKS5Error.reply(code: code, destination: "x.onion:5222").category.exitCode == 69, "code \(code)")
        }
        #expect(ConnectionError.timedOut(phase: "reaching x.onion:5222 through Tor", seconds: 5).category.exitCode == 69)
    }

    @Test func nothingOnTheSocksPortAsksWhetherTorRuns() {
        let port = Sockets.unusedPort()
        #expect {
            _ = try AccountSession.open(endpoint: Endpoint(domain: "example.org", host: Self.onion, port: 5222),
                                        proxy: .tor(host: "127.0.0.1", port: port), options: Self.fastOptions(), intent: .register)
        } throws: { error in
            (error as? ConnectionError) == .refused(host: "127.0.0.1", port: port, viaTor: true)
                && "\(error)".contains("nothing listens on 127.0.0.1:\(port): is Tor running?")
                && error.category == .unreachable
        }
    }

    @Test func directConnectionsOnlyToLoopbackLiterals() {
        for host in ["example.org", "192.0.2.1", Self.onion] {
            #expect(throws: ConnectionError.directConnectionNotAllowed(host: host)) {
                _ = try AccountSession.open(endpoint: Endpoint(domain: "example.org", host: host, port: 5222),
                                            proxy: .none, options: Self.fastOptions(), intent: .register)
            }
        }
        #expect(TCPConnection.isLoopback("127.0.0.1") && TCPConnection.isLoopback("::1") && TCPConnection.isLoopback("localhost"))
        #expect(!TCPConnection.isLoopback("10.0.0.1") && !TCPConnection.isLoopback("example.org"))
    }

    /// A server without STARTTLS is refused, and not one byte of the password reaches it.
    @Test func noStartTLSIsRefusedWithoutSendingThePassword() throws {
        let server = FakeServer { server, fd in
            _ = server.read(fd)
            Sockets.write(fd, Self.header + "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism><mechanism>SCRAM-SHA-1</mechanism></mechanisms><register xmlns='http://jabber.org/features/iq-register'/></stream:features>")
            server.drain(fd)
        }
        let password = "Zq7-unique-password-9xK"
        #expect(throws: StreamError.tlsNotOffered) {
            _ = try RegistrationClient.register(endpoint: Endpoint(domain: "example.org", host: "127.0.0.1", port: server.port),
                                                proxy: .none, username: "alice", password: SecretBytes(utf8: password),
                                                options: Self.fastOptions())
        }
        server.waitUntilDone()
        let received = server.received
        #expect(!received.isEmpty)
        let secret = Array(password.utf8)
        for length in [secret.count, 6, 4] {  // neither the whole password nor any 4-byte piece
            for start in 0...(secret.count - length) {
                let piece = Array(secret[start..<(start + length)])
                #expect(received.firstRange(of: piece) == nil)
            }
        }
        #expect(String(decoding: received, as: UTF8.self).contains("<starttls"))
    }

    @Test func starttlsFailureIsRefused() throws {
        let server = FakeServer { server, fd in
            _ = server.read(fd)
            Sockets.write(fd, Self.header + "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features><failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>")
            server.drain(fd)
        }
        #expect(throws: StreamError.starttlsRefused) {
            _ = try AccountSession.open(endpoint: Endpoint(domain: "example.org", host: "127.0.0.1", port: server.port),
                                        proxy: .none, options: Self.fastOptions(), intent: .register)
        }
    }

    /// A server that accepts and then says nothing hits the reply deadline, on time.
    @Test func silentServerHitsTheDeadline() throws {
        let server = FakeServer { server, fd in server.drain(fd, quiet: 4) }
        let started = Date()
        #expect {
            _ = try AccountSession.open(endpoint: Endpoint(domain: "example.org", host: "127.0.0.1", port: server.port),
                                        proxy: .none, options: Self.fastOptions(reply: 1), intent: .register)
        } throws: { error in
            guard case ConnectionError.timedOut(_, let seconds) = error else { return false }
            return seconds == 1 && "\(error)".contains("did not finish within 1 s")
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed >= 0.9 && elapsed < 3.5)
    }

    /// Silence in the middle of the stream (after the header) is caught the same way.
    @Test func serverGoingSilentMidStream() throws {
        let server = FakeServer { server, fd in
            _ = server.read(fd)
            Sockets.write(fd, Self.header + "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
            server.drain(fd, quiet: 4)
        }
        let started = Date()
        #expect(throws: ConnectionError.self) {
            _ = try AccountSession.open(endpoint: Endpoint(domain: "example.org", host: "127.0.0.1", port: server.port),
                                        proxy: .none, options: Self.fastOptions(reply: 1), intent: .register)
        }
        #expect(Date().timeIntervalSince(started) < 3.5)
    }

    @Test func silentTLSHandshakeHitsItsDeadline() throws {
        let server = FakeServer { server, fd in server.drain(fd, quiet: 4) }
        let started = Date()
        var options = Self.fastOptions()
        options.timeouts.tlsHandshake = 1
        #expect {
            _ = try AccountSession.open(endpoint: Endpoint(domain: "example.org", host: "127.0.0.1", port: server.port, tlsMode: .directTLS),
                                        proxy: .none, options: options, intent: .register)
        } throws: { error in
            "\(error)".contains("the TLS handshake did not finish within 1 s")
        }
        #expect(Date().timeIntervalSince(started) < 3.5)
    }

    /// A server that keeps sending other stanzas but never answers our iq still hits
    /// the deadline: one deadline covers the whole wait.
    @Test func chattyServerThatNeverAnswersHitsTheDeadline() throws {
        let server = FakeServer { server, fd in
            Sockets.write(fd, Self.header)
            for _ in 0..<40 {
                guard Sockets.write(fd, "<message from='x@example.org'><body>hi</body></message> ") else { return }
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        let tcp = try TCPConnection(host: "127.0.0.1", port: server.port, deadline: Deadline(seconds: 5, phase: "connect"))
        let connection = XMPPConnection(tcp: tcp, domain: "example.org", timeouts: Timeouts(reply: 1))
        let started = Date()
        #expect(throws: ConnectionError.timedOut(phase: "waiting for the registration result", seconds: 1)) {
            _ = try connection.readIQ(id: "r1", phase: "waiting for the registration result")
        }
        #expect(Date().timeIntervalSince(started) < 3.5)
    }

    /// The password is spliced into the request only as escaped bytes; the marker never leaves.
    @Test func passwordIsEscapedIntoTheRequest() throws {
        let server = FakeServer { server, fd in server.drain(fd, quiet: 0.5) }
        let tcp = try TCPConnection(host: "127.0.0.1", port: server.port, deadline: Deadline(seconds: 5, phase: "connect"))
        let connection = XMPPConnection(tcp: tcp, domain: "example.org", timeouts: Timeouts())
        try connection.send("<password>MARK</password><x>MARK</x>", replacing: "MARK",
                            with: SecretBytes(utf8: "a&b<c>'\""), phase: "registering")
        #expect(throws: AuthenticationError.self) {  // a control character never reaches the wire
            try connection.send("<password>MARK</password>", replacing: "MARK", with: SecretBytes(utf8: "a\u{7}b"), phase: "registering")
        }
        tcp.shutdownForTests()
        server.waitUntilDone()
        #expect(String(decoding: server.received, as: UTF8.self)
            == "<password>a&amp;b&lt;c&gt;&apos;&quot;</password><x>a&amp;b&lt;c&gt;&apos;&quot;</x>")
    }

    @Test func malformedXMLIsAClearError() throws {
        let server = FakeServer { server, fd in
            _ = server.read(fd)
            Sockets.write(fd, Self.header + "<stream:features><starttls></stream:features>")
            server.drain(fd)
        }
        #expect {
            _ = try AccountSession.open(endpoint: Endpoint(domain: "example.org", host: "127.0.0.1", port: server.port),
                                        proxy: .none, options: Self.fastOptions(), intent: .register)
        } throws: { error in
            guard case StreamError.malformedXML = error else { return false }
            return "\(error)".hasPrefix("the server sent malformed XML")
        }
    }

    @Test func entityBombOverTheWireIsRefused() throws {
        let server = FakeServer { server, fd in
            _ = server.read(fd)
            Sockets.write(fd, "<?xml version='1.0'?><!DOCTYPE s [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'><!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>]><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'><stream:features>&c;</stream:features>")
            server.drain(fd)
        }
        #expect(throws: StreamError.doctypeRefused) {
            _ = try AccountSession.open(endpoint: Endpoint(domain: "example.org", host: "127.0.0.1", port: server.port),
                                        proxy: .none, options: Self.fastOptions(), intent: .register)
        }
    }

    /// A server streaming a 100 MB stanza is cut off after the 1 MiB limit.
    @Test func hundredMegabyteStanzaIsRefused() throws {
        let server = FakeServer { server, fd in
            _ = server.read(fd)
            Sockets.write(fd, Self.header + "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls><x>")
            let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
            for _ in 0..<100 where Sockets.write(fd, chunk) {}
        }
        let started = Date()
        #expect(throws: StreamError.stanzaTooLarge(limit: 1 << 20)) {
            _ = try AccountSession.open(endpoint: Endpoint(domain: "example.org", host: "127.0.0.1", port: server.port),
                                        proxy: .none, options: Self.fastOptions(), intent: .register)
        }
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test func streamErrorFromServerIsReported() throws {
        let server = FakeServer { server, fd in
            _ = server.read(fd)
            Sockets.write(fd, Self.header + "<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>This server does not serve example.org</text></stream:error></stream:stream>")
            server.drain(fd)
        }
        #expect(throws: StreamError.serverStreamError(condition: "host-unknown", text: "This server does not serve example.org")) {
            _ = try AccountSession.open(endpoint: Endpoint(domain: "example.org", host: "127.0.0.1", port: server.port),
                                        proxy: .none, options: Self.fastOptions(), intent: .register)
        }
    }
}
