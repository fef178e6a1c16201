/// `host:port`, split: the Tor SOCKS address.
public struct HostPort: Sendable, Equatable, Codable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Why a `host:port` text was refused, in words for the person who wrote it.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// `host:port` or `[IPv6]:port`, split and checked: the host without brackets.
    public init(parsing value: String) throws(ParseError) {
        let host: Substring
        let portText: Substring
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]"),
                  value[value.index(after: close)...].hasPrefix(":") else {
                throw ParseError(reason: "write an IPv6 address as [::1]:9050")
            }
            host = value[value.index(after: value.startIndex)..<close]
            portText = value[value.index(close, offsetBy: 2)...]
        } else {
            guard let colon = value.lastIndex(of: ":") else {
                throw ParseError(reason: "give host:port, for example 127.0.0.1:9050")
            }
            host = value[..<colon]
            portText = value[value.index(after: colon)...]
        }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace }) else {
            throw ParseError(reason: "the host part is missing (host:port, for example 127.0.0.1:9050)")
        }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw ParseError(reason: "the port after : must be a number from 1 to 65535")
        }
        self.init(host: String(host), port: port)
    }

    /// Parses a value that passed `Validation.hostPort`; nil otherwise.
    public init?(_ text: String) {
        guard let parsed = try? HostPort(parsing: text) else { return nil }
        self = parsed
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Tor's SOCKS port when nothing else is said (Tails, the tor package).
    public static let torDefault = HostPort(host: "127.0.0.1", port: 9050)
}
