import CSodium

/// Overwrites bytes that held a secret and empties the array. sodium_memzero, unlike a
/// plain memset, is not optimised away as a dead store. The zeroed storage is kept (not
/// handed back to malloc) until the array goes away, so what is freed later is zeros.
/// It zeroes the array's own storage only if no other array shares it: callers must not
/// have copied the array (`let copy = bytes` would keep the secret in the copy).
public func wipe(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { sodium_memzero($0.baseAddress, $0.count) }
    bytes.removeAll(keepingCapacity: true)
}
