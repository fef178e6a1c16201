import Glibc

/// The socket address of an IP literal (IPv4, or IPv6 with or without brackets), or nil
/// for anything else: a name is never resolved. Shared by the client's connections and
/// the Wizard's Tor probe.
package enum IPSocketAddress {
    package static func make(host: String, port: UInt16) -> (storage: sockaddr_storage, length: socklen_t)? {
        let literal = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        var v4 = in_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr = v4
            return stored(address)
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, literal, &v6) == 1 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            address.sin6_addr = v6
            return stored(address)
        }
        return nil
    }

    /// `address` copied into a `sockaddr_storage`, with its own length.
    private static func stored<Address>(_ address: Address) -> (storage: sockaddr_storage, length: socklen_t) {
        var storage = sockaddr_storage()
        withUnsafeBytes(of: address) { raw in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) } }
        return (storage, socklen_t(MemoryLayout<Address>.size))
    }
}
