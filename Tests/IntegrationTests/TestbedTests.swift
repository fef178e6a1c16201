import Foundation
import Testing
import TestSupport

/// Proves the local world works with tools that are not ours: raw SOCKS5 through the private
/// Tor network to the onion, and finch logging in over Tor with a hand-written profile.
@Suite(.serialized) struct TestbedTests {
    static let enabled = World.isAvailable || TestSupport.isCI

    @Test(.enabled(if: enabled)) func worldEnvHasEveryKeyAndAnOnion() throws {
        let world = try #require(World.current, "local world not running")
        for key in World.requiredKeys {
            #expect(!(world.values[key] ?? "").isEmpty, "world.env lacks \(key)")
        }
        let label = world.onion.dropLast(".onion".count)
        #expect(world.onion.hasSuffix(".onion"))
        #expect(label.count == 56 && label.allSatisfy { "abcdefghijklmnopqrstuvwxyz234567".contains($0) },
                "onion '\(world.onion)' is not a v3 name")
        #expect(label.last == "d", "a v3 onion ends in 'd' (version byte 3)")
        #expect(world.xmppDomain == "onionboard.test")
        #expect(world.roomJID == "support@\(world.mucDomain)")
        #expect(world.onionPort == 5222 && world.onionTLSPort == 5223)
        let ports = [world.socksPort, world.controlPort, world.prosodyPort, world.prosodyTLSPort,
                     world.prosodySHA256Port, world.prosodySHA256TLSPort, world.prosodyThrottlePort,
                     world.prosodyInvitePort]
        #expect(Set(ports).count == ports.count, "ports collide: \(ports)")
        for file in [world.certificatePEM, world.controlCookie, world.providersJSON, world.prosodyInviteConfig] {
            #expect(FileManager.default.fileExists(atPath: file.path), "missing \(file.path)")
        }
        // CERT_SHA256 is the SHA-256 of the certificate's DER form, and the SAN names the onion.
        let der = try runCommand(["sh", "-c", "openssl x509 -in '\(world.certificatePEM.path)' -outform DER | sha256sum"])
        #expect(der.output.hasPrefix(world.certificateSHA256 + " "))
        let san = try runCommand(["openssl", "x509", "-in", world.certificatePEM.path, "-noout", "-ext", "subjectAltName"])
        for name in [world.onion, world.xmppDomain, world.mucDomain] {
            #expect(san.output.contains("DNS:\(name)"), "SAN lacks \(name): \(san.output)")
        }
        let providers = try JSONSerialization.jsonObject(with: Data(contentsOf: world.providersJSON)) as? [String: Any]
        let entry = try #require(providers?[world.xmppDomain] as? [String: Any], "providers.json lacks the local domain")
        #expect(entry["onion"] as? String == world.onion)
        #expect(entry["certificateSHA256"] as? String == world.certificateSHA256)
    }

    @Test(.enabled(if: enabled)) func socksConnectToTheOnionReachesProsody() throws {
        let world = try #require(World.current, "local world not running")
        // The first stream may still build circuits; retry for up to ~30 s (tor-testnet.md §11).
        let deadline = Date().addingTimeInterval(30)
        var lastCode: UInt8 = 0xff
        var socket: LoopbackSocket?
        while Date() < deadline {
            let candidate = try LoopbackSocket(port: world.socksPort)
            lastCode = try socks5Connect(candidate, host: world.onion, port: world.onionPort)
            if lastCode == 0x00 { socket = candidate; break }
            Thread.sleep(forTimeInterval: 1)
        }
        let stream = try #require(socket, "SOCKS5 CONNECT to \(world.onion):5222 kept failing, last reply 0x\(String(lastCode, radix: 16))")
        try stream.send("<?xml version='1.0'?><stream:stream to='\(world.xmppDomain)' xmlns='jabber:client' "
            + "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>")
        let reply = try stream.receiveText { $0.contains("</stream:features>") }
        #expect(reply.contains("<stream:stream"), "no stream header: \(reply)")
        #expect(reply.contains("from='\(world.xmppDomain)'"))
        #expect(reply.contains("urn:ietf:params:xml:ns:xmpp-tls"), "STARTTLS not offered: \(reply)")
    }

    @Test(.enabled(if: enabled)) func everyProsodyInstanceOffersStartTLSOrDirectTLS() throws {
        let world = try #require(World.current, "local world not running")
        for port in [world.prosodyPort, world.prosodySHA256Port, world.prosodyThrottlePort, world.prosodyInvitePort] {
            let socket = try LoopbackSocket(port: port, timeout: 10)
            try socket.send("<?xml version='1.0'?><stream:stream to='\(world.xmppDomain)' xmlns='jabber:client' "
                + "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>")
            let reply = try socket.receiveText { $0.contains("</stream:features>") }
            #expect(reply.contains("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"),
                    "port \(port): \(reply)")
        }
        // The direct-TLS ports start with a TLS handshake: our plain header gets no XMPP reply.
        for port in [world.prosodyTLSPort, world.prosodySHA256TLSPort] {
            let socket = try LoopbackSocket(port: port, timeout: 5)
            try socket.send("<?xml version='1.0'?>")
            let reply = try socket.receiveText { _ in true }
            #expect(!reply.contains("<stream:stream"), "port \(port) speaks plain XMPP")
        }
    }

    @Test(.enabled(if: enabled)) func inviteInstanceIssuesInvites() throws {
        let world = try #require(World.current, "local world not running")
        let uri = try world.generateInvite()
        #expect(uri.hasPrefix("xmpp:\(world.xmppDomain)?register;preauth="), "\(uri)")
    }

    @Test(.enabled(if: enabled)) func finchLogsInThroughTorAndJoinsTheRoom() throws {
        let world = try #require(World.current, "local world not running")
        let account = try FinchAccount.create(in: world)
        let profile = try account.writeProfile(pinning: world.certificatePEM)
        defer { try? FileManager.default.removeItem(at: profile) }

        let run = try Finch.run(profile: profile, timeout: 90) { [room = world.roomJID] evidence in
            (evidence.loggedIn && evidence.joinedRoom(room)) || evidence.certificatePromptShown
        }
        let why = Comment(rawValue: run.summary)
        #expect(!run.timedOut, why)
        #expect(run.evidence.loggedIn, why)
        #expect(run.evidence.peerCertMatchedCached, why)
        #expect(!run.evidence.certificatePromptShown, why)
        #expect(run.evidence.usedSOCKS5Proxy(target: "\(world.onion):\(world.onionPort)",
                                             proxy: "\(world.socksHost):\(world.socksPort)"), why)
        #expect(run.evidence.abortedDNSLookups, "real DNS queries: \(run.evidence.realDNSQueries)\n\(run.summary)")
        #expect(run.evidence.joinedRoom(world.roomJID), why)
        #expect(!run.evidence.roomWasCreatedOnJoin(world.roomJID), "the room was not pre-created\n\(run.summary)")
        // The server saw the login arrive through the onion service over TLS.
        let prosodyLog = try String(contentsOf: world.defaultProsodyLog, encoding: .utf8)
        #expect(prosodyLog.contains("Authenticated as \(account.jid)"))
    }

    @Test(.enabled(if: enabled)) func wrongPinnedCertificateIsNotAccepted() throws {
        let world = try #require(World.current, "local world not running")
        let account = try FinchAccount.create(in: world)
        let scratch = try TestSupport.makeTemporaryDirectory("onionboard-othercert")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let other = scratch.appendingPathComponent("other.crt")
        let made = try runCommand([
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-days", "30", "-subj", "/CN=\(world.onion)", "-addext", "subjectAltName=DNS:\(world.onion)",
            "-keyout", scratch.appendingPathComponent("other.key").path, "-out", other.path,
        ])
        try #require(made.status == 0, "openssl: \(made.output)")
        let profile = try account.writeProfile(pinning: other)
        defer { try? FileManager.default.removeItem(at: profile) }

        let run = try Finch.run(profile: profile, timeout: 90) { evidence in
            evidence.certificatePromptShown || evidence.loggedIn
        }
        let why = Comment(rawValue: run.summary)
        #expect(run.evidence.usedSOCKS5Proxy, why)
        #expect(run.evidence.peerCertMismatched, why)
        #expect(!run.evidence.peerCertMatchedCached, why)
        #expect(run.evidence.certificatePromptShown, why)
        #expect(!run.evidence.loggedIn, why)
    }
}

