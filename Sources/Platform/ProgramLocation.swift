import FoundationEssentials

/// Where the running program is installed: for the programs and files that come beside it.
public enum ProgramLocation {
    /// The running program's directory: /proc/self/exe; without /proc (a chroot), argv[0] as
    /// given, or the first PATH directory that holds an executable of that name. Nil if none.
    public static var directory: String? {
        if let me = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return Paths.parent(of: me) }
        guard let name = ProcessArguments.all.first, !name.isEmpty else { return nil }
        if name.contains("/") { return Paths.parent(of: name) }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map(String.init)
            .first { FileManager.default.isExecutableFile(atPath: Paths.join($0, name)) }
    }
}
