import Glibc

/// Writing to the standard streams without Foundation's FileHandle: whole buffers, retried
/// after a signal or a short write; a closed stream is not an error worth dying for.
public enum StandardStreams {
    public static func writeOutput(_ text: String) { write(Array(text.utf8), to: STDOUT_FILENO) }
    public static func writeError(_ text: String) { write(Array(text.utf8), to: STDERR_FILENO) }
    public static func writeOutput(_ bytes: [UInt8]) { write(bytes, to: STDOUT_FILENO) }
    public static func writeError(_ bytes: [UInt8]) { write(bytes, to: STDERR_FILENO) }

    /// Writes all of `bytes` to `descriptor`; false when the descriptor refused them.
    @discardableResult
    public static func write(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }

    /// Flushes what is written to standard output to its file (before the process is replaced).
    public static func synchronizeOutput() { _ = fsync(STDOUT_FILENO) }
}
