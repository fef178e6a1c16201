import Diagnostics
import Vocabulary

extension ManualGuide {
    /// The manual for `input.template`, for one provider: the chosen one, else the best by
    /// the kept live checks, else the first in the template's order.
    public static func make(_ input: GuideInput) throws -> ManualGuide {
        let template = input.template
        let offered = template.providerOrder.sorted(input.providers.filter(template.providerFilter.admits))
        let provider = try choose(from: offered, all: input.providers, input: input)
        let check = input.checks[provider.domain].flatMap { $0.onion == provider.onion ? $0 : nil }
        let label = input.labels
        var sections: [GuideSection] = []

        sections.append(GuideSection(title: "What this guide does", blocks: [
            .paragraph(template.intro),
            .paragraph("Everything below is what `onionboard run --provider \(provider.domain)` does for you. "
                       + "Follow it by hand to learn what happens, to check what the wizard did, or where onionboard "
                       + "cannot run."),
        ]))

        sections.append(GuideSection(title: "Before you start", blocks: [
            .steps([
                "Connect to Tor. On Tails: wait until Tor Connection says that Tor is ready.",
                "On Tails, unlock the Persistent Storage and make sure its feature “Pidgin Internet Messenger” is "
                    + "turned on, or the account disappears when you shut down.",
                "Open a password manager to keep the new password: on Tails 7.6 and later Secrets "
                    + "(Applications ▸ Accessories ▸ Secrets), before that KeePassXC.",
            ]),
        ]))

        sections.append(GuideSection(title: "1. The provider", blocks: providerBlocks(provider, offered: offered,
                                                                                      checks: input.checks, now: input.now)))

        sections.append(GuideSection(title: "2. A username and a password", blocks: [
            .steps([
                "Make up a username that says nothing about you and that you use nowhere else: letters a–z, digits, "
                    + "dot, underscore, hyphen. Your address will be username@\(provider.domain).",
                "In the password manager, create a new entry for \(provider.domain) and let it generate a password of "
                    + "at least 20 random characters. Save the entry.",
            ]),
            .warning("Never use your name, a nickname you use elsewhere, or a password you already use: anything "
                     + "that links the account to you undoes what Tor does for you."),
        ]))

        sections.append(GuideSection(title: "3. The account in Pidgin", blocks: accountBlocks(provider, check: check,
                                                                                               input: input)))
        sections.append(GuideSection(title: "4. The certificate", blocks: certificateBlocks(provider, check: check,
                                                                                             now: input.now, labels: label)))
        sections.append(GuideSection(title: "5. The room", blocks: roomBlocks(template, labels: label)))

        let origin = "Made by \(input.generator) from the wizard template “\(template.id)” and the provider data "
            + (check.map { "(live check of \(provider.domain) \(ProviderCheck.age(input.now - $0.checkedAt)) before this guide was made)" }
               ?? "(no live check of \(provider.domain) kept)") + "."
        return ManualGuide(title: template.title + ": by hand, in Pidgin", origin: origin, sections: sections)
    }

    static func choose(from offered: [ProviderChoice], all: [ProviderChoice], input: GuideInput) throws -> ProviderChoice {
        if let domain = input.chosenDomain?.lowercased() {
            if let provider = offered.first(where: { $0.domain == domain }) { return provider }
            if all.contains(where: { $0.domain == domain }) {
                throw GuideProviderError(category: .invalidData, message:
                    "the template “\(input.template.id)” does not offer \(domain) (it offers providers that "
                    + "\(input.template.providerFilter.rawValue == "all" ? "are in the map" : "allow registration"))")
            }
            throw GuideProviderError(category: .missingInput, message:
                "no provider \(domain) in the provider map ('onionboard providers list --all' shows them)")
        }
        guard !offered.isEmpty else {
            throw GuideProviderError(category: .missingInput, message:
                "the provider map offers no provider for the template “\(input.template.id)”")
        }
        // The kept checks, when there are any, say which one works today (the wizard's rank).
        let ranked = offered.enumerated().sorted {
            let (a, b) = (input.checks[$0.element.domain]?.rank ?? 3, input.checks[$1.element.domain]?.rank ?? 3)
            return a != b ? a < b : $0.offset < $1.offset
        }
        return ranked[0].element
    }

