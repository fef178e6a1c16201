import Foundation
import Glibc
import Secrets
import Vocabulary
import Wizard

/// The desktop frontend: every question, the certificate decision, CAPTCHA and the
/// result as zenity windows (zenity ships with Tails), the Tor phases in a progress
/// window whose Cancel ends the run with exit 130 before anything is written.
/// Window titles start with "onionboard — " and name the step, so tests (and
/// people) can tell them apart.
public final class ZenityFrontend: Frontend, @unchecked Sendable {
    public let isInteractive = true
    private let dialog: ZenityDialog
    private let lock = NSLock()
    private var progressWindow: ZenityProgress?
    /// Set when the profile write begins: from then on a cancel is too late to honour
    /// cleanly, so the run finishes (it takes milliseconds).
    private var writingStarted = false
    private var title = "onionboard"

    static let pidgin = "/usr/bin/pidgin"

    public init(executable: String) {
        dialog = ZenityDialog(executable: executable)
        // A dialog that died must not kill us with SIGPIPE when we write its input.
        signal(SIGPIPE, SIG_IGN)
        // A logout (SIGHUP) or SIGTERM closes our windows instead of leaving them behind.
        Interruption.install()
    }

    /// A window that asks or tells something. The progress window closes first (the
    /// next event opens it again), so it never covers the window that asks.
    private func show(_ arguments: [String]) throws -> ZenityDialog.Outcome {
        closeProgress()
        return try dialog.run(arguments)
    }

    private func windowTitle(_ step: String) -> String { "onionboard — \(step)" }

    private func text(_ outcome: ZenityDialog.Outcome) throws -> String {
        guard outcome.accepted else { throw FrontendError.cancelled }
        return String(decoding: outcome.output, as: UTF8.self)
    }

    public func begin(_ template: WizardTemplate) {
        title = template.title
    }

    // MARK: questions

    public func ask(_ presented: PresentedQuestion) throws -> String {
        let question = presented.question
        let step = windowTitle("\(presented.index): \(question.key)")
        var prompt = question.prompt
        if !question.help.isEmpty { prompt += "\n\n" + question.help }
        if !presented.choices.isEmpty {
            var arguments = ["--list", "--title=\(step)", "--text=\(prompt)", "--width=720", "--height=380",
                             "--column=#", "--column=Provider", "--column=Registration and CAPTCHA",
                             "--hide-column=1", "--print-column=1"]
            for (index, choice) in presented.choices.enumerated() {
                arguments += [String(index + 1), choice.label, choice.detail]
            }
            let answer = try text(try show(arguments))
            // Nothing selected + OK: the default (the engine treats an empty answer so).
            return answer.split(separator: "|").first.map(String.init) ?? ""
        }
        if question.type == .boolean {
            let defaultYes = ["yes", "true", "y", "1"].contains(presented.defaultText?.lowercased() ?? "")
            var arguments = ["--question", "--no-markup", "--title=\(step)", "--text=\(prompt)",
                             "--ok-label=Yes", "--cancel-label=No", "--width=480"]
            if !defaultYes { arguments.append("--default-cancel") }
            return try show(arguments).accepted ? "yes" : "no"
        }
        var arguments = ["--entry", "--title=\(step)", "--text=\(prompt)", "--width=480"]
        if let value = presented.defaultText { arguments.append("--entry-text=\(value)") }
        return try text(try show(arguments))
    }

    public func askSecret(_ presented: PresentedQuestion) throws -> SecretBytes? {
        let step = windowTitle("\(presented.index): \(presented.question.key)")
        let prompt = "\(presented.question.prompt)\n\nLeave it empty and press OK to use a strong generated password."
        var outcome = try show(["--entry", "--hide-text", "--title=\(step)", "--text=\(prompt)", "--width=480"])
        guard outcome.accepted else { throw FrontendError.cancelled }
        if outcome.output.isEmpty { return nil }
        return SecretBytes(consuming: &outcome.output)
    }

    public func refuse(_ presented: PresentedQuestion, reason: String) { warn(reason) }

    private func warn(_ reason: String) {
        _ = try? show(["--warning", "--no-markup", "--title=\(windowTitle("not accepted"))", "--text=\(reason)", "--width=420"])
    }

