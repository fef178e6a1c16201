import Diagnostics
import Localization

/// Everything that can stop a profile write. Messages name the file and say what
/// to do; they never contain the password.
public enum PurpleConfigError: ClassifiedError, Equatable {
    /// An existing file does not parse; we refuse to overwrite it.
    case malformedFile(path: String, line: Int, message: String)
    /// The file declares a document type (`<!DOCTYPE …>`), which Pidgin never writes.
    case documentTypeDeclared(path: String, line: Int)
    /// An existing file parses but is not shaped like the libpurple file it should be.
    case unexpectedStructure(path: String, message: String)
    /// Something in the profile is not the regular file or directory onionboard expects
    /// there (a symbolic link, a FIFO, a file where a directory belongs ...).
    case unexpectedFileType(path: String, found: String, expected: String)
    /// A directory of the profile is open to other users and cannot be made private.
    case unsafeDirectory(path: String, reason: String)
    /// Pidgin or finch runs for this user and would overwrite our files on exit.
    case clientRunning(names: [String], pids: [Int32])
    /// Another onionboard process is writing the same profile, still after the wait.
    case profileBusy(path: String, waitedSeconds: Int)
    /// The file could not be written (disk full, quota, permissions ...). The old file is untouched.
    case cannotWrite(path: String, reason: String)
    /// A write failed after other files of the same run had been replaced.
    case incompleteWrite(failure: String, alreadyNew: [String], notWritten: [String])
    /// A file we need to read could not be read.
    case cannotRead(path: String, reason: String)
    /// A value in the request is unusable (an unsafe certificate file name, an empty JID ...).
    case invalidRequest(String)
    /// The certificate given for the pin is not a PEM/DER X.509 certificate.
    case invalidCertificate(String)
    /// A file onionboard produced does not read back (a bug); nothing of it was written.
    case producedUnreadableFile(path: String, message: String)

    public var category: ErrorCategory {
        switch self {
        case .malformedFile, .documentTypeDeclared, .unexpectedStructure, .invalidRequest, .invalidCertificate: .invalidData
        case .clientRunning, .profileBusy, .cannotWrite, .incompleteWrite, .unexpectedFileType, .unsafeDirectory: .cannotWrite
        case .cannotRead: .missingInput
        case .producedUnreadableFile: .internalError
        }
    }

    public var description: String {
        switch self {
        case .malformedFile(let path, let line, let message):
            translated("""
                \(path) line \(line) is not well-formed XML (\(message)). onionboard leaves it untouched. \
                Pidgin itself would not load it either: it would copy it to \(path)~ and start without \
                its contents. Repair the file (or move it aside) and run onionboard again.
                """)
        case .documentTypeDeclared(let path, let line):
            translated("""
                \(path) line \(line) declares a document type (<!DOCTYPE …>), which Pidgin never writes: its \
                entities would not survive a rewrite. onionboard leaves the file untouched. Remove the \
                declaration (and write out any entity it defines), or move the file aside, and run onionboard again.
                """)
        case .unexpectedStructure(let path, let message):
            translated("\(path) is not a libpurple file as expected: \(message). onionboard leaves it untouched.")
        case .unexpectedFileType(let path, let found, let expected):
            // Translators: {1} and {2} are kinds of file, in English ("a symbolic link", "a directory").
            translated("""
                \(path) is \(found), not \(expected). onionboard writes only regular files and directories inside \
                the profile (a link could lead outside it) and has changed nothing. Replace it with \(expected) \
                (or move it aside) and run onionboard again.
                """)
        case .unsafeDirectory(let path, let reason):
            translated("\(path) is not private: \(reason). onionboard has written nothing.")
        case .clientRunning(let names, let pids):
            // Translators: {0} is "Pidgin", "finch" or both, joined with ", ".
            translated("""
                \(names.joined(separator: ", ")) is running (pid \(pids.map(String.init).joined(separator: ", "))) \
                and would overwrite the profile when it exits. Quit it first, or use --force.
                """)
        case .profileBusy(let path, let waited):
            translated("""
                another onionboard process is still writing the profile in \(path) after \(waited) seconds; \
                try again when it has finished
                """)
        case .cannotWrite(let path, let reason):
            translated("cannot write \(path): \(reason). The previous file, if any, is unchanged.")
        case .incompleteWrite(let failure, let alreadyNew, let notWritten):
            "\(failure) " + translated("""
                Already replaced by their new versions: \(alreadyNew.joined(separator: ", ")). \
                Not written: \(notWritten.joined(separator: ", ")). Fix the cause and run onionboard again to finish.
                """)
        case .cannotRead(let path, let reason):
            translated("cannot read \(path): \(reason)")
        case .invalidRequest(let message):
            message
        case .invalidCertificate(let message):
            translated("the certificate to pin is unusable: \(message)")
        case .producedUnreadableFile(let path, let message):
            translated("onionboard produced a version of \(path) that does not read back (\(message)); this is a bug. Nothing of it was written.")
        }
    }
}
