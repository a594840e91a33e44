import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads the USB devices the kernel knows from sysfs, and maps each to its evdev, hidraw and tty nodes.
/// Needs no permission on any device: sysfs is world-readable. Blocking file reads: call it off the
/// cooperative pool (``USBDeviceMonitor`` does).
public struct SysfsUSB: Sendable {
    /// Normally `/sys`; tests point it at a tree they built.
    public var sysfsRoot: String
    /// Normally `/dev`.
    public var devRoot: String

    public init(sysfsRoot: String = "/sys", devRoot: String = "/dev") {
        self.sysfsRoot = sysfsRoot
        self.devRoot = devRoot
    }

    private var devicesDirectory: String { sysfsRoot + "/bus/usb/devices" }

    /// Whether this kernel has a USB stack at all (`/sys/bus/usb` exists).
    public var hasUSB: Bool { FileManager.default.fileExists(atPath: sysfsRoot + "/bus/usb") }

    /// Every USB device except root hubs, sorted by id.
    public func devices() -> [USBDevice] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: devicesDirectory)) ?? []
        return names.filter { !$0.contains(":") && !$0.hasPrefix("usb") }
            .sorted()
            .compactMap(device(named:))
    }

    /// The device with the kernel name `id` (`1-1.4`), if it is present and has readable ids.
    public func device(named id: String) -> USBDevice? {
        let directory = devicesDirectory + "/" + id
        guard let vendor = attribute("idVendor", in: directory).flatMap({ UInt16($0, radix: 16) }),
              let product = attribute("idProduct", in: directory).flatMap({ UInt16($0, radix: 16) }) else { return nil }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let interfaces = entries.filter { $0.hasPrefix(id + ":") }.sorted().compactMap { name -> USBInterface? in
            let path = directory + "/" + name
            guard let number = attribute("bInterfaceNumber", in: path).flatMap({ Int($0, radix: 16) }) else { return nil }
            let interfaceClass = attribute("bInterfaceClass", in: path).flatMap { Int($0, radix: 16) } ?? 0
            return USBInterface(number: number, interfaceClass: interfaceClass, nodes: nodes(under: path))
        }
        return USBDevice(id: id, vendorID: vendor, productID: product,
                         manufacturer: attribute("manufacturer", in: directory),
                         product: attribute("product", in: directory),
                         serial: attribute("serial", in: directory),
                         interfaces: interfaces)
    }

    /// The nodes below an interface directory: `input/inputN/eventM`, `hidraw/hidrawN`, `tty/ttyACMN`.
    /// Symbolic links (`driver`, `subsystem`, …) are not followed: they lead out of the device and loop.
    func nodes(under directory: String, depth: Int = 0) -> [DeviceNode] {
        guard depth < 6 else { return [] }
        var found: [DeviceNode] = []
        let parent = (directory as NSString).lastPathComponent
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted() {
            let path = directory + "/" + name
            guard Self.isRealDirectory(path) else { continue }
            if name.hasPrefix("event"), parent.hasPrefix("input"), Int(name.dropFirst(5)) != nil {
                found.append(DeviceNode(kind: .input, path: devRoot + "/input/" + name))
            } else if parent == "hidraw", name.hasPrefix("hidraw") {
                found.append(DeviceNode(kind: .hidraw, path: devRoot + "/" + name))
            } else if parent == "tty", name.hasPrefix("tty") {
                found.append(DeviceNode(kind: .tty, path: devRoot + "/" + name))
            } else {
                found += nodes(under: path, depth: depth + 1)
            }
        }
        return found
    }

    private func attribute(_ name: String, in directory: String) -> String? {
        guard let data = FileManager.default.contents(atPath: directory + "/" + name) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    private static func isRealDirectory(_ path: String) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return false }
        return (info.st_mode & S_IFMT) == S_IFDIR
    }
}
