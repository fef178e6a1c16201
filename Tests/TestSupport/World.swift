import Foundation

/// The coordinates of the local world started by `testbed/world up`: a private Tor network
/// with a v3 onion service in front of Prosody, plus Prosody variants on 127.0.0.1.
///
/// Found through `$ONIONBOARD_WORLD_ENV` (a world.env file), else `<repo>/.world/world.env`
/// when its client tor is still running. Tests that need it:
/// `@Test(.enabled(if: World.isAvailable || TestSupport.isCI))` then
/// `let world = try #require(World.current, "local world not running")`.
public struct World: Sendable {
    /// Every key `testbed/world` writes; a file missing one of them is rejected.
    public static let requiredKeys = [
        "WORLD_DIR", "XMPP_DOMAIN", "MUC_DOMAIN", "ROOM_JID", "ONION", "ONION_PORT", "ONION_TLS_PORT",
        "SOCKS_HOST", "SOCKS_PORT", "CONTROL_PORT", "CONTROL_COOKIE", "PROSODY_HOST", "PROSODY_PORT",
        "PROSODY_TLS_PORT", "PROSODY_SHA256_PORT", "PROSODY_SHA256_TLS_PORT", "PROSODY_THROTTLE_PORT",
        "PROSODY_INVITE_PORT", "PROSODY_INVITE_CFG", "PROSODY_LOG_DIR", "CERT_PEM", "CERT_SHA256",
        "PROVIDERS_JSON", "PROSODYCTL", "EJABBERD_DOMAIN", "EJABBERD_PORT", "EJABBERD_TLS_PORT",
        "EJABBERD_CAPTCHA_ANSWERS", "EJABBERD_LOG", "EJABBERD_ONION_PORT",
        "PROSODY_INVITE_ONION_PORT",
    ]

    /// The raw KEY=VALUE pairs (quotes removed).
    public let values: [String: String]
    /// The env file this world was read from.
    public let envFile: URL

