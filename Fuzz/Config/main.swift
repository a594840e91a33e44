// Fuzz target: counterd's YAML configuration file, parsed and validated (DaemonConfiguration.parse), with
// no environment overrides.
import CounterDaemon
import FuzzSupport

fuzz { bytes in
    _ = try? DaemonConfiguration.parse(yaml: String(decoding: bytes, as: UTF8.self), environment: [:])
}
