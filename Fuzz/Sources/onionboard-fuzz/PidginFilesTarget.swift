// onionboard — GPL-3.0-or-later.
import CLibXML2
@testable import PurpleConfig
import Secrets
import Vocabulary

/// accounts.xml and blist.xml (the input holds both, a NUL between them: XML has no NUL)
/// read, merged and written the way `PurpleProfile.write` does, in memory.
enum PidginFilesTarget {
    static let defaultJID = "alice@onionboard.test"

    static func run(_ data: [UInt8]) {
        let parts = data.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
        let accountsBytes = Array(parts[0])
        let blistBytes = parts.count > 1 ? Array(parts[1]) : []
        guard let accounts = parse(accountsBytes, create: AccountsFile.newDocument) else { return }
        checkFidelity(accountsBytes)

        // Our account: the file's first XMPP account when it has a usable bare JID (the
        // update path), else a new one.
        let existingJID = XMLNodes.elements(of: accounts.root!, named: "account").lazy.compactMap { account -> String? in
            guard let name = XMLNodes.firstElement(of: account, named: "name") else { return nil }
            return XMLNodes.text(of: name).split(separator: "/", maxSplits: 1).first.map(String.init)
        }.first
        var request = request(jid: existingJID ?? defaultJID)
        if (try? request.validate()) == nil { request = Self.request(jid: defaultJID) }
        let existed = AccountsFile.findAccount(in: accounts, jid: request.accountJID) != nil
        let others = otherAccounts(accounts, jid: request.accountJID)
        let countBefore = XMLNodes.elements(of: accounts.root!, named: "account").count

        let credentials = (username: "onionboard-fuzz", password: "isolation")
        let name = AccountsFile.merge(request, proxyCredentials: credentials, into: accounts)
        let written = PurpleStyleSerializer.serialize(accounts)
        guard let reread = readBack(written, "accounts.xml") else { return }
        invariant(XMLNodes.elements(of: reread.root!, named: "account").count == countBefore + (existed ? 0 : 1),
                  "the account count went from \(countBefore) to \(XMLNodes.elements(of: reread.root!, named: "account").count)")
        invariant(otherAccounts(reread, jid: request.accountJID) == others, "another account changed")
        invariant(AccountsFile.findAccount(in: reread, jid: request.accountJID)?.name == name, "our account is not found again")
        // Idempotent: the merge into what was written changes nothing.
        _ = AccountsFile.merge(request, proxyCredentials: credentials, into: reread)
        invariant(PurpleStyleSerializer.serialize(reread) == written, "a second merge changed accounts.xml")

        guard let blist = parse(blistBytes, create: BlistFile.newDocument) else { return }
        checkFidelity(blistBytes)
        let buddiesBefore = count("buddy", in: blist.root!)
        let chatsBefore = count("chat", in: blist.root!)
        let hadOurs = BlistFile.findChat(in: blist, accountName: name, chat: request.chat!) != nil
        guard (try? BlistFile.merge(request.chat, accountName: name, into: blist)) != nil else { return }
        let writtenBlist = PurpleStyleSerializer.serialize(blist)
        guard let rereadBlist = readBack(writtenBlist, "blist.xml") else { return }
        invariant(count("buddy", in: rereadBlist.root!) == buddiesBefore, "the buddy count changed")
        invariant(count("chat", in: rereadBlist.root!) == chatsBefore + (hadOurs ? 0 : 1), "the chat count is wrong")
        invariant(BlistFile.findChat(in: rereadBlist, accountName: name, chat: request.chat!) != nil, "our chat is not found again")
        try? BlistFile.merge(request.chat, accountName: name, into: rereadBlist)
        invariant(PurpleStyleSerializer.serialize(rereadBlist) == writtenBlist, "a second merge changed blist.xml")
    }

    static func request(jid: String) -> ProfileRequest {
        ProfileRequest(accountJID: jid, password: SecretBytes(utf8: "pass&<word>\r\n\t"), connectServer:
                       "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuv.onion",
                       chat: RoomBookmark(jid: "tails@chat.disroot.org", alias: "Tails support", handle: "fuzzer"))
    }

    /// The file as `write` reads it: nil when it is refused (malformed, a DTD).
    static func parse(_ bytes: [UInt8], create: () -> XMLDocument) -> XMLDocument? {
        if bytes.isEmpty { return create() }
        return try? XMLDocument.parse(bytes, path: "fuzz.xml")
    }

    /// What was written passes the pre-write check and parses the way the next run reads it.
    static func readBack(_ bytes: [UInt8], _ file: String) -> XMLDocument? {
        do {
            try XMLDocument.checkReadsBack(bytes, path: file)
            return try XMLDocument.parse(bytes, path: file)
        } catch {
            invariant(false, "the \(file) written does not read back: \(error)\n\(String(decoding: bytes, as: UTF8.self))")
            return nil
        }
    }

    /// Read, written, read and written again: the second writing is the first (every value
    /// and reference form survives a round trip).
    static func checkFidelity(_ bytes: [UInt8]) {
        guard !bytes.isEmpty, let first = try? XMLDocument.parse(bytes, path: "fuzz.xml") else { return }
        let once = PurpleStyleSerializer.serialize(first)
        guard let second = readBack(once, "round trip") else { return }
        let twice = PurpleStyleSerializer.serialize(second)
        invariant(twice == once, "not a fixed point:\n\(String(decoding: once, as: UTF8.self))\n---\n\(String(decoding: twice, as: UTF8.self))")
    }

    /// Every account but ours, as libpurple's formatting writes it.
    static func otherAccounts(_ document: XMLDocument, jid: String) -> [String] {
        let ours = AccountsFile.findAccount(in: document, jid: jid)?.node
        return XMLNodes.elements(of: document.root!, named: "account").filter { $0 != ours }
            .map { String(decoding: PurpleStyleSerializer.serialize(node: $0), as: UTF8.self) }
    }

    static func count(_ name: String, in node: xmlNodePtr) -> Int {
        var total = 0
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE {
                if XMLNodes.name(of: current) == name { total += 1 }
                total += count(name, in: current)
            }
            child = current.pointee.next
        }
        return total
    }
}
