import Vocabulary
import FoundationEssentials
import Localization
import Platform

/// Passes a run's events on, and in a slow phase (over Tor: seconds to minutes with
/// nothing to show) says at least every `every` seconds what the run still waits for
/// and for how long. Quiet while the person answers a question.
final class Heartbeat: @unchecked Sendable {
    private let every: Double
    private let events: @Sendable (RunEvent) -> Void
    private let condition = ConditionVariable()
    /// The last event that started a phase, when it came, and when a line was last shown.
    private var phase: RunEvent?
    private var phaseStarted = Date()
    private var lastLine = Date()
    private var asking = 0
    private var stopped = false

    init(every: Double, events: @escaping @Sendable (RunEvent) -> Void) {
        self.every = every
        self.events = events
        Threads.detach(name: "heartbeat") { [weak self] in self?.beat() }
    }

    func send(_ event: RunEvent) {
        condition.lock()
        let now = Date()
        if event.waitingFor != nil {
            phase = event
            phaseStarted = now
        }
        lastLine = now
        condition.unlock()
        events(event)
    }

    /// Runs `body` (a question to the person) with the heartbeat silent; the phase's
    /// clock starts again afterwards.
    func whileAsking<T>(_ body: () throws -> T) rethrows -> T {
        condition.lock()
        asking += 1
        condition.unlock()
        defer {
            condition.lock()
            asking -= 1
            phaseStarted = Date()
            lastLine = phaseStarted
            condition.unlock()
        }
        return try body()
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func beat() {
        condition.lock()
        defer { condition.unlock() }
        while !stopped {
            let due = lastLine.addingTimeInterval(every)
            if Date() < due {
                _ = condition.wait(until: due)
                continue
            }
            guard asking == 0, let what = phase?.waitingFor else {
                // Nothing to say now: look again a whole interval later.
                lastLine = Date()
                continue
            }
            lastLine = Date()
            let line = RunEvent.stillWorking(what, seconds: Int(lastLine.timeIntervalSince(phaseStarted)))
            condition.unlock()
            events(line)
            condition.lock()
        }
    }
}

extension RunEvent {
    /// What a slow phase that this event starts waits for ("reaching …"), for the
    /// heartbeat's "Still …" lines; nil for events that end a phase or only inform.
    var waitingFor: String? {
        switch self {
        // Translators: these complete "Still … (12 s so far)".
        case .connectingToTor(let socks): translated("connecting to Tor at \(socks)")
        case .reachingOnion(let host, _): translated("reaching \(Self.shortOnion(host)) through Tor (a new circuit can take a minute or more)")
        case .securing: translated("securing the connection")
        case .registering(let jid): translated("waiting for the server to create \(jid)")
        case .verifying(let jid): translated("logging in as \(jid)")
        case .storingBookmark(let room): translated("bookmarking \(room) on the server")
        case .checkingRoom(let room): translated("waiting for the room \(room) to answer (it may be on another server)")
        case .resumingAccount(let jid): translated("finishing \(jid)")
        case .accountCreated(let jid, _): translated("logging in as \(jid)")
        case .captchaRetry: translated("fetching a new CAPTCHA")
        case .reached, .certificate: translated("talking to the server")
        case .waitingForTor, .stillWorking, .usernameTaken, .bookmarkWarning, .writingProfile, .note, .checkingProviders,
             .roomStatus: nil
        }
    }
}
