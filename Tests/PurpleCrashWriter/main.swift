// A test helper for PurpleConfigTests' crash-safety test: writes a profile over and
// over, alternating between two requests, so that a SIGKILL at a random moment
// almost always lands inside a write.
//
//   purple-crash-writer DIR CERT0 CERT1 once N      write variant N once
//   purple-crash-writer DIR CERT0 CERT1 serve       first print "write-us <microseconds per write>";
//       then for each line "go" on stdin: fork a child that writes in a loop
//       (alternating the variants), print its pid, wait until it is killed, print
//       "dead <wait status>". Forking skips process start-up, so nearly every kill
//       lands inside a write even on a loaded machine.
import Foundation
import PurpleConfig
import Secrets
import Vocabulary

let arguments = CommandLine.arguments
guard arguments.count >= 5 else {
    FileHandle.standardError.write(Data("usage: purple-crash-writer DIR CERT0 CERT1 loop|once N\n".utf8))
    exit(64)
}
let directory = arguments[1]
let certificates = [arguments[2], arguments[3]].map { Array(FileManager.default.contents(atPath: $0) ?? Data()) }
let nowhere = directory + "/.nowhere"
let profile = PurpleProfile(
    directory: directory,
    environment: TailsEnvironment(persistenceRoot: nowhere, mountInfoPath: nowhere, tailsMarker: nowhere,
                                  pidginExecutable: "/bin/sh"),
    procRoot: nowhere)

func request(_ variant: Int) -> ProfileRequest {
    ProfileRequest(
        accountJID: "alice@onionboard.test",
        password: SecretBytes(utf8: "password-\(variant)-&<>"),
        connectServer: "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuv.onion",
        proxy: ProxySettings(username: "onionboard-crash", password: "isolation"),
        chat: RoomBookmark(jid: "tails@chat.disroot.org", alias: "Zoë 日本 \(variant)", handle: "handle-\(variant)"),
        certificatePEM: certificates[variant])
}

/// Unbuffered, so a forked child never inherits pending output.
func say(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}

do {
    if arguments[4] == "once" {
        _ = try profile.write(request(Int(arguments.count > 5 ? arguments[5] : "0") ?? 0), force: true)
    } else {
        let start = Date()
        for variant in [1, 0, 1, 0] { _ = try profile.write(request(variant), force: true) }
        say("write-us \(Int(Date().timeIntervalSince(start) * 1_000_000 / 4))")
        while let line = readLine(), line == "go" {
            let child = fork()
            if child == 0 {
                var variant = 1
                while true {
                    do { _ = try profile.write(request(variant), force: true) } catch { _exit(1) }
                    variant ^= 1
                }
            }
            say(String(child))
            var status: Int32 = 0
            while waitpid(child, &status, 0) < 0 && errno == EINTR {}
            say("dead \(status)")
        }
    }
} catch {
    FileHandle.standardError.write(Data("purple-crash-writer: \(error)\n".utf8))
    exit(1)
}
