import Foundation
import Testing
import TestSupport

/// `onionboard tails install [--uninstall]` against a simulated Tails layout
/// (ONIONBOARD_TAILS_ROOT): /etc/amnesia/version, the unlocked Persistent Storage with
/// persistence.conf written as Tails' tps writes it (sorted `DEST<TAB>source=…[,link]` lines),
/// the Dotfiles directory and /home/amnesia. The programs are copied from a directory the way
/// they are after `dpkg-deb -x`.
@Suite("tails install", .serialized)
struct TailsInstallTests {
    /// What tps writes with Persistent Folder, Additional Software, Pidgin and Dotfiles on.
    static let allOn = [
        "/home/amnesia\tsource=dotfiles,link", "/home/amnesia/.purple\tsource=pidgin",
        "/home/amnesia/Persistent\tsource=Persistent", "/var/cache/apt/archives\tsource=apt/cache", "/var/lib/apt/lists\tsource=apt/lists",
    ]

    struct Layout {
        let root: URL
        let programs: URL
        var persistence: URL { root.appendingPathComponent("live/persistence/TailsData_unlocked") }
        var dotfiles: URL { persistence.appendingPathComponent("dotfiles") }
        var home: URL { root.appendingPathComponent("home/amnesia") }
        var environment: [String: String] { ["ONIONBOARD_TAILS_ROOT": root.path] }

        func run(_ arguments: [String]) throws -> BinaryRun {
            try BinaryRun.run(["tails", "install"] + arguments, environment: environment,
                              binary: programs.appendingPathComponent("onionboard"))
        }

        func writeConfiguration(_ lines: [String]) throws {
            try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: persistence.appendingPathComponent("persistence.conf"))
            chmod(persistence.appendingPathComponent("persistence.conf").path, 0o600)
        }

