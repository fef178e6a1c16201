import Foundation
import OnionMap
import Testing

@Suite("provider catalog")
struct ProviderCatalogTests {
    static let v3a = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion"
    static let v3b = "sp3k262uwy4r2k3ycr5awluarykdpag6a7y33jxop4cs2lu5uz5sseqd.onion"
    static let v3c = "xa4r2iadxm55fbnqgwwi5mymqdcofiu3w6rpbtqn7b2dyn7mgwj64jyd.onion"

    private func map(_ text: String, _ source: String = "extra.lua") throws -> ProviderCatalog.Layer {
        .map(try OnionsMap.parse(text, source: source), source: source)
    }

    private func metadata(_ json: String, _ source: String = "extra.json") -> ProviderCatalog.Layer {
        .metadata(Array(json.utf8), source: source)
    }

    @Test("a map adds providers about which nothing else is known; unusable entries are skipped")
    func mapLayer() throws {
        let catalog = try ProviderCatalog(layers: [try map("""
            onions_map = {
              ["new.example"] = { host = "\(Self.v3a)", port = 5269 };
              ["old.example"] = "ijeeynrc6x2uy5ob.onion";
              ["bad.example"] = "2epd2e4g2hx3tdf.onion";
              ["nohost.example"] = { port = 5269 };
            }
            """)])
        #expect(catalog.providers.map(\.domain) == ["new.example"])
        let provider = try #require(catalog.provider(for: "NEW.example"))
        #expect(provider.onion.hostname == Self.v3a)
        #expect(provider.registration == .unknown)
        #expect(provider.clientPort == 5222)
        #expect(provider.notes.contains("port 5269"))
        #expect(provider.sources.map(\.name) == ["onions_map extra.lua line 2"])
        #expect(catalog.warnings.count == 3)
        #expect(catalog.warnings[0].hasPrefix("extra.lua:3: skipped \"old.example\": v2 onion"))
        #expect(catalog.warnings[1].contains("15 characters"))
        #expect(catalog.warnings[2].contains("no host"))
    }

    @Test("map warnings name file, line and column")
    func mapWarnings() throws {
        let catalog = try ProviderCatalog(layers: [try map("""
            onions_map = {
              ["a.example"] = "\(Self.v3a)"
              ["b.example"] = "\(Self.v3b)"
            }
            """)])
        #expect(catalog.providers.count == 2)
        #expect(catalog.warnings == ["extra.lua:2:3: no ';' or ',' after the entry for \"a.example\" (accepted, but Lua and Prosody reject this file)"])
    }

    @Test("a later map moves a known provider to a new onion but keeps its metadata")
    func mapOverridesOnion() throws {
        let catalog = try ProviderCatalog(layers: [
            metadata(#"{"a.example": {"onion": "\#(Self.v3a)", "registration": "yes", "captcha": true}}"#, "base.json"),
            try map(#"onions_map = { ["a.example"] = "\#(Self.v3b)" }"#, "moved.lua"),
        ])
        let provider = try #require(catalog.provider(for: "a.example"))
        #expect(provider.onion.hostname == Self.v3b)
        #expect(provider.registration == .yes)
        #expect(provider.captcha == true)
        #expect(provider.origin == "moved.lua")
        #expect(provider.sources.last?.name == "onions_map moved.lua line 1")
    }

    @Test("a later metadata file replaces the whole entry; duplicates in a map: the last counts")
    func laterWins() throws {
        let catalog = try ProviderCatalog(layers: [
            try map("""
                onions_map = {
                  ["a.example"] = "\(Self.v3a)";
                  ["a.example"] = "\(Self.v3c)";
                }
                """),
            metadata(#"{"b.example": {"onion": "\#(Self.v3a)", "registration": "yes"}}"#, "one.json"),
            metadata(#"{"b.example": {"onion": "\#(Self.v3b)", "registration": "no"}}"#, "two.json"),
        ])
        #expect(catalog.provider(for: "a.example")?.onion.hostname == Self.v3c)
        #expect(catalog.warnings.contains { $0.contains("\"a.example\" appears on lines 2, 3") })
        let b = try #require(catalog.provider(for: "b.example"))
        #expect(b.registration == .no)
        #expect(b.onion.hostname == Self.v3b)
        #expect(b.origin == "two.json")
    }

    @Test("registration candidates: registration yes only, no CAPTCHA first, then unknown, then CAPTCHA")
    func candidates() throws {
        let catalog = try ProviderCatalog(layers: [metadata("""
            {
              "captcha.example": {"onion": "\(Self.v3a)", "registration": "yes", "captcha": true},
              "unknown.example": {"onion": "\(Self.v3b)", "registration": "yes"},
              "free.example": {"onion": "\(Self.v3c)", "registration": "yes", "captcha": false},
              "closed.example": {"onion": "\(Self.v3a)", "registration": "no"},
              "invite.example": {"onion": "\(Self.v3b)", "registration": "invite-only"},
              "a-free.example": {"onion": "\(Self.v3c)", "registration": "yes", "captcha": false}
            }
            """)])
        #expect(catalog.registrationCandidates.map(\.domain)
                == ["a-free.example", "free.example", "unknown.example", "captcha.example"])
        #expect(catalog.providers(registration: [.inviteOnly]).map(\.domain) == ["invite.example"])
        #expect(catalog.providers.map(\.domain) == catalog.providers.map(\.domain).sorted())
        #expect(catalog.provider(for: "nowhere.example") == nil)
    }

    @Test("extra files are recognised by content and read with clear errors")
    func files() throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let lua = directory.appendingPathComponent("local-map.txt")
        try "-- a map\nonions_map = { [\"lua.example\"] = \"\(Self.v3a)\" }".write(to: lua, atomically: true, encoding: .utf8)
        let json = directory.appendingPathComponent("local.json")
        try "\n  {\"json.example\": {\"onion\": \"\(Self.v3b)\", \"registration\": \"yes\", \"captcha\": false}}"
            .write(to: json, atomically: true, encoding: .utf8)
        let catalog = try ProviderCatalog.load(extraFiles: [lua.path, json.path])
        #expect(catalog.provider(for: "lua.example")?.origin == lua.path)
        #expect(catalog.provider(for: "json.example")?.origin == json.path)
        #expect(catalog.registrationCandidates.contains { $0.domain == "json.example" })
        #expect(catalog.provider(for: "jabjab.de") != nil, "the bundled data is still there")

        let missing = directory.appendingPathComponent("missing.lua").path
        #expect { try ProviderCatalog.load(extraFiles: [missing]) } throws: { error in
            (error as? ProviderFileError)?.description == "\(missing): no such file" && error.category == .missingInput
        }
        #expect { try ProviderCatalog.load(extraFiles: [directory.path]) } throws: { error in
            (error as? ProviderFileError)?.message.contains("is a directory") == true
        }
        let broken = directory.appendingPathComponent("broken.lua")
        try "onions_map = {\n  [\"x\"] = \n}".write(to: broken, atomically: true, encoding: .utf8)
        #expect { try ProviderCatalog.load(extraFiles: [broken.path]) } throws: { error in
            (error as? OnionsMapSyntaxError)?.description.hasPrefix("\(broken.path):3:1: syntax error") == true
        }
    }

    private func makeDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("onionmap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
