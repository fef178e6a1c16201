import CLibXML2
import Foundation

/// Serialises a document exactly the way libpurple's `xmlnode_to_formatted_str`
/// does, so a file libpurple wrote comes back byte for byte: the declaration
/// `<?xml version='1.0' encoding='UTF-8' ?>` and a blank line, one tab per level,
/// single-quoted attributes, `g_markup_escape_text` escaping, and elements that
/// hold text written inline. Comments and processing instructions, which libpurple
/// never writes but a person may have added, are kept in place.
///
/// The result may hold passwords: callers wipe it (`wipe(_:)`) after use.
struct PurpleStyleSerializer {
    private(set) var output: [UInt8] = []

    /// `capacity`: room reserved up front, so that the output (which may hold a
    /// password) is not reallocated, leaving copies behind, while it grows.
    static func serialize(_ document: XMLDocument, capacity: Int = 16 * 1024) -> [UInt8] {
        var serializer = PurpleStyleSerializer()
        serializer.output.reserveCapacity(capacity)
        serializer.append("<?xml version='1.0' encoding='UTF-8' ?>\n\n")
        var node = document.pointer.pointee.children
        while let current = node {
            serializer.write(current, formatting: true, depth: 0)
            node = current.pointee.next
        }
        return serializer.output
    }

    /// One element and its subtree, formatted as at the top level of a file.
    static func serialize(node: xmlNodePtr) -> [UInt8] {
        var serializer = PurpleStyleSerializer()
        serializer.write(node, formatting: true, depth: 0)
        return serializer.output
    }


    private mutating func write(_ node: xmlNodePtr, formatting: Bool, depth: Int) {
        switch node.pointee.type {
        case XML_ELEMENT_NODE:
            writeElement(node, formatting: formatting, depth: depth)
        case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
            appendEscaped(node.pointee.content, CharacterReferences.isMarked(node) ? .referencedText : .text)
        case XML_COMMENT_NODE:
            if formatting { indent(depth) }
            append("<!--")
            appendRaw(node.pointee.content)
            append(formatting ? "-->\n" : "-->")
        case XML_PI_NODE:
            if formatting { indent(depth) }
            append("<?")
            append(XMLNodes.name(of: node))
            if let content = node.pointee.content, content.pointee != 0 {
                append(" ")
                appendRaw(content)
            }
            append(formatting ? "?>\n" : "?>")
        case XML_ENTITY_REF_NODE:
            append("&\(XMLNodes.name(of: node));")
        default:
            break
        }
    }

    // Names and attribute values go from libxml2's memory straight into the output
    // (no Swift String per node): a 100k-buddy blist.xml has over a million of them.
    private mutating func writeElement(_ node: xmlNodePtr, formatting: Bool, depth: Int) {
        if formatting && depth > 0 { indent(depth) }
        append("<")
        appendQualifiedName(node.pointee.name, ns: node.pointee.ns)
        var ns = node.pointee.nsDef
        while let current = ns {
            if let prefix = current.pointee.prefix {
                append(" xmlns:")
                appendEscaped(prefix, .attribute)
            } else {
                append(" xmlns")
            }
            append("='")
            appendEscaped(current.pointee.href, .attribute)
            append("'")
            ns = current.pointee.next
        }
        var attribute = node.pointee.properties
        while let current = attribute {
            append(" ")
            appendQualifiedName(current.pointee.name, ns: current.pointee.ns)
            append("='")
            // The usual value is one text node: read it in place; anything else
            // (entity references) through libxml2's own concatenation.
            if let only = current.pointee.children, only.pointee.next == nil, only.pointee.type == XML_TEXT_NODE {
                appendEscaped(only.pointee.content, .attribute)
            } else if let value = xmlNodeGetContent(UnsafeMutablePointer(OpaquePointer(current))) {
                appendEscaped(value, .attribute)
                cxml_free(value)
            }
            append("'")
            attribute = current.pointee.next
        }
        guard let firstChild = node.pointee.children else {
            append(formatting ? "/>\n" : "/>")
            return
        }
        // Whitespace next to elements is formatting, as the reader decides
        // (`XMLDocument.dropFormattingWhitespace`): an element that held only a line break
        // and has just been given a child must be written as the next read will see it,
        // or a second run would change the file.
        var hasStructure = false
        var cursor: xmlNodePtr? = firstChild
        while let child = cursor, !hasStructure {
            hasStructure = child.pointee.type == XML_ELEMENT_NODE || child.pointee.type == XML_COMMENT_NODE
            cursor = child.pointee.next
        }
        func isFormatting(_ child: xmlNodePtr) -> Bool {
            hasStructure && child.pointee.type == XML_TEXT_NODE && XMLNodes.isBlank(child)
                && !CharacterReferences.isMarked(child)
        }
        // Like libpurple: an element holding text is written on one line.
        var holdsText = false
        cursor = firstChild
        while let child = cursor, !holdsText {
            let type = child.pointee.type
            holdsText = (type == XML_TEXT_NODE || type == XML_CDATA_SECTION_NODE || type == XML_ENTITY_REF_NODE)
                && !isFormatting(child)
            cursor = child.pointee.next
        }
        let pretty = formatting && !holdsText
        append(pretty ? ">\n" : ">")
        cursor = firstChild
        while let child = cursor {
            if !isFormatting(child) { write(child, formatting: pretty, depth: depth + 1) }
            cursor = child.pointee.next
        }
        if pretty && depth > 0 { indent(depth) }
        append("</")
        appendQualifiedName(node.pointee.name, ns: node.pointee.ns)
        append(formatting ? ">\n" : ">")
    }

