import Foundation
import Secrets
import Testing
import TestSupport
@testable import XMPPOverTor
import Vocabulary

/// Invite links (XEP-0401 / XEP-0445), parsed without a network.
@Suite struct InviteURITests {
    @Test func registerStyleWithoutAndWithUsername() throws {
        let plain = try InviteURI("xmpp:example.org?register;preauth=abc123")
        #expect(plain == InviteURI(domain: "example.org", token: "abc123", suggestedUsername: nil, inviter: nil))
        let named = try InviteURI("  xmpp:Romeo@Example.ORG?register;preauth=t%2Bk%3D  ")
        #expect(named.domain == "example.org" && named.suggestedUsername == "romeo" && named.token == "t+k=")
    }

    @Test func rosterStyleWithIBR() throws {
        let invite = try InviteURI("xmpp:juliet@example.com?roster;preauth=TOKEN;ibr=y")
        #expect(invite.domain == "example.com" && invite.token == "TOKEN")
        #expect(invite.suggestedUsername == nil && invite.inviter == "juliet@example.com")
    }

    @Test func notInvitations() {
        #expect(throws: InviteURIError.notXMPP("https://example.org")) { try InviteURI("https://example.org") }
        #expect(throws: InviteURIError.notAnInvitation) { try InviteURI("xmpp:example.org") }
        #expect(throws: InviteURIError.notAnInvitation) { try InviteURI("xmpp:example.org?register") }
        #expect(throws: InviteURIError.notAnInvitation) { try InviteURI("xmpp:juliet@example.com?roster;preauth=T") }
        #expect(throws: InviteURIError.notAnInvitation) { try InviteURI("xmpp:room@muc.example?join;preauth=T") }
        #expect(throws: (any Error).self) { try InviteURI("xmpp:a@b@c?register;preauth=T") }
        #expect(throws: (any Error).self) { try InviteURI("xmpp:@example.org?register;preauth=T") }
    }

    /// Issue 17 item 3: a parameter made only of `=` trapped with "Index out of range".
    @Test(arguments: ["xmpp:example.org?register;=;preauth=TOKEN", "xmpp:example.org?register;preauth=TOKEN;=#x",
                      "xmpp:example.org?register;=x;preauth=TOKEN", "xmpp:example.org?register;==;preauth=T"])
    func parameterWithoutName(link: String) {
        let error = #expect(throws: InviteURIError.self) { try InviteURI(link) }
        guard case .malformed(let why)? = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(why.contains("has no name"))
        #expect(error?.category == .invalidData)
    }

    @Test func emptyValueIsAllowedButNotAsToken() throws {
        #expect(throws: InviteURIError.notAnInvitation) { try InviteURI("xmpp:example.org?register;preauth=") }
        let invite = try InviteURI("xmpp:example.org?register;ibr;preauth=T")
        #expect(invite.token == "T")
    }
}

/// ejabberd 23.01's real CAPTCHA form (ejabberd-captcha.md), BoB data as a sibling of the form.
@Suite struct CAPTCHAFormTests {
    static let png = "iVBORw0KGgoAAAANSUhEUgAAAJQAAAAkCAAAAABKnUx9AAAAfklEQVR4nO2SwRKAQAhC/f+frq5tQOwpx+Cm68Jzxjoaqr4GQAqUqxtUXVrrVegNGguv19lAjYBCH3YCEYAzD3MDNQJKmaOPKoT17DpQY6FUuAJiwWzBQAXKDWZ+gfovlKp3F1D9QM2EYseJ+s5BMx809/AP1AioTgqUq5ZQJ3oqwRKdEd+gAAAAAElFTkSuQmCC"
    static let stanza = """
        <iq xml:lang='en' from='captcha.example' type='result' id='dc2ff3ba58e14d68897b2abce9c78bb3'><query xmlns='jabber:iq:register'><x type='form' xmlns='jabber:x:data'><instructions>Choose a username and password to register with this server</instructions><field var='FORM_TYPE' type='hidden'><value>jabber:iq:register</value></field><field var='username' type='text-single' label='User'><required/></field><field var='password' type='text-private' label='Password'><required/></field><field var='captcha-fallback-text' type='fixed'><value>If you don&apos;t see the CAPTCHA image here, visit the web page.</value></field><field var='captcha-fallback-url' type='text-single' label='CAPTCHA web page'><value>http://127.0.0.1:27280/captcha/9390757509853984462/image</value></field><field var='from' type='hidden' label='Attribute &apos;to&apos; of stanza that triggered challenge'><value>captcha.example</value></field><field var='challenge' type='hidden' label='Challenge ID'><required/><value>9390757509853984462</value></field><field var='sid' type='hidden' label='Stanza ID'><value>dc2ff3ba58e14d68897b2abce9c78bb3</value></field><field var='ocr' type='text-single' label='Enter the text you see'><media xmlns='urn:xmpp:media-element'><uri type='image/png'>cid:sha1+91898bb2869594a271e7281e553248ad9e66ad96@bob.xmpp.org</uri></media><required/></field></x><data type='image/png' max-age='0' cid='sha1+91898bb2869594a271e7281e553248ad9e66ad96@bob.xmpp.org' xmlns='urn:xmpp:bob'>\(png)</data><instructions>You need a client that supports x:data and CAPTCHA to register</instructions></query></iq>
        """