    static func providerBlocks(_ provider: ProviderChoice, offered: [ProviderChoice], checks: [String: ProviderCheck],
                               now: Double) -> [GuideBlock] {
        var blocks: [GuideBlock] = [
            .paragraph("This guide uses \(provider.domain). Its server is reached through this onion address, so "
                       + "your connection never leaves the Tor network:"),
            .literal(provider.onion),
        ]
        var facts = ["Registration: \(provider.registrationSummary)."]
        if let check = checks[provider.domain], check.onion == provider.onion, check.outcome != .torUnavailable {
            facts.append("Live check: \(check.summary(now: now, own: false)).")
        } else {
            facts.append("Not checked over Tor yet: `onionboard providers check \(provider.domain)` does it.")
        }
        if let website = provider.details?.website { facts.append("Website: \(website).") }
        if let verified = provider.details?.lastVerified { facts.append("Last verified: \(verified).") }
        blocks.append(.paragraph(facts.joined(separator: " ")))
        let others = offered.filter { $0.domain != provider.domain }
        if !others.isEmpty {
            blocks.append(.paragraph("The other providers this wizard offers, in its order (use one of them the same "
                                     + "way, with its own address and onion):"))
            blocks.append(.table(header: ["Provider", "Onion", "Registration"], rows: others.map { other in
                [other.domain, other.onion,
                 checks[other.domain].flatMap { $0.onion == other.onion && $0.outcome != .torUnavailable
                     ? $0.summary(now: now, own: false) : nil } ?? other.registrationSummary]
            }))
        }
        return blocks
    }

    static func accountBlocks(_ provider: ProviderChoice, check: ProviderCheck?, input: GuideInput) -> [GuideBlock] {
        let label = input.labels
        let registers = provider.registration == .open || provider.registration == .unknown
        var blocks: [GuideBlock] = [
            .steps([
                "Start Pidgin (on Tails: Applications ▸ Internet ▸ Pidgin Internet Messenger).",
                "Open \(label("/Accounts/Manage Accounts")) and click \(label("_Add")).",
            ]),
        ]
        var basic = [
            GuideField(label("Pro_tocol:"), "XMPP"),
            GuideField.placeholder(label("_Username:"), "your username", note: "only the part before the @"),
            GuideField(label("Domain"), provider.domain),
            GuideField(label("Resource"), "", note: "leave it empty"),
            GuideField.placeholder(label("_Password:"), "the password from your password manager"),
            GuideField(label("Remember pass_word"), "on"),
        ]
        if registers {
            basic.append(GuideField(label("Create _this new account on the server"), "on",
                                    note: "this is what creates the account"))
        }
        blocks.append(.fields(dialog: label("_Basic"), basic))
        blocks.append(.fields(dialog: label("Ad_vanced"), [
            GuideField(label("Connection security"), label("Require encryption")),
            GuideField(label("Connect port"), String(provider.clientPort)),
            GuideField(label("Connect server"), provider.onion, note: "the onion, not the domain"),
            GuideField(label("File transfer proxies"), "", note: "leave it empty"),
        ]))
        blocks.append(.fields(dialog: label("Proxy"), [
            GuideField(label("Proxy _type:"), label("Tor/Privacy (SOCKS5)")),
            GuideField(label("_Host:"), input.torSOCKS.host),
            GuideField(label("_Port:"), String(input.torSOCKS.port)),
        ]))
        var after = ["Click \(label("_Add"))."]
        switch provider.registration {
        case .open where provider.captcha == true || check?.registration == .captcha:
            after.append("Pidgin shows the provider's registration form with a picture (a CAPTCHA): type what it "
                         + "shows and send the form within about 30 seconds, or the server closes the connection.")
        case .closed, .invite:
            after.append("This provider does not create accounts from Pidgin"
                         + (provider.webRegistrationURL.map { ": make the account on its web page, \($0), then add it here without “\(label("Create _this new account on the server"))”" } ?? "")
                         + ".")
        default:
            after.append("If Pidgin shows a registration form, fill it in and send it.")
        }
        if let web = provider.webRegistrationURL, provider.registration != .closed {
            after.append("If registration from Pidgin fails, the provider's web page is \(web).")
        }
        blocks.append(.steps(after))
        blocks.append(.warning("Choose “\(label("Tor/Privacy (SOCKS5)"))” even on Tails, never “\(label("No Proxy"))”, and "
                               + "never put the domain into “\(label("Connect server"))”: the connection would leave Tor, "
                               + "or Pidgin would look the domain up in the DNS."))
        return blocks
    }

