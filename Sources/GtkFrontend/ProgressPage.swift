import CGtk
import FoundationEssentials
import Vocabulary
import Wizard
import Localization

/// The phases of the run so far, each with when it began and ended (main thread only).
struct PhaseLog {
    struct Phase {
        var text: String
        var kind: String
        var started: Date
        var ended: Date?
    }

    private(set) var phases: [Phase] = []

    /// A new phase ends the current one. A repeated "still waiting for Tor" updates its
    /// line instead of adding one.
    mutating func record(_ event: RunEvent, at time: Date = Date()) {
        if let last = phases.last, last.kind == event.phase, event.phase == "wait-tor" || event.phase == "check" {
            phases[phases.count - 1].text = event.description
            return
        }
        if !phases.isEmpty, phases[phases.count - 1].ended == nil { phases[phases.count - 1].ended = time }
        phases.append(Phase(text: event.description, kind: event.phase, started: time))
    }

    /// The run stopped waiting (a question, the end): the current phase ends.
    mutating func pause(at time: Date = Date()) {
        if !phases.isEmpty, phases[phases.count - 1].ended == nil { phases[phases.count - 1].ended = time }
    }

    /// The run waits for Tor to be connected (bootstrap at login).
    var isWaitingForTor: Bool { phases.last.map { $0.kind == "wait-tor" && $0.ended == nil } ?? false }
    /// The run checks the providers over Tor before it asks which one (the wizard's start).
    var isCheckingProviders: Bool { phases.last.map { $0.kind == "check" && $0.ended == nil } ?? false }

    static func duration(_ seconds: TimeInterval) -> String {
        let whole = max(0, Int(seconds.rounded(.down)))
        return whole < 60 ? translated("\(whole) s") : translated("\(whole / 60) min \((whole % 60).zeroPadded(width: 2)) s")
    }
}

/// The progress page: one line per phase with its elapsed time, the running one with a
/// spinner and a clock that ticks every second.
final class ProgressPage {
    let content: Widget
    private var clock: (label: Widget, started: Date)?
    private var timer: RepeatingTimer?

    init(_ log: PhaseLog) {
        content = Make.box(spacing: 10)
        content.pack(Make.label(log.isWaitingForTor
            ? translated("Tor is not connected yet. On Tails, connect to the Tor network with the Tor Connection assistant: this goes on by itself once Tor is ready.")
            : log.isCheckingProviders
            ? translated("Each provider is being reached through Tor, to show you which ones answer now and which let an app create an account. The list follows in a few seconds; providers still silent then are marked.")
            : translated("This takes from a few seconds to a minute or two: Tor builds a circuit to the provider's onion service first. You can cancel until the Pidgin profile is written."), dim: true))
        for phase in log.phases {
            let line = Make.box(vertical: false, spacing: 10)
            if phase.ended == nil {
                let spinner = Widget(gtk_spinner_new()).named(translated("Working"))
                gtk_spinner_start(spinner.cast())
                line.pack(spinner)
            } else {
                line.pack(Make.label("✓").named(translated("Done")))
            }
            let text = Make.label(phase.text)
            gtk_widget_set_hexpand(text.raw, 1)
            line.pack(text, expand: true)
            let elapsed = Make.label(PhaseLog.duration((phase.ended ?? Date()).timeIntervalSince(phase.started)))
            elapsed.named(translated("Elapsed"))
            gtk_widget_set_valign(elapsed.raw, GTK_ALIGN_START)
            line.pack(elapsed)
            content.pack(line)
            if phase.ended == nil { clock = (elapsed, phase.started) }
        }
        if clock != nil {
            timer = RepeatingTimer(seconds: 1) { [weak self] in self?.tick() }
        }
    }

    private func tick() {
        guard let clock else { return }
        gtk_label_set_text(clock.label.cast(), PhaseLog.duration(Date().timeIntervalSince(clock.started)))
    }
}
