import Vocabulary
import Localization

extension ProviderChoice {
    /// What a person may want to know before choosing this provider, as (label, text) in
    /// the order shown: the terminal's `details N` and the window's details pane. Facts
    /// from the data carry their sources and dates; the live state says when it was checked.
    public func facts(live: ProviderLiveStatus?) -> [(String, String)] {
        let captchaText = switch captcha {
        case true?: translated("yes: you will type the text of a picture while the account is created")
        case false?: translated("no")
        case nil: translated("not known: if the server shows one, you will see it here")
        }
        // Translators: the name parts of this list are labels beside values (a provider's details).
        var facts: [(String, String)] = [
            (translated("Your address"), translated("name@\(domain)")),
        ]
        if let live, let summary = live.summary { facts.append((translated("Checked over Tor"), summary)) }
        facts += [
            (translated("Registration (data)"), registrationSummary),
            (translated("CAPTCHA (data)"), captchaText),
            (translated("Reached at"), translated("\(onion) (an onion service: the connection never leaves Tor)")),
            (translated("Connection"), directTLSPort.map { translated("STARTTLS on port \(clientPort), or direct TLS on port \($0)") }
                ?? translated("STARTTLS on port \(clientPort)")),
            (translated("Certificate"), pinSHA256 != nil ? translated("known in advance (its fingerprint is in the provider list)")
                : spkiSHA256 != nil ? translated("its key is known in advance (the provider list pins it)")
                : translated("not known in advance: you will be shown it and asked whether to trust it")),
        ]
        if let web = webRegistrationURL { facts.append((translated("Web sign-up"), web)) }
        // Provider data (who runs it, software, sources, notes) is kept as the sources wrote it, in English.
        if let details {
            if let operatedBy = details.operatedBy {
                facts.append((translated("Run by"), translated("\(operatedBy) (this is its onion's own domain: your address ends in .onion)")))
            }
            if let website = details.website { facts.append((translated("Website"), website)) }
            facts.append((translated("Servers in"), details.serverLocations.isEmpty ? translated("not known")
                : translated("\(details.serverLocations.map { $0.uppercased() }.joined(separator: ", ")) (the jurisdiction, as listed)")))
            if let software = details.serverSoftware { facts.append((translated("Server software"), software)) }
            if let organization = details.organization { facts.append((translated("Run by (kind)"), organization)) }
            for disagreement in details.disagreements { facts.append((translated("Sources disagree"), disagreement)) }
            for source in details.sources {
                facts.append((translated("Source"), source.name + (source.date.map { ", \($0)" } ?? "") + (source.url.map { " — \($0)" } ?? "")))
            }
            if let verified = details.lastVerified { facts.append((translated("Last verified"), verified)) }
        }
        if let notes, !notes.isEmpty { facts.append((translated("Notes"), notes)) }
        return facts
    }
}
