import Glibc
import Platform
import Testing

/// The small owner types that replace what full Foundation had (issue 14).
@Suite("Platform")
struct PlatformTests {
    @Test("Lock: two threads incrementing under the lock lose no update")
    func lockExcludes() {
        final class Counter: @unchecked Sendable {
            let lock = Lock()
            var value = 0
        }
        let counter = Counter()
        let done = ConditionVariable()
        nonisolated(unsafe) var finished = 0
        for _ in 0..<4 {
            Threads.detach(name: "lock test") {
                for _ in 0..<10_000 { counter.lock.withLock { counter.value += 1 } }
                done.withLock { finished += 1; done.broadcast() }
            }
        }
        done.withLock { while finished < 4 { done.wait() } }
        #expect(counter.value == 40_000)
    }

    @Test("ConditionVariable: a wait with a deadline times out, a signal ends it early")
    func conditionWaits() {
        let condition = ConditionVariable()
        let started = MonotonicInstant.now
        let signalled = condition.withLock { condition.wait(seconds: 0.2) }
        let waited = MonotonicInstant.now.seconds(since: started)
        #expect(!signalled)
        #expect(waited >= 0.19 && waited < 5)

        nonisolated(unsafe) var ready = false
        Threads.detach {
            Threads.sleep(seconds: 0.05)
            condition.withLock { ready = true; condition.signal() }
        }
        let woke = condition.withLock { () -> Bool in
            while !ready { if !condition.wait(seconds: 10) { return false } }
            return true
        }
        #expect(woke)
    }

    @Test("Threads: detached threads run, are named, and are not the main thread")
    func threadsRun() {
        let condition = ConditionVariable()
        nonisolated(unsafe) var name = ""
        nonisolated(unsafe) var wasMain: Bool?
        Threads.detach(name: "onionboard platform test") {
            // The kernel's name of this thread (what ps and top show).
            var buffer = [UInt8](repeating: 0, count: 32)
            let fd = open("/proc/thread-self/comm", O_RDONLY)
            let count = fd < 0 ? 0 : read(fd, &buffer, buffer.count)
            if fd >= 0 { close(fd) }
            condition.withLock {
                name = String(decoding: buffer.prefix(max(count, 0)).prefix { $0 != 10 }, as: UTF8.self)
                wasMain = Threads.isMain
                condition.signal()
            }
        }
        condition.withLock { while wasMain == nil { condition.wait(seconds: 10) } }
        #expect(wasMain == false)
        #expect(name == "onionboard plat")
    }

    @Test("Threads.sleep sleeps at least the time asked")
    func sleeps() {
        let started = MonotonicInstant.now
        Threads.sleep(seconds: 0.1)
        #expect(MonotonicInstant.now.seconds(since: started) >= 0.099)
    }

    @Test("ProcessArguments: the vector taken at start is the runtime's")
    func argumentsTaken() {
        #expect(!ProcessArguments.all.isEmpty)
        #expect(ProcessArguments.all == CommandLine.arguments)
    }
}

/// Programs run for their exit status (what Foundation's Process served for).
@Suite("QuietCommand")
struct QuietCommandTests {
    @Test("exit codes come back; no program, a signal or the deadline give nil")
    func statuses() {
        #expect(QuietCommand.exitStatus(["/bin/true"], within: 10) == 0)
        #expect(QuietCommand.exitStatus(["/bin/sh", "-c", "exit 3"], within: 10) == 3)
        #expect(QuietCommand.exitStatus(["/nonexistent/program"], within: 10) == nil)
        #expect(QuietCommand.exitStatus(["/bin/sh", "-c", "kill -TERM $$"], within: 10) == nil)
        let started = MonotonicInstant.now
        #expect(QuietCommand.exitStatus(["/bin/sleep", "30"], within: 0.3) == nil)
        #expect(MonotonicInstant.now.seconds(since: started) < 10)
        // Its output goes nowhere: a program writing a lot does not block on a full pipe.
        #expect(QuietCommand.exitStatus(["/bin/sh", "-c", "head -c 1000000 /dev/zero; echo done >&2"], within: 10) == 0)
    }
}
