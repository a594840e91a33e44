import CounterAPI
import CounterAPIModels
import CounterLedger
import Foundation

extension DaemonConfiguration {
    /// The embedded default: a demo counter with a terminal scanner, demo data, state in
    /// `./counterd-demo`, and the API on its socket and on 127.0.0.1:8765.
    public static func demo(environment: [String: String] = ProcessInfo.processInfo.environment) -> DaemonConfiguration {
        DaemonConfiguration(identity: DeviceIdentity(deviceID: "demo-counter", shopID: DemoData.shopID),
                            timeZone: TimeZone(identifier: "Asia/Shanghai")!,
                            stateDirectory: "counterd-demo",
                            api: APIListeners(socketPath: DefaultPaths.socketPath(environment: environment),
                                              http: .init(host: "127.0.0.1", port: 8765)),
                            loadDemoData: true,
                            scanners: [.terminal(name: "terminal")])
    }
}
