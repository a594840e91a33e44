import GRDB

extension HubStore {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE hub_state (
                    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                    position INTEGER NOT NULL DEFAULT 0,
                    key_set_version INTEGER NOT NULL DEFAULT 0,
                    key_set_position INTEGER NOT NULL DEFAULT 0
                );
                INSERT INTO hub_state (id) VALUES (1);
                CREATE TABLE hub_key (
                    id INTEGER PRIMARY KEY NOT NULL,
                    role TEXT NOT NULL,
                    private_key BLOB NOT NULL,
                    public_key BLOB NOT NULL,
                    not_before DATETIME NOT NULL,
                    sign_until DATETIME,
                    verify_until DATETIME
                );
                CREATE TABLE key_set (
                    version INTEGER PRIMARY KEY NOT NULL,
                    payload BLOB NOT NULL,
                    signature BLOB NOT NULL
                );
                CREATE TABLE shop (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    time_zone TEXT NOT NULL,
                    max_data_age_seconds INTEGER NOT NULL
                );
                CREATE TABLE campaign (
                    id TEXT PRIMARY KEY NOT NULL,
                    title TEXT NOT NULL,
                    product TEXT NOT NULL,
                    face_value_fen INTEGER NOT NULL,
                    shop_reward_fen INTEGER,
                    uses INTEGER NOT NULL,
                    shop_ids TEXT NOT NULL,
                    valid_days INTEGER,
                    active_from DATETIME,
                    active_until DATETIME,
                    offline_policy TEXT NOT NULL,
                    status TEXT NOT NULL,
                    position INTEGER NOT NULL
                );
                CREATE INDEX campaign_position ON campaign(position);
                CREATE TABLE token (
                    id TEXT PRIMARY KEY NOT NULL,
                    code_hash TEXT UNIQUE,
                    campaign_id TEXT NOT NULL,
                    shop_ids TEXT NOT NULL,
                    uses_total INTEGER NOT NULL,
                    valid_from DATETIME,
                    valid_until DATETIME,
                    status TEXT NOT NULL,
                    revoked_reason TEXT,
                    revoked_at DATETIME,
                    deleted BOOLEAN NOT NULL DEFAULT 0,
                    key_id INTEGER,
                    position INTEGER NOT NULL
                );
                CREATE INDEX token_position ON token(position);
                CREATE TABLE device (
                    id TEXT PRIMARY KEY NOT NULL,
                    shop_id TEXT NOT NULL,
                    name TEXT,
                    token_hash TEXT NOT NULL UNIQUE,
                    acknowledged_sequence INTEGER NOT NULL DEFAULT 0,
                    created_at DATETIME NOT NULL
                );
                CREATE TABLE enrollment_code (
                    code_hash TEXT PRIMARY KEY NOT NULL,
                    shop_id TEXT NOT NULL,
                    expires_at DATETIME NOT NULL,
                    used_at DATETIME
                );
                CREATE TABLE event (
                    id TEXT PRIMARY KEY NOT NULL,
                    device_id TEXT NOT NULL,
                    type TEXT NOT NULL,
                    device_sequence INTEGER,
                    token_id TEXT,
                    redemption_id TEXT,
                    uses INTEGER NOT NULL DEFAULT 0,
                    status TEXT NOT NULL,
                    reason TEXT,
                    occurred_at DATETIME NOT NULL,
                    received_at DATETIME NOT NULL,
                    body TEXT NOT NULL
                );
                CREATE UNIQUE INDEX event_device_sequence ON event(device_id, device_sequence)
                    WHERE device_sequence IS NOT NULL;
                CREATE INDEX event_token ON event(token_id);
                """)
        }
        migrator.registerMigration("v2-device-clock") { db in
            // A device whose events go back in time while their sequence goes up: its clock was set back.
            try db.execute(sql: """
                ALTER TABLE device ADD COLUMN clock_went_back_at DATETIME;
                ALTER TABLE device ADD COLUMN clock_went_back_seconds REAL;
                """)
        }
        migrator.registerMigration("v3-device-fleet") { db in
            // Revocation, and what `counter-hub device list` shows of each device's health.
            try db.execute(sql: """
                ALTER TABLE device ADD COLUMN revoked_at DATETIME;
                ALTER TABLE device ADD COLUMN revoked_reason TEXT;
                ALTER TABLE device ADD COLUMN last_feed_at DATETIME;
                ALTER TABLE device ADD COLUMN clock_offset_seconds REAL;
                ALTER TABLE device ADD COLUMN clock_offset_at DATETIME;
                ALTER TABLE device ADD COLUMN backlog INTEGER;
                ALTER TABLE device ADD COLUMN backlog_at DATETIME;
                CREATE INDEX event_device_status ON event(device_id, status);
                """)
        }
        migrator.registerMigration("v4-feed-epoch") { db in
            // The feed's epoch, in every cursor; `counter-hub epoch renew` starts a new one after a restore.
            try db.execute(sql: "ALTER TABLE hub_state ADD COLUMN epoch TEXT NOT NULL DEFAULT ''")
        }
        migrator.registerMigration("v5-export") { db in
            // The commission engine's export: accepted and conflicting redemptions and accepted voids get a position,
            // in commit order (those received before keep theirs in arrival order, below every later one).
            try db.execute(sql: """
                ALTER TABLE event ADD COLUMN position INTEGER;
                UPDATE event SET position = rowid
                    WHERE (type = 'redemption' AND status IN ('accepted', 'conflict')) OR (type = 'void' AND status = 'accepted');
                CREATE UNIQUE INDEX event_position ON event(position) WHERE position IS NOT NULL;
                CREATE TABLE admin_token (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    token_hash TEXT NOT NULL UNIQUE,
                    created_at DATETIME NOT NULL,
                    revoked_at DATETIME
                );
                """)
        }
        migrator.registerMigration("v6-token-feed") { db in
            // What each counter holds: a campaign may send only the exceptions of its tokens (TokenFeed).
            try db.execute(sql: """
                ALTER TABLE campaign ADD COLUMN token_feed TEXT NOT NULL DEFAULT 'all';
                ALTER TABLE token ADD COLUMN in_feed BOOLEAN NOT NULL DEFAULT 1;
                CREATE INDEX token_feed ON token(position) WHERE in_feed;
                """)
        }
        migrator.registerMigration("v7-token-shop") { db in
            // A shop's feed reads its own tokens, the any-shop ones and the few of several shops through one index,
            // instead of scanning every shop's changes since its cursor (HubStore.shopKey).
            try db.execute(sql: """
                ALTER TABLE token ADD COLUMN shop_key TEXT;
                UPDATE token SET shop_key = CASE WHEN shop_ids = '[]' THEN '*'
                    WHEN json_array_length(shop_ids) = 1 THEN json_extract(shop_ids, '$[0]') END;
                CREATE INDEX token_shop_feed ON token(shop_key, position) WHERE in_feed;
                """)
        }
        migrator.registerMigration("v8-device-token-rotation") { db in
            // Device token rotation: a new token waits in next_token_hash until the device first uses it, then
            // replaces the old one (HubStore.rotateDeviceToken). token_issued_at dates the token in use.
            try db.execute(sql: """
                ALTER TABLE device ADD COLUMN next_token_hash TEXT;
                ALTER TABLE device ADD COLUMN token_issued_at DATETIME;
                UPDATE device SET token_issued_at = created_at;
                CREATE UNIQUE INDEX device_next_token ON device(next_token_hash) WHERE next_token_hash IS NOT NULL;
                """)
        }
        migrator.registerMigration("v9-drop-unused-token-indexes") { db in
            // Feed reads go through token_shop_feed (v7); these two were only written, on every token change.
            try db.execute(sql: "DROP INDEX IF EXISTS token_feed; DROP INDEX IF EXISTS token_position")
        }
        migrator.registerMigration("v10-staff") { db in
            // The shops' staff (issue 17): managed with `counter-hub staff`; a PIN only as its verifier (PINVerifier).
            try db.execute(sql: """
                CREATE TABLE staff (
                    id TEXT PRIMARY KEY NOT NULL,
                    shop_id TEXT NOT NULL REFERENCES shop(id),
                    name TEXT NOT NULL,
                    role TEXT NOT NULL,
                    enabled BOOLEAN NOT NULL DEFAULT 1,
                    pin_verifier TEXT,
                    created_at DATETIME NOT NULL,
                    updated_at DATETIME NOT NULL,
                    position INTEGER NOT NULL
                );
                CREATE INDEX staff_shop_position ON staff(shop_id, position);
                """)
        }
        migrator.registerMigration("v11-event-staff") { db in
            // Who made each event at the counter (issue 17), as the counter sent it; NULL for nobody.
            try db.execute(sql: "ALTER TABLE event ADD COLUMN staff_id TEXT")
        }
        migrator.registerMigration("v12-manager-void-window") { db in
            // How long a 店长 (manager) may void a redemption at the shop's counters (issue 17): 24 hours unless set.
            try db.execute(sql: "ALTER TABLE shop ADD COLUMN manager_void_window_seconds INTEGER NOT NULL DEFAULT 86400")
        }
        migrator.registerMigration("v13-training") { db in
            // Practice campaigns (练习, issue 17): their codes redeem only on counters in training mode, and never count.
            try db.execute(sql: "ALTER TABLE campaign ADD COLUMN training BOOLEAN NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v14-staff-badge") { db in
            // The current staff badge of each member (`counter-hub staff badge`): a new one retires the old card.
            try db.execute(sql: "ALTER TABLE staff ADD COLUMN badge_id TEXT")
        }
        return migrator
    }
}