    // MARK: the run

    public func progress(_ event: RunEvent) {
        lock.lock()
        defer { lock.unlock() }
        if case .writingProfile = event {
            writingStarted = true
            Interruption.profileWriteBegins()
        }
        if progressWindow == nil, !writingStarted {
            progressWindow = try? ZenityProgress(
                executable: dialog.executable, title: windowTitle("connecting"),
                text: event.description, onCancel: { [weak self] in self?.progressCancelled() })
        }
        progressWindow?.show(event.description)
    }

    /// Cancel in the progress window. Nothing is on disk before the profile write (the
    /// last step), so leaving now writes nothing; 130 is the documented "cancelled".
    private func progressCancelled() {
        lock.lock()
        guard !writingStarted else { lock.unlock(); return }
        Interruption.exitCancelled() // closes the open question window too
    }

    private func closeProgress() {
        lock.lock()
        let window = progressWindow
        progressWindow = nil
        lock.unlock()
        window?.close()
    }

    public func fill(_ fields: [RegistrationField]) throws -> [String: String] {
        var values: [String: String] = [:]
        for field in fields {
            // Everything about the field is the server's: sanitised, marked, escaped for zenity.
            let entry = field.kind != .boolean
            let label = ZenityDialog.literal(ServerText.sanitised(field.label, maximumLength: 80), inEntryWindow: entry)
            let name = ServerText.sanitised(field.name, maximumLength: 40)
            var prompt = "The server asks for “\(label)”"
            if let instructions = field.instructions { prompt += "\n" + ZenityDialog.serverText(instructions, inEntryWindow: entry) }
            if field.kind == .captcha, !field.captchaNotices.isEmpty { prompt += "\n\n" + field.captchaNotices.joined(separator: "\n") }
            if !field.mediaLocations.isEmpty {
                prompt += (field.kind == .captcha ? "\n\nOr open in Tor Browser: " : "\n\nSee: ")
                    + field.mediaLocations.map { ZenityDialog.literal(ServerText.sanitised($0), inEntryWindow: entry) }
                        .joined(separator: "\n")
            }
            if field.kind == .boolean {
                let yes = try show(["--question", "--no-markup", "--title=\(windowTitle(name))", "--text=\(prompt)"])
                values[field.name] = yes.accepted ? "true" : "false"
                continue
            }
            let picture = field.kind == .captcha ? showMedia(field) : nil
            defer { picture?.close() }
            if picture != nil { prompt += "\n\nType the text of the picture in the window above (\"\(windowTitle("CAPTCHA image"))\")." }
            while true {
                var arguments = ["--entry", "--title=\(windowTitle(field.kind == .captcha ? "CAPTCHA" : name))",
                                 "--text=\(prompt)", "--width=480"]
                if field.kind == .secret { arguments.append("--hide-text") }
                let answer = try text(try show(arguments))
                if answer.isEmpty && field.required {
                    warn("An answer is required.")
                    continue
                }
                values[field.name] = answer
                break
            }
        }
        return values
    }

    /// The CAPTCHA's inline image in a window of its own, open while the answer is typed.
    /// zenity 3.44 (Tails 6) cannot put a picture in an entry window, but a list with
    /// `--imagelist` shows one; the window is tall so that its top, where the picture is,
    /// stays visible above the (centred) answer window, which opens once it is up. A sound or other media goes to the
    /// desktop's opener instead. The file is 0600 in XDG_RUNTIME_DIR and removed after.
    private func showMedia(_ field: RegistrationField) -> CAPTCHAPicture? {
        guard let media = field.media, let file = try? CAPTCHAImageFile(media, type: field.mediaType) else { return nil }
        guard field.mediaType?.hasPrefix("image/") ?? true else {
            if file.openInViewer() { return CAPTCHAPicture(file: file, window: nil) }
            file.remove()
            return nil
        }
        let window = try? ChildProcess([dialog.executable, "--list", "--imagelist", "--no-markup",
                                        "--title=\(windowTitle("CAPTCHA image"))",
                                        "--text=\(ZenityDialog.literal(ServerText.sanitised(field.label, maximumLength: 80), inEntryWindow: false))",
                                        "--column=CAPTCHA", "--column=", "--hide-header", "--ok-label=Close",
                                        "--width=480", "--height=560", file.path, ""],
                                       stdin: .null, stdout: .null, closedOnInterrupt: true)
        // The answer window must come up after (so above) this one.
        window?.waitUntilIdle()
        return CAPTCHAPicture(file: file, window: window)
    }

