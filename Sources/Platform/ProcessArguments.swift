import CPlatform
import Glibc

/// The command line, read without /proc. Swift's runtime finds argv on Linux through
/// /proc/self/maps; where /proc is not mounted (a chroot) `CommandLine.arguments` would be
/// empty and every command would run as if none were given. CPlatform takes the
/// vector from the C library at start and hands it to the runtime (process_arguments.c).
public enum ProcessArguments {
    /// The arguments, program name first: what the C library handed over at start,
    /// else the runtime's own view.
    public static var all: [String] {
        let count = Int(cprocess_arguments_count())
        guard count > 0 else { return CommandLine.arguments }
        return (0..<count).map { index in
            cprocess_argument(Int32(index)).map { String(cString: $0) } ?? ""
        }
    }

    /// The arguments after the program name. Exits with a clear message (status 1) when
    /// the command line cannot be read at all, rather than running the default command.
    public static func afterProgramName(program: String) -> [String] {
        let arguments = all
        guard !arguments.isEmpty else {
            StandardStreams.writeError("\(program): cannot read its command-line arguments "
                + "(this system's C library did not pass them and /proc is not mounted); nothing was done.\n")
            exit(1)
        }
        return Array(arguments.dropFirst())
    }
}
