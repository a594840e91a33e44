import CounterScan
import CounterUSB
import Foundation
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A USB device list the test changes by hand: the fake enumerator for the hotplug logic.
final class FakeUSBSource: USBDeviceSource, Sendable {
    private let stream: AsyncStream<[USBDevice]>
    private let continuation: AsyncStream<[USBDevice]>.Continuation

    init() { (stream, continuation) = AsyncStream.makeStream(of: [USBDevice].self) }

    func snapshots() -> AsyncStream<[USBDevice]> { stream }
    func present(_ devices: [USBDevice]) { continuation.yield(devices) }
    func finish() { continuation.finish() }
}

/// Opens every node as a fresh pipe whose write end the test holds, standing in for the device:
/// writing a fixture is the scanner scanning, closing the write end is the scanner unplugged.
final class PipeNodeOpener: ScannerNodeOpener, Sendable {
    private let writers = Mutex<[String: CInt]>([:])
    private let denied = Mutex<Set<String>>([])
    private let opens = Mutex<[String: Int]>([:])

    /// Opening `path` fails with EACCES (permission denied) while denied.
    func deny(_ path: String, _ isDenied: Bool = true) {
        denied.withLock { if isDenied { $0.insert(path) } else { $0.remove(path) } }
    }

    func openCount(_ path: String) -> Int { opens.withLock { $0[path] ?? 0 } }

    private func open(_ path: String, transport: ScannerProfile.Transport) throws -> CInt {
        if denied.withLock({ $0.contains(path) }) { throw DeviceOpenError(path: path, errno: EACCES, transport: transport) }
        var fds: [CInt] = [0, 0]
        guard pipe(&fds) == 0 else { throw DeviceOpenError(path: path, errno: errno, transport: transport) }
        writers.withLock { old in
            if let previous = old[path] { close(previous) }
            old[path] = fds[1]
        }
        opens.withLock { $0[path, default: 0] += 1 }
        return fds[0]
    }

    func openInput(_ path: String) throws -> CInt { try open(path, transport: .keyboard) }
    func openHIDRaw(_ path: String) throws -> CInt { try open(path, transport: .hidPOS) }
    func openSerial(_ path: String, baud: Int) throws -> CInt { try open(path, transport: .serial) }

    /// Waits (at most 15 s) until `path` is open, then writes `bytes` into it.
    func write(_ bytes: [UInt8], to path: String) async throws {
        let fd = try await writer(path)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { throw POSIXError(.EIO) }
            offset += written
        }
    }

    /// The device vanishes: its reader sees the end of input.
    func unplug(_ path: String) {
        writers.withLock { if let fd = $0.removeValue(forKey: path) { close(fd) } }
    }

    private func writer(_ path: String) async throws -> CInt {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if let fd = writers.withLock({ $0[path] }) { return fd }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw POSIXError(.ETIMEDOUT)
    }
}

enum Fixture {
    /// The bytes of a recorded stream in Fixtures/.
    static func bytes(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"))
        return Array(try Data(contentsOf: url))
    }

    /// The repository's drivers/scanners, udev/ and so on.
    static func repositoryPath(_ relative: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(relative).path
    }
}

extension USBDevice {
    /// A device at `port` with one interface holding `nodes`.
    static func fake(port: String, vendorProduct: String, product: String? = nil, interfaceClass: Int = 3,
                     nodes: [DeviceNode]) -> USBDevice {
        let parts = vendorProduct.split(separator: ":")
        return USBDevice(id: port, vendorID: UInt16(parts[0], radix: 16)!, productID: UInt16(parts[1], radix: 16)!,
                         product: product,
                         interfaces: [USBInterface(number: 0, interfaceClass: interfaceClass, nodes: nodes)])
    }
}
