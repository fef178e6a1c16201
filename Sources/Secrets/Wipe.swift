import CSodium

/// Overwrites bytes that held a secret and empties the array. sodium_memzero, unlike a
/// plain memset, is not optimised away as a dead store.
public func wipe(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { sodium_memzero($0.baseAddress, $0.count) }
    bytes.removeAll()
}
