import Foundation
@testable import PurpleConfig
import Testing
import TestSupport

/// Real finches under tmux, each on its own profile directory: a write is refused when a
/// client runs on the profile being written, and only then.
@Suite("Refusing to write while Pidgin or finch runs", .serialized)
struct RunningClientGuardTests {
    static let finchAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/finch")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux")

    @Test("A finch on the profile blocks the write (--force writes and warns); finches on other directories do not",
          .enabled(if: finchAvailable || TestSupport.isCI))
    func finchOnThisProfileOnly() throws {
        let dirA = try Fixture.profileDirectory(copying: "finch-with-account")
        let dirB = try Fixture.profileDirectory(copying: "finch-without-account")
        let dirC = try Fixture.profileDirectory(copying: "finch-with-account")
        let finchA = try TmuxFinch(configDirectory: dirA.path)
        defer { finchA.stop() }
        let finchB = try TmuxFinch(configDirectory: dirB.path, longOption: true)
        defer { finchB.stop() }
        let pidA = try #require(finchA.waitForProcess(), "finch on A did not start")
        let pidB = try #require(finchB.waitForProcess(), "finch on B did not start")

        let onA = RunningClients.find(profileDirectory: dirA.path)
        #expect(onA.contains(RunningClient(name: "finch", pid: pidA)))
        #expect(!onA.contains { $0.pid == pidB })
        let onB = RunningClients.find(profileDirectory: dirB.path + "/")
        #expect(onB.contains(RunningClient(name: "finch", pid: pidB)))
        #expect(!onB.contains { $0.pid == pidA })
        #expect(!RunningClients.find(profileDirectory: dirC.path).contains { $0.pid == pidA || $0.pid == pidB })
        // Without a directory (the old question): every finch of the user.
        #expect(Set(RunningClients.find().map(\.pid)).isSuperset(of: [pidA, pidB]))
        #expect(RunningClients.find(uid: geteuid() &+ 4242).isEmpty)

        var profileA = Fixture.profile(dirA)
        profileA.procRoot = "/proc"
        let before = try Fixture.bytes(dirA.appendingPathComponent("accounts.xml"))
        let error = try #require(throws: PurpleConfigError.self) { try profileA.write(Fixture.request()) }
        guard case .clientRunning(let names, let pids) = error else {
            Issue.record("unexpected error \(error)")
            return
        }
        #expect(names == ["finch"] && pids.contains(pidA) && !pids.contains(pidB))
        #expect(error.description.contains("--force"))
        #expect(try Fixture.bytes(dirA.appendingPathComponent("accounts.xml")) == before)

        // The same user's finches on A and B do not stop a write to C.
        var profileC = Fixture.profile(dirC)
        profileC.procRoot = "/proc"
        let other = try profileC.write(Fixture.request())
        #expect(!other.warnings.contains { $0.code == .clientRunningForced })
        #expect(other.written.count == 2)

        let forced = try profileA.write(Fixture.request(), force: true)
        #expect(forced.warnings.contains { $0.code == .clientRunningForced && $0.message.contains(String(pidA)) })
        #expect(forced.written.count == 2)
    }

    @Test("A finch without -c counts for its $HOME/.purple; a relative -c for its working directory",
          .enabled(if: finchAvailable || TestSupport.isCI))
    func defaultAndRelativeDirectories() throws {
        let home = try TestSupport.makeTemporaryDirectory("purple-home")
        let work = try TestSupport.makeTemporaryDirectory("purple-cwd")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".purple"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: work.appendingPathComponent("rel"), withIntermediateDirectories: true)
        let byHome = try TmuxFinch(command: "cd '\(work.path)' && HOME='\(home.path)' exec finch -n", marker: nil)
        defer { byHome.stop() }
        let relative = try TmuxFinch(command: "cd '\(work.path)' && exec finch -n -c rel", marker: nil)
        defer { relative.stop() }
        let homePID = try #require(byHome.waitForProcess { argv, _ in argv == ["finch", "-n"] })
        let relativePID = try #require(relative.waitForProcess { argv, _ in argv.last == "rel" })

        let inHome = RunningClients.find(profileDirectory: home.appendingPathComponent(".purple").path)
        #expect(inHome.contains { $0.pid == homePID } && !inHome.contains { $0.pid == relativePID })
        let inWork = RunningClients.find(profileDirectory: work.appendingPathComponent("rel").path)
        #expect(inWork.contains { $0.pid == relativePID } && !inWork.contains { $0.pid == homePID })
        // The same directory by another spelling (a symbolic link to it) is still the same directory.
        let link = work.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: work.appendingPathComponent("rel"))
        #expect(RunningClients.find(profileDirectory: link.path).contains { $0.pid == relativePID })
    }
}

/// finch in a detached tmux session of its own (killed by name at the end).
struct TmuxFinch {
    let session: String
    /// A string of its command line that tells this finch from others (its directory).
    let marker: String?

