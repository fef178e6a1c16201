import Vocabulary
import Localization

/// What a finished run tells the person, the same in every frontend: the account, what
/// was written where (and what was kept as a backup), the room, the certificate.
extension OnboardingReport {
    public var summaryLines: [String] {
        let first = switch account {
        case .new: translated("Your new account: \(jid)")
        case .existing: translated("Your account: \(jid)")
        case .pidgin: translated("Pidgin's account \(jid) joins the room")
        }
        var lines = [first]
        let directory = profile.directory.hasSuffix("/") ? profile.directory : profile.directory + "/"
        func relative(_ path: String) -> String { path.hasPrefix(directory) ? String(path.dropFirst(directory.count)) : path }
        if profile.written.isEmpty {
            lines.append(translated("Pidgin profile \(profile.directory): already up to date, nothing written"))
        } else {
            lines.append(translated("Written to the Pidgin profile \(profile.directory): \(profile.written.map(relative).joined(separator: ", "))"))
        }
        if !profile.backups.isEmpty {
            lines.append(translated("Backups of the replaced files: \(profile.backups.map(relative).joined(separator: ", "))"))
        }
        let roomName = room.alias ?? room.jid
        lines.append(room.autojoin ? translated("Room (joined when Pidgin starts): \(roomName) (\(room.jid)) as \(handle)")
                                   : translated("Room: \(roomName) (\(room.jid)) as \(handle)"))
        if let roomCheck {
            // Translators: {0} is the room's state: "exists, public, 3 people in it"…
            lines.append(roomCheck.problem.map { translated("Warning: \($0)") } ?? translated("The room \(roomCheck.summary)"))
        }
        if let certificateSHA256 { lines.append(translated("Server certificate SHA-256: \(certificateSHA256)")) }
        if switchedToTor == true { lines.append(translated("The account now connects through Tor, to \(onion):\(port)")) }
        if !throughTor {
            lines.append(translated("Warning: \(jid) does not connect through Tor: its server sees this computer's address when Pidgin joins the room"))
        }
        if passwordGenerated {
            lines.append(translated("The password was generated and is stored in the profile; Pidgin logs in by itself."))
        }
        lines += profile.warnings.map { Self.note($0.description) }
        return lines
    }

    /// A line about something the person should know: "Note: …".
    public static func note(_ text: String) -> String { translated("Note: \(text)") }
}
