import Foundation
import Logging

/// A scanner in USB serial (CDC-ACM) mode, or any tty: raw mode, framed by terminator and
/// inter-character timeout, with duplicate suppression. Reopens the device when it goes away.
public struct SerialScanSource: ScanSource {
    public struct Configuration: Sendable, Equatable {
        public var name: String
        public var path: String
        public var baud: Int
        public var framing: ScanFraming
        /// The same scan from this device inside this window is dropped; `nil` keeps every scan.
        public var duplicateWindow: Duration?
        /// How long to wait before reopening a device that vanished or failed to open (doubling to 30 s).
        public var reopenDelay: Duration

        public init(name: String, path: String, baud: Int = 9600,
                    framing: ScanFraming = ScanFraming(terminator: .cr, interCharacterTimeout: .milliseconds(300)),
                    duplicateWindow: Duration? = .milliseconds(1500), reopenDelay: Duration = .seconds(1)) {
            self.name = name
            self.path = path
            self.baud = baud
            self.framing = framing
            self.duplicateWindow = duplicateWindow
            self.reopenDelay = reopenDelay
        }
    }

    public let configuration: Configuration
    private let logger: Logger
    private let registry: ScannerRegistry?

    /// - Parameter registry: told when the port opens, fails and goes away (for `counterctl devices`).
    public init(configuration: Configuration, logger: Logger, registry: ScannerRegistry? = nil) {
        self.configuration = configuration
        self.logger = logger
        self.registry = registry
    }

    public var name: String { configuration.name }

    public func run(deliver: @escaping @Sendable (ScanEvent) async -> Void) async throws {
        var delay = configuration.reopenDelay
        var lastError: String?
        let status = ScannerStatus(id: name, source: name, transport: "serial", nodes: [configuration.path], state: .reading)
        let registry = self.registry
        let deliverAndCount: @Sendable (ScanEvent) async -> Void = { event in
            await registry?.scanned(id: status.id, at: event.receivedAt)
            await deliver(event)
        }
        while !Task.isCancelled {
            do {
                let fd = try SerialPort.open(path: configuration.path, baud: configuration.baud)
                logger.info("scanner attached", metadata: ["source": "\(name)", "path": "\(configuration.path)"])
                await registry?.attached(status)
                lastError = nil
                delay = configuration.reopenDelay
                try await DescriptorScanReader.read(descriptor: fd, source: name, decoding: DescriptorScanReader.framing(configuration.framing),
                                                    duplicateWindow: configuration.duplicateWindow, deliver: deliverAndCount)
                if Task.isCancelled { return }
                logger.warning("scanner detached", metadata: ["source": "\(name)", "path": "\(configuration.path)"])
                await registry?.detached(id: status.id)
            } catch {
                if Task.isCancelled { return }
                let message = "\(error)"
                // Log a persistent failure once, not on every retry.
                if message != lastError {
                    logger.error("scanner unavailable", metadata: ["source": "\(name)", "error": "\(message)"])
                    lastError = message
                }
                if let error = error as? DeviceOpenError {
                    await registry?.failed(status, problem: "\(error.path): \(error.problem)", fix: error.fix,
                                           permissionDenied: error.isPermissionDenied)
                }
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(30))
        }
    }
}
