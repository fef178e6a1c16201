import Platform

/// One compiled message catalog (`LL/LC_MESSAGES/DOMAIN.mo`, GNU MO format), read into memory
/// and checked once, then searched by us instead of glibc's gettext (docs/translations.md:
/// glibc 2.41 ignores LANGUAGE in the C.UTF-8 locale).
///
/// The format: a 28-byte header of 32-bit words in the writer's byte order (magic 0x950412de,
/// revision, N, offset of the originals' table, offset of the translations' table, hash table
/// size and offset), then two tables of N (length, offset) pairs pointing at NUL-terminated
/// strings. The originals are sorted bytewise (msgfmt sorts them), so a binary search finds
/// an entry; the hash table is not needed. A plural entry's original is `msgid\0msgid_plural`,
/// its translation the forms separated by NULs; a context is `msgctxt\u{4}msgid`. The entry
/// `""` is the header (`Language:`, `Plural-Forms:`).
public final class CompiledCatalog: Sendable {
    /// Why a file is not used (its messages then stay English).
    public enum Failure: Error, Equatable {
        case unreadable(code: Int32)
        case tooLarge
        case notACatalog
        case unknownRevision(UInt32)
        case damaged
    }

    /// Larger than any real catalog (Pidgin's are about 300 kB): a file beyond it is not one.
    static let sizeLimit = 32 << 20
    private static let magic: UInt32 = 0x9504_12de

    private let bytes: [UInt8]
    private let bigEndian: Bool
    private let count: Int
    private let originals: Int
    private let translations: Int
    /// The rule choosing among a plural entry's forms, from the header.
    public let plural: PluralRule
    /// The header's `Language:` (`de`, `zh_CN`), nil when it has none.
    public let language: String?

    /// The catalog at `path`; throws when it is missing, unreadable, not a catalog or damaged.
    public convenience init(path: String) throws(Failure) {
        let bytes: [UInt8]
        do {
            bytes = try FileContents.read(path, upTo: Self.sizeLimit + 1)
        } catch {
            throw .unreadable(code: error.code)
        }
        guard bytes.count <= Self.sizeLimit else { throw .tooLarge }
        try self.init(bytes: bytes)
    }

    /// A catalog from its bytes, every table entry checked to lie inside them.
    public init(bytes: [UInt8]) throws(Failure) {
        guard bytes.count >= 28 else { throw .notACatalog }
        let first = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
        if first == Self.magic {
            bigEndian = false
        } else if first.byteSwapped == Self.magic {
            bigEndian = true
        } else {
            throw .notACatalog
        }
        self.bytes = bytes
        let word = { (offset: Int) -> Int in Int(Self.word(bytes, at: offset, bigEndian: first != Self.magic)) }
        // Major revisions 0 and 1 have this layout (1 adds system-dependent strings, which
        // msgfmt writes only for C format macros such as <PRIu64>: none in these catalogs).
        let revision = UInt32(word(4))
        guard revision >> 16 <= 1 else { throw .unknownRevision(revision) }
        count = word(8)
        originals = word(12)
        translations = word(16)
        // Int is 64 bits: these sums of 32-bit values cannot overflow.
        guard originals + 8 * count <= bytes.count, translations + 8 * count <= bytes.count else { throw .damaged }
        for table in [originals, translations] {
            for index in 0..<count {
                let length = word(table + 8 * index), start = word(table + 8 * index + 4)
                guard start + length < bytes.count, bytes[start + length] == 0 else { throw .damaged }
            }
        }
        let header = Self.header(bytes: bytes, count: count, originals: originals, translations: translations,
                                 bigEndian: first != Self.magic)
        plural = PluralRule(header: header)
        language = Self.field("Language", in: header)
    }

    /// The translation of `key` (a msgid), or nil when the catalog has none.
    public func translation(of key: String) -> String? {
        guard let index = index(of: key) else { return nil }
        let forms = string(in: translations, at: index).split(separator: 0, omittingEmptySubsequences: false)
        return forms.first.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The form of the plural entry `key` (its singular msgid) for `count`, by the catalog's
    /// rule; nil when the catalog has no such entry. A rule's answer beyond the forms given
    /// means the first form, as gettext does.
    public func translation(of key: String, count: UInt64) -> String? {
        guard let index = index(of: key) else { return nil }
        let forms = string(in: translations, at: index).split(separator: 0, omittingEmptySubsequences: false)
        guard !forms.isEmpty else { return nil }
        var form = plural.form(for: count)
        if form >= forms.count { form = 0 }
        return String(decoding: forms[form], as: UTF8.self)
    }

    /// The header entry's text (the translation of `""`).
    public var header: String {
        Self.header(bytes: bytes, count: count, originals: originals, translations: translations, bigEndian: bigEndian)
    }

    // MARK: - the tables

    private static func word(_ bytes: [UInt8], at offset: Int, bigEndian: Bool) -> UInt32 {
        let value = UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
            | UInt32(bytes[offset + 3]) << 24
        return bigEndian ? value.byteSwapped : value
    }

    private func word(at offset: Int) -> Int { Int(Self.word(bytes, at: offset, bigEndian: bigEndian)) }

    /// The string of entry `index` in a table, without its NUL (checked at init to fit).
    private func string(in table: Int, at index: Int) -> ArraySlice<UInt8> {
        let length = word(at: table + 8 * index), start = word(at: table + 8 * index + 4)
        return bytes[start..<(start + length)]
    }

    /// Binary search of the originals, compared as strcmp does (bytewise, up to the first
    /// NUL: a plural entry's original is `msgid\0msgid_plural`).
    private func index(of key: String) -> Int? {
        let wanted = Array(key.utf8)
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            let original = string(in: originals, at: middle)
            let msgid = original.prefix { $0 != 0 }
            if msgid.lexicographicallyPrecedes(wanted) {
                low = middle + 1
            } else if wanted.lexicographicallyPrecedes(msgid) {
                high = middle
            } else {
                return middle
            }
        }
        return nil
    }

    private static func header(bytes: [UInt8], count: Int, originals: Int, translations: Int, bigEndian: Bool) -> String {
        // The header's original is the empty string, the smallest: entry 0 when present.
        guard count > 0, word(bytes, at: originals, bigEndian: bigEndian) == 0 else { return "" }
        let length = Int(word(bytes, at: translations, bigEndian: bigEndian))
        let start = Int(word(bytes, at: translations + 4, bigEndian: bigEndian))
        return String(decoding: bytes[start..<(start + length)], as: UTF8.self)
    }

    /// A header field's value (`Language: de` → `de`), nil when absent or empty.
    static func field(_ name: String, in header: String) -> String? {
        for line in header.split(separator: "\n") where line.hasPrefix(name + ":") {
            let value = line.dropFirst(name.count + 1).drop { $0 == " " || $0 == "\t" }
            let trimmed = String(value.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
            return trimmed.isEmpty ? nil : trimmed
        }
        return nil
    }
}
