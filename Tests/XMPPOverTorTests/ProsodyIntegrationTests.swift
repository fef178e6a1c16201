import Foundation
import Secrets
import Testing
import TestSupport
@testable import XMPPOverTor
import Vocabulary
import X509

/// Against the local world's real Prosody instances, directly on 127.0.0.1 (no Tor).
@Suite(.serialized) struct ProsodyIntegrationTests {
    static func endpoint(_ world: World, port: Int, tls: TLSMode = .startTLS, pin: String? = nil) -> Endpoint {
        Endpoint(domain: world.xmppDomain, host: world.prosodyHost, port: UInt16(port), tlsMode: tls,
                 pin: pin ?? world.certificateSHA256)
    }

    static func name() -> String { "t" + CredentialGenerator.username() }

    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func registersAndVerifiesSHA1OverStartTLS() throws {
        let world = try #require(World.current, "local world not running")
        let username = Self.name()
        let password = CredentialGenerator.password()
        let events = EventLog()
        let result = try RegistrationClient.register(endpoint: Self.endpoint(world, port: world.prosodyPort), proxy: .none,
                                                     username: username, password: password, usernameWasGenerated: true,
                                                     events: events.record)
        #expect(result.jid == "\(username)@\(world.xmppDomain)")
        #expect(result.boundJID.hasPrefix(result.jid + "/"))
        #expect(result.registered && result.saslMechanism == "SCRAM-SHA-1")
        #expect(result.certificate.sha256 == world.certificateSHA256 && result.certificateTrust == .pinned)
        #expect(result.certificate.subjectAlternativeNames.contains(world.xmppDomain))
        #expect(result.certificate.pem.hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(result.tlsVersion == "TLSv1.3" || result.tlsVersion == "TLSv1.2")
        #expect(result.roundTrips <= 7)
        #expect(events.all.contains(.registered(jid: result.jid)))
        #expect(events.all.contains(.bound(jid: result.boundJID)))
        // The account really exists: a fresh login works.
        let login = try RegistrationClient.verify(endpoint: Self.endpoint(world, port: world.prosodyPort), proxy: .none,
                                                  username: username, password: password)
        #expect(!login.registered && login.jid == result.jid)
    }

    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func registersAndVerifiesSHA256OverDirectTLS() throws {
        let world = try #require(World.current, "local world not running")
        let result = try RegistrationClient.register(endpoint: Self.endpoint(world, port: world.prosodySHA256TLSPort, tls: .directTLS),
                                                     proxy: .none, username: Self.name(), password: CredentialGenerator.password(),
                                                     usernameWasGenerated: true)
        #expect(result.saslMechanism == "SCRAM-SHA-256")
        #expect(result.roundTrips <= 6)
        let starttls = try RegistrationClient.register(endpoint: Self.endpoint(world, port: world.prosodySHA256Port),
                                                       proxy: .none, username: Self.name(), password: CredentialGenerator.password())
        #expect(starttls.saslMechanism == "SCRAM-SHA-256")
    }

    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func secondRegistrationOfTheSameNameIsAConflict() throws {
        let world = try #require(World.current, "local world not running")
        let username = Self.name()
        _ = try RegistrationClient.register(endpoint: Self.endpoint(world, port: world.prosodyPort), proxy: .none,
                                            username: username, password: CredentialGenerator.password())
        #expect {
            _ = try RegistrationClient.register(endpoint: Self.endpoint(world, port: world.prosodyPort), proxy: .none,
                                                username: username, password: CredentialGenerator.password())
        } throws: { error in
            guard case RegistrationError.usernameTaken(let name, let text) = error else { return false }
            return name == username && text == "The requested username already exists."
                && "\(error)".contains("'\(username)' is already taken") && error.category == .refused
        }
    }

    /// After `conflict` the same stream takes another name (Prosody allows it).
    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func retryWithAnotherNameOnTheSameStream() throws {
        let world = try #require(World.current, "local world not running")
        let taken = Self.name()
        _ = try RegistrationClient.register(endpoint: Self.endpoint(world, port: world.prosodyPort), proxy: .none,
                                            username: taken, password: CredentialGenerator.password())
        let session = try AccountSession.open(endpoint: Self.endpoint(world, port: world.prosodyPort), proxy: .none, intent: .register)
        defer { session.close() }
        let password = CredentialGenerator.password()
        #expect(throws: RegistrationError.self) { try session.register(username: taken, password: password) }
        #expect(session.isOpen)
        let fresh = Self.name()
        try session.register(username: fresh, password: password)
        let (jid, _) = try session.logIn(username: fresh, password: password)
        #expect(jid.hasPrefix("\(fresh)@\(world.xmppDomain)/"))
    }

    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func throttledInstanceSaysRateLimited() throws {
        let world = try #require(World.current, "local world not running")
        var failures: [Error] = []
        for _ in 0..<2 {
            do {
                _ = try RegistrationClient.register(endpoint: Self.endpoint(world, port: world.prosodyThrottlePort), proxy: .none,
                                                    username: Self.name(), password: CredentialGenerator.password())
            } catch { failures.append(error) }
        }
        let failure = try #require(failures.last, "the second registration within the window was accepted")
        guard case RegistrationError.rateLimited(let condition, let text, _) = failure else {
            Issue.record("expected rate limiting, got \(failure)")
            return
        }
        #expect(condition == "policy-violation")
        #expect(text == "Too many registrations from this IP address recently")
        #expect("\(failure)".contains("rate-limiting registrations") && failure.category == .tryLater)
    }

    /// A wrong pin stops the session before any registration data is sent: the account
    /// does not exist afterwards.
    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func wrongPinIsRefusedBeforeRegistration() throws {
        let world = try #require(World.current, "local world not running")
        let username = Self.name()
        let password = CredentialGenerator.password()
        let wrong = String(repeating: "0", count: 64)
        #expect(throws: CertificateError.pinMismatch(expected: wrong, actual: world.certificateSHA256)) {
            _ = try RegistrationClient.register(endpoint: Self.endpoint(world, port: world.prosodyPort, pin: wrong), proxy: .none,
                                                username: username, password: password)
        }
        #expect {
            _ = try RegistrationClient.verify(endpoint: Self.endpoint(world, port: world.prosodyPort), proxy: .none,
                                              username: username, password: password)
        } throws: { error in
            (error as? AuthenticationError) == .failure(condition: "not-authorized", text: nil)
                || { if case AuthenticationError.failure("not-authorized", _) = error { true } else { false } }()
        }
    }

    /// Without a pin, a self-signed certificate needs the caller's confirmation (TOFU),
    /// which is shown the onion note and the names.
    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func selfSignedCertificateNeedsConfirmation() throws {
        let world = try #require(World.current, "local world not running")
        var endpoint = Self.endpoint(world, port: world.prosodyPort)
        endpoint.pin = nil
        #expect(throws: CertificateError.self) {
            _ = try RegistrationClient.fetchCertificate(endpoint: endpoint, proxy: .none,
                                                        options: SessionOptions(certificatePolicy: CertificatePolicy(confirm: { _ in false })))
        }
        let unevaluated = try RegistrationClient.fetchCertificate(endpoint: endpoint, proxy: .none)
        #expect(unevaluated.trust == nil && unevaluated.certificate.sha256 == world.certificateSHA256)
        #expect(!unevaluated.certificate.validForDomainBySystemCAs)
        let options = SessionOptions(certificatePolicy: CertificatePolicy(confirm: { info in
            info.sha256 == world.certificateSHA256 && info.summary.contains("SHA-256:")
        }))
        let confirmed = try RegistrationClient.fetchCertificate(endpoint: endpoint, proxy: .none, options: options)
        #expect(confirmed.trust == .confirmedByUser)
        let accepted = try RegistrationClient.fetchCertificate(endpoint: endpoint, proxy: .none,
            options: SessionOptions(certificatePolicy: CertificatePolicy(acceptedFingerprint: world.certificateSHA256)))
        #expect(accepted.trust == .acceptedFingerprint)
    }

    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func wrongPasswordIsNotAuthorized() throws {
        let world = try #require(World.current, "local world not running")
        let username = Self.name()
        _ = try RegistrationClient.register(endpoint: Self.endpoint(world, port: world.prosodyPort), proxy: .none,
                                            username: username, password: CredentialGenerator.password())
        #expect {
            _ = try RegistrationClient.verify(endpoint: Self.endpoint(world, port: world.prosodyPort), proxy: .none,
                                              username: username, password: CredentialGenerator.password())
        } throws: { error in
            "\(error)".contains("rejected the username or password") && error.category == .refused
        }
    }

    /// Round trips counted by a relay between client and server (TCP connect = 1). A
    /// generated name sends the SCRAM `<auth>` with the registration; a chosen one waits for
    /// the registration result first: one round trip more (#16 item 9).
    @Test(.enabled(if: World.isAvailable || TestSupport.isCI),
          arguments: [(TLSMode.startTLS, true, 7), (.startTLS, false, 8), (.directTLS, true, 6), (.directTLS, false, 7)])
    func roundTripsCountedByARelay(mode: TLSMode, generated: Bool, expected: Int) throws {
        let world = try #require(World.current, "local world not running")
        let relay = CountingRelay(upstream: UInt16(mode == .startTLS ? world.prosodyPort : world.prosodyTLSPort))
        defer { relay.stop() }
        var endpoint = Self.endpoint(world, port: Int(relay.port), tls: mode)
        endpoint.host = "127.0.0.1"
        let started = Date()
        let result = try RegistrationClient.register(endpoint: endpoint, proxy: .none, username: Self.name(),
                                                     password: CredentialGenerator.password(), usernameWasGenerated: generated)
        let elapsed = Date().timeIntervalSince(started)
        // The relay records the connection once both sides have closed.
        for _ in 0..<50 where relay.roundTrips.isEmpty { Thread.sleep(forTimeInterval: 0.05) }
        let counted = try #require(relay.roundTrips.first)
        print("round trips (\(mode.rawValue), \(generated ? "generated" : "chosen") name): relay \(counted), client \(result.roundTrips), \(String(format: "%.3f", elapsed)) s at 40 ms RTT")
        #expect(counted == result.roundTrips)
        #expect(counted == expected)
    }

    /// A chosen name that exists: the registration is refused and no login is attempted
    /// (the pipelined one was a failed login on someone else's account). The relay sees
    /// the stream end after the registration error, without the SCRAM challenge and abort.
    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func aTakenChosenNameCostsNoLoginAttempt() throws {
        let world = try #require(World.current, "local world not running")
        let username = Self.name()
        _ = try RegistrationClient.register(endpoint: Self.endpoint(world, port: world.prosodyPort), proxy: .none,
                                            username: username, password: CredentialGenerator.password(), usernameWasGenerated: true)
        var counts: [Bool: Int] = [:]
        for generated in [false, true] {
            let relay = CountingRelay(upstream: UInt16(world.prosodyPort))
            defer { relay.stop() }
            var endpoint = Self.endpoint(world, port: Int(relay.port))
            endpoint.host = "127.0.0.1"
            #expect(throws: RegistrationError.self) {
                _ = try RegistrationClient.register(endpoint: endpoint, proxy: .none, username: username,
                                                    password: CredentialGenerator.password(), usernameWasGenerated: generated)
            }
            for _ in 0..<50 where relay.roundTrips.isEmpty { Thread.sleep(forTimeInterval: 0.05) }
            counts[generated] = try #require(relay.roundTrips.first)
        }
        print("a taken name: \(counts[false]!) round trips when chosen, \(counts[true]!) when generated (SCRAM challenge + abort)")
        // Pipelined: the challenge comes with the error and must be aborted, one flight more.
        #expect(counts[false]! + 1 == counts[true]!)
    }
}

