import Secrets

/// Makes up the values behind `Default: generated`. Injected into the engine so that
/// the engine itself stays deterministic (tests pass a fixed sequence).
public protocol CredentialSource: Sendable {
    func username() -> String
    func handle() -> String
    func password() -> SecretBytes
}

/// The real one: libsodium's CSPRNG through `CredentialGenerator`.
public struct SodiumCredentialSource: CredentialSource {
    public init() {}
    public func username() -> String { CredentialGenerator.username() }
    public func handle() -> String { CredentialGenerator.handle() }
    public func password() -> SecretBytes { CredentialGenerator.password() }
}
