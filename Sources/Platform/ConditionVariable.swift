import Glibc

/// A lock with a condition variable (what Foundation's NSCondition was): waiters sleep until
/// signalled or until a deadline on the monotonic clock, so a changed wall clock neither
/// wakes them early nor keeps them asleep. Owns its pthread mutex and condition.
public final class ConditionVariable: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init() {
        mutex.initialize(to: pthread_mutex_t())
        condition.initialize(to: pthread_cond_t())
        precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init failed")
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        precondition(pthread_cond_init(condition, &attributes) == 0, "pthread_cond_init failed")
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deinitialize(count: 1)
        mutex.deinitialize(count: 1)
        condition.deallocate()
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }

    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }

    /// Waits (the lock held) until signalled; may wake spuriously, as any condition wait.
    public func wait() { pthread_cond_wait(condition, mutex) }

    /// Waits (the lock held) until signalled or `deadline` passes; false when it passed.
    @discardableResult
    public func wait(until deadline: MonotonicInstant) -> Bool {
        var time = deadline.cTimespec
        return pthread_cond_timedwait(condition, mutex, &time) != ETIMEDOUT
    }

    /// Waits (the lock held) at most `seconds`; false when the time ran out.
    @discardableResult
    public func wait(seconds: Double) -> Bool {
        wait(until: MonotonicInstant.now.adding(seconds: seconds))
    }

    public func signal() { pthread_cond_signal(condition) }
    public func broadcast() { pthread_cond_broadcast(condition) }
}

/// A point on the monotonic clock (CLOCK_MONOTONIC), for deadlines of waits and sleeps.
public struct MonotonicInstant: Sendable, Comparable {
    /// Nanoseconds since an arbitrary start (boot).
    public let nanoseconds: UInt64

    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    public static var now: MonotonicInstant {
        var time = Glibc.timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return MonotonicInstant(nanoseconds: UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec))
    }

    public func adding(seconds: Double) -> MonotonicInstant {
        let delta = seconds.isFinite ? max(0, seconds) * 1e9 : Double(UInt64.max / 2)
        return MonotonicInstant(nanoseconds: nanoseconds &+ UInt64(min(delta, Double(UInt64.max / 2))))
    }

    /// Seconds from `earlier` to this instant (negative when it is earlier).
    public func seconds(since earlier: MonotonicInstant) -> Double {
        nanoseconds >= earlier.nanoseconds ? Double(nanoseconds - earlier.nanoseconds) / 1e9
                                           : -Double(earlier.nanoseconds - nanoseconds) / 1e9
    }

    var cTimespec: Glibc.timespec {
        Glibc.timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    }

    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
}

import FoundationEssentials

extension ConditionVariable {
    /// Waits (the lock held) until signalled or the wall-clock `date`, measured as the time
    /// left from now on the monotonic clock; false when it passed.
    @discardableResult
    public func wait(until date: Date) -> Bool {
        wait(seconds: date.timeIntervalSinceNow)
    }
}
