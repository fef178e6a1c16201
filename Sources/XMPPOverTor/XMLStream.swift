import CLibXML2

/// What the parser found in the server's byte stream.
package enum XMLStreamEvent: Equatable {
    /// `<stream:stream …>` with its attributes (id, from, version).
    case streamOpened([String: String])
    /// One complete top-level element (a stanza, features, TLS/SASL nonza).
    case element(XMLElement)
    /// `</stream:stream>`.
    case streamClosed
}

/// Incremental parser for one XMPP stream, on libxml2's SAX2 push parser. It yields
/// each depth-1 element as an `XMLElement`; a stream restart (after TLS and SASL)
/// makes a new parser. Hostile input is refused: DOCTYPE and entity declarations
/// abort, entities are never substituted (no `XML_PARSE_NOENT`), the network is off
/// (`XML_PARSE_NONET`), text between stanzas must be whitespace, and a stanza's size,
/// nesting and attributes are bounded (`StreamLimits`).
package final class XMLStreamParser {
    /// Bytes fed per `xmlParseChunk`, so the size check runs at least this often.
    static let chunkSize = 16 * 1024

    let limits: StreamLimits
    private var parser: ParserContext
    private let state: ParserState
    private var scanner: StartTagScanner

    package init(limits: StreamLimits = .standard) {
        self.limits = limits
        state = ParserState(limits: limits)
        parser = ParserContext(state: state)
        scanner = StartTagScanner(maximumAttributes: limits.attributesPerElement)
    }

    /// Forgets the old stream; the next bytes start a new document.
    func restart() {
        state.reset()
        parser = ParserContext(state: state)
        scanner = StartTagScanner(maximumAttributes: limits.attributesPerElement)
    }

    /// Feeds bytes and returns the events they complete.
    package func feed(_ bytes: [UInt8]) throws -> [XMLStreamEvent] {
        if let failure = state.failure { throw failure }
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + Self.chunkSize, bytes.count)
            // Before libxml2 sees the chunk: its attribute check is quadratic.
            guard scanner.scan(bytes[offset..<end]) else {
                try fail(.tooManyAttributes(limit: limits.attributesPerElement, inOneElement: true))
            }
            let result = bytes[offset..<end].withUnsafeBufferPointer { chunk in
                chunk.withMemoryRebound(to: CChar.self) { xmlParseChunk(parser.context, $0.baseAddress, Int32($0.count), 0) }
            }
            state.bytesSinceBoundary += end - offset
            offset = end
            if let failure = state.failure { throw failure }
            if result != 0 { try fail(parser.lastError()) }
            if state.bytesSinceBoundary > limits.stanzaBytes { try fail(.stanzaTooLarge(limit: limits.stanzaBytes)) }
        }
        defer { state.events.removeAll() }
        return state.events
    }

    /// Stops this stream for good with `error`.
    private func fail(_ error: StreamError) throws -> Never {
        state.failure = error
        xmlStopParser(parser.context)
        throw error
    }
}

/// Builds elements from SAX callbacks; reached from C through the context's user data.
final class ParserState {
    let limits: StreamLimits
    var depth = 0
    /// Open elements below depth 1, innermost last.
    var stack: [XMLElement] = []
    var events: [XMLStreamEvent] = []
    var failure: StreamError?
    /// Bytes since the last stanza ended (or the stream opened): the stanza being read and
    /// any whitespace before it.
    var bytesSinceBoundary = 0
    /// Attributes of the stanza being read.
    var stanzaAttributes = 0

    init(limits: StreamLimits) { self.limits = limits }

    func reset() {
        depth = 0
        stack.removeAll()
        events.removeAll()
        failure = nil
        bytesSinceBoundary = 0
        stanzaAttributes = 0
    }

    func fail(_ error: StreamError, _ context: UnsafeMutableRawPointer?) {
        if failure == nil { failure = error }
        if let context { xmlStopParser(context.assumingMemoryBound(to: xmlParserCtxt.self)) }
    }
}

private func string(_ pointer: UnsafePointer<xmlChar>?) -> String? {
    pointer.map { String(cString: $0) }
}

private func string(_ pointer: UnsafePointer<xmlChar>?, length: Int) -> String {
    guard let pointer, length > 0 else { return "" }
    return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
}

/// Without `XML_PARSE_NOENT` libxml2 leaves references in attribute values (`&amp;`
/// arrives as `&#38;`); decode character references and the five predefined entities.
/// (Anything else cannot be there: undeclared entities are fatal errors.)
func decodeReferences(_ value: String) -> String {
    guard value.contains("&") else { return value }
    var out = ""
    var rest = Substring(value)
    while let amp = rest.firstIndex(of: "&") {
        out += rest[..<amp]
        guard let semicolon = rest[amp...].firstIndex(of: ";") else { break }
        let name = rest[rest.index(after: amp)..<semicolon]
        var scalar: Unicode.Scalar?
        switch name {
        case "amp": scalar = "&"
        case "lt": scalar = "<"
        case "gt": scalar = ">"
        case "apos": scalar = "'"
        case "quot": scalar = "\""
        default:
            if name.hasPrefix("#x") { scalar = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init) }
            else if name.hasPrefix("#") { scalar = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init) }
        }
        if let scalar {
            out.unicodeScalars.append(scalar)
        } else {
            out += rest[amp...semicolon]
        }
        rest = rest[rest.index(after: semicolon)...]
    }
    return out + rest
}