    struct CAPTCHAPicture {
        let file: CAPTCHAImageFile
        let window: ChildProcess?

        func close() {
            window?.terminate()
            window?.wait()
            file.remove()
        }
    }

    public func confirm(_ certificate: CertificateSummary) -> Bool {
        var text = "The server's certificate is not signed by an authority this computer trusts.\n\n"
        if certificate.overOnion {
            text += "You reached it through its onion address, so Tor has already checked that this is the "
                + "right server (the onion key authenticates it); the certificate only adds encryption "
                + "inside the Tor circuit.\n\n"
        }
        // The certificate's names are the server's words: sanitised, escaped for zenity.
        func shown(_ text: String) -> String { ZenityDialog.literal(ServerText.sanitised(text), inEntryWindow: false) }
        text += "Subject: \(shown(certificate.subject))\n"
        if !certificate.subjectAltNames.isEmpty { text += "Names: \(shown(certificate.subjectAltNames.joined(separator: ", ")))\n" }
        text += "Issuer: \(shown(certificate.issuer))\nExpires: \(certificate.notAfter)\n"
        text += "SHA-256: \(Self.grouped(certificate.sha256))\n\nTrust this certificate and remember it in Pidgin?"
        let outcome = try? show(["--question", "--no-markup", "--title=\(windowTitle("certificate"))", "--text=\(text)",
                                 "--ok-label=Trust", "--cancel-label=Do not trust", "--width=560"])
        return outcome?.accepted ?? false
    }

    /// `ab:cd:…` in lines of 16 bytes, easier to compare by eye.
    static func grouped(_ hex: String) -> String {
        let pairs = stride(from: 0, to: hex.count, by: 2).map { offset -> String in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return String(hex[start..<hex.index(start, offsetBy: 2, limitedBy: hex.endIndex)!])
        }
        return stride(from: 0, to: pairs.count, by: 16).map { pairs[$0..<min($0 + 16, pairs.count)].joined(separator: ":") }
            .joined(separator: "\n         ")
    }

    public func anotherUsername(taken: String, problem: String?) throws -> String? {
        let prompt = (problem ?? "The username \(taken) is already taken on this server.") + "\n\nAnother username:"
        let outcome = try show(["--entry", "--title=\(windowTitle("another username"))", "--text=\(prompt)", "--width=480"])
        guard outcome.accepted else { return nil }
        let answer = String(decoding: outcome.output, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        return answer.isEmpty ? nil : answer
    }

    public func finish(_ report: OnboardingReport) {
        Interruption.profileWritten()
        closeProgress()
        var text = report.summaryLines.joined(separator: "\n") + "\n"
        guard FileManager.default.isExecutableFile(atPath: Self.pidgin) else {
            text += "\nStart Pidgin: it connects through Tor and joins the room."
            _ = try? show(["--info", "--no-markup", "--title=\(windowTitle("done"))", "--text=\(text)", "--width=560"])
            return
        }
        text += "\nStart Pidgin now? It connects through Tor and joins the room."
        let start = try? show(["--question", "--no-markup", "--title=\(windowTitle("done"))", "--text=\(text)",
                               "--ok-label=Start Pidgin", "--cancel-label=Close", "--width=560"])
        // On the profile just written, which need not be ~/.purple (--purple-dir).
        if start?.accepted == true { ChildProcess.startDetached([Self.pidgin, "--config=\(report.profile.directory)"]) }
    }

    /// Shows an error that ended the run (the desktop has no terminal to print it to).
    public func failed(_ message: String) {
        Interruption.runFailed()
        closeProgress()
        _ = try? show(["--error", "--no-markup", "--title=\(windowTitle("error"))",
                       "--text=\(ZenityDialog.literal(message, inEntryWindow: false))", "--width=520"])
    }

}
