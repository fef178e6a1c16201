import Diagnostics

/// The SOCKS5 proxy (Tor) refused or failed the request.
public enum SOCKS5Error: ClassifiedError, Equatable {
    case reply(code: UInt8, destination: String)
    case authenticationRejected
    case noAcceptableMethod
    /// The proxy chose "no authentication" although we offered only username/password
    /// (stream isolation): RFC 1928 lets it pick only an offered method; Tor never does this.
    case unofferedMethodChosen
    case notSOCKS5(String)
    case hostNameTooLong(String)

    public var category: ErrorCategory {
        switch self {
        case .reply(let code, _):
            switch code {
            case 0xF6, 0xF4, 0xF5: .invalidData
            // Stale circuits, TTL expired, failed introductions: the onion cannot be reached
            // now, like a SOCKS timeout (69). "Try later" (75) is for a server's rate limit.
            default: .unreachable
            }
        case .hostNameTooLong: .invalidData
        default: .protocolViolation
        }
    }

    /// A clear message for each RFC 1928 reply code and Tor's extended codes (proposal 304).
    public static func message(code: UInt8, destination: String) -> String {
        switch code {
        case 0x01: "Tor could not connect to \(destination) (general failure): the service may be down, or Tor's circuits are stale; try again in a minute"
        case 0x02: "Tor refused the connection to \(destination) by its rules"
        case 0x03: "Tor reports the network is unreachable for \(destination)"
        case 0x04: "Tor reports \(destination) is unreachable"
        case 0x05: "the onion service refused the connection to \(destination): nothing is offered on that port"
        case 0x06: "the connection to \(destination) timed out inside Tor (TTL expired)"
        case 0x07: "Tor does not support this SOCKS command"
        case 0x08: "Tor does not support this address type"
        case 0xF0: "the onion service \(destination) is not in the Tor network (descriptor not found): check the address, or the service is offline"
        case 0xF1: "the onion service \(destination) published an invalid descriptor"
        case 0xF2: "introduction to the onion service \(destination) failed: it is probably offline; try again later"
        case 0xF3: "the rendezvous with the onion service \(destination) failed; try again"
        case 0xF4: "the onion service \(destination) requires client authorization, and Tor has no key for it"
        case 0xF5: "the onion service \(destination) rejected Tor's client authorization key"
        case 0xF6: "bad onion address: \(destination) is not a valid v3 onion address (check for typos)"
        case 0xF7: "introduction to the onion service \(destination) timed out; try again later"
        default: "Tor could not connect to \(destination) (SOCKS reply code 0x\(String(code, radix: 16)))"
        }
    }

    public var description: String {
        switch self {
        case .reply(let code, let destination): Self.message(code: code, destination: destination)
        case .authenticationRejected: "the SOCKS proxy rejected the stream-isolation credentials"
        case .noAcceptableMethod: "the SOCKS proxy accepts none of our authentication methods"
        case .unofferedMethodChosen:
            "the SOCKS proxy chose \"no authentication\", which onionboard did not offer: it is not behaving like Tor's SocksPort, and without the isolation credentials this account would share Tor circuits with other traffic; refused before connecting (is --tor-socks pointing at Tor?)"
        case .notSOCKS5(let detail): "the proxy does not speak SOCKS5 (\(detail)): is this Tor's SocksPort?"
        case .hostNameTooLong(let host): "the host name \(host) is too long for SOCKS5"
        }
    }
}

/// Stream-isolation credentials for Tor (`IsolateSOCKSAuth`): a fresh password per
/// account gives each identity its own circuits.
public struct SOCKSCredentials: Sendable, Equatable {
    public let username: String
    public let password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// `<torS0X>0` with a random password (proposal 351's format 0).
    public static func isolated(password: String) -> SOCKSCredentials {
        SOCKSCredentials(username: "<torS0X>0", password: password)
    }
}

/// RFC 1928 / RFC 1929 client, CONNECT only, destination always as a name (ATYP 3):
/// the onion or domain is resolved by Tor, never here.
enum SOCKS5Client {
    static func greeting(offersAuthentication: Bool) -> [UInt8] {
        offersAuthentication ? [0x05, 0x01, 0x02] : [0x05, 0x01, 0x00]
    }

    static func authentication(_ credentials: SOCKSCredentials) -> [UInt8] {
        let user = Array(credentials.username.utf8.prefix(255))
        let pass = Array(credentials.password.utf8.prefix(255))
        return [0x01, UInt8(user.count)] + user + [UInt8(pass.count)] + pass
    }

    static func connectRequest(host: String, port: UInt16) throws -> [UInt8] {
        let name = Array(host.utf8)
        guard !name.isEmpty, name.count <= 255 else { throw SOCKS5Error.hostNameTooLong(host) }
        return [0x05, 0x01, 0x00, 0x03, UInt8(name.count)] + name + [UInt8(port >> 8), UInt8(port & 0xFF)]
    }

    /// Reads exactly `count` bytes.
    static func readExactly(_ count: Int, from stream: ByteStream, deadline: Deadline) throws -> [UInt8] {
        var bytes: [UInt8] = []
        while bytes.count < count {
            bytes += try stream.read(maximum: count - bytes.count, deadline: deadline)
        }
        return bytes
    }

    /// Asks the proxy on `stream` to connect to `host:port`.
    static func connect(over stream: ByteStream, host: String, port: UInt16,
                        credentials: SOCKSCredentials?, deadline: Deadline) throws {
        let request = try connectRequest(host: host, port: port)
        let destination = "\(host):\(port)"
        do {
            try stream.write(greeting(offersAuthentication: credentials != nil), deadline: deadline)
            let choice = try readExactly(2, from: stream, deadline: deadline)
            guard choice[0] == 0x05 else { throw SOCKS5Error.notSOCKS5("version byte 0x\(String(choice[0], radix: 16))") }
            switch choice[1] {
            case 0x00:
                // Only when we offered it: otherwise isolation would be lost without a word.
                guard credentials == nil else { throw SOCKS5Error.unofferedMethodChosen }
            case 0x02:
                guard let credentials else { throw SOCKS5Error.noAcceptableMethod }
                try stream.write(authentication(credentials), deadline: deadline)
                let status = try readExactly(2, from: stream, deadline: deadline)
                guard status[1] == 0x00 else { throw SOCKS5Error.authenticationRejected }
            default:
                throw SOCKS5Error.noAcceptableMethod
            }
            try stream.write(request, deadline: deadline)
            let head = try readExactly(4, from: stream, deadline: deadline)
            guard head[0] == 0x05 else { throw SOCKS5Error.notSOCKS5("reply version 0x\(String(head[0], radix: 16))") }
            guard head[1] == 0x00 else { throw SOCKS5Error.reply(code: head[1], destination: destination) }
            // Skip the bound address: IPv4, name or IPv6, then the port.
            switch head[3] {
            case 0x01: _ = try readExactly(4 + 2, from: stream, deadline: deadline)
            case 0x04: _ = try readExactly(16 + 2, from: stream, deadline: deadline)
            case 0x03:
                let length = try readExactly(1, from: stream, deadline: deadline)[0]
                _ = try readExactly(Int(length) + 2, from: stream, deadline: deadline)
            default: throw SOCKS5Error.notSOCKS5("address type 0x\(String(head[3], radix: 16))")
            }
        } catch ConnectionError.closedByPeer {
            throw SOCKS5Error.notSOCKS5("it closed the connection")
        }
    }
}
