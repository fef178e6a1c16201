import Foundation
import Secrets
import Testing
import TestSupport
@testable import XMPPOverTor
import Vocabulary

/// What a registration form answer says (XEP-0077 §3.1), decided from the stanza alone.
@Suite struct RegistrationObservationTests {
    static func iq(_ xml: String) throws -> XMLElement { try BookmarkResendTests.parse(xml) }
    static func features(_ xml: String) throws -> StreamFeatures {
        StreamFeatures(element: try BookmarkResendTests.parse("<stream:features>\(xml)</stream:features>"))
    }

    @Test func kindsOfAnswer() throws {
        let register = "<register xmlns='http://jabber.org/features/iq-register'/>"
        let plain = try Self.features(register)
        func kind(_ reply: String, _ features: StreamFeatures? = nil) throws -> RegistrationObservation {
            ProviderProbe.observe(formReply: try Self.iq(reply), features: features ?? plain)
        }
        let legacy = try kind("<iq type='result' id='f'><query xmlns='jabber:iq:register'><instructions>Pick</instructions><username/><password/><email/></query></iq>")
        #expect(legacy.kind == .legacyFields && legacy.fields == ["username", "password", "email"] && legacy.extraFields == ["email"])
        #expect(legacy.advertised && !legacy.invitationsAdvertised && legacy.instructions == "Pick")
        let form = try kind("""
            <iq type='result' id='f'><query xmlns='jabber:iq:register'><username/><password/><x xmlns='jabber:x:data' type='form'>\
            <field type='hidden' var='FORM_TYPE'><value>jabber:iq:register</value></field>\
            <field type='text-single' var='username'><required/></field><field type='text-private' var='password'><required/></field>\
            </x></query></iq>
            """)
        #expect(form.kind == .dataForm && form.fields == ["username", "password"] && form.extraFields.isEmpty)
        let captcha = try kind("""
            <iq type='result' id='f'><query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='form'>\
            <field var='username'><required/></field><field var='password' type='text-private'><required/></field>\
            <field var='ocr' type='text-single'><media xmlns='urn:xmpp:media-element'><uri type='image/png'>cid:sha1+x@bob.xmpp.org</uri></media><required/></field>\
            </x></query></iq>
            """)
        #expect(captcha.kind == .captcha && captcha.extraFields.isEmpty && captcha.kind.isOpen)
        let web = try kind("<iq type='result' id='f'><query xmlns='jabber:iq:register'><instructions>Go to the site</instructions><x xmlns='jabber:x:oob'><url>https://x.example/register</url></x></query></iq>")
        #expect(web.kind == .webOnly && web.webURL == "https://x.example/register" && !web.kind.isOpen)
        let closed = try kind("<iq type='error' id='f'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
                              try Self.features(""))
        #expect(closed.kind == .closed && closed.error == "cancel/service-unavailable" && !closed.advertised)
        let invite = try kind("""
            <iq type='error' id='f'><error type='modify'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\
            <text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>Registration on this server is through invitation only</text></error></iq>
            """, try Self.features(register + "<register xmlns='urn:xmpp:ibr-token:0'/><register xmlns='urn:xmpp:invite'/>"))
        #expect(invite.kind == .inviteOnly && invite.invitationsAdvertised)
        #expect(invite.errorText == "Registration on this server is through invitation only")
        let odd = try kind("<iq type='error' id='f'><error type='wait'><resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>")
        #expect(odd.kind == .unknown && odd.error == "wait/resource-constraint")
    }

    @Test func aFailureInAFewWords() {
        #expect(ProviderProbe.brief(SOCKS5Error.reply(code: 0xF0, destination: "x.onion:5222")).hasPrefix("not in the Tor network"))
        #expect(ProviderProbe.brief(ConnectionError.timedOut(phase: "the TLS handshake", seconds: 20)) == "no answer within 20 s (the TLS handshake)")
        #expect(ProviderProbe.brief(ConnectionError.refused(host: "127.0.0.1", port: 9050, viaTor: true)) == "Tor is not running")
    }

    @Test func aProbeCapsEveryPhaseByItsDeadline() {
        let limit = Deadline(seconds: 1, phase: "the probe")
        let capped = Timeouts(connect: 120, tlsHandshake: 60, reply: 60, limit: limit).deadline(60, "waiting for the features")
        #expect(capped.secondsLeft <= 1)
        #expect(capped.timeoutError == .timedOut(phase: "waiting for the features", seconds: 1))
        #expect(Timeouts().deadline(60, "x").secondsLeft > 59)
    }
}

