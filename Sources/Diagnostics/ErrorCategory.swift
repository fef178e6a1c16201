/// What kind of failure an error is, independent of which layer raised it. The
/// command-line tool turns a category into a documented exit code and `--json`
/// reports it by name, so scripts can react without parsing messages.
public enum ErrorCategory: String, Sendable, Codable, CaseIterable {
    /// Bad input data: a malformed map, template, answers file or Pidgin file.
    case invalidData = "invalid-data"
    /// A file or directory that should be there is not.
    case missingInput = "missing-input"
    /// Tor, the onion service or the server could not be reached, or did not answer in time.
    case unreachable
    /// The server speaks, but wrongly: garbage, a protocol violation, no TLS offered.
    case protocolViolation = "protocol-violation"
    /// The server refused: name taken, registration closed, bad credentials.
    case refused
    /// Try again later: rate limited, or a transient Tor failure.
    case tryLater = "try-later"
    /// The certificate did not match the pin, or the user declined it.
    case untrustedCertificate = "untrusted-certificate"
    /// We could not write the result (disk full, permissions, Pidgin running).
    case cannotWrite = "cannot-write"
    /// A non-interactive run lacks answers it needs.
    case missingAnswers = "missing-answers"
    /// The user cancelled.
    case cancelled
    /// A bug or an unexpected condition.
    case internalError = "internal"

    /// The process exit status for this category (documented in the README).
    public var exitCode: Int32 {
        switch self {
        case .internalError: 1
        case .missingAnswers: 3
        case .invalidData: 65
        case .missingInput: 66
        case .unreachable: 69
        case .protocolViolation: 76
        case .refused: 77
        case .tryLater: 75
        case .untrustedCertificate: 78
        case .cannotWrite: 73
        case .cancelled: 130
        }
    }
}

/// An error that knows its category and can explain itself to a person. Every
/// library error type adopts it; `description` is the human message (never a secret).
public protocol ClassifiedError: Error, CustomStringConvertible {
    var category: ErrorCategory { get }
}

extension Error {
    /// The category of any error: classified ones say it, everything else is internal.
    public var category: ErrorCategory {
        (self as? ClassifiedError)?.category ?? .internalError
    }
}
