import Foundation
@testable import PurpleConfig
import Testing
import TestSupport

/// Kills a profile writer with SIGKILL at random moments and checks after every kill
/// that each of the three files is complete: byte for byte either one state or the
/// other, and parseable. Temporary files left by a kill are not part of the state;
/// the next complete run removes them.
// The time limits catch a hung writer, not a slow machine: the kill loop itself takes 8–26 s,
// but in the whole suite on 2 shared cores a test waited up to 6 minutes for its turn and CPU.
@Suite("Crash safety of the profile write", .serialized)
struct CrashSafetyTests {
    static let kills = Int(ProcessInfo.processInfo.environment["ONIONBOARD_CRASH_KILLS"] ?? "") ?? 200
    static let writer = TestSupport.productsDirectory.appendingPathComponent("purple-crash-writer")
    static let files = ["accounts.xml", "blist.xml", "certificates/x509/tls_peers/\(Fixture.onion)"]

    /// Tallies of one kill campaign.
    struct Tally {
        var kills = 0, interrupted = 0, mixed = 0, leftTemporaryFiles = 0
    }

    @Test("SIGKILL of a forked writer looping over two states never leaves a half-written file",
          .enabled(if: FileManager.default.isExecutableFile(atPath: writer.path) || TestSupport.isCI),
          .timeLimit(.minutes(8)))
    func killLoopingWriter() throws {
        let scratch = try TestSupport.makeTemporaryDirectory("purple-crash")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let dir = try Fixture.profileDirectory(copying: "finch-with-account")
        let certificates = try (0..<2).map { index in
            let url = scratch.appendingPathComponent("cert\(index).pem")
            try Data(Fixture.makeCertificate(commonName: "crash\(index)")).write(to: url)
            return url.path
        }
        func writer(_ mode: [String]) -> [String] { [dir.path] + certificates + mode }
        #expect(try run(Self.writer, writer(["once", "0"]), killAfter: nil) == 0)
        let stateA = try snapshot(dir)
        #expect(try run(Self.writer, writer(["once", "1"]), killAfter: nil) == 0)
        let stateB = try snapshot(dir)
        #expect(zip(stateA, stateB).allSatisfy { $0 != $1 }, "every file must differ between the states")

        let server = Process()
        server.executableURL = Self.writer
        server.arguments = writer(["serve"])
        let toServer = Pipe(), fromServer = Pipe()
        server.standardInput = toServer
        server.standardOutput = fromServer
        server.standardError = FileHandle.nullDevice
        try server.run()
        let lines = LineReader(fromServer.fileHandleForReading)
        let header = try #require(lines.next(), "the writer did not start")
        let writeTime = Double(header.split(separator: " ").last.flatMap { Int($0) } ?? 5000) / 1_000_000

        var tally = Tally()
        let started = Date()
        for _ in 0..<Self.kills {
            toServer.fileHandleForWriting.write(Data("go\n".utf8))
            let pid = try #require(lines.next().flatMap { Int32($0) }, "no child pid")
            usleep(useconds_t(Double.random(in: 0...(writeTime * 1.5)) * 1_000_000))
            kill(pid, SIGKILL)
            let dead = try #require(lines.next(), "the writer did not report the child's end")
            let status = Int32(dead.split(separator: " ").last ?? "") ?? 0
            try check(dir, stateA, stateB, status: (status & 0x7f) != 0 ? -(status & 0x7f) : (status >> 8), tally: &tally)
        }
        try toServer.fileHandleForWriting.close()
        server.waitUntilExit()

        #expect(try run(Self.writer, writer(["once", "0"]), killAfter: nil) == 0)
        #expect(try snapshot(dir) == stateA)
        #expect(!hasTemporaryFiles(dir))
        print("crash safety (forked writer): \(tally.kills) kills in \(Int(Date().timeIntervalSince(started) * 1000)) ms, "
              + "\(tally.interrupted) killed mid-run, \(tally.mixed) left old and new files side by side, "
              + "\(tally.leftTemporaryFiles) left temporary files; one write (3 files) takes \(Int(writeTime * 1_000_000)) µs")
        #expect(tally.interrupted == Self.kills, "a writer child ended by itself: a write failed")
        #expect(tally.leftTemporaryFiles > 0 && tally.mixed > 0, "kills did not land inside writes; the test proves nothing")
    }

