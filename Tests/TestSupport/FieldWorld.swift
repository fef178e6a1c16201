import Foundation

/// The field conditions of the local world (docs/testbed.md, "Field conditions"): more
/// providers behind their own onions, certificates chosen by SNI from a test CA, a dead and a
/// silent onion, rooms that exist / are members-only / are missing, a Tails-like tor and a slow
/// Tor network.
extension World {
    /// The keys `testbed/world up` writes for the field conditions (checked by FieldWorldTests;
    /// not in `requiredKeys`, so an older world.env still serves the older tests).
    public static let fieldKeys = [
        "WORLD_CTL", "WORLD_PROBE", "TEST_CA_PEM", "EJABBERDCTL",
        "EJABBERD_ONION", "EJABBERD_MUC_DOMAIN", "EJABBERD_ROOM_JID", "EJABBERD_NEGOTIATION_TIMEOUT",
        "EJABBERD_CERT_PEM", "EJABBERD_CERT_SHA256", "EJABBERD_DEFAULT_CERT_PEM", "EJABBERD_DEFAULT_CERT_SHA256",
        "CLOSED_DOMAIN", "CLOSED_ONION", "CLOSED_PORT", "CLOSED_CERT_SHA256",
        "RENEW_DOMAIN", "RENEW_ONION", "RENEW_PORT", "RENEW_TLS_PORT", "RENEW_CERT_PEM", "RENEW_DEFAULT_CERT_PEM",
        "DEAD_ONION", "SILENT_ONION", "SILENT_PORT", "ROOM_MEMBERS_ONLY_JID", "ROOM_MISSING_JID",
        "TAILS_SOCKS_PORT", "TAILS_CONTROL_PORT", "TAILS_CONTROL_COOKIE", "TAILS_BOOTSTRAPPED_FLAG",
        "SLOW_SOCKS_HOST", "SLOW_SOCKS_PORT", "SLOW_CONTROL_PORT", "SLOW_CONTROL_COOKIE", "SLOW_ONION",
        "SLOW_EJABBERD_ONION", "SLOW_PROVIDERS_JSON", "SLOW_DELAY_MS", "SLOW_RTT_MS", "SLOW_CIRCUIT_MS",
    ]

    /// The field keys this world.env lacks (empty for a world started by the current testbed/world).
    public var missingFieldKeys: [String] { Self.fieldKeys.filter { (values[$0] ?? "").isEmpty } }

    /// `testbed/world` for this world (its port base and directory), e.g. `["tails-tor", "reset"]`.
    public var worldControl: [String] { values["WORLD_CTL"]!.split(separator: " ").map(String.init) }
    /// `testbed/world-probe`: raw SOCKS5 / XMPP / TLS clients independent of onionboard's code.
    public var worldProbe: URL { URL(fileURLWithPath: values["WORLD_PROBE"]!) }
    /// The local test CA that issues captcha.test's and renew.test's leaves.
    public var testCAPEM: URL { path("TEST_CA_PEM") }

    /// A command prefix running ejabberdctl for the world's ejabberd (paths contain no spaces).
    public var ejabberdctl: [String] { values["EJABBERDCTL"]!.split(separator: " ").map(String.init) }

    /// Registers `user@captcha.test` with ejabberdctl, without a CAPTCHA (test passwords only:
    /// ejabberdctl takes the password on its command line).
    public func registerEjabberdAccount(_ user: String, password: String) throws {
        let result = try runCommand(ejabberdctl + ["register", user, ejabberdDomain, password])
        guard result.status == 0 else {
            throw WorldError("ejabberdctl register \(user) failed (\(result.status)): \(result.output)")
        }
    }

    /// captcha.test's own onion: 5222 STARTTLS, 5223 direct TLS (ejabberd).
    public var ejabberdOnion: String { values["EJABBERD_ONION"]! }
    public var ejabberdMUCDomain: String { values["EJABBERD_MUC_DOMAIN"]! }
    /// A persistent public room on captcha.test's MUC service.
    public var ejabberdRoomJID: String { values["EJABBERD_ROOM_JID"]! }
    /// Seconds ejabberd allows a stream before authentication (its default, not overridden).
    public var ejabberdNegotiationTimeout: Int { number("EJABBERD_NEGOTIATION_TIMEOUT") }
    /// The leaf ejabberd shows for SNI = captcha.test (issued by the test CA).
    public var ejabberdCertificatePEM: URL { path("EJABBERD_CERT_PEM") }
    public var ejabberdCertificateSHA256: String { values["EJABBERD_CERT_SHA256"]! }
    /// The leaf ejabberd shows for SNI = the onion and for no SNI (test CA, names captcha.test only).
    public var ejabberdDefaultCertificatePEM: URL { path("EJABBERD_DEFAULT_CERT_PEM") }
    public var ejabberdDefaultCertificateSHA256: String { values["EJABBERD_DEFAULT_CERT_SHA256"]! }