/// Collects progress events (the callback runs on the calling thread).
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [ConnectionEvent] = []
    func record(_ event: ConnectionEvent) { lock.lock(); events.append(event); lock.unlock() }
    var all: [ConnectionEvent] { lock.lock(); defer { lock.unlock() }; return events }
}

/// The invite-only instance: XEP-0445 preauth before XEP-0077.
@Suite(.serialized) struct InviteIntegrationTests {
    static func token(_ world: World) throws -> String {
        let uri = try world.generateInvite()
        return try #require(uri.components(separatedBy: "preauth=").last?.components(separatedBy: ";").first)
    }

    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func invitationIsRequiredAndAccepted() throws {
        let world = try #require(World.current, "local world not running")
        let endpoint = ProsodyIntegrationTests.endpoint(world, port: world.prosodyInvitePort)
        #expect(throws: RegistrationError.invitationRequired(serverText: "Registration on this server is through invitation only")) {
            _ = try RegistrationClient.register(endpoint: endpoint, proxy: .none, username: ProsodyIntegrationTests.name(),
                                                password: CredentialGenerator.password())
        }
        #expect {
            _ = try RegistrationClient.register(endpoint: endpoint, proxy: .none, username: ProsodyIntegrationTests.name(),
                                                password: CredentialGenerator.password(),
                                                options: SessionOptions(preauthToken: "bogus-token"))
        } throws: { error in
            guard case RegistrationError.inviteRejected = error else { return false }
            return "\(error)".contains("The invite token is invalid or expired")
        }
        let token = try Self.token(world)
        let result = try RegistrationClient.register(endpoint: endpoint, proxy: .none, username: ProsodyIntegrationTests.name(),
                                                     password: CredentialGenerator.password(), usernameWasGenerated: true,
                                                     options: SessionOptions(preauthToken: token))
        #expect(result.registered)
        // One more than without a token: the invitation must be accepted before the form counts.
        #expect(result.roundTrips <= 8)
    }
}

