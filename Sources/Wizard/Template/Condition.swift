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
    }

    public var clauses: [Clause]

    public var description: String {
        clauses.map { clause in
            let name = switch clause.subject {
            case .answer(let key): key
            case .provider(let attribute): "provider.\(attribute.rawValue)"
            }
            return "\(name) \(clause.negated ? "!=" : "=") \(clause.value)"
        }.joined(separator: " and ")
    }

    /// True or false, or nil while something it reads is still unknown.
    public func evaluate(answer: (String) -> String?, provider: ProviderChoice?) -> Bool? {
        var result = true
        for clause in clauses {
            let actual: String?
            switch clause.subject {
            case .answer(let key): actual = answer(key)
            case .provider(let attribute): actual = provider.map { attribute.value(of: $0) }
            }
            guard let actual else { return nil }
            let equal = actual.lowercased() == clause.value.lowercased()
            if equal == clause.negated { result = false }
        }
        return result
    }
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
