import GRDB

extension Ledger {
    /// The schema. A migration that has shipped is never edited: add a new one instead.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE campaign (
                    id TEXT PRIMARY KEY NOT NULL,
                    title TEXT NOT NULL,
                    product TEXT NOT NULL,
                    face_value_fen INTEGER NOT NULL,
                    shop_reward_fen INTEGER,
                    active_from DATETIME,
                    active_until DATETIME,
                    offline_policy TEXT NOT NULL,
                    status TEXT NOT NULL
                );
                CREATE TABLE token (
                    id TEXT PRIMARY KEY NOT NULL,
                    code_hash BLOB UNIQUE,
                    campaign_id TEXT NOT NULL,
                    shop_scope TEXT NOT NULL,
                    uses_total INTEGER NOT NULL,
                    uses_server INTEGER NOT NULL DEFAULT 0,
                    uses_remaining INTEGER NOT NULL,
                    valid_from DATETIME,
                    valid_until DATETIME,
                    status TEXT NOT NULL,
                    origin TEXT NOT NULL,
                    last_used_at DATETIME,
                    last_used_shop TEXT,
                    last_used_device TEXT
                );
                CREATE TABLE revocation (
                    token_id TEXT PRIMARY KEY NOT NULL,
                    reason TEXT NOT NULL,
                    revoked_at DATETIME NOT NULL
                );
                CREATE TABLE signing_key (
                    id INTEGER PRIMARY KEY NOT NULL,
                    public_key BLOB NOT NULL,
                    verify_until DATETIME
                );
                CREATE TABLE device_state (
                    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                    device_id TEXT NOT NULL,
                    shop_id TEXT NOT NULL,
                    last_sequence INTEGER NOT NULL DEFAULT 0,
                    server_watermark INTEGER NOT NULL DEFAULT 0
                );
                CREATE TABLE redemption (
                    id TEXT PRIMARY KEY NOT NULL,
                    device_sequence INTEGER NOT NULL UNIQUE,
                    token_id TEXT NOT NULL,
                    campaign_id TEXT NOT NULL,
                    shop_id TEXT NOT NULL,
                    device_id TEXT NOT NULL,
                    uses INTEGER NOT NULL CHECK (uses > 0),
                    code_last4 TEXT NOT NULL,
                    via TEXT NOT NULL,
                    source TEXT NOT NULL,
                    redeemed_at DATETIME NOT NULL
                );
                CREATE INDEX redemption_on_token ON redemption(token_id, redeemed_at);
                CREATE TABLE void (
                    id TEXT PRIMARY KEY NOT NULL,
                    device_sequence INTEGER NOT NULL UNIQUE,
                    redemption_id TEXT NOT NULL UNIQUE REFERENCES redemption(id),
                    reason TEXT NOT NULL,
                    source TEXT NOT NULL,
                    voided_at DATETIME NOT NULL
                );
                CREATE TABLE rejection (
                    id TEXT PRIMARY KEY NOT NULL,
                    code_hash BLOB,
                    reason TEXT NOT NULL,
                    token_id TEXT,
                    campaign_id TEXT,
                    detail TEXT,
                    source TEXT NOT NULL,
                    scanned_at DATETIME NOT NULL
                );
                CREATE TABLE outbox (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind TEXT NOT NULL,
                    item_id TEXT NOT NULL UNIQUE,
                    priority INTEGER NOT NULL,
                    state TEXT NOT NULL DEFAULT 'pending',
                    attempts INTEGER NOT NULL DEFAULT 0,
                    last_error TEXT,
                    created_at DATETIME NOT NULL
                );
                CREATE INDEX outbox_by_state ON outbox(state, priority, id);
                """)
        }
        migrator.registerMigration("v2-sync") { db in
            try db.execute(sql: """
                CREATE TABLE sync_state (
                    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                    cursor TEXT,
                    position INTEGER NOT NULL DEFAULT 0,
                    generation INTEGER NOT NULL DEFAULT 0,
                    resync_generation INTEGER,
                    key_set_version INTEGER NOT NULL DEFAULT 0,
                    max_data_age_seconds INTEGER,
                    shop_name TEXT,
                    shop_time_zone TEXT,
                    last_page_at DATETIME,
                    last_complete_sync_at DATETIME,
                    server_time_offset REAL,
                    last_error TEXT,
                    last_error_at DATETIME
                );
                INSERT INTO sync_state (id) VALUES (1);
                ALTER TABLE token ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE campaign ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE revocation ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE redemption ADD COLUMN clock_suspect BOOLEAN NOT NULL DEFAULT 0;
                ALTER TABLE void ADD COLUMN clock_suspect BOOLEAN NOT NULL DEFAULT 0;
                ALTER TABLE rejection ADD COLUMN clock_suspect BOOLEAN NOT NULL DEFAULT 0;
                ALTER TABLE outbox ADD COLUMN result TEXT;
                ALTER TABLE outbox ADD COLUMN result_reason TEXT;
                ALTER TABLE outbox ADD COLUMN delivered_at DATETIME;
                CREATE INDEX void_on_sequence ON void(device_sequence);
                """)
        }
        migrator.registerMigration("v3-receipts") { db in
            try db.execute(sql: """
                CREATE TABLE receipt_job (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    kind TEXT NOT NULL,
                    item_id TEXT NOT NULL,
                    redemption_id TEXT NOT NULL,
                    reprint BOOLEAN NOT NULL DEFAULT 0,
                    uses_left INTEGER,
                    state TEXT NOT NULL DEFAULT 'pending',
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_at DATETIME NOT NULL,
                    printer TEXT,
                    cups_job_id INTEGER,
                    last_error TEXT,
                    created_at DATETIME NOT NULL,
                    submitted_at DATETIME,
                    finished_at DATETIME
                );
                CREATE UNIQUE INDEX receipt_job_original ON receipt_job(kind, item_id) WHERE reprint = 0;
                CREATE INDEX receipt_job_by_state ON receipt_job(state, next_attempt_at);
                """)
        }
        migrator.registerMigration("v4-refusals") { db in
            // How often, and since when, the hub refused an event sent alone (docs/protocol.md, "Retry rules").
            try db.execute(sql: """
                ALTER TABLE outbox ADD COLUMN refusals INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE outbox ADD COLUMN first_refused_at DATETIME;
                """)
        }
        migrator.registerMigration("v5-clock-high-water") { db in
            // The latest trustworthy time this counter has seen (the hub's, or its own events'): a clock set back
            // below it is caught (Ledger+Clock.swift).
            try db.execute(sql: "ALTER TABLE device_state ADD COLUMN high_water_at DATETIME")
        }
        migrator.registerMigration("v6-requeue-after-restore") { db in
            // The hub's acknowledged_sequence for which delivered events were last put back in the queue (a hub
            // restored from an older backup): each such value re-queues once (Ledger+Outbox.swift).
            try db.execute(sql: "ALTER TABLE sync_state ADD COLUMN requeued_for_acknowledged INTEGER")
        }
        migrator.registerMigration("v7-bulk-load") { db in
            // A full resync into an empty cache stages its tokens here, unindexed, and moves them into `token` in one
            // sorted insert at its end (Ledger+BulkLoad.swift).
            try db.execute(sql: """
                ALTER TABLE sync_state ADD COLUMN bulk_load BOOLEAN NOT NULL DEFAULT 0;
                CREATE TABLE token_load (
                    id TEXT NOT NULL,
                    code_hash BLOB,
                    campaign_id TEXT NOT NULL,
                    shop_scope TEXT NOT NULL,
                    uses_total INTEGER NOT NULL,
                    uses_server INTEGER NOT NULL,
                    valid_from DATETIME,
                    valid_until DATETIME,
                    status TEXT NOT NULL,
                    last_used_at DATETIME,
                    last_used_shop TEXT,
                    last_used_device TEXT,
                    generation INTEGER NOT NULL,
                    watermark INTEGER NOT NULL
                );
                CREATE TABLE token_load_tombstone (
                    id TEXT PRIMARY KEY NOT NULL,
                    after_row INTEGER NOT NULL
                );
                """)
        }
        migrator.registerMigration("v8-staff") { db in
            // The shop's staff from the feed (Ledger+Staff.swift), their PIN lock-outs (kept across restarts), and
            // who made each redemption, void and rejection (NULL: nobody signed in, or a shop without staff).
            try db.execute(sql: """
                CREATE TABLE staff (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    role TEXT NOT NULL,
                    enabled BOOLEAN NOT NULL,
                    pin_verifier TEXT,
                    generation INTEGER NOT NULL
                );
                CREATE TABLE staff_lock (
                    staff_id TEXT PRIMARY KEY NOT NULL,
                    failures INTEGER NOT NULL,
                    locked_until DATETIME
                );
                ALTER TABLE redemption ADD COLUMN staff_id TEXT;
                ALTER TABLE void ADD COLUMN staff_id TEXT;
                ALTER TABLE rejection ADD COLUMN staff_id TEXT;
                """)
        }
        migrator.registerMigration("v9-roles") { db in
            // The shop's manager void window from the feed (NULL: 24 hours), and the manager who approved a void.
            try db.execute(sql: """
                ALTER TABLE sync_state ADD COLUMN manager_void_window_seconds INTEGER;
                ALTER TABLE void ADD COLUMN approved_by TEXT;
                """)
        }
        migrator.registerMigration("v10-shifts") { db in
            // Shifts and day closes (Ledger+Shifts.swift): the device sequences after `after_sequence` up to
            // `last_sequence`; `report` is the Z report fixed at the close; `reconciliation` the hub's answer.
            try db.execute(sql: """
                CREATE TABLE shift (
                    id TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL,
                    opened_at DATETIME NOT NULL,
                    opened_by TEXT,
                    after_sequence INTEGER NOT NULL,
                    closed_at DATETIME,
                    closed_by TEXT,
                    last_sequence INTEGER,
                    report TEXT,
                    reconciliation TEXT,
                    missing_sequences TEXT,
                    reconciled_at DATETIME
                );
                CREATE UNIQUE INDEX shift_one_open ON shift(closed_at IS NULL) WHERE closed_at IS NULL;
                """)
        }
        migrator.registerMigration("v11-training") { db in
            // Practice campaigns from the feed, the counter's training mode (练习模式), and which redemptions were practice.
            try db.execute(sql: """
                ALTER TABLE campaign ADD COLUMN training BOOLEAN NOT NULL DEFAULT 0;
                ALTER TABLE redemption ADD COLUMN training BOOLEAN NOT NULL DEFAULT 0;
                ALTER TABLE device_state ADD COLUMN training BOOLEAN NOT NULL DEFAULT 0;
                """)
        }
        migrator.registerMigration("v12-staff-badge") { db in
            // The current staff badge of each member, from the feed: a badge with another id is an old card.
            try db.execute(sql: "ALTER TABLE staff ADD COLUMN badge_id TEXT")
        }
        return migrator
    }
}
