import CLibXML2

/// Line feeds and tabs that a file writes as character references (`&#10;`, `&#x9;`) in
/// element text. libxml2 hands them to the tree like any other text, so a rewrite would
/// turn them into raw line breaks and tabs: the same value, other bytes. Another account's
/// untouched values must come back byte for byte (issue 17), so the parser keeps each
/// such reference as a text node of its own, marked by its name, and the serializer
/// writes marked nodes back as references. (Carriage returns and everything in attribute
/// values need no marking: XML turns raw ones into line feeds and spaces, so in the tree
/// they can only have come from references, and the serializer always writes them so.)
enum CharacterReferences {
    /// The name of a marked text node (libxml2's own text nodes are named "text").
    private nonisolated(unsafe) static let markerName: UnsafeMutablePointer<xmlChar> = {
        let text = Array("onionboard-character-reference".utf8) + [0]
        let pointer = UnsafeMutablePointer<xmlChar>.allocate(capacity: text.count)
        pointer.initialize(from: text, count: text.count)
        return pointer  // lives as long as the process; never freed by libxml2 (text node names are not)
    }()

    static func isMarked(_ node: xmlNodePtr) -> Bool {
        node.pointee.type == XML_TEXT_NODE && UnsafeRawPointer(node.pointee.name) == UnsafeRawPointer(markerName)
    }

    /// The SAX `characters` callback: libxml2's own, except for a line feed or tab that
    /// the parser has just read as a character reference.
    static let characters: charactersSAXFunc = { context, characters, length in
        guard let context, let characters, length == 1, characters.pointee == 0x0A || characters.pointee == 0x09 else {
            xmlSAX2Characters(context, characters, length)
            return
        }
        let parser = context.assumingMemoryBound(to: xmlParserCtxt.self)
        guard let parent = parser.pointee.node, justReadReference(parser),
              let node = xmlNewDocTextLen(parser.pointee.myDoc, characters, 1) else {
            xmlSAX2Characters(context, characters, length)
            return
        }
        node.pointee.name = UnsafePointer(markerName)
        // Two references in a row merge into one marked node (same name): still written as references.
        xmlAddChild(parent, node)
    }

    /// Whether the input just before the parser's position is `&#digits;` or `&#xhex;`
    /// (libxml2 calls `characters` for a reference right after consuming it).
    private static func justReadReference(_ parser: UnsafeMutablePointer<xmlParserCtxt>) -> Bool {
        guard let input = parser.pointee.input, let cursor = input.pointee.cur, let base = input.pointee.base else { return false }
        let available = cursor - base
        guard available >= 4, cursor[-1] == UInt8(ascii: ";") else { return false }
        var index = -2
        var digits = 0
        while -index <= min(available, 12) {
            let byte = cursor[index]
            if byte == UInt8(ascii: "#") {
                guard -index + 1 <= available, cursor[index - 1] == UInt8(ascii: "&"), digits > 0 else { return false }
                return true
            }
            let isHexLetter = (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
            let isDigit = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            if byte == UInt8(ascii: "x") {
                // `&#x…;`: the x must follow the # directly.
                guard digits > 0, cursor[index - 1] == UInt8(ascii: "#"), -index + 2 <= available,
                      cursor[index - 2] == UInt8(ascii: "&") else { return false }
                return true
            }
            guard isDigit || isHexLetter else { return false }
            digits += 1
            index -= 1
        }
        return false
    }
}
