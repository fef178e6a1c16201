/// A small immutable-ish XML element: what one stanza becomes after parsing, and what
/// we build to send. Text is kept per element (XMPP payloads do not mix text and
/// children in ways we need to preserve).
public struct XMLElement: Sendable, Equatable {
    public var name: String
    /// The namespace URI (not the prefix).
    public var namespace: String?
    public var attributes: [(name: String, value: String)]
    public var children: [XMLElement]
    public var text: String
    /// The namespace URI of each prefix the attributes use (`g` for `g:minimize`), so a
    /// re-sent element declares them again: a prefix without its declaration makes the
    /// XML unparseable.
    public var attributeNamespaces: [String: String] = [:]

    public init(_ name: String, namespace: String? = nil, attributes: [(String, String)] = [],
                children: [XMLElement] = [], text: String = "") {
        self.name = name
        self.namespace = namespace
        self.attributes = attributes.map { (name: $0.0, value: $0.1) }
        self.children = children
        self.text = text
    }

    public static func == (lhs: XMLElement, rhs: XMLElement) -> Bool {
        lhs.name == rhs.name && lhs.namespace == rhs.namespace && lhs.text == rhs.text
            && lhs.children == rhs.children && lhs.attributeNamespaces == rhs.attributeNamespaces
            && lhs.attributes.map(\.name) == rhs.attributes.map(\.name)
            && lhs.attributes.map(\.value) == rhs.attributes.map(\.value)
    }

    public subscript(attribute name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }

    /// The first child with this name (and namespace, when given).
    public func child(_ name: String, namespace: String? = nil) -> XMLElement? {
        children.first { $0.name == name && (namespace == nil || $0.namespace == namespace) }
    }

    public func children(_ name: String, namespace: String? = nil) -> [XMLElement] {
        children.filter { $0.name == name && (namespace == nil || $0.namespace == namespace) }
    }

    /// An error element's defined condition: its first child other than `<text/>` (in
    /// `namespace`, when given), as in stanza, stream and SASL errors.
    func definedCondition(namespace: String? = nil) -> String? {
        children.first { $0.name != "text" && (namespace == nil || $0.namespace == namespace) }?.name
    }

    /// An error element's `<text/>`, nil when absent or empty.
    var errorText: String? {
        guard let text = child("text")?.text, !text.isEmpty else { return nil }
        return text
    }

    /// Serialises with `xmlns` only where the namespace differs from the parent's.
    public func serialized(parentNamespace: String? = nil) -> String {
        var out = "<" + name
        if let namespace, namespace != parentNamespace {
            out += " xmlns='\(Self.escape(namespace))'"
        }
        for (prefix, uri) in attributeNamespaces.sorted(by: { $0.key < $1.key }) where prefix != "xml" {
            out += " xmlns:\(prefix)='\(Self.escape(uri))'"
        }
        for attribute in attributes {
            out += " \(attribute.name)='\(Self.escape(attribute.value))'"
        }
        if children.isEmpty && text.isEmpty { return out + "/>" }
        out += ">" + Self.escape(text)
        let inherited = namespace ?? parentNamespace
        for child in children { out += child.serialized(parentNamespace: inherited) }
        return out + "</\(name)>"
    }

    /// Escapes text and attribute values (single-quoted attributes).
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "'": out += "&apos;"
            case "\"": out += "&quot;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}
