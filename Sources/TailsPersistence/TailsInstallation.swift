import Diagnostics
import FoundationEssentials
import Glibc
import Platform
import Vocabulary

/// onionboard in Tails' Persistent Storage: the two programs and the two desktop entries
/// kept by the "Dotfiles" feature (`…/TailsData_unlocked/dotfiles`, linked into
/// /home/amnesia at every unlock) and linked into the home directory now, the way Tails
/// links them, so they work before the next restart too. What was added is recorded in the
/// Dotfiles (`.local/share/onionboard/tails-install.json`) so that `uninstall` removes
/// exactly that. Installing twice changes nothing the second time.
public struct TailsInstallation {
    /// What goes where, relative to the home directory.
    public struct Item: Sendable, Equatable {
        public let relativePath: String
        public let mode: mode_t
        public let contents: Contents

        public enum Contents: Sendable, Equatable {
            /// A program copied from this path.
            case program(String)
            case text(String)
        }
    }

    /// The record of an installation, in the Dotfiles.
    struct Record: Codable, Equatable {
        var version = 1
        /// Files written into the Dotfiles (and linked into the home), relative to the home.
        var files: [String] = []
        /// Directories onionboard made, relative to the Dotfiles / to the home.
        var dotfilesDirectories: [String] = []
        var homeDirectories: [String] = []
    }

    public static let recordPath = ".local/share/onionboard/tails-install.json"

    public let layout: TailsLayout

    public init(layout: TailsLayout) {
        self.layout = layout
    }

    /// The programs (`onionboard`, `onionboard-gtk` from `programDirectory`) and the entries
    /// (bundled copies of Templates/*.desktop, starting the installed window by its path).
    public static func items(programDirectory: String) -> [Item] {
        let window = TailsLayout.homeOnTails + "/.local/bin/onionboard-gtk"
        return [
            Item(relativePath: ".local/bin/onionboard", mode: 0o755, contents: .program(Paths.join(programDirectory, "onionboard"))),
            Item(relativePath: ".local/bin/onionboard-gtk", mode: 0o755, contents: .program(Paths.join(programDirectory, "onionboard-gtk"))),
            Item(relativePath: ".config/autostart/onionboard-bootstrap.desktop", mode: 0o644,
                 contents: .text(DesktopEntries.bootstrap(window: window))),
            Item(relativePath: ".local/share/applications/onionboard.desktop", mode: 0o644,
                 contents: .text(DesktopEntries.menu(window: window))),
        ]
    }

    // MARK: Checks

