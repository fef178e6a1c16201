import Secrets
import Vocabulary
import Wizard
import Localization

/// Questions and answers one line at a time: the terminal frontend (standard input
/// is a terminal: secrets without echo, Ctrl-C restores the terminal) and the plain
/// frontend (standard input is a pipe or file: same prompts, read as lines).
public final class LineFrontend: Frontend {
    let context: ConsoleContext
    public let isInteractive = true
    private var input: InputProvider { context.input }
    private var output: OutputHandler { context.output }

    public init(context: ConsoleContext) {
        self.context = context
        if context.input.isTerminal { Interruption.install() }
    }

    public func begin(_ template: WizardTemplate) {
        output.writeLine(template.title)
        output.writeLine(String(repeating: "=", count: template.title.count))
        if !template.intro.isEmpty { output.writeLine(template.intro) }
        output.writeLine(translated("(Type ? for help on a question; press Enter to accept the value in brackets.)"))
    }

    /// Every answer is read only after its question is on screen: what was typed
    /// before (during a slow phase, say) is dropped, never taken as the answer.
    private func readAnswer() throws -> String {
        input.discardTypedAhead()
        guard let line = try input.readLine() else { throw FrontendError.inputClosed }
        return line
    }

    private func readSecret() throws -> [UInt8] {
        input.discardTypedAhead()
        guard let bytes = try input.readSecretLine() else { throw FrontendError.inputClosed }
        return bytes
    }

    public func ask(_ presented: PresentedQuestion) throws -> String {
        let question = presented.question
        output.writeLine("")
        showWarning(question)
        if !presented.choices.isEmpty {
            output.writeLine(question.prompt)
            let width = String(presented.choices.count).count
            for (index, choice) in presented.choices.enumerated() {
                let number = String(index + 1)
                let padded = String(repeating: " ", count: width - number.count) + number
                output.writeLine("  \(padded)) \(choice.label)\(choice.detail.isEmpty ? "" : " — \(choice.detail)")")
            }
        }
        let hasDetails = presented.choices.contains { $0.provider != nil }
        if hasDetails {
            // Translators: "details" is what the person types (the English word works too).
            output.writeLine("  " + translated("(\(Self.details) N: more about provider N — website, where its servers are, software, sources)"))
        }
        while true {
            var prompt = presented.choices.isEmpty ? question.prompt : translated("Choose 1–\(presented.choices.count)")
            if question.type == .boolean { prompt += " (\(WizardEngine.yes)/\(WizardEngine.no))" }
            // A choice whose answer is not its label (the fork) is offered by its number.
            if let value = presented.defaultText {
                let number = presented.choices.firstIndex { $0.value != nil && $0.answer == value }
                prompt += " [\(number.map { String($0 + 1) } ?? (question.type == .boolean ? WizardEngine.shown(boolean: value) : value))]"
            }
            output.write(prompt + ": ")
            let answer = try readAnswer()
            let words = answer.trimmingWhitespace().split(separator: " ")
            if words.first == "?" && words.count == 1 {
                output.writeLine(question.help.isEmpty ? translated("No more help for this question.") : question.help)
                if hasDetails { output.writeLine(translated("Type \(Self.details) N (or ? N) for provider N's details.")) }
                continue
            }
            if hasDetails, words.count == 2,
               words[0] == "?" || words[0].lowercased() == "details" || words[0].lowercased() == Self.details.lowercased() {
                showDetails(presented, choice: String(words[1]))
                continue
            }
            return answer
        }
    }

    // Translators: the word the person types before a provider's number to see its details
    // (the English "details" works too).
    static var details: String { translated("details") }

    /// A provider's details, by its number or domain.
    private func showDetails(_ presented: PresentedQuestion, choice: String) {
        let index = Int(choice).map { $0 - 1 } ?? presented.choices.firstIndex { $0.label == choice.lowercased() }
        guard let index, presented.choices.indices.contains(index), let provider = presented.choices[index].provider else {
            output.writeLine("  ✗ " + translated("no provider \(choice) in the list (1–\(presented.choices.count))"))
            return
        }
        output.writeLine("")
        output.writeLine("\(index + 1)) \(provider.domain)")
        let facts = provider.facts(live: presented.choices[index].live)
        let width = (facts.map(\.0.count).max() ?? 0) + 2
        for (label, text) in facts {
            output.writeLine("  " + label + ":" + String(repeating: " ", count: max(1, width - label.count)) + text)
        }
        output.writeLine("")
    }

