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

    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { memset(base, 0, raw.count) }
        }
        bytes.removeAll()
    }

    private mutating func write(_ node: xmlNodePtr, formatting: Bool, depth: Int) {
        switch node.pointee.type {
        case XML_ELEMENT_NODE:
            writeElement(node, formatting: formatting, depth: depth)
        case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
            appendEscaped(node.pointee.content)
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

    private mutating func writeElement(_ node: xmlNodePtr, formatting: Bool, depth: Int) {
        if formatting && depth > 0 { indent(depth) }
        let name = qualifiedName(node.pointee.name, ns: node.pointee.ns)
        append("<")
        append(name)
        var ns = node.pointee.nsDef
        while let current = ns {
            if let prefix = current.pointee.prefix {
                append(" xmlns:")
                appendEscaped(prefix)
            } else {
                append(" xmlns")
            }
            append("='")
            appendEscaped(current.pointee.href)
            append("'")
            ns = current.pointee.next
        }
        var attribute = node.pointee.properties
        while let current = attribute {
            append(" ")
            append(qualifiedName(current.pointee.name, ns: current.pointee.ns))
            append("='")
            if let value = xmlNodeGetContent(UnsafeMutablePointer(OpaquePointer(current))) {
                appendEscaped(value)
                cxml_free(value)
            }
            append("'")
            attribute = current.pointee.next
        }
        let children = XMLNodes.children(of: node)
        guard !children.isEmpty else {
            append(formatting ? "/>\n" : "/>")
            return
        }
        // Like libpurple: an element holding text is written on one line.
        let holdsText = children.contains {
            $0.pointee.type == XML_TEXT_NODE || $0.pointee.type == XML_CDATA_SECTION_NODE
                || $0.pointee.type == XML_ENTITY_REF_NODE
        }
        let pretty = formatting && !holdsText
        append(pretty ? ">\n" : ">")
        for child in children {
            write(child, formatting: pretty, depth: depth + 1)
        }
        if pretty && depth > 0 { indent(depth) }
        append("</")
        append(name)
        append(formatting ? ">\n" : ">")
    }

    private func qualifiedName(_ name: UnsafePointer<xmlChar>?, ns: xmlNsPtr?) -> String {
        let local = name.map { String(cString: $0) } ?? ""
        if let prefix = ns?.pointee.prefix { return String(cString: prefix) + ":" + local }
        return local
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

    private mutating func appendEscaped(_ text: UnsafeMutablePointer<xmlChar>?) {
        appendEscaped(UnsafePointer(text))
    }

    /// `g_markup_escape_text`: the five XML specials and C0/C1 controls become references.
    private mutating func appendEscaped(_ text: UnsafePointer<xmlChar>?) {
        guard var cursor = text else { return }
        while cursor.pointee != 0 {
            let byte = cursor.pointee
            switch byte {
            case UInt8(ascii: "&"): append("&amp;")
            case UInt8(ascii: "<"): append("&lt;")
            case UInt8(ascii: ">"): append("&gt;")
            case UInt8(ascii: "'"): append("&apos;")
            case UInt8(ascii: "\""): append("&quot;")
            case 0x01...0x08, 0x0B, 0x0C, 0x0E...0x1F, 0x7F:
                append("&#x\(String(byte, radix: 16));")
            default:
                output.append(byte)
            }
            cursor += 1
        }
    }
}
