"""The program cost ledger: append-only costs by month and kind, the synced reward costs, stated savings."""
