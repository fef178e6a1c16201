import Foundation
import Glibc
@testable import Frontends
import Testing
import TestSupport

/// A private desktop for one test, as Tails tests its own: an X server (Xvfb), a session
/// D-Bus (the accessibility bus starts on it on demand), a window manager (metacity, of
/// GNOME's family), each stopped by its own PID. Its XDG directories are in a scratch
/// directory, so nothing touches the user's.
final class PrivateDesktop {
    let display: String
    let busAddress: String
    let scratch: URL
    private var processes: [Spawned] = []

    static let tools = ["/usr/bin/Xvfb", "/usr/bin/dbus-daemon", "/usr/bin/metacity", "/usr/bin/import", "/usr/bin/xprop",
                        "/usr/bin/xwininfo", "/usr/bin/python3", "/usr/libexec/at-spi-bus-launcher"]
    static var toolsAvailable: Bool {
        tools.allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
            && FileManager.default.fileExists(atPath: "/usr/lib/python3/dist-packages/pyatspi")
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    init() throws {
        scratch = try TestSupport.makeTemporaryDirectory("onionboard-desktop")
        for directory in ["home", "config", "cache", "data", "runtime"] {
            try FileManager.default.createDirectory(at: scratch.appendingPathComponent(directory), withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
        // -displayfd: Xvfb picks a free display itself and says which once it accepts clients.
        // -noreset: no reset when the last client leaves (a window opened then would fail).
        let announcement = scratch.appendingPathComponent("display")
        processes.append(try Spawned(["/usr/bin/Xvfb", "-displayfd", "1", "-screen", "0", "1024x768x24", "-nolisten", "tcp",
                                      "-noreset"], stdout: announcement))
        var number: String?
        try Self.waitFor("Xvfb to start", seconds: 10) {
            let text = (try? String(contentsOf: announcement, encoding: .utf8)) ?? ""
            if text.hasSuffix("\n") { number = text.trimmingCharacters(in: .whitespacesAndNewlines) }
            return number != nil
        }
        display = ":\(number!)"
        let socket = scratch.appendingPathComponent("bus")
        busAddress = "unix:path=\(socket.path)"
        // The bus starts the accessibility bus and its registry (which types the keys the
        // driver asks for, through XTest) with its own environment: it needs the display.
        var busEnvironment = baseEnvironment
        busEnvironment["DISPLAY"] = display
        processes.append(try Spawned(["/usr/bin/dbus-daemon", "--session", "--nofork", "--address=\(busAddress)"],
                                     environment: busEnvironment, stderr: scratch.appendingPathComponent("dbus.log")))
        try Self.waitFor("the session bus", seconds: 10) { FileManager.default.fileExists(atPath: socket.path) }
        // Without compositing: metacity's compositor under Xvfb sometimes left the screen showing a
        // page the window had already replaced (the window itself was right).
        processes.append(try Spawned(["/usr/bin/metacity", "--replace", "--no-composite", "--sm-disable"], environment: environment,
                                     stderr: scratch.appendingPathComponent("metacity.log")))
        try Self.waitFor("the window manager", seconds: 15) {
            (try? runCommand(["/usr/bin/env", "DISPLAY=\(self.display)", "xprop", "-root", "_NET_SUPPORTING_WM_CHECK"],
                                         timeout: 10).output.contains("window id")) ?? false
        }
    }

    private var baseEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ONIONBOARD_") && $0.key != "NO_AT_BRIDGE" }
            .filter { !BinaryRun.localeVariables.contains($0.key) } // English unless a test says otherwise
        environment.removeValue(forKey: "WAYLAND_DISPLAY")
        environment["HOME"] = scratch.appendingPathComponent("home").path
        environment["XDG_CONFIG_HOME"] = scratch.appendingPathComponent("config").path
        environment["XDG_CACHE_HOME"] = scratch.appendingPathComponent("cache").path
        environment["XDG_DATA_HOME"] = scratch.appendingPathComponent("data").path
        environment["XDG_STATE_HOME"] = scratch.appendingPathComponent("state").path
        environment["XDG_RUNTIME_DIR"] = scratch.appendingPathComponent("runtime").path
        environment["GSETTINGS_BACKEND"] = "memory"
        environment["LANG"] = "C.UTF-8"
        return environment
    }

    /// What a program on this desktop runs with.
    var environment: [String: String] {
        var environment = baseEnvironment
        environment["DISPLAY"] = display
        environment["DBUS_SESSION_BUS_ADDRESS"] = busAddress
        return environment
    }

    static func waitFor(_ what: String, seconds: TimeInterval, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while try !condition() {
            guard Date() < deadline else { throw Failure("timed out waiting for \(what)") }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Stops the window manager, the bus (the accessibility bus it started ends with it)
    /// and the X server, newest first, each by its PID.
    func stop() {
        for process in processes.reversed() { process.stop() }
        processes = []
        try? FileManager.default.removeItem(at: scratch)
    }

    static let artifacts = TestSupport.packageRoot.appendingPathComponent("artifacts/gtk")

    /// The whole screen as a PNG under artifacts/gtk/.
    @discardableResult
    func screenshot(_ path: String) throws -> URL {
        let file = Self.artifacts.appendingPathComponent("\(path).png")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = try runCommand(["/usr/bin/env", "DISPLAY=\(display)", "import", "-window", "root", file.path], timeout: 30)
        return file
    }
}

/// What the driver saw on a page (testbed/gtk-driver's answer to `page`).
struct PageView: Decodable {
    struct Button: Decodable {
        let name: String
        let sensitive: Bool
    }

    struct Entry: Decodable {
        let name: String
        let text: String?
    }

    let heading: String?
    let texts: [String]
    let buttons: [Button]
    let entries: [Entry]
    /// Roles of controls without an accessible name.
    let unnamed: [String]
    /// Other windows above ours that overlap it.
    let covered: [String]
    let frame: String?

    func entry(_ name: String) -> String? { entries.first { $0.name == name }?.text }
    func has(_ button: String) -> Bool { buttons.contains { $0.name == button } }
    func shows(_ text: String) -> Bool { texts.contains { $0.contains(text) } }
}

/// testbed/gtk-driver: finds the window's widgets through AT-SPI by role and accessible
/// name, presses, types, reads. One JSON command per line over a pipe.
final class WindowDriver {
    private let child: ChildProcess
    private var buffer: [UInt8] = []

    static let program = TestSupport.packageRoot.appendingPathComponent("testbed/gtk-driver").path

    init(appPID: pid_t, desktop: PrivateDesktop) throws {
        child = try ChildProcess(["/usr/bin/env", "DISPLAY=\(desktop.display)", "DBUS_SESSION_BUS_ADDRESS=\(desktop.busAddress)",
                                  "PATH=/usr/bin:/bin", Self.program, String(appPID)], stdin: .pipe, stdout: .pipe)
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Sends one command; its answer, or a Failure with the driver's error.
    @discardableResult
    func send(_ command: [String: Any], timeout: TimeInterval = 30) throws -> Data {
        var command = command
        command["timeout"] = command["timeout"] ?? timeout
        var line = try JSONSerialization.data(withJSONObject: command)
        line.append(UInt8(ascii: "\n"))
        guard let input = child.input else { throw Failure(description: "the driver's input is closed") }
        _ = line.withUnsafeBytes { Glibc.write(input, $0.baseAddress, $0.count) }
        let answer = try readLine(deadline: Date().addingTimeInterval(timeout + 30))
        let object = try JSONSerialization.jsonObject(with: answer) as? [String: Any]
        guard object?["ok"] as? Bool == true else {
            throw Failure(description: "\(command["op"] ?? "?"): \(object?["error"] ?? String(decoding: answer, as: UTF8.self))")
        }
        return answer
    }

    private func readLine(deadline: Date) throws -> Data {
        guard let output = child.output else { throw Failure(description: "the driver's output is closed") }
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Data(buffer[..<newline])
                buffer.removeSubrange(...newline)
                return line
            }
            var poller = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            let wait = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
            guard wait > 0, poll(&poller, 1, wait) > 0 else { throw Failure(description: "the driver did not answer in time") }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { Glibc.read(output, $0.baseAddress, $0.count) }
            guard count > 0 else { throw Failure(description: "the driver ended") }
            buffer += chunk[..<count]
        }
    }

    func close() {
        child.closeInput()
        child.wait()
    }
}

/// onionboard run (or bootstrap) on a private desktop, handed over to onionboard-gtk,
/// with the driver attached; screenshots numbered per test in artifacts/gtk/<name>/.
final class WindowRun {
    let desktop: PrivateDesktop
    let process: Spawned
    let stdout: URL
    let stderr: URL
    private(set) var driver: WindowDriver!
    let name: String
    private var shots = 0
    /// Every page seen, by heading, in order.
    private(set) var seen: [String] = []

    /// - Parameter environment: variables to set besides the desktop's (a language).
    init(_ name: String, arguments: [String], desktop: PrivateDesktop, program: URL = TestSupport.onionboardBinary,
         environment: [String: String] = [:]) throws {
        self.name = name
        self.desktop = desktop
        stdout = desktop.scratch.appendingPathComponent("\(name).stdout")
        stderr = desktop.scratch.appendingPathComponent("\(name).stderr")
        process = try Spawned([program.path] + arguments, environment: desktop.environment.merging(environment) { $1 },
                              stdout: stdout, stderr: stderr)
        driver = try WindowDriver(appPID: process.pid, desktop: desktop)
        // This run's screenshots replace an earlier run's.
        try? FileManager.default.removeItem(at: PrivateDesktop.artifacts.appendingPathComponent(name))
    }

    var output: String {
        ((try? String(contentsOf: stdout, encoding: .utf8)) ?? "") + ((try? String(contentsOf: stderr, encoding: .utf8)) ?? "")
    }

    /// Waits for a page whose heading contains `heading`, screenshots it, and checks what
    /// every page must be: not covered by another window, every control named.
    @discardableResult
    func page(_ heading: String? = nil, shot: String? = nil, timeout: TimeInterval = 30,
              sourceLocation: SourceLocation = #_sourceLocation) throws -> PageView {
        var command: [String: Any] = ["op": "page"]
        if let heading { command["heading"] = heading }
        let view = try JSONDecoder().decode(PageView.self, from: try driver.send(command, timeout: timeout))
        seen.append(view.heading ?? "?")
        let file = try screenshot(shot ?? view.heading ?? "page")
        // A page that went by while it was photographed leaves no picture under its name.
        if try currentHeading() != view.heading { try? FileManager.default.removeItem(at: file) }
        #expect(view.covered.isEmpty, "another window covers the page \(view.heading ?? "?"): \(view.covered)",
                sourceLocation: sourceLocation)
        #expect(view.unnamed.isEmpty, "controls without an accessible name on \(view.heading ?? "?"): \(view.unnamed)",
                sourceLocation: sourceLocation)
        return view
    }

    /// What the window shows now (no screenshot, no checks).
    func look() throws -> PageView {
        try JSONDecoder().decode(PageView.self, from: try driver.send(["op": "page"]))
    }

    @discardableResult
    func screenshot(_ label: String) throws -> URL {
        shots += 1
        let slug = String(label.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }.prefix(40))
        Thread.sleep(forTimeInterval: 0.3) // let GTK finish drawing what the tree already says
        return try desktop.screenshot(String(format: "%@/%02d-%@", name, shots, slug))
    }

