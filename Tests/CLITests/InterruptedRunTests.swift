import Foundation
import Testing
import TestSupport
import Wizard
import WizardAdapters

/// The account the server created must never be lost: a run killed at any phase after
/// that is finished by the next run, which registers no second account.
@Suite("Interrupted runs (local world)", .serialized)
struct InterruptedRunTests {
    /// The accounts Prosody stores for the world's domain.
    static func accounts(_ world: World) throws -> Set<String> {
        let directory = world.worldDirectory.appendingPathComponent("prosody/default/data")
            .appendingPathComponent(world.xmppDomain.replacingOccurrences(of: ".", with: "%2e")).appendingPathComponent("accounts")
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] } // none registered yet
        return Set(try FileManager.default.contentsOfDirectory(atPath: directory.path).map { String($0.dropLast(4)) })
    }

    /// Starts a run, SIGKILLs it the moment its output shows `marker`; returns the output.
    static func kill(at marker: String, arguments: [String], scratch: URL) throws -> String {
        let output = scratch.appendingPathComponent("out-\(UUID().uuidString)")
        let run = try Spawned([TestSupport.onionboardBinary.path] + arguments, stdout: output)
        defer { run.stop(grace: 0) }
        let deadline = Date().addingTimeInterval(120)
        var text = ""
        while Date() < deadline && run.isRunning {
            text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            if text.contains(marker) {
                Glibc.kill(run.pid, SIGKILL)
                _ = run.wait(timeout: 10)
                return text
            }
            Thread.sleep(forTimeInterval: 0.005)
        }
        Issue.record("never saw “\(marker)”; the run \(run.isRunning ? "is still running" : "ended"): \(text)")
        return text
    }

    @Test("SIGKILL right after the server created the account, then during the profile write: each next run finishes that account, none registers another",
          .enabled(if: (World.isAvailable || TestSupport.isCI) && WizardLayers.registrationAvailable))
    func killedAtEachPhase() throws {
        let world = try #require(World.current, "local world not running")
        let scratch = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        for marker in ["• The server created ", "• Verifying ", "• Writing the Pidgin profile"] {
            let profile = scratch.appendingPathComponent("purple-\(marker.count)")
            let arguments = ["run", "--non-interactive", "--accept-fingerprint", world.certificateSHA256]
                + (try WizardWorldTests.flags(world, profile: profile))
            let before = try Self.accounts(world)
            let killed = try Self.kill(at: marker, arguments: arguments, scratch: scratch)
            let created = try #require(killed.split(separator: "\n").first { $0.contains("The server created ") }, "\(killed)")
            let jid = String(created.split(separator: " ")[4].dropLast(1)) // "… created user@domain; its password …"
            let pending = profile.appendingPathComponent("onionboard/pending-account")
            let inProfile = FileManager.default.fileExists(atPath: profile.appendingPathComponent("accounts.xml").path)
            #expect(FileManager.default.fileExists(atPath: pending.path) || inProfile, "after “\(marker)” the account is nowhere on disk")
            if FileManager.default.fileExists(atPath: pending.path) {
                #expect(Fixture.mode(pending) == 0o600)
            }
            if inProfile && !FileManager.default.fileExists(atPath: pending.path) {
                // On a loaded machine the SIGKILL can land after the write finished: that run
                // completed, and a rerun of `run` rightly makes a new account. Nothing to resume.
                print("interrupted run: the kill at “\(marker)” came after the profile was complete")
                continue
            }

            // The next run (the same command) finishes it.
            let rerun = try BinaryRun.run(arguments)
            #expect(rerun.status == 0, "after “\(marker)”: \(rerun.stderr)\n\(rerun.stdout)")
            #expect(rerun.stdout.contains("Finishing \(jid)") || inProfile, "\(rerun.stdout)")
            let accountsFile = try String(contentsOf: profile.appendingPathComponent("accounts.xml"), encoding: .utf8)
            #expect(accountsFile.contains("<name>\(jid)/</name>"), "after “\(marker)”: the profile holds another account")
            #expect(!FileManager.default.fileExists(atPath: pending.path))
            // Other suites register accounts meanwhile: what counts is that this account is on
            // the server and that the rerun registered none.
            #expect(try Self.accounts(world).subtracting(before).contains(String(jid.split(separator: "@")[0])))
            #expect(!rerun.stdout.contains("• Registering") && !rerun.stdout.contains("The server created"),
                    "after “\(marker)”, the rerun registered again: \(rerun.stdout)")
        }
    }
}

enum Fixture {
    static func mode(_ url: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }
}
