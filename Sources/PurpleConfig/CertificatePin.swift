import FoundationEssentials
import Glibc
import X509

/// The pinned server certificate: libpurple's `tls_peers` cache entry, the leaf
/// certificate as PEM at `certificates/x509/tls_peers/<connect_server>`, compared by
/// the SHA-256 of its DER form.
struct CertificatePin {
    /// DER of the leaf.
    let der: [UInt8]

    static let relativeDirectory = "certificates/x509/tls_peers"

    /// `purple_escape_filename` keeps alphanumerics and `@-_.#`; we accept only names
    /// it would keep as they are, so the file is the one libpurple looks for, and a
    /// name can never leave the directory.
    static func isSafeFileName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 255, name != ".", name != ".." else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)) || "@-_.#".unicodeScalars.contains(scalar)
        }
    }

    /// The first certificate of a PEM file (a chain's leaf), or a DER certificate.
    init(pemOrDER bytes: [UInt8]) throws {
        guard let certificate = X509Certificate(pem: bytes) ?? X509Certificate(der: bytes) else {
            throw PurpleConfigError.invalidCertificate("it is neither a PEM nor a DER X.509 certificate")
        }
        der = certificate.der
    }

    /// The leaf as PEM with LF line endings, as `openssl x509` writes it.
    var pem: [UInt8] {
        let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return Array("-----BEGIN CERTIFICATE-----\n\(base64)\n-----END CERTIFICATE-----\n".utf8)
    }

    /// True when `existing` (a file as libpurple may have rewritten it: PEM with CRLF,
    /// or DER) holds the same certificate, so it need not be rewritten.
    func matches(existing: [UInt8]) -> Bool {
        guard let other = try? CertificatePin(pemOrDER: existing) else { return false }
        return other.der == der
    }
}
