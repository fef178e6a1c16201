import FoundationEssentials
import Glibc

/// Starting Pidgin on the profile just written (the desktop's "Start Pidgin").
public enum Pidgin {
    public static let executable = "/usr/bin/pidgin"

    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    /// Starts Pidgin on `profileDirectory` (which need not be ~/.purple: --purple-dir) in a
    /// session of its own, detached from us; false if it cannot start.
    @discardableResult
    public static func start(profileDirectory: String) -> Bool {
        ChildProcess.startDetached([executable, "--config=\(profileDirectory)"])
    }
}
