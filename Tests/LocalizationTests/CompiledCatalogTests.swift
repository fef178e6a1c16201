import Foundation
@testable import Localization
import Testing
import TestSupport

/// The `.mo` reader on catalogs msgfmt compiles here, in both byte orders, and on files that
/// are not catalogs: those are refused with an error, never a crash (their messages stay English).
@Suite("Compiled catalogs (.mo): reading, plural forms, damaged files")
struct CompiledCatalogTests {
    static var msgfmtAvailable: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/msgfmt") }

    static let russian = #"""
    msgid ""
    msgstr ""
    "Language: ru\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\n"

    msgid "Next"
    msgstr "Далее"

    msgid "{0} minute"
    msgid_plural "{0} minutes"
    msgstr[0] "{0} минута"
    msgstr[1] "{0} минуты"
    msgstr[2] "{0} минут"

    msgctxt "button"
    msgid "Open"
    msgstr "Открыть"

    msgid "Untranslated"
    msgstr ""

    #, fuzzy
    msgid "A draft"
    msgstr "Черновик"

    msgid "Ärger"
    msgstr "Неприятность"
    """#

    /// `source` compiled by msgfmt (`--use-fuzzy`, as scripts/catalogs does) in `endianness`.
    static func compile(_ source: String, endianness: String) throws -> [UInt8] {
        let directory = try TestSupport.makeTemporaryDirectory("onionboard-mo")
        defer { try? FileManager.default.removeItem(at: directory) }
        let po = directory.appendingPathComponent("ru.po"), mo = directory.appendingPathComponent("ru.mo")
        try source.write(to: po, atomically: true, encoding: .utf8)
        let made = try runCommand(["msgfmt", "--use-fuzzy", "--endianness=\(endianness)", "-o", mo.path, po.path])
        #expect(made.status == 0, "\(made.output)")
        return try [UInt8](Data(contentsOf: mo))
    }

    @Test("a catalog msgfmt wrote, in either byte order: entries, plural forms by the header's rule, context, header",
          .enabled(if: msgfmtAvailable || TestSupport.isCI), arguments: ["little", "big"])
    func reads(endianness: String) throws {
        let bytes = try Self.compile(Self.russian, endianness: endianness)
        #expect((bytes[0] == 0x95) == (endianness == "big"))
        let catalog = try CompiledCatalog(bytes: bytes)
        #expect(catalog.language == "ru")
        #expect(catalog.plural.count == 3)
        #expect(catalog.translation(of: "Next") == "Далее")
        #expect(catalog.translation(of: "Ärger") == "Неприятность")
        #expect(catalog.translation(of: "A draft") == "Черновик")
        #expect(catalog.translation(of: "Untranslated") == nil)   // msgfmt leaves it out
        #expect(catalog.translation(of: "Nex") == nil && catalog.translation(of: "Nextt") == nil)
        #expect(catalog.translation(of: "Open") == nil)
        #expect(catalog.translation(of: "button\u{4}Open") == "Открыть")
        let forms = [1, 2, 5, 11, 21, 22, 25, 111, 0].map { catalog.translation(of: "{0} minute", count: $0) }
        #expect(forms == ["{0} минута", "{0} минуты", "{0} минут", "{0} минут", "{0} минута", "{0} минуты",
                          "{0} минут", "{0} минут", "{0} минут"])
        // The plural entry's singular alone finds it, and gives the first form.
        #expect(catalog.translation(of: "{0} minute") == "{0} минута")
        #expect(catalog.translation(of: "{0} minutes") == nil)
        #expect(catalog.header.contains("Plural-Forms:"))
    }

    @Test("every entry of a real catalog (ours, German) is found by the binary search",
          .enabled(if: msgfmtAvailable || TestSupport.isCI))
    func everyEntry() throws {
        let source = try String(contentsOf: TestSupport.packageRoot.appendingPathComponent("po/de.po"), encoding: .utf8)
        let catalog = try CompiledCatalog(bytes: try Self.compile(source, endianness: "little"))
        #expect(catalog.language == "de")
        // Every msgid of the source (single-line ones suffice to cover the table's span).
        let msgids = source.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("msgid \""), line.hasSuffix("\""), line != "msgid \"\"" else { return nil }
            return String(line.dropFirst(7).dropLast())
        }.filter { !$0.contains("\\") }
        #expect(msgids.count > 100)
        for msgid in msgids { #expect(catalog.translation(of: msgid) != nil, "\(msgid)") }
    }

    @Test("missing, empty, foreign, truncated and damaged files are refused with an error, not a crash",
          .enabled(if: msgfmtAvailable || TestSupport.isCI))
    func refused() throws {
        #expect(throws: CompiledCatalog.Failure.unreadable(code: ENOENT)) { try CompiledCatalog(path: "/nonexistent/ru.mo") }
        #expect(throws: CompiledCatalog.Failure.unreadable(code: EISDIR)) { try CompiledCatalog(path: "/") }
        #expect(throws: CompiledCatalog.Failure.notACatalog) { try CompiledCatalog(bytes: []) }
        #expect(throws: CompiledCatalog.Failure.notACatalog) { try CompiledCatalog(bytes: Array("msgid \"\"\nmsgstr \"\"\n padding".utf8)) }
        let good = try Self.compile(Self.russian, endianness: "little")
        // Cut anywhere: never a crash; a cut inside the tables or strings is refused.
        for length in stride(from: 0, to: good.count, by: 1) {
            let cut = Array(good.prefix(length))
            #expect(throws: CompiledCatalog.Failure.self) { try CompiledCatalog(bytes: cut) }
        }
        var revision = good
        revision[6] = 2   // major revision 2
        #expect(throws: CompiledCatalog.Failure.unknownRevision(0x2_0000)) { try CompiledCatalog(bytes: revision) }
        var count = good
        count[11] = 0x7f  // N far beyond the file
        #expect(throws: CompiledCatalog.Failure.damaged) { try CompiledCatalog(bytes: count) }
        var offset = good
        let translations = Int(offset[16]) | Int(offset[17]) << 8
        offset[translations + 7] = 0x7f  // the first translation's offset beyond the file
        #expect(throws: CompiledCatalog.Failure.damaged) { try CompiledCatalog(bytes: offset) }
        // Random bytes after a valid magic: refused or read, never a crash.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var noise = good
            for _ in 0..<8 { noise[Int.random(in: 0..<noise.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            if let catalog = try? CompiledCatalog(bytes: noise) {
                _ = catalog.translation(of: "Next")
                _ = catalog.translation(of: "{0} minute", count: 5)
            }
        }
    }

    @Test("a damaged catalog where the program looks means English, without a crash",
          .enabled(if: msgfmtAvailable || TestSupport.isCI))
    func damagedCatalogIsEnglish() throws {
        let directory = try TestSupport.makeTemporaryDirectory("onionboard-damaged")
        defer { try? FileManager.default.removeItem(at: directory) }
        let messages = directory.appendingPathComponent("de/LC_MESSAGES", isDirectory: true)
        try FileManager.default.createDirectory(at: messages, withIntermediateDirectories: true)
        let good = try Self.compile(Self.russian, endianness: "little")
        try Data(good.prefix(good.count / 2)).write(to: messages.appendingPathComponent("onionboard.mo"))
        let probe = TestSupport.productsDirectory.appendingPathComponent("localization-probe")
        let run = try BinaryRun.run(["catalog", "entry:Next"], environment: ["LANGUAGE": "de", "ONIONBOARD_LOCALEDIR": directory.path],
                                    binary: probe)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "-\nNext\n")
    }
}
