import FoundationEssentials
import Glibc
import Secrets

/// Where a frontend reads answers from (swiftly's "I/O at the edges"): the real
/// terminal or standard input, or a script in tests.
public protocol InputProvider: AnyObject {
    /// Standard input is a terminal (prompts can switch echo off).
    var isTerminal: Bool { get }
    /// One line without its newline; nil at end of input.
    func readLine() throws -> String?
    /// One line with echo off, as bytes (the caller moves them into guarded memory).
    func readSecretLine() throws -> [UInt8]?
    /// Drops what was typed before the question was on screen (keys pressed while
    /// waiting must not answer the next question). Only a terminal has such input.
    func discardTypedAhead()
}

extension InputProvider {
    public func discardTypedAhead() {}
}

/// Where a frontend writes prompts and progress.
public protocol OutputHandler: AnyObject {
    func write(_ text: String)
    func writeLine(_ text: String)
    /// Raw bytes (a secret shown on request: no String copy of it is made).
    func writeBytes(_ bytes: UnsafeRawBufferPointer)
}

extension OutputHandler {
    public func writeBytes(_ bytes: UnsafeRawBufferPointer) { write(String(decoding: bytes, as: UTF8.self)) }
}

/// The I/O a command runs with.
public struct ConsoleContext {
    public var input: InputProvider
    public var output: OutputHandler

    public static func standard(progressToStandardError: Bool = false) -> ConsoleContext {
        ConsoleContext(input: StandardInput(), output: StandardOutput(toStandardError: progressToStandardError))
    }
}

public final class StandardOutput: OutputHandler {
    let fd: Int32
    public init(toStandardError: Bool = false) { fd = toStandardError ? STDERR_FILENO : STDOUT_FILENO }

    public func write(_ text: String) {
        Array(text.utf8).withUnsafeBytes { writeBytes($0) }
    }

    public func writeBytes(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            offset += n
        }
    }

    public func writeLine(_ text: String) { write(text + "\n") }
}

/// Standard input, read byte by byte from the file descriptor so that echo-off secret
/// lines and ordinary lines never disagree about buffering.
public final class StandardInput: InputProvider {
    public let isTerminal = isatty(STDIN_FILENO) == 1

    public func readLine() throws -> String? {
        guard let bytes = try readBytes() else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    public func discardTypedAhead() {
        if isTerminal { tcflush(STDIN_FILENO, TCIFLUSH) }
    }

    public func readSecretLine() throws -> [UInt8]? {
        guard isTerminal else { return try readBytes() }
        return try TerminalState.withEchoOff { try readBytes() }
    }

    private func readBytes() throws -> [UInt8]? {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let n = Glibc.read(STDIN_FILENO, &byte, 1)
            if n < 0 {
                if errno == EINTR { continue }
                throw FrontendError.inputClosed
            }
            if n == 0 { return line.isEmpty ? nil : line }
            if byte == UInt8(ascii: "\n") { break }
            line.append(byte)
        }
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return line
    }
}

/// The terminal's settings, saved before echo goes off and restored after — also
/// when Ctrl-C arrives in between (the handler in `Interruption` restores them).
enum TerminalState {
    static func withEchoOff<T>(_ body: () throws -> T) rethrows -> T {
        var original = termios()
        guard tcgetattr(STDIN_FILENO, &original) == 0 else { return try body() }
        Interruption.rememberTerminal(original)
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        silent.c_lflag |= tcflag_t(ECHONL)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            var restore = original
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &restore)
            Interruption.forgetTerminal()
        }
        return try body()
    }
}