    /// closed.test: Prosody with allow_registration = false, behind its own onion.
    public var closedDomain: String { values["CLOSED_DOMAIN"]! }
    public var closedOnion: String { values["CLOSED_ONION"]! }
    public var closedPort: Int { number("CLOSED_PORT") }
    public var closedCertificateSHA256: String { values["CLOSED_CERT_SHA256"]! }

    /// renew.test: Prosody with per-SNI leaves from the test CA, reserved for renewal tests.
    public var renewDomain: String { values["RENEW_DOMAIN"]! }
    public var renewOnion: String { values["RENEW_ONION"]! }
    public var renewPort: Int { number("RENEW_PORT") }
    public var renewTLSPort: Int { number("RENEW_TLS_PORT") }
    /// The current leaf for SNI = renew.test (replaced by `renew-cert`).
    public var renewCertificatePEM: URL { path("RENEW_CERT_PEM") }
    /// The current leaf for SNI = the onion / no SNI.
    public var renewDefaultCertificatePEM: URL { path("RENEW_DEFAULT_CERT_PEM") }

    /// A valid v3 onion (real key, right checksum) whose descriptor is never published.
    public var deadOnion: String { values["DEAD_ONION"]! }
    /// An onion whose port 5222 accepts the stream and never sends a byte.
    public var silentOnion: String { values["SILENT_ONION"]! }
    public var silentPort: Int { number("SILENT_PORT") }
    /// A members-only room on onionboard.test's MUC, and a room name that does not exist there.
    public var roomMembersOnlyJID: String { values["ROOM_MEMBERS_ONLY_JID"]! }
    public var roomMissingJID: String { values["ROOM_MISSING_JID"]! }

    /// The Tails-like tor (starts with DisableNetwork 1; `worldControl + ["tails-tor", ...]`).
    public var tailsSOCKSPort: Int { number("TAILS_SOCKS_PORT") }
    public var tailsControlPort: Int { number("TAILS_CONTROL_PORT") }
    public var tailsControlCookie: URL { path("TAILS_CONTROL_COOKIE") }
    /// Present exactly while that tor has bootstrapped (Tails' /run/tor-has-bootstrapped/done).
    public var tailsBootstrappedFlag: URL { path("TAILS_BOOTSTRAPPED_FLAG") }

    /// The slow network: every relay link delayed SLOW_DELAY_MS each way.
    public var slowSOCKSHost: String { values["SLOW_SOCKS_HOST"]! }
    public var slowSOCKSPort: Int { number("SLOW_SOCKS_PORT") }
    public var slowControlPort: Int { number("SLOW_CONTROL_PORT") }
    public var slowControlCookie: URL { path("SLOW_CONTROL_COOKIE") }
    /// onionboard.test (default Prosody) behind the slow network.
    public var slowOnion: String { values["SLOW_ONION"]! }
    /// captcha.test (ejabberd) behind the slow network.
    public var slowEjabberdOnion: String { values["SLOW_EJABBERD_ONION"]! }
    /// The providers file for the slow onions (same domains).
    public var slowProvidersJSON: URL { path("SLOW_PROVIDERS_JSON") }
    public var slowDelayMS: Int { number("SLOW_DELAY_MS") }
    /// Measured at `up`: median XMPP round trip over TLS through the slow onion, 3-hop circuit build.
    public var slowRoundTripMS: Int { number("SLOW_RTT_MS") }
    public var slowCircuitMS: Int { number("SLOW_CIRCUIT_MS") }

    /// Runs `testbed/world <arguments>` for this world.
    public func control(_ arguments: [String], timeout: TimeInterval = 120) throws -> (status: Int32, output: String) {
        try runCommand(worldControl + arguments, timeout: timeout)
    }

    /// Runs `testbed/world-probe <arguments>` with `input` on its standard input (a 0600 file);
    /// stdout and stderr apart.
    public func probe(_ arguments: [String], input: String = "", timeout: TimeInterval = 120) throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("world-probe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: scratch) }
        let (stdin, stdout, stderr) = (scratch.appendingPathComponent("in"), scratch.appendingPathComponent("out"),
                                       scratch.appendingPathComponent("err"))
        FileManager.default.createFile(atPath: stdin.path, contents: Data(input.utf8), attributes: [.posixPermissions: 0o600])
        let process = try Spawned(["/usr/bin/python3", worldProbe.path] + arguments, stdin: stdin, stdout: stdout, stderr: stderr)
        let finished = process.wait(timeout: timeout)
        if !finished { process.stop() }
        let out = (try? String(contentsOf: stdout, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOf: stderr, encoding: .utf8)) ?? ""
        return (finished ? process.exitStatus ?? -1 : 124, out, err)
    }

    /// The last lines of one of the world's logs (its logs directory is where Prosody logs).
    public func logTail(_ name: String, lines: Int = 40) -> String {
        let file = prosodyLogDirectory.appendingPathComponent(name)
        let text = (try? String(contentsOf: file, encoding: .utf8)) ?? "(no \(file.path))"
        return "--- \(name):\n" + text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }

    private func path(_ key: String) -> URL { URL(fileURLWithPath: values[key]!) }
    private func number(_ key: String) -> Int { Int(values[key] ?? "") ?? 0 }
}
