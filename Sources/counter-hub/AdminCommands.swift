import ArgumentParser
import CounterCore
import CounterHub
import Foundation

extension CounterHubCommand {
    struct ShopCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "shop", abstract: "Manage shops.",
                                                        subcommands: [Create.self, Set.self])

        struct Set: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Change a shop's settings; its counters get them with their next feed page.")
            @OptionGroup var options: DataOptions
            @Option(help: "The shop id.") var id: String
            @Option(help: "Seconds after a redemption a 店长 (manager) may still void it at the counter (0 to 604800; default 86400).")
            var managerVoidWindow: Int

            func run() throws {
                try admin { try options.store().setManagerVoidWindow(shop: id, seconds: managerVoidWindow) }
                print("shop \(id): manager void window \(managerVoidWindow) s")
            }
        }

        struct Create: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Create a shop.")
            @OptionGroup var options: DataOptions
            @Option(help: "The shop id (1-64 printable ASCII characters).") var id: String
            @Option(help: "The shop's name.") var name: String
            @Option(help: "IANA time zone.") var timeZone = "Asia/Shanghai"
            @Option(help: "Seconds without a complete sync before counters warn.") var maxDataAge = HubStore.defaultMaxDataAge

            func run() throws {
                try admin { try options.store().createShop(id: id, name: name, timeZone: timeZone, maxDataAgeSeconds: maxDataAge) }
                print("shop \(id) created")
            }
        }
    }

    struct CampaignCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "campaign", abstract: "Manage campaigns.",
                                                        subcommands: [Create.self])

        struct Create: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Create a campaign.")
            @OptionGroup var options: DataOptions
            @Option(help: "The campaign id.") var id: String
            @Option(help: "Title shown to the cashier.") var title: String
            @Option(help: "What a code buys.") var product: String
            @Option(help: "Face value in yuan, e.g. 18.00.") var faceValue: String
            @Option(help: "The shop's reward per redemption in yuan.") var shopReward: String?
            @Option(help: "Uses per token.") var uses = 1
            @Option(help: "Comma-separated shop ids where its codes are valid (default: any shop).") var shops: String?
            @Option(help: "Codes are valid this many days from issue (default: no end).") var validDays: Int?
            @Option(help: "allow_signed (signed codes work offline before sync) or cache_only.") var offlinePolicy = "allow_signed"
            @Option(help: ArgumentHelp("all (every token goes to counters) or exceptions (only revoked and used ones; signed codes only).",
                                       discussion: "exceptions keeps a platform-wide campaign out of every counter's ledger."))
            var tokenFeed = "all"
            @Flag(help: "A practice campaign (练习): its codes redeem only on counters in training mode, and never count.")
            var training = false

            func run() throws {
                guard let policy = Campaign.OfflinePolicy(rawValue: offlinePolicy) else {
                    throw ValidationError("--offline-policy must be allow_signed or cache_only")
                }
                guard let feed = TokenFeed(rawValue: tokenFeed) else {
                    throw ValidationError("--token-feed must be all or exceptions")
                }
                let spec = CampaignSpec(id: id, title: title, product: product, faceValueFen: try parseYuan(faceValue),
                                        shopRewardFen: try shopReward.map(parseYuan), uses: uses,
                                        shopIDs: shops?.split(separator: ",").map(String.init) ?? [], validDays: validDays,
                                        activeFrom: nil, activeUntil: nil, offlinePolicy: policy, tokenFeed: feed, training: training)
                try admin { try options.store().createCampaign(spec) }
                print("campaign \(id) created")
            }
        }
    }

    struct TokensCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "tokens", abstract: "Issue and revoke tokens.",
                                                        subcommands: [Issue.self, Revoke.self])

        struct Issue: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Issue tokens of a campaign.")
            @OptionGroup var options: DataOptions
            @Option(help: "The campaign id.") var campaign: String
            @Option(help: "How many tokens.") var count = 1
            @Flag(help: "One JSON object per line: token_id, code, signed_code.") var json = false

            func run() throws {
                let store = try options.store()
                var remaining = count
                // Large counts go in chunks so memory stays flat and progress shows.
                while remaining > 0 {
                    let chunk = min(remaining, 10_000)
                    let tokens = try admin { try store.issueTokens(campaign: campaign, count: chunk) }
                    for token in tokens {
                        if json { try printJSONLine(token) } else { print("\(token.tokenId)  \(token.code)  \(token.signedCode)") }
                    }
                    remaining -= chunk
                    if count > 10_000 {
                        FileHandle.standardError.write(Data("issued \(count - remaining)/\(count)\n".utf8))
                    }
                }
            }
        }

        struct Revoke: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke a token.")
            @OptionGroup var options: DataOptions
            @Argument(help: "The token id (32 hex characters).") var tokenID: String
            @Option(help: "Why (refund, fraud, …).") var reason = "revoked"

            func run() throws {
                try admin { try options.store().revokeToken(tokenID.lowercased(), reason: reason) }
                print("token \(tokenID) revoked")
            }
        }
    }

    struct KeysCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "keys", abstract: "Manage signing keys.",
                                                        subcommands: [Rotate.self])

        struct Rotate: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Start a new signing key; the old one keeps verifying until its codes expire.")
            @OptionGroup var options: DataOptions

            func run() throws {
                let (keyID, version) = try admin { try options.store().rotateKeys() }
                print("signing key \(keyID) is current; key set version \(version)")
            }
        }
    }

    struct EpochCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "epoch", abstract: "Manage the feed's epoch.",
                                                        subcommands: [Renew.self])

        struct Renew: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Start a new feed epoch after restoring from a backup: every counter resyncs in full at its next feed read.")
            @OptionGroup var options: DataOptions

            func run() throws {
                let epoch = try admin { try options.store().renewEpoch() }
                print("feed epoch \(epoch) started: every counter's next feed read is a full resync")
            }
        }
    }

    struct EnrollCode: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "enroll-code",
                                                        abstract: "Make a one-time enrollment code for a shop (valid 24 h).")
        @OptionGroup var options: DataOptions
        @Option(help: "The shop id.") var shop: String
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            let code = try admin { try options.store().makeEnrollmentCode(shop: shop) }
            if json { try printJSONLine(["enrollment_code": code, "shop_id": shop]) } else { print(code) }
        }
    }

    struct DeviceCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "device", abstract: "See and revoke enrolled devices.",
                                                        subcommands: [List.self, Revoke.self])

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "List enrolled devices with their health: last sync, backlog, clock offset, conflicts, revocation.")
            @OptionGroup var options: DataOptions
            @Flag(help: "One line per shop instead: its devices added up.") var shops = false
            @Flag(help: "One JSON object per line.") var json = false

            func run() throws {
                let devices = try admin { try options.store().devices() }
                let now = Date()
                if shops {
                    for shop in ShopHealth.summarize(devices) {
                        if json { try printJSONLine(shop) } else { print(shop.line(now: now)) }
                    }
                    return
                }
                for device in devices {
                    if json { try printJSONLine(device) } else { print(DeviceLine.text(device, now: now)) }
                }
            }
        }

        struct Revoke: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Revoke a device: its credential is refused at once on feed and upload (the counter shows 此设备已被停用).")
            @OptionGroup var options: DataOptions
            @Argument(help: "The device id (see `counter-hub device list`).") var deviceID: String
            @Option(help: "Why (stolen, replaced, closed, …).") var reason = "revoked"

            func run() throws {
                try admin { try options.store().revokeDevice(deviceID, reason: reason) }
                print("device \(deviceID) revoked")
            }
        }
    }

    struct Devices: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The same as `device list` (kept for scripts).")
        @OptionGroup var options: DataOptions
        @Flag(help: "One JSON object per line.") var json = false

        func run() throws {
            let arguments = ["--data", options.data] + (options.database.map { ["--database", $0] } ?? []) + (json ? ["--json"] : [])
            try DeviceCommand.List.parse(arguments).run()
        }
    }

    struct AdminTokenCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "admin-token",
                                                        abstract: "Manage credentials for the admin API (the commission engine's export).",
                                                        subcommands: [Create.self, List.self, Revoke.self])

        struct Create: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Make an admin credential; the token is printed once.")
            @OptionGroup var options: DataOptions
            @Option(help: "Who uses it, e.g. commission-engine.") var name: String
            @Flag(help: "Print JSON.") var json = false

            func run() throws {
                let (id, token) = try admin { try options.store().createAdminToken(name: name) }
                if json { try printJSONLine(["id": id, "token": token]) } else { print("\(id)  \(token)") }
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List admin credentials (never their tokens).")
            @OptionGroup var options: DataOptions

            func run() throws {
                for token in try admin({ try options.store().adminTokens() }) {
                    print([token.id, token.name, RFC3339.string(token.createdAt),
                           token.revokedAt.map { "REVOKED " + RFC3339.string($0) } ?? "active"].joined(separator: "  "))
                }
            }
        }

        struct Revoke: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke an admin credential at once.")
            @OptionGroup var options: DataOptions
            @Argument(help: "The credential's id (see `counter-hub admin-token list`).") var id: String

            func run() throws {
                try admin { try options.store().revokeAdminToken(id) }
                print("admin token \(id) revoked")
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The commission engine's export: accepted and conflicting redemptions and accepted voids, in order.",
            discussion: """
                Prints every event after --after (from the start without it). Each JSON line carries the cursor that \
                resumes just after it; the last cursor also goes to standard error. A consumer that stores the cursor \
                of the last event it processed and resumes from it sees every event exactly once.
                """)
        @OptionGroup var options: DataOptions
        @Option(help: "Resume after this cursor.") var after: String?
        @Option(help: "Stop after this many events (default: all).") var max: Int?
        @Flag(help: "One JSON object per line.") var json = false

        func validate() throws {
            if let max, max < 1 { throw ValidationError("--max must be at least 1") }
        }

        func run() throws {
            let store = try admin { try options.store() }
            var cursor = after
            var printed = 0
            while true {
                let remaining = max.map { $0 - printed } ?? 1000
                guard remaining > 0 else { break }
                let page = try admin { try store.exportEvents(after: cursor, limit: Swift.min(1000, remaining)) }
                for event in page.events {
                    if json {
                        try printJSONLine(event)
                    } else {
                        print([event.type, event.status, event.id, event.shopId, event.deviceId, event.campaignId ?? "-",
                               "uses \(event.uses)", event.shopRewardFen.flatMap { Money(fen: $0).times(event.uses) }.map { "reward \($0)" } ?? "",
                               RFC3339.string(event.occurredAt)].joined(separator: "  "))
                    }
                }
                printed += page.events.count
                cursor = page.nextCursor
                if page.upToDate { break }
            }
            FileHandle.standardError.write(Data("next cursor: \(cursor ?? "")\n".utf8))
        }
    }

    struct Redemptions: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every event received (redemptions, voids, rejected scans) with its status.")
        @OptionGroup var options: DataOptions
        @Flag(help: "One JSON object per line.") var json = false

        func run() throws {
            for event in try options.store().receivedEvents() {
                if json {
                    try printJSONLine(event)
                } else {
                    print([event.type, event.id, event.deviceId, event.deviceSequence.map(String.init) ?? "-",
                           event.tokenId ?? "-", event.status, event.reason ?? ""].joined(separator: "  "))
                }
            }
        }
    }
}
