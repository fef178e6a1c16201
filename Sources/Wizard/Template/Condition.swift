/// When a question applies: `provider.captcha = yes`, `direct-tls != no`, clauses
/// joined with `and`. A clause names an earlier answer by its key, or an attribute
/// of the chosen provider (`provider.<attribute>`).
public struct Condition: Sendable, Equatable, CustomStringConvertible {
    public struct Clause: Sendable, Equatable {
        public var subject: Subject
        public var negated: Bool
        public var value: String
    }

    public enum Subject: Sendable, Equatable {
        case answer(String)
        case provider(ProviderAttribute)
        /// An attribute of the Pidgin account chosen on the `pidgin` path.
        case pidginAccount(PidginAccountAttribute)
    }

    public var clauses: [Clause]

    public var description: String {
        clauses.map { clause in
            let name = switch clause.subject {
            case .answer(let key): key
            case .provider(let attribute): "provider.\(attribute.rawValue)"
            case .pidginAccount(let attribute): "\(AnswerKeys.pidginAccount).\(attribute.rawValue)"
            }
            return "\(name) \(clause.negated ? "!=" : "=") \(clause.value)"
        }.joined(separator: " and ")
    }

    /// True or false, or nil while something it reads is still unknown.
    public func evaluate(answer: (String) -> String?, provider: ProviderChoice?) -> Bool? {
        evaluate { subject in
            switch subject {
            case .answer(let key): answer(key)
            case .provider(let attribute): provider.map { attribute.value(of: $0) }
            case .pidginAccount: nil
            }
        }
    }

    /// True or false, or nil while something it reads is still unknown (`value` gives nil).
    public func evaluate(_ value: (Subject) -> String?) -> Bool? {
        var result = true
        for clause in clauses {
            guard let actual = value(clause.subject) else { return nil }
            let equal = actual.lowercased() == clause.value.lowercased()
            if equal == clause.negated { result = false }
        }
        return result
    }

    /// Whether this condition and `other` can never both hold: a clause of each reads the
    /// same thing and asks for values that exclude each other (`account = new` and
    /// `account = existing`, or `account = new` and `account != new`).
    public func excludes(_ other: Condition) -> Bool {
        clauses.contains { mine in
            other.clauses.contains { theirs in
                guard mine.subject == theirs.subject else { return false }
                let same = mine.value.lowercased() == theirs.value.lowercased()
                return (!mine.negated && !theirs.negated && !same) || (mine.negated != theirs.negated && same)
            }
        }
    }
}

/// What a condition can ask about the Pidgin account chosen on the `pidgin` path.
public enum PidginAccountAttribute: String, Sendable, Equatable, CaseIterable {
    /// `yes` when the account connects through Pidgin's Tor proxy setting.
    case tor
    /// `yes` when it can be routed to an onion: its connect server is one, or the provider
    /// map knows its provider's.
    case onion
    /// `yes` when onionboard registered it.
    case onionboard
}

/// What a condition can ask about the chosen provider.
public enum ProviderAttribute: String, Sendable, Equatable, CaseIterable {
    /// `yes` when registration shows a CAPTCHA, `no`, or `unknown`.
    case captcha
    /// `open`, `invite`, `closed` or `unknown`.
    case registration
    /// `yes` when the provider has a direct-TLS port.
    case directTLS = "direct-tls"
    /// `yes` when the map pins its certificate.
    case pinned
    case domain

    func value(of provider: ProviderChoice) -> String {
        switch self {
        case .captcha: provider.captcha.map { $0 ? "yes" : "no" } ?? "unknown"
        case .registration: provider.registration.rawValue
        case .directTLS: provider.directTLSPort == nil ? "no" : "yes"
        case .pinned: provider.pinSHA256 == nil ? "no" : "yes"
        case .domain: provider.domain
        }
    }
}
