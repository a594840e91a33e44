/// Read access to the synced cache that verification needs. The ledger implements it inside its
/// write transaction, so a verdict and the redemption it leads to see the same state.
public protocol TokenCatalog {
    func token(withCodeHash hash: CodeHash) throws -> Token?
    func token(withID id: TokenID) throws -> Token?
    func campaign(withID id: String) throws -> Campaign?
    func signingKey(withID id: UInt32) throws -> SigningKey?
    func revocation(of tokenID: TokenID) throws -> Revocation?
    /// The most recent known use of a token (own redemptions, or what the feed reported).
    func lastUse(of tokenID: TokenID) throws -> PriorUse?
}
