import Glibc

/// Reading a file without Foundation's FileHandle: the bytes up to a limit, read through one
/// descriptor (close-on-exec), retried after signals; failures carry the errno.
public enum FileContents {
    /// At most `limit` bytes from the start of the file at `path` (pipes and /proc files
    /// too, which have no size): ask for one byte past a limit to tell "too large".
    public static func read(_ path: String, upTo limit: Int) throws(SystemCallError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SystemCallError(code: errno) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while bytes.count < limit {
            let wanted = min(chunk.count, limit - bytes.count)
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, wanted) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemCallError(code: errno)
            }
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        return bytes
    }
}

/// A failed system call: its errno, shown as the system words it ("Permission denied").
public struct SystemCallError: Error, Equatable, CustomStringConvertible {
    public let code: Int32
    public init(code: Int32) { self.code = code }
    public var description: String { SystemErrorText.text(of: code) }
}
