/// What writing a Pidgin profile did (or, for a dry run, would do). Never contains the password.
public struct ProfileWriteReport: Sendable, Equatable, Codable {
    public var directory: String
    /// The account's name as saved (`user@domain/`, or an existing account's own name).
    public var accountName: String
    public var changes: [PlannedChange]
    /// Copies of the files that were replaced.
    public var backups: [String]
    /// Things the person should know (e.g. the profile will not survive a Tails restart).
    public var warnings: [ProfileWarning]

    public init(directory: String, accountName: String, changes: [PlannedChange], backups: [String],
                warnings: [ProfileWarning] = []) {
        self.directory = directory
        self.accountName = accountName
        self.changes = changes
        self.backups = backups
        self.warnings = warnings
    }

    /// Paths of the files whose content changed.
    public var written: [String] { changes.filter { $0.action != .unchanged }.map(\.path) }
}

/// What a write does (or did) to one file.
public struct PlannedChange: Sendable, Codable, Equatable {
    public enum Action: String, Sendable, Codable { case create, update, unchanged }
    public let path: String
    public let action: Action

    public init(path: String, action: Action) {
        self.path = path
        self.action = action
    }
}

/// Something about a written profile the person should know.
public struct ProfileWarning: Sendable, Codable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        /// Tails with Persistent Storage unlocked, but ~/.purple is not on it.
        case notPersistent = "not-persistent"
        /// Tails without unlocked Persistent Storage: everything vanishes at shutdown.
        case persistentStorageLocked = "persistent-storage-locked"
        case pidginNotInstalled = "pidgin-not-installed"
        case noCertificatePinned = "no-certificate-pinned"
        case clientRunningForced = "client-running-forced"
        /// A profile directory was open to other users and has been made 0700.
        case permissionsTightened = "permissions-tightened"
        /// A file not in libpurple's own layout was written in it (its content kept).
        case reformatted
    }

    public let code: Code
    public let message: String
    public var description: String { message }

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }
}
