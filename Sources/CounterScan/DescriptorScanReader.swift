import Foundation
import NIOCore
import NIOPosix

/// Reads scans from a file descriptor (a tty or a pipe) through the event loop, framing them.
enum DescriptorScanReader {
    /// Takes ownership of `descriptor` and delivers framed scans until the input ends or the task is cancelled.
    /// The descriptor is closed when this returns or throws.
    static func read(descriptor: CInt, source: String, framing: ScanFraming,
                     duplicateWindow: Duration?,
                     deliver: @escaping @Sendable (ScanEvent) async -> Void) async throws {
        let channel = try await NIOPipeBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .takingOwnershipOfDescriptor(input: descriptor) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(FramingHandler(framing: framing))
                    return try NIOAsyncChannel<ScanFramer.Frame, Never>(wrappingChannelSynchronously: channel)
                }
            }
        var duplicates = duplicateWindow.map(DuplicateFilter.init(window:))
        try await withTaskCancellationHandler {
            try await channel.executeThenClose { inbound, _ in
                for try await frame in inbound {
                    let event: ScanEvent
                    switch frame {
                    case .scan(let bytes):
                        if var filter = duplicates {
                            let admitted = filter.admit(bytes, at: .now)
                            duplicates = filter
                            if !admitted { continue }
                        }
                        event = ScanEvent(source: source, bytes: bytes)
                    case .incomplete(let bytes):
                        event = ScanEvent(source: source, bytes: bytes, completion: .incomplete)
                    case .overlong(let count):
                        event = ScanEvent(source: source, bytes: [], completion: .overlong(byteCount: count))
                    }
                    await deliver(event)
                }
            }
        } onCancel: {
            channel.channel.close(promise: nil)
        }
    }
}
