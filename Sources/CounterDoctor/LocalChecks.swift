import CounterAPIModels
import Foundation

/// The checks counterctl makes itself: whether counterd answers and this user may reach it, the service
/// user, and ModemManager. Everything else the daemon checks (``daemonCheckIDs``).
public enum LocalChecks {
    /// The checks `GET /api/v1/diagnostics` answers, in order; reported as skipped when counterd is down.
    public static let daemonCheckIDs = ["enrolled", "hub", "clock", "data_age", "disk", "database", "upload_queue",
                                        "dead_letters", "reconciliation", "cups", "printer_queue", "printer", "scanners", "scanner_access",
                                        "udev_rules"]

    /// What counterctl found on this machine.
    public struct Facts: Sendable, Equatable {
        public var socketPath: String
        /// Why the socket could not be connected to (`strerror` text), or `nil` when counterd answered.
        public var socketProblem: String?
        /// Whether counterd.service is installed (the package or a hand installation).
        public var serviceInstalled: Bool
        public var serviceUserExists: Bool
        public var serviceGroupExists: Bool
        public var modemManagerRunning: Bool

        public init(socketPath: String, socketProblem: String?, serviceInstalled: Bool, serviceUserExists: Bool,
                    serviceGroupExists: Bool, modemManagerRunning: Bool) {
            self.socketPath = socketPath
            self.socketProblem = socketProblem
            self.serviceInstalled = serviceInstalled
            self.serviceUserExists = serviceUserExists
            self.serviceGroupExists = serviceGroupExists
            self.modemManagerRunning = modemManagerRunning
        }

        /// Whether counterd answered on its socket.
        public var daemonAnswers: Bool { socketProblem == nil }
    }

    /// Looks at the machine under `root` (`/` but in tests).
    public static func gather(socketPath: String, root: String = "/") -> Facts {
        let path = { (relative: String) in (root as NSString).appendingPathComponent(relative) }
        let units = ["etc/systemd/system/counterd.service", "usr/lib/systemd/system/counterd.service",
                     "lib/systemd/system/counterd.service"]
        let passwd = (try? String(contentsOfFile: path("etc/passwd"), encoding: .utf8)) ?? ""
        let groups = (try? String(contentsOfFile: path("etc/group"), encoding: .utf8)) ?? ""
        return Facts(socketPath: socketPath, socketProblem: UnixSocketProbe.problem(at: socketPath),
                     serviceInstalled: units.contains { FileManager.default.fileExists(atPath: path($0)) },
                     serviceUserExists: hasEntry("counterd", in: passwd), serviceGroupExists: hasEntry("counterd", in: groups),
                     modemManagerRunning: processRunning("ModemManager", proc: path("proc")))
    }

    /// The checks, in the order doctor prints them.
    public static func evaluate(_ facts: Facts) -> [DoctorCheck] {
        [daemon(facts), socketAccess(facts), serviceUser(facts), modemManager(facts)]
    }

    static func daemon(_ facts: Facts) -> DoctorCheck {
        guard let problem = facts.socketProblem else {
            return DoctorCheck("daemon", .ok, "counterd answers on \(facts.socketPath)")
        }
        if isPermissionProblem(problem) {
            return DoctorCheck("daemon", .skipped, "counterd's socket \(facts.socketPath) is there, but this user may not open it")
        }
        let fix = facts.serviceInstalled
            ? "sudo systemctl start counterd; if it stops again, read why with: journalctl -u counterd -e"
            : "start it: counterd run --config FILE (or ./scripts/demo.sh), or point counterctl at its socket with --socket"
        return DoctorCheck("daemon", .problem, "counterd does not answer on \(facts.socketPath) (\(problem))", fix: fix)
    }

    static func socketAccess(_ facts: Facts) -> DoctorCheck {
        guard let problem = facts.socketProblem else { return DoctorCheck("socket_access", .ok, "this user may use counterd's socket") }
        guard isPermissionProblem(problem) else { return DoctorCheck("socket_access", .skipped, "counterd is not running") }
        return DoctorCheck("socket_access", .problem, "this user may not open \(facts.socketPath) (\(problem))",
                           fix: "sudo usermod -aG counterd $USER, then log out and in again (or run counterctl with sudo)")
    }

    static func serviceUser(_ facts: Facts) -> DoctorCheck {
        guard facts.serviceInstalled else {
            return DoctorCheck("service_user", .skipped, "counterd.service is not installed on this machine")
        }
        guard facts.serviceUserExists, facts.serviceGroupExists else {
            let missing = [facts.serviceUserExists ? nil : "user", facts.serviceGroupExists ? nil : "group"].compactMap { $0 }
            return DoctorCheck("service_user", .problem,
                               "the counterd \(missing.joined(separator: " and ")) does not exist: the service cannot start",
                               fix: "sudo systemd-sysusers /usr/lib/sysusers.d/counterd.conf && sudo systemd-tmpfiles --create "
                                    + "/usr/lib/tmpfiles.d/counterd.conf")
        }
        return DoctorCheck("service_user", .ok, "user and group counterd exist")
    }

    static func modemManager(_ facts: Facts) -> DoctorCheck {
        guard facts.modemManagerRunning else { return DoctorCheck("modemmanager", .ok, "ModemManager is not running") }
        return DoctorCheck("modemmanager", .warning,
                           "ModemManager is running: it probes new serial ports and can take a serial scanner's first scans "
                            + "(the counterd udev rules keep it off the scanners they match, not off a tty you configured)",
                           fix: "sudo systemctl disable --now ModemManager")
    }

    static func isPermissionProblem(_ text: String) -> Bool {
        text.localizedCaseInsensitiveContains("permission denied")
    }

    /// Whether an /etc/passwd or /etc/group text has an entry of that name.
    static func hasEntry(_ name: String, in text: String) -> Bool {
        text.split(separator: "\n").contains { $0.hasPrefix(name + ":") }
    }

    /// Whether a process of that name (`/proc/PID/comm`) runs.
    static func processRunning(_ name: String, proc: String) -> Bool {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: proc)) ?? []
        return entries.contains { entry in
            guard entry.allSatisfy(\.isNumber) else { return false }
            let comm = try? String(contentsOfFile: "\(proc)/\(entry)/comm", encoding: .utf8)
            return comm?.trimmingCharacters(in: .whitespacesAndNewlines) == name
        }
    }
}