        /// Every path under the root with its type, mode, link target and content hash.
        func snapshot() -> [String] {
            var lines: [String] = []
            let enumerator = FileManager.default.enumerator(atPath: root.path)
            while let relative = enumerator?.nextObject() as? String {
                let path = root.appendingPathComponent(relative).path
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }
                var line = "\(relative) \(String(info.st_mode, radix: 8))"
                if info.st_mode & S_IFMT == S_IFLNK {
                    line += " -> " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?")
                } else if info.st_mode & S_IFMT == S_IFREG {
                    line += " \(info.st_size) \((try? Data(contentsOf: URL(fileURLWithPath: path)))?.hashValue ?? 0)"
                }
                lines.append(line)
            }
            return lines.sorted()
        }
    }

    /// A Tails with Pidgin and Dotfiles on, a dotfile already kept (and linked), and the
    /// programs unpacked in their own directory.
    static func makeLayout(configuration: [String]? = allOn) throws -> Layout {
        let scratch = try TestSupport.makeTemporaryDirectory("onionboard-tails")
        let layout = Layout(root: scratch.appendingPathComponent("root"), programs: scratch.appendingPathComponent("unpacked/usr/bin"))
        let fm = FileManager.default
        try fm.createDirectory(at: layout.root.appendingPathComponent("etc/amnesia"), withIntermediateDirectories: true)
        try Data("TAILS_VERSION_ID=\"7.6.2\"\n".utf8).write(to: layout.root.appendingPathComponent("etc/amnesia/version"))
        try fm.createDirectory(at: layout.dotfiles, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try fm.createDirectory(at: layout.home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try Data("[user]\n".utf8).write(to: layout.dotfiles.appendingPathComponent(".gitconfig"))
        try fm.createSymbolicLink(atPath: layout.home.appendingPathComponent(".gitconfig").path,
                                  withDestinationPath: layout.dotfiles.appendingPathComponent(".gitconfig").path)
        if let configuration { try layout.writeConfiguration(configuration) }
        try fm.createDirectory(at: layout.programs, withIntermediateDirectories: true)
        for program in ["onionboard", "onionboard-gtk"] {
            try TestSupport.copyExecutable(TestSupport.productsDirectory.appendingPathComponent(program),
                                           to: layout.programs.appendingPathComponent(program))
        }
        return layout
    }

    static let installed = [".local/bin/onionboard", ".local/bin/onionboard-gtk",
                            ".config/autostart/onionboard-bootstrap.desktop", ".local/share/applications/onionboard.desktop"]

    @Test("install keeps the programs and entries in the Dotfiles and links them into the home; again changes nothing; uninstall takes out exactly that")
    func installTwiceThenUninstall() throws {
        let layout = try Self.makeLayout()
        let before = layout.snapshot()

        let first = try layout.run([])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("onionboard is in the Persistent Storage"), "\(first.stdout)")
        for relative in Self.installed {
            let kept = layout.dotfiles.appendingPathComponent(relative)
            let link = layout.home.appendingPathComponent(relative).path
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == kept.path)
            var info = stat()
            #expect(lstat(kept.path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG)
            #expect(info.st_mode & 0o777 == (relative.hasPrefix(".local/bin") ? 0o755 : 0o644), "\(relative)")
        }
        for program in ["onionboard", "onionboard-gtk"] {
            #expect(try Data(contentsOf: layout.dotfiles.appendingPathComponent(".local/bin/\(program)"))
                    == Data(contentsOf: layout.programs.appendingPathComponent(program)))
        }
        let autostart = try String(contentsOf: layout.dotfiles.appendingPathComponent(Self.installed[2]), encoding: .utf8)
        #expect(autostart.contains("\nExec=/home/amnesia/.local/bin/onionboard-gtk bootstrap --wait-tor 600\n"), "\(autostart)")
        #expect(autostart.contains("X-GNOME-Autostart-enabled=true"))
        let menu = try String(contentsOf: layout.dotfiles.appendingPathComponent(Self.installed[3]), encoding: .utf8)
        #expect(menu.contains("\nExec=/home/amnesia/.local/bin/onionboard-gtk\n"))
        // What was there before is untouched.
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: layout.home.appendingPathComponent(".gitconfig").path)
                == layout.dotfiles.appendingPathComponent(".gitconfig").path)

        let installedTree = layout.snapshot()
        let second = try layout.run([])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("already in the Persistent Storage; nothing changed"), "\(second.stdout)")
        #expect(layout.snapshot() == installedTree)

        let removal = try layout.run(["--uninstall"])
        #expect(removal.status == 0, "\(removal.stderr)")
        #expect(layout.snapshot() == before)

        let again = try layout.run(["--uninstall"])
        #expect(again.status == 0)
        #expect(again.stdout.contains("not installed"))
        #expect(layout.snapshot() == before)
    }

    @Test("the installed onionboard installs itself again without change (links into the Dotfiles followed)")
    func reinstallFromTheInstalledCopy() throws {
        let layout = try Self.makeLayout()
        #expect(try layout.run([]).status == 0)
        let tree = layout.snapshot()
        let again = try BinaryRun.run(["tails", "install", "--json"], environment: layout.environment,
                                      binary: layout.home.appendingPathComponent(".local/bin/onionboard"))
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("\"action\" : \"install\""))
        #expect(!again.stdout.contains("\"created\"") && !again.stdout.contains("\"updated\""), "\(again.stdout)")
        #expect(layout.snapshot() == tree)
    }

    @Test("a feature that is off is named with its switch, and nothing is written", arguments: [
        (allOn.filter { !$0.contains("dotfiles") }, ["\"Dotfiles\""], ["Pidgin Internet Messenger"]),
        (allOn.filter { !$0.contains("pidgin") }, ["\"Pidgin Internet Messenger\"", "close Pidgin first"], ["\"Dotfiles\""]),
        (allOn.filter { !$0.contains("pidgin") && !$0.contains("dotfiles") }, ["\"Pidgin Internet Messenger\"", "\"Dotfiles\""], []),
        // tps writes the link option; a line without it is another binding, so Dotfiles is off.
        (allOn.map { $0.replacingOccurrences(of: "source=dotfiles,link", with: "source=dotfiles") }, ["\"Dotfiles\""], []),
    ])
    func featureOff(configuration: [String], named: [String], notNamed: [String]) throws {
        let layout = try Self.makeLayout(configuration: configuration)
        let before = layout.snapshot()
        let run = try layout.run([])
        #expect(run.status == 66)
        for name in named { #expect(run.stderr.contains(name), "\(run.stderr)") }
        for name in notNamed { #expect(!run.stderr.contains(name), "\(run.stderr)") }
        #expect(run.stderr.contains("Applications ▸ Tails ▸ Persistent Storage"))
        #expect(layout.snapshot() == before)
    }

    @Test("quoted and commented lines are read as tps reads them")
    func quotingAndComments() throws {
        let layout = try Self.makeLayout(configuration: [
            "# written by hand", "'/home/amnesia'\t'source=dotfiles',link  # the Dotfiles", "\"/home/amnesia/.purple\" source=pidgin",
            "/broken\tsource=x,bogus", "/unterminated 'source=y",
        ])
        #expect(try layout.run([]).status == 0)
    }

    @Test("when persistence.conf cannot be read, Tails' tpscli is asked")
    func askTpscli() throws {
        let layout = try Self.makeLayout(configuration: nil)
        let tpscli = layout.root.appendingPathComponent("usr/local/lib/tpscli")
        try FileManager.default.createDirectory(at: tpscli.deletingLastPathComponent(), withIntermediateDirectories: true)
        // As Tails' tpscli answers: exit 0 when the service says the feature is enabled.
        func answer(pidgin: Int, dotfiles: Int) throws {
            try Data("#!/bin/sh\ncase \"$1 $2\" in\n\"is-enabled Pidgin\") exit \(pidgin);;\n\"is-enabled Dotfiles\") exit \(dotfiles);;\nesac\nexit 4\n".utf8)
                .write(to: tpscli)
            chmod(tpscli.path, 0o755)
        }
        try answer(pidgin: 0, dotfiles: 1)
        let off = try layout.run(["--json"])
        #expect(off.status == 66)
        #expect(off.stdout.contains("Dotfiles") && !off.stdout.contains("Pidgin Internet Messenger\\\""), "\(off.stdout)")
        try answer(pidgin: 0, dotfiles: 0)
        let on = try layout.run(["--json"])
        #expect(on.status == 0, "\(on.stdout)")
        #expect(on.stdout.contains("\"featuresFrom\" : \"tpscli\""), "\(on.stdout)")
    }

    @Test("not Tails, or the Persistent Storage locked: exit 66 with what to do")
    func notTailsOrLocked() throws {
        let layout = try Self.makeLayout()
        try FileManager.default.removeItem(at: layout.persistence)
        let locked = try layout.run([])
        #expect(locked.status == 66)
        #expect(locked.stderr.contains("unlock it at the Welcome Screen"), "\(locked.stderr)")
        try FileManager.default.removeItem(at: layout.root.appendingPathComponent("etc/amnesia/version"))
        let elsewhere = try layout.run([])
        #expect(elsewhere.status == 66)
        #expect(elsewhere.stderr.contains("this is not Tails"), "\(elsewhere.stderr)")
    }

    @Test("without onionboard-gtk beside onionboard nothing is written, and the message says how to unpack the package")
    func programMissing() throws {
        let layout = try Self.makeLayout()
        try FileManager.default.removeItem(at: layout.programs.appendingPathComponent("onionboard-gtk"))
        let before = layout.snapshot()
        let run = try layout.run([])
        #expect(run.status == 66)
        #expect(run.stderr.contains("onionboard-gtk is missing"), "\(run.stderr)")
        #expect(run.stderr.contains("dpkg-deb -x"))
        #expect(layout.snapshot() == before)
    }

    @Test("a file of the person's where a link goes stops the install before anything is written")
    func fileInTheWay() throws {
        let layout = try Self.makeLayout()
        try FileManager.default.createDirectory(at: layout.home.appendingPathComponent(".local/bin"), withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: layout.home.appendingPathComponent(".local/bin/onionboard-gtk"))
        let before = layout.snapshot()
        let run = try layout.run([])
        #expect(run.status == 73)
        #expect(run.stderr.contains(".local/bin/onionboard-gtk is in the way"), "\(run.stderr)")
        #expect(layout.snapshot() == before)
    }
}
