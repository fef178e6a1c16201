import FoundationEssentials
import Glibc
import Vocabulary
import Localization

/// Where to keep a password on this machine, for the final screen: the password
/// manager Tails ships (GNOME Secrets since Tails 7.6, KeePassXC before), or any.
public enum PasswordAdvice {
    public static func text(tailsVersionFile: String = TailsLayout(environment: ProcessInfo.processInfo.environment).versionFile) -> String {
        guard let version = try? String(contentsOfFile: tailsVersionFile, encoding: .utf8) else {
            return translated("Keep it in a password manager if you want to use the account elsewhere.")
        }
        // "7.6 - 20260326" on the first line.
        let numbers = version.prefix { $0 != " " && $0 != "\n" }.split(separator: ".").compactMap { Int($0) }
        let secrets = numbers.count >= 2 && (numbers[0], numbers[1]) >= (7, 6) || (numbers.first ?? 0) > 7
        return secrets
            ? translated("Keep it in Secrets (GNOME Secrets, in Tails' Accessories menu), in your Persistent Storage, if you want to use the account elsewhere.")
            : translated("Keep it in KeePassXC, in your Persistent Storage, if you want to use the account elsewhere.")
    }
}

