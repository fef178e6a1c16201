// onionboard — GPL-3.0-or-later.
import COpenSSL

/// SHA3-256 from OpenSSL, used only for the v3 onion checksum. `EVP_Digest` is a
/// one-shot call, so no C handle outlives this function.
enum SHA3 {
    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBytes { input in
            digest.withUnsafeMutableBufferPointer { output in
                EVP_Digest(input.baseAddress, input.count, output.baseAddress, &length, EVP_sha3_256(), nil)
            }
        }
        // Only fails if OpenSSL lacks SHA3 or cannot allocate: not a condition we can recover from.
        precondition(ok == 1 && length == 32, "OpenSSL SHA3-256 failed")
        return digest
    }
}
