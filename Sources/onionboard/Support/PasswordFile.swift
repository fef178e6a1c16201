import Secrets

/// `--password-file FILE|-`: the password, and a warning on standard error when it is short.
/// Missing or unopenable files exit 66, empty/directory/over-long ones 65 (`SecretInputError`).
func readPasswordFile(_ path: String) throws -> SecretBytes {
    let password = try SecretBytes.read(path: path)
    if let warning = password.shortPasswordWarning { Console.err("onionboard: warning: \(warning)") }
    return password
}
