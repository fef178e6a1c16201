import Vocabulary

/// What a finished run tells the person, the same in every frontend: the account, what
/// was written where (and what was kept as a backup), the room, the certificate.
extension OnboardingReport {
    public var summaryLines: [String] {
        let first = switch account {
        case .new: "Your new account: \(jid)"
        case .existing: "Your account: \(jid)"
        case .pidgin: "Pidgin's account \(jid) joins the room"
        }
        var lines = [first]
        let directory = profile.directory.hasSuffix("/") ? profile.directory : profile.directory + "/"
        func relative(_ path: String) -> String { path.hasPrefix(directory) ? String(path.dropFirst(directory.count)) : path }
        if profile.written.isEmpty {
            lines.append("Pidgin profile \(profile.directory): already up to date, nothing written")
        } else {
            lines.append("Written to the Pidgin profile \(profile.directory): "
                + profile.written.map(relative).joined(separator: ", "))
        }
        if !profile.backups.isEmpty {
            lines.append("Backups of the replaced files: " + profile.backups.map(relative).joined(separator: ", "))
        }
        lines.append("Room\(room.autojoin ? " (joined when Pidgin starts)" : ""): \(room.alias ?? room.jid) (\(room.jid)) as \(handle)")
        if let roomCheck {
            lines.append(roomCheck.problem.map { "Warning: \($0)" } ?? "The room \(roomCheck.summary)")
        }
        if let certificateSHA256 { lines.append("Server certificate SHA-256: \(certificateSHA256)") }
        if switchedToTor == true { lines.append("The account now connects through Tor, to \(onion):\(port)") }
        if !throughTor {
            lines.append("Warning: \(jid) does not connect through Tor: its server sees this computer's address when Pidgin joins the room")
        }
        if passwordGenerated {
            lines.append("The password was generated and is stored in the profile; Pidgin logs in by itself.")
        }
        lines += profile.warnings.map { "Note: \($0)" }
        return lines
    }
}
