import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Asks whether a SOCKS5 proxy answers at `host:port`: connect, send the greeting
/// (version 5, one method: no authentication) and expect `05 00` back. Used by
/// `bootstrap` to wait for Tor after login. The host must be an IP literal: nothing
/// here resolves names.
public enum TorSOCKSProbe {
    public enum Outcome: Sendable, Equatable {
        case ready
        /// Nothing listens, or what listens is not a SOCKS5 proxy; why, in words.
        case notReady(String)
    }

    public static func probe(_ address: HostPort, timeoutSeconds: Int = 2) -> Outcome {
        var storage = sockaddr_storage()
        var length: socklen_t
        let family: Int32
        if inet_pton(AF_INET, address.host, &storage) == 1 {
            family = AF_INET
            var v4 = sockaddr_in()
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = in_port_t(UInt16(address.port).bigEndian)
            _ = inet_pton(AF_INET, address.host, &v4.sin_addr)
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeBytes(of: v4) { raw in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) } }
        } else if inet_pton(AF_INET6, address.host, &storage) == 1 {
            family = AF_INET6
            var v6 = sockaddr_in6()
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = in_port_t(UInt16(address.port).bigEndian)
            _ = inet_pton(AF_INET6, address.host, &v6.sin6_addr)
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeBytes(of: v6) { raw in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) } }
        } else {
            return .notReady("\(address.host) is not an IP address (the Tor SOCKS address must be one, e.g. 127.0.0.1)")
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .notReady("cannot create a socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) }
        }
        guard connected == 0 else {
            return .notReady("nothing listens on \(address) (\(String(cString: strerror(errno))))")
        }
        let greeting: [UInt8] = [5, 1, 0]
        guard greeting.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == 3 else {
            return .notReady("\(address) closed the connection")
        }
        var reply = [UInt8](repeating: 0, count: 2)
        var received = 0
        while received < 2 {
            let n = reply.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + received, 2 - received, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return .notReady("\(address) did not answer the SOCKS5 greeting") }
            received += n
        }
        guard reply == [5, 0] else {
            return .notReady("\(address) is not a SOCKS5 proxy without authentication (answered \(reply.map { String(format: "%02x", $0) }.joined(separator: " ")))")
        }
        return .ready
    }
}
