import COpenSSL
import Foundation

extension PurpleProfile {
    /// SHA-256 (lower-case hex, of the DER) of the certificate pinned for `host` in
    /// tls_peers, or nil when there is none. A file libpurple rewrote (PEM with CRLF, or
    /// DER) counts the same.
    public func pinnedCertificateSHA256(for host: String) throws -> String? {
        guard CertificatePin.isSafeFileName(host) else {
            throw PurpleConfigError.invalidRequest("\(host) cannot be a certificate file name in tls_peers")
        }
        guard let bytes = try AtomicFile.read(certificatePath(for: host)), !bytes.isEmpty else { return nil }
        guard let pin = try? CertificatePin(pemOrDER: bytes) else {
            throw PurpleConfigError.invalidCertificate("\(certificatePath(for: host)) holds no certificate")
        }
        return pin.sha256
    }

    /// Replaces the certificate pinned for `host` (a renewal the run has vouched for),
    /// atomically, keeping the old file as a backup. Pidgin may run meanwhile: it reads
    /// tls_peers when it connects and never saves it on exit. Returns the backup's path.
    @discardableResult
    public func replacePinnedCertificate(for host: String, pem: [UInt8]) throws -> String? {
        guard CertificatePin.isSafeFileName(host) else {
            throw PurpleConfigError.invalidRequest("\(host) cannot be a certificate file name in tls_peers")
        }
        let pin = try CertificatePin(pemOrDER: pem)
        try DirectoryHandle.makePrivateDirectories(certificateDirectory)
        let handle = try DirectoryHandle(path: certificateDirectory)
        try handle.lockExclusively()
        let old = try AtomicFile.read(certificatePath(for: host))
        if let old, pin.matches(existing: old) { return nil }
        let backup = old == nil ? nil : Self.freeBackupName(for: host, in: certificateDirectory, stamp: Self.backupTimestamp())
        try AtomicFile.replace(host, in: handle, with: pin.pem, backupName: backup)
        return backup.map { "\(certificateDirectory)/\($0)" }
    }
}

extension CertificatePin {
    /// SHA-256 of the DER, lower-case hex (what libpurple and onionboard compare).
    var sha256: String {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        der.withUnsafeBytes { raw in
            digest.withUnsafeMutableBufferPointer { out in
                _ = SHA256(raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count, out.baseAddress)
            }
        }
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}
