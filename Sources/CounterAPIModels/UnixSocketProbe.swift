import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Checks whether something accepts connections on a unix socket, without waiting.
public enum UnixSocketProbe {
    /// `nil` when a listener accepted the connection, otherwise why not (e.g. "No such file or directory").
    public static func problem(at path: String) -> String? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return "the path is too long for a socket" }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0 ? nil : String(cString: strerror(errno))
    }
}
