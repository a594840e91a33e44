import CounterCore
@testable import CounterLedger
import Foundation
import GRDB
import Testing

/// `counterctl doctor` runs `PRAGMA quick_check` through the ledger: a sound file answers ok, a damaged one says where.
@Suite struct QuickCheckTests {
    @Test func aSoundLedgerIsOK() async throws {
        let fixture = try await LedgerFixture()
        #expect(try await fixture.ledger.quickCheck() == ["ok"])
    }

    @Test func damagedPagesAreReported() async throws {
        let fixture = try await LedgerFixture()
        let path = fixture.directory + "/ledger.sqlite"
        // Enough tokens for many b-tree pages after the tables migration created first.
        try await fixture.ledger.apply(CacheUpdate(tokens: (0..<3000).map { LedgerFixture.token(String(format: "BULK-%05d", $0)) }))
        let pageSize = try await fixture.ledger.writer.writeWithoutTransaction { db -> Int in
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            return try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
        }
        fixture.ledger.close()

        // Overwrite the b-tree page headers of the second half of the file, where the bulk tokens live.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        let pages = Int(try handle.seekToEnd()) / pageSize
        #expect(pages > 20)
        for page in (pages / 2)..<pages {
            try handle.seek(toOffset: UInt64(page * pageSize))
            try handle.write(contentsOf: Data(repeating: 0xA5, count: 12))
        }
        try handle.close()

        let reopened = try Ledger(path: path, identity: LedgerFixture.identity)
        let rows = try await reopened.quickCheck()
        #expect(rows != ["ok"])
        #expect(rows.contains { $0.contains("malformed") || $0.contains("Page") || $0.contains("btree") }, "\(rows)")
    }
}
