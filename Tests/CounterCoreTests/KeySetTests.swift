import CounterCore
import Crypto
import Foundation
import Testing

@Suite struct KeySetTests {
    let root = try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 0x10, count: 32))
    let signer = try! Curve25519.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 0x11, count: 32))

    var set: KeySet {
        KeySet(version: 4, issuedAt: Date(timeIntervalSince1970: 1_790_000_000), keys: [
            .init(keyId: 7, publicKey: Hex.encode(signer.publicKey.rawRepresentation),
                  notBefore: Date(timeIntervalSince1970: 1_780_000_000), signUntil: Date(timeIntervalSince1970: 1_800_000_000),
                  verifyUntil: Date(timeIntervalSince1970: 1_820_000_000)),
        ])
    }

    @Test func signedSetVerifiesAndRoundTrips() throws {
        let (payload, signature) = try set.signed(with: root)
        let verified = try KeySet.verified(payload: payload, signature: signature,
                                           rootPublicKey: Array(root.publicKey.rawRepresentation))
        #expect(verified == set)
        #expect(verified.signingKeys.first?.id == 7)
        #expect(String(decoding: payload, as: UTF8.self).contains("\"verify_until\":\"2027-09-03T19:33:20Z\""))
    }

    @Test func anyChangeOrAnotherRootFails() throws {
        let (payload, signature) = try set.signed(with: root)
        var altered = payload
        altered[altered.count / 2] ^= 0x01
        #expect(throws: KeySet.Invalid.self) {
            try KeySet.verified(payload: altered, signature: signature, rootPublicKey: Array(root.publicKey.rawRepresentation))
        }
        #expect(throws: KeySet.Invalid.self) {
            try KeySet.verified(payload: payload, signature: signature, rootPublicKey: Array(signer.publicKey.rawRepresentation))
        }
        #expect(throws: KeySet.Invalid.self) {
            try KeySet.verified(payload: payload, signature: Array(signature.dropLast()), rootPublicKey: Array(root.publicKey.rawRepresentation))
        }
    }

    @Test func signedButInvalidContentIsRefused() throws {
        var duplicate = set
        duplicate.keys.append(duplicate.keys[0])
        var badKey = set
        badKey.keys[0].publicKey = "abcd"
        for candidate in [duplicate, badKey] {
            let (payload, signature) = try candidate.signed(with: root)
            #expect(throws: KeySet.Invalid.self) {
                try KeySet.verified(payload: payload, signature: signature, rootPublicKey: Array(root.publicKey.rawRepresentation))
            }
        }
    }

    /// The example in docs/protocol.md verifies with the keys derived from its public strings.
    @Test func protocolDocumentExampleVerifies() throws {
        func seed(_ text: String) -> [UInt8] { Array(SHA256.hash(data: Array(text.utf8))) }
        let exampleRoot = try Curve25519.Signing.PrivateKey(rawRepresentation: seed("counterd protocol example root key"))
        #expect(Hex.encode(exampleRoot.publicKey.rawRepresentation) == "0b299935be66d35a8b79acfa474cb6b72c7f11b28ac8d7a0ec9a01fa91de37af")
        let payload = Array(Data(base64Encoded: "eyJ2ZXJzaW9uIjoyLCJpc3N1ZWRfYXQiOiIyMDI2LTExLTAxVDAwOjAwOjAwWiIsImtleXMiOlt7ImtleV9pZCI6MSwicHVibGljX2tleSI6IjU0YzgzM2NjYTU2MTZhMWU2OWZlYTNlYmE2ODU0YTNjYjA1MWI5YmMxYmJmYmRkNThhNmRkNDI2NDM4YmUxYjkiLCJub3RfYmVmb3JlIjoiMjAyNi0wNS0wMVQwMDowMDowMFoiLCJzaWduX3VudGlsIjoiMjAyNi0xMS0wMVQwMDowMDowMFoiLCJ2ZXJpZnlfdW50aWwiOiIyMDI3LTExLTAxVDAwOjAwOjAwWiJ9LHsia2V5X2lkIjoyLCJwdWJsaWNfa2V5IjoiNzdmYTc3YTgzYzBkYTExNjZmM2Y0YjQ2ZTcyZjlmY2Q0NDQ2ZTJjZTk3NDk3YjkyNTdhOWU4OWU1MWQyNmVhOCIsIm5vdF9iZWZvcmUiOiIyMDI2LTExLTAxVDAwOjAwOjAwWiIsInNpZ25fdW50aWwiOiIyMDI3LTA1LTAxVDAwOjAwOjAwWiIsInZlcmlmeV91bnRpbCI6IjIwMjgtMDUtMDFUMDA6MDA6MDBaIn1dfQ==")!)
        let signature = Array(Data(base64Encoded: "giMMvaeA4rNV7WdaIfHjlJrtezIwXElKmlCTQl2+oS/Ziod2pgY28YymRKWKvdHt6/uFq+KtTUcMt3zIK34xAQ==")!)
        let verified = try KeySet.verified(payload: payload, signature: signature,
                                           rootPublicKey: Array(exampleRoot.publicKey.rawRepresentation))
        #expect(verified.version == 2)
        #expect(verified.keys.map(\.keyId) == [1, 2])
    }

    @Test func rfc3339AcceptsFractionsAndRequiresUTC() {
        #expect(RFC3339.parse("2026-11-22T02:31:07Z") == Date(timeIntervalSince1970: 1_795_314_667))
        #expect(RFC3339.parse("2026-11-22T02:31:07.250Z") == Date(timeIntervalSince1970: 1_795_314_667.25))
        #expect(RFC3339.parse("2026-11-22T10:31:07+08:00") == nil)
        #expect(RFC3339.parse("yesterday") == nil)
        #expect(RFC3339.string(Date(timeIntervalSince1970: 1_795_314_667)) == "2026-11-22T02:31:07Z")
    }
}
