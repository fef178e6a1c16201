/// The desktop entries (Templates/onionboard-bootstrap.desktop and Templates/onionboard.desktop,
/// embedded in the binary) with the window started by its installed path: on Tails the
/// session's PATH may not hold ~/.local/bin when autostart runs.
enum DesktopEntries {
    static func bootstrap(window: String) -> String {
        withExec(String(decoding: PackageResources.onionboard_bootstrap_desktop, as: UTF8.self), window: window)
    }

    static func menu(window: String) -> String {
        withExec(String(decoding: PackageResources.onionboard_desktop, as: UTF8.self), window: window)
    }

    /// `Exec=onionboard-gtk …` → `Exec=<window> …`; nothing else changes.
    static func withExec(_ entry: String, window: String) -> String {
        entry.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("Exec=onionboard-gtk") ? "Exec=" + window + line.dropFirst("Exec=onionboard-gtk".count) : line
        }.joined(separator: "\n")
    }
}
