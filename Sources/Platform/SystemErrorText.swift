import FoundationEssentials
import Glibc

/// A failed file operation's reason in the system's words ("Permission denied"), where full
/// Foundation had `localizedDescription`: FoundationEssentials' errors print as structures.
public enum SystemErrorText {
    public static func describe(_ error: any Error) -> String {
        if let posix = error as? POSIXError { return text(of: posix.code.rawValue) }
        if let cocoa = error as? CocoaError {
            if let posix = cocoa.underlying as? POSIXError { return text(of: posix.code.rawValue) }
            switch cocoa.code {
            case .fileNoSuchFile, .fileReadNoSuchFile: return text(of: ENOENT)
            case .fileReadNoPermission, .fileWriteNoPermission: return text(of: EACCES)
            case .fileWriteOutOfSpace: return text(of: ENOSPC)
            case .fileReadInapplicableStringEncoding: return "it is not text in the expected encoding"
            default: break
            }
        }
        return "\(error)"
    }

    /// strerror(3) of `code`.
    public static func text(of code: Int32) -> String { String(cString: strerror(code)) }
}
