/// The layout of a HID POS scanner's input report (usage page 0x8C, Scanned Data Report). Scanners put
/// the decoded data in fixed-size reports with a length byte, and set a flag when more reports follow
/// for one scan. Defaults follow Honeywell's "USB HID POS" layout (docs/scanners.md).
public struct HIDPOSReportFormat: Codable, Sendable, Equatable {
    /// The report ID of scanned-data reports; other reports (status, a keyboard interface's) are ignored.
    /// `nil` for a device whose report descriptor declares no report IDs (then no ID byte comes first).
    public var reportID: UInt8?
    /// Bytes per report as hidraw delivers it, report ID included.
    public var reportSize: Int
    /// Where the length of this report's data is.
    public var lengthOffset: Int
    /// Where the data starts.
    public var dataOffset: Int
    /// The byte whose `continuedMask` bit says that the scan goes on in the next report; `nil` when a
    /// scanner never splits scans.
    public var continuedOffset: Int?
    public var continuedMask: UInt8

    enum CodingKeys: String, CodingKey {
        case reportID = "report_id", reportSize = "report_size", lengthOffset = "length_offset"
        case dataOffset = "data_offset", continuedOffset = "continued_offset", continuedMask = "continued_mask"
    }

    public init(reportID: UInt8? = 0x02, reportSize: Int = 64, lengthOffset: Int = 1, dataOffset: Int = 2,
                continuedOffset: Int? = 63, continuedMask: UInt8 = 0x01) {
        self.reportID = reportID
        self.reportSize = reportSize
        self.lengthOffset = lengthOffset
        self.dataOffset = dataOffset
        self.continuedOffset = continuedOffset
        self.continuedMask = continuedMask
    }

    /// Honeywell's layout: ID 2, 64 bytes, length at 1, up to 56 data bytes from 2, AIM symbology
    /// identifier at 58–60, "decode data continued" in bit 0 of byte 63.
    public static let standard = HIDPOSReportFormat()

    /// The most data bytes one report can carry.
    public var capacity: Int {
        let end = continuedOffset.map { min($0, reportSize) } ?? reportSize
        return max(0, end - dataOffset)
    }

    /// What is wrong with the values, if anything.
    func problems() -> [String] {
        var problems: [String] = []
        if reportSize < 3 || reportSize > 4096 { problems.append("report_size \(reportSize) is outside 3…4096") }
        if lengthOffset >= reportSize || lengthOffset < 0 { problems.append("length_offset is outside the report") }
        if dataOffset >= reportSize || dataOffset <= lengthOffset { problems.append("data_offset must come after length_offset, inside the report") }
        if let continuedOffset, continuedOffset >= reportSize || continuedOffset < dataOffset {
            problems.append("continued_offset must come after data_offset, inside the report")
        }
        return problems
    }
}

/// Turns HID POS reports into scans. Pure state machine; the caller supplies the reports and the timeout.
public struct HIDPOSDecoder: Sendable {
    public let format: HIDPOSReportFormat
    public let maximumLength: Int
    private var pending: [UInt8] = []
    private var dropped = 0

    public init(format: HIDPOSReportFormat, maximumLength: Int = 8192) {
        self.format = format
        self.maximumLength = maximumLength
    }

    /// Whether a scan continued in a report that has not come yet.
    public var hasPartialScan: Bool { !pending.isEmpty || dropped > 0 }

    /// Feeds one whole report; returns the scan it completes, if any.
    public mutating func feed(report: some Collection<UInt8>) -> ScanFramer.Frame? {
        let bytes = Array(report)
        guard bytes.count > format.lengthOffset, bytes.count > format.dataOffset else { return nil }
        if let reportID = format.reportID, bytes.first != reportID { return nil }
        let length = min(Int(bytes[format.lengthOffset]), format.capacity, bytes.count - format.dataOffset)
        let data = bytes[format.dataOffset..<(format.dataOffset + length)]
        if dropped > 0 || pending.count + data.count > maximumLength {
            dropped += pending.count + data.count
            pending.removeAll()
        } else {
            pending += data
        }
        if let offset = format.continuedOffset, offset < bytes.count, bytes[offset] & format.continuedMask != 0 {
            return nil
        }
        return finish(complete: true)
    }

    /// The continuation never came: the scan so far, reported cut off.
    public mutating func timeout() -> ScanFramer.Frame? { finish(complete: false) }

    private mutating func finish(complete: Bool) -> ScanFramer.Frame? {
        defer { pending.removeAll(); dropped = 0 }
        if dropped > 0 { return .overlong(byteCount: dropped) }
        if pending.isEmpty { return nil }
        return complete ? .scan(pending) : .incomplete(pending)
    }
}
