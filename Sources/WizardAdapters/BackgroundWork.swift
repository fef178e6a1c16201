import Platform

// The only thread and lock primitives of the adapters live here, small, so that a change
// of the underlying API (Platform's threads and condition variable) touches this file alone.

/// Work on a thread of its own whose result is kept for whoever asks, with a bounded wait.
final class BackgroundTask<Value: Sendable>: @unchecked Sendable {
    private let condition = ConditionVariable()
    private var result: Result<Value, Error>?

    init(_ work: @escaping @Sendable () throws -> Value) {
        Threads.detach(name: "background") { [self] in
            let outcome = Result { try work() }
            condition.lock()
            result = outcome
            condition.broadcast()
            condition.unlock()
        }
    }

    /// The result once the work has ended, waiting at most `seconds`; nil while it runs.
    func result(waitingUpTo seconds: Double) -> Result<Value, Error>? {
        condition.lock()
        defer { condition.unlock() }
        if result == nil && seconds > 0 { _ = condition.wait(seconds: seconds) }
        return result
    }
}

/// At most `limit` pieces of work at a time (a counting semaphore): bounded concurrency
/// for live checks, so a long list of providers does not open dozens of Tor circuits at once.
final class WorkLimiter: @unchecked Sendable {
    private let condition = ConditionVariable()
    private var free: Int

    init(limit: Int) { free = max(1, limit) }

    /// Runs `body` once a slot is free.
    func run<Value>(_ body: () throws -> Value) rethrows -> Value {
        condition.lock()
        while free == 0 { condition.wait() }
        free -= 1
        condition.unlock()
        defer {
            condition.lock()
            free += 1
            condition.signal()
            condition.unlock()
        }
        return try body()
    }
}
