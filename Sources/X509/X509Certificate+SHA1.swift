import COpenSSL

extension X509Certificate {
    /// SHA-1 of the DER, lower-case hex without separators. Only for showing: Pidgin's
    /// certificate dialog shows this fingerprint and no other, so a person compares it.
    package var sha1Fingerprint: String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard X509_digest(certificate, EVP_sha1(), &digest, &length) == 1 else { return "" }
        let hex = Array("0123456789abcdef")
        return String(digest.prefix(Int(length)).flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 0x0f)]] })
    }
}
