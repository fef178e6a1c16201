import Diagnostics
import Localization
import Vocabulary

extension ManualGuide {
    /// The manual for `input.template`, for one provider: the chosen one, else the best by
    /// the kept live checks, else the first in the template's order. In the language the
    /// messages are in (`translated`), with the template's texts as the caller localized them
    /// and Pidgin's labels from `input.labels`.
    public static func make(_ input: GuideInput) throws -> ManualGuide {
        let template = input.template
        let offered = template.providerOrder.sorted(input.providers.filter(template.providerFilter.admits))
        let provider = try choose(from: offered, all: input.providers, input: input)
        let check = input.checks[provider.domain].flatMap { $0.onion == provider.onion ? $0 : nil }
        let label = input.labels
        let domain = provider.domain
        var sections: [GuideSection] = []

        sections.append(GuideSection(title: translated("What this guide does"), blocks: [
            .paragraph(template.intro),
            // Translators: text between backquotes is a command, shown as code: keep it as it is.
            .paragraph(translated("""
                Everything below is what `onionboard run --provider \(domain)` does for you. Follow it by hand to \
                learn what happens, to check what the wizard did, or where onionboard cannot run.
                """)),
        ]))

        sections.append(GuideSection(title: translated("Before you start"), blocks: [
            .steps([
                // Translators: "Tor Connection" is the name of Tails' application (use Tails' own translation).
                translated("Connect to Tor. On Tails: wait until Tor Connection says that Tor is ready."),
                // Translators: use Tails' own names for the Persistent Storage and its feature.
                translated("""
                    On Tails, unlock the Persistent Storage and make sure its feature “Pidgin Internet Messenger” is \
                    turned on, or the account disappears when you shut down.
                    """),
                // Translators: the menu path as the GNOME menu shows it in your language; "Secrets" and
                // "KeePassXC" are programs' names.
                translated("""
                    Open a password manager to keep the new password: on Tails 7.6 and later Secrets \
                    (Applications ▸ Accessories ▸ Secrets), before that KeePassXC.
                    """),
            ]),
        ]))

        sections.append(GuideSection(title: translated("1. The provider"), blocks: providerBlocks(provider, offered: offered,
                                                                                                  checks: input.checks, now: input.now)))

        sections.append(GuideSection(title: translated("2. A username and a password"), blocks: [
            .steps([
                // Translators: "username@{0}" shows the form of the address: translate "username" too.
                translated("""
                    Make up a username that says nothing about you and that you use nowhere else: letters a–z, digits, \
                    dot, underscore, hyphen. Your address will be username@\(domain).
                    """),
                translated("""
                    In the password manager, create a new entry for \(domain) and let it generate a password of \
                    at least 20 random characters. Save the entry.
                    """),
            ]),
            .warning(translated("""
                Never use your name, a nickname you use elsewhere, or a password you already use: anything \
                that links the account to you undoes what Tor does for you.
                """)),
        ]))

        sections.append(GuideSection(title: translated("3. The account in Pidgin"), blocks: accountBlocks(provider, check: check,
                                                                                                           input: input)))
        sections.append(GuideSection(title: translated("4. The certificate"), blocks: certificateBlocks(provider, check: check,
                                                                                                         now: input.now, labels: label)))
        sections.append(GuideSection(title: translated("5. The room"), blocks: roomBlocks(template, labels: label)))

        let generator = input.generator
        let templateID = template.id
        let origin: String
        if let check {
            let age = ProviderCheck.age(input.now - check.checkedAt)
            // Translators: {0} is the program and its version, {1} the template's name, {2} the
            // provider's domain, {3} how long ago ("2 minutes").
            origin = translated("""
                Made by \(generator) from the wizard template “\(templateID)” and the provider data (live check of \
                \(domain) \(age) before this guide was made).
                """)
        } else {
            // Translators: {0} is the program and its version, {1} the template's name, {2} the provider's domain.
            origin = translated("""
                Made by \(generator) from the wizard template “\(templateID)” and the provider data (no live check of \
                \(domain) kept).
                """)
        }
        let title = template.title
        // Translators: {0} is the wizard's title, e.g. "Join the Tails support chat".
        return ManualGuide(title: translated("\(title): by hand, in Pidgin"), origin: origin, sections: sections)
    }

