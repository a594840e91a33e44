/// A configuration problem, explained for the person who wrote the file: which key, which value,
/// what is wrong, and how to fix it. counterd exits with status 78 (EX_CONFIG) on one.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    /// The dotted key (`scanners[0].terminator`), or empty for the whole file.
    public var key: String
    /// The offending value as written, if any.
    public var value: String?
    public var problem: String
    public var fix: String
    /// The file the value came from, if any.
    public var file: String?

    public init(key: String, value: String? = nil, problem: String, fix: String, file: String? = nil) {
        self.key = key
        self.value = value
        self.problem = problem
        self.fix = fix
        self.file = file
    }

    public var description: String {
        var text = "configuration error"
        if let file { text += " in \(file)" }
        if !key.isEmpty { text += ": \(key)" }
        if let value { text += " = \"\(value)\"" }
        return text + ": \(problem). Fix: \(fix)"
    }

    /// The exit status for configuration errors (sysexits.h EX_CONFIG).
    public static let exitCode: Int32 = 78
}