/// The parser context's `_private` points at the state; the SAX callbacks get the context.
private func state(_ context: UnsafeMutableRawPointer?) -> ParserState? {
    guard let context else { return nil }
    let parserContext = context.assumingMemoryBound(to: xmlParserCtxt.self)
    guard let raw = parserContext.pointee._private else { return nil }
    return Unmanaged<ParserState>.fromOpaque(raw).takeUnretainedValue()
}

private let startElement: startElementNsSAX2Func = { context, localName, _, uri, _, _, attributeCount, _, attributes in
    guard let state = state(context), state.failure == nil else { return }
    state.depth += 1
    if state.depth > state.limits.depth {
        state.fail(.tooDeep(limit: state.limits.depth), context)
        return
    }
    if state.depth > 1 {
        state.stanzaAttributes += Int(attributeCount)
        if state.stanzaAttributes > state.limits.attributesPerStanza {
            state.fail(.tooManyAttributes(limit: state.limits.attributesPerStanza, inOneElement: false), context)
            return
        }
    }
    var pairs: [(String, String)] = []
    var prefixes: [String: String] = [:]
    if let attributes {
        // Five pointers per attribute: localname, prefix, URI, value start, value end.
        for index in 0..<Int(attributeCount) {
            let base = index * 5
            guard let name = attributes[base], let start = attributes[base + 3], let end = attributes[base + 4] else { continue }
            let prefix = attributes[base + 1].map { String(cString: $0) }
            if let prefix, let namespace = string(attributes[base + 2]) { prefixes[prefix] = namespace }
            let qualified = prefix.map { "\($0):\(String(cString: name))" } ?? String(cString: name)
            pairs.append((qualified, decodeReferences(string(start, length: end - start))))
        }
    }
    var element = XMLElement(string(localName) ?? "", namespace: string(uri), attributes: pairs)
    element.attributeNamespaces = prefixes
    if state.depth == 1 {
        state.events.append(.streamOpened(Dictionary(pairs, uniquingKeysWith: { first, _ in first })))
        state.bytesSinceBoundary = 0
    } else {
        state.stack.append(element)
    }
}

private let endElement: endElementNsSAX2Func = { context, _, _, _ in
    guard let state = state(context), state.failure == nil else { return }
    defer { state.depth -= 1 }
    if state.depth == 1 {
        state.events.append(.streamClosed)
        return
    }
    guard let finished = state.stack.popLast() else { return }
    if state.stack.isEmpty {
        state.events.append(.element(finished))
        state.bytesSinceBoundary = 0
        state.stanzaAttributes = 0
    } else {
        state.stack[state.stack.count - 1].children.append(finished)
    }
}

private let characters: charactersSAXFunc = { context, bytes, length in
    guard let state = state(context), state.failure == nil else { return }
    guard !state.stack.isEmpty else {
        // Between stanzas only whitespace (keepalives) may come; it is dropped, not
        // buffered, but still counts towards the next stanza's size.
        let text = UnsafeBufferPointer(start: bytes, count: Int(length))
        if text.contains(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }) {
            state.fail(.textBetweenStanzas, context)
        }
        return
    }
    state.stack[state.stack.count - 1].text += string(bytes, length: Int(length))
}

private let refuseDoctype: internalSubsetSAXFunc = { context, _, _, _ in
    state(context)?.fail(.doctypeRefused, context)
}

private let refuseEntity: entityDeclSAXFunc = { context, _, _, _, _, _ in
    state(context)?.fail(.entityRefused, context)
}

private let refuseReference: referenceSAXFunc = { context, _ in
    state(context)?.fail(.entityRefused, context)
}

/// Swallows libxml2's own error printing; the error is read with `xmlCtxtGetLastError`.
private let quietErrors: xmlStructuredErrorFunc = { _, _ in }

/// Owner of one `xmlParserCtxt` (push mode), freed in deinit.
final class ParserContext {
    let context: xmlParserCtxtPtr
    private let retainedState: Unmanaged<ParserState>

    init(state: ParserState) {
        var handler = xmlSAXHandler()
        handler.initialized = UInt32(XML_SAX2_MAGIC)
        handler.startElementNs = startElement
        handler.endElementNs = endElement
        handler.characters = characters
        handler.cdataBlock = characters
        handler.internalSubset = refuseDoctype
        handler.externalSubset = refuseDoctype
        handler.entityDecl = refuseEntity
        handler.reference = refuseReference
        handler.serror = quietErrors
        context = xmlCreatePushParserCtxt(&handler, nil, nil, 0, nil)
        retainedState = Unmanaged.passRetained(state)
        context.pointee._private = retainedState.toOpaque()
        // No XML_PARSE_NOENT: entities are never substituted. No network, no DTD loading.
        xmlCtxtUseOptions(context, Int32(XML_PARSE_NONET.rawValue) | Int32(XML_PARSE_NOBLANKS.rawValue))
    }

    func lastError() -> StreamError {
        guard let error = xmlCtxtGetLastError(context) else { return .malformedXML("unknown parser error") }
        let message = error.pointee.message.map { String(String(cString: $0).reversed().drop { $0.isWhitespace }.reversed()) } ?? "parser error"
        let code = error.pointee.code
        if code == Int32(XML_ERR_UNDECLARED_ENTITY.rawValue) || code == Int32(XML_WAR_UNDECLARED_ENTITY.rawValue) {
            return .entityRefused
        }
        return .malformedXML("\(message) (line \(error.pointee.line))")
    }

    deinit {
        xmlFreeParserCtxt(context)
        retainedState.release()
    }
}
