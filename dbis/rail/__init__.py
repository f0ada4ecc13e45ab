"""DBIS Rail harness: EIP-712 Mint Authorizations (typed data, signing, quorum assembly) and the
off-chain rule checks that mirror the settlement router, naming the rule that fails."""
