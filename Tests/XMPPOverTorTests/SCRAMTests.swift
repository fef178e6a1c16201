import Foundation
import Secrets
import Testing
@testable import XMPPOverTor

@Suite struct SCRAMTests {
    /// RFC 5802 §5: user "user", password "pencil", SCRAM-SHA-1.
    @Test func rfc5802Vector() throws {
        let client = SCRAMClient(hash: .sha1, username: "user", binding: .unsupported, nonce: "fyko+d2lbbFgONRv9qkxdawL")
        #expect(client.clientFirstMessage() == "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL")
        let final = try client.clientFinalMessage(
            serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
            password: SecretBytes(utf8: "pencil"))
        #expect(final == "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=")
        try client.verifyServerFinal("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")
        #expect(client.mechanism == "SCRAM-SHA-1")
    }

    /// RFC 7677 §3: the same user with SCRAM-SHA-256.
    @Test func rfc7677Vector() throws {
        let client = SCRAMClient(hash: .sha256, username: "user", binding: .unsupported, nonce: "rOprNGfwEbeRWgbNEkqO")
        #expect(client.clientFirstMessage() == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        let final = try client.clientFinalMessage(
            serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
            password: SecretBytes(utf8: "pencil"))
        #expect(final == "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
        try client.verifyServerFinal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
        #expect(client.mechanism == "SCRAM-SHA-256")
    }

    @Test func wrongServerSignatureIsRejected() throws {
        let client = SCRAMClient(hash: .sha1, username: "user", binding: .unsupported, nonce: "fyko+d2lbbFgONRv9qkxdawL")
        _ = client.clientFirstMessage()
        _ = try client.clientFinalMessage(
            serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
            password: SecretBytes(utf8: "pencil"))
        #expect(throws: AuthenticationError.serverSignatureMismatch) {
            try client.verifyServerFinal("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
        }
        #expect(throws: AuthenticationError.serverSignatureMismatch) { try client.verifyServerFinal("") }
    }

    @Test func gs2HeaderForChannelBindingStates() throws {
        let yes = SCRAMClient(hash: .sha1, username: "a,b=c", binding: .supportedButNotOffered, nonce: "abc")
        #expect(yes.clientFirstMessage() == "y,,n=a=2Cb=3Dc,r=abc")
        let final = try yes.clientFinalMessage(serverFirst: "r=abcdef,s=QSXCR+Q6sek8bf92,i=4096", password: SecretBytes(utf8: "x"))
        #expect(final.hasPrefix("c=eSws,r=abcdef,p="))  // base64("y,,")

        let bound = SCRAMClient(hash: .sha256, username: "u", binding: .bound(type: "tls-exporter", data: [1, 2, 3]), nonce: "n")
        #expect(bound.mechanism == "SCRAM-SHA-256-PLUS")
        #expect(bound.clientFirstMessage() == "p=tls-exporter,,n=u,r=n")
        let boundFinal = try bound.clientFinalMessage(serverFirst: "r=nn,s=QSXCR+Q6sek8bf92,i=4096", password: SecretBytes(utf8: "x"))
        let expected = Data(Array("p=tls-exporter,,".utf8) + [1, 2, 3]).base64EncodedString()
        #expect(boundFinal.hasPrefix("c=\(expected),r=nn,p="))
    }

    @Test func malformedServerFirstIsRejected() throws {
        let client = SCRAMClient(hash: .sha1, username: "user", binding: .unsupported, nonce: "abc")
        _ = client.clientFirstMessage()
        let password = SecretBytes(utf8: "pencil")
        #expect(throws: AuthenticationError.self) {  // nonce does not extend ours
            try client.clientFinalMessage(serverFirst: "r=xyz123,s=QSXCR+Q6sek8bf92,i=4096", password: password)
        }
        #expect(throws: AuthenticationError.self) {  // no salt
            try client.clientFinalMessage(serverFirst: "r=abc123,i=4096", password: password)
        }
        #expect(throws: AuthenticationError.self) {  // server error attribute
            try client.clientFinalMessage(serverFirst: "e=other-error", password: password)
        }
    }

    /// Issue 16 item 8: fewer than 4096 iterations (RFC 7677) and the `m=` extension are refused.
    @Test(arguments: [1, 2, 4095])
    func tooFewIterationsAreRefused(count: Int) throws {
        let client = SCRAMClient(hash: .sha256, username: "user", binding: .unsupported, nonce: "abc")
        _ = client.clientFirstMessage()
        #expect(throws: AuthenticationError.tooFewIterations(count)) {
            try client.clientFinalMessage(serverFirst: "r=abc1,s=QSXCR+Q6sek8bf92,i=\(count)", password: SecretBytes(utf8: "pencil"))
        }
        #expect(AuthenticationError.tooFewIterations(count).category == .protocolViolation)
        #expect(AuthenticationError.tooFewIterations(count).description.contains("at least 4096"))
        _ = try client.clientFinalMessage(serverFirst: "r=abc1,s=QSXCR+Q6sek8bf92,i=4096", password: SecretBytes(utf8: "pencil"))
    }

    @Test func mandatoryExtensionIsRefused() {
        let client = SCRAMClient(hash: .sha1, username: "user", binding: .unsupported, nonce: "abc")
        _ = client.clientFirstMessage()
        #expect(throws: AuthenticationError.mandatoryExtension) {
            try client.clientFinalMessage(serverFirst: "m=future,r=abc1,s=QSXCR+Q6sek8bf92,i=4096", password: SecretBytes(utf8: "pencil"))
        }
    }

    @Test func nonASCIIOrControlPasswordsAreRefused() {
        let client = SCRAMClient(hash: .sha1, username: "user", binding: .unsupported, nonce: "abc")
        _ = client.clientFirstMessage()
        for password in ["pässword", "tab\there"] {
            #expect(throws: AuthenticationError.self) {
                try client.clientFinalMessage(serverFirst: "r=abc1,s=QSXCR+Q6sek8bf92,i=4096", password: SecretBytes(utf8: password))
            }
        }
    }

    @Test func generatedNoncesDiffer() {
        let a = SCRAMClient(hash: .sha1, username: "u", binding: .unsupported)
        let b = SCRAMClient(hash: .sha1, username: "u", binding: .unsupported)
        #expect(a.clientNonce != b.clientNonce)
        #expect(a.clientNonce.count >= 24)
    }
}

