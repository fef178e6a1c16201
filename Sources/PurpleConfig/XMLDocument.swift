import CLibXML2
import Foundation

/// The one owner of a libxml2 `xmlDoc*`: parses a file safely, lets this module edit
/// the tree in place, and frees it (after wiping all text, which may hold passwords).
final class XMLDocument {
    let pointer: xmlDocPtr

    private init(owning pointer: xmlDocPtr) {
        self.pointer = pointer
    }

    /// A new document whose root element is `rootName` with the given attributes.
    convenience init(rootName: String, attributes: [(String, String)] = []) {
        XMLLibrary.ready()
        let doc = xmlNewDoc("1.0")!
        self.init(owning: doc)
        let root = makeElement(rootName, attributes: attributes)
        xmlDocSetRootElement(doc, root)
    }

    /// Parses `bytes` read from `path` (used in messages only). No network, no DTD
    /// loading, no entity substitution; formatting whitespace between elements is
    /// dropped so that saving re-indents it the way libpurple does.
    static func parse(_ bytes: [UInt8], path: String) throws -> XMLDocument {
        XMLLibrary.ready()
        let context = XMLParserContext()
        var options = XML_PARSE_NONET.rawValue | XML_PARSE_NODICT.rawValue
            | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
        // Not creating the indentation nodes at all saves a third of the tree's allocations
        // (a 100k-buddy blist.xml: over a second otherwise). libxml2's rule differs from
        // ours only next to processing instructions and CDATA, so those files take the slow
        // path; the pass below still applies our rule to whatever was kept.
        if !hasInstructionsOrMarkedSections(bytes) { options |= XML_PARSE_NOBLANKS.rawValue }
        // Line feeds and tabs written as references keep that form when written back.
        context.pointer.pointee.sax.pointee.characters = CharacterReferences.characters
        let parsed: xmlDocPtr? = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                xmlCtxtReadMemory(context.pointer, chars.baseAddress, Int32(chars.count), path, nil,
                                  Int32(bitPattern: options))
            }
        }
        guard let parsed else {
            throw context.lastError(path: path)
        }
        let document = XMLDocument(owning: parsed)
        guard context.pointer.pointee.wellFormed != 0, document.root != nil else {
            throw context.lastError(path: path)
        }
        // Pidgin never writes a DTD; its entities would not survive a rewrite (the
        // declarations are not kept, `&name;` would be), so such a file is refused.
        if parsed.pointee.intSubset != nil || parsed.pointee.extSubset != nil {
            throw PurpleConfigError.documentTypeDeclared(path: path, line: doctypeLine(bytes))
        }
        document.dropFormattingWhitespace(in: document.root!)
        return document
    }

    /// Whether `bytes` (a file about to be written) is well-formed XML with a root
    /// element and no DTD: libxml2 reads it with the options `parse` uses, without
    /// building a tree (a 25 MB blist.xml in a fraction of the parse time).
    static func checkReadsBack(_ bytes: [UInt8], path: String) throws {
        XMLLibrary.ready()
        let context = XMLParserContext()
        let sax = context.pointer.pointee.sax!
        // No tree: only the parser's own checks run. Both SAX1 and SAX2 element callbacks
        // go, so libxml2 still parses with namespaces (SAX2).
        sax.pointee.startElementNs = nil
        sax.pointee.endElementNs = nil
        sax.pointee.startElement = nil
        sax.pointee.endElement = nil
        sax.pointee.characters = nil
        sax.pointee.ignorableWhitespace = nil
        sax.pointee.cdataBlock = nil
        sax.pointee.comment = nil
        sax.pointee.processingInstruction = nil
        sax.pointee.reference = nil
        sax.pointee.internalSubset = XMLParserContext.recordSubset
        let options = XML_PARSE_NONET.rawValue | XML_PARSE_NODICT.rawValue
            | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
        let parsed: xmlDocPtr? = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                xmlCtxtReadMemory(context.pointer, chars.baseAddress, Int32(chars.count), path, nil,
                                  Int32(bitPattern: options))
            }
        }
        if let parsed { xmlFreeDoc(parsed) }
        guard context.pointer.pointee.wellFormed != 0, parsed != nil else {
            throw context.lastError(path: path)
        }
        guard context.pointer.pointee._private == nil else {
            throw PurpleConfigError.documentTypeDeclared(path: path, line: doctypeLine(bytes))
        }
    }

    /// The line of `<!DOCTYPE`, outside comments and processing instructions.
    static func doctypeLine(_ bytes: [UInt8]) -> Int {
        let doctype = Array("<!DOCTYPE".utf8)
        var line = 1
        var index = 0
        func at(_ text: [UInt8]) -> Bool {
            index + text.count <= bytes.count && bytes[index..<index + text.count].elementsEqual(text)
        }
        func skip(past end: [UInt8]) {
            while index < bytes.count && !at(end) {
                if bytes[index] == 0x0A { line += 1 }
                index += 1
            }
            index += end.count
        }
        while index < bytes.count {
            if at(Array("<!--".utf8)) {
                skip(past: Array("-->".utf8))
            } else if at(Array("<?".utf8)) {
                skip(past: Array("?>".utf8))
            } else if at(doctype) {
                return line
            } else {
                if bytes[index] == 0x0A { line += 1 }
                index += 1
            }
        }
        return 1
    }

    /// `<?` past the XML declaration, or `<!` other than a comment (CDATA, DOCTYPE).
    private static func hasInstructionsOrMarkedSections(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            let count = buffer.count
            var index = 0
            while index + 1 < count {
                if buffer[index] == UInt8(ascii: "<") {
                    let next = buffer[index + 1]
                    if next == UInt8(ascii: "?") && index > 0 { return true }
                    if next == UInt8(ascii: "!") && !(index + 3 < count && buffer[index + 2] == UInt8(ascii: "-")
                                                       && buffer[index + 3] == UInt8(ascii: "-")) { return true }
                }
                index += 1
            }
            return false
        }
    }

    deinit {
        // Text nodes may hold passwords (ours and those of other accounts): zero them
        // before libxml2 frees the memory. XML_PARSE_NODICT keeps every string private.
        XMLDocument.wipeText(siblingsFrom: pointer.pointee.children)
        xmlFreeDoc(pointer)
    }

    var root: xmlNodePtr? { xmlDocGetRootElement(pointer) }

    // MARK: - Editing (internal to this module)

    /// A new, unattached element owned by this document.
    func makeElement(_ name: String, text: String? = nil, attributes: [(String, String)] = []) -> xmlNodePtr {
        let node = xmlNewDocNode(pointer, nil, name, nil)!
        for (key, value) in attributes { xmlSetProp(node, key, value) }
        if let text {
            let textNode = xmlNewDocText(pointer, text)!
            xmlAddChild(node, textNode)
        }
        return node
    }

    /// A new element whose text is secret bytes; the bytes are copied straight into
    /// libxml2 memory (wiped in deinit), never into a Swift String.
    func makeElement(_ name: String, secretText: UnsafeRawBufferPointer) -> xmlNodePtr {
        let node = xmlNewDocNode(pointer, nil, name, nil)!
        let bytes = secretText.bindMemory(to: xmlChar.self)
        let textNode = xmlNewDocTextLen(pointer, bytes.baseAddress, Int32(bytes.count))!
        xmlAddChild(node, textNode)
        return node
    }

    /// Replaces all children of `node` by one text node.
    func setText(_ text: String, of node: xmlNodePtr) {
        removeChildren(of: node)
        xmlAddChild(node, xmlNewDocText(pointer, text))
    }

    func removeChildren(of node: xmlNodePtr) {
        while let child = node.pointee.children {
            remove(child)
        }
    }

    /// Unlinks and frees `node`, wiping its text first.
    func remove(_ node: xmlNodePtr) {
        xmlUnlinkNode(node)
        XMLDocument.wipeText(siblingsFrom: node, followSiblings: false)
        xmlFreeNode(node)
    }

    // MARK: - Whitespace and wiping

    /// Whitespace-only text next to elements is indentation, not data: libpurple's own
    /// files never carry it in their model, and the serializer re-creates it.
    /// Walks the sibling list in place (no array per element: large buddy lists).
    private func dropFormattingWhitespace(in node: xmlNodePtr) {
        var hasStructure = false
        var cursor = node.pointee.children
        while let kid = cursor, !hasStructure {
            hasStructure = kid.pointee.type == XML_ELEMENT_NODE || kid.pointee.type == XML_COMMENT_NODE
            cursor = kid.pointee.next
        }
        cursor = node.pointee.children
        while let kid = cursor {
            cursor = kid.pointee.next  // before `remove` frees it
            if kid.pointee.type == XML_ELEMENT_NODE {
                dropFormattingWhitespace(in: kid)
            } else if hasStructure, kid.pointee.type == XML_TEXT_NODE, XMLNodes.isBlank(kid),
                      !CharacterReferences.isMarked(kid) {  // `&#10;` written as such is data
                remove(kid)
            }
        }
    }

    private static func wipeText(siblingsFrom first: xmlNodePtr?, followSiblings: Bool = true) {
        var cursor = first
        while let current = cursor {
            switch current.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE, XML_COMMENT_NODE:
                if let content = current.pointee.content {
                    memset(content, 0, strlen(UnsafeRawPointer(content).assumingMemoryBound(to: CChar.self)))
                }
            case XML_ELEMENT_NODE:
                wipeText(siblingsFrom: current.pointee.children)
            default:
                break
            }
            cursor = followSiblings ? current.pointee.next : nil
        }
    }
}

