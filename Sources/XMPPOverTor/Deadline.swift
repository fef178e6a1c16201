import Glibc

/// A point in monotonic time by which a network phase must finish. Every blocking
/// wait in this module polls with the time left, so a silent peer cannot hold us
/// longer than the phase allows.
public struct Deadline: Sendable {
    /// Nanoseconds on CLOCK_MONOTONIC.
    let end: UInt64
    /// What the phase was doing, for the timeout message ("the TLS handshake").
    let phase: String
    let seconds: Double

    /// Longer waits are cut to this (a day), so no value can overflow the clock arithmetic;
    /// the commands allow at most an hour (`Seconds`).
    static let longest: Double = 86_400

    public init(seconds: Double, phase: String) {
        self.seconds = seconds
        self.phase = phase
        let bounded = seconds.isNaN ? 0 : min(max(seconds, 0), Deadline.longest)
        end = Deadline.now() &+ UInt64(bounded * 1_000_000_000)
    }

    private init(end: UInt64, phase: String, seconds: Double) {
        self.end = end
        self.phase = phase
        self.seconds = seconds
    }

    /// The same deadline for the next step of one phase (one budget, a new name for messages).
    func continued(as phase: String) -> Deadline {
        Deadline(end: end, phase: phase, seconds: seconds)
    }

    /// Seconds from `start` (a `now()` reading) to now.
    static func seconds(since start: UInt64) -> Double {
        let now = Deadline.now()
        return now > start ? Double(now - start) / 1_000_000_000 : 0
    }

    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Milliseconds left for `poll`, at least 0.
    var remainingMilliseconds: Int32 {
        let now = Deadline.now()
        guard end > now else { return 0 }
        return Int32(min((end - now) / 1_000_000 + 1, UInt64(Int32.max)))
    }

    var timeoutError: ConnectionError { .timedOut(phase: phase, seconds: seconds) }

    /// Throws the timeout once the deadline has passed.
    func check() throws {
        if Deadline.now() >= end { throw timeoutError }
    }

    /// This deadline, or `limit` when that ends first (a probe's overall deadline): its
    /// timeout then names the limit's seconds.
    func capped(by limit: Deadline?) -> Deadline {
        guard let limit, limit.end < end else { return self }
        return Deadline(end: limit.end, phase: phase, seconds: limit.seconds)
    }

    /// Seconds left, at least 0.
    public var secondsLeft: Double {
        let now = Deadline.now()
        return end > now ? Double(end - now) / 1_000_000_000 : 0
    }
}

/// How long each phase may take. Defaults suit Tor: reaching an onion service
/// (descriptor fetch, introduction, rendezvous) can take a minute on a cold circuit.
public struct Timeouts: Sendable {
    /// TCP connect to the SOCKS proxy plus the SOCKS exchange, including circuit building:
    /// one budget for both.
    public var connect: Double = 120
    /// The TLS handshake.
    public var tlsHandshake: Double = 60
    /// Each answer the XMPP server owes us.
    public var reply: Double = 60
    /// No phase ends after this (a probe's own deadline: one silent server cannot hold it
    /// longer, however many phases it has); nil: each phase only has its own.
    public var limit: Deadline?

    public init(connect: Double = 120, tlsHandshake: Double = 60, reply: Double = 60, limit: Deadline? = nil) {
        self.connect = connect
        self.tlsHandshake = tlsHandshake
        self.reply = reply
        self.limit = limit
    }

    /// A deadline of `seconds` for `phase`, cut to `limit`.
    func deadline(_ seconds: Double, _ phase: String) -> Deadline {
        Deadline(seconds: seconds, phase: phase).capped(by: limit)
    }
}
