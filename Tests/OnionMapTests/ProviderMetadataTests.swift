import OnionMap
import Testing

@Suite("provider metadata files")
struct ProviderMetadataTests {
    static let onion = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion"

    private func parse(_ json: String) throws(ProviderMetadataError) -> (providers: [Provider], warnings: [String]) {
        try ProviderMetadata.parse(Array(json.utf8), source: "extra.json")
    }

    @Test("a minimal record gets the defaults")
    func minimal() throws {
        let result = try parse(#"{ "Example.org": { "onion": "\#(Self.onion)" } }"#)
        let provider = try #require(result.providers.first)
        #expect(provider.domain == "example.org")
        #expect(provider.onion.hostname == Self.onion)
        #expect(provider.clientPort == 5222)
        #expect(provider.directTLSPort == nil)
        #expect(provider.registration == .unknown)
        #expect(provider.captcha == nil)
        #expect(provider.pinSHA256 == nil)
        #expect(provider.sources.isEmpty)
        #expect(provider.lastVerified == nil)
        #expect(provider.origin == "extra.json")
        #expect(result.warnings.isEmpty)
    }

    @Test("every field is read")
    func fullRecord() throws {
        let json = """
            {
              "_about": "comments start with an underscore",
              "onionboard.test": {
                "onion": "\(Self.onion.uppercased())",
                "clientPort": 15222, "directTLSPort": 15223,
                "registration": "invite-only", "captcha": false,
                "webRegistrationURL": "https://onionboard.test/register",
                "certificateSHA256": "AB:CD:\(String(repeating: "0", count: 60))",
                "sources": [ { "name": "test bed", "url": "https://example.org", "commit": "abc", "date": "2026-11-25" },
                             { "name": "by hand" } ],
                "lastVerified": { "date": "2026-11", "what": "probed by the test bed" },
                "notes": "local",
                "spkiSHA256": "\(String(repeating: "EF", count: 32))",
                "website": "https://onionboard.test",
                "serverLocations": ["de", "is"],
                "serverSoftware": "Prosody 0.12.3",
                "organization": "non-governmental",
                "operatedBy": null,
                "disagreements": ["list A says yes, list B says no"],
                "_comment": "ignored"
              }
            }
            """
        let provider = try #require(try parse(json).providers.first)
        #expect(provider.onion.hostname == Self.onion)
        #expect(provider.clientPort == 15222)
        #expect(provider.directTLSPort == 15223)
        #expect(provider.registration == .inviteOnly)
        #expect(provider.captcha == false)
        #expect(provider.webRegistrationURL == "https://onionboard.test/register")
        #expect(provider.pinSHA256 == "abcd" + String(repeating: "0", count: 60))
        #expect(provider.sources == [ProviderSource(name: "test bed", url: "https://example.org", commit: "abc", date: "2026-11-25"),
                                     ProviderSource(name: "by hand")])
        #expect(provider.lastVerified == Verification(date: "2026-11", what: "probed by the test bed"))
        #expect(provider.notes == "local")
        #expect(provider.spkiSHA256 == String(repeating: "ef", count: 32))
        #expect(provider.website == "https://onionboard.test")
        #expect(provider.serverLocations == ["de", "is"])
        #expect(provider.serverSoftware == "Prosody 0.12.3")
        #expect(provider.organization == "non-governmental")
        #expect(provider.operatedBy == nil && !provider.isOnionDomain)
        #expect(provider.disagreements == ["list A says yes, list B says no"])
    }

    @Test("an onion's own domain: accounts name@<onion>, served by that very onion")
    func onionDomain() throws {
        let json = #"{"\#(Self.onion)": {"onion": "\#(Self.onion)", "registration": "yes", "operatedBy": "Example.org"}}"#
        let provider = try #require(try parse(json).providers.first)
        #expect(provider.isOnionDomain)
        #expect(provider.domain == Self.onion)
        #expect(provider.operatedBy == "example.org")
        let other = #"{"\#(Self.onion)": {"onion": "jabjabdea2eewo3gzfurscj2sjqgddptwumlxi3wur57rzf5itje2rid.onion"}}"#
        #expect { try parse(other) } throws: { error in
            (error as? ProviderMetadataError)?.message.contains("it must be that onion itself") == true
        }
    }

    @Test("the test bed's PROVIDERS_JSON shape is accepted (onions, inBandRegistration, inviteOnly, source, rooms)")
    func testbedShape() throws {
        // As testbed/world writes it (write_providers_json).
        let json = """
            {
              "onionboard.test": {
                "onions": ["\(Self.onion)"],
                "clientPort": 5222,
                "directTLSPort": 5223,
                "inBandRegistration": "yes",
                "captcha": false,
                "inviteOnly": false,
                "webRegistrationURL": null,
                "certificateSHA256": "\(String(repeating: "ab", count: 32))",
                "rooms": ["support@conference.onionboard.test"],
                "source": "testbed/world (local test network)",
                "lastVerified": "2026-11-25",
                "notes": "Throw-away Prosody"
              }
            }
            """
        let result = try parse(json)
        #expect(result.warnings.isEmpty)
        let provider = try #require(result.providers.first)
        #expect(provider.onion.hostname == Self.onion)
        #expect(provider.registration == .yes)
        #expect(provider.captcha == false)
        #expect(provider.directTLSPort == 5223)
        #expect(provider.pinSHA256 == String(repeating: "ab", count: 32))
        #expect(provider.sources == [ProviderSource(name: "testbed/world (local test network)")])
        #expect(provider.lastVerified?.date == "2026-11-25")

        let invite = try parse(#"{"a.org": {"onion": "\#(Self.onion)", "inBandRegistration": true, "inviteOnly": true}}"#)
        #expect(invite.providers.first?.registration == .inviteOnly)
        let closed = try parse(#"{"a.org": {"onion": "\#(Self.onion)", "inBandRegistration": false}}"#)
        #expect(closed.providers.first?.registration == Registration.no)
    }

    @Test("unknown keys are ignored with a warning naming file, provider and key")
    func unknownKeys() throws {
        let result = try parse(#"{ "example.org": { "onion": "\#(Self.onion)", "captca": true } }"#)
        #expect(result.providers.count == 1)
        #expect(result.warnings == [#"extra.json: provider "example.org": unknown key "captca" ignored"#])
    }

    struct BadCase: CustomTestStringConvertible, Sendable {
        let json: String
        let domain: String?
        let key: String?
        let message: String
        var testDescription: String { message }
    }

    static let badCases: [BadCase] = [
        BadCase(json: "{ not json", domain: nil, key: nil, message: "not valid JSON"),
        BadCase(json: "{\"a.org\": {\"onion\": \"x\"\n   \"b\": 1}", domain: nil, key: nil,
                message: "not valid JSON: line 2, column 4"),
        BadCase(json: "[]", domain: nil, key: nil, message: "the top level must be an object keyed by XMPP domain"),
        BadCase(json: #"{"a.org": 5}"#, domain: "a.org", key: nil, message: "must be an object"),
        BadCase(json: #"{"a b": {"onion": "\#(onion)"}}"#, domain: "a b", key: nil, message: "not an XMPP domain: it contains whitespace"),
        BadCase(json: #"{"a.org": {}}"#, domain: "a.org", key: "onion", message: "is missing"),
        BadCase(json: #"{"a.org": {"onion": 5}}"#, domain: "a.org", key: "onion", message: "must be a string (found 5)"),
        BadCase(json: #"{"a.org": {"onion": "ijeeynrc6x2uy5ob.onion"}}"#, domain: "a.org", key: "onion",
                message: "v2 onion services stopped working in Tor 0.4.6, October 2021"),
        BadCase(json: #"{"a.org": {"onion": "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscrad.onion"}}"#,
                domain: "a.org", key: "onion", message: "checksum does not match"),
        BadCase(json: #"{"a.org": {"onion": "\#(onion)", "registration": "maybe"}}"#, domain: "a.org", key: "registration",
                message: #"is "maybe"; use one of "yes", "no", "unknown", "invite-only""#),
        BadCase(json: #"{"a.org": {"onion": "\#(onion)", "captcha": "yes"}}"#, domain: "a.org", key: "captcha",
                message: "must be true, false or null"),
        BadCase(json: #"{"a.org": {"onion": "\#(onion)", "captcha": 1}}"#, domain: "a.org", key: "captcha",
                message: "must be true, false or null (found 1)"),
        BadCase(json: #"{"a.org": {"onion": "\#(onion)", "clientPort": "5222"}}"#, domain: "a.org", key: "clientPort",
                message: "must be a port number from 1 to 65535"),
        BadCase(json: #"{"a.org": {"onion": "\#(onion)", "clientPort": 0}}"#, domain: "a.org", key: "clientPort",
                message: "must be a port number from 1 to 65535 (found 0)"),
        BadCase(json: #"{"a.org": {"onion": "\#(onion)", "directTLSPort": 5223.5}}"#, domain: "a.org", key: "directTLSPort",
                message: "must be a port number"),
        BadCase(json: #"{"a.org": {"onion": "\#(onion)", "clientPort": true}}"#, domain: "a.org", key: "clientPort",
                message: "must be a port number"),
        BadCase(json: #"{"a.org": {"onion": "\#(onion)", "webRegistrationURL": "ftp://x"}}"#, domain: "a.org",
                key: "webRegistrationURL", message: "must be an http(s) URL"),
        BadCase(json: #"{"a.org": {"onion": "\#(onion)", "certificateSHA256": "abcd"}}"#, domain: "a.org",
                key: "certificateSHA256", message: "must be 64 hex digits"),
        BadCase(json: #"{"a.org": {"onion": "\#(onion)", "sources": "qbi"}}"#, domain: "a.org", key: "sources",
                message: "must be a list"),
        BadCase(json: #"{"a.org": {"onion": "\#(onion)", "sources": [{"url": "https://x.org"}]}}"#, domain: "a.org",
                key: "sources[0]", message: #"needs a "name""#),
        BadCase(json: #"{"a.org": {"onion": "\#(onion)", "sources": [{"name": "x", "date": "20.2.2024"}]}}"#,
                domain: "a.org", key: "sources[0].date", message: "must look like YYYY-MM-DD"),
        BadCase(json: #"{"a.org": {"onion": "\#(onion)", "lastVerified": {"date": "2024-02-20"}}}"#, domain: "a.org",
                key: "lastVerified", message: "must be {"),
        BadCase(json: #"{"a.org": {"onion": "\#(onion)", "onions": ["\#(onion)"]}}"#, domain: "a.org", key: "onions",
                message: "either \"onion\" or \"onions\""),
        BadCase(json: #"{"a.org": {"onions": []}}"#, domain: "a.org", key: "onions", message: "must be a non-empty list"),
        BadCase(json: #"{"a.org": {"onions": ["\#(onion)", "ijeeynrc6x2uy5ob.onion"]}}"#, domain: "a.org", key: "onions[1]",
                message: "v2 onion"),
        BadCase(json: #"{"a.org": {"onion": "\#(onion)", "registration": "yes", "inBandRegistration": true}}"#,
                domain: "a.org", key: "inBandRegistration", message: "not both"),
        BadCase(json: #"{"a.org": {"onion": "\#(onion)", "registration": "no", "inviteOnly": true}}"#,
                domain: "a.org", key: "inviteOnly", message: "registration is \"no\""),
        BadCase(json: #"{"a.org": {"onion": "\#(onion)", "spkiSHA256": "abc"}}"#, domain: "a.org",
                key: "spkiSHA256", message: "must be 64 hex digits"),
        BadCase(json: #"{"a.org": {"onion": "\#(onion)", "serverLocations": ["DE"]}}"#, domain: "a.org",
                key: "serverLocations[0]", message: "two-letter country code in lower case"),
        BadCase(json: #"{"a.org": {"onion": "\#(onion)", "serverLocations": "de"}}"#, domain: "a.org",
                key: "serverLocations", message: "must be a list of strings"),
        BadCase(json: #"{"a.org": {"onion": "\#(onion)", "website": "example.org"}}"#, domain: "a.org",
                key: "website", message: "must be an http(s) URL"),
        BadCase(json: #"{"a.org": {"onion": "\#(onion)", "operatedBy": "a b"}}"#, domain: "a.org",
                key: "operatedBy", message: "must be the provider's XMPP domain"),
        BadCase(json: #"{"a.org": {"onion": "\#(onion)", "disagreements": [""]}}"#, domain: "a.org",
                key: "disagreements[0]", message: "must be a non-empty string"),
    ]

    @Test("invalid metadata names the file, the provider, the key and the problem", arguments: badCases)
    func invalid(_ bad: BadCase) {
        do {
            _ = try parse(bad.json)
            Issue.record("accepted")
        } catch {
            #expect(error.source == "extra.json")
            #expect(error.domain == bad.domain)
            #expect(error.key == bad.key)
            #expect(error.message.contains(bad.message), "\(error.message)")
            #expect(error.description.hasPrefix("extra.json: "))
            #expect(error.category == .invalidData)
        }
    }
}

/// Issue 17 item 10: full-width look-alikes are not hex digits.
@Suite struct FingerprintDigitsTests {
    @Test func aPinOfFullWidthLettersIsRefused() {
        let fullWidth = String(repeating: "\u{FF41}", count: 64)
        #expect(throws: ProviderMetadataError.self) {
            _ = try ProviderMetadata.parse(Array(#"{ "example.org": { "onion": "\#(ProviderMetadataTests.onion)", "certificateSHA256": "\#(fullWidth)" } }"#.utf8),
                                           source: "extra.json")
        }
    }
}
