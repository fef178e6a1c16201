import Foundation
@testable import PurpleConfig
import Testing
import TestSupport

/// The Tails persistence warning, on described machines: a directory standing in for
/// /live/persistence/TailsData_unlocked and a mountinfo file in the kernel's format.
@Suite("Tails Persistent Storage warnings")
struct TailsTests {
    struct Machine {
        let root: URL
        var environment: TailsEnvironment
        let purple: String

        init(unlocked: Bool, tails: Bool = true, pidginMounted: Bool) throws {
            root = try TestSupport.makeTemporaryDirectory("purple-tails")
            let persistence = root.appendingPathComponent("live/persistence/TailsData_unlocked")
            if unlocked { try FileManager.default.createDirectory(at: persistence, withIntermediateDirectories: true) }
            let marker = root.appendingPathComponent("etc/amnesia/version")
            if tails {
                try FileManager.default.createDirectory(at: marker.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data("6.10\n".utf8).write(to: marker)
            }
            let home = root.appendingPathComponent("home/amnesia")
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            purple = TailsEnvironment.resolveExistingPrefix(home.path) + "/.purple"
            var mounts = """
                23 1 0:22 / / rw,noatime - overlay overlay rw,lowerdir=/run/live/rootfs/filesystem.squashfs
                30 23 0:25 / /tmp rw,nosuid,nodev - tmpfs tmpfs rw
                """
            if unlocked {
                mounts += "\n41 23 253:0 / \(TailsEnvironment.resolveExistingPrefix(persistence.path)) rw,noatime - ext4 /dev/mapper/TailsData_unlocked rw"
            }
            if pidginMounted {
                mounts += "\n52 23 253:0 /pidgin \(purple) rw,noatime - ext4 /dev/mapper/TailsData_unlocked rw"
            }
            let mountInfo = root.appendingPathComponent("mountinfo")
            try Data((mounts + "\n").utf8).write(to: mountInfo)
            environment = TailsEnvironment(persistenceRoot: persistence.path, mountInfoPath: mountInfo.path,
                                           tailsMarker: marker.path, pidginExecutable: "/bin/sh")
        }
    }

    @Test("Unlocked, Pidgin feature off: the profile will vanish")
    func featureOff() throws {
        let machine = try Machine(unlocked: true, pidginMounted: false)
        #expect(machine.environment.warnings(for: machine.purple).map(\.code) == [.notPersistent])
    }

    @Test("Unlocked, Pidgin feature on (bind mount): no warning")
    func featureOn() throws {
        let machine = try Machine(unlocked: true, pidginMounted: true)
        #expect(machine.environment.warnings(for: machine.purple).isEmpty)
        #expect(machine.environment.warnings(for: machine.purple + "/sub").isEmpty)
    }

    @Test("Tails with locked Persistent Storage: warned; not Tails: silent")
    func lockedAndNotTails() throws {
        let locked = try Machine(unlocked: false, pidginMounted: false)
        #expect(locked.environment.warnings(for: locked.purple).map(\.code) == [.persistentStorageLocked])
        let debian = try Machine(unlocked: false, tails: false, pidginMounted: false)
        #expect(debian.environment.warnings(for: debian.purple).isEmpty)
    }

    @Test("the desktop window's introduction: kept, will vanish (feature off), will vanish (locked), nothing off Tails")
    func persistenceState() throws {
        let on = try Machine(unlocked: true, pidginMounted: true)
        #expect(on.environment.persistenceState(of: on.purple)?.contains("is on it") == true)
        let off = try Machine(unlocked: true, pidginMounted: false)
        let offState = try #require(off.environment.persistenceState(of: off.purple))
        #expect(offState.contains("is not on it") && offState.contains("Pidgin Internet Messenger"))
        let locked = try Machine(unlocked: false, pidginMounted: false)
        #expect(locked.environment.persistenceState(of: locked.purple)?.contains("not unlocked") == true)
        let debian = try Machine(unlocked: false, tails: false, pidginMounted: false)
        #expect(debian.environment.persistenceState(of: debian.purple) == nil)
    }

    @Test("Pidgin missing: warned, and the profile is still written")
    func pidginMissing() throws {
        var machine = try Machine(unlocked: true, pidginMounted: true)
        machine.environment.pidginExecutable = machine.root.appendingPathComponent("usr/bin/pidgin").path
        let dir = try Fixture.profileDirectory(copying: nil)
        var profile = Fixture.profile(dir)
        profile.environment = machine.environment
        let report = try profile.write(Fixture.request())
        #expect(report.warnings.map(\.code) == [.noCertificatePinned, .notPersistent, .pidginNotInstalled])
        #expect(report.written.count == 2)
    }
}
