import CGtk
import FoundationEssentials
import Glibc
import Platform

/// A Swift closure handed to C as a `gpointer`: retained while C holds it, released by
/// the destroy notify C calls when it lets go (a finished idle source, a destroyed widget).
final class Callback {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }

    var retainedPointer: gpointer { Unmanaged.passRetained(self).toOpaque() }

    static func from(_ pointer: gpointer?) -> Callback { Unmanaged<Callback>.fromOpaque(pointer!).takeUnretainedValue() }

    /// The GDestroyNotify / GClosureNotify that releases it.
    static let release: @convention(c) (gpointer?) -> Void = { pointer in
        Unmanaged<Callback>.fromOpaque(pointer!).release()
    }
    static let releaseClosure: @convention(c) (gpointer?, UnsafeMutablePointer<GClosure>?) -> Void = { pointer, _ in
        Unmanaged<Callback>.fromOpaque(pointer!).release()
    }
}

/// The GTK main loop's thread. Every GTK call happens on it; other threads hand work
/// over with `post`, which queues a one-shot idle source (g_idle_add is thread-safe).
enum MainLoop {
    /// Runs `body` on the main loop's thread, soon, in order of posting.
    static func post(_ body: @escaping @Sendable () -> Void) {
        g_idle_add_full(G_PRIORITY_DEFAULT, { data in
            Callback.from(data).body()
            return 0 // G_SOURCE_REMOVE: once
        }, Callback(body).retainedPointer, Callback.release)
    }

    static var isCurrent: Bool { Threads.isMain }
}

/// A repeating timer on the main loop (the elapsed-time display); removed when released.
final class RepeatingTimer {
    private var source: guint = 0

    init(seconds: UInt32, _ body: @escaping () -> Void) {
        source = g_timeout_add_seconds_full(G_PRIORITY_DEFAULT, seconds, { data in
            Callback.from(data).body()
            return 1 // G_SOURCE_CONTINUE
        }, Callback(body).retainedPointer, Callback.release)
    }

    deinit {
        if source != 0 { g_source_remove(source) }
    }
}

/// The value a page's person gives back, handed from the main thread to the waiting worker.
final class Reply<Value>: @unchecked Sendable {
    private let condition = ConditionVariable()
    private var value: Value?

    /// The first value wins; a second click on an already answered page is ignored.
    func give(_ value: Value) {
        condition.lock()
        defer { condition.unlock() }
        guard self.value == nil else { return }
        self.value = value
        condition.signal()
    }

    /// Blocks the worker until the person answers (a cancel ends the process instead).
    func wait() -> Value {
        condition.lock()
        defer { condition.unlock() }
        while value == nil { condition.wait() }
        return value!
    }
}
