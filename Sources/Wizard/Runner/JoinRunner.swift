import Diagnostics
import FoundationEssentials
import Vocabulary
import Localization

/// Executes the `pidgin` path: says what joining with this account means, asks the room
/// about itself by logging in to the account through Tor (with the password Pidgin keeps;
/// the certificate judged exactly as for a registration), lets the person choose another
/// room when it is missing or closed, and then adds only the room to the account — and,
/// when the plan switches the account to Tor, its connection settings and the onion's
/// certificate. No account is created, nothing is stored on the server.
public final class JoinRunner {
    public let registrar: AccountRegistrar
    public let writer: ProfileWriter
    public var force = false
    /// Until when (epoch seconds) a failed connection is tried again (bootstrap's `--wait-tor`).
    public var retryReachUntil: Double?
    public var heartbeatSeconds: Double = 10
    private let now: () -> Double

    public init(registrar: AccountRegistrar, writer: ProfileWriter, now: @escaping () -> Double = { Date().timeIntervalSince1970 }) {
        self.registrar = registrar
        self.writer = writer
        self.now = now
    }

    public func run(_ plan: JoinPlan, interaction: RunInteraction, warmUp: ReachAttempt? = nil,
                    events: @escaping @Sendable (RunEvent) -> Void) throws -> OnboardingReport {
        let started = now()
        let heartbeat = Heartbeat(every: heartbeatSeconds, events: events)
        defer { heartbeat.stop() }
        let send: @Sendable (RunEvent) -> Void = { heartbeat.send($0) }
        try writer.preflightJoin(plan, force: force)
        // Said before anything goes to the network or into the profile.
        for notice in Self.notices(plan) { send(.note(notice)) }

        var room = plan.room
        var status: RoomStatus?
        var certificate: (sha256: String, pem: String)?
        var roundTrips: Int?
        let password = try writer.savedPassword(of: plan.account.name, in: plan.profileDirectory)
        if password != nil || plan.switchesToTor {
            var target = plan.target
            target.room = plan.room
            target.bookmark = nil
            var policy = plan.pinPolicy
            // A certificate the profile already pins for this host vouches for it, as it does for Pidgin.
            if policy == .askOnFirstUse || policy == .requireValidChain,
               let pinned = try? writer.pinnedCertificateSHA256(for: target.host, in: plan.profileDirectory) {
                policy = .acceptFingerprint(sha256: pinned)
                target.acceptedSHA256 = pinned
            }
            do {
                let reach = try ProviderReacher(registrar: registrar, retryUntil: retryReachUntil, now: now)
                    .reach(target, warmUp: warmUp, heartbeat: heartbeat)
                send(.reached(host: target.host, seconds: reach.seconds))
                try OnboardingRunner.settleCertificate(reach, of: &target, policy: policy, interaction: interaction, heartbeat: heartbeat)
                send(.certificate(sha256: reach.certificate.sha256, trust: reach.verdict.explanation(policy: policy)))
                certificate = (reach.certificate.sha256, reach.certificatePEM)
                if let password {
                    let callbacks = RoomCallbacks(RoomChooser(interaction: interaction, heartbeat: heartbeat,
                                                              alternatives: plan.roomAlternatives))
                    do {
                        let account = try registrar.logIn(target, username: plan.account.username, password: password,
                                                          events: send, callbacks: callbacks)
                        if let settled = account.room, settled.jid.lowercased() != room.jid.lowercased() {
                            room.jid = settled.jid
                            room.alias = settled.alias ?? room.alias
                        }
                        status = account.roomStatus
                        roundTrips = account.roundTrips
                        if !account.certificatePEM.isEmpty { certificate = (account.certificateSHA256, account.certificatePEM) }
                    } catch let error where Self.onlyUnchecked(error) {
                        send(.note(translated("The room was not checked: logging in as \(plan.account.jid) through Tor failed (\(error))")))
                    }
                } else {
                    send(.note(translated("Pidgin keeps no password for \(plan.account.jid), so the room was not checked")))
                }
            } catch let error where Self.onlyUnchecked(error) {
                guard !plan.switchesToTor else { throw SwitchToTorFailed(jid: plan.account.jid, onion: plan.target.host, underlying: error) }
                send(.note(translated("The room was not checked: \(error)")))
            }
        } else {
            send(.note(translated("Pidgin keeps no password for \(plan.account.jid), so the room was not checked")))
        }

        send(.writingProfile(directory: plan.profileDirectory))
        let written = try writer.writeJoin(plan, room: room, certificatePEM: plan.switchesToTor ? certificate?.pem : nil, force: force)
        var report = OnboardingReport(join: plan, room: room, certificateSHA256: certificate?.sha256, roundTrips: roundTrips,
                                      profile: written, totalSeconds: now() - started)
        report.roomCheck = status
        return report
    }

