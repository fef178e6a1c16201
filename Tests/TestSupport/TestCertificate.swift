/// A self-signed certificate for `example.org` (EC P-256, valid until 2126) and its key, for
/// fake TLS servers in tests. Test material only: the key is public.
public enum TestCertificate {
    public static let pem = """
-----BEGIN CERTIFICATE-----
MIIBnDCCAUGgAwIBAgIURvHDvgL4oRYJyaGlGZ+yJnRYJ08wCgYIKoZIzj0EAwIw
FjEUMBIGA1UEAwwLZXhhbXBsZS5vcmcwIBcNMjYxMjA2MDMzMTEyWhgPMjEyNjEx
MTIwMzMxMTJaMBYxFDASBgNVBAMMC2V4YW1wbGUub3JnMFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAEqLqhJ8fyxdR8ll3nA0qJg1kOTcOQd2aQGSbjlVRSDdMkRV1C
YtMuYVpUfBDcgtkkSHG3LL8fE7h3+PrBxQc4v6NrMGkwHQYDVR0OBBYEFEGE46pI
+C0HaMZQSii7GR07BVweMB8GA1UdIwQYMBaAFEGE46pI+C0HaMZQSii7GR07BVwe
MA8GA1UdEwEB/wQFMAMBAf8wFgYDVR0RBA8wDYILZXhhbXBsZS5vcmcwCgYIKoZI
zj0EAwIDSQAwRgIhAM5+z8ASZbONM3Qr7/4emsaj81TR5E++DxS4a/79f/T+AiEA
kLUtFuNbl4L2R2S0f+FOxYsktPNRZRDL6AT7gtmVqwo=
-----END CERTIFICATE-----
"""

    public static let privateKeyPEM = """
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgVNPTaRYDQiqepMcZ
SMzogOh1R1hOlahDz9X5gIlLY5WhRANCAASouqEnx/LF1HyWXecDSomDWQ5Nw5B3
ZpAZJuOVVFIN0yRFXUJi0y5hWlR8ENyC2SRIcbcsvx8TuHf4+sHFBzi/
-----END PRIVATE KEY-----
"""

    /// SHA-256 of the DER, lower-case hex.
    public static let sha256 = "b0a479253614827511d646cf01e0e24618bcfdb1c2748f0c283364ca84a01677"
}