    @Test("SIGKILL of `onionboard export` at random points never leaves a half-written file",
          .enabled(if: FileManager.default.isExecutableFile(atPath: TestSupport.onionboardBinary.path) || TestSupport.isCI),
          .timeLimit(.minutes(8)))
    func killExport() throws {
        let scratch = try TestSupport.makeTemporaryDirectory("purple-crash-export")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let dir = try Fixture.profileDirectory(copying: "finch-with-account")
        let variants: [[String]] = try (0..<2).map { index in
            let password = scratch.appendingPathComponent("password\(index)")
            try Data("password-\(index)-&<>\n".utf8).write(to: password)
            let certificate = scratch.appendingPathComponent("cert\(index).pem")
            try Data(Fixture.makeCertificate(commonName: "export\(index)")).write(to: certificate)
            return ["export", "--jid", "alice@onionboard.test", "--password-file", password.path,
                    "--connect-server", Fixture.onion, "--certificate", certificate.path,
                    "--handle", "handle-\(index)", "--purple-dir", dir.path, "--force", "--json"]
        }
        let binary = TestSupport.onionboardBinary
        #expect(try run(binary, variants[0], killAfter: nil) == 0)
        let stateA = try snapshot(dir)
        var durations: [Double] = []
        for index in [1, 0, 1] {
            let start = Date()
            #expect(try run(binary, variants[index], killAfter: nil) == 0)
            durations.append(Date().timeIntervalSince(start))
        }
        let stateB = try snapshot(dir)
        let duration = durations.min()!

        var tally = Tally()
        let kills = max(Self.kills / 8, 25)
        for _ in 0..<kills {
            // Aim at the other state, mostly late in the run where the writes are.
            let target = try Fixture.bytes(dir.appendingPathComponent("accounts.xml")) == stateA[0] ? 1 : 0
            let delay = Bool.random() ? Double.random(in: 0...duration) : Double.random(in: (duration * 0.7)...(duration * 1.05))
            let status = try run(binary, variants[target], killAfter: delay)
            try check(dir, stateA, stateB, status: status, tally: &tally)
        }
        print("crash safety (export): \(tally.kills) kills, \(tally.interrupted) killed mid-run, "
              + "\(tally.mixed) left old and new files side by side, \(tally.leftTemporaryFiles) left temporary files; "
              + "a full run takes \(Int(duration * 1000)) ms")
        #expect(tally.interrupted >= kills / 4)
    }

    // MARK: - Helpers

    /// Lines from a pipe, blocking.
    final class LineReader {
        let handle: FileHandle
        var buffer = Data()
        init(_ handle: FileHandle) { self.handle = handle }

        func next() -> String? {
            while true {
                if let newline = buffer.firstIndex(of: 0x0A) {
                    let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                    buffer.removeSubrange(buffer.startIndex...newline)
                    return line
                }
                let chunk = handle.availableData
                if chunk.isEmpty { return nil }
                buffer.append(chunk)
            }
        }
    }

    private func snapshot(_ dir: URL) throws -> [[UInt8]] {
        try Self.files.map { try Fixture.bytes(dir.appendingPathComponent($0)) }
    }

    private func check(_ dir: URL, _ stateA: [[UInt8]], _ stateB: [[UInt8]], status: Int32, tally: inout Tally) throws {
        tally.kills += 1
        if status == -SIGKILL { tally.interrupted += 1 }
        let now = try snapshot(dir)
        for (index, file) in Self.files.enumerated() {
            #expect(now[index] == stateA[index] || now[index] == stateB[index],
                    "after kill \(tally.kills): \(file) is neither the old nor the new version")
            if file.hasSuffix(".xml") {
                #expect(throws: Never.self) { _ = try XMLTree.parse(now[index], path: file) }
            }
        }
        let matchesA = zip(now, stateA).map { $0 == $1 }
        if matchesA.contains(true) && matchesA.contains(false) { tally.mixed += 1 }
        if hasTemporaryFiles(dir) { tally.leftTemporaryFiles += 1 }
    }

    private func hasTemporaryFiles(_ dir: URL) -> Bool {
        (Fixture.files(in: dir) + Fixture.files(in: dir.appendingPathComponent("certificates/x509/tls_peers")))
            .contains { $0.contains(AtomicFile.temporaryMarker) }
    }

    /// Runs a process; kills it after `killAfter` seconds if given. Returns its exit
    /// status, or minus the signal that ended it.
    private func run(_ executable: URL, _ arguments: [String], killAfter: Double?) throws -> Int32 {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        if let killAfter {
            usleep(useconds_t(killAfter * 1_000_000))
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal ? -process.terminationStatus : process.terminationStatus
    }
}
