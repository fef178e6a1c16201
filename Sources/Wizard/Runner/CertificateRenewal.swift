import Vocabulary
import Diagnostics
import FoundationEssentials
import Localization

/// Pidgin compares a server's certificate with the one pinned in tls_peers; real
/// providers renew theirs every 60–90 days, and then Pidgin asks "Accept certificate?"
/// again. At every login (`bootstrap`) and on request (`onionboard certificates`), this
/// fetches what each onion account's server shows now — for the connect server as SNI,
/// as Pidgin does — and when it changed and something vouches for the new one (a CA
/// for the XMPP domain, or a pin from the provider map), pins it before Pidgin starts.
/// What nothing vouches for is said plainly, and asked about where a person is there.
public struct CertificateRenewal {
    public let registrar: AccountRegistrar
    public let writer: ProfileWriter

    public init(registrar: AccountRegistrar, writer: ProfileWriter) {
        self.registrar = registrar
        self.writer = writer
    }

    public struct Outcome: Sendable, Codable, Equatable {
        public enum Status: String, Sendable, Codable {
            /// The server shows the pinned certificate.
            case unchanged
            /// A new certificate, vouched for, now pinned.
            case renewed
            /// A new certificate that nothing vouched for; the person accepted it (here, or
            /// with --accept-fingerprint): now pinned.
            case accepted
            /// A new certificate nothing vouches for; not pinned (Pidgin will ask).
            case unvouched
            /// The server could not be reached now (Tor not connected, provider down).
            case unreachable
        }
        public var account: String
        public var connectServer: String
        public var status: Status
        public var pinnedSHA256: String?
        public var presentedSHA256: String?
        public var message: String
    }

    /// Checks every XMPP account of the profile that connects to an onion and has a pin.
    /// `confirm` asks a person about a certificate nothing vouches for (nil: nobody to ask).
    public func check(directory: String, accounts: [ExistingAccount], providers: [ProviderChoice], torSOCKS: HostPort,
                      acceptedFingerprint: String? = nil, confirm: ((CertificateSummary) -> Bool)? = nil,
                      events: @escaping @Sendable (RunEvent) -> Void) -> [Outcome] {
        var outcomes: [Outcome] = []
        for account in accounts {
            guard let host = account.connectServer?.lowercased(), host.hasSuffix(".onion"),
                  let pinned = try? writer.pinnedCertificateSHA256(for: host, in: directory) else { continue }
            let provider = providers.first { $0.domain == account.domain.lowercased() }
            // The old pin is not enforced here: finding out whether it changed is the point.
            var target = ConnectionTarget(domain: account.domain.lowercased(), host: host,
                                          port: account.port ?? provider?.clientPort ?? 5222, tlsMode: account.tlsMode,
                                          torSOCKS: torSOCKS, pinSHA256: provider?.pinSHA256)
            // A pin on the key vouches for every renewal that keeps the key.
            target.pinSPKI = provider?.spkiSHA256
            events(.note(translated("Checking the certificate of \(account.domain) (\(RunEvent.shortOnion(host)))")))
            outcomes.append(check(account: account.jid, target: target, pinned: pinned, directory: directory,
                                  acceptedFingerprint: acceptedFingerprint, confirm: confirm))
            events(.note(outcomes.last!.message))
        }
        return outcomes
    }

    func check(account: String, target: ConnectionTarget, pinned: String, directory: String,
               acceptedFingerprint: String?, confirm: ((CertificateSummary) -> Bool)?) -> Outcome {
        let attempt = registrar.reach(target, freshCircuit: false)
        var result: Result<ProviderReach, Error>?
        while result == nil { result = attempt.outcome(waitingUpTo: 1) }
        let reach: ProviderReach
        switch result! {
        case .failure(let error):
            return Outcome(account: account, connectServer: target.host, status: .unreachable, pinnedSHA256: pinned,
                           presentedSHA256: nil, message: translated("Could not check the certificate of \(target.domain): \(error)"))
        case .success(let reached):
            reach = reached
        }
        let presented = reach.certificate.sha256.lowercased()
        func outcome(_ status: Outcome.Status, _ message: String) -> Outcome {
            Outcome(account: account, connectServer: target.host, status: status, pinnedSHA256: pinned,
                    presentedSHA256: presented, message: message)
        }
        if presented == pinned.lowercased() {
            return outcome(.unchanged, translated("The certificate of \(target.domain) is the pinned one (SHA-256 \(presented))."))
        }
        var status: Outcome.Status
        switch reach.verdict {
        case .authority, .pinned:
            status = .renewed
        case .acceptedInAdvance, .unknown:
            if acceptedFingerprint?.lowercased() == presented || confirm?(reach.certificate) == true {
                status = .accepted
            } else {
                return outcome(.unvouched, translated("""
                    The server of \(target.domain) shows a new certificate (SHA-256 \(presented)) that no \
                    certificate authority vouches for and the provider map does not pin; it was not pinned, so Pidgin will ask \
                    whether to accept it. Check the fingerprint with the provider, then accept it in Pidgin or run \
                    onionboard certificates --accept-fingerprint \(presented).
                    """))
            }
        }
        do {
            let backup = try writer.replacePinnedCertificate(reach.certificatePEM, for: target.host, in: directory)
            let renewed = switch (status, reach.verdict) {
            case (.renewed, .pinned):
                translated("The certificate of \(target.domain) was renewed (SHA-256 \(presented)); it matches the provider map's pin (of the certificate or of its key), so it is now pinned and Pidgin will not ask.")
            case (.renewed, _):
                translated("The certificate of \(target.domain) was renewed (SHA-256 \(presented)); a certificate authority vouches for it, so it is now pinned and Pidgin will not ask.")
            default:
                translated("The certificate of \(target.domain) was renewed (SHA-256 \(presented)); you accepted it, so it is now pinned and Pidgin will not ask.")
            }
            return outcome(status, renewed + (backup.map { " " + translated("The old pin is kept as \($0).") } ?? ""))
        } catch {
            return outcome(.unvouched, translated("The new certificate of \(target.domain) could not be pinned: \(error)"))
        }
    }
}