/// Passwords with XML metacharacters survive escaping, and the server-end-point
/// channel binding of the world's certificate is its SHA-256 (RFC 5929).
@Suite struct EscapingAndBindingTests {
    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func passwordWithMarkupCharacters() throws {
        let world = try #require(World.current, "local world not running")
        let username = ProsodyIntegrationTests.name()
        let password = SecretBytes(utf8: "a&b<c>d'e\"f g&amp;")
        _ = try RegistrationClient.register(endpoint: ProsodyIntegrationTests.endpoint(world, port: world.prosodySHA256Port),
                                            proxy: .none, username: username, password: password)
        let login = try RegistrationClient.verify(endpoint: ProsodyIntegrationTests.endpoint(world, port: world.prosodySHA256Port),
                                                  proxy: .none, username: username, password: password)
        #expect(login.saslMechanism == "SCRAM-SHA-256")
    }

    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func serverEndPointBindingOfTheWorldCertificate() throws {
        let world = try #require(World.current, "local world not running")
        let pem = try String(contentsOf: world.certificatePEM, encoding: .utf8)
        let certificate = try #require(X509Certificate(pem: pem))
        #expect(certificate.sha256Fingerprint == world.certificateSHA256)
        let binding = try #require(certificate.serverEndPointChannelBinding)
        #expect(binding.map { String(format: "%02x", $0) }.joined() == world.certificateSHA256)
    }
}
