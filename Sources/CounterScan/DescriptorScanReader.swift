import Foundation
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// The descriptor cannot be watched by epoll (/dev/null, a regular file): it cannot be a scanner.
struct NotPollable: Error, CustomStringConvertible {
    var description: String { "the input cannot be watched for data (it is /dev/null or a regular file)" }
}

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
        // NIO traps when epoll refuses a descriptor (systemd gives services /dev/null as standard input).
        guard isPollable(descriptor) else {
            close(descriptor)
            throw NotPollable()
        }
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

    /// Whether epoll can watch `descriptor`. It refuses (EPERM) regular files, directories and the memory
    /// devices of major 1 such as /dev/null and /dev/zero; pipes, sockets, ttys, evdev and hidraw are fine.
    static func isPollable(_ descriptor: CInt) -> Bool {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return true } // let NIO report the error
        switch info.st_mode & S_IFMT {
        case S_IFREG, S_IFDIR:
            return false
        case S_IFCHR:
            let device = UInt64(info.st_rdev)
            let major = ((device >> 8) & 0xFFF) | ((device >> 32) & ~0xFFF)
            let minor = (device & 0xFF) | ((device >> 12) & ~0xFF)
            return !(major == 1 && (1...7).contains(minor))
        default:
            return true
        }
    }
}
