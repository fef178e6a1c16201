import FoundationEssentials

/// The person's home directory: `$HOME` as the shell and Pidgin take it, else the
/// password database's entry.
public enum HomeDirectory {
    public static var current: String {
        ProcessInfo.processInfo.environment["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
    }
}
