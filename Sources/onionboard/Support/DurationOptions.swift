import ArgumentParser
import Vocabulary
import XMPPOverTor

/// Every duration flag goes through `Seconds` (finite, positive, at most an hour): a bad
/// one is a usage error (exit 64) naming the flag.
func validateDurations(_ flags: [(flag: String, seconds: Double)]) throws {
    for (flag, seconds) in flags {
        if let problem = Seconds.problem(seconds) { throw ValidationError("\(flag): \(problem)") }
    }
}

/// The deadlines of the network phases, the same flags for every command that goes to a
/// server (so the advice in a timeout message names flags the command accepts).
struct NetworkDeadlineOptions: ParsableArguments {
    @Option(name: .customLong("connect-timeout"), help: ArgumentHelp(
        "Seconds to connect to Tor and reach the server through it, circuit building included (at most 3600).",
        valueName: "seconds"))
    var connectTimeout: Double = Timeouts().connect

    @Option(name: .customLong("tls-timeout"), help: ArgumentHelp("Seconds for the TLS handshake.", valueName: "seconds"))
    var tlsTimeout: Double = Timeouts().tlsHandshake

    @Option(name: .customLong("reply-timeout"), help: ArgumentHelp("Seconds to wait for each server reply.", valueName: "seconds"))
    var replyTimeout: Double = Timeouts().reply

    func validate() throws {
        try validateDurations([("--connect-timeout", connectTimeout), ("--tls-timeout", tlsTimeout),
                               ("--reply-timeout", replyTimeout)])
    }

    var timeouts: Timeouts { Timeouts(connect: connectTimeout, tlsHandshake: tlsTimeout, reply: replyTimeout) }
}
