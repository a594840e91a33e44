#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decides whether a host, as written in a URL, a `Host` header or a listen address, is this machine's
/// loopback interface. The match is exact: `localhost`, an IPv4 literal in 127.0.0.0/8 or the IPv6
/// literal `::1`. A host *name* that merely starts with `127.` (`127.0.0.1.rebind.example`) is not
/// loopback: DNS can point such a name anywhere, which is how DNS rebinding gets past a prefix match.
public enum LoopbackHost {
    /// Whether `host` (without port; IPv6 with or without brackets; any case) is loopback.
    public static func contains(_ host: String) -> Bool {
        // inet_pton reads a C string: `127.0.0.1\0anything` would parse as 127.0.0.1 (found by fuzzing).
        guard !host.utf8.contains(0) else { return false }
        var text = host.lowercased()
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        if text == "localhost" { return true }
        if let address = ipv4Address(text) { return address >> 24 == 127 }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return bytes == [UInt8](repeating: 0, count: 15) + [1]
        }
        return false
    }

    /// A dotted-quad IPv4 literal as a host-order number; `nil` for anything else (inet_pton accepts
    /// exactly four decimal parts, no trailing dot, no octal or hex forms).
    static func ipv4Address(_ text: String) -> UInt32? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return UInt32(bigEndian: address.s_addr)
    }
}
