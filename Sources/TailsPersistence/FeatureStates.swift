import FoundationEssentials
import Glibc
import Platform
import Vocabulary

/// Whether the Persistent Storage features onionboard needs are on, read from Tails' own
/// configuration. `persistence.conf` is mode 0600 and owned by tails-persistent-storage, so
/// the desktop user (amnesia) cannot read it; then Tails' `tpscli is-enabled FEATURE` asks the
/// Persistent Storage service, which reads the same file for us over D-Bus (its policy lets
/// amnesia read feature properties: `/etc/dbus-1/system.d/org.boum.tails.PersistentStorage.conf`).
public struct FeatureStates: Sendable {
    public enum State: Equatable, Sendable {
        case on
        case off
        /// Neither the configuration nor tpscli could be asked.
        case unknown(String)
    }

    /// Where the answer came from, for the report.
    public enum Source: String, Sendable, Codable {
        case configurationFile = "persistence.conf"
        case tpscli
        case none
    }

    public let states: [PersistenceFeature: State]
    public let source: Source

    public subscript(_ feature: PersistenceFeature) -> State { states[feature] ?? .unknown("not asked") }

    /// Reads the states in `layout`: the configuration file when readable, else tpscli.
    public static func read(_ layout: TailsLayout, tpscliSeconds: Double = 10) -> FeatureStates {
        let path = layout.persistenceConfiguration
        do {
            let bytes = try FileContents.read(path, upTo: 1 << 20)
            let configuration = PersistenceConfiguration(text: String(decoding: bytes, as: UTF8.self))
            return FeatureStates(states: Dictionary(uniqueKeysWithValues: PersistenceFeature.allCases.map {
                ($0, configuration.isOn($0) ? State.on : .off)
            }), source: .configurationFile)
        } catch {
            let why = "\(path): \(error)"
            guard FileManager.default.isExecutableFile(atPath: layout.tpscli) else {
                return FeatureStates(states: Dictionary(uniqueKeysWithValues: PersistenceFeature.allCases.map {
                    ($0, State.unknown("\(why), and \(layout.tpscli) is missing"))
                }), source: .none)
            }
            // tpscli exits 0 when the service says the feature is enabled, 1 otherwise (also when
            // the service cannot be asked: Tails' libtps.sh runs under `set -e`).
            return FeatureStates(states: Dictionary(uniqueKeysWithValues: PersistenceFeature.allCases.map { feature in
                let status = QuietCommand.exitStatus([layout.tpscli, "is-enabled", feature.rawValue], within: tpscliSeconds)
                let state: State = switch status {
                case 0?: .on
                case 1?: .off
                case let other?: .unknown("\(layout.tpscli) is-enabled \(feature.rawValue) exited \(other)")
                case nil: .unknown("\(layout.tpscli) is-enabled \(feature.rawValue) did not finish")
                }
                return (feature, state)
            }), source: .tpscli)
        }
    }
}
