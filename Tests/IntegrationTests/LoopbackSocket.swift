import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny blocking TCP client for tests: connects only to 127.0.0.1, every read and write has
/// a deadline (SO_RCVTIMEO / SO_SNDTIMEO), so a silent peer fails the test instead of hanging it.
final class LoopbackSocket {
    struct Failure: Error, CustomStringConvertible { let description: String }

    private let fd: Int32

    init(port: Int, timeout: TimeInterval = 30) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket(): errno \(errno)") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard rc == 0 else {
            let code = errno
            close(fd)
            throw Failure(description: "connect to 127.0.0.1:\(port) failed: errno \(code)")
        }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send failed: errno \(errno)") }
            sent += n
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Exactly `count` bytes, or an error on EOF / timeout.
    func receive(exactly count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = buffer[got...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else {
                throw Failure(description: n == 0 ? "peer closed after \(got) of \(count) bytes" : "recv: errno \(errno)")
            }
            got += n
        }
        return buffer
    }

    /// Reads until `predicate` holds on the accumulated text (or EOF / timeout / limit).
    func receiveText(until predicate: (String) -> Bool, limit: Int = 65536) throws -> String {
        var data = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while data.count < limit {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            data += chunk[0..<n]
            if predicate(String(decoding: data, as: UTF8.self)) { break }
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// SOCKS5 CONNECT with the host name sent to the proxy (ATYP 3), no authentication.
/// Returns the reply code (0x00 = success; tor's ExtendedErrors codes otherwise).
func socks5Connect(_ socket: LoopbackSocket, host: String, port: Int) throws -> UInt8 {
    try socket.send([0x05, 0x01, 0x00])
    let method = try socket.receive(exactly: 2)
    guard method == [0x05, 0x00] else { throw LoopbackSocket.Failure(description: "SOCKS method reply \(method)") }
    let name = Array(host.utf8)
    try socket.send([0x05, 0x01, 0x00, 0x03, UInt8(name.count)] + name + [UInt8(port >> 8), UInt8(port & 0xff)])
    let reply = try socket.receive(exactly: 10) // tor always answers ATYP 1, 0.0.0.0:0
    guard reply[0] == 0x05 else { throw LoopbackSocket.Failure(description: "SOCKS reply \(reply)") }
    return reply[1]
}