    private mutating func appendQualifiedName(_ name: UnsafePointer<xmlChar>?, ns: xmlNsPtr?) {
        if let prefix = ns?.pointee.prefix {
            appendRaw(prefix)
            output.append(UInt8(ascii: ":"))
        }
        appendRaw(name)
    }

    private mutating func indent(_ depth: Int) {
        output.append(contentsOf: repeatElement(UInt8(ascii: "\t"), count: depth))
    }

    private mutating func append(_ text: String) {
        output.append(contentsOf: text.utf8)
    }

    private mutating func appendRaw(_ text: UnsafePointer<xmlChar>?) {
        guard var cursor = text else { return }
        while cursor.pointee != 0 {
            output.append(cursor.pointee)
            cursor += 1
        }
    }

    private mutating func appendRaw(_ text: UnsafeMutablePointer<xmlChar>?) {
        appendRaw(UnsafePointer(text))
    }

    /// Where escaped text goes; decides how line feeds, tabs and carriage returns are written.
    enum EscapeContext {
        /// Element text: line feeds and tabs raw, as libpurple writes them.
        case text
        /// Element text that the file had as character references (`CharacterReferences`).
        case referencedText
        /// An attribute value: XML reads raw line feeds and tabs there as spaces.
        case attribute
    }

    private mutating func appendEscaped(_ text: UnsafeMutablePointer<xmlChar>?, _ context: EscapeContext) {
        appendEscaped(UnsafePointer(text), context)
    }

    /// `g_markup_escape_text`: the five XML specials and C0/C1 controls become references.
    /// Beyond it, so that every value reads back as it was (issue 17): a carriage return is
    /// always `&#13;` (XML turns a raw one into a line feed), and line feeds and tabs are
    /// `&#10;` and `&#9;` in attribute values and where the file had them as references.
    private mutating func appendEscaped(_ text: UnsafePointer<xmlChar>?, _ context: EscapeContext) {
        guard var cursor = text else { return }
        let referenceWhitespace = context != .text
        while cursor.pointee != 0 {
            let byte = cursor.pointee
            switch byte {
            case UInt8(ascii: "&"): append("&amp;")
            case UInt8(ascii: "<"): append("&lt;")
            case UInt8(ascii: ">"): append("&gt;")
            case UInt8(ascii: "'"): append("&apos;")
            case UInt8(ascii: "\""): append("&quot;")
            case 0x0D: append("&#13;")
            case 0x0A where referenceWhitespace: append("&#10;")
            case 0x09 where referenceWhitespace: append("&#9;")
            case 0x01...0x08, 0x0B, 0x0C, 0x0E...0x1F, 0x7F:
                append("&#x\(String(byte, radix: 16));")
            default:
                output.append(byte)
            }
            cursor += 1
        }
    }
}