    public func chooseRoom(_ status: RoomStatus, alternatives: [RoomBookmark]) throws -> RoomBookmark? {
        output.writeLine("")
        output.writeLine(translated("Before the room is written into the profile: \(status.problem ?? status.summary)."))
        output.writeLine("  1) " + translated("keep \(status.jid) anyway"))
        for (index, room) in alternatives.enumerated() {
            output.writeLine("  \(index + 2)) \(room.jid)" + (room.alias.map { $0 == room.jid ? "" : " — \($0)" } ?? ""))
        }
        guard !alternatives.isEmpty else {
            output.writeLine(translated("The template offers no other room; the account is kept, and you can join another room in Pidgin."))
            return nil
        }
        let suggested = 2
        while true {
            output.write(translated("Which room should Pidgin join? Choose 1–\(alternatives.count + 1) [\(suggested)]: "))
            let answer = try readAnswer().trimmingWhitespace()
            let number = answer.isEmpty ? suggested : Int(answer)
            if let number, number == 1 { return nil }
            if let number, alternatives.indices.contains(number - 2) { return alternatives[number - 2] }
            output.writeLine("  ✗ " + translated("choose a number from 1 to \(alternatives.count + 1)"))
        }
    }

    /// What the template says must be known before answering, shown with the question.
    private func showWarning(_ question: Question) {
        guard let warning = question.warning else { return }
        for line in warning.split(separator: "\n", omittingEmptySubsequences: false) { output.writeLine("! " + line) }
    }

    public func askSecret(_ presented: PresentedQuestion) throws -> SecretBytes? {
        output.writeLine("")
        showWarning(presented.question)
        let generates = presented.question.defaultValue == .generated
        let prompt: String = switch (generates, input.isTerminal) {
        case (true, true): translated("\(presented.question.prompt) [Enter = generate a strong one] (not shown): ")
        case (true, false): translated("\(presented.question.prompt) [Enter = generate a strong one]: ")
        case (false, true): translated("\(presented.question.prompt) (not shown): ")
        case (false, false): "\(presented.question.prompt): "
        }
        output.write(prompt)
        var bytes = try readSecret()
        if bytes.isEmpty { return nil }
        return SecretBytes(consuming: &bytes)
    }

    public func refuse(_ presented: PresentedQuestion, reason: String) {
        output.writeLine("  ✗ \(reason)")
    }

    public func progress(_ event: RunEvent) {
        if case .writingProfile = event { Interruption.profileWriteBegins() }
        output.writeLine("• \(event)")
    }

    public func fill(_ fields: [RegistrationField]) throws -> [String: String] {
        var values: [String: String] = [:]
        for field in fields {
            // Everything about the field comes from the server: sanitised, and marked as its.
            let label = ServerText.sanitised(field.label, maximumLength: 80)
            output.writeLine("")
            output.writeLine(translated("The server asks for “\(label)”"))
            if let instructions = field.instructions { output.writeLine("  " + ServerText.quoted(instructions)) }
            if field.kind == .captcha { field.captchaNotices.forEach { output.writeLine($0) } }
            var shown: CAPTCHAImageFile?
            if field.kind == .captcha, let media = field.media {
                do {
                    let file = try CAPTCHAImageFile(media, type: field.mediaType)
                    shown = file
                    output.writeLine("  " + (file.openInViewer() ? translated("The CAPTCHA image is in \(file.path) (opened in the image viewer)")
                                                                   : translated("The CAPTCHA image is in \(file.path)")))
                } catch {
                    output.writeLine("  ✗ " + translated("could not save the CAPTCHA image: \(error)"))
                }
            }
            defer { shown?.remove() }
            for location in field.mediaLocations.map({ ServerText.sanitised($0) }) {
                output.writeLine("  " + (field.kind == .captcha ? translated("or open in Tor Browser: \(location)") : translated("see: \(location)")))
            }
            while true {
                output.write("“\(label)”: ")
                let answer: String
                if field.kind == .secret {
                    var bytes = try readSecret()
                    answer = String(decoding: bytes, as: UTF8.self)
                    wipe(&bytes)
                } else {
                    answer = try readAnswer()
                }
                if answer.isEmpty && field.required {
                    output.writeLine("  ✗ " + translated("an answer is required"))
                    continue
                }
                values[field.name] = answer
                break
            }
        }
        return values
    }

