/// Counts the attributes of each start tag in raw bytes, before libxml2 sees them.
///
/// libxml2 2.9 checks a start tag's attributes for duplicates pairwise, so one element
/// with n attributes costs O(n²) inside `xmlParseChunk` (80,000 attributes: seconds of CPU
/// for under 1 MiB), and that happens before any SAX callback could refuse it. This scan
/// is linear and runs on each chunk first, so an element with too many attributes is
/// refused before it is parsed. Namespace declarations count as attributes (they cost the
/// same). It tracks only what it needs: tags, quoted values, comments, CDATA, processing
/// instructions and declarations, across chunk boundaries.
struct StartTagScanner {
    private enum State {
        case text
        /// Just after `<`.
        case openBracket
        case startTag
        case quotedValue(quote: UInt8)
        /// `</…>`, `<?…?>` and `<!…>` other than comments and CDATA: skipped to their end.
        case endTag
        case processingInstruction(sawQuestionMark: Bool)
        /// After `<!`: the bytes seen so far, to tell a comment or CDATA from a declaration.
        case bang(prefix: [UInt8])
        case declaration
        case comment(dashes: Int)
        case cdata(brackets: Int)
    }

    let maximumAttributes: Int
    private var state = State.text
    private var attributes = 0

    init(maximumAttributes: Int) { self.maximumAttributes = maximumAttributes }

    private static let commentOpening = Array("--".utf8)
    private static let cdataOpening = Array("[CDATA[".utf8)

    /// Scans `bytes`; false as soon as one start tag has more than `maximumAttributes`.
    mutating func scan(_ bytes: ArraySlice<UInt8>) -> Bool {
        for byte in bytes {
            switch state {
            case .text:
                if byte == UInt8(ascii: "<") { state = .openBracket }
            case .openBracket:
                switch byte {
                case UInt8(ascii: "/"): state = .endTag
                case UInt8(ascii: "?"): state = .processingInstruction(sawQuestionMark: false)
                case UInt8(ascii: "!"): state = .bang(prefix: [])
                default:
                    attributes = 0
                    state = .startTag
                }
            case .startTag:
                switch byte {
                case UInt8(ascii: "="):
                    attributes += 1
                    if attributes > maximumAttributes { return false }
                case UInt8(ascii: "'"), UInt8(ascii: "\""): state = .quotedValue(quote: byte)
                case UInt8(ascii: ">"): state = .text
                default: break
                }
            case .quotedValue(let quote):
                if byte == quote { state = .startTag }
            case .endTag, .declaration:
                if byte == UInt8(ascii: ">") { state = .text }
            case .processingInstruction(let sawQuestionMark):
                state = sawQuestionMark && byte == UInt8(ascii: ">") ? .text
                    : .processingInstruction(sawQuestionMark: byte == UInt8(ascii: "?"))
            case .bang(var prefix):
                prefix.append(byte)
                if prefix == Self.commentOpening {
                    state = .comment(dashes: 0)
                } else if prefix == Self.cdataOpening {
                    state = .cdata(brackets: 0)
                } else if Self.commentOpening.starts(with: prefix) || Self.cdataOpening.starts(with: prefix) {
                    state = .bang(prefix: prefix)
                } else {
                    state = byte == UInt8(ascii: ">") ? .text : .declaration
                }
            case .comment(let dashes):
                state = dashes >= 2 && byte == UInt8(ascii: ">") ? .text
                    : .comment(dashes: byte == UInt8(ascii: "-") ? dashes + 1 : 0)
            case .cdata(let brackets):
                state = brackets >= 2 && byte == UInt8(ascii: ">") ? .text
                    : .cdata(brackets: byte == UInt8(ascii: "]") ? brackets + 1 : 0)
            }
        }
        return true
    }
}
