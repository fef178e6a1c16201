import Foundation

/// What finch's debug log (`finch -d`, libpurple 2.14.12) and screen say about one run.
/// The log strings are the exact ones from pidgin-files.md §5.
public struct FinchEvidence: Sendable, CustomStringConvertible {
    public var description: String {
        "FinchEvidence(loggedIn: \(loggedIn), peerCertMatchedCached: \(peerCertMatchedCached), "
            + "usedSOCKS5Proxy: \(usedSOCKS5Proxy), abortedDNSLookups: \(abortedDNSLookups), "
            + "certificatePromptShown: \(certificatePromptShown), log: \(log.count) characters)"
    }

    public let log: String
    /// The finch screen (tmux capture-pane), where dialogs such as certificate prompts appear.
    public let screen: String

    public init(log: String, screen: String) {
        self.log = log
        self.screen = screen
    }

    /// SASL succeeded and libpurple marked the connection connected (it then starts keepalives).
    public var loggedIn: Bool {
        log.contains("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'")
            && log.contains("connection: Activating keepalive.")
    }

    /// The pinned `tls_peers/<host>` file existed and its SHA-256 matched the server's leaf.
    public var peerCertMatchedCached: Bool {
        log.contains("certificate/x509/tls_cached: ...Found cached cert")
            && log.contains("certificate/x509/tls_cached: Peer cert matched cached")
    }

    /// A pin existed but the server presented another certificate.
    public var peerCertMismatched: Bool { log.contains("Peer cert did NOT match cached") }

    /// No pin for the host at all.
    public var certificateNotInCache: Bool { log.contains("certificate/x509/tls_cached: ...Not in cache") }

    /// finch asked the user to accept a certificate ("SSL Certificate Verification").
    public var certificatePromptShown: Bool {
        screen.contains("SSL Certificate Verification") || screen.contains("Accept certificate for")
    }

    /// Every `proxy: Connecting to HOST:PORT via PHOST:PPORT using SOCKS5` line, as (target, proxy).
    public var socks5Connections: [(target: String, proxy: String)] {
        lines.compactMap { line in
            guard let start = line.range(of: "proxy: Connecting to "),
                  let via = line.range(of: " via ", range: start.upperBound..<line.endIndex),
                  let using = line.range(of: " using SOCKS5", range: via.upperBound..<line.endIndex)
            else { return nil }
            return (String(line[start.upperBound..<via.lowerBound]), String(line[via.upperBound..<using.lowerBound]))
        }
    }

    /// Connected through a SOCKS5 proxy (any target).
    public var usedSOCKS5Proxy: Bool { !socks5Connections.isEmpty }

    /// Connected to `target` (`host:port`) through the SOCKS5 proxy at `proxy` (`host:port`).
    public func usedSOCKS5Proxy(target: String, proxy: String) -> Bool {
        socks5Connections.contains { $0.target == target && $0.proxy == proxy }
    }

    /// Names libpurple resolved itself (DNS A/AAAA, SRV, TXT). IP literals (such as the proxy's
    /// 127.0.0.1) are not lookups and are left out.
    public var realDNSQueries: [String] {
        lines.compactMap { line -> String? in
            for marker in ["dnsquery: Performing DNS lookup for ", "dnssrv: querying SRV record for ",
                           "dnssrv: querying TXT record for "] {
                if let r = line.range(of: marker) {
                    let name = String(line[r.upperBound...].prefix { !$0.isWhitespace && $0 != ":" })
                    return Self.isIPLiteral(name) ? nil : name
                }
            }
            return nil
        }
    }

    /// Tor proxy mode aborted the SRV lookup and nothing was resolved locally.
    public var abortedDNSLookups: Bool {
        log.contains("dnssrv: Aborting SRV lookup in Tor Proxy mode.") && realDNSQueries.isEmpty
    }

    /// The account sent a join presence to the room and received its own presence back with
    /// status 110 (self-presence).
    public func joinedRoom(_ roomJID: String) -> Bool {
        let sentJoin = lines.contains { $0.contains("jabber: Sending") && $0.contains("<presence to='\(roomJID)/") }
        return sentJoin && selfPresences(roomJID).contains { $0.contains("<status code='110'/>") }
    }

    /// The room answered as newly created (status 201: libpurple then opens a configuration dialog).
    public func roomWasCreatedOnJoin(_ roomJID: String) -> Bool {
        selfPresences(roomJID).contains { $0.contains("<status code='201'/>") }
    }

    /// Received presences from `room/...` (one per element).
    private func selfPresences(_ roomJID: String) -> [Substring] {
        lines.filter { $0.contains("jabber: Recv") }.flatMap { line in
            line.components(separatedBy: "<presence ").dropFirst()
                .filter { ($0.split(separator: ">", maxSplits: 1).first ?? "").contains("from='\(roomJID)/") }
                .map { Substring($0.components(separatedBy: "</presence>").first ?? $0) }
        }
    }

    private var lines: [Substring] { log.split(separator: "\n") }

    private static func isIPLiteral(_ name: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, name, &v4) == 1 || inet_pton(AF_INET6, name, &v6) == 1
    }
}

/// The outcome of one finch run.
public struct FinchRun: Sendable, CustomStringConvertible {
    public var description: String { "FinchRun(\(logFile.path), \(timedOut ? "timed out" : "done"))" }

    public let evidence: FinchEvidence
    /// finch's debug log (stderr of `finch -d`); kept on disk only when the run timed out.
    public let logFile: URL
    /// The copy of the profile finch ran on (finch rewrites its files on exit); kept on
    /// disk only when the run timed out.
    public let profileCopy: URL
    /// True when the `until` condition never held before the timeout.
    public let timedOut: Bool
    public let seconds: Double

