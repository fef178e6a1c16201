import COpenSSL
import Diagnostics
import FoundationEssentials
import Glibc
import Secrets
import Vocabulary

/// SASL failed, or the server could not prove it knows the password.
public enum AuthenticationError: ClassifiedError, Equatable {
    case noSupportedMechanism(offered: [String])
    case failure(condition: String, text: String?)
    case serverSignatureMismatch
    case malformedChallenge(String)
    case unsupportedPassword(String)
    case bindFailed(String)
    /// The server-first message asks for fewer PBKDF2 iterations than RFC 7677's minimum.
    case tooFewIterations(Int)
    /// The server-first message carries the mandatory-extension attribute `m=` (RFC 5802 §5.1).
    case mandatoryExtension

    public var category: ErrorCategory {
        switch self {
        case .failure(let condition, _) where condition == "temporary-auth-failure": .tryLater
        case .failure, .bindFailed: .refused
        case .unsupportedPassword: .invalidData
        default: .protocolViolation
        }
    }

    public var description: String {
        switch self {
        case .noSupportedMechanism(let offered):
            "the server offers no SCRAM mechanism (offered: \(offered.isEmpty ? "none" : offered.joined(separator: ", "))); onionboard never sends the password itself (PLAIN)"
        case .failure(let condition, let text):
            (condition == "not-authorized"
                ? "the server rejected the username or password (not-authorized)"
                : "authentication failed (\(ServerText.sanitised(condition, maximumLength: 64)))") + ServerText.appended(text)
        case .serverSignatureMismatch:
            "the server could not prove it knows the password (SCRAM server signature mismatch): possible impostor"
        case .malformedChallenge(let detail): "the server sent a malformed SCRAM message: \(detail)"
        case .unsupportedPassword(let reason): "unsupported password: \(reason)"
        case .bindFailed(let detail): "resource binding failed: \(detail)"
        case .tooFewIterations(let count):
            "the server asked for only \(count) SCRAM iterations; RFC 7677 requires at least \(SCRAMClient.minimumIterations), and with fewer the proof would let whoever runs or impersonates the server guess the password cheaply; refused before the proof was sent"
        case .mandatoryExtension:
            "the server requires a SCRAM extension (m=) that onionboard does not support; refused (RFC 5802)"
        }
    }
}

/// SCRAM hash functions we speak (RFC 5802, RFC 7677).
public enum SCRAMHash: String, Sendable, CaseIterable {
    case sha1 = "SHA-1"
    case sha256 = "SHA-256"

    var digest: OpaquePointer { self == .sha1 ? EVP_sha1() : EVP_sha256() }
    var length: Int { self == .sha1 ? 20 : 32 }
}

/// What the GS2 header says about channel binding.
enum ChannelBinding: Equatable {
    /// `n,,`: we cannot bind (no TLS data available).
    case unsupported
    /// `y,,`: we could, but the server offered no -PLUS mechanism (downgrade detection).
    case supportedButNotOffered
    /// `p=type,,` with the binding data.
    case bound(type: String, data: [UInt8])

    var header: String {
        switch self {
        case .unsupported: "n,,"
        case .supportedButNotOffered: "y,,"
        case .bound(let type, _): "p=\(type),,"
        }
    }
}

/// One SCRAM exchange, client side. The password is read only inside
/// `SecretBytes.withBytes` and every derived key is zeroed after use.
final class SCRAMClient {
    let hash: SCRAMHash
    let binding: ChannelBinding
    let username: String
    let clientNonce: String
    private var clientFirstBare = ""
    /// RFC 7677 §4: a server-first message asking for fewer PBKDF2 iterations is refused.
    static let minimumIterations: Int32 = 4096
    /// More than this is not a real server's choice, only a way to burn our CPU.
    static let maximumIterations: Int32 = 10_000_000
    private var expectedServerSignature: [UInt8] = []

    var mechanism: String {
        if case .bound = binding { return "SCRAM-\(hash.rawValue)-PLUS" }
        return "SCRAM-\(hash.rawValue)"
    }

    init(hash: SCRAMHash, username: String, binding: ChannelBinding, nonce: String? = nil) {
        self.hash = hash
        self.username = username
        self.binding = binding
        clientNonce = nonce ?? Data(SecureRandom.bytes(24)).base64EncodedString()
    }

    deinit { wipe(&expectedServerSignature) }

    /// RFC 5802 §5.1: `=` and `,` in the name are escaped.
    static func escape(_ name: String) -> String {
        name.replacing("=", with: "=3D").replacing(",", with: "=2C")
    }

    func clientFirstMessage() -> String {
        clientFirstBare = "n=\(Self.escape(username)),r=\(clientNonce)"
        return binding.header + clientFirstBare
    }

