import Glibc

/// Something we can write bytes to and read bytes from, each within a deadline:
/// the raw TCP connection before TLS, the TLS session after.
protocol ByteStream: AnyObject {
    func write(_ bytes: [UInt8], deadline: Deadline) throws
    /// Waits for at least one byte; returns up to `maximum` bytes, or throws at EOF.
    func read(maximum: Int, deadline: Deadline) throws -> [UInt8]
}

/// One TCP connection to an IP literal, the only owner of its socket. The socket is
/// non-blocking: connect, read and write all wait in `poll` with the time the phase
/// has left, so every wait honours its deadline exactly. SIGPIPE never fires
/// (`MSG_NOSIGNAL`, and the process-wide ignore below for OpenSSL's own writes).
final class TCPConnection: ByteStream {
    let fd: Int32
    /// Client flights answered by the server, counted like the relay in the tests:
    /// the TCP handshake is one, then every switch from writing to reading that data.
    private(set) var roundTrips = 1
    private var flightPending = false

    private static let ignoreSIGPIPE: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// `localhost` is the one name we map ourselves; everything else must be an IP literal.
    static func literal(for host: String) -> String {
        host.lowercased() == "localhost" ? "127.0.0.1" : host
    }

    /// True for 127.0.0.0/8 and ::1.
    static func isLoopback(_ host: String) -> Bool {
        let literal = literal(for: host)
        var v4 = in_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        let bare = literal.hasPrefix("[") ? String(literal.dropFirst().dropLast()) : literal
        var v6 = in6_addr()
        if inet_pton(AF_INET6, bare, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) } == [UInt8](repeating: 0, count: 15) + [1]
        }
        return false
    }

    /// Connects to `host` (an IP literal or `localhost`) within the deadline.
    /// `isTorProxy` only changes the wording of "connection refused".
    init(host: String, port: UInt16, deadline: Deadline, isTorProxy: Bool = false) throws {
        _ = Self.ignoreSIGPIPE
        guard let (storage, length) = IPSocketAddress.make(host: Self.literal(for: host), port: port) else {
            throw ConnectionError.unreachable(host: host, port: port,
                                              reason: "not an IP address (names are never resolved locally)")
        }
        var address = storage
        let family = Int32(address.ss_family)
        fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            throw ConnectionError.io(phase: "connect", reason: String(cString: strerror(errno)))
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
        }
        var failure: Int32 = 0
        if result != 0 {
            if errno == EINPROGRESS {
                do {
                    try Self.wait(fd: fd, events: Int16(POLLOUT), deadline: deadline)
                } catch {
                    Glibc.close(fd)
                    throw error
                }
                var size = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &size)
            } else {
                failure = errno
            }
        }
        if failure != 0 {
            Glibc.close(fd)
            if failure == ECONNREFUSED { throw ConnectionError.refused(host: host, port: port, viaTor: isTorProxy) }
            throw ConnectionError.unreachable(host: host, port: port, reason: String(cString: strerror(failure)))
        }
    }

    deinit { Glibc.close(fd) }

    /// Waits until `fd` is ready for `events` or the deadline passes.
    static func wait(fd: Int32, events: Int16, deadline: Deadline) throws {
        while true {
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let timeout = deadline.remainingMilliseconds
            if timeout == 0 { throw deadline.timeoutError }
            let ready = poll(&entry, 1, timeout)
            if ready > 0 { return }
            if ready == 0 { throw deadline.timeoutError }
            if errno != EINTR { throw ConnectionError.io(phase: deadline.phase, reason: String(cString: strerror(errno))) }
        }
    }

    func write(_ bytes: [UInt8], deadline: Deadline) throws {
        noteWrite()
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent >= 0 { offset += sent; continue }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                try Self.wait(fd: fd, events: Int16(POLLOUT), deadline: deadline)
            } else if errno == EPIPE || errno == ECONNRESET {
                throw ConnectionError.closedByPeer(phase: deadline.phase)
            } else if errno != EINTR {
                throw ConnectionError.io(phase: deadline.phase, reason: String(cString: strerror(errno)))
            }
        }
    }

    func read(maximum: Int, deadline: Deadline) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            let received = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if received > 0 {
                noteRead()
                return Array(buffer[0..<received])
            }
            if received == 0 { throw ConnectionError.closedByPeer(phase: deadline.phase) }
            if errno == EAGAIN || errno == EWOULDBLOCK {
                try Self.wait(fd: fd, events: Int16(POLLIN), deadline: deadline)
            } else if errno == ECONNRESET {
                throw ConnectionError.closedByPeer(phase: deadline.phase)
            } else if errno != EINTR {
                throw ConnectionError.io(phase: deadline.phase, reason: String(cString: strerror(errno)))
            }
        }
    }

    /// After the SOCKS exchange: count from the connect to the service itself.
    func resetRoundTrips() {
        roundTrips = 1
        flightPending = false
    }

    /// OpenSSL does its own send/recv on `fd`; it reports them here so the count stays right.
    func noteWrite() { flightPending = true }
    func noteRead() {
        if flightPending { roundTrips += 1; flightPending = false }
    }
}
