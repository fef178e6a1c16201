import Frontends
import ArgumentParser

/// Parses `--tor-socks HOST:PORT` (the last colon splits, so `[::1]:9050` works); one
/// parser for every command that takes the flag.
func parseTorSOCKS(_ text: String) throws -> (host: String, port: UInt16) {
    guard let colon = text.lastIndex(of: ":"), colon != text.startIndex,
          let port = UInt16(text[text.index(after: colon)...]) else {
        throw ValidationError("--tor-socks must look like HOST:PORT, e.g. 127.0.0.1:9050")
    }
    return (String(text[..<colon]), port)
}