/// An account created with prosodyctl and a finch profile for it, written by hand the way
/// Pidgin writes it (pidgin-files.md §1–3), independent of onionboard's own writer.
struct FinchAccount {
    let user: String
    let password: String // a throw-away test password
    let world: World

    var jid: String { "\(user)@\(world.xmppDomain)" }
    var accountName: String { "\(jid)/" }

    static func create(in world: World) throws -> FinchAccount {
        let user = "alice" + UUID().uuidString.prefix(8).lowercased()
        let password = "test-" + UUID().uuidString
        try world.registerAccount(user, password: password)
        return FinchAccount(user: user, password: password, world: world)
    }

    /// A profile dir with accounts.xml (Tor proxy, onion connect server, require_tls, finch
    /// auto-login), blist.xml (the room with gnt-autojoin) and `certificate` pinned for the onion.
    func writeProfile(pinning certificate: URL) throws -> URL {
        let dir = try TestSupport.makeTemporaryDirectory("onionboard-finch-profile")
        let accounts = """
            <?xml version='1.0' encoding='UTF-8' ?>

            <account version='1.0'>
            \t<account>
            \t\t<protocol>prpl-jabber</protocol>
            \t\t<name>\(accountName)</name>
            \t\t<password>\(password)</password>
            \t\t<settings>
            \t\t\t<setting name='connection_security' type='string'>require_tls</setting>
            \t\t\t<setting name='connect_server' type='string'>\(world.onion)</setting>
            \t\t\t<setting name='port' type='int'>\(world.onionPort)</setting>
            \t\t\t<setting name='auth_plain_in_clear' type='bool'>0</setting>
            \t\t</settings>
            \t\t<settings ui='gnt-purple'>
            \t\t\t<setting name='auto-login' type='bool'>1</setting>
            \t\t</settings>
            \t\t<proxy>
            \t\t\t<type>tor</type>
            \t\t\t<host>\(world.socksHost)</host>
            \t\t\t<port>\(world.socksPort)</port>
            \t\t\t<username>\(user)</username>
            \t\t\t<password>isolation</password>
            \t\t</proxy>
            \t</account>
            </account>

            """
        let (room, server) = (world.roomName, world.mucDomain)
        let blist = """
            <?xml version='1.0' encoding='UTF-8' ?>

            <purple version='1.0'>
            \t<blist>
            \t\t<group name='Chats'>
            \t\t\t<chat proto='prpl-jabber' account='\(accountName)'>
            \t\t\t\t<alias>Support</alias>
            \t\t\t\t<component name='handle'>\(user)</component>
            \t\t\t\t<component name='room'>\(room)</component>
            \t\t\t\t<component name='server'>\(server)</component>
            \t\t\t\t<setting name='gnt-autojoin' type='bool'>1</setting>
            \t\t\t</chat>
            \t\t</group>
            \t</blist>
            </purple>

            """
        try write(accounts, to: dir.appendingPathComponent("accounts.xml"))
        try write(blist, to: dir.appendingPathComponent("blist.xml"))
        let peers = dir.appendingPathComponent("certificates/x509/tls_peers", isDirectory: true)
        try FileManager.default.createDirectory(at: peers, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        try write(try String(contentsOf: certificate, encoding: .utf8), to: peers.appendingPathComponent(world.onion))
        return dir
    }

    private func write(_ text: String, to file: URL) throws {
        try Data(text.utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
    }
}
