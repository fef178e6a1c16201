import Foundation
import Testing
@testable import XMPPOverTor

/// Forms, error mapping and certificate policy, from the stanzas Prosody and ejabberd send
/// (xmpp-protocol.md §2–§3).
@Suite struct RegistrationModelTests {
    func parse(_ xml: String) throws -> XMLElement {
        let parser = XMLStreamParser()
        let events = try parser.feed(Array(("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>" + xml).utf8))
        guard case .element(let element)? = events.last else { throw StreamError.unexpected("no element") }
        return element
    }

    @Test func prosodyFormPrefersTheDataForm() throws {
        let iq = try parse("""
            <iq type='result' id='r1'><query xmlns='jabber:iq:register'>
            <instructions>Choose a username and password for use with this service.</instructions>
            <username/><password/>
            <x type='form' xmlns='jabber:x:data'><title>Creating a new account</title>
            <field type='hidden' var='FORM_TYPE'><value>jabber:iq:register</value></field>
            <field type='text-single' var='username' label='Username'><required/></field>
            <field type='text-private' var='password' label='Password'><required/></field></x></query></iq>
            """)
        let form = RegistrationForm(iq: iq)
        #expect(form.legacyFields == ["username", "password"])
        #expect(form.dataForm?.fields.count == 3)
        #expect(form.fieldsForCaller.isEmpty)
        #expect(!form.isWebOnly && !form.hasCAPTCHA)
        let query = try RegistrationSubmission.query(form: form, username: "bob", passwordMarker: "MARK", answers: [:])
        let xml = query.serialized()
        #expect(xml.contains("<x xmlns='jabber:x:data' type='submit'>"))
        #expect(xml.contains("<field var='FORM_TYPE'><value>jabber:iq:register</value></field>"))
        #expect(xml.contains("<field var='username'><value>bob</value></field>"))
        #expect(xml.contains("<field var='password'><value>MARK</value></field>"))
        #expect(!xml.contains("<username>"))  // never both
    }

