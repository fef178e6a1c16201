import CPlatform
import Glibc

/// Threads without Foundation's Thread: a detached pthread that runs one closure, a sleep
/// that resumes after signals, and whether the caller is the process's main thread.
public enum Threads {
    /// Starts `body` on a new detached thread named `name` (the first 15 bytes show in ps/top),
    /// with `stackSize` bytes of stack when given (else the system's default).
    /// Stops the process if no thread can be created (the system is out of threads).
    public static func detach(name: String? = nil, stackSize: Int? = nil, _ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(ThreadBody(name: name, body: body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        if let stackSize { pthread_attr_setstacksize(&attributes, stackSize) }
        var thread = pthread_t()
        let result = pthread_create(&thread, &attributes, { argument in
            let start = Unmanaged<ThreadBody>.fromOpaque(argument!).takeRetainedValue()
            if let name = start.name { _ = cplatform_set_thread_name(name) }
            start.body()
            return nil
        }, box)
        guard result == 0 else {
            Unmanaged<ThreadBody>.fromOpaque(box).release()
            fatalError("cannot start a thread: \(String(cString: strerror(result)))")
        }
        pthread_detach(thread)
    }

    /// Sleeps `seconds` (resuming after a signal until the time is up).
    public static func sleep(seconds: Double) {
        guard seconds > 0 else { return }
        let whole = seconds.rounded(.down)
        var request = timespec(tv_sec: Int(min(whole, Double(Int32.max))), tv_nsec: Int((seconds - whole) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    /// Whether the caller runs on the process's main thread (its thread id is the process id).
    public static var isMain: Bool { getpid() == cplatform_thread_id() }
}

private final class ThreadBody {
    let name: String?
    let body: @Sendable () -> Void
    init(name: String?, body: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
    }
}
