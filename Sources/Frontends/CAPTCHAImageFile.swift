import Diagnostics
import FoundationEssentials
import Glibc
import Platform

/// A CAPTCHA image written where only this user can read it: a 0600 file in
/// `$XDG_RUNTIME_DIR` (per-user, in memory on Tails), else in a fresh 0700 temporary
/// directory. Removed once answered.
struct CAPTCHAImageFile {
    let path: String
    private let createdDirectory: String?

    /// The image could not be written where only this user reads it.
    struct WriteError: ClassifiedError {
        let path: String
        let code: Int32
        var category: ErrorCategory { .cannotWrite }
        var description: String { "cannot write the CAPTCHA image to \(path): \(SystemErrorText.text(of: code))" }
    }

    init(_ data: Data, type: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let suffix = switch type {
        case "image/png": ".png"
        case "image/jpeg": ".jpg"
        case "image/gif": ".gif"
        case "audio/wav", "audio/x-wav": ".wav"
        default: ".bin"
        }
        var directory: String
        var created: String?
        var info = stat()
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty, stat(runtime, &info) == 0,
           info.st_uid == getuid(), info.st_mode & 0o077 == 0 {
            directory = runtime
        } else {
            var template = Array(Paths.join(FileManager.default.temporaryDirectory.path, "onionboard-captcha-XXXXXX").utf8CString)
            guard let made = mkdtemp(&template) else {
                throw WriteError(path: String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self), code: errno)
            }
            directory = String(cString: made)  // mkdtemp makes it 0700
            created = directory
        }
        let name = "onionboard-captcha-\(UUID().uuidString.prefix(8))\(suffix)"
        path = Paths.join(directory, name)
        createdDirectory = created
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw WriteError(path: path, code: errno) }
        defer { close(fd) }
        // Removed on the way out should the run be cancelled while it is shown.
        Interruption.trackFile(path, directory: created)
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == data.count else { throw WriteError(path: path, code: written < 0 ? errno : ENOSPC) }
    }

    /// Opens the image with the desktop's viewer (xdg-open) when there is a display;
    /// false when there is none or xdg-open is missing. Does not wait for the viewer.
    func openInViewer(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard environment["DISPLAY"] != nil || environment["WAYLAND_DISPLAY"] != nil,
              let opener = ["/usr/bin/xdg-open", "/bin/xdg-open"].first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else { return false }
        return ChildProcess.startDetached([opener, path])
    }

    func remove() {
        Interruption.untrackFile()
        unlink(path)
        if let createdDirectory { rmdir(createdDirectory) }
    }
}
