/// How TLS starts on the client port: STARTTLS on the plain port (RFC 6120), or TLS from
/// the first byte (XEP-0368). The raw values are what reports and answers files say.
public enum TLSMode: String, Sendable, Equatable, Codable, CaseIterable {
    /// Plain TCP, then STARTTLS, required before anything else is sent (usually port 5222).
    case startTLS = "starttls"
    /// TLS from the first byte (usually port 5223).
    case directTLS = "direct-tls"
}
