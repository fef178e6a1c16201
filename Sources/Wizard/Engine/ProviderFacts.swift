import Vocabulary

extension ProviderChoice {
    /// What a person may want to know before choosing this provider, as (label, text) in
    /// the order shown: the terminal's `details N` and the window's details pane. Facts
    /// from the data carry their sources and dates; the live state says when it was checked.
    public func facts(live: ProviderLiveStatus?) -> [(String, String)] {
        let captchaText = switch captcha {
        case true?: "yes: you will type the text of a picture while the account is created"
        case false?: "no"
        case nil: "not known: if the server shows one, you will see it here"
        }
        var facts: [(String, String)] = [
            ("Your address", "name@\(domain)"),
        ]
        if let live, let summary = live.summary { facts.append(("Checked over Tor", summary)) }
        facts += [
            ("Registration (data)", registrationSummary),
            ("CAPTCHA (data)", captchaText),
            ("Reached at", "\(onion) (an onion service: the connection never leaves Tor)"),
            ("Connection", directTLSPort.map { "STARTTLS on port \(clientPort), or direct TLS on port \($0)" }
                ?? "STARTTLS on port \(clientPort)"),
            ("Certificate", pinSHA256 != nil ? "known in advance (its fingerprint is in the provider list)"
                : spkiSHA256 != nil ? "its key is known in advance (the provider list pins it)"
                : "not known in advance: you will be shown it and asked whether to trust it"),
        ]
        if let web = webRegistrationURL { facts.append(("Web sign-up", web)) }
        if let details {
            if let operatedBy = details.operatedBy {
                facts.append(("Run by", "\(operatedBy) (this is its onion's own domain: your address ends in .onion)"))
            }
            if let website = details.website { facts.append(("Website", website)) }
            facts.append(("Servers in", details.serverLocations.isEmpty ? "not known"
                : details.serverLocations.map { $0.uppercased() }.joined(separator: ", ") + " (the jurisdiction, as listed)"))
            if let software = details.serverSoftware { facts.append(("Server software", software)) }
            if let organization = details.organization { facts.append(("Run by (kind)", organization)) }
            for disagreement in details.disagreements { facts.append(("Sources disagree", disagreement)) }
            for source in details.sources {
                facts.append(("Source", source.name + (source.date.map { ", \($0)" } ?? "") + (source.url.map { " — \($0)" } ?? "")))
            }
            if let verified = details.lastVerified { facts.append(("Last verified", verified)) }
        }
        if let notes, !notes.isEmpty { facts.append(("Notes", notes)) }
        return facts
    }
}