    public func confirm(_ certificate: CertificateSummary) -> Bool {
        output.writeLine("")
        output.writeLine(translated("The server's certificate is not signed by an authority this computer trusts."))
        if certificate.overOnion {
            output.writeLine(translated("""
                You reached it through its onion address, so Tor has already checked that this is the
                right server; the certificate only adds encryption inside the Tor circuit.
                """))
        }
        // Subject, names and issuer are the server's words (its certificate's): sanitised.
        var rows = [(translated("subject:"), ServerText.sanitised(certificate.subject))]
        if !certificate.subjectAltNames.isEmpty {
            rows.append((translated("names:"), certificate.subjectAltNames.map { ServerText.sanitised($0, maximumLength: 100) }.joined(separator: ", ")))
        }
        rows += [(translated("issuer:"), ServerText.sanitised(certificate.issuer)), (translated("expires:"), certificate.notAfter),
                 ("SHA-256:", certificate.sha256)]
        let width = rows.map(\.0.count).max() ?? 0
        for (label, value) in rows { output.writeLine("  " + label + String(repeating: " ", count: width + 2 - label.count) + value) }
        // Enter means the same as the desktop's default button (docs/wizard.md).
        let enterTrusts = CertificateSummary.enterTrusts(certificate)
        while true {
            let (yes, no) = (WizardEngine.yes, WizardEngine.no)
            output.write(translated("Trust this certificate and remember it in Pidgin? (\(yes)/\(no), ? for help) [\(enterTrusts ? yes : no)]: "))
            guard let answer = try? readAnswer() else { return false }
            let typed = answer.trimmingWhitespace()
            if typed == "?" {
                output.writeLine(CertificateSummary.trustHelp)
                continue
            }
            if typed.isEmpty { return enterTrusts }
            guard let trust = WizardEngine.parseBoolean(typed) else {
                output.writeLine("  ✗ " + translated("answer \(yes) or \(no)"))
                continue
            }
            return trust
        }
    }

    public func anotherUsername(taken: String, problem: String?) throws -> String? {
        if let problem { output.writeLine("  ✗ \(problem)") } else {
            output.writeLine(translated("The username \(taken) is already taken on this server."))
        }
        output.write(translated("Another username (empty to cancel): "))
        let answer = try readAnswer().trimmingWhitespace()
        return answer.isEmpty ? nil : answer
    }

    public func finish(_ report: OnboardingReport) {
        Interruption.profileWritten()
        output.writeLine("")
        let lines = report.summaryLines
        output.writeLine(translated("Done. \(lines[0])"))
        for line in lines.dropFirst() { output.writeLine("  " + line) }
        output.writeLine(report.throughTor ? translated("Start Pidgin: it connects through Tor and joins the room.")
                                           : translated("Start Pidgin: it joins the room (not through Tor)."))
        offerPassword(report)
    }

    /// On a terminal, the password on request (never unasked: someone may look over
    /// the person's shoulder), with where to keep it.
    private func offerPassword(_ report: OnboardingReport) {
        guard input.isTerminal, let password = report.password else { return }
        // Translators: the word the person types to see the password (the English "show" works too).
        let show = translated("show")
        output.write(translated("Type \(show) and press Enter to see the password (\(PasswordAdvice.text())), or just press Enter: "))
        guard let answer = (try? readAnswer())?.trimmingWhitespace().lowercased(),
              answer == "show" || answer == show.lowercased() else { return }
        output.write("  " + translated("Password: "))
        password.withBytes { output.writeBytes($0) }
        output.writeLine("")
    }
}