    func currentHeading() throws -> String? {
        let answer = try JSONSerialization.jsonObject(with: try driver.send(["op": "heading"])) as? [String: Any]
        return answer?["heading"] as? String
    }

    func click(_ name: String, timeout: TimeInterval = 30) throws { try driver.send(["op": "click", "name": name], timeout: timeout) }
    func set(_ name: String, _ text: String) throws { try driver.send(["op": "set", "name": name, "text": text]) }
    func key(_ keys: String) throws { try driver.send(["op": "key", "keys": keys]) }

    func text(_ text: String, timeout: TimeInterval = 30) throws -> PageView {
        try JSONDecoder().decode(PageView.self, from: try driver.send(["op": "text", "text": text], timeout: timeout))
    }

    func entry(_ name: String) throws -> String {
        let answer = try JSONSerialization.jsonObject(with: try driver.send(["op": "entry", "name": name])) as? [String: Any]
        return answer?["text"] as? String ?? ""
    }

    /// Where the widget named `name` is on the screen.
    func extents(_ name: String) throws -> (x: Int, y: Int, width: Int, height: Int) {
        let answer = try JSONSerialization.jsonObject(with: try driver.send(["op": "extents", "name": name])) as? [String: Any]
        return (answer?["x"] as? Int ?? -1, answer?["y"] as? Int ?? -1, answer?["width"] as? Int ?? -1, answer?["height"] as? Int ?? -1)
    }

    func focused() throws -> (role: String?, name: String?) {
        let answer = try JSONSerialization.jsonObject(with: try driver.send(["op": "focused"])) as? [String: Any]
        return (answer?["role"] as? String, answer?["name"] as? String)
    }

    func captchaText() throws -> String {
        let answer = try JSONSerialization.jsonObject(with: try driver.send(["op": "captcha"])) as? [String: Any]
        return answer?["text"] as? String ?? ""
    }

    /// Waits for the process to end; its exit status.
    func exitStatus(within seconds: TimeInterval = 20) -> Int32? {
        guard process.wait(timeout: seconds) else { return nil }
        return process.exitStatus
    }

    func close() {
        driver?.close()
        process.stop()
    }
}