    public var worldDirectory: URL { URL(fileURLWithPath: values["WORLD_DIR"]!) }
    public var xmppDomain: String { values["XMPP_DOMAIN"]! }
    public var mucDomain: String { values["MUC_DOMAIN"]! }
    /// `support@conference.onionboard.test`, created on the server (joining gives 110, never 201).
    public var roomJID: String { values["ROOM_JID"]! }
    /// The room's local part (`support`).
    public var roomName: String { String(roomJID.prefix { $0 != "@" }) }
    /// The onion service name, 56 base32 characters + ".onion".
    public var onion: String { values["ONION"]! }
    /// STARTTLS c2s through the onion (forwarded to the default Prosody).
    public var onionPort: Int { int("ONION_PORT") }
    /// Direct TLS through the onion.
    public var onionTLSPort: Int { int("ONION_TLS_PORT") }
    public var socksHost: String { values["SOCKS_HOST"]! }
    public var socksPort: Int { int("SOCKS_PORT") }
    /// The client tor's ControlPort (cookie authentication, see `controlCookie`).
    public var controlPort: Int { int("CONTROL_PORT") }
    public var controlCookie: URL { URL(fileURLWithPath: values["CONTROL_COOKIE"]!) }
    public var prosodyHost: String { values["PROSODY_HOST"]! }
    /// Default instance: SCRAM-SHA-1, open in-band registration, MUC, STARTTLS.
    public var prosodyPort: Int { int("PROSODY_PORT") }
    public var prosodyTLSPort: Int { int("PROSODY_TLS_PORT") }
    /// `password_hash = "SHA-256"` variant.
    public var prosodySHA256Port: Int { int("PROSODY_SHA256_PORT") }
    public var prosodySHA256TLSPort: Int { int("PROSODY_SHA256_TLS_PORT") }
    /// Registration throttle variant: loopback not allowlisted, 60 s between registrations.
    public var prosodyThrottlePort: Int { int("PROSODY_THROTTLE_PORT") }
    /// Invite-only variant (mod_invites + invites_register + invites_adhoc).
    public var prosodyInvitePort: Int { int("PROSODY_INVITE_PORT") }
    public var prosodyInviteConfig: URL { URL(fileURLWithPath: values["PROSODY_INVITE_CFG"]!) }
    /// One log file per Prosody instance: `prosody-{default,sha256,throttle,invite}.log`.
    public var prosodyLogDirectory: URL { URL(fileURLWithPath: values["PROSODY_LOG_DIR"]!) }
    public var defaultProsodyLog: URL { prosodyLogDirectory.appendingPathComponent("prosody-default.log") }
    /// The servers' certificate (PEM), SAN = onion, XMPP domain, MUC domain.
    public var certificatePEM: URL { URL(fileURLWithPath: values["CERT_PEM"]!) }
    /// Lowercase hex SHA-256 of the certificate's DER form.
    public var certificateSHA256: String { values["CERT_SHA256"]! }
    /// The ejabberd instance with CAPTCHA-protected registration (loopback, STARTTLS / direct TLS).
    public var ejabberdDomain: String { values["EJABBERD_DOMAIN"]! }
    public var ejabberdPort: Int { int("EJABBERD_PORT") }
    public var ejabberdTLSPort: Int { int("EJABBERD_TLS_PORT") }
    /// The onion port forwarded to ejabberd's STARTTLS port (5222 stays Prosody).
    public var ejabberdOnionPort: Int { int("EJABBERD_ONION_PORT") }
    /// The onion port forwarded to the invite-only Prosody's STARTTLS port.
    public var prosodyInviteOnionPort: Int { int("PROSODY_INVITE_ONION_PORT") }
    /// One file per CAPTCHA image ejabberd made: named by the image's SHA-1 (as in its BoB
    /// cid `sha1+<hex>@bob.xmpp.org`), containing the answer.
    public var ejabberdCaptchaAnswers: URL { URL(fileURLWithPath: values["EJABBERD_CAPTCHA_ANSWERS"]!) }
    public var ejabberdLog: URL { URL(fileURLWithPath: values["EJABBERD_LOG"]!) }
    /// The answer to the CAPTCHA image with BoB `cid` (nil when ejabberd did not make it).
    public func captchaAnswer(cid: String) -> String? {
        let bare = cid.hasPrefix("cid:") ? String(cid.dropFirst(4)) : cid
        guard bare.hasPrefix("sha1+"), let at = bare.firstIndex(of: "@") else { return nil }
        let name = String(bare[bare.index(bare.startIndex, offsetBy: 5)..<at])
        return try? String(contentsOf: ejabberdCaptchaAnswers.appendingPathComponent(name), encoding: .utf8)
    }

    /// Provider metadata describing the local onion provider (for `--providers`).
    public var providersJSON: URL { URL(fileURLWithPath: values["PROVIDERS_JSON"]!) }
    /// A command prefix running prosodyctl as the prosody user with the default instance's
    /// config, e.g. `prosodyctl + ["register", "alice", domain, pw]` (paths contain no spaces).
    public var prosodyctl: [String] { values["PROSODYCTL"]!.split(separator: " ").map(String.init) }
    /// The same prefix for the invite-only instance (`mod_invites generate DOMAIN`).
    public var inviteProsodyctl: [String] {
        var words = prosodyctl
        if let i = words.lastIndex(of: "--config"), i + 1 < words.count { words[i + 1] = prosodyInviteConfig.path }
        return words
    }

