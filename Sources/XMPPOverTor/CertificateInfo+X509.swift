import X509

extension X509Certificate {
    /// The value handed to callers: no OpenSSL type leaves the module.
    func info(domain: String, chainVerified: Bool, overOnion: Bool) -> CertificateInfo {
        var info = CertificateInfo(pem: pem, sha256: sha256Fingerprint, subject: subject, issuer: issuer,
                        subjectAlternativeNames: subjectAlternativeNames, notBefore: notBefore, notAfter: notAfter,
                        validForDomainBySystemCAs: chainVerified && matches(host: domain), domain: domain,
                        overOnion: overOnion, spkiSHA256: spkiSHA256)
        info.sha1 = sha1Fingerprint
        return info
    }
}
