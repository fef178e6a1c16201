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
        #expect(throws: SecretInputError.empty(url.path)) { try SecretBytes.read(path: url.path) }
        #expect(throws: SecretInputError.self) { try SecretBytes.read(path: "/nonexistent/pw") }
    }

    /// Issue 16 item 13: each bad password file has its own message and the README's exit code.
    @Test func badPasswordFilesAreClassified() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pw-dir-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("missing").path
        #expect(throws: SecretInputError.cannotOpen(missing, reason: "No such file or directory", missing: true)) {
            try SecretBytes.read(path: missing)
        }
        #expect(SecretInputError.cannotOpen(missing, reason: "", missing: true).category == .missingInput)
        #expect(throws: SecretInputError.isDirectory(directory.path)) { try SecretBytes.read(path: directory.path) }
        let long = directory.appendingPathComponent("long")
        try Data(repeating: 0x61, count: 4097).write(to: long)
        #expect(throws: SecretInputError.tooLong(long.path, limit: 4096)) { try SecretBytes.read(path: long.path) }
        try Data(repeating: 0x61, count: 4096).write(to: long)
        #expect(try SecretBytes.read(path: long.path).count == 4096)
        for error in [SecretInputError.isDirectory("d"), .tooLong("l", limit: 4096), .empty("e")] {
            #expect(error.category == .invalidData, "\(error)")
        }
    }

    @Test func shortPasswordsAreWarnedAbout() {
        #expect(SecretBytes(utf8: "abc").shortPasswordWarning?.contains("only 3 characters") == true)
        #expect(SecretBytes(utf8: "abcdefgh").shortPasswordWarning == nil)
        #expect(CredentialGenerator.password().shortPasswordWarning == nil)
    }

    /// Issue 16 item 11: consuming an array zeroes the array's real storage (not a copy of
    /// it), and that storage stays allocated, zeroed, until the array goes away. Observed
    /// through the storage's own address, which the test keeps while the array keeps it alive.
    @Test func consumingZeroesTheRealStorage() {
        var source = Array("correct horse battery staple".utf8)
        let count = source.count
        let storage = source.withUnsafeBytes { UnsafeRawPointer($0.baseAddress!) }
        let secret = SecretBytes(consuming: &source)
        #expect(source.isEmpty)
        #expect(secret.withBytes { String(decoding: $0, as: UTF8.self) } == "correct horse battery staple")
        // Still the same storage (the wipe did not zero a copy), and its bytes are zero.
        #expect(source.capacity >= count)
        let now = source.withUnsafeBufferPointer { $0.baseAddress.map(UnsafeRawPointer.init) }
        #expect(now == storage, "the wipe zeroed a copy; the original storage went back to malloc with the password")
        if now == storage {
            #expect(UnsafeRawBufferPointer(start: storage, count: count).allSatisfy { $0 == 0 })
        }
    }
}

/// Issue 16 item 10: no core dumps (the executable calls this first thing; CLITests check it does).
@Suite struct CoreDumpTests {
    @Test func disablingTurnsOffDumpableAndTheCoreLimit() throws {
        #expect(CoreDumps.disable())
        #expect(!CoreDumps.areEnabled)
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &limit)
        #expect(limit.rlim_cur == 0 && limit.rlim_max == 0)
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