    /// Why installing cannot start here: not Tails, the Persistent Storage locked, a feature off.
    public func check() throws(TailsInstallError) -> FeatureStates {
        guard FileManager.default.fileExists(atPath: layout.versionFile) else { throw .notTails(layout.versionFile) }
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: layout.persistenceRoot, isDirectory: &isDirectory), isDirectory else {
            throw .persistentStorageLocked(layout.persistenceRoot)
        }
        let states = FeatureStates.read(layout)
        var off: [PersistenceFeature] = []
        for feature in PersistenceFeature.allCases {
            switch states[feature] {
            case .on: continue
            case .off: off.append(feature)
            case .unknown:
                // Not told: Dotfiles is at work when its directory is there (tps makes it on activation).
                if feature == .dotfiles, FileManager.default.fileExists(atPath: layout.dotfiles) { continue }
                if feature == .dotfiles { off.append(feature) }
            }
        }
        guard off.isEmpty else { throw .featuresOff(off, source: states.source) }
        return states
    }

    // MARK: Install

    public func install(_ items: [Item]) throws(TailsInstallError) -> [TailsInstallReport.Change] {
        var record = loadRecord() ?? Record()
        var changes: [TailsInstallReport.Change] = []
        // Everything is checked before anything is written: a file in the way stops the install
        // with nothing changed.
        for item in items {
            if case .program(let source) = item.contents, !FileManager.default.isExecutableFile(atPath: source) {
                throw .programMissing(source)
            }
            try checkLinkPlace(for: item.relativePath)
        }
        if !FileManager.default.fileExists(atPath: layout.dotfiles) {
            // Dotfiles is on (checked) but tps has not made its directory yet: make it as tps would.
            try makeDirectory(layout.dotfiles)
        }
        for item in items {
            let made = try makeDirectories(Paths.parent(of: item.relativePath), under: layout.dotfiles)
            record.dotfilesDirectories += made.filter { !record.dotfilesDirectories.contains($0) }
            let target = Paths.join(layout.dotfiles, item.relativePath)
            let state = try write(item, to: target)
            changes.append(.init(path: target, change: state))
            let madeInHome = try makeDirectories(Paths.parent(of: item.relativePath), under: layout.home)
            record.homeDirectories += madeInHome.filter { !record.homeDirectories.contains($0) }
            let link = Paths.join(layout.home, item.relativePath)
            changes.append(.init(path: link, change: try makeLink(link, to: target)))
            if !record.files.contains(item.relativePath) { record.files.append(item.relativePath) }
        }
        let made = try makeDirectories(Paths.parent(of: Self.recordPath), under: layout.dotfiles)
        record.dotfilesDirectories += made.filter { !record.dotfilesDirectories.contains($0) }
        try saveRecord(record)
        return changes
    }

    // MARK: Uninstall

    /// Removes what the record says was added; nil when there is no record (nothing to do).
    public func uninstall() throws(TailsInstallError) -> [TailsInstallReport.Change]? {
        guard let record = loadRecord() else { return nil }
        var changes: [TailsInstallReport.Change] = []
        for relative in record.files.reversed() + [Self.recordPath] {
            let target = Paths.join(layout.dotfiles, relative)
            let link = Paths.join(layout.home, relative)
            if isOurLink(link, to: target, relative: relative) {
                guard unlink(link) == 0 || errno == ENOENT else { throw .cannotWrite(link, SystemErrorText.text(of: errno)) }
                changes.append(.init(path: link, change: .removed))
            }
            if lstatMode(target) != nil {
                guard unlink(target) == 0 || errno == ENOENT else { throw .cannotWrite(target, SystemErrorText.text(of: errno)) }
                changes.append(.init(path: target, change: .removed))
            }
        }
        // Directories onionboard made, deepest first, where empty; Tails mirrors the Dotfiles'
        // directories into the home at unlock, so those count in the home too.
        let homeDirectories = Set(record.homeDirectories + record.dotfilesDirectories)
        for (root, relatives) in [(layout.dotfiles, Set(record.dotfilesDirectories)), (layout.home, homeDirectories)] {
            for relative in relatives.sorted(by: { $0.count > $1.count }) {
                let directory = Paths.join(root, relative)
                if rmdir(directory) == 0 { changes.append(.init(path: directory, change: .removed)) }
            }
        }
        return changes
    }

    // MARK: Pieces

    private func checkLinkPlace(for relative: String) throws(TailsInstallError) {
        let link = Paths.join(layout.home, relative)
        guard let mode = lstatMode(link) else { return }
        if mode & S_IFMT == S_IFLNK { return }  // a link is replaced by ours (Tails does the same)
        throw .inTheWay(link)
    }

    /// Whether `link` is a symbolic link to `target` (directly, through Tails' own
    /// /run/nosymfollow view of the volume, or resolving to the same file).
    private func isOurLink(_ link: String, to target: String, relative: String) -> Bool {
        guard let mode = lstatMode(link), mode & S_IFMT == S_IFLNK,
              let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: link) else { return false }
        if destination == target || destination.hasSuffix("/live/persistence/TailsData_unlocked/dotfiles/" + relative) { return true }
        return realPath(link) != nil && realPath(link) == realPath(target)
    }

    private func makeLink(_ link: String, to target: String) throws(TailsInstallError) -> TailsInstallReport.Change.Kind {
        if let mode = lstatMode(link) {
            if mode & S_IFMT == S_IFLNK, (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == target {
                return .unchanged
            }
            guard mode & S_IFMT == S_IFLNK else { throw .inTheWay(link) }
            guard unlink(link) == 0 else { throw .cannotWrite(link, SystemErrorText.text(of: errno)) }
            guard symlink(target, link) == 0 else { throw .cannotWrite(link, SystemErrorText.text(of: errno)) }
            return .updated
        }
        guard symlink(target, link) == 0 else { throw .cannotWrite(link, SystemErrorText.text(of: errno)) }
        return .created
    }

    /// Writes `item` to `path` unless it holds exactly that already: a temporary file in the
    /// same directory, its mode, fsync, rename over the old one, fsync of the directory.
    private func write(_ item: Item, to path: String) throws(TailsInstallError) -> TailsInstallReport.Change.Kind {
        let bytes: [UInt8]
        switch item.contents {
        case .text(let text): bytes = Array(text.utf8)
        case .program(let source):
            if let sourceFile = fileIdentity(source), sourceFile == fileIdentity(path) {
                return .unchanged  // installing from the installed copy
            }
            do { bytes = try FileContents.read(source, upTo: 512 << 20) } catch { throw .programMissing(source) }
        }
        let existing = lstatMode(path)
        if let existing, existing & S_IFMT == S_IFREG, existing & 0o7777 == item.mode,
           let old = try? FileContents.read(path, upTo: bytes.count + 1), old == bytes {
            return .unchanged
        }
        if let existing, existing & S_IFMT != S_IFREG { throw .inTheWay(path) }
        let directory = Paths.parent(of: path)
        var template = Array(Paths.join(directory, ".onionboard-XXXXXX").utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw .cannotWrite(directory, SystemErrorText.text(of: errno)) }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var failure: Int32 = 0
        if fchmod(fd, item.mode) != 0 { failure = errno }
        if failure == 0, !StandardStreams.write(bytes, to: fd) { failure = errno == 0 ? EIO : errno }
        if failure == 0, fsync(fd) != 0 { failure = errno }
        close(fd)
        if failure == 0, rename(temporary, path) != 0 { failure = errno }
        guard failure == 0 else {
            unlink(temporary)
            throw .cannotWrite(path, SystemErrorText.text(of: failure))
        }
        let directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryDescriptor >= 0 { fsync(directoryDescriptor); close(directoryDescriptor) }
        return existing == nil ? .created : .updated
    }

    /// Makes `relative` (and its parents) under `root`, 0700 as tps makes them; the ones it made.
    private func makeDirectories(_ relative: String, under root: String) throws(TailsInstallError) -> [String] {
        var made: [String] = []
        var current = ""
        for component in relative.split(separator: "/") {
            current = current.isEmpty ? String(component) : current + "/" + component
            let path = Paths.join(root, current)
            if let mode = lstatMode(path) {
                guard mode & S_IFMT == S_IFDIR || (mode & S_IFMT == S_IFLNK && isDirectory(path)) else { throw .inTheWay(path) }
                continue
            }
            try makeDirectory(path)
            made.append(current)
        }
        return made
    }

    private func makeDirectory(_ path: String) throws(TailsInstallError) {
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else { throw .cannotWrite(path, SystemErrorText.text(of: errno)) }
    }

    private func loadRecord() -> Record? {
        guard let bytes = try? FileContents.read(Paths.join(layout.dotfiles, Self.recordPath), upTo: 1 << 20) else { return nil }
        return try? JSONDecoder().decode(Record.self, from: Data(bytes))
    }

    private func saveRecord(_ record: Record) throws(TailsInstallError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(record) else { throw .cannotWrite(Self.recordPath, "cannot encode the record") }
        let item = Item(relativePath: Self.recordPath, mode: 0o600, contents: .text(String(decoding: data, as: UTF8.self) + "\n"))
        _ = try write(item, to: Paths.join(layout.dotfiles, Self.recordPath))
    }

    private func lstatMode(_ path: String) -> mode_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode : nil
    }

    private func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    private func fileIdentity(_ path: String) -> [UInt64]? {
        var info = stat()
        return stat(path, &info) == 0 ? [UInt64(info.st_dev), UInt64(info.st_ino)] : nil
    }

    private func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// What `tails install` did, for the text and `--json` reports.
