import CounterUSB

extension ScannerProfiles {
    /// The best profile for a USB device: its VID:PID first. A profile matched only by a product word
    /// must also find the interface class its transport reads (HID for keyboard and HID POS, CDC for
    /// serial), so a "fingerprint scanner" or a flatbed "scanner" is not taken for a barcode scanner.
    public func match(_ device: USBDevice) -> ScannerProfile? {
        let strings = [device.product, device.manufacturer].compactMap { $0 }
        return profiles.compactMap { profile -> (Int, ScannerProfile)? in
            guard let strength = profile.matchStrength(vendorProduct: device.vendorProduct, strings: strings) else { return nil }
            if strength < 2, !device.interfaces.contains(where: { Self.classes(for: profile.transport).contains($0.interfaceClass) }) {
                return nil
            }
            return (strength, profile)
        }.max { $0.0 < $1.0 }?.1
    }

    /// The USB interface classes a transport reads: HID (3), or CDC communications and data (2, 10).
    static func classes(for transport: ScannerProfile.Transport) -> Set<Int> {
        transport == .serial ? [2, 10] : [3]
    }
}
