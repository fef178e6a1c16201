import Foundation
import Testing
import TestSupport

/// Issue 14 item 5: in a chroot without /proc, Swift's runtime could not find argv (it reads
/// /proc/self/maps), so `onionboard providers list` ran the default wizard. The binaries now
/// take argv from the C library at start. Here /proc is hidden under a tmpfs in a private
/// mount namespace (unshare), the way a chroot without /proc looks; the chroot itself is
/// tried by scripts/test-packages.
@Suite("arguments without /proc")
struct ArgumentsWithoutProcTests {
    static let unshare = "/usr/bin/unshare"
    /// Runs `program arguments…` with an empty /proc; nil where namespaces are not allowed.
    static func runWithoutProc(_ program: URL, _ arguments: [String]) throws -> BinaryRun? {
        let probe = try BinaryRun.run(["--mount", "--fork", "sh", "-c", "mount -t tmpfs none /proc && test ! -e /proc/self"],
                                      binary: URL(fileURLWithPath: unshare))
        guard probe.status == 0 else { return nil }
        return try BinaryRun.run(["--mount", "--fork", "sh", "-c", "mount -t tmpfs none /proc && exec \"$0\" \"$@\"", program.path]
                                 + arguments, binary: URL(fileURLWithPath: unshare))
    }

    static var canHideProc: Bool { getuid() == 0 && FileManager.default.isExecutableFile(atPath: unshare) }

    @Test("providers list lists providers with /proc hidden",
          .enabled(if: canHideProc || TestSupport.isCI, "needs root and unshare(1)"))
    func providersListWithoutProc() throws {
        let run = try #require(try Self.runWithoutProc(TestSupport.onionboardBinary, ["providers", "list", "--json"]),
                               "cannot hide /proc here (unshare --mount refused)")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("\"domain\" : \"jabjab.de\"") || run.stdout.contains("\"domain\":\"jabjab.de\""), "\(run.stdout)")
        #expect(!run.stdout.contains("Join the Tails support chat"))
    }

    @Test("a misspelt command is still a usage error with /proc hidden",
          .enabled(if: canHideProc || TestSupport.isCI, "needs root and unshare(1)"))
    func usageErrorWithoutProc() throws {
        let run = try #require(try Self.runWithoutProc(TestSupport.onionboardBinary, ["providrs"]),
                               "cannot hide /proc here (unshare --mount refused)")
        #expect(run.status == 64)
        #expect(run.stderr.contains("did you mean 'providers'"), "\(run.stderr)")
    }
}
