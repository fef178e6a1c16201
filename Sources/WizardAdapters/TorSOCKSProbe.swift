import Foundation
import Vocabulary
import Wizard
import XMPPOverTor
#if canImport(Glibc)
import Glibc
#endif

/// Asks whether a SOCKS5 proxy answers at `host:port`: connect, send the greeting
/// (version 5, one method: no authentication) and expect `05 00` back. Used by
/// `bootstrap` to wait for Tor after login. The host must be an IP literal: nothing
/// here resolves names.
public enum TorSOCKSProbe {
    public static func probe(_ address: HostPort, timeoutSeconds: Int = 2) -> TorReadiness {
        // The bracketed form is not accepted here (HostPort holds a bare IPv6 literal).
        guard !address.host.hasPrefix("["),
              let socketAddress = IPSocketAddress.make(host: address.host, port: UInt16(address.port)) else {
            return .notReady("\(address.host) is not an IP address (the Tor SOCKS address must be one, e.g. 127.0.0.1)")
        }
        var storage = socketAddress.storage
        let family = Int32(storage.ss_family)
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .notReady("cannot create a socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socketAddress.length) }
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
