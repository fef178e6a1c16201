import Foundation
import Secrets
import Testing
import TestSupport
@testable import XMPPOverTor
import Vocabulary

/// Through the world's private Tor network to its v3 onion service.
@Suite(.serialized) struct TorIntegrationTests {
    static func proxy(_ world: World) -> Proxy { .tor(host: world.socksHost, port: UInt16(world.socksPort)) }

    static var options: SessionOptions {
        SessionOptions(timeouts: Timeouts(connect: 120, tlsHandshake: 60, reply: 60))
    }

    /// The first stream over a fresh network can fail transiently (tor-testnet.md §11): retry briefly.
    static func withRetries<T>(_ body: () throws -> T) throws -> T {
        let deadline = Date().addingTimeInterval(45)
        while true {
            do { return try body() } catch let error as SOCKS5Error where Date() < deadline {
                if case .reply(let code, _) = error, [0x01, 0xF2, 0xF3, 0xF7].contains(code) {
                    Thread.sleep(forTimeInterval: 2)
                    continue
                }
                throw error
            }
        }
    }

    @Test(.enabled(if: World.isAvailable || TestSupport.isCI), arguments: [TLSMode.startTLS, .directTLS])
    func registersThroughTheOnion(mode: TLSMode) throws {
        let world = try #require(World.current, "local world not running")
        let endpoint = Endpoint(domain: world.xmppDomain, host: world.onion,
                                port: UInt16(mode == .startTLS ? world.onionPort : world.onionTLSPort),
                                tlsMode: mode, pin: world.certificateSHA256)
        let username = "t" + CredentialGenerator.username()
        let password = CredentialGenerator.password()
        let events = EventLog()
        let result = try Self.withRetries {
            try RegistrationClient.register(endpoint: endpoint, proxy: Self.proxy(world), username: username,
                                            password: password, usernameWasGenerated: true, options: Self.options,
                                            events: events.record)
        }
        #expect(result.registered && result.saslMechanism == "SCRAM-SHA-1")
        #expect(result.certificateTrust == .pinned && result.certificate.overOnion)
        #expect(result.certificate.subjectAlternativeNames.contains(world.onion))
        #expect(result.roundTrips <= (mode == .startTLS ? 7 : 6))
        #expect(events.all.first == .connectingToTor(host: world.socksHost, port: UInt16(world.socksPort)))
        #expect(events.all.contains(.reachingService(host: world.onion, port: endpoint.port)))
        #expect(events.all.first { if case .reachingService = $0 { true } else { false } }?.description.contains("up to a minute") == true)
        // Log in again through Tor with the new account.
        let login = try Self.withRetries {
            try RegistrationClient.verify(endpoint: endpoint, proxy: Self.proxy(world), username: username,
                                          password: password, options: Self.options)
        }
        #expect(login.jid == result.jid)
        // And the same name again is a conflict.
        #expect(throws: RegistrationError.usernameTaken(username: username, serverText: "The requested username already exists.")) {
            _ = try Self.withRetries {
                try RegistrationClient.register(endpoint: endpoint, proxy: Self.proxy(world), username: username,
                                                password: password, options: Self.options)
            }
        }
    }

    /// What Pidgin sees: it sends the onion as SNI (pidgin-files.md §3).
    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func fetchesTheCertificateWithTheOnionAsServerName() throws {
        let world = try #require(World.current, "local world not running")
        let endpoint = Endpoint(domain: world.xmppDomain, host: world.onion, port: UInt16(world.onionPort), pin: world.certificateSHA256)
        var options = Self.options
        options.serverNameOverride = world.onion
        let (certificate, trust) = try Self.withRetries {
            try RegistrationClient.fetchCertificate(endpoint: endpoint, proxy: Self.proxy(world), options: options)
        }
        #expect(trust == .pinned)
        #expect(certificate.sha256 == world.certificateSHA256)
        #expect(certificate.onionNote?.contains(".onion address") == true)
        #expect(certificate.summary.contains(CertificateInfo.colonSeparated(world.certificateSHA256)))
    }

    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func wrongPinThroughTheOnionIsRefused() throws {
        let world = try #require(World.current, "local world not running")
        let wrong = String(repeating: "ab", count: 32)
        let endpoint = Endpoint(domain: world.xmppDomain, host: world.onion, port: UInt16(world.onionPort), pin: wrong)
        #expect(throws: CertificateError.pinMismatch(expected: wrong, actual: world.certificateSHA256)) {
            _ = try Self.withRetries {
                try RegistrationClient.register(endpoint: endpoint, proxy: Self.proxy(world), username: "t" + CredentialGenerator.username(),
                                                password: CredentialGenerator.password(), options: Self.options)
            }
        }
    }

    /// A valid v3 address (rend-spec-v3 §6 example) that is not in the private network.
    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func unknownOnionIsNotFound() throws {
        let world = try #require(World.current, "local world not running")
        let endpoint = Endpoint(domain: world.xmppDomain, host: "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion", port: 5222)
        #expect {
            _ = try AccountSession.open(endpoint: endpoint, proxy: Self.proxy(world), options: Self.options, intent: .register)
        } throws: { error in
            (error as? SOCKS5Error).map { if case .reply(0xF0, _) = $0 { true } else { false } } == true
                && "\(error)".contains("is not in the Tor network (descriptor not found)")
        }
    }

    @Test(.enabled(if: World.isAvailable || TestSupport.isCI), arguments: [
        "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscrad.onion", "abc.onion",
    ])
    func brokenOnionIsABadAddress(host: String) throws {
        let world = try #require(World.current, "local world not running")
        #expect {
            _ = try AccountSession.open(endpoint: Endpoint(domain: world.xmppDomain, host: host, port: 5222),
                                        proxy: Self.proxy(world), options: Self.options, intent: .register)
        } throws: { error in
            (error as? SOCKS5Error).map { if case .reply(0xF6, _) = $0 { true } else { false } } == true
                && "\(error)".contains("bad onion address")
        }
    }

    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func torNotRunningIsSaidPlainly() throws {
        let world = try #require(World.current, "local world not running")
        let port = Sockets.unusedPort()
        #expect {
            _ = try AccountSession.open(endpoint: Endpoint(domain: world.xmppDomain, host: world.onion, port: 5222),
                                        proxy: .tor(host: "127.0.0.1", port: port), options: Self.options, intent: .register)
        } throws: { error in
            "\(error)".contains("nothing listens on 127.0.0.1:\(port): is Tor running?")
        }
    }
}
