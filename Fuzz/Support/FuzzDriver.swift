import Foundation

// The libFuzzer driver of every fuzz target (scripts/fuzz.sh, docs/testing.md).
//
// SwiftPM links an executable's `main.swift` as `main`, so a target cannot leave `main` to libFuzzer the
// way a plain `swiftc -sanitize=fuzzer` file does. Instead each target's `main.swift` calls `fuzz { … }`,
// which hands the command line to libFuzzer's own driver (`LLVMFuzzerRunDriver`, in the runtime that
// `-sanitize=fuzzer` links), so every libFuzzer flag works, and a file named on the command line is run once.

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

nonisolated(unsafe) private var body: ([UInt8]) -> Void = { _ in }

/// Runs `test` on every input libFuzzer makes; never returns.
public func fuzz(_ test: @escaping ([UInt8]) -> Void) -> Never {
    body = test
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in LLVMFuzzerTestOneInput(data, size) })
}

/// libFuzzer's entry point. The runtime's own `main` (which the linker keeps, though SwiftPM's `--defsym`
/// makes the target's `main` the one that runs) refers to it, so it must exist.
@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    body(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

/// Splits fuzz input into typed pieces: the first bytes choose parameters, the rest is the payload.
public struct FuzzInput {
    public private(set) var bytes: ArraySlice<UInt8>

    public init(_ bytes: [UInt8]) { self.bytes = bytes[...] }

    public var isEmpty: Bool { bytes.isEmpty }

    /// The next byte, or 0 when none is left.
    public mutating func byte() -> UInt8 { bytes.popFirst() ?? 0 }

    /// The next two bytes as a little-endian number, 0 for missing bytes.
    public mutating func uint16() -> UInt16 { UInt16(byte()) | UInt16(byte()) << 8 }

    /// Up to `count` next bytes.
    public mutating func take(_ count: Int) -> [UInt8] {
        let piece = bytes.prefix(max(0, count))
        bytes = bytes.dropFirst(piece.count)
        return Array(piece)
    }

    /// Everything left.
    public mutating func rest() -> [UInt8] { take(bytes.count) }
}

/// Runs an async operation to its end from the fuzzer's synchronous callback.
public func blocking<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) -> Result<T, any Error> {
    let box = ResultBox<T>()
    let semaphore = DispatchSemaphore(value: 0)
    Task {
        do { box.result = .success(try await operation()) } catch { box.result = .failure(error) }
        semaphore.signal()
    }
    semaphore.wait()
    return box.result!
}

/// The result of `blocking`'s task, written once before the semaphore is signalled.
private final class ResultBox<T>: @unchecked Sendable { var result: Result<T, any Error>? }