    /// The last lines of the log plus the screen, for `#expect(..., Comment(rawValue: run.summary))`.
    public var summary: String {
        let tail = evidence.log.split(separator: "\n", omittingEmptySubsequences: false).suffix(40)
            .map { $0.count > 300 ? $0.prefix(300) + "…" : $0 }.joined(separator: "\n")
        return """
            finch run (\(String(format: "%.1f", seconds)) s\(timedOut ? ", TIMED OUT" : "")), log \(logFile.path)
            --- log tail ---
            \(tail)
            --- screen ---
            \(evidence.screen)
            """
    }
}

/// Runs finch (libpurple's terminal client) headless under tmux on a COPY of a profile dir.
public enum Finch {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Starts `finch -c <copy> -d` in a detached tmux session (200x50), polls its debug log and
    /// screen until `until` holds or `timeout` passes, kills the session and returns the evidence.
    /// The session is registered with the world (if one runs) so `testbed/world down` can
    /// remove it should this process die first.
    public static func run(
        profile: URL,
        timeout: TimeInterval = 90,
        world: World? = World.current,
        until done: @Sendable (FinchEvidence) -> Bool
    ) throws -> FinchRun {
        for tool in ["finch", "tmux"] where !isInPath(tool) {
            throw Failure(description: "\(tool) is not installed (run scripts/setup)")
        }
        let scratch = try TestSupport.makeTemporaryDirectory("onionboard-finch")
        let copy = scratch.appendingPathComponent("profile", isDirectory: true)
        try FileManager.default.copyItem(at: profile, to: copy)
        let logFile = scratch.appendingPathComponent("finch-debug.log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)

        let session = "onionboard-finch-\(getpid())-\(UUID().uuidString.prefix(8))"
        // `env -u`: a matching no_proxy would make libpurple bypass the proxy (pidgin-files.md §1).
        let command = "exec env -u no_proxy -u NO_PROXY finch -c \(shellQuote(copy.path)) -d 2>\(shellQuote(logFile.path))"
        let started = try runCommand(["tmux", "new-session", "-d", "-s", session, "-x", "200", "-y", "50", command],
                                     timeout: 10)
        guard started.status == 0 else {
            throw Failure(description: "tmux new-session failed (\(started.status)): \(started.output)")
        }
        // finch survives the SIGHUP of a killed tmux session and then spins on the lost
        // terminal, so it is stopped by PID (the pane's process is finch itself: `exec`).
        let finchPID = panePID(session)
        if let finchPID { world?.recordFinch(session: session, pid: finchPID, marker: "-c \(copy.path)") }
        defer {
            _ = try? runCommand(["tmux", "kill-session", "-t", "=\(session)"], timeout: 10)
            if let finchPID { stopProcess(finchPID, ifArgvContains: copy.path) }
        }

        let start = Date()
        var evidence = FinchEvidence(log: "", screen: "")
        var timedOut = true
        var polls = 0
        while Date().timeIntervalSince(start) < timeout {
            let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
            // The screen is only needed for prompts; capture it every 4th poll (a process spawn).
            let screen = polls % 4 == 0 ? capturePane(session) ?? evidence.screen : evidence.screen
            evidence = FinchEvidence(log: log, screen: screen)
            if done(evidence) { timedOut = false; break }
            if polls % 4 == 0, !sessionExists(session) { break } // finch died: nothing more will come
            polls += 1
            Thread.sleep(forTimeInterval: 0.5)
        }
        let finalScreen = capturePane(session) ?? evidence.screen
        let finalLog = (try? String(contentsOf: logFile, encoding: .utf8)) ?? evidence.log
        evidence = FinchEvidence(log: finalLog, screen: finalScreen)
        if timedOut, done(evidence) { timedOut = false }
        // The evidence holds the log; the copy (with the account's password) is kept only
        // for a run that failed, to be looked at.
        if !timedOut { try? FileManager.default.removeItem(at: scratch) }
        return FinchRun(evidence: evidence, logFile: logFile, profileCopy: copy, timedOut: timedOut,
                        seconds: Date().timeIntervalSince(start))
    }

    private static func panePID(_ session: String) -> pid_t? {
        guard let result = try? runCommand(["tmux", "display-message", "-p", "-t", "=\(session):", "#{pane_pid}"],
                                           timeout: 10),
              result.status == 0 else { return nil }
        return pid_t(result.output.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// SIGTERM, then SIGKILL after 2 s, to `pid` only while its argv still contains `marker`.
    public static func stopProcess(_ pid: pid_t, ifArgvContains marker: String) {
        func isOurs() -> Bool {
            TestSupport.argv(of: pid)?.joined(separator: " ").contains(marker) ?? false
        }
        guard isOurs() else { return }
        kill(pid, SIGTERM)
        for _ in 0..<20 {
            Thread.sleep(forTimeInterval: 0.1)
            if !isOurs() { return }
        }
        kill(pid, SIGKILL)
    }

    private static func capturePane(_ session: String) -> String? {
        guard let result = try? runCommand(["tmux", "capture-pane", "-p", "-t", "=\(session):"], timeout: 10),
              result.status == 0 else { return nil }
        return result.output
    }

    private static func sessionExists(_ session: String) -> Bool {
        (try? runCommand(["tmux", "has-session", "-t", "=\(session)"], timeout: 10))?.status == 0
    }

    private static func isInPath(_ tool: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)")
        }
    }

    private static func shellQuote(_ s: String) -> String {
        "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
