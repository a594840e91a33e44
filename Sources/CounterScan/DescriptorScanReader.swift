import Foundation
import NIOCore
import NIOPosix

/// Reads scans from a file descriptor (a tty, an evdev or hidraw node, or a pipe in tests) through the
/// event loop: a transport's decoding handlers turn the bytes into frames, which become scan events.
enum DescriptorScanReader {
    /// Adds the handlers that turn the descriptor's bytes into ``ScanFramer/Frame``s. Runs on the event loop.
    typealias Decoding = @Sendable (ChannelPipeline.SynchronousOperations) throws -> Void

    /// Frames bytes by terminator and inter-character timeout (serial scanners, the terminal).
    static func framing(_ framing: ScanFraming) -> Decoding {
        { try $0.addHandler(FramingHandler(framing: framing)) }
    }

    /// Takes ownership of `descriptor` and delivers framed scans until the input ends or the task is cancelled.
    /// The descriptor is closed when this returns or throws.
    static func read(descriptor: CInt, source: String, decoding: @escaping Decoding,
                     duplicateWindow: Duration?,
                     deliver: @escaping @Sendable (ScanEvent) async -> Void) async throws {
        let channel = try await NIOPipeBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .takingOwnershipOfDescriptor(input: descriptor) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try decoding(channel.pipeline.syncOperations)
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
