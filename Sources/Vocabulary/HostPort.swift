import Glibc
import Localization

/// `address:port` of Tor's SOCKS port, split and checked. The host is always an IP literal
/// (an IPv6 one without brackets): onionboard never looks a name up, and Pidgin's Tor proxy
/// type, which accounts.xml names, accepts only IP addresses. `localhost` is the one name
/// understood, as 127.0.0.1, without a lookup. This is the one parser for every command
/// and the wizard's `hostport` answers.
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

    /// `IPv4:port`, `[IPv6]:port` or `localhost:port`.
    public init(parsing value: String) throws(ParseError) {
        let hostText: Substring
        let portText: Substring
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]"),
                  value[value.index(after: close)...].hasPrefix(":") else {
                throw ParseError(reason: translated("write an IPv6 address in brackets with the port after them, e.g. [::1]:9050"))
            }
            hostText = value[value.index(after: value.startIndex)..<close]
            portText = value[value.index(close, offsetBy: 2)...]
            guard hostText.contains(":") else {
                throw ParseError(reason: translated("brackets are only for IPv6 addresses: write \(hostText):\(portText)"))
            }
        } else {
            guard let colon = value.lastIndex(of: ":") else {
                throw ParseError(reason: translated("give address:port, for example 127.0.0.1:9050"))
            }
            hostText = value[..<colon]
            portText = value[value.index(after: colon)...]
            guard !hostText.contains(":") else {
                throw ParseError(reason: translated("write an IPv6 address in brackets, e.g. [::1]:9050"))
            }
        }
        guard !hostText.isEmpty else {
            throw ParseError(reason: translated("the address before : is missing (for example 127.0.0.1:9050)"))
        }
        guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText), (1...65535).contains(port) else {
            throw ParseError(reason: translated("the port after : must be a number from 1 to 65535"))
        }
        guard let host = Self.ipLiteral(String(hostText)) else {
            throw ParseError(reason: translated("""
                \(hostText) is not an IP address; the Tor SOCKS address must be one, e.g. 127.0.0.1:9050 \
                (localhost means 127.0.0.1): names are never looked up, and Pidgin's Tor proxy accepts only IP addresses
                """))
        }
        self.init(host: host, port: port)
    }

    /// Parses a value that passed `HostPort(parsing:)`; nil otherwise.
    public init?(_ text: String) {
        guard let parsed = try? HostPort(parsing: text) else { return nil }
        self = parsed
    }

    /// `host` as a canonical IP literal (IPv6 without brackets), `localhost` as 127.0.0.1,
    /// nil for anything else. Never a lookup.
    public static func ipLiteral(_ host: String) -> String? {
        if host.lowercased() == "localhost" { return "127.0.0.1" }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return text(of: &v4, family: AF_INET) }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 { return text(of: &v6, family: AF_INET6) }
        return nil
    }

    private static func text<Address>(of address: inout Address, family: Int32) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(family, &address, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Tor's SOCKS port when nothing else is said (Tails, the tor package).
    public static let torDefault = HostPort(host: "127.0.0.1", port: 9050)
}
