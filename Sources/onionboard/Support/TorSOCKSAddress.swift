import ArgumentParser
import Vocabulary

/// Parses `--tor-socks ADDRESS:PORT` with the one host:port parser (`HostPort`): IP
/// literals only, `localhost` as 127.0.0.1, `[::1]:9050` for IPv6.
func parseTorSOCKS(_ text: String) throws -> HostPort {
    do {
        return try HostPort(parsing: text)
    } catch {
        throw ValidationError("--tor-socks: \(error)")
    }
}
