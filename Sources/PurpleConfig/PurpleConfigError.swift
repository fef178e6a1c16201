import Diagnostics

/// Everything that can stop a profile write. Messages name the file and say what
/// to do; they never contain the password.
public enum PurpleConfigError: ClassifiedError, Equatable {
    /// An existing file does not parse; we refuse to overwrite it.
    case malformedFile(path: String, line: Int, message: String)
    /// An existing file parses but is not shaped like the libpurple file it should be.
    case unexpectedStructure(path: String, message: String)
    /// Pidgin or finch runs for this user and would overwrite our files on exit.
    case clientRunning(names: [String], pids: [Int32])
    /// Another onionboard process is writing the same profile right now.
    case profileBusy(path: String)
    /// The file could not be written (disk full, quota, permissions ...). The old file is untouched.
    case cannotWrite(path: String, reason: String)
    /// A file we need to read could not be read.
    case cannotRead(path: String, reason: String)
    /// A value in the request is unusable (an unsafe certificate file name, an empty JID ...).
    case invalidRequest(String)
    /// The certificate given for the pin is not a PEM/DER X.509 certificate.
    case invalidCertificate(String)

    public var category: ErrorCategory {
        switch self {
        case .malformedFile, .unexpectedStructure, .invalidRequest, .invalidCertificate: .invalidData
        case .clientRunning, .profileBusy, .cannotWrite: .cannotWrite
        case .cannotRead: .missingInput
        }
    }

    public var description: String {
        switch self {
        case .malformedFile(let path, let line, let message):
            "\(path) line \(line) is not well-formed XML (\(message)). onionboard leaves it untouched. "
                + "Pidgin itself would not load it either: it would copy it to \(path)~ and start without "
                + "its contents. Repair the file (or move it aside) and run onionboard again."
        case .unexpectedStructure(let path, let message):
            "\(path) is not a libpurple file as expected: \(message). onionboard leaves it untouched."
        case .clientRunning(let names, let pids):
            "\(names.joined(separator: " and ")) is running (pid \(pids.map(String.init).joined(separator: ", "))) "
                + "and would overwrite the profile when it exits. Quit it first, or use --force."
        case .profileBusy(let path):
            "another onionboard process is writing the profile in \(path); try again when it has finished"
        case .cannotWrite(let path, let reason):
            "cannot write \(path): \(reason). The previous file, if any, is unchanged."
        case .cannotRead(let path, let reason):
            "cannot read \(path): \(reason)"
        case .invalidRequest(let message):
            message
        case .invalidCertificate(let message):
            "the certificate to pin is unusable: \(message)"
        }
    }
}
