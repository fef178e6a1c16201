import Vocabulary
import Diagnostics
import Secrets

/// Stands in when a layer is missing from this build (and in tests that must never
/// reach one): every call explains that.
public final class UnavailableLayer: AccountRegistrar, ProfileWriter, @unchecked Sendable {
    public struct Missing: ClassifiedError {
        public let layer: String
        public var category: ErrorCategory { .internalError }
        public var description: String { "the \(layer) layer is not part of this build yet" }
    }

    /// An attempt that has already failed.
    final class Failed: ReachAttempt, @unchecked Sendable {
        let target: ConnectionTarget
        init(_ target: ConnectionTarget) { self.target = target }
        func outcome(waitingUpTo seconds: Double) -> Result<ProviderReach, Error>? {
            .failure(Missing(layer: "registration (XMPPOverTor)"))
        }
    }

    public init() {}
    public func reach(_ target: ConnectionTarget, freshCircuit: Bool) -> ReachAttempt { Failed(target) }
    public func register(_ target: ConnectionTarget, username: String, usernameWasGenerated: Bool, password: SecretBytes,
                         events: @escaping @Sendable (RunEvent) -> Void,
                         callbacks: RegistrationCallbacks) throws -> RegisteredAccount {
        throw Missing(layer: "registration (XMPPOverTor)")
    }
    public func logIn(_ target: ConnectionTarget, username: String, password: SecretBytes,
                      events: @escaping @Sendable (RunEvent) -> Void, callbacks: RegistrationCallbacks) throws -> RegisteredAccount {
        throw Missing(layer: "registration (XMPPOverTor)")
    }
    public func existingAccounts(in directory: String) throws -> [ExistingAccount] {
        throw Missing(layer: "Pidgin profile (PurpleConfig)")
    }
    public func checkProfileDirectory(_ directory: String, force: Bool) throws {}
    public func persistenceNotice(for directory: String) -> String? { nil }
    public func preflight(_ plan: OnboardingPlan, force: Bool) throws {
        throw Missing(layer: "Pidgin profile (PurpleConfig)")
    }
    public func write(_ plan: OnboardingPlan, account: RegisteredAccount, force: Bool) throws -> ProfileWriteReport {
        throw Missing(layer: "Pidgin profile (PurpleConfig)")
    }
    public func savePendingAccount(_ account: PendingAccount, in directory: String) throws -> String {
        throw Missing(layer: "Pidgin profile (PurpleConfig)")
    }
    public func pendingAccount(in directory: String) throws -> PendingAccount? { nil }
    public func removePendingAccount(in directory: String) {}
    public func pinnedCertificateSHA256(for host: String, in directory: String) throws -> String? { nil }
    public func replacePinnedCertificate(_ pem: String, for host: String, in directory: String) throws -> String? {
        throw Missing(layer: "Pidgin profile (PurpleConfig)")
    }
}
