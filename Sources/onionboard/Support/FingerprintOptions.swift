import ArgumentParser
import Vocabulary

/// `--pin` and `--accept-fingerprint` must be SHA-256 fingerprints (ASCII hex, colons allowed).
func validateFingerprints(pin: String?, accepted: String?) throws {
    for (flag, value) in [("--pin", pin), ("--accept-fingerprint", accepted)] {
        if let value, SHA256Fingerprint(value) == nil {
            throw ValidationError("\(flag): \(SHA256Fingerprint.expectedForm)")
        }
    }
}