    static func choose(from offered: [ProviderChoice], all: [ProviderChoice], input: GuideInput) throws -> ProviderChoice {
        let templateID = input.template.id
        if let domain = input.chosenDomain?.lowercased() {
            if let provider = offered.first(where: { $0.domain == domain }) { return provider }
            if all.contains(where: { $0.domain == domain }) {
                throw GuideProviderError(category: .invalidData, message: input.template.providerFilter.rawValue == "all"
                    ? translated("the template “\(templateID)” does not offer \(domain) (it offers providers that are in the map)")
                    : translated("the template “\(templateID)” does not offer \(domain) (it offers providers that allow registration)"))
            }
            // Translators: the text between quotes is a command: keep it as it is.
            throw GuideProviderError(category: .missingInput, message:
                translated("no provider \(domain) in the provider map ('onionboard providers list --all' shows them)"))
        }
        guard !offered.isEmpty else {
            throw GuideProviderError(category: .missingInput, message:
                translated("the provider map offers no provider for the template “\(templateID)”"))
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
        let domain = provider.domain
        var blocks: [GuideBlock] = [
            .paragraph(translated("""
                This guide uses \(domain). Its server is reached through this onion address, so your connection \
                never leaves the Tor network:
                """)),
            .literal(provider.onion),
        ]
        let registration = provider.registrationSummary
        var facts = [translated("Registration: \(registration).")]
        if let check = checks[provider.domain], check.onion == provider.onion, check.outcome != .torUnavailable {
            let summary = check.summary(now: now, own: false)
            facts.append(translated("Live check: \(summary)."))
        } else {
            // Translators: the text between backquotes is a command: keep it as it is.
            facts.append(translated("Not checked over Tor yet: `onionboard providers check \(domain)` does it."))
        }
        if let website = provider.details?.website { facts.append(translated("Website: \(website).")) }
        // Translators: {0} is the provider data's own note, as its sources wrote it.
        if let verified = provider.details?.lastVerified { facts.append(translated("Last verified: \(verified).")) }
        blocks.append(.paragraph(facts.joined(separator: " ")))
        let others = offered.filter { $0.domain != provider.domain }
        if !others.isEmpty {
            blocks.append(.paragraph(translated("""
                The other providers this wizard offers, in its order (use one of them the same way, with its own \
                address and onion):
                """)))
            blocks.append(.table(header: [translated("Provider"), translated("Onion"), translated("Registration")], rows: others.map { other in
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
        let (manageAccounts, add) = (label("/Accounts/Manage Accounts"), label("_Add"))
        // Translators: a ticked checkbox in Pidgin's dialog.
        let on = translated("on")
        var blocks: [GuideBlock] = [
            .steps([
                // Translators: the menu path as Tails' GNOME menu shows it in your language.
                translated("Start Pidgin (on Tails: Applications ▸ Internet ▸ Pidgin Internet Messenger)."),
                // Translators: {0} is Pidgin's menu (e.g. "Accounts ▸ Manage Accounts"), {1} its button, as Pidgin names them.
                translated("Open \(manageAccounts) and click \(add)."),
            ]),
        ]
        var basic = [
            GuideField(label("Pro_tocol:"), "XMPP"),
            GuideField.placeholder(label("_Username:"), translated("your username"), note: translated("only the part before the @")),
            GuideField(label("Domain"), provider.domain),
            GuideField(label("Resource"), "", note: translated("leave it empty")),
            GuideField.placeholder(label("_Password:"), translated("the password from your password manager")),
            GuideField(label("Remember pass_word"), on),
        ]
        if registers {
            basic.append(GuideField(label("Create _this new account on the server"), on,
                                    note: translated("this is what creates the account")))
        }
        blocks.append(.fields(dialog: label("_Basic"), basic))
        blocks.append(.fields(dialog: label("Ad_vanced"), [
            GuideField(label("Connection security"), label("Require encryption")),
            GuideField(label("Connect port"), String(provider.clientPort)),
            GuideField(label("Connect server"), provider.onion, note: translated("the onion, not the domain")),
            GuideField(label("File transfer proxies"), "", note: translated("leave it empty")),
        ]))
        blocks.append(.fields(dialog: label("Proxy"), [
            GuideField(label("Proxy _type:"), label("Tor/Privacy (SOCKS5)")),
            GuideField(label("_Host:"), input.torSOCKS.host),
            GuideField(label("_Port:"), String(input.torSOCKS.port)),
        ]))
        // Translators: {0} is Pidgin's button, as Pidgin names it.
        var after = [translated("Click \(add).")]
        switch provider.registration {
        case .open where provider.captcha == true || check?.registration == .captcha:
            after.append(translated("""
                Pidgin shows the provider's registration form with a picture (a CAPTCHA): type what it shows and \
                send the form within about 30 seconds, or the server closes the connection.
                """))
        case .closed, .invite:
            if let web = provider.webRegistrationURL {
                let create = label("Create _this new account on the server")
                // Translators: {0} is the provider's web page, {1} Pidgin's checkbox as Pidgin names it.
                after.append(translated("""
                    This provider does not create accounts from Pidgin: make the account on its web page, \(web), \
                    then add it here without “\(create)”.
                    """))
            } else {
                after.append(translated("This provider does not create accounts from Pidgin."))
            }
        default:
            after.append(translated("If Pidgin shows a registration form, fill it in and send it."))
        }
        if let web = provider.webRegistrationURL, provider.registration != .closed {
            after.append(translated("If registration from Pidgin fails, the provider's web page is \(web)."))
        }
        blocks.append(.steps(after))
        let (tor, noProxy, connectServer) = (label("Tor/Privacy (SOCKS5)"), label("No Proxy"), label("Connect server"))
        // Translators: {0}, {1} and {2} are Pidgin's choices and field as Pidgin names them.
        blocks.append(.warning(translated("""
            Choose “\(tor)” even on Tails, never “\(noProxy)”, and never put the domain into “\(connectServer)”: \
            the connection would leave Tor, or Pidgin would look the domain up in the DNS.
            """)))
        return blocks
    }

    static func certificateBlocks(_ provider: ProviderChoice, check: ProviderCheck?, now: Double,
                                  labels label: PidginLabels) -> [GuideBlock] {
        let (onion, view, fingerprint) = (provider.onion, label("_View Certificate..."), label("Fingerprint (SHA1): %s"))
        var blocks: [GuideBlock] = [
            // Translators: {1} is Pidgin's button and {2} the line of its certificate window, as Pidgin names them.
            .paragraph(translated("""
                The first time Pidgin connects it asks whether to accept the certificate for \(onion). \
                Click “\(view)” and compare its “\(fingerprint)” with this one, character by character:
                """)),
        ]
        if let sha1 = check?.certificateSHA1, let check {
            blocks.append(.literal(sha1.colonSeparatedHexPairs))
            let age = ProviderCheck.age(now - check.checkedAt)
            let sha256 = (check.certificateSHA256 ?? "").colonSeparatedHexPairs
            // Translators: {0} is how long ago ("2 minutes"), {1} the certificate's SHA-256 fingerprint.
            blocks.append(.paragraph(translated("(Seen by onionboard over Tor \(age) before this guide was made. SHA-256: \(sha256).)")))
        } else {
            let domain = provider.domain
            // Translators: the text between backquotes is a command: keep it as it is.
            blocks.append(.paragraph(translated("""
                No fingerprint is known for this guide: run `onionboard providers check \(domain)` and make the \
                guide again, or compare with the fingerprint the provider publishes.
                """)))
            if let pin = provider.pinSHA256 {
                let pinned = pin.colonSeparatedHexPairs
                blocks.append(.paragraph(translated("The provider map pins its certificate's SHA-256 (Pidgin does not show it): \(pinned).")))
            }
        }
        let (accept, reject) = (label("Accept"), label("Reject"))
        // Translators: {0} is Pidgin's button, as Pidgin names it.
        blocks.append(.paragraph(translated("""
            They match: click “\(accept)”. The onion address itself already proves which server this is; the \
            certificate protects what you send to it.
            """)))
        // Translators: {0} is Pidgin's button, as Pidgin names it.
        blocks.append(.warning(translated("""
            They differ: click “\(reject)” and stop. Certificates are renewed every few months, so make the guide \
            again first; if they still differ, do not use this provider.
            """)))
        return blocks
    }

    static func roomBlocks(_ template: WizardTemplate, labels label: PidginLabels) -> [GuideBlock] {
        let room = template.room
        let (addChat, add) = (label("/Buddies/Add Chat..."), label("_Add"))
        var blocks: [GuideBlock] = [
            .paragraph(translated("Once the account is online, add the room so that Pidgin joins it whenever the account connects:")),
            // Translators: {0} is Pidgin's menu, as Pidgin names it (e.g. "Buddies ▸ Add Chat").
            .steps([translated("Open \(addChat).")]),
            .fields(dialog: label("Add Chat"), [
                GuideField.placeholder(label("_Account:"), translated("your new account")),
                GuideField(label("_Room:"), room.room),
                GuideField(label("_Server:"), room.service),
                GuideField.placeholder(label("_Handle:"), translated("a nickname"),
                                       note: translated("others in the room see it; not your username, not your name")),
                GuideField(label("(Optional) A_lias:"), room.alias ?? ""),
                GuideField(label("_Group:"), room.group),
                // Translators: a checkbox in Pidgin's dialog: ticked ("on") or not ("off").
                GuideField(label("Automatically _join when account connects"), room.autojoin ? translated("on") : translated("off")),
                GuideField(label("_Remain in chat after window is closed"), translated("on"),
                           note: translated("so that you see replies that come later")),
            ]),
            // Translators: {0} is Pidgin's button, as Pidgin names it.
            .steps([translated("Click \(add), then double-click the room in the buddy list to join it now.")]),
        ]
        if !template.roomAlternatives.isEmpty {
            blocks.append(.paragraph(translated("If the room is gone or closed, the template names these instead:")))
            blocks.append(.table(header: [translated("Room"), translated("Name")],
                                 rows: template.roomAlternatives.map { [$0.jid, $0.alias ?? ""] }))
        }
        return blocks
    }
}