    static func certificateBlocks(_ provider: ProviderChoice, check: ProviderCheck?, now: Double,
                                  labels label: PidginLabels) -> [GuideBlock] {
        var blocks: [GuideBlock] = [
            .paragraph("The first time Pidgin connects it asks whether to accept the certificate for \(provider.onion). "
                       + "Click “\(label("_View Certificate..."))” and compare its “\(label("Fingerprint (SHA1): %s"))” "
                       + "with this one, character by character:"),
        ]
        if let sha1 = check?.certificateSHA1, let check {
            blocks.append(.literal(Self.colonSeparated(sha1)))
            blocks.append(.paragraph("(Seen by onionboard over Tor \(ProviderCheck.age(now - check.checkedAt)) before this "
                                     + "guide was made. SHA-256: \(Self.colonSeparated(check.certificateSHA256 ?? "")).)"))
        } else {
            blocks.append(.paragraph("No fingerprint is known for this guide: run `onionboard providers check "
                                     + "\(provider.domain)` and make the guide again, or compare with the fingerprint "
                                     + "the provider publishes."))
            if let pin = provider.pinSHA256 {
                blocks.append(.paragraph("The provider map pins its certificate's SHA-256 (Pidgin does not show it): "
                                         + Self.colonSeparated(pin) + "."))
            }
        }
        blocks.append(.paragraph("They match: click “\(label("Accept"))”. The onion address itself already proves which server this "
                                 + "is; the certificate protects what you send to it."))
        blocks.append(.warning("They differ: click “\(label("Reject"))” and stop. Certificates are renewed every few months, so make "
                               + "the guide again first; if they still differ, do not use this provider."))
        return blocks
    }

    static func roomBlocks(_ template: WizardTemplate, labels label: PidginLabels) -> [GuideBlock] {
        let room = template.room
        var blocks: [GuideBlock] = [
            .paragraph("Once the account is online, add the room so that Pidgin joins it whenever the account connects:"),
            .steps(["Open \(label("/Buddies/Add Chat..."))."]),
            .fields(dialog: label("Add Chat"), [
                GuideField.placeholder(label("_Account:"), "your new account"),
                GuideField(label("_Room:"), room.room),
                GuideField(label("_Server:"), room.service),
                GuideField.placeholder(label("_Handle:"), "a nickname", note: "others in the room see it; not your username, not your name"),
                GuideField(label("(Optional) A_lias:"), room.alias ?? ""),
                GuideField(label("_Group:"), room.group),
                GuideField(label("Automatically _join when account connects"), room.autojoin ? "on" : "off"),
                GuideField(label("_Remain in chat after window is closed"), "on", note: "so that you see replies that come later"),
            ]),
            .steps(["Click \(label("_Add")), then double-click the room in the buddy list to join it now."]),
        ]
        if !template.roomAlternatives.isEmpty {
            blocks.append(.paragraph("If the room is gone or closed, the template names these instead:"))
            blocks.append(.table(header: ["Room", "Name"], rows: template.roomAlternatives.map { [$0.jid, $0.alias ?? ""] }))
        }
        return blocks
    }

    /// "ab12…" → "AB:12:…", as Pidgin and OpenSSL show fingerprints.
    static func colonSeparated(_ hex: String) -> String {
        var pairs: [String] = []
        var pair = ""
        for character in hex.uppercased() {
            pair.append(character)
            if pair.count == 2 { pairs.append(pair); pair = "" }
        }
        if !pair.isEmpty { pairs.append(pair) }
        return pairs.joined(separator: ":")
    }
}