public struct TailsInstallReport: Encodable, Sendable {
    public struct Change: Encodable, Sendable, Equatable {
        public enum Kind: String, Encodable, Sendable { case created, updated, unchanged, removed }
        public let path: String
        public let change: Kind
    }

    public let action: String
    public let changes: [Change]
    public let features: [String: String]
    public let featuresFrom: String

    public init(action: String, changes: [Change], states: FeatureStates?) {
        self.action = action
        self.changes = changes
        features = Dictionary(uniqueKeysWithValues: PersistenceFeature.allCases.map { feature in
            let state: String = switch states?[feature] {
            case .on?: "on"
            case .off?: "off"
            case .unknown(let why)?: "unknown: \(why)"
            case nil: "not checked"
            }
            return (feature.settingName, state)
        })
        featuresFrom = states?.source.rawValue ?? "none"
    }
}

public enum TailsInstallError: ClassifiedError, Equatable {
    case notTails(String)
    case persistentStorageLocked(String)
    case featuresOff([PersistenceFeature], source: FeatureStates.Source)
    case programMissing(String)
    case inTheWay(String)
    case cannotWrite(String, String)

    public var category: ErrorCategory {
        switch self {
        case .notTails, .persistentStorageLocked, .featuresOff, .programMissing: .missingInput
        case .inTheWay, .cannotWrite: .cannotWrite
        }
    }

    public var description: String {
        switch self {
        case .notTails(let marker):
            "this is not Tails (\(marker) is missing); `tails install` puts onionboard into Tails' Persistent Storage. "
                + "Elsewhere install the package (apt-get install ./onionboard_…_amd64.deb)"
        case .persistentStorageLocked(let root):
            "the Persistent Storage is not unlocked (\(root) is missing): restart Tails, unlock it at the Welcome Screen, "
                + "then run `onionboard tails install` again"
        case .featuresOff(let features, let source):
            features.map { feature in
                "turn on \"\(feature.settingName)\" in Applications ▸ Tails ▸ Persistent Storage (it keeps \(feature.keeps))"
                    + (feature == .pidgin ? "; close Pidgin first, the switch waits for it" : "")
            }.joined(separator: "; ") + ", then run `onionboard tails install` again"
                + (source == .none ? " (Tails' persistence configuration could not be read, so this is what is missing)" : "")
        case .programMissing(let path):
            "\(path) is missing: `tails install` copies onionboard and onionboard-gtk from the directory it runs from; "
                + "unpack the package (dpkg-deb -x onionboard_…_amd64.deb DIR) and run DIR/usr/bin/onionboard tails install"
        case .inTheWay(let path):
            "\(path) is in the way (not a link onionboard made); move it elsewhere and run `onionboard tails install` again"
        case .cannotWrite(let path, let reason):
            "cannot write \(path): \(reason)"
        }
    }
}