/// Which mechanism and GS2 flag we pick from what the server offers.
@Suite struct MechanismChoiceTests {
    func choose(_ offered: [String], types: [String] = [], exporter: [UInt8]? = [9, 9]) throws -> SCRAMClient {
        try AccountSession.chooseSCRAM(username: "u", offered: offered, bindingTypes: types,
                                       exporter: { exporter }, serverEndPoint: { [7, 7] })
    }

    @Test func prosodyOverTLS13OffersNoPlus() throws {
        let client = try choose(["PLAIN", "SCRAM-SHA-1"])
        #expect(client.mechanism == "SCRAM-SHA-1" && client.binding == .supportedButNotOffered)
        #expect(try choose(["SCRAM-SHA-1", "SCRAM-SHA-256"]).mechanism == "SCRAM-SHA-256")
    }

    @Test func plusWithANamedType() throws {
        let exporter = try choose(["SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"], types: ["tls-server-end-point", "tls-exporter"])
        #expect(exporter.mechanism == "SCRAM-SHA-256-PLUS" && exporter.binding == .bound(type: "tls-exporter", data: [9, 9]))
        // TLS 1.2 has no exporter binding here: fall back to the certificate hash.
        let endPoint = try choose(["SCRAM-SHA-1-PLUS", "SCRAM-SHA-1"], types: ["tls-exporter", "tls-server-end-point"], exporter: nil)
        #expect(endPoint.binding == .bound(type: "tls-server-end-point", data: [7, 7]))
    }

    @Test func plusWithoutAKnownTypeSaysNo() throws {
        let client = try choose(["SCRAM-SHA-1-PLUS", "SCRAM-SHA-1"], types: ["tls-unique"])
        #expect(client.mechanism == "SCRAM-SHA-1" && client.binding == .unsupported)
        #expect(client.clientFirstMessage().hasPrefix("n,,"))
    }

    /// Issue 16 item 8: the flag is decided across every offered mechanism. A server with
    /// SCRAM-SHA-1-PLUS and plain SCRAM-SHA-256 binds, so `y` would make it fail the login.
    @Test func plusOfOneHashForbidsYOnAnother() throws {
        let client = try choose(["SCRAM-SHA-1-PLUS", "SCRAM-SHA-256"], types: ["tls-unique"])
        #expect(client.mechanism == "SCRAM-SHA-256" && client.binding == .unsupported)
        #expect(client.clientFirstMessage().hasPrefix("n,,"))
        // When we can bind with the -PLUS one, binding wins over the stronger hash.
        let bound = try choose(["SCRAM-SHA-1-PLUS", "SCRAM-SHA-256"], types: ["tls-server-end-point"])
        #expect(bound.mechanism == "SCRAM-SHA-1-PLUS" && bound.binding == .bound(type: "tls-server-end-point", data: [7, 7]))
    }

    /// -PLUS without an XEP-0440 type list: the implied type is tls-unique, which we cannot
    /// do, and the server binds, so `n`, never `y`.
    @Test func plusWithoutATypeListSaysNo() throws {
        let client = try choose(["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-1"])
        #expect(client.mechanism == "SCRAM-SHA-256" && client.binding == .unsupported)
        // Only with no -PLUS anywhere does the client say `y`.
        #expect(try choose(["SCRAM-SHA-256", "SCRAM-SHA-1"]).binding == .supportedButNotOffered)
    }

    @Test func neverPlain() {
        #expect {
            _ = try choose(["PLAIN", "DIGEST-MD5"])
        } throws: { error in
            "\(error)".contains("never sends the password itself (PLAIN)")
        }
    }
}
