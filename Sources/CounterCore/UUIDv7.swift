import Foundation
import Synchronization

/// Time-ordered UUIDs (RFC 9562 version 7) for redemption, void and rejection ids.
///
/// 48 bits of Unix milliseconds, then random bits. Ids made by one process are strictly
/// increasing even within one millisecond (the 12-bit `rand_a` field is used as a counter).
public enum UUIDv7 {
    private static let state = Mutex<(millis: UInt64, counter: UInt16)>((0, 0))

    /// A new version 7 UUID for `now`.
    public static func make(now: Date = Date()) -> UUID {
        var generator = SystemRandomNumberGenerator()
        let wallMillis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        let (millis, counter) = state.withLock { state -> (UInt64, UInt16) in
            if wallMillis > state.millis {
                state = (wallMillis, UInt16.random(in: 0..<0x800, using: &generator))
            } else if state.counter < 0xFFF {
                state.counter += 1
            } else {
                state = (state.millis + 1, 0)
            }
            return state
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: millis >> (40 - 8 * UInt64(index))) }
        bytes[6] = 0x70 | UInt8(counter >> 8 & 0x0F)
        bytes[7] = UInt8(counter & 0xFF)
        for index in 8..<16 { bytes[index] = UInt8.random(in: .min ... .max, using: &generator) }
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
