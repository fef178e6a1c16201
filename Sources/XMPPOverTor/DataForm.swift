import FoundationEssentials
import Glibc

enum Namespace {
    static let stream = "http://etherx.jabber.org/streams"
    static let client = "jabber:client"
    static let tls = "urn:ietf:params:xml:ns:xmpp-tls"
    static let sasl = "urn:ietf:params:xml:ns:xmpp-sasl"
    static let bind = "urn:ietf:params:xml:ns:xmpp-bind"
    static let stanzas = "urn:ietf:params:xml:ns:xmpp-stanzas"
    static let streams = "urn:ietf:params:xml:ns:xmpp-streams"
    static let register = "jabber:iq:register"
    static let ibrToken = "urn:xmpp:ibr-token:0"
    static let preauth = "urn:xmpp:pars:0"
    static let dataForms = "jabber:x:data"
    static let outOfBand = "jabber:x:oob"
    static let media = "urn:xmpp:media-element"
    static let bob = "urn:xmpp:bob"
    static let channelBinding = "urn:xmpp:sasl-cb:0"
}

/// An XEP-0004 data form, as much as registration needs.
public struct DataForm: Sendable, Equatable {
    public struct Option: Sendable, Equatable {
        public let label: String?
        public let value: String
    }

    /// An XEP-0221 media element (a CAPTCHA image or sound): `cid:` or `http(s):` URIs.
    public struct Media: Sendable, Equatable {
        public let uris: [(type: String?, uri: String)]
        public let width: String?
        public let height: String?

        public static func == (lhs: Media, rhs: Media) -> Bool {
            lhs.uris.map(\.uri) == rhs.uris.map(\.uri) && lhs.uris.map(\.type) == rhs.uris.map(\.type)
                && lhs.width == rhs.width && lhs.height == rhs.height
        }
    }

    public struct Field: Sendable, Equatable {
        public let variable: String?
        public let type: String
        public let label: String?
        public let description: String?
        public let required: Bool
        public let values: [String]
        public let options: [Option]
        public let media: [Media]

        public var isHidden: Bool { type == "hidden" }
        public var isSecret: Bool { type == "text-private" }
        /// `jid-multi`, `list-multi`, `text-multi`: several `<value/>`s.
        public var isMultiValued: Bool { type.hasSuffix("-multi") }
        /// A type this client knows (XEP-0004 says to treat others as `text-single`).
        public var isKnownType: Bool { DataForm.fieldTypes.contains(type) }
    }

    public let type: String
    public let title: String?
    public let instructions: [String]
    public let fields: [Field]

    public init?(_ element: XMLElement) {
        guard element.name == "x", element.namespace == Namespace.dataForms else { return nil }
        type = element[attribute: "type"] ?? "form"
        title = element.child("title")?.text
        instructions = element.children("instructions").map(\.text)
        fields = element.children("field").map { field in
            Field(variable: field[attribute: "var"], type: field[attribute: "type"] ?? "text-single",
                  label: field[attribute: "label"], description: field.child("desc")?.text,
                  required: field.child("required") != nil,
                  values: field.children("value").map(\.text),
                  options: field.children("option").map { Option(label: $0[attribute: "label"], value: $0.child("value")?.text ?? "") },
                  media: field.children("media", namespace: Namespace.media).map { media in
                      Media(uris: media.children("uri").map { (type: $0[attribute: "type"], uri: $0.text) },
                            width: media[attribute: "width"], height: media[attribute: "height"])
                  })
        }
    }

    public func field(_ variable: String) -> Field? { fields.first { $0.variable == variable } }

    /// The field types of XEP-0004 §3.3; a field without `type` is `text-single`.
    public static let fieldTypes: Set<String> = ["boolean", "fixed", "hidden", "jid-multi", "jid-single", "list-multi",
                                                 "list-single", "text-multi", "text-private", "text-single"]

    /// Text the server shows as-is (`fixed` fields), in order.
    public var fixedTexts: [String] { fields.filter { $0.type == "fixed" }.flatMap(\.values) }

    /// A `type='submit'` form: hidden fields echoed, then `values` (var → values).
    func submission(_ values: [String: [String]]) -> XMLElement {
        var children: [XMLElement] = []
        for field in fields {
            guard let variable = field.variable, field.type != "fixed" else { continue }
            let chosen = values[variable] ?? (field.isHidden ? field.values : nil)
            guard let chosen else { continue }
            children.append(XMLElement("field", attributes: [("var", variable)],
                                       children: chosen.map { XMLElement("value", text: $0) }))
        }
        return XMLElement("x", namespace: Namespace.dataForms, attributes: [("type", "submit")], children: children)
    }
}

/// XEP-0231 bits of binary data sent inline (a CAPTCHA image).
public struct BinaryData: Sendable, Equatable {
    public let cid: String
    public let type: String?
    public let maxAge: Int?
    public let data: Data

    init?(_ element: XMLElement) {
        guard element.name == "data", element.namespace == Namespace.bob, let cid = element[attribute: "cid"],
              let data = Data(base64Encoded: element.text.filter { !$0.isWhitespace }) else { return nil }
        self.cid = cid
        type = element[attribute: "type"]
        maxAge = element[attribute: "max-age"].flatMap { Int($0) }
        self.data = data
    }
}
