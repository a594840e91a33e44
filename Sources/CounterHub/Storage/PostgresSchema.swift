/// counter-hub's tables on PostgreSQL: the same tables and columns as on SQLite (HubStore+Migrations), in
/// PostgreSQL's types. Each migration runs once, in order, recorded in `hub_migration`.
enum PostgresSchema {
    static let migrations: [(name: String, statements: [String])] = [
        ("v1", [
            """
            CREATE TABLE hub_state (
                id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                position BIGINT NOT NULL DEFAULT 0,
                key_set_version BIGINT NOT NULL DEFAULT 0,
                key_set_position BIGINT NOT NULL DEFAULT 0,
                epoch TEXT NOT NULL DEFAULT ''
            )
            """,
            "INSERT INTO hub_state (id) VALUES (1)",
            """
            CREATE TABLE hub_key (
                id BIGINT PRIMARY KEY NOT NULL,
                role TEXT NOT NULL,
                private_key BYTEA NOT NULL,
                public_key BYTEA NOT NULL,
                not_before TIMESTAMPTZ NOT NULL,
                sign_until TIMESTAMPTZ,
                verify_until TIMESTAMPTZ
            )
            """,
            "CREATE TABLE key_set (version BIGINT PRIMARY KEY NOT NULL, payload BYTEA NOT NULL, signature BYTEA NOT NULL)",
            """
            CREATE TABLE shop (
                id TEXT PRIMARY KEY NOT NULL,
                name TEXT NOT NULL,
                time_zone TEXT NOT NULL,
                max_data_age_seconds BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE campaign (
                id TEXT PRIMARY KEY NOT NULL,
                title TEXT NOT NULL,
                product TEXT NOT NULL,
                face_value_fen BIGINT NOT NULL,
                shop_reward_fen BIGINT,
                uses INTEGER NOT NULL,
                shop_ids TEXT NOT NULL,
                valid_days INTEGER,
                active_from TIMESTAMPTZ,
                active_until TIMESTAMPTZ,
                offline_policy TEXT NOT NULL,
                status TEXT NOT NULL,
                position BIGINT NOT NULL
            )
            """,
            "CREATE INDEX campaign_position ON campaign(position)",
            """
            CREATE TABLE token (
                id TEXT PRIMARY KEY NOT NULL,
                code_hash TEXT UNIQUE,
                campaign_id TEXT NOT NULL,
                shop_ids TEXT NOT NULL,
                uses_total INTEGER NOT NULL,
                valid_from TIMESTAMPTZ,
                valid_until TIMESTAMPTZ,
                status TEXT NOT NULL,
                revoked_reason TEXT,
                revoked_at TIMESTAMPTZ,
                deleted BOOLEAN NOT NULL DEFAULT false,
                key_id BIGINT,
                position BIGINT NOT NULL
            )
            """,
            "CREATE INDEX token_position ON token(position)",
            """
            CREATE TABLE device (
                id TEXT PRIMARY KEY NOT NULL,
                shop_id TEXT NOT NULL,
                name TEXT,
                token_hash TEXT NOT NULL UNIQUE,
                acknowledged_sequence BIGINT NOT NULL DEFAULT 0,
                created_at TIMESTAMPTZ NOT NULL,
                clock_went_back_at TIMESTAMPTZ,
                clock_went_back_seconds DOUBLE PRECISION,
                revoked_at TIMESTAMPTZ,
                revoked_reason TEXT,
                last_feed_at TIMESTAMPTZ,
                clock_offset_seconds DOUBLE PRECISION,
                clock_offset_at TIMESTAMPTZ,
                backlog BIGINT,
                backlog_at TIMESTAMPTZ
            )
            """,
            """
            CREATE TABLE enrollment_code (
                code_hash TEXT PRIMARY KEY NOT NULL,
                shop_id TEXT NOT NULL,
                expires_at TIMESTAMPTZ NOT NULL,
                used_at TIMESTAMPTZ
            )
            """,
            """
            CREATE TABLE event (
                id TEXT PRIMARY KEY NOT NULL,
                device_id TEXT NOT NULL,
                type TEXT NOT NULL,
                device_sequence BIGINT,
                token_id TEXT,
                redemption_id TEXT,
                uses INTEGER NOT NULL DEFAULT 0,
                status TEXT NOT NULL,
                reason TEXT,
                occurred_at TIMESTAMPTZ NOT NULL,
                received_at TIMESTAMPTZ NOT NULL,
                body TEXT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX event_device_sequence ON event(device_id, device_sequence) WHERE device_sequence IS NOT NULL",
            "CREATE INDEX event_token ON event(token_id)",
            "CREATE INDEX event_device_status ON event(device_id, status)",
        ]),
        ("v2-export", [
            "ALTER TABLE event ADD COLUMN position BIGINT",
            "CREATE UNIQUE INDEX event_position ON event(position) WHERE position IS NOT NULL",
            """
            CREATE TABLE admin_token (
                id TEXT PRIMARY KEY NOT NULL,
                name TEXT NOT NULL,
                token_hash TEXT NOT NULL UNIQUE,
                created_at TIMESTAMPTZ NOT NULL,
                revoked_at TIMESTAMPTZ
            )
            """,
        ]),
        ("v3-token-feed", [
            "ALTER TABLE campaign ADD COLUMN token_feed TEXT NOT NULL DEFAULT 'all'",
            "ALTER TABLE token ADD COLUMN in_feed BOOLEAN NOT NULL DEFAULT true",
            "CREATE INDEX token_feed ON token(position) WHERE in_feed",
        ]),
        ("v4-token-shop", [
            "ALTER TABLE token ADD COLUMN shop_key TEXT",
            """
            UPDATE token SET shop_key = CASE WHEN shop_ids = '[]' THEN '*'
                WHEN jsonb_array_length(shop_ids::jsonb) = 1 THEN shop_ids::jsonb->>0 END
            """,
            "CREATE INDEX token_shop_feed ON token(shop_key, position) WHERE in_feed",
        ]),
        ("v5-device-token-rotation", [
            "ALTER TABLE device ADD COLUMN next_token_hash TEXT",
            "ALTER TABLE device ADD COLUMN token_issued_at TIMESTAMPTZ",
            "UPDATE device SET token_issued_at = created_at",
            "CREATE UNIQUE INDEX device_next_token ON device(next_token_hash) WHERE next_token_hash IS NOT NULL",
        ]),
        ("v6-drop-unused-token-indexes", [
            // Feed reads go through token_shop_feed (v4); these two were only written, on every token change.
            "DROP INDEX IF EXISTS token_feed",
            "DROP INDEX IF EXISTS token_position",
        ]),
        ("v7-staff", [
            """
            CREATE TABLE staff (
                id TEXT PRIMARY KEY NOT NULL,
                shop_id TEXT NOT NULL REFERENCES shop(id),
                name TEXT NOT NULL,
                role TEXT NOT NULL,
                enabled BOOLEAN NOT NULL DEFAULT TRUE,
                pin_verifier TEXT,
                created_at TIMESTAMPTZ NOT NULL,
                updated_at TIMESTAMPTZ NOT NULL,
                position BIGINT NOT NULL
            )
            """,
            "CREATE INDEX staff_shop_position ON staff(shop_id, position)",
        ]),
        ("v8-event-staff", [
            // Who made each event at the counter (issue 17), as the counter sent it; NULL for nobody.
            "ALTER TABLE event ADD COLUMN staff_id TEXT",
        ]),
        ("v9-manager-void-window", [
            // How long a 店长 (manager) may void a redemption at the shop's counters (issue 17): 24 hours unless set.
            "ALTER TABLE shop ADD COLUMN manager_void_window_seconds INTEGER NOT NULL DEFAULT 86400",
        ]),
        ("v10-training", [
            // Practice campaigns (练习, issue 17): their codes redeem only on counters in training mode, and never count.
            "ALTER TABLE campaign ADD COLUMN training BOOLEAN NOT NULL DEFAULT FALSE",
        ]),
        ("v11-staff-badge", [
            // The current staff badge of each member (`counter-hub staff badge`): a new one retires the old card.
            "ALTER TABLE staff ADD COLUMN badge_id TEXT",
        ]),
    ]
}
