import CSodium
import Foundation

/// Secret bytes (a password) in libsodium guarded memory: guard pages around it,
/// locked out of swap, inaccessible (`PROT_NONE`) except inside `withBytes`, and
/// zeroed when freed. The only owner of its `sodium_malloc` allocation.
///
/// Not printable: `description` never shows the content, so a secret that ends up
/// in string interpolation, a log line or an error message shows as `<secret>`.
public final class SecretBytes: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    private let pointer: UnsafeMutableRawPointer
    public let count: Int
    private let lock = NSLock()

    /// Allocates `count` guarded bytes and lets `fill` write them once.
    private init(count: Int, fill: (UnsafeMutableRawBufferPointer) -> Void) {
        _ = Sodium.ready
        self.count = count
        // sodium_malloc(0) is valid but keep one byte so the pointer is never NULL.
        guard let allocation = sodium_malloc(max(count, 1)) else {
            fatalError("sodium_malloc failed: out of locked memory")
        }
        pointer = allocation
        fill(UnsafeMutableRawBufferPointer(start: pointer, count: count))
        sodium_mprotect_noaccess(pointer)
    }

    /// Copies `bytes` into guarded memory. The caller should zero its own copy.
    public convenience init(copying bytes: UnsafeRawBufferPointer) {
        self.init(count: bytes.count) { destination in
            if let source = bytes.baseAddress, bytes.count > 0 {
                destination.baseAddress!.copyMemory(from: source, byteCount: bytes.count)
            }
        }
    }

    /// Takes the UTF-8 bytes of `string`. Prefer `init(consuming:)` for byte arrays
    /// read from a file, which also wipes the source.
    public convenience init(utf8 string: String) {
        var copy = Array(string.utf8)
        self.init(consuming: &copy)
    }

    /// Copies `bytes` into guarded memory and zeroes the source array.
    public convenience init(consuming bytes: inout [UInt8]) {
        let source = bytes
        self.init(count: source.count) { destination in
            source.withUnsafeBytes { destination.copyMemory(from: $0) }
        }
        wipe(&bytes)
    }

    /// Reads the secret inside `body`; the memory is readable only for its duration.
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        lock.lock()
        defer {
            sodium_mprotect_noaccess(pointer)
            lock.unlock()
        }
        sodium_mprotect_readonly(pointer)
        return try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// Constant-time comparison with another secret.
    public func isEqual(to other: SecretBytes) -> Bool {
        guard count == other.count else { return false }
        return withBytes { mine in
            other.withBytes { theirs in
                sodium_memcmp(mine.baseAddress, theirs.baseAddress, count) == 0
            }
        }
    }

    public var description: String { "<secret>" }
    public var debugDescription: String { "<secret \(count) bytes>" }

    deinit {
        // sodium_free zeroes the allocation before unmapping it.
        sodium_mprotect_readwrite(pointer)
        sodium_free(pointer)
    }
}

extension SecretBytes {
    /// Reads a secret from a file descriptor (a file or standard input) without it ever
    /// living in a Swift `String`. A single trailing newline is dropped, as `echo` adds one.
    public static func read(fileDescriptor fd: Int32, limit: Int = 4096) throws -> SecretBytes {
        var buffer = [UInt8](repeating: 0, count: limit + 1)
        defer { wipe(&buffer) }
        var total = 0
        while total < buffer.count {
            let n = buffer.withUnsafeMutableBytes { raw in
                Glibc.read(fd, raw.baseAddress! + total, raw.count - total)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw SecretInputError.unreadable(String(cString: strerror(errno)))
            }
            if n == 0 { break }
            total += n
        }
        guard total <= limit else { throw SecretInputError.tooLong(limit: limit) }
        var length = total
        if length > 0 && buffer[length - 1] == UInt8(ascii: "\n") { length -= 1 }
        if length > 0 && buffer[length - 1] == UInt8(ascii: "\r") { length -= 1 }
        guard length > 0 else { throw SecretInputError.empty }
        return buffer.withUnsafeBytes { SecretBytes(copying: UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
    }

    /// Reads a secret from a path, or from standard input when the path is `-`.
    public static func read(path: String) throws -> SecretBytes {
        if path == "-" { return try read(fileDescriptor: STDIN_FILENO) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw SecretInputError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        return try read(fileDescriptor: fd)
    }
}

public enum SecretInputError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case unreadable(String)
    case tooLong(limit: Int)
    case empty

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open the password file \(path): \(reason)"
        case .unreadable(let reason): "cannot read the password: \(reason)"
        case .tooLong(let limit): "the password is longer than \(limit) bytes"
        case .empty: "the password is empty"
        }
    }
}
