import Foundation

/// Helpers shared by the test targets: scratch directories, the built binary, and
/// the coordinates of the local world (private Tor network + Prosody) when it runs.
public enum TestSupport {
    /// A fresh private (0700) directory under the system temp dir.
    public static func makeTemporaryDirectory(_ label: String = "onionboard-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        return url
    }

    /// True when running under CI (`CI=true`): there, missing servers are failures, not skips.
    public static var isCI: Bool {
        ProcessInfo.processInfo.environment["CI"] == "true"
    }

    /// The package root (where Package.swift lives), found from this source file.
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The argument vector of a running process (/proc/<pid>/cmdline), nil once it is gone.
    public static func argv(of pid: pid_t) -> [String]? {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")) else { return nil }
        return data.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
    }

    /// Copies an executable to run it from elsewhere. The copy is written through a
    /// close-on-exec descriptor: a child another test spawns meanwhile (an Xvfb, a bus)
    /// would otherwise inherit it open for writing and keep the copy "busy" (ETXTBSY) for exec.
    public static func copyExecutable(_ source: URL, to destination: URL) throws {
        let bytes = try Data(contentsOf: source)
        let fd = open(destination.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o700)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: destination.path]) }
        defer { close(fd) }
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: destination.path]) }
    }

    /// The built `onionboard` executable (next to the test bundle).
    public static var onionboardBinary: URL {
        productsDirectory.appendingPathComponent("onionboard")
    }

    public static var productsDirectory: URL {
        // `swift test` runs the xctest binary from the products directory.
        let argv0 = URL(fileURLWithPath: CommandLine.arguments[0])
        var dir = argv0.deletingLastPathComponent()
        while dir.path != "/" {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("onionboard").path) {
                return dir
            }
            dir = dir.deletingLastPathComponent()
        }
        return argv0.deletingLastPathComponent()
    }
}