    public init(envFile: URL) throws {
        let text: String
        do { text = try String(contentsOf: envFile, encoding: .utf8) } catch {
            throw WorldError("cannot read \(envFile.path): \(error.localizedDescription)")
        }
        var values: [String: String] = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else {
                throw WorldError("\(envFile.path):\(number + 1): expected KEY=VALUE, got '\(line)'")
            }
            values[String(line[..<eq])] = Self.unquote(String(line[line.index(after: eq)...]))
        }
        let missing = Self.requiredKeys.filter { (values[$0] ?? "").isEmpty }
        guard missing.isEmpty else {
            throw WorldError("\(envFile.path) lacks \(missing.joined(separator: ", ")); rerun testbed/world up")
        }
        for key in Self.requiredKeys where key.hasSuffix("_PORT") {
            guard Int(values[key]!) != nil else { throw WorldError("\(envFile.path): \(key) is not a number") }
        }
        self.values = values
        self.envFile = envFile
    }

    /// The running world, or nil when none is up.
    public static var current: World? {
        guard let file = envFileLocation else { return nil }
        return try? World(envFile: file)
    }

    public static var isAvailable: Bool { current != nil }

    /// `$ONIONBOARD_WORLD_ENV` when set; else `<repo>/.world/world.env` while its client tor lives.
    public static var envFileLocation: URL? {
        if let path = ProcessInfo.processInfo.environment["ONIONBOARD_WORLD_ENV"], !path.isEmpty {
            return FileManager.default.fileExists(atPath: path) ? URL(fileURLWithPath: path) : nil
        }
        // testbed/world's default directory for the default port base.
        let world = URL(fileURLWithPath: "/tmp/onionboard-world-15000")
        let env = world.appendingPathComponent("world.env")
        guard FileManager.default.fileExists(atPath: env.path) else { return nil }
        return clientTorIsRunning(worldDirectory: world) ? env : nil
    }

    /// Whether the client tor recorded in `<world>/run/processes` is still alive with our argv.
    static func clientTorIsRunning(worldDirectory: URL) -> Bool {
        let record = worldDirectory.appendingPathComponent("run/processes")
        guard let text = try? String(contentsOf: record, encoding: .utf8) else { return false }
        for line in text.split(separator: "\n") where line.hasPrefix("tor-client ") {
            let fields = line.split(separator: " ", maxSplits: 2).map(String.init)
            guard fields.count == 3, let pid = pid_t(fields[1]), let argv = TestSupport.argv(of: pid) else { return false }
            return (" " + argv.joined(separator: " ") + " ").contains(" \(fields[2]) ")
        }
        return false
    }

    /// Registers `user@xmppDomain` on the default instance with prosodyctl (test passwords only:
    /// prosodyctl takes the password on its command line).
    public func registerAccount(_ user: String, password: String) throws {
        let result = try runCommand(prosodyctl + ["register", user, xmppDomain, password])
        guard result.status == 0 else {
            throw WorldError("prosodyctl register \(user) failed (\(result.status)): \(result.output)")
        }
    }

    /// Generates an invite URI (`xmpp:DOMAIN?register;preauth=TOKEN`) on the invite-only instance.
    public func generateInvite() throws -> String {
        let result = try runCommand(inviteProsodyctl + ["mod_invites", "generate", xmppDomain])
        guard result.status == 0,
              let uri = result.output.split(whereSeparator: \.isWhitespace).last(where: { $0.hasPrefix("xmpp:") })
        else { throw WorldError("prosodyctl mod_invites generate failed (\(result.status)): \(result.output)") }
        return String(uri)
    }

    /// Lets `testbed/world down` stop a finch (session, PID, argv marker) should a test die
    /// before it stops finch itself.
    func recordFinch(session: String, pid: pid_t, marker: String) {
        let file = worldDirectory.appendingPathComponent("run/finch")
        if !FileManager.default.fileExists(atPath: file.path) {
            FileManager.default.createFile(atPath: file.path, contents: nil)
        }
        guard let handle = try? FileHandle(forWritingTo: file) else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data("\(session) \(pid) \(marker)\n".utf8))
    }

    private func int(_ key: String) -> Int { Int(values[key]!)! }

    private static func unquote(_ raw: String) -> String {
        guard raw.count >= 2, let first = raw.first, first == raw.last, first == "'" || first == "\"" else {
            return raw
        }
        let inner = String(raw.dropFirst().dropLast())
        return first == "'" ? inner.replacingOccurrences(of: "'\\''", with: "'") : inner
    }
}

/// A problem with the world's env file or one of its helper commands.
public struct WorldError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Runs a command (argv[0] looked up in PATH) with a deadline; returns its status and its
/// combined stdout + stderr. A command still running at the deadline is terminated (status 124).
public func runCommand(_ argv: [String], timeout: TimeInterval = 60) throws -> (status: Int32, output: String) {
    let outputFile = FileManager.default.temporaryDirectory
        .appendingPathComponent("onionboard-cmd-\(UUID().uuidString).out")
    defer { try? FileManager.default.removeItem(at: outputFile) }
    let command = try Spawned(argv, stdout: outputFile, stderrToStdout: true)
    let timedOut = !command.wait(timeout: timeout)
    if timedOut { command.stop() }
    let output = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
    return (timedOut ? 124 : command.exitStatus ?? -1, output)
}
