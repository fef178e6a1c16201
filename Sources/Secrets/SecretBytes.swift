import CSodium
import Diagnostics
import Glibc
import Platform
import Localization

/// Secret bytes (a password) in libsodium guarded memory: guard pages around it,
/// locked out of swap, inaccessible (`PROT_NONE`) except inside `withBytes`, and
/// zeroed when freed. The only owner of its `sodium_malloc` allocation.
///
/// Not printable: `description` never shows the content, so a secret that ends up
/// in string interpolation, a log line or an error message shows as `<secret>`.
public final class SecretBytes: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    private let pointer: UnsafeMutableRawPointer
    public let count: Int
    private let lock = Lock()

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

    /// Copies `bytes` into guarded memory and zeroes the source array's own storage. No
    /// copy of the array is made on the way (a `let source = bytes` would have made the wipe
    /// zero a fresh copy while the original storage, password and all, went back to malloc).
    public convenience init(consuming bytes: inout [UInt8]) {
        self.init(count: bytes.count) { destination in
            bytes.withUnsafeBytes { source in
                if let base = source.baseAddress, source.count > 0 {
                    destination.baseAddress!.copyMemory(from: base, byteCount: source.count)
                }
            }
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
    /// The longest password file accepted: anything longer is not a password file.
    public static let maximumFileSize = 4096

    /// Reads a secret from a file descriptor (a file or standard input) without it ever
    /// living in a Swift `String`. A single trailing newline is dropped, as `echo` adds one.
    /// `name` is what messages call the source (a path, or "standard input").
    public static func read(fileDescriptor fd: Int32, name: String = "standard input",
                            limit: Int = maximumFileSize) throws -> SecretBytes {
        var status = stat()
        if fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR { throw SecretInputError.isDirectory(name) }
        var buffer = [UInt8](repeating: 0, count: limit + 1)
        defer { wipe(&buffer) }
        var total = 0
        while total < buffer.count {
            let n = buffer.withUnsafeMutableBytes { raw in
                Glibc.read(fd, raw.baseAddress! + total, raw.count - total)
            }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EISDIR { throw SecretInputError.isDirectory(name) }
                throw SecretInputError.unreadable(name, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            total += n
        }
        guard total <= limit else { throw SecretInputError.tooLong(name, limit: limit) }
        var length = total
        if length > 0 && buffer[length - 1] == UInt8(ascii: "\n") { length -= 1 }
        if length > 0 && buffer[length - 1] == UInt8(ascii: "\r") { length -= 1 }
        guard length > 0 else { throw SecretInputError.empty(name) }
        return buffer.withUnsafeBytes { SecretBytes(copying: UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
    }

    /// Reads a secret from a path, or from standard input when the path is `-`.
    public static func read(path: String) throws -> SecretBytes {
        if path == "-" { return try read(fileDescriptor: STDIN_FILENO) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            throw SecretInputError.cannotOpen(path, reason: String(cString: strerror(code)), missing: code == ENOENT || code == ENOTDIR)
        }
        defer { close(fd) }
        return try read(fileDescriptor: fd, name: path)
    }

    /// Passwords shorter than this are accepted from a file (the account may exist already)
    /// but warned about; the wizard refuses to take a shorter one at its prompt.
    public static let shortPasswordLength = 8

    /// A warning when this password is short enough to be guessed, nil otherwise.
    public var shortPasswordWarning: String? {
        guard count < Self.shortPasswordLength else { return nil }
        return translated(one: """
            the password has only \(count) character; anyone who guesses it owns the account \
            (use at least \(Self.shortPasswordLength), or leave the password out and onionboard generates a 26-character one)
            """, other: """
            the password has only \(count) characters; anyone who guesses it owns the account \
            (use at least \(Self.shortPasswordLength), or leave the password out and onionboard generates a 26-character one)
            """, count: count)
    }
}

/// A password file (or standard input) that cannot be used. The README's exit codes:
/// a file that is missing or cannot be opened is missing input (66); one that is empty, a
/// directory or far too long is invalid data (65).
public enum SecretInputError: ClassifiedError, Equatable {
    case cannotOpen(String, reason: String, missing: Bool)
    case unreadable(String, reason: String)
    case isDirectory(String)
    case tooLong(String, limit: Int)
    case empty(String)
    /// At a terminal's password prompt, Enter without a password.
    case nothingTyped

    public var category: ErrorCategory {
        switch self {
        case .cannotOpen, .unreadable: .missingInput
        case .isDirectory, .tooLong, .empty, .nothingTyped: .invalidData
        }
    }

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason, let missing):
            missing ? translated("the password file \(path) does not exist (\(reason)); give an existing file, or - for standard input")
                    : translated("cannot open the password file \(path): \(reason)")
        case .unreadable(let name, let reason): translated("cannot read the password from \(name): \(reason)")
        case .isDirectory(let path): translated("the password file \(path) is a directory; give the file that holds the password")
        case .tooLong(let name, let limit):
            translated("the password in \(name) is longer than \(limit) bytes, so it is probably not a password file; check the path")
        case .empty(let name):
            translated("the password file \(name) is empty; write the password into it, or leave out --password-file to have one generated")
        case .nothingTyped:
            translated("nothing was typed at the password prompt; type the password, or give it in a file with --password-file FILE")
        }
    }
}
