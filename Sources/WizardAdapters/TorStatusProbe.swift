import FoundationEssentials
import Glibc
import Platform
import Vocabulary
import Wizard
import XMPPOverTor

/// How far Tor is: first whether a SOCKS5 proxy answers at `host:port` (connect, send
/// the greeting — version 5, one method: no authentication — and expect `05 00`);
/// then, on Tails, whether Tor has finished connecting, which Tails tells any
/// unprivileged program: the file `/run/tor-has-bootstrapped/done` appears once Tor has
/// bootstrapped, and the systemd target `tails-tor-has-bootstrapped.target` is active
/// (Tails' own test suite and other applications read them the same way; docs/wizard.md).
/// Elsewhere a SOCKS answer is all a program can learn without Tor's control port; a run
/// then treats a failed onion connection as "maybe still connecting" and tries again
/// within its limit. The host must be an IP literal: nothing here resolves names.
public struct TorStatusProbe: Sendable {
    public var tails: TailsLayout
    /// Exits 0 when Tails' Tor has bootstrapped.
    public var tailsBootstrappedCheck: [String]

    public init(tails: TailsLayout = TailsLayout(environment: ProcessInfo.processInfo.environment),
                tailsBootstrappedCheck: [String] = ["/bin/systemctl", "--quiet", "is-active", "tails-tor-has-bootstrapped.target"]) {
        self.tails = tails
        self.tailsBootstrappedCheck = tailsBootstrappedCheck
    }

    public func state(_ address: HostPort) -> TorState {
        let socks = Self.probeSOCKS(address)
        guard socks == .ready, FileManager.default.fileExists(atPath: tails.versionFile) else { return socks }
        if FileManager.default.fileExists(atPath: tails.torBootstrappedFlag) || Self.exitsZero(tailsBootstrappedCheck) {
            return .ready
        }
        return .connecting("Tails says Tor has not finished connecting: finish in the Tor Connection assistant")
    }

    /// Runs `command` (no shell) and says whether it exited 0 within 5 s.
    static func exitsZero(_ command: [String]) -> Bool {
        guard let executable = command.first, FileManager.default.isExecutableFile(atPath: executable) else { return false }
        return QuietCommand.exitStatus(command, within: 5) == 0
    }

    public static func probeSOCKS(_ address: HostPort, timeoutSeconds: Int = 2) -> TorState {
        // The bracketed form is not accepted here (HostPort holds a bare IPv6 literal).
        guard !address.host.hasPrefix("["),
              let socketAddress = IPSocketAddress.make(host: address.host, port: UInt16(address.port)) else {
            return .notRunning("\(address.host) is not an IP address (the Tor SOCKS address must be one, e.g. 127.0.0.1)")
        }
        var storage = socketAddress.storage
        let family = Int32(storage.ss_family)
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return .notRunning("cannot create a socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socketAddress.length) }
        }
        guard connected == 0 else {
            return .notRunning("nothing listens on \(address) (\(String(cString: strerror(errno))))")
        }
        let greeting: [UInt8] = [5, 1, 0]
        guard greeting.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == 3 else {
            return .notRunning("\(address) closed the connection")
        }
        var reply = [UInt8](repeating: 0, count: 2)
        var received = 0
        while received < 2 {
            let n = reply.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + received, 2 - received, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return .notRunning("\(address) did not answer the SOCKS5 greeting") }
            received += n
        }
        guard reply == [5, 0] else {
            return .notRunning("\(address) is not a SOCKS5 proxy without authentication (answered \(reply.lowercaseHex(separator: " ")))")
        }
        return .ready
    }
}
