/// A message for the cashier in Simplified Chinese and English.
public struct LocalizedMessage: Hashable, Sendable, Codable {
    public var zh: String
    public var en: String

    public init(zh: String, en: String) {
        self.zh = zh
        self.en = en
    }
}
