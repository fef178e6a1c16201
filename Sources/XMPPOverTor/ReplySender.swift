/// A JID split for comparison: the local part and domain compare case-insensitively, the
/// resource exactly (RFC 7622, without the full PRECIS preparation we do not need here).
struct JID: Equatable {
    let bare: String
    let resource: String?

    init(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        bare = String(parts[0]).lowercased()
        resource = parts.count == 2 ? String(parts[1]) : nil
    }

    var full: String { resource.map { "\(bare)/\($0)" } ?? bare }
}

/// Who may answer an iq we sent (RFC 6120 §8.1.2.1 and §10.3): the entity it was sent
/// to; for a request without `to`, the server itself (no `from`, or its domain) and, once
/// a resource is bound, the server on the account's behalf (the bare or full JID). A reply
/// from anyone else — another user, another domain — is not a reply to our request.
struct ReplySender {
    /// The request's `to`, nil when it had none.
    let to: JID?

    init(to: String?) { self.to = to.map(JID.init) }

    func accepts(_ fromAttribute: String?, domain: String, account: JID?) -> Bool {
        let from = fromAttribute.map(JID.init)
        let server = JID(domain)
        if let to {
            if from == to { return true }
            // Our own account or the server answers without a `from` (§8.1.2.1).
            return from == nil && (to == server || (account.map { to.bare == $0.bare && to.resource == nil } ?? false))
        }
        guard let from else { return true }
        if from == server { return true }
        guard let account else { return false }
        return from.bare == account.bare && (from.resource == nil || from == account)
    }

    /// Who was expected, for the error message.
    func description(domain: String) -> String {
        to.map { "\($0.full)" } ?? "the server \(domain.lowercased()) or the account itself"
    }
}