/// Read-only helpers over libxml2 nodes.
enum XMLNodes {
    static func children(of node: xmlNodePtr) -> [xmlNodePtr] {
        var result: [xmlNodePtr] = []
        var child = node.pointee.children
        while let current = child {
            result.append(current)
            child = current.pointee.next
        }
        return result
    }

    /// Compares names as C strings: no Swift String per child (groups can hold many buddies).
    static func elements(of node: xmlNodePtr, named name: String? = nil) -> [xmlNodePtr] {
        var result: [xmlNodePtr] = []
        let matches: (xmlNodePtr) -> Bool = { child in
            guard let name else { return true }
            guard let childName = child.pointee.name else { return name.isEmpty }
            return name.withCString { strcmp($0, UnsafeRawPointer(childName).assumingMemoryBound(to: CChar.self)) == 0 }
        }
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE && matches(current) { result.append(current) }
            child = current.pointee.next
        }
        return result
    }

    static func firstElement(of node: xmlNodePtr, named name: String) -> xmlNodePtr? {
        elements(of: node, named: name).first
    }

    static func name(of node: xmlNodePtr) -> String {
        guard let name = node.pointee.name else { return "" }
        return String(cString: name)
    }

    /// The concatenated text content of an element (entities resolved).
    static func text(of node: xmlNodePtr) -> String {
        guard let content = xmlNodeGetContent(node) else { return "" }
        defer { cxml_free(content) }
        return String(cString: content)
    }

    /// The element's own text: its text children, concatenated (not its descendants').
    static func ownText(of node: xmlNodePtr) -> String {
        children(of: node).filter { $0.pointee.type == XML_TEXT_NODE }
            .compactMap { $0.pointee.content.map { String(cString: $0) } }.joined()
    }

    static func attribute(_ name: String, of node: xmlNodePtr) -> String? {
        guard let value = xmlGetProp(node, name) else { return nil }
        defer { cxml_free(value) }
        return String(cString: value)
    }

    static func isBlank(_ node: xmlNodePtr) -> Bool {
        guard let content = node.pointee.content else { return true }
        var cursor = content
        while cursor.pointee != 0 {
            switch cursor.pointee {
            case 0x20, 0x09, 0x0A, 0x0D: cursor += 1
            default: return false
            }
        }
        return true
    }
}

/// libxml2's global initialisation, once per process (never cleaned up: other
/// modules of the process may use libxml2 too).
enum XMLLibrary {
    private static let initialised: Void = { xmlInitParser() }()
    static func ready() { _ = initialised }
}

/// The one owner of an `xmlParserCtxt*`; its last error tells where a parse failed.
final class XMLParserContext {
    let pointer: xmlParserCtxtPtr

    init() {
        pointer = xmlNewParserCtxt()!
    }

    deinit {
        xmlFreeParserCtxt(pointer)
    }

    /// `internalSubset` SAX callback of `checkReadsBack`: notes that a DTD was seen.
    static let recordSubset: internalSubsetSAXFunc = { context, _, _, _ in
        guard let context else { return }
        context.assumingMemoryBound(to: xmlParserCtxt.self).pointee._private = UnsafeMutableRawPointer(bitPattern: 1)
    }

    func lastError(path: String) -> PurpleConfigError {
        guard let error = xmlCtxtGetLastError(pointer) else {
            return .malformedFile(path: path, line: 1, message: "no root element")
        }
        let message = error.pointee.message.map { String(cString: $0) }?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "parse error"
        return .malformedFile(path: path, line: Int(max(error.pointee.line, 1)), message: message)
    }
}