/// `ProviderProbe` through the world's private Tor network, against every kind of onion it has.
@Suite(.serialized) struct ProviderProbeWorldTests {
    static func probe(_ world: World, domain: String, onion: String, directTLS: UInt16? = 5223, pin: String? = nil,
                      spkiPin: String? = nil, deadline: Double = 20) -> ProbeReport {
        // The first stream over a fresh circuit can fail transiently (tor-testnet.md §11): once more then.
        for attempt in 1...3 {
            let report = ProviderProbe.run(Endpoint(domain: domain, host: onion, port: 5222, pin: pin, spkiPin: spkiPin),
                                           directTLSPort: directTLS, proxy: TorIntegrationTests.proxy(world), deadline: deadline)
            let transient = report.failure.map { failure in
                !failure.timedOut && ([0x01, 0xF2, 0xF3, 0xF7] as [UInt8]).contains { code in
                    failure.message == SOCKS5Error.message(code: code, destination: "\(onion):5222")
                }
            } ?? false
            if !transient || attempt == 3 { return report }
            Thread.sleep(forTimeInterval: 2)
        }
        fatalError("unreachable")
    }

    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func openProvider() throws {
        let world = try #require(World.current, "local world not running")
        let report = Self.probe(world, domain: world.xmppDomain, onion: world.onion, pin: world.certificateSHA256)
        #expect(report.failure == nil, "\(report.failure!)")
        #expect(report.reachable && report.startTLS == true && report.directTLS == true)
        #expect(report.registration?.kind == .dataForm && report.registration?.advertised == true)
        #expect(report.mechanisms.contains("SCRAM-SHA-1"))
        #expect(try #require(report.roundTripSeconds) > 0)
        let main = try #require(report.mainCertificate)
        #expect(main.serverName == world.onion && main.sha256 == world.certificateSHA256 && main.trust == .pinned)
        #expect(main.validForDomainByCA == false && main.notAfter != nil && main.spkiSHA256?.count == 64)
        // SNI = the domain on STARTTLS: the same certificate; direct TLS refuses an onion SNI (Prosody, docs/testbed.md).
        let names = report.certificates.map { "\($0.tls) \($0.serverName)" }
        #expect(names == ["starttls \(world.onion)", "starttls \(world.xmppDomain)", "direct-tls \(world.onion)", "direct-tls \(world.xmppDomain)"])
        #expect(report.certificates[1].sha256 == world.certificateSHA256)
        #expect(report.certificates[2].failure?.contains("unrecognized name") == true, "\(report.certificates[2])")
        #expect(report.certificates[3].sha256 == world.certificateSHA256)
        #expect(report.seconds > 0 && report.seconds < 20 && report.seconds >= (report.reachSeconds ?? 0))

        // A pin on the key (SPKI) vouches for the certificate; another key is refused, not hidden.
        let spki = try #require(main.spkiSHA256)
        let keyPinned = Self.probe(world, domain: world.xmppDomain, onion: world.onion, directTLS: nil, spkiPin: spki)
        #expect(keyPinned.mainCertificate?.trust == .pinned)
        let wrongKey = Self.probe(world, domain: world.xmppDomain, onion: world.onion, directTLS: nil,
                                  spkiPin: String(repeating: "0", count: 64))
        #expect(wrongKey.mainCertificate?.trust == nil)
        #expect(wrongKey.mainCertificate?.problem?.contains("another key than the one the provider map pins") == true)
    }

    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func captchaProviderShowsAnotherLeafPerServerName() throws {
        let world = try #require(World.current, "local world not running")
        let report = Self.probe(world, domain: world.ejabberdDomain, onion: world.ejabberdOnion)
        #expect(report.failure == nil, "\(report.failure!)")
        #expect(report.registration?.kind == .captcha)
        #expect(report.registration?.fields.contains("ocr") == true)
        #expect(report.mainCertificate?.sha256 == world.ejabberdDefaultCertificateSHA256, "SNI = the onion: the default leaf")
        #expect(report.mainCertificate?.trust == nil, "no pin, no CA this computer trusts")
        let domainLeaf = report.certificates.first { $0.tls == "starttls" && $0.serverName == world.ejabberdDomain }
        #expect(domainLeaf?.sha256 == world.ejabberdCertificateSHA256, "SNI = the domain: the domain leaf")
        #expect(report.certificates.filter { $0.tls == "direct-tls" }.allSatisfy { $0.sha256 != nil })
    }

    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func closedRegistration() throws {
        let world = try #require(World.current, "local world not running")
        let report = Self.probe(world, domain: world.closedDomain, onion: world.closedOnion, directTLS: nil,
                                pin: world.closedCertificateSHA256)
        #expect(report.failure == nil, "\(report.failure!)")
        #expect(report.registration?.kind == .closed && report.registration?.advertised == false)
        #expect(report.registration?.error == "cancel/service-unavailable")
        #expect(report.mainCertificate?.trust == .pinned)
    }

    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func deadAndSilentOnionsEachEndByTheirDeadline() throws {
        let world = try #require(World.current, "local world not running")
        let dead = Self.probe(world, domain: "dead.test", onion: world.deadOnion)
        #expect(!dead.reachable && dead.failure?.category == .unreachable)
        #expect(dead.failure?.brief.hasPrefix("not in the Tor network") == true, "\(dead.failure!)")
        #expect(dead.seconds > 0 && dead.seconds < 10)

        let started = Date()
        let silent = Self.probe(world, domain: "silent.test", onion: world.silentOnion, deadline: 6)
        let took = Date().timeIntervalSince(started)
        #expect(silent.reachable, "the onion takes the connection")
        #expect(silent.failure?.timedOut == true && silent.mainCertificate == nil, "\(String(describing: silent.failure))")
        #expect(took >= 5.5 && took < 9, "the silent onion ended by its deadline: \(took) s")
        #expect(silent.seconds >= 5.5 && silent.seconds <= took)
    }

