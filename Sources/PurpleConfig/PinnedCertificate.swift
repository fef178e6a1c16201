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
        guard let root = try DirectoryHandle.openProfile(directory, create: false),
              let certificates = try root.subdirectories(CertificatePin.relativeDirectory, create: false),
              let file = try AtomicFile.read(host, in: certificates), !file.bytes.isEmpty else { return nil }
        guard let pin = try? CertificatePin(pemOrDER: file.bytes) else {
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
        // The profile's lock, directories and backups, as every profile write has them.
        let root = try DirectoryHandle.openProfile(directory, create: true)!
        try root.lockExclusively(waiting: lockWaitSeconds)
        var certificates = root
        for component in CertificatePin.relativeDirectory.split(separator: "/") {
            certificates = try certificates.subdirectory(String(component), create: true)!
            _ = try certificates.makePrivate()
        }
        let old = try AtomicFile.read(host, in: certificates)
        if let old, pin.matches(existing: old.bytes) { return nil }
        var store: BackupStore?
        if old != nil {
            let backups = try root.subdirectory(BackupStore.directoryName, create: true)!
            _ = try backups.makePrivate()
            store = BackupStore(directory: backups)
        }
        let label = BackupStore.label(for: host, isCertificate: true)
        let backup = try AtomicFile.replace(host, in: certificates, with: pin.pem, old: old, backup: store.map { ($0, label) })
        if old != nil { store?.prune(label) }
        return backup
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
