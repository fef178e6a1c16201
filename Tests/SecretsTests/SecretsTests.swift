import Foundation
import Testing
@testable import Secrets

@Suite struct SecretBytesTests {
    @Test func holdsAndComparesTheBytes() {
        let a = SecretBytes(utf8: "correct horse")
        let b = SecretBytes(utf8: "correct horse")
        let c = SecretBytes(utf8: "correct horsf")
        #expect(a.count == 13)
        #expect(a.withBytes { Array($0) } == Array("correct horse".utf8))
        #expect(a.isEqual(to: b))
        #expect(!a.isEqual(to: c))
    }

    @Test func neverPrintsItsContent() {
        let secret = SecretBytes(utf8: "hunter2")
        #expect("\(secret)" == "<secret>")
        #expect(String(reflecting: secret) == "<secret 7 bytes>")
        #expect(!"\(secret)".contains("hunter2"))
    }

    @Test func consumingWipesTheSource() {
        var source = Array("wipe me".utf8)
        let secret = SecretBytes(consuming: &source)
        #expect(source.isEmpty)
        #expect(secret.withBytes { String(decoding: $0, as: UTF8.self) } == "wipe me")
    }

    @Test func readsAFileAndDropsOneNewline() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pw-\(UUID())")
        try Data("s3cret\n".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let secret = try SecretBytes.read(path: url.path)
        #expect(secret.withBytes { String(decoding: $0, as: UTF8.self) } == "s3cret")
    }

    @Test func rejectsEmptyAndMissingFiles() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pw-\(UUID())")
        try Data("\n".utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: SecretInputError.empty) { try SecretBytes.read(path: url.path) }
        #expect(throws: SecretInputError.self) { try SecretBytes.read(path: "/nonexistent/pw") }
    }
}

@Suite struct GeneratorTests {
    @Test func passwordsHaveAtLeast128BitsFromTheAlphabet() {
        let alphabet = Set(CredentialGenerator.passwordAlphabet)
        #expect(alphabet.count == 32)
        let length = CredentialGenerator.passwordBits / 5
        #expect(Double(length) * log2(Double(alphabet.count)) >= 128)
        let password = CredentialGenerator.password()
        #expect(password.count == length)
        let text = password.withBytes { String(decoding: $0, as: UTF8.self) }
        #expect(text.allSatisfy { alphabet.contains($0) })
        #expect(!text.contains("0") && !text.contains("l") && !text.contains("1") && !text.contains("o"))
    }

    @Test func passwordsDiffer() {
        let passwords = (0..<50).map { _ in CredentialGenerator.password().withBytes { Array($0) } }
        #expect(Set(passwords).count == 50)
    }

    @Test func usernamesAreValidLocalparts() {
        for _ in 0..<200 {
            let name = CredentialGenerator.username()
            #expect(name.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) }, "\(name)")
            #expect((8...20).contains(name.count))
        }
    }

    @Test func uniformStaysInRangeAndCoversIt() {
        var seen = Set<Int>()
        for _ in 0..<2000 { let v = SecureRandom.uniform(10); #expect((0..<10).contains(v)); seen.insert(v) }
        #expect(seen.count == 10)
    }
}
