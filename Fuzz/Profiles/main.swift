// Fuzz target: scanner and printer profile files (JSON, from drivers/ or a technician's local directory).
// Each input is read as both. A scanner profile that passes its checks goes into the udev rules and the
// device matcher; a printer profile that passes its checks lays out, encodes and decodes a receipt.
import CounterPrint
import CounterScan
import Foundation
import FuzzSupport

let content = ReceiptContent(kind: .redemption, shopName: "东门服务点 East Gate", campaignTitle: "咖啡兑换券 Coffee voucher",
                             product: "美式咖啡 Americano", faceValue: "¥18.00", shopReward: "¥1.50", usesRedeemed: 1,
                             usesLeft: 9, time: "2026-11-22 10:30:02", deviceID: "counter-01", deviceSequence: 42,
                             codeLastFour: "0010", redemptionID: "0193a1b2-0000-7000-8000-000000000001")

fuzz { bytes in
    let data = Data(bytes)
    if let profile = try? JSONDecoder().decode(ScannerProfile.self, from: data), profile.problems().isEmpty {
        _ = UdevRules.generate(for: [profile])
        _ = ScannerProfiles(profiles: [profile]).match(vendorProduct: "0c2e:0b81", strings: ["Honeywell", "Voyager"])
    }
    // As PrinterProfile.load(from:) reads a file: decoded, then refused unless its numbers are in range.
    if let profile = try? JSONDecoder().decode(PrinterProfile.self, from: data), (try? profile.validate()) != nil {
        let document = ReceiptLayout.document(for: content, profile: profile)
        _ = EscPosDecoder.decode(EscPosEncoder(profile: profile).encode(document))
    }
}