    func parse(_ xml: String) throws -> XMLElement {
        let parser = XMLStreamParser()
        let events = try parser.feed(Array(("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>" + xml).utf8))
        guard case .element(let element)? = events.last else { throw StreamError.unexpected("no element") }
        return element
    }

    @Test func ejabberdFormYieldsTheCAPTCHAWithInlineImage() throws {
        let form = RegistrationForm(iq: try parse(Self.stanza))
        let dataForm = try #require(form.dataForm)
        #expect(dataForm.field("FORM_TYPE")?.values == ["jabber:iq:register"])  // not urn:xmpp:captcha
        #expect(dataForm.instructions == ["Choose a username and password to register with this server"])
        #expect(dataForm.fields.map(\.type) == ["hidden", "text-single", "text-private", "fixed", "text-single",
                                               "hidden", "hidden", "hidden", "text-single"])
        #expect(dataForm.field("challenge")?.required == true && dataForm.field("username")?.label == "User")
        #expect(form.instructions == "You need a client that supports x:data and CAPTCHA to register")
        #expect(form.fieldsForCaller == ["ocr"])
        let captcha = try #require(form.captcha)
        #expect(captcha.variable == "ocr" && captcha.label == "Enter the text you see")
        #expect(captcha.mimeType == "image/png")
        #expect(captcha.media == Data(base64Encoded: Self.png))
        #expect(captcha.media?.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
        #expect(captcha.fallbackText == "If you don't see the CAPTCHA image here, visit the web page.")
        #expect(captcha.fallbackURL == "http://127.0.0.1:27280/captcha/9390757509853984462/image")
        // The submission echoes the hidden challenge and carries the answer.
        let xml = try RegistrationSubmission.query(form: form, username: "dave", passwordMarker: "MARK", answers: ["ocr": "152491"])
            .serialized()
        #expect(xml.contains("<field var='challenge'><value>9390757509853984462</value></field>"))
        #expect(xml.contains("<field var='ocr'><value>152491</value></field>"))
        #expect(!xml.contains("captcha-fallback-text"))
    }

    @Test func everyFieldTypeWithOptionsLabelsAndFixedText() throws {
        let form = try #require(DataForm(try parse("""
            <x xmlns='jabber:x:data' type='form'><title>Sign up</title><instructions>One</instructions><instructions>Two</instructions>\
            <field var='tos' type='boolean' label='Accept'><desc>The rules</desc><required/><value>0</value></field>\
            <field type='fixed'><value>Read this first.</value></field>\
            <field var='lang' type='list-single' label='Language'><option label='English'><value>en</value></option><option><value>de</value></option></field>\
            <field var='topics' type='list-multi'><value>a</value><value>b</value></field>\
            <field var='friends' type='jid-multi'/><field var='owner' type='jid-single'/>\
            <field var='bio' type='text-multi'><value>l1</value><value>l2</value></field><field var='plain'/>\
            <field var='odd' type='x-custom'/></x>
            """)))
        #expect(form.title == "Sign up" && form.instructions == ["One", "Two"])
        #expect(form.fixedTexts == ["Read this first."])
        let tos = try #require(form.field("tos"))
        #expect(tos.type == "boolean" && tos.required && tos.label == "Accept" && tos.description == "The rules" && tos.values == ["0"])
        #expect(form.field("lang")?.options == [DataForm.Option(label: "English", value: "en"), DataForm.Option(label: nil, value: "de")])
        #expect(form.field("topics")?.values == ["a", "b"] && form.field("topics")?.isMultiValued == true)
        #expect(form.field("bio")?.values == ["l1", "l2"] && form.field("friends")?.isMultiValued == true)
        #expect(form.field("plain")?.type == "text-single" && form.field("owner")?.isMultiValued == false)
        #expect(form.field("odd")?.isKnownType == false && form.field("owner")?.isKnownType == true)
    }

    @Test func webOnlyMediaIsNotFetched() throws {
        let form = RegistrationForm(iq: try parse("""
            <iq type='result' id='x'><query xmlns='jabber:iq:register'><x type='form' xmlns='jabber:x:data'>\
            <field var='username' type='text-single'><required/></field>\
            <field var='answer' type='text-single' label='Type it'><media xmlns='urn:xmpp:media-element'>\
            <uri type='image/png'>https://example.org/c.png</uri></media><required/></field></x></query></iq>
            """))
        let captcha = try #require(form.captcha)
        #expect(captcha.media == nil && captcha.fallbackURL == "https://example.org/c.png")
    }

    @Test func wrongAnswerMapsToCAPTCHAFailure() throws {
        let reply = try parse("<iq type='error' id='s'><error type='cancel'><not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>The CAPTCHA verification has failed</text></error></iq>")
        #expect(StanzaError(iq: reply).registrationError(username: "u", webRegistrationURL: nil, hadCAPTCHA: true)
            == .captchaFailed(serverText: "The CAPTCHA verification has failed"))
        let modify = try parse("<iq type='error' id='s'><error type='modify'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>")
        #expect(StanzaError(iq: modify).registrationError(username: "u", webRegistrationURL: nil, hadCAPTCHA: true)
            == .captchaFailed(serverText: nil))
        #expect("\(RegistrationError.captchaRequired(webRegistrationURL: "https://jabjab.de/register"))"
            .contains("https://jabjab.de/register"))
        #expect(RegistrationError.captchaRequired(webRegistrationURL: nil).category == .missingAnswers)
    }
}

/// XEP-0402 / XEP-0049 payloads.
@Suite struct BookmarkPayloadTests {
    @Test func publishCarriesThePublishOptions() {
        let xml = BookmarkPayloads.publish(RoomBookmark(jid: "support@conference.example", alias: "Support", handle: "heron"))
            .serialized(parentNamespace: "jabber:client")
        #expect(xml.contains("<publish node='urn:xmpp:bookmarks:1'><item id='support@conference.example'>"))
        #expect(xml.contains("<conference xmlns='urn:xmpp:bookmarks:1' name='Support' autojoin='true'><nick>heron</nick></conference>"))
        for (field, value) in [("pubsub#persist_items", "true"), ("pubsub#max_items", "max"),
                               ("pubsub#send_last_published_item", "never"), ("pubsub#access_model", "whitelist")] {
            #expect(xml.contains("<field var='\(field)'><value>\(value)</value></field>"))
        }
        #expect(!xml.contains("password"))
    }

    @Test func legacyMergeKeepsOtherEntriesAndReplacesOurs() throws {
        let existing = XMLElement("storage", namespace: "storage:bookmarks", children: [
            XMLElement("conference", namespace: "storage:bookmarks", attributes: [("jid", "other@muc.example"), ("autojoin", "false")],
                       children: [XMLElement("nick", namespace: "storage:bookmarks", text: "me"),
                                  XMLElement("password", namespace: "storage:bookmarks", text: "theirs")]),
            XMLElement("url", namespace: "storage:bookmarks", attributes: [("name", "site"), ("url", "https://example.org")]),
            XMLElement("conference", namespace: "storage:bookmarks", attributes: [("jid", "Support@conference.example")]),
        ])
        let merged = BookmarkPayloads.mergedLegacy(existing: existing,
                                                   adding: RoomBookmark(jid: "support@conference.example", handle: "heron"))
        let parsed = BookmarkPayloads.parse(legacyStorage: merged)
        #expect(parsed.map(\.jid) == ["other@muc.example", "support@conference.example"])
        #expect(parsed.last == RoomBookmark(jid: "support@conference.example", handle: "heron"))
        #expect(merged.children.contains { $0.name == "url" })
        let ours = merged.serialized()
        #expect(ours.contains("<password>theirs</password>"))  // someone else's entry untouched
        #expect(ours.components(separatedBy: "<password>").count == 2)  // and we add none
    }
}

/// Issue 16 item 14: re-sent bookmarks keep their namespaces; the retry decision reads conditions.
@Suite struct BookmarkResendTests {
    static func parse(_ xml: String) throws -> XMLElement {
        let events = try XMLStreamParser().feed(Array(("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>" + xml).utf8))
        guard case .element(let element)? = events.last else { throw StreamError.unexpected("no element") }
        return element
    }

    /// Another client's entry with a prefixed attribute survives our read-merge-write and
    /// still parses: the prefix's declaration is written again.
    @Test func prefixedAttributesKeepTheirNamespace() throws {
        let reply = try Self.parse("""
            <iq type='result' id='p'><query xmlns='jabber:iq:private'><storage xmlns='storage:bookmarks' xmlns:g='urn:example:gajim'>\
            <conference jid='other@muc.example' g:minimize='true' xml:lang='en'><nick>me</nick></conference></storage></query></iq>
            """)
        let storage = BookmarkPayloads.storage(inPrivateReply: reply)
        let merged = BookmarkPayloads.mergedLegacy(existing: storage, adding: RoomBookmark(jid: "support@conference.example", handle: "heron"))
        let request = BookmarkPayloads.privateStorageSet(id: "s", merged)
        #expect(request.contains("xmlns:g='urn:example:gajim'"))
        let again = try Self.parse(request)
        let other = try #require(BookmarkPayloads.storage(inPrivateReply: again)?.children.first)
        #expect(other[attribute: "g:minimize"] == "true" && other.attributeNamespaces["g"] == "urn:example:gajim")
        #expect(other[attribute: "xml:lang"] == "en")
    }

    static func publishError(_ error: String) throws -> StanzaError {
        StanzaError(iq: try parse("<iq type='error' id='b'>\(error)</iq>"))
    }

    @Test func theRetryFollowsConditionsNotText() throws {
        // ejabberd 23.01's answer to pubsub#max_items, in any language.
        for text in ["Unknown field 'pubsub#max_items'", "Unbekanntes Feld 'pubsub#max_items'", ""] {
            let error = try Self.publishError("<error type='wait'><resource-constraint xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>\(text)</text></error>")
            #expect(BookmarkPayloads.retryWithEssentialOptions(after: error), "\(text)")
        }
        // XEP-0060 §7.1.5: the options do not match the node's configuration.
        let precondition = try Self.publishError("<error type='cancel'><conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><precondition-not-met xmlns='http://jabber.org/protocol/pubsub#errors'/></error>")
        #expect(BookmarkPayloads.retryWithEssentialOptions(after: precondition))
        // Publishing is impossible whatever the options: no retry, even if the text says "Unknown field".
        for condition in ["forbidden", "not-allowed", "service-unavailable", "item-not-found", "conflict"] {
            let error = try Self.publishError("<error type='cancel'><\(condition) xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>Unknown field</text></error>")
            #expect(!BookmarkPayloads.retryWithEssentialOptions(after: error), "\(condition)")
        }
    }
}

/// Thread-safe counter for @Sendable answer callbacks.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
    var count: Int { lock.lock(); defer { lock.unlock() }; return value }
}

/// Against the world's ejabberd with CAPTCHA-protected registration (loopback, no Tor).
@Suite(.serialized) struct EjabberdCAPTCHATests {
    static func endpoint(_ world: World, tls: TLSMode = .startTLS) -> Endpoint {
        Endpoint(domain: world.ejabberdDomain, host: "127.0.0.1",
                 port: UInt16(tls == .startTLS ? world.ejabberdPort : world.ejabberdTLSPort), tlsMode: tls,
                 pin: world.ejabberdCertificateSHA256)
    }

    /// Answers from the world's record of the image shown; `wrongFirst` answers wrongly that many times.
    static func answering(_ world: World, wrongFirst: Int = 0, counter: Counter) -> @Sendable (RegistrationForm) throws -> [String: String] {
        { form in
            let captcha = try #require(form.captcha)
            #expect(captcha.media?.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]) && captcha.mimeType == "image/png")
            let uri = try #require(form.dataForm?.field(captcha.variable)?.media.first?.uris.first?.uri)
            let answer = try #require(world.captchaAnswer(cid: uri), "no recorded answer for \(uri)")
            return [captcha.variable: counter.next() <= wrongFirst ? "x" + answer : answer]
        }
    }

    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func rightAnswerRegistersThenSCRAMLoginWorks() throws {
        let world = try #require(World.current, "local world not running")
        let username = ProsodyIntegrationTests.name()
        let password = CredentialGenerator.password()
        let counter = Counter()
        let result = try RegistrationClient.register(endpoint: Self.endpoint(world), proxy: .none, username: username, password: password,
                                                     options: SessionOptions(answerFields: Self.answering(world, counter: counter)))
        #expect(result.registered && result.jid == "\(username)@\(world.ejabberdDomain)")
        #expect(result.captchaAttempts == 1 && counter.count == 1)
        #expect(result.saslMechanism.hasPrefix("SCRAM-"))
        let login = try RegistrationClient.verify(endpoint: Self.endpoint(world, tls: .directTLS), proxy: .none,
                                                  username: username, password: password)
        #expect(login.jid == result.jid)
    }

    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func wrongAnswerIsRetriedWithAFreshForm() throws {
        let world = try #require(World.current, "local world not running")
        let counter = Counter()
        let events = EventLog()
        let result = try RegistrationClient.register(endpoint: Self.endpoint(world), proxy: .none,
                                                     username: ProsodyIntegrationTests.name(), password: CredentialGenerator.password(),
                                                     options: SessionOptions(answerFields: Self.answering(world, wrongFirst: 1, counter: counter)),
                                                     events: events.record)
        #expect(result.registered && result.captchaAttempts == 2 && counter.count == 2)
        #expect(events.all.contains(.captchaRetry(attempt: 2, of: 3)))
        // Always wrong: gives up after the limit, naming the provider's web page.
        let always = Counter()
        var options = SessionOptions(webRegistrationURL: "https://captcha.test/register",
                                     answerFields: Self.answering(world, wrongFirst: 99, counter: always))
        options.captchaAttempts = 2
        let exhausted = RegistrationError.captchaAttemptsExhausted(attempts: 2, webRegistrationURL: "https://captcha.test/register",
                                                                   serverText: "The CAPTCHA verification has failed")
        #expect(exhausted.description.contains("register on the provider's web page instead: https://captcha.test/register"))
        #expect(throws: exhausted) {
            _ = try RegistrationClient.register(endpoint: Self.endpoint(world), proxy: .none,
                                                username: ProsodyIntegrationTests.name(), password: CredentialGenerator.password(),
                                                options: options)
        }
        #expect(always.count == 2)
    }

    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func withoutAnAnswererTheCAPTCHANamesTheWebPage() throws {
        let world = try #require(World.current, "local world not running")
        #expect(throws: RegistrationError.captchaRequired(webRegistrationURL: "https://captcha.test/register")) {
            _ = try RegistrationClient.register(endpoint: Self.endpoint(world), proxy: .none,
                                                username: ProsodyIntegrationTests.name(), password: CredentialGenerator.password(),
                                                options: SessionOptions(webRegistrationURL: "https://captcha.test/register"))
        }
    }

    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func bookmarksAfterRegistration() throws {
        let world = try #require(World.current, "local world not running")
        let username = ProsodyIntegrationTests.name()
        let password = CredentialGenerator.password()
        let bookmark = RoomBookmark(jid: "support@conference.\(world.ejabberdDomain)", alias: "Support", handle: "heron")
        var options = SessionOptions(answerFields: Self.answering(world, counter: Counter()))
        options.serverBookmark = bookmark
        let result = try RegistrationClient.register(endpoint: Self.endpoint(world), proxy: .none, username: username,
                                                     password: password, options: options)
        let outcome = try #require(result.bookmark)
        #expect(outcome.warnings.isEmpty, "\(outcome.warnings)")
        #expect(outcome.publishedPEP && outcome.roundTrips <= 2)
        print("bookmark step on ejabberd: \(outcome.roundTrips) round trip(s), compat=\(outcome.serverMirrorsLegacy), wroteLegacy=\(outcome.wroteLegacy)")
        try BookmarkChecks.expectStored(bookmark, endpoint: Self.endpoint(world), username: username, password: password)
        try BookmarkChecks.expectPreexistingKept(endpoint: Self.endpoint(world), username: username, password: password)
    }
}

enum BookmarkChecks {
    static func read(endpoint: Endpoint, username: String, password: SecretBytes) throws -> (pep: [RoomBookmark], legacy: [RoomBookmark]) {
        let session = try AccountSession.open(endpoint: endpoint, proxy: .none, intent: .login)
        defer { session.close() }
        _ = try session.logIn(username: username, password: password)
        return try session.readBookmarks()
    }

    static func expectStored(_ bookmark: RoomBookmark, endpoint: Endpoint, username: String, password: SecretBytes) throws {
        let (pep, legacy) = try read(endpoint: endpoint, username: username, password: password)
        #expect(pep.contains(bookmark), "XEP-0402 items: \(pep)")
        let stored = legacy.first { $0.jid == bookmark.jid }
        #expect(stored?.autojoin == true && stored?.handle == bookmark.handle, "XEP-0049 storage: \(legacy)")
    }

    /// A bookmark that was there before the step survives it (both stores).
    static func expectPreexistingKept(endpoint: Endpoint, username: String, password: SecretBytes) throws {
        let other = RoomBookmark(jid: "other@muc.elsewhere.example", handle: "me", autojoin: false)
        do {
            let session = try AccountSession.open(endpoint: endpoint, proxy: .none, intent: .login)
            defer { session.close() }
            _ = try session.logIn(username: username, password: password)
            let (_, legacy) = try session.readBookmarks()
            try session.writeLegacyBookmarks(legacy + [other])
        }
        let room = RoomBookmark(jid: "second@conference.example", handle: "heron2")
        let outcome = try RegistrationClient.storeBookmark(room, endpoint: endpoint, proxy: .none, username: username, password: password)
        #expect(outcome.warnings.isEmpty, "\(outcome.warnings)")
        let (pep, legacy) = try read(endpoint: endpoint, username: username, password: password)
        #expect(legacy.contains(other), "the earlier bookmark was dropped: \(legacy)")
        #expect(legacy.contains { $0.jid == room.jid && $0.handle == "heron2" && $0.autojoin })
        #expect(pep.contains(room))
    }
}

/// The bookmark step and invites against the world's Prosody instances.
@Suite(.serialized) struct ProsodyBookmarkAndInviteTests {
    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func bookmarkAfterRegistrationAndPreexistingKept() throws {
        let world = try #require(World.current, "local world not running")
        let endpoint = ProsodyIntegrationTests.endpoint(world, port: world.prosodyPort)
        let username = ProsodyIntegrationTests.name()
        let password = CredentialGenerator.password()
        let bookmark = RoomBookmark(jid: world.roomJID, alias: "Support", handle: "mossyheron")
        var options = SessionOptions()
        options.serverBookmark = bookmark
        let events = EventLog()
        let result = try RegistrationClient.register(endpoint: endpoint, proxy: .none, username: username, password: password,
                                                     options: options, events: events.record)
        let outcome = try #require(result.bookmark)
        #expect(outcome.publishedPEP && outcome.warnings.isEmpty, "\(outcome)")
        // One flight (disco + publish + private get) when the server mirrors; two otherwise.
        #expect(outcome.roundTrips == (outcome.serverMirrorsLegacy ? 1 : 2))
        print("bookmark step on Prosody: \(outcome.roundTrips) round trip(s), compat=\(outcome.serverMirrorsLegacy)")
        #expect(events.all.contains(.storingBookmark(room: world.roomJID)))
        try BookmarkChecks.expectStored(bookmark, endpoint: endpoint, username: username, password: password)
        try BookmarkChecks.expectPreexistingKept(endpoint: endpoint, username: username, password: password)
    }

    @Test(.enabled(if: World.isAvailable || TestSupport.isCI))
    func inviteLinkRegistersOnceThenIsRefused() throws {
        let world = try #require(World.current, "local world not running")
        let invite = try InviteURI(try world.generateInvite())
        #expect(invite.domain == world.xmppDomain)
        let endpoint = ProsodyIntegrationTests.endpoint(world, port: world.prosodyInvitePort)
        let result = try RegistrationClient.register(endpoint: endpoint, proxy: .none, username: ProsodyIntegrationTests.name(),
                                                     password: CredentialGenerator.password(),
                                                     options: SessionOptions(preauthToken: invite.token))
        #expect(result.registered)
        for token in [invite.token, String(invite.token.reversed()) + "forged"] {
            #expect {
                _ = try RegistrationClient.register(endpoint: endpoint, proxy: .none, username: ProsodyIntegrationTests.name(),
                                                    password: CredentialGenerator.password(),
                                                    options: SessionOptions(preauthToken: token))
            } throws: { error in
                guard case RegistrationError.inviteRejected = error else { return false }
                return "\(error)".contains("The invite token is invalid or expired")
            }
        }
    }
}
