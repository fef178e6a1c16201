import COpenSSL
import FoundationEssentials
import Glibc
import Vocabulary

/// The one owner of an OpenSSL `X509` in this package: a reference from
/// `SSL_get1_peer_certificate`, or a certificate parsed from PEM or DER. Freed in deinit.
/// Package-internal: no OpenSSL type reaches a module's public API.
package final class X509Certificate {
    package let certificate: OpaquePointer

    /// Takes over a reference the caller owns (e.g. from `SSL_get1_peer_certificate`).
    package init(owning certificate: OpaquePointer) { self.certificate = certificate }

    deinit { X509_free(certificate) }

    /// The first certificate of a PEM text (a chain's leaf), nil if there is none.
    package convenience init?(pem: [UInt8]) {
        // BIO_new_mem_buf does not copy: the BIO is read and freed while the bytes are pinned.
        let parsed: OpaquePointer? = pem.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_X509(bio, nil, nil, nil)
        }
        guard let parsed else {
            ERR_clear_error()
            return nil
        }
        self.init(owning: parsed)
    }

    package convenience init?(pem: String) { self.init(pem: Array(pem.utf8)) }

    /// A DER-encoded certificate, nil if it is not one.
    package convenience init?(der: [UInt8]) {
        let decoded: OpaquePointer? = der.withUnsafeBytes { raw in
            var cursor: UnsafePointer<UInt8>? = raw.baseAddress?.assumingMemoryBound(to: UInt8.self)
            return d2i_X509(nil, &cursor, raw.count)
        }
        guard let decoded else {
            ERR_clear_error()
            return nil
        }
        self.init(owning: decoded)
    }

    package var der: [UInt8] {
        let length = i2d_X509(certificate, nil)
        guard length > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: Int(length))
        out.withUnsafeMutableBufferPointer { buffer in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            _ = i2d_X509(certificate, &cursor)
        }
        return out
    }

    package var pem: String {
        guard let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        PEM_write_bio_X509(bio, certificate)
        return Self.text(of: bio)
    }

    static func text(of bio: OpaquePointer) -> String {
        var data: UnsafeMutablePointer<CChar>?
        let length = cbio_get_mem_data(bio, &data)
        guard let data, length > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }

    static func describe(_ name: OpaquePointer?) -> String {
        guard let name, let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        cssl_name_print_rfc2253(bio, name)
        return text(of: bio)
    }

    package var subject: String { Self.describe(X509_get_subject_name(certificate)) }
    package var issuer: String { Self.describe(X509_get_issuer_name(certificate)) }

    /// DNS names and IP addresses from subjectAltName, as the certificate has them
    /// (server-supplied: sanitise before showing).
    package var subjectAlternativeNames: [String] {
        guard let raw = X509_get_ext_d2i(certificate, NID_subject_alt_name, nil, nil) else { return [] }
        let names = OpaquePointer(raw)
        defer { cssl_general_names_free(names) }
        var result: [String] = []
        for index in 0..<cssl_sk_general_name_num(names) {
            guard let name = cssl_sk_general_name_value(names, index) else { continue }
            var length: Int32 = 0
            if let dns = cssl_general_name_dns(name, &length) {
                result.append(String(decoding: UnsafeBufferPointer(start: dns, count: Int(length)), as: UTF8.self))
            } else if let ip = cssl_general_name_ip(name, &length) {
                let bytes = Array(UnsafeBufferPointer(start: ip, count: Int(length)))
                result.append(bytes.count == 4 ? bytes.map(String.init).joined(separator: ".")
                                               : bytes.lowercaseHex(separator: ":"))
            }
        }
        return result
    }

    static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date? {
        guard let time else { return nil }
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }

    package var notBefore: Date? { Self.date(X509_get0_notBefore(certificate)) }
    package var notAfter: Date? { Self.date(X509_get0_notAfter(certificate)) }

    /// SHA-256 of the DER, lower-case hex without separators.
    package var sha256Fingerprint: String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        X509_digest(certificate, EVP_sha256(), &digest, &length)
        return digest.prefix(Int(length)).lowercaseHex()
    }

    /// SHA-256 of the DER SubjectPublicKeyInfo (HPKP's pin-sha256, in hex): it stays the same
    /// when a certificate is renewed with the same key, so a pin on it survives renewals.
    package var spkiSHA256: String {
        guard let key = X509_get_X509_PUBKEY(certificate) else { return "" }
        let length = i2d_X509_PUBKEY(key, nil)
        guard length > 0 else { return "" }
        var der = [UInt8](repeating: 0, count: Int(length))
        der.withUnsafeMutableBufferPointer { buffer in
            var cursor: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            _ = i2d_X509_PUBKEY(key, &cursor)
        }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var digestLength: UInt32 = 0
        guard EVP_Digest(der, der.count, &digest, &digestLength, EVP_sha256(), nil) == 1 else { return "" }
        return digest.prefix(Int(digestLength)).lowercaseHex()
    }

    /// Whether the certificate names `host` (SAN, or CN when there is no SAN).
    package func matches(host: String) -> Bool {
        X509_check_host(certificate, host, host.utf8.count, 0, nil) == 1
    }

    /// RFC 5929 `tls-server-end-point`: the certificate hashed with its signature's hash
    /// (SHA-256 when that is MD5 or SHA-1).
    package var serverEndPointChannelBinding: [UInt8]? {
        var digestNID: Int32 = 0
        var keyNID: Int32 = 0
        guard OBJ_find_sigid_algs(X509_get_signature_nid(certificate), &digestNID, &keyNID) == 1 else { return nil }
        var digest = cssl_digest_by_nid(digestNID)
        if digestNID == NID_md5 || digestNID == NID_sha1 || digest == nil { digest = EVP_sha256() }
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard X509_digest(certificate, digest, &output, &length) == 1 else { return nil }
        return Array(output.prefix(Int(length)))
    }
}