    @Test func legacyFieldsAskTheCallerForUnknownOnes() throws {
        let form = RegistrationForm(iq: try parse("<iq type='result' id='r'><query xmlns='jabber:iq:register'><username/><password/><email/></query></iq>"))
        #expect(form.fieldsForCaller == ["email"])
        #expect(throws: RegistrationError.unansweredFields(["email"])) {
            _ = try RegistrationSubmission.query(form: form, username: "bob", passwordMarker: "M", answers: [:])
        }
        let query = try RegistrationSubmission.query(form: form, username: "bob", passwordMarker: "M", answers: ["email": "a@b"])
        #expect(query.serialized() == "<query xmlns='jabber:iq:register'><username>bob</username><password>M</password><email>a@b</email></query>")
    }

    @Test func ejabberdCaptchaFormKeepsMediaAndBinaryData() throws {
        let iq = try parse("""
            <iq type='result' id='r'><query xmlns='jabber:iq:register'><instructions>Solve it</instructions>
            <x xmlns='jabber:x:data' type='form'>
            <field type='hidden' var='FORM_TYPE'><value>urn:xmpp:captcha</value></field>
            <field type='text-single' var='username' label='User'><required/></field>
            <field type='text-private' var='password' label='Password'><required/></field>
            <field type='hidden' var='challenge'><value>123</value></field>
            <field type='text-single' var='ocr' label='Enter the text you see'><required/>
              <media xmlns='urn:xmpp:media-element' height='60' width='180'><uri type='image/png'>cid:sha1+abc@bob.xmpp.org</uri></media></field>
            </x></query>
            <data xmlns='urn:xmpp:bob' cid='sha1+abc@bob.xmpp.org' max-age='0' type='image/png'>iVBORw0KGgo=</data></iq>
            """)
        let form = RegistrationForm(iq: iq)
        #expect(form.hasCAPTCHA)
        #expect(form.fieldsForCaller == ["ocr"])
        let ocr = try #require(form.dataForm?.field("ocr"))
        #expect(ocr.media.first?.uris.first?.uri == "cid:sha1+abc@bob.xmpp.org")
        #expect(form.allBinaryData.first?.cid == "sha1+abc@bob.xmpp.org")
        #expect(form.allBinaryData.first?.data == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        let xml = try RegistrationSubmission.query(form: form, username: "u", passwordMarker: "M", answers: ["ocr": "xyz"]).serialized()
        #expect(xml.contains("<field var='challenge'><value>123</value></field>"))
        #expect(xml.contains("<field var='ocr'><value>xyz</value></field>"))
    }

    @Test func outOfBandOnlyMeansWebRegistration() throws {
        let form = RegistrationForm(iq: try parse("<iq type='result' id='r'><query xmlns='jabber:iq:register'><instructions>Use the web</instructions><x xmlns='jabber:x:oob'><url>https://example.org/register</url></x></query></iq>"))
        #expect(form.isWebOnly)
        #expect(form.outOfBandURL == "https://example.org/register")
    }

    func error(_ type: String, _ condition: String, _ text: String?) throws -> RegistrationError {
        let textElement = text.map { "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>\($0)</text>" } ?? ""
        let iq = try parse("<iq type='error' id='r'><error type='\(type)'><\(condition) xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>\(textElement)</error></iq>")
        return StanzaError(iq: iq).registrationError(username: "bob", webRegistrationURL: "https://example.org/signup", hadCAPTCHA: false)
    }

    @Test func errorsAreMappedByConditionAndType() throws {
        let taken = try error("cancel", "conflict", "The requested username already exists.")
        #expect(taken == .usernameTaken(username: "bob", serverText: "The requested username already exists."))
        #expect(taken.description.contains("already taken") && taken.description.contains("The requested username already exists."))

        let prosodyThrottle = try error("wait", "policy-violation", "Too many registrations from this IP address recently")
        guard case .rateLimited = prosodyThrottle else { Issue.record("not rate limited"); return }
        #expect(prosodyThrottle.category == .tryLater && prosodyThrottle.description.contains("try again later"))

        let ejabberdThrottle = try error("wait", "resource-constraint", "Users are not allowed to register accounts so quickly")
        #expect(ejabberdThrottle == .rateLimited(condition: "resource-constraint", serverText: "Users are not allowed to register accounts so quickly", retryAfterSeconds: 600))
        #expect(ejabberdThrottle.description.contains("about 10 minute"))

        #expect(try error("wait", "internal-server-error", nil).category == .tryLater)  // any type=wait

        let closed = try error("auth", "forbidden", "Your IP address is blocklisted")
        #expect(closed.description.contains("https://example.org/signup") && closed.description.contains("blocklisted"))
        if case .closed = try error("cancel", "not-allowed", nil) {} else { Issue.record("not-allowed is not 'closed'") }
        if case .closed = try error("cancel", "service-unavailable", nil) {} else { Issue.record("service-unavailable is not 'closed'") }
        if case .notAcceptable = try error("modify", "not-acceptable", "The requested username is invalid.") {} else { Issue.record("not-acceptable") }
        #expect(try error("modify", "not-acceptable", "Registration on this server is through invitation only")
            == .invitationRequired(serverText: "Registration on this server is through invitation only"))
    }

    @Test func wrongCaptchaIsNotRegistrationClosed() throws {
        let iq = try parse("<iq type='error' id='r'><error type='modify'><not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>The CAPTCHA verification has failed</text></error></iq>")
        #expect(StanzaError(iq: iq).registrationError(username: "u", webRegistrationURL: nil, hadCAPTCHA: true)
            == .captchaFailed(serverText: "The CAPTCHA verification has failed"))
    }

    static func info(sha256: String = "ab" + String(repeating: "0", count: 62), ca: Bool = false) -> CertificateInfo {
        CertificateInfo(pem: "", sha256: sha256, subject: "CN=x", issuer: "CN=x", subjectAlternativeNames: ["x.onion"],
                        notBefore: nil, notAfter: nil, validForDomainBySystemCAs: ca, domain: "example.org", overOnion: true)
    }

    @Test func certificatePolicyOrder() throws {
        let info = Self.info()
        let other = String(repeating: "1", count: 64)
        // A pin must match, even when a CA would vouch for the certificate.
        #expect(try CertificatePolicy(pin: info.sha256.uppercased()).evaluate(info) == .pinned)
        #expect(throws: CertificateError.pinMismatch(expected: other, actual: info.sha256)) {
            try CertificatePolicy(pin: other, acceptedFingerprint: info.sha256).evaluate(Self.info(ca: true))
        }
        #expect(try CertificatePolicy().evaluate(Self.info(ca: true)) == .systemCA)
        #expect(try CertificatePolicy(acceptedFingerprint: CertificateInfo.colonSeparated(info.sha256)).evaluate(info) == .acceptedFingerprint)
        #expect(throws: CertificateError.self) { try CertificatePolicy(acceptedFingerprint: other).evaluate(info) }
        #expect(try CertificatePolicy(confirm: { $0.onionNote != nil }).evaluate(info) == .confirmedByUser)
        #expect(throws: CertificateError.declined(sha256: info.sha256)) { try CertificatePolicy(confirm: { _ in false }).evaluate(info) }
        #expect(throws: CertificateError.self) { try CertificatePolicy().evaluate(info) }
    }

    /// Issue 17 item 10: only ASCII hex digits make a fingerprint.
    @Test func fullWidthFingerprintsAreNotFingerprints() {
        let fullWidth = String(repeating: "\u{FF41}", count: 64)
        #expect(CertificatePolicy.normalise(fullWidth) == nil)
        #expect(CertificatePolicy.normalise("AB:" + String(repeating: "0", count: 62)) == "ab" + String(repeating: "0", count: 62))
        #expect(throws: CertificateError.self) { try CertificatePolicy(acceptedFingerprint: fullWidth).evaluate(Self.info()) }
    }

    @Test func pinMismatchShowsBothFingerprints() {
        let message = CertificateError.pinMismatch(expected: "aabb", actual: "ccdd").description
        #expect(message.contains("AA:BB") && message.contains("CC:DD") && message.contains("before anything was registered"))
    }
}