    init(configDirectory: String, longOption: Bool = false) throws {
        let option = longOption ? "--config='\(configDirectory)'" : "-c '\(configDirectory)'"
        try self.init(command: "exec finch -n \(option) 2>/dev/null", marker: configDirectory)
    }

    init(command: String, marker: String?) throws {
        self.marker = marker
        session = "onionboard-purple-\(UUID().uuidString.prefix(8))"
        try Self.tmux(["new-session", "-d", "-s", session, "-x", "200", "-y", "50", command])
    }

    /// The pid of the finch whose command line names our marker (or passes `matches`).
    func waitForProcess(timeout: TimeInterval = 10, matches: (([String], Int32) -> Bool)? = nil) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        repeat {  // at least one look, also with timeout 0
            for client in RunningClients.find() where client.name == "finch" {
                guard let argv = TestSupport.argv(of: client.pid) else { continue }
                if let matches {
                    if matches(argv, client.pid), isInOurSession(client.pid) { return client.pid }
                } else if let marker, argv.contains(where: { $0.contains(marker) }) {
                    return client.pid
                }
            }
            usleep(50_000)
        } while Date() < deadline
        return nil
    }

    /// Whether `pid` runs in this tmux session (its pane's process is the finch itself: `exec`).
    private func isInOurSession(_ pid: Int32) -> Bool {
        guard let output = try? runCommand(["/usr/bin/tmux", "list-panes", "-t", session, "-F", "#{pane_pid}"]).output else {
            return false
        }
        return output.split(separator: "\n").contains { Int32($0) == pid }
    }

    /// finch outlives its killed tmux session (and then spins on the lost terminal), so it
    /// is stopped by PID first, then the session goes.
    func stop() {
        let pid: Int32? = marker != nil ? waitForProcess(timeout: 0)
            : waitForProcess(timeout: 0) { _, pid in isInOurSession(pid) }
        if let pid {
            if let marker {
                Finch.stopProcess(pid, ifArgvContains: marker)
            } else {
                Finch.stopProcess(pid, ifArgvContains: "finch")
            }
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
    /// A stand-in for /proc: one directory per process with comm, stat, cmdline, environ,
    /// and `root` pointing at the real root (as /proc/<pid>/root does).
    struct FakeProc {
        let url: URL

        init() throws {
            url = try TestSupport.makeTemporaryDirectory("fake-proc")
        }

        func process(_ pid: Int, comm: String, state: String = "S", argv: [String]? = nil,
                     environment: [String]? = ["HOME=/nonexistent-home"], cwd: String = "/") throws {
            let dir = url.appendingPathComponent(String(pid))
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try Data("\(comm)\n".utf8).write(to: dir.appendingPathComponent("comm"))
            try Data("\(pid) (\(comm)) \(state) 1 \(pid) \(pid) 0 -1\n".utf8).write(to: dir.appendingPathComponent("stat"))
            if let argv { try Data(argv.map { $0 + "\0" }.joined().utf8).write(to: dir.appendingPathComponent("cmdline")) }
            if let environment {
                try Data(environment.map { $0 + "\0" }.joined().utf8).write(to: dir.appendingPathComponent("environ"))
            }
            try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("root").path, withDestinationPath: "/")
            try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("cwd").path, withDestinationPath: cwd)
        }
    }

    @Test("An exited (zombie) finch does not block the write; a sleeping one does")
    func zombiesDoNotCount() throws {
        let proc = try FakeProc()
        defer { try? FileManager.default.removeItem(at: proc.url) }
        try proc.process(101, comm: "finch", state: "Z")
        try proc.process(102, comm: "finch", state: "S")
        try proc.process(103, comm: "pidgin", state: "R")
        try proc.process(104, comm: "bash", state: "S")
        let found = RunningClients.find(procRoot: proc.url.path)
        #expect(found == [RunningClient(name: "finch", pid: 102), RunningClient(name: "pidgin", pid: 103)])
    }

    @Test("The check before the first question stops for a client on this profile only (a finch on another directory let every wizard run stop)")
    func checkBeforeTheQuestions() throws {
        let proc = try FakeProc()
        defer { try? FileManager.default.removeItem(at: proc.url) }
        let ours = try Fixture.profileDirectory(copying: "finch-with-account")
        let elsewhere = try Fixture.profileDirectory(copying: nil)
        defer { try? FileManager.default.removeItem(at: ours); try? FileManager.default.removeItem(at: elsewhere) }
        try proc.process(201, comm: "finch", argv: ["finch", "-c", elsewhere.path, "-d"])
        var profile = Fixture.profile(ours)
        profile.procRoot = proc.url.path
        try profile.checkWritable(force: false)
        try proc.process(202, comm: "finch", argv: ["finch", "-c", ours.path])
        #expect(throws: PurpleConfigError.clientRunning(names: ["finch"], pids: [202])) { try profile.checkWritable(force: false) }
        try profile.checkWritable(force: true)
    }

    @Test("Options are read the way finch's and Pidgin's getopt read them; anything unclear counts")
    func commandLines() throws {
        let proc = try FakeProc()
        defer { try? FileManager.default.removeItem(at: proc.url) }
        let profile = try TestSupport.makeTemporaryDirectory("purple-guard")
        let other = try TestSupport.makeTemporaryDirectory("purple-guard-other")
        let p = profile.path, o = other.path
        struct Case {
            let argv: [String]?
            let environment: [String]?
            let comm: String
            let counts: Bool
        }
        let cases: [Case] = [
            Case(argv: ["finch", "-c", p], environment: nil, comm: "finch", counts: true),
            Case(argv: ["finch", "-c\(p)"], environment: nil, comm: "finch", counts: true),
            Case(argv: ["finch", "--config=\(p)"], environment: nil, comm: "finch", counts: true),
            Case(argv: ["finch", "--config", p], environment: nil, comm: "finch", counts: true),
            Case(argv: ["finch", "--conf=\(p)"], environment: nil, comm: "finch", counts: true),            // getopt_long takes unique abbreviations
            Case(argv: ["finch", "-dnc", p], environment: nil, comm: "finch", counts: true),                 // grouped short options
            Case(argv: ["finch", "-c", o, "-c", p], environment: nil, comm: "finch", counts: true),          // the last one wins
            Case(argv: ["finch", "-c", p, "-c", o], environment: nil, comm: "finch", counts: false),
            Case(argv: ["finch", "-c", o], environment: nil, comm: "finch", counts: false),
            Case(argv: ["finch", "--config=\(o)", "-d"], environment: nil, comm: "finch", counts: false),
            Case(argv: ["finch", "-d", "operand", "-c", o], environment: nil, comm: "finch", counts: false), // options after operands still count
            Case(argv: ["finch", "--", "-c", p], environment: ["HOME=\(o)"], comm: "finch", counts: false),  // after --, -c is an operand
            Case(argv: ["pidgin", "-l", "-c", o], environment: nil, comm: "pidgin", counts: false),          // -l's argument is optional: -c is separate
            Case(argv: ["pidgin", "--session", p, "-c", o], environment: nil, comm: "pidgin", counts: false),
            Case(argv: ["pidgin", "-m", "--config=\(p)"], environment: nil, comm: "pidgin", counts: true),
            Case(argv: ["finch", "-m", "-c", o], environment: nil, comm: "finch", counts: true),             // -m is Pidgin's, not finch's: unsure
            Case(argv: ["finch", "--bogus", "-c", o], environment: nil, comm: "finch", counts: true),        // unknown option: unsure
            Case(argv: ["pidgin", "--d", "-c", o], environment: nil, comm: "pidgin", counts: true),          // ambiguous (debug, display): unsure
            Case(argv: ["finch", "-c"], environment: nil, comm: "finch", counts: true),                      // missing argument: unsure
            Case(argv: nil, environment: nil, comm: "finch", counts: true),                                  // command line unreadable
            Case(argv: ["finch"], environment: ["HOME=\(o)"], comm: "finch", counts: false),                 // $HOME/.purple elsewhere
            Case(argv: ["finch"], environment: nil, comm: "finch", counts: true),                            // no environment: unsure
        ]
        for (index, testCase) in cases.enumerated() {
            try proc.process(1000 + index, comm: testCase.comm, argv: testCase.argv, environment: testCase.environment)
        }
        let counted = Set(RunningClients.find(procRoot: proc.url.path, profileDirectory: p).map(\.pid))
        for (index, testCase) in cases.enumerated() {
            #expect(counted.contains(Int32(1000 + index)) == testCase.counts, "\(testCase.argv ?? ["<no cmdline>"])")
        }
    }

    @Test("$HOME/.purple is the default; a relative -c is taken from the process's working directory")
    func defaultsAndRelativePaths() throws {
        let proc = try FakeProc()
        defer { try? FileManager.default.removeItem(at: proc.url) }
        let home = try TestSupport.makeTemporaryDirectory("purple-guard-home")
        let profile = home.appendingPathComponent(".purple")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        try proc.process(201, comm: "finch", argv: ["finch"], environment: ["HOME=\(home.path)"])
        try proc.process(202, comm: "pidgin", argv: ["pidgin", "-c", ".purple"], environment: [], cwd: home.path)
        try proc.process(203, comm: "pidgin", argv: ["pidgin", "-c", ".purple"], environment: [], cwd: "/")
        let found = RunningClients.find(procRoot: proc.url.path, profileDirectory: profile.path)
        #expect(found.map(\.pid) == [201, 202])
        // A profile that does not exist yet matches a client configured with the same path only.
        let fresh = home.appendingPathComponent("fresh/.purple").path
        try proc.process(204, comm: "finch", argv: ["finch", "-c", fresh])
        #expect(RunningClients.find(procRoot: proc.url.path, profileDirectory: fresh).map(\.pid) == [204])
    }
}
