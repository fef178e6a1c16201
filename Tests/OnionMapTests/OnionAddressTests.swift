import OnionMap
import Testing

@Suite("v3 onion addresses")
struct OnionAddressTests {
    @Test("valid v3 vectors from rend-spec-v3 and torproject.org", arguments: Vectors.specValid)
    func specVectors(_ name: String) throws {
        let address = try OnionAddress(name + ".onion")
        #expect(address.serviceID == name)
        #expect(address.hostname == name + ".onion")
        #expect(address.subdomain == nil)
    }

    @Test("every value of qbi's v3 map passes the checksum", arguments: Vectors.qbiV3.map(\.value))
    func qbiVectors(_ value: String) throws {
        let address = try OnionAddress(value)
        #expect(address.hostname.hasSuffix(".onion"))
        #expect(address.serviceID.count == 56)
    }

    @Test("other known v3 provider onions pass the checksum", arguments: Vectors.otherValid)
    func otherVectors(_ name: String) throws {
        #expect(try OnionAddress(name).serviceID == name)
    }

    @Test("upper case is normalised")
    func upperCase() throws {
        let address = try OnionAddress("PG6MMJIYJMCRSSLVYKFWNNTLARU7P5SVN6Y2YMMJU6NUBXNDF4PSCRYD.ONION")
        #expect(address.hostname == "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion")
        #expect(try OnionAddress("PG6MMJIYJMCRSSLVYKFWNNTLARU7P5SVN6Y2YMMJU6NUBXNDF4PSCRYD") == address)
    }

    @Test("a missing .onion suffix is accepted and added")
    func missingSuffix() throws {
        let address = try OnionAddress("jabjabdea2eewo3gzfurscj2sjqgddptwumlxi3wur57rzf5itje2rid")
        #expect(address.hostname == "jabjabdea2eewo3gzfurscj2sjqgddptwumlxi3wur57rzf5itje2rid.onion")
    }

    @Test("labels in front of the onion are kept; the last label is validated")
    func labels() throws {
        let address = try OnionAddress("muc.gaavkkdj6tpc6d27iq4omdk5o3ludg53xi4rmgpzwa2aobusb7bzudad.onion")
        #expect(address.subdomain == "muc")
        #expect(address.serviceID == "gaavkkdj6tpc6d27iq4omdk5o3ludg53xi4rmgpzwa2aobusb7bzudad")
        #expect(address.hostname == "muc.gaavkkdj6tpc6d27iq4omdk5o3ludg53xi4rmgpzwa2aobusb7bzudad.onion")
        let deeper = try OnionAddress("a.b.uvq5q7i6thamv6bfcagjy42fjobxaqgregc2t7xhetxhan3svb3zyeqd.onion")
        #expect(deeper.subdomain == "a.b")
        // A label in front does not rescue a broken service ID.
        #expect(reason("conference.pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscrad.onion") == .badChecksum)
    }

    @Test("the rend-spec-v3 §1.2 illustration is not a valid address")
    func specIllustrationIsInvalid() {
        #expect(reason("l5satjgud6gucryazcyvyvhuxhr74u6ygigiuyixe3a6ysis67ororad.onion") == .badChecksum)
    }

    @Test("one changed character breaks the checksum")
    func flippedCharacter() {
        #expect(reason("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscrad") == .badChecksum)
        // A change in the public-key part too.
        #expect(reason("qg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd") == .badChecksum)
    }

    @Test("a version byte other than 3 is rejected before the checksum")
    func wrongVersion() {
        #expect(reason("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscrye") == .wrongVersion(4))
    }

    @Test("16-character v2 names are recognised and explained")
    func version2() throws {
        #expect(reason("ijeeynrc6x2uy5ob.onion") == .version2(serviceID: "ijeeynrc6x2uy5ob"))
        #expect(OnionAddress.classify("ijeeynrc6x2uy5ob.onion") == .v2(serviceID: "ijeeynrc6x2uy5ob"))
        let failure = try #require(error("IJEEYNRC6X2UY5OB.onion"))
        #expect(failure.description.contains("v2 onion services stopped working in Tor 0.4.6, October 2021"))
        #expect(failure.description.contains("IJEEYNRC6X2UY5OB.onion"))
    }

    @Test("wrong lengths are rejected with the length")
    func wrongLengths() {
        let valid = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd"
        #expect(reason("2epd2e4g2hx3tdf.onion") == .wrongLength(15, containsWhitespace: false))
        #expect(reason(String(valid.dropLast())) == .wrongLength(55, containsWhitespace: false))
        #expect(reason(valid + "a") == .wrongLength(57, containsWhitespace: false))
        // A TAB inside the quotes, as in one CoyIM value.
        #expect(reason(valid + "\t.onion") == .wrongLength(57, containsWhitespace: true))
        #expect(error(valid + "\t")?.description.contains("whitespace") == true)
    }

    @Test("junk is rejected with a specific reason")
    func junk() {
        #expect(reason("") == .empty)
        #expect(reason(".onion") == .empty)
        #expect(reason("a..pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion") == .emptyLabel)
        #expect(reason("example.org") == .wrongLength(3, containsWhitespace: false))
        #expect(reason("hello world!") == .wrongLength(12, containsWhitespace: true))
        // Right lengths, but '1', '-' and '0' are not base32.
        #expect(reason("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscr1d")
                == .invalidCharacter("1", position: 55))
        #expect(reason(String(repeating: "-", count: 56)) == .invalidCharacter("-", position: 1))
        #expect(reason("0123456789abcdef") == .invalidCharacter("0", position: 1))
        #expect(reason("ünïcödé") == .wrongLength(7, containsWhitespace: false))
    }

    @Test("errors are invalid-data and name the input")
    func errorCategory() throws {
        let failure = try #require(error("example.org"))
        #expect(failure.category == .invalidData)
        #expect(failure.category.exitCode == 65)
        #expect(failure.description.hasPrefix("'example.org' is not a usable v3 onion address"))
    }

    private func error(_ text: String) -> OnionAddressError? {
        do {
            _ = try OnionAddress(text)
            return nil
        } catch {
            return error
        }
    }

    private func reason(_ text: String) -> OnionAddressError.Reason? {
        error(text)?.reason
    }
}
