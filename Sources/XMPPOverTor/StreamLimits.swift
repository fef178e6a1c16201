/// What one XMPP stream may make us parse and hold. Each bound is checked as the bytes
/// arrive, so a hostile server costs at most this much memory and CPU before it is refused;
/// the deadlines (`Timeouts`) bound the time. docs/registration.md lists them.
public struct StreamLimits: Sendable, Equatable {
    /// Bytes of one top-level element, and of the whitespace between two (1 MiB).
    public var stanzaBytes = 1 << 20
    /// Nesting depth, the stream element included (48).
    public var depth = 48
    /// Attributes (namespace declarations included) of one element (64). libxml2 checks
    /// them for duplicates pairwise, so this bounds a quadratic cost.
    public var attributesPerElement = 64
    /// Attributes of all elements of one stanza (4096).
    public var attributesPerStanza = 4096
    /// Bytes received before SASL succeeded, TLS records excluded (2 MiB): the stream
    /// features, the registration form with its CAPTCHA image, the SASL exchange.
    public var bytesBeforeAuthentication = 2 << 20
    /// Top-level elements received before SASL succeeded (64; a registration needs about 10).
    public var stanzasBeforeAuthentication = 64

    public init() {}

    public static let standard = StreamLimits()
}
