import Secrets
import Vocabulary

/// The per-account SOCKS proxy: libpurple's `tor` type, which also stops local
/// DNS/SRV lookups. The username/password make Tor isolate this account's circuits
/// (IsolateSOCKSAuth); they are not secrets. Left nil, the ones already in the
/// profile are kept, or fresh random ones are made.
public struct ProxySettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?

    public init(host: String = "127.0.0.1", port: Int = 9050, username: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
    }
}

/// Everything onionboard writes into a Pidgin profile for one account.
public struct ProfileRequest: Sendable {
    /// The bare JID, `user@domain` (no resource).
    public var accountJID: String
    public var password: SecretBytes
    /// The host libpurple dials and checks the certificate against: the onion.
    public var connectServer: String
    public var port: Int
    public var tlsMode: TLSMode
    public var proxy: ProxySettings
    public var chat: RoomBookmark?
    /// The server's leaf certificate (PEM or DER; of a chain only the first is used).
    public var certificatePEM: [UInt8]?
    /// onionboard registered this account (not one the person brought): marked in
    /// accounts.xml (`<settings ui='onionboard'>`, which libpurple keeps), so that a later
    /// `bootstrap` may put its room back without asking.
    public var registeredHere = false

    public init(accountJID: String, password: SecretBytes, connectServer: String, port: Int = 5222,
                tlsMode: TLSMode = .startTLS, proxy: ProxySettings = ProxySettings(),
                chat: RoomBookmark? = nil, certificatePEM: [UInt8]? = nil) {
        self.accountJID = accountJID
        self.password = password
        self.connectServer = connectServer
        self.port = port
        self.tlsMode = tlsMode
        self.proxy = proxy
        self.chat = chat
        self.certificatePEM = certificatePEM
    }

    /// The account name as Pidgin saves it: the bare JID with an empty resource,
    /// `user@domain/`. The same string names the account in blist.xml.
    public var accountName: String { accountJID + "/" }

    func validate() throws {
        let parts = accountJID.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !accountJID.contains("/"),
              !accountJID.contains(where: { $0.isWhitespace }) else {
            throw PurpleConfigError.invalidRequest(
                "'\(accountJID)' is not a bare XMPP address; give it as user@domain (no resource)")
        }
        guard password.count > 0 else { throw PurpleConfigError.invalidRequest("the password is empty") }
        guard CertificatePin.isSafeFileName(connectServer) else {
            throw PurpleConfigError.invalidRequest(
                "the connect server '\(connectServer)' is not a host name (only letters, digits and @-_.# are allowed)")
        }
        guard (1...65535).contains(port), (1...65535).contains(proxy.port) else {
            throw PurpleConfigError.invalidRequest("ports must be between 1 and 65535")
        }
        // libpurple's Tor proxy type takes only IP addresses (it never resolves the proxy's name).
        guard HostPort.ipLiteral(proxy.host) == proxy.host else {
            throw PurpleConfigError.invalidRequest(
                "the Tor SOCKS host '\(proxy.host)' is not an IP address; Pidgin's Tor proxy needs one, e.g. 127.0.0.1")
        }
        // Control characters (other than tab, line feed, carriage return) and U+FFFE/U+FFFF
        // cannot be in an XML file at all, not even as references.
        let texts: [(String, String?)] = [("the address", accountJID), ("the Tor SOCKS host", proxy.host),
                                          ("the Tor isolation username", proxy.username),
                                          ("the Tor isolation password", proxy.password),
                                          ("the room", chat?.jid), ("the chat handle", chat?.handle),
                                          ("the chat alias", chat?.alias), ("the group", chat?.group)]
        for (what, text) in texts {
            if let bad = text?.unicodeScalars.first(where: { scalar in
                (scalar.value < 0x20 && ![0x09, 0x0A, 0x0D].contains(scalar.value)) || scalar.value == 0xFFFE || scalar.value == 0xFFFF
            }) {
                let hex = String(bad.value, radix: 16, uppercase: true)
                throw PurpleConfigError.invalidRequest("\(what) contains a character that a Pidgin file cannot hold "
                                                       + "(U+\(String(repeating: "0", count: max(0, 4 - hex.count)) + hex))")
            }
        }
        if let chat {
            guard !chat.room.isEmpty, !chat.service.isEmpty, !chat.jid.contains("/") else {
                throw PurpleConfigError.invalidRequest("the room '\(chat.jid)' is not of the form room@server")
            }
            guard chat.handle?.isEmpty != true, !chat.group.isEmpty else {
                throw PurpleConfigError.invalidRequest("the chat handle and group must not be empty")
            }
        }
    }
}

extension TLSMode {
    /// libpurple's `connection_security` setting for this mode.
    var purpleConnectionSecurity: String {
        switch self {
        case .startTLS: "require_tls"
        case .directTLS: "old_ssl"
        }
    }
}
