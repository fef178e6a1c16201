import Secrets

/// An account the server created whose profile is not written yet: what a rerun
/// needs to finish it instead of creating another.
public struct PendingAccount: Sendable {
    public var jid: String
    public var password: SecretBytes
    public var connectHost: String
    public var port: Int
    public var tlsMode: TLSMode

    public init(jid: String, password: SecretBytes, connectHost: String, port: Int, tlsMode: TLSMode) {
        self.jid = jid
        self.password = password
        self.connectHost = connectHost
        self.port = port
        self.tlsMode = tlsMode
    }

    public var username: String { String(jid.split(separator: "@", maxSplits: 1).first ?? "") }
    public var domain: String { String(jid.split(separator: "@", maxSplits: 1).last ?? "") }
}