    /// SASLprep for what we accept: printable ASCII passes unchanged (SASLprep maps it
    /// to itself); anything else is refused rather than normalised wrongly.
    static func checkPassword(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty else { throw AuthenticationError.unsupportedPassword("it is empty") }
        for byte in bytes where byte < 0x20 || byte > 0x7E {
            throw AuthenticationError.unsupportedPassword(
                byte < 0x20 || byte == 0x7F
                    ? "it contains a control character, which SASLprep forbids"
                    : "only printable ASCII passwords are supported (non-ASCII needs SASLprep normalisation, which onionboard does not do)")
        }
    }

    static func attributes(_ message: String) -> [Character: String] {
        var result: [Character: String] = [:]
        for part in message.split(separator: ",", omittingEmptySubsequences: false) {
            guard part.count >= 2, part[part.index(after: part.startIndex)] == "=" else { continue }
            result[part.first!] = String(part.dropFirst(2))
        }
        return result
    }

    /// Answers the server-first message; returns the client-final message.
    func clientFinalMessage(serverFirst: String, password: SecretBytes) throws -> String {
        let fields = Self.attributes(serverFirst)
        if let error = fields["e"] { throw AuthenticationError.failure(condition: error, text: nil) }
        // "m" is reserved for mandatory extensions: a client that does not know it must fail.
        if fields["m"] != nil { throw AuthenticationError.mandatoryExtension }
        guard let nonce = fields["r"], nonce.hasPrefix(clientNonce), nonce.count > clientNonce.count else {
            throw AuthenticationError.malformedChallenge("the nonce does not extend ours")
        }
        guard let saltText = fields["s"], let salt = Data(base64Encoded: saltText), !salt.isEmpty else {
            throw AuthenticationError.malformedChallenge("missing or invalid salt")
        }
        guard let iterationText = fields["i"], let iterations = Int32(iterationText), iterations >= 1 else {
            throw AuthenticationError.malformedChallenge("missing iteration count")
        }
        guard iterations >= Self.minimumIterations else { throw AuthenticationError.tooFewIterations(Int(iterations)) }
        guard iterations <= Self.maximumIterations else {
            throw AuthenticationError.malformedChallenge("absurd iteration count \(iterations)")
        }
        var cbindInput = Array(binding.header.utf8)
        if case .bound(_, let data) = binding { cbindInput += data }
        let withoutProof = "c=\(Data(cbindInput).base64EncodedString()),r=\(nonce)"
        let authMessage = Array("\(clientFirstBare),\(serverFirst),\(withoutProof)".utf8)

        var salted = try password.withBytes { secret -> [UInt8] in
            try Self.checkPassword(secret)
            var output = [UInt8](repeating: 0, count: hash.length)
            let ok = salt.withUnsafeBytes { saltBytes in
                PKCS5_PBKDF2_HMAC(secret.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(secret.count),
                                  saltBytes.baseAddress!.assumingMemoryBound(to: UInt8.self), Int32(saltBytes.count),
                                  iterations, hash.digest, Int32(output.count), &output)
            }
            guard ok == 1 else { throw AuthenticationError.malformedChallenge("key derivation failed") }
            return output
        }
        defer { wipe(&salted) }
        var clientKey = hmac(key: salted, data: Array("Client Key".utf8))
        defer { wipe(&clientKey) }
        var storedKey = digest(clientKey)
        defer { wipe(&storedKey) }
        var signature = hmac(key: storedKey, data: authMessage)
        defer { wipe(&signature) }
        let proof = zip(clientKey, signature).map { $0 ^ $1 }
        var serverKey = hmac(key: salted, data: Array("Server Key".utf8))
        defer { wipe(&serverKey) }
        expectedServerSignature = hmac(key: serverKey, data: authMessage)
        return "\(withoutProof),p=\(Data(proof).base64EncodedString())"
    }

    /// Checks the server-final message (`v=`), proving the server knows the password.
    func verifyServerFinal(_ serverFinal: String) throws {
        let fields = Self.attributes(serverFinal)
        if let error = fields["e"] { throw AuthenticationError.failure(condition: error, text: nil) }
        guard let verifier = fields["v"], let signature = Data(base64Encoded: verifier),
              !expectedServerSignature.isEmpty, signature.count == expectedServerSignature.count,
              CRYPTO_memcmp(Array(signature), expectedServerSignature, signature.count) == 0
        else { throw AuthenticationError.serverSignatureMismatch }
    }

    private func hmac(key: [UInt8], data: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = HMAC(hash.digest, key, Int32(key.count), data, data.count, &output, &length)
        return Array(output.prefix(Int(length)))
    }

    private func digest(_ data: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = EVP_Digest(data, data.count, &output, &length, hash.digest, nil)
        return Array(output.prefix(Int(length)))
    }
}


