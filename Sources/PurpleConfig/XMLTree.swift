import CLibXML2

/// A plain-value copy of an element tree, for comparing files without touching
/// libxml2 (used by tests and `plannedChanges` callers that want to inspect).
struct XMLTree: Equatable, CustomStringConvertible {
    let name: String
    let attributes: [String: String]
    /// The element's own text (its text children, concatenated).
    let text: String
    let children: [XMLTree]
    /// The subtree in libpurple's formatting: equal canonical text = equal subtree.
    let canonical: String

    init(_ node: xmlNodePtr) {
        name = XMLNodes.name(of: node)
        var attributes: [String: String] = [:]
        var attribute = node.pointee.properties
        while let current = attribute {
            let key = String(cString: current.pointee.name)
            attributes[key] = XMLNodes.attribute(key, of: node) ?? ""
            attribute = current.pointee.next
        }
        self.attributes = attributes
        text = XMLNodes.ownText(of: node)
        children = XMLNodes.elements(of: node).map(XMLTree.init)
        canonical = String(decoding: PurpleStyleSerializer.serialize(node: node), as: UTF8.self)
    }

    /// Parses a file's bytes into a tree (throws like a profile write would).
    static func parse(_ bytes: [UInt8], path: String = "<memory>") throws -> XMLTree {
        let document = try XMLDocument.parse(bytes, path: path)
        return XMLTree(document.root!)
    }

    func elements(_ name: String) -> [XMLTree] { children.filter { $0.name == name } }
    func first(_ name: String) -> XMLTree? { children.first { $0.name == name } }

    var description: String { canonical }
}
