/// Where Tails' own files are looked for: at `/` on Tails; under another directory when
/// `ONIONBOARD_TAILS_ROOT` names one — a simulated Tails layout, for tests and for trying
/// onionboard's Tails behaviour on another system. Nothing else changes with it.
public struct TailsLayout: Sendable, Equatable {
    public var root: String

    public init(root: String = "/") {
        self.root = root
    }

    /// The layout the environment names (`ONIONBOARD_TAILS_ROOT`), else the real one.
    public init(environment: [String: String]) {
        let given = environment["ONIONBOARD_TAILS_ROOT"] ?? ""
        self.init(root: given.isEmpty ? "/" : given)
    }

    /// `absolute` (a path on Tails) in this layout.
    public func path(_ absolute: String) -> String {
        guard root != "/" else { return absolute }
        return (root.hasSuffix("/") ? String(root.dropLast()) : root) + absolute
    }

    /// Present only on Tails.
    public var versionFile: String { path("/etc/amnesia/version") }
    /// Present once Tor has bootstrapped (Tails 7: made by tails-tor-has-bootstrapped-flag-file.service).
    public var torBootstrappedFlag: String { path("/run/tor-has-bootstrapped/done") }
    /// The unlocked Persistent Storage.
    public var persistenceRoot: String { path("/live/persistence/TailsData_unlocked") }
    /// Which Persistent Storage features are on: `persistence.conf` in the unlocked volume
    /// (Tails' tps `configuration/config_file.py`; mode 0600, owned by tails-persistent-storage).
    public var persistenceConfiguration: String { persistenceRoot + "/persistence.conf" }
    /// The "Dotfiles" feature's files, linked into the home directory at every unlock.
    public var dotfiles: String { persistenceRoot + "/dotfiles" }
    /// The desktop user's home directory on Tails.
    public var home: String { path(Self.homeOnTails) }
    public static let homeOnTails = "/home/amnesia"
    /// Tails' command that asks the Persistent Storage service about a feature
    /// (`tpscli is-enabled Dotfiles`): what an unprivileged program can use.
    public var tpscli: String { path("/usr/local/lib/tpscli") }
}
