import Foundation
@testable import PurpleConfig
import Testing
import TestSupport

/// A real finch under tmux, on its own scratch profile: detection is per user, so a
/// write to any other directory must see it.
@Suite("Refusing to write while Pidgin or finch runs", .serialized)
struct RunningClientGuardTests {
    static let finchAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/finch")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux")

    @Test("A running finch blocks the write; --force writes and warns", .enabled(if: finchAvailable || TestSupport.isCI))
    func finchRunning() throws {
        let finchHome = try TestSupport.makeTemporaryDirectory("purple-finch")
        let session = try TmuxFinch(configDirectory: finchHome.path)
        defer { session.stop() }
        let pid = try #require(session.waitForProcess(), "finch did not start")

        let found = RunningClients.find()
        #expect(found.contains(RunningClient(name: "finch", pid: pid)))
        #expect(RunningClients.find(uid: geteuid() &+ 4242).isEmpty)

        let dir = try Fixture.profileDirectory(copying: "finch-with-account")
        let before = try Fixture.bytes(dir.appendingPathComponent("accounts.xml"))
        var profile = Fixture.profile(dir)
        profile.procRoot = "/proc"
        let error = try #require(throws: PurpleConfigError.self) { try profile.write(Fixture.request()) }
        guard case .clientRunning(let names, let pids) = error else {
            Issue.record("unexpected error \(error)")
            return
        }
        #expect(names.contains("finch") && pids.contains(pid))
        #expect(error.description.contains("--force"))
        #expect(try Fixture.bytes(dir.appendingPathComponent("accounts.xml")) == before)

        let forced = try profile.write(Fixture.request(), force: true)
        #expect(forced.warnings.contains { $0.code == .clientRunningForced })
        #expect(forced.written.count == 2)
    }
}

/// finch in a detached tmux session of its own (killed by name at the end).
struct TmuxFinch {
    let session: String
    let configDirectory: String

    init(configDirectory: String) throws {
        self.configDirectory = configDirectory
        session = "onionboard-purple-\(UUID().uuidString.prefix(8))"
        try Self.tmux(["new-session", "-d", "-s", session, "-x", "200", "-y", "50",
                       "exec finch -n -c '\(configDirectory)' 2>/dev/null"])
    }

    /// The pid of the finch whose command line names our config directory.
    func waitForProcess(timeout: TimeInterval = 10) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {  // at least one look, also with timeout 0
            for client in RunningClients.find() where client.name == "finch" {
                if TestSupport.argv(of: client.pid)?.contains(where: { $0.contains(configDirectory) }) == true { return client.pid }
            }
            usleep(50_000)
        } while Date() < deadline
        return nil
    }

    /// finch outlives its killed tmux session (and then spins on the lost terminal), so it
    /// is stopped by PID first, then the session goes.
    func stop() {
        if let pid = waitForProcess(timeout: 0) {
            Finch.stopProcess(pid, ifArgvContains: configDirectory)
        }
        try? Self.tmux(["kill-session", "-t", session])
    }

    @discardableResult
    static func tmux(_ arguments: [String]) throws -> Int32 {
        try runCommand(["/usr/bin/tmux"] + arguments).status
    }
}

@Suite("Which processes count as a running client")
struct RunningClientDetectionTests {
    @Test("An exited (zombie) finch does not block the write; a sleeping one does")
    func zombiesDoNotCount() throws {
        let proc = try TestSupport.makeTemporaryDirectory("fake-proc")
        defer { try? FileManager.default.removeItem(at: proc) }
        func process(_ pid: Int, comm: String, state: String) throws {
            let dir = proc.appendingPathComponent(String(pid))
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try Data("\(comm)\n".utf8).write(to: dir.appendingPathComponent("comm"))
            try Data("\(pid) (\(comm)) \(state) 1 \(pid) \(pid) 0 -1\n".utf8).write(to: dir.appendingPathComponent("stat"))
        }
        try process(101, comm: "finch", state: "Z")
        try process(102, comm: "finch", state: "S")
        try process(103, comm: "pidgin", state: "R")
        try process(104, comm: "bash", state: "S")
        let found = RunningClients.find(procRoot: proc.path)
        #expect(found == [RunningClient(name: "finch", pid: 102), RunningClient(name: "pidgin", pid: 103)])
    }
}