    @Test func torNotRunningIsNotTheProvidersFault() {
        let report = ProviderProbe.run(Endpoint(domain: "x.example", host: FaultTests.onion, port: 5222),
                                       proxy: .tor(host: "127.0.0.1", port: 1), deadline: 5)
        #expect(report.failure?.torUnavailable == true && !report.reachable)
    }
}

/// The room check after bind, before any bookmark: against the world's rooms (public,
/// members-only, missing), straight to its Prosody.
@Suite(.serialized) struct RoomCheckWorldTests {
    final class Decisions: @unchecked Sendable {
        private let lock = NSLock()
        private var seen: [RoomStatus] = []
        let instead: RoomBookmark?
        init(instead: RoomBookmark?) { self.instead = instead }
        func decide(_ status: RoomStatus) -> RoomBookmark? {
            lock.lock()
            defer { lock.unlock() }
            seen.append(status)
            return status.problem == nil ? nil : instead
        }
        var statuses: [RoomStatus] { lock.lock(); defer { lock.unlock() }; return seen }
    }

    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func roomsSayWhatTheyAre() throws {
        let world = try #require(World.current, "local world not running")
        let endpoint = ProsodyIntegrationTests.endpoint(world, port: world.prosodyPort)
        let username = ProsodyIntegrationTests.name()
        let password = CredentialGenerator.password()
        _ = try RegistrationClient.register(endpoint: endpoint, proxy: .none, username: username, password: password)
        let session = try AccountSession.open(endpoint: endpoint, proxy: .none, intent: .login)
        defer { session.close() }
        _ = try session.logIn(username: username, password: password)
        let open = try session.roomStatus(world.roomJID)
        #expect(open.existence == .exists && open.isPublic == true && open.membersOnly == false && open.problem == nil, "\(open)")
        #expect(open.occupants != nil)
        let members = try session.roomStatus(world.roomMembersOnlyJID)
        #expect(members.existence == .exists && members.membersOnly == true)
        #expect(members.problem?.contains("members-only") == true)
        let missing = try session.roomStatus(world.roomMissingJID)
        #expect(missing.existence == .missing && missing.problem?.contains("does not exist") == true)
        // The stream is still usable after all three.
        #expect(try session.roomStatus(world.roomJID).existence == .exists)
    }

    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func aMissingRoomIsReplacedBeforeAnyBookmarkIsWritten() throws {
        let world = try #require(World.current, "local world not running")
        let endpoint = ProsodyIntegrationTests.endpoint(world, port: world.prosodyPort)
        let username = ProsodyIntegrationTests.name()
        let password = CredentialGenerator.password()
        let decisions = Decisions(instead: RoomBookmark(jid: world.roomJID, alias: "Support"))
        var options = SessionOptions()
        let planned = RoomBookmark(jid: world.roomMissingJID, alias: "Nowhere", handle: "quiet-lark")
        options.serverBookmark = planned
        options.roomCheck = RoomCheck(room: planned) { decisions.decide($0) }
        let events = EventLog()
        let result = try RegistrationClient.register(endpoint: endpoint, proxy: .none, username: username, password: password,
                                                     options: options, events: events.record)
        let room = try #require(result.room)
        #expect(decisions.statuses.map(\.existence) == [.missing, .exists])
        #expect(room.room.jid == world.roomJID && room.status.existence == .exists)
        #expect(room.checked.map(\.jid) == [world.roomMissingJID, world.roomJID])
        // The room was asked about before anything was bookmarked.
        let order = events.all.compactMap { event -> String? in
            switch event {
            case .roomChecked(let status): "checked \(status.jid)"
            case .storingBookmark(let jid): "bookmark \(jid)"
            default: nil
            }
        }
        #expect(order == ["checked \(world.roomMissingJID)", "checked \(world.roomJID)", "bookmark \(world.roomJID)"])
        let outcome = try #require(result.bookmark)
        #expect(outcome.publishedPEP && outcome.warnings.isEmpty, "\(outcome)")
        let (pep, legacy) = try BookmarkChecks.read(endpoint: endpoint, username: username, password: password)
        #expect(pep.map(\.jid) == [world.roomJID] && pep.first?.handle == "quiet-lark" && pep.first?.alias == "Support")
        #expect(!legacy.contains { $0.jid == world.roomMissingJID })
    }
}
