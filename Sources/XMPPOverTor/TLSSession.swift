import COpenSSL
import Diagnostics
import Glibc
import X509

/// The TLS layer failed.
public enum TLSError: ClassifiedError, Equatable {
    case setupFailed(String)
    case handshakeFailed(String)
    case noPeerCertificate
    case io(String)

    public var category: ErrorCategory { .protocolViolation }

    public var description: String {
        switch self {
        case .setupFailed(let detail): "could not set up TLS: \(detail)"
        case .handshakeFailed(let detail): "the TLS handshake failed: \(detail)"
        case .noPeerCertificate: "the server presented no TLS certificate"
        case .io(let detail): "TLS error: \(detail)"
        }
    }

    /// The queued OpenSSL errors as one line (and clears the queue).
    static func openSSLErrors() -> String {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return messages.isEmpty ? "unknown error" : messages.joined(separator: "; ")
    }
}

/// Owner of an `SSL_CTX`: TLS ≥ 1.2, the system CA store loaded. Peer verification is
/// not enforced by OpenSSL: the chain result is read after the handshake and the
/// certificate policy (pin, CA, trust on first use) decides.
final class TLSContext {
    let context: OpaquePointer

    init() throws {
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw TLSError.setupFailed(TLSError.openSSLErrors())
        }
        self.context = context
        guard cssl_ctx_set_min_proto_version(context, cssl_tls1_2_version()) == 1 else {
            throw TLSError.setupFailed("cannot require TLS 1.2")
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        // A missing CA store only means no chain will validate; the pin or TOFU still work.
        _ = SSL_CTX_set_default_verify_paths(context)
        ERR_clear_error()
    }

    deinit { SSL_CTX_free(context) }
}

/// Counts the socket traffic OpenSSL does itself, so round trips include the handshake.
private let countingCallback: BIO_callback_fn_ex = { bio, operation, _, _, _, _, result, processed in
    guard let argument = BIO_get_callback_arg(bio) else { return Int(result) }
    let connection = Unmanaged<TCPConnection>.fromOpaque(UnsafeRawPointer(argument)).takeUnretainedValue()
    let done = processed?.pointee ?? 0
    if result > 0 && done > 0 {
        if operation == (BIO_CB_WRITE | BIO_CB_RETURN) { connection.noteWrite() }
        if operation == (BIO_CB_READ | BIO_CB_RETURN) { connection.noteRead() }
    }
    return Int(result)
}

/// Owner of one `SSL` over a `TCPConnection` (which it keeps alive). Reads and writes
/// wait in `poll` for the non-blocking socket, within the caller's deadline.
final class TLSSession: ByteStream {
    private let ssl: OpaquePointer
    private let context: TLSContext
    let connection: TCPConnection

    init(context: TLSContext, connection: TCPConnection, serverName: String) throws {
        guard let ssl = SSL_new(context.context) else { throw TLSError.setupFailed(TLSError.openSSLErrors()) }
        self.ssl = ssl
        self.context = context
        self.connection = connection
        guard SSL_set_fd(ssl, connection.fd) == 1 else { throw TLSError.setupFailed(TLSError.openSSLErrors()) }
        guard cssl_set_tlsext_host_name(ssl, serverName) == 1 else {
            throw TLSError.setupFailed("cannot set the server name \(serverName)")
        }
        if let bio = SSL_get_rbio(ssl) {
            BIO_set_callback_arg(bio, UnsafeMutableRawPointer(Unmanaged.passUnretained(connection).toOpaque())
                .assumingMemoryBound(to: CChar.self))
            BIO_set_callback_ex(bio, countingCallback)
        }
    }

    deinit { SSL_free(ssl) }

    /// Runs an SSL call until it succeeds, waiting on the socket for WANT_READ / WANT_WRITE.
    private func drive(_ deadline: Deadline, failure: (String) -> Error, _ call: () -> Int32) throws -> Int32 {
        while true {
            ERR_clear_error()
            let result = call()
            if result > 0 { return result }
            let code = SSL_get_error(ssl, result)
            switch code {
            case SSL_ERROR_WANT_READ:
                try TCPConnection.wait(fd: connection.fd, events: Int16(POLLIN), deadline: deadline)
            case SSL_ERROR_WANT_WRITE:
                try TCPConnection.wait(fd: connection.fd, events: Int16(POLLOUT), deadline: deadline)
            case SSL_ERROR_ZERO_RETURN:
                throw ConnectionError.closedByPeer(phase: deadline.phase)
            case SSL_ERROR_SYSCALL:
                let queued = TLSError.openSSLErrors()
                if queued == "unknown error" { throw ConnectionError.closedByPeer(phase: deadline.phase) }
                throw failure(queued)
            default:
                throw failure(TLSError.openSSLErrors())
            }
        }
    }

    func handshake(deadline: Deadline) throws {
        _ = try drive(deadline, failure: { TLSError.handshakeFailed($0) }) { SSL_connect(ssl) }
    }

    func write(_ bytes: [UInt8], deadline: Deadline) throws {
        guard !bytes.isEmpty else { return }
        var written = 0
        _ = try drive(deadline, failure: { TLSError.io($0) }) {
            bytes.withUnsafeBytes { SSL_write_ex(ssl, $0.baseAddress, $0.count, &written) }
        }
    }

    func read(maximum: Int, deadline: Deadline) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: maximum)
        var received = 0
        _ = try drive(deadline, failure: { TLSError.io($0) }) {
            buffer.withUnsafeMutableBytes { SSL_read_ex(ssl, $0.baseAddress, $0.count, &received) }
        }
        return Array(buffer[0..<received])
    }

    /// Sends close_notify without waiting for the answer.
    func shutdown() {
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    var protocolVersion: String { String(cString: SSL_get_version(ssl)) }
    var isTLS13: Bool { SSL_version(ssl) == cssl_tls1_3_version() }
    var cipher: String {
        guard let cipher = SSL_get_current_cipher(ssl) else { return "none" }
        return String(cString: SSL_CIPHER_get_name(cipher))
    }

    /// The leaf certificate the server presented.
    func peerCertificate() throws -> X509Certificate {
        guard let certificate = SSL_get1_peer_certificate(ssl) else { throw TLSError.noPeerCertificate }
        return X509Certificate(owning: certificate)
    }

    /// Whether the chain validated against the system CAs (the name is checked separately).
    var chainVerified: Bool { SSL_get_verify_result(ssl) == X509_V_OK }

    /// RFC 9266 `tls-exporter` channel binding data (TLS 1.3 only).
    func exporterChannelBinding() -> [UInt8]? {
        guard isTLS13 else { return nil }
        var output = [UInt8](repeating: 0, count: 32)
        let label = "EXPORTER-Channel-Binding"
        let ok = output.withUnsafeMutableBufferPointer { out in
            SSL_export_keying_material(ssl, out.baseAddress, out.count, label, label.utf8.count, nil, 0, 0)
        }
        return ok == 1 ? output : nil
    }
}