    /// What the person hears before anything is written: an account made elsewhere may
    /// carry their identity; one that does not go through Tor shows this computer's address.
    public static func notices(_ plan: JoinPlan) -> [String] {
        var notices: [String] = []
        if !plan.account.madeByOnionboard {
            notices.append(translated("""
                \(plan.account.jid) was not made by onionboard: it may carry your identity. Joining the room with it \
                links what you say there to that account (the room sees the nickname \(plan.handle); its server sees the join)
                """))
        }
        if plan.switchesToTor {
            // Translators: {1} is how the account connects now ("without Tor (no proxy): …"), {2} a shortened onion address.
            notices.append(translated("\(plan.account.jid) connects \(plan.account.connectionSummary); it will go through Tor to \(RunEvent.shortOnion(plan.target.host)) from now on"))
        } else if !plan.account.throughTor {
            if plan.target.host.hasSuffix(".onion") {
                // Translators: {1} is how the account connects ("without Tor (no proxy): …").
                notices.append(translated("Warning: \(plan.account.jid) connects \(plan.account.connectionSummary)"))
            } else {
                // Translators: {1} is how the account connects; the menu path is Pidgin's (Accounts, Modify, Proxy, Tor/Privacy).
                notices.append(translated("""
                    Warning: \(plan.account.jid) connects \(plan.account.connectionSummary); onionboard knows no onion for \
                    \(plan.account.domain), so it cannot switch it to Tor (in Pidgin: \(Self.pidginProxyMenu))
                    """))
            }
        }
        return notices
    }

    /// Pidgin's menu path to an account's proxy, in the words of the person's Pidgin.
    static var pidginProxyMenu: String {
        ["_Accounts", "_Modify...", "Proxy", "Tor/Privacy (SOCKS5)"].map { msgid in
            var label = Localization.pidgin(msgid)
            while let last = label.last, last == "." || last == "…" { label.removeLast() }
            return label
        }.joined(separator: " → ")
    }

    /// Errors that only leave the room unchecked (the room is still added); a declined or
    /// refused certificate and a cancel end the run.
    static func onlyUnchecked(_ error: Error) -> Bool {
        ![.cancelled, .untrustedCertificate, .cannotWrite, .internalError].contains(error.category)
    }
}

/// The callbacks of the room check's login: no form to fill, no account created; a room
/// that is missing or closed goes to the person.
final class RoomCallbacks: RegistrationCallbacks, @unchecked Sendable {
    let rooms: RoomChooser
    init(_ rooms: RoomChooser) { self.rooms = rooms }
    func fill(_ fields: [RegistrationField]) throws -> [String: String] { [:] }
    func accountCreated(jid: String) {}
    func roomChecked(_ status: RoomStatus) throws -> RoomBookmark? { try rooms.roomChecked(status) }
}

/// The account could not be switched to Tor: its onion did not answer (so its certificate
/// could not be pinned). Nothing was written.
public struct SwitchToTorFailed: ClassifiedError {
    public let jid: String
    public let onion: String
    public let underlying: Error
    public var category: ErrorCategory { underlying.category }
    public var description: String {
        translated("""
            \(jid) was not switched to Tor: its onion \(RunEvent.shortOnion(onion)) could not be reached (\(underlying)), so its \
            certificate could not be pinned. Nothing was written; try again once Tor is connected, or answer no to switching.
            """)
    }
}

extension ExistingAccount {
    /// The part before `@`.
    public var username: String { String(jid.split(separator: "@", maxSplits: 1).first ?? "") }
}
