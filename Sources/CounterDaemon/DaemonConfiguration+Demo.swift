import Foundation

extension DaemonConfiguration {
    /// The embedded default configuration: a demo counter with a terminal scanner, demo data, state in
    /// `./counterd-demo`, and the API on its socket and on 127.0.0.1:8765. The same layers apply to it as to
    /// a file (environment, then `--set` flags).
    public static let demoYAML = """
        device:
          id: demo-counter
          shop: \(DemoData.shopID)
          time_zone: Asia/Shanghai
        state_directory: counterd-demo
        api:
          http: 127.0.0.1:8765
        demo: true
        scanners:
          - name: terminal
            type: terminal
        """

    /// The embedded demo configuration with the environment's and the flags' overrides.
    public static func demo(environment: [String: String] = ProcessInfo.processInfo.environment,
                            flags: [String] = []) throws -> DaemonConfiguration {
        try parse(yaml: demoYAML, environment: environment, flags: flags)
    }
}
