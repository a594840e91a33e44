import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Codes typed on standard input, one per line: the demo's scanner and the cashier's fallback keyboard.
public struct TerminalScanSource: ScanSource {
    public let name: String
    private let descriptor: CInt
    private let logger: Logger
    private let registry: ScannerRegistry?

    /// - Parameters:
    ///   - descriptor: the input to read (standard input by default); it is closed when the input ends.
    ///   - registry: told while the input is read, and when it ends.
    public init(name: String = "terminal", descriptor: CInt = STDIN_FILENO, logger: Logger, registry: ScannerRegistry? = nil) {
        self.name = name
        self.descriptor = descriptor
        self.logger = logger
        self.registry = registry
    }

    public func run(deliver: @escaping @Sendable (ScanEvent) async -> Void) async throws {
        let framing = ScanFraming(terminator: .lf, interCharacterTimeout: nil, maximumLength: 8192)
        let status = ScannerStatus(id: name, source: name, transport: "terminal", nodes: ["stdin"], state: .reading)
        await registry?.attached(status)
        defer { if let registry { Task { await registry.detached(id: status.id) } } }
        do {
            try await DescriptorScanReader.read(descriptor: descriptor, source: name, decoding: DescriptorScanReader.framing(framing),
                                                duplicateWindow: nil, deliver: deliver)
            logger.info("terminal input ended", metadata: ["source": "\(name)"])
        } catch {
            // Standard input redirected from a regular file or closed: the daemon runs on without it.
            logger.notice("terminal input unavailable", metadata: ["source": "\(name)", "error": "\(error)"])
        }
    }
}
