// A test helper for PurpleConfigTests' crash-safety test: writes a profile over and
// over, alternating between two requests, so that a SIGKILL at a random moment
// almost always lands inside a write.
//
//   purple-crash-writer DIR CERT0 CERT1 loop        alternate forever
//   purple-crash-writer DIR CERT0 CERT1 once N      write variant N once
import Foundation
import PurpleConfig
import Secrets

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
        chat: ChatBookmark(roomJID: "tails@chat.disroot.org", handle: "handle-\(variant)", alias: "Zoë 日本 \(variant)"),
        certificatePEM: certificates[variant])
}

do {
    if arguments[4] == "once" {
        _ = try profile.write(request(Int(arguments.count > 5 ? arguments[5] : "0") ?? 0), force: true)
    } else {
        var variant = 0
        // Tell the test we are about to write, so its random kill delay starts now.
        FileHandle.standardOutput.write(Data("looping\n".utf8))
        while true {
            _ = try profile.write(request(variant), force: true)
            variant ^= 1
        }
    }
} catch {
    FileHandle.standardError.write(Data("purple-crash-writer: \(error)\n".utf8))
    exit(1)
}
