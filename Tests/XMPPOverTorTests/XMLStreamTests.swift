import Testing
@testable import XMPPOverTor

@Suite struct XMLStreamTests {
    static let header = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='example.org' version='1.0'>"
    static let features = "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism><mechanism>PLAIN</mechanism></mechanisms></stream:features>"
    static let iq = "<iq type='result' id='r1'><query xmlns='jabber:iq:register'><instructions>Pick a name &amp; a password &lt;here&gt;</instructions><username/><password/></query></iq>"

    func elements(_ events: [XMLStreamEvent]) -> [XMLElement] {
        events.compactMap { if case .element(let e) = $0 { e } else { nil } }
    }

    @Test func parsesHeaderFeaturesAndStanzas() throws {
        let parser = XMLStreamParser()
        let events = try parser.feed(Array((Self.header + Self.features + Self.iq).utf8))
        guard case .streamOpened(let attributes) = events.first else { Issue.record("no stream header"); return }
        #expect(attributes["id"] == "s1")
        let found = elements(events)
        #expect(found.count == 2)
        #expect(found[0].name == "features" && found[0].namespace == "http://etherx.jabber.org/streams")
        let features = StreamFeatures(element: found[0])
        #expect(features.offersStartTLS)
        #expect(features.mechanisms == ["SCRAM-SHA-1", "PLAIN"])
        let query = try #require(found[1].child("query", namespace: "jabber:iq:register"))
        #expect(query.child("instructions")?.text == "Pick a name & a password <here>")
        #expect(found[1][attribute: "id"] == "r1")
    }

    /// Every split point of the input gives the same elements.
    @Test func splitAtEveryByteBoundary() throws {
        let bytes = Array((Self.header + Self.features + Self.iq + "</stream:stream>").utf8)
        let expected = elements(try XMLStreamParser().feed(bytes))
        for split in 1..<bytes.count {
            let parser = XMLStreamParser()
            var events = try parser.feed(Array(bytes[..<split]))
            events += try parser.feed(Array(bytes[split...]))
            #expect(elements(events) == expected, "split at \(split)")
            #expect(events.last == .streamClosed, "split at \(split)")
        }
    }

    @Test func byteByByte() throws {
        let parser = XMLStreamParser()
        var events: [XMLStreamEvent] = []
        for byte in Array((Self.header + Self.iq).utf8) { events += try parser.feed([byte]) }
        #expect(elements(events).count == 1)
    }

    @Test func restartStartsANewDocument() throws {
        let parser = XMLStreamParser()
        _ = try parser.feed(Array((Self.header + "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>").utf8))
        parser.restart()
        let events = try parser.feed(Array((Self.header + Self.features).utf8))
        #expect(events.first == .streamOpened(["xmlns:stream": "http://etherx.jabber.org/streams", "id": "s1", "from": "example.org", "version": "1.0"]) || {
            if case .streamOpened = events.first { return true } else { return false }
        }())
        #expect(elements(events).first?.name == "features")
    }

    @Test func streamErrorIsAnElement() throws {
        let parser = XMLStreamParser()
        let events = try parser.feed(Array((Self.header + "<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>No such host</text></stream:error></stream:stream>").utf8))
        let error = try #require(elements(events).first)
        #expect(error.name == "error" && error.namespace == Namespace.stream)
        #expect(error.child("text")?.text == "No such host")
        #expect(events.last == .streamClosed)
    }

    @Test func malformedXMLGivesAClearError() throws {
        let parser = XMLStreamParser()
        _ = try parser.feed(Array(Self.header.utf8))
        #expect {
            _ = try parser.feed(Array("<iq><query></iq>".utf8))
        } throws: { error in
            guard case StreamError.malformedXML(let detail) = error else { return false }
            return detail.contains("line") && error.category == .protocolViolation
        }
        // The parser stays failed.
        #expect(throws: StreamError.self) { _ = try parser.feed(Array("<iq/>".utf8)) }
    }

    @Test func doctypeIsRefused() throws {
        let parser = XMLStreamParser()
        let bomb = "<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>]><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'><iq>&lol2;</iq>"
        #expect {
            _ = try parser.feed(Array(bomb.utf8))
        } throws: { error in
            (error as? StreamError) == .doctypeRefused || (error as? StreamError) == .entityRefused
        }
    }

    @Test func undeclaredEntityReferenceIsRefused() throws {
        let parser = XMLStreamParser()
        _ = try parser.feed(Array(Self.header.utf8))
        #expect(throws: StreamError.self) { _ = try parser.feed(Array("<iq>&xxe;</iq>".utf8)) }
    }

    @Test func deepNestingIsRefused() throws {
        let parser = XMLStreamParser()
        _ = try parser.feed(Array(Self.header.utf8))
        #expect(throws: StreamError.tooDeep(limit: 48)) {
            _ = try parser.feed(Array(String(repeating: "<a>", count: 100).utf8))
        }
    }

    /// A 100 MB stanza is refused once it passes the limit: we stop after ~1 MiB, so
    /// memory stays bounded whatever the server keeps sending.
    @Test(arguments: ["text", "attribute"]) func hugeStanzaIsRefusedEarly(kind: String) throws {
        let parser = XMLStreamParser()
        _ = try parser.feed(Array(Self.header.utf8))
        _ = try parser.feed(Array((kind == "text" ? "<message><body>" : "<message to='").utf8))
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 64 * 1024)
        var fed = 0
        var failure: Error?
        while fed < 100 * 1024 * 1024 {
            do { _ = try parser.feed(chunk) } catch { failure = error; break }
            fed += chunk.count
        }
        #expect(failure as? StreamError == .stanzaTooLarge(limit: 1 << 20))
        #expect(fed <= 2 * 1024 * 1024)
    }

    @Test func manySmallStanzasAreFine() throws {
        let parser = XMLStreamParser()
        _ = try parser.feed(Array(Self.header.utf8))
        var count = 0
        for _ in 0..<200 {
            count += elements(try parser.feed(Array(String(repeating: "<presence/>", count: 1000).utf8))).count
        }
        #expect(count == 200_000)
    }

    @Test func serialiserEscapesAndScopesNamespaces() {
        let element = XMLElement("iq", attributes: [("type", "set"), ("id", "a'b")], children: [
            XMLElement("query", namespace: "jabber:iq:register", children: [
                XMLElement("username", text: "<bob & 'al'>"),
            ]),
        ])
        #expect(element.serialized(parentNamespace: "jabber:client")
            == "<iq type='set' id='a&apos;b'><query xmlns='jabber:iq:register'><username>&lt;bob &amp; &apos;al&apos;&gt;</username></query></iq>")
    }

    @Test func roundTripThroughParser() throws {
        let original = XMLElement("iq", namespace: "jabber:client", attributes: [("id", "x&y")], children: [
            XMLElement("query", namespace: "jabber:iq:register", children: [XMLElement("username", namespace: "jabber:iq:register", text: "a<b")]),
        ])
        let parser = XMLStreamParser()
        let events = try parser.feed(Array((Self.header + original.serialized(parentNamespace: "jabber:client")).utf8))
        #expect(elements(events).first == original)
    }
}
