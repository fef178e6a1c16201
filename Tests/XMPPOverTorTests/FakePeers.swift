import Foundation
import Glibc
@testable import XMPPOverTor

/// Test peers on 127.0.0.1 for faults a real server cannot produce on demand: a scripted
/// server that records what the client sent, and a round-trip-counting relay.
enum Sockets {
    /// A listening socket on an ephemeral loopback port.
    static func listen() -> (fd: Int32, port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        Glibc.listen(fd, 16)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, UInt16(bigEndian: address.sin_port))
    }

    /// A port on which nothing listens (bound, then closed).
    static func unusedPort() -> UInt16 {
        let (fd, port) = listen()
        close(fd)
        return port
    }

    static func connect(port: UInt16) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return result == 0 ? fd : -1
    }

    /// Reads what is available within `timeout` seconds ([] at EOF or timeout).
    static func read(_ fd: Int32, timeout: Double = 5) -> [UInt8] {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, Int32(timeout * 1000)) > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? Array(buffer[0..<n]) : []
    }

    @discardableResult
    static func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    @discardableResult
    static func write(_ fd: Int32, _ text: String) -> Bool { write(fd, Array(text.utf8)) }
}

extension TCPConnection {
    /// Sends FIN so a fake server sees the end of what we wrote.
    func shutdownForTests() { shutdown(fd, Int32(SHUT_WR)) }
}

/// Accepts one connection and runs `script` with its socket on a thread; everything
/// the script reads through `read` is recorded.
final class FakeServer: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var recorded: [UInt8] = []
    private let finished = DispatchSemaphore(value: 0)

    init(script: @escaping @Sendable (FakeServer, Int32) -> Void) {
        (listener, port) = Sockets.listen()
        let thread = Thread { [self] in
            let client = accept(listener, nil, nil)
            if client >= 0 {
                script(self, client)
                close(client)
            }
            finished.signal()
        }
        thread.start()
    }

    deinit { close(listener) }

    func read(_ fd: Int32, timeout: Double = 5) -> [UInt8] {
        let bytes = Sockets.read(fd, timeout: timeout)
        lock.lock(); recorded += bytes; lock.unlock()
        return bytes
    }

    /// Reads until the client closes or goes quiet for `quiet` seconds.
    func drain(_ fd: Int32, quiet: Double = 1) {
        while !read(fd, timeout: quiet).isEmpty {}
    }

    var received: [UInt8] {
        lock.lock(); defer { lock.unlock() }
        return recorded
    }

    func waitUntilDone(timeout: Double = 10) { _ = finished.wait(timeout: .now() + timeout) }
}

/// A TCP relay between the client and a real server that counts round trips the way
/// bench/relay.py does: the TCP connect is one, and each time the server starts sending
/// after the client sent something is one more. Every chunk is delayed by `delay`
/// seconds in each direction, so flights are not merged or split by scheduling luck.
final class CountingRelay: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var counts: [Int] = []
    private let upstream: UInt16
    private let delay: Double

    init(upstream: UInt16, delay: Double = 0.02) {
        self.upstream = upstream
        self.delay = delay
        (listener, port) = Sockets.listen()
        let thread = Thread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 { return }
                let server = Sockets.connect(port: upstream)
                Thread { [self] in self.pump(client: client, server: server) }.start()
            }
        }
        thread.start()
    }

    /// Round-trip counts of the finished connections, in order.
    var roundTrips: [Int] {
        lock.lock(); defer { lock.unlock() }
        return counts
    }

    func stop() { shutdown(listener, Int32(SHUT_RDWR)); close(listener) }

    private func pump(client: Int32, server: Int32) {
        var count = 1
        var lastFromClient = false
        var queues: [(due: Double, bytes: [UInt8], to: Int32)] = []
        var open = (client: true, server: true)
        var clientClosedAt: Double?
        func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
        while open.client || open.server || !queues.isEmpty {
            let wait = queues.first.map { max(0, $0.due - now()) } ?? 1
            var entries = [pollfd(fd: open.client ? client : -1, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: open.server ? server : -1, events: Int16(POLLIN), revents: 0)]
            _ = poll(&entries, 2, Int32(wait * 1000) + 1)
            for (index, fd) in [client, server].enumerated() where entries[index].revents != 0 {
                var buffer = [UInt8](repeating: 0, count: 65536)
                let n = recv(fd, &buffer, buffer.count, 0)
                if n <= 0 {
                    if index == 0 { open.client = false } else { open.server = false }
                    queues.append((now() + delay, [], index == 0 ? server : client))  // forward the FIN
                    if !open.client && !open.server { break }
                    continue
                }
                if index == 1 && lastFromClient { count += 1 }
                lastFromClient = index == 0
                queues.append((now() + delay, Array(buffer[0..<n]), index == 0 ? server : client))
            }
            while let first = queues.first, first.due <= now() {
                if first.bytes.isEmpty { shutdown(first.to, Int32(SHUT_WR)) } else { Sockets.write(first.to, first.bytes) }
                queues.removeFirst()
            }
            // Like bench/relay.py: keep counting until both sides have closed, so a
            // closing exchange the client triggers is counted too.
            if !open.server && queues.isEmpty { break }
            if !open.client && queues.isEmpty && waitedForServer(since: &clientClosedAt, now: now()) { break }
        }
        close(client)
        close(server)
        lock.lock(); counts.append(count); lock.unlock()
    }

    /// After the client closed, give the server two delays to answer before giving up.
    private func waitedForServer(since closedAt: inout Double?, now: Double) -> Bool {
        if closedAt == nil { closedAt = now }
        return now - closedAt! > 2 * delay + 0.2
    }
}
