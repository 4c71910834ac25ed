"""Demo story for the ledgers: prepayments, budget deductions, bulletins and audits."""


def load() -> None:
    """Filled in with the ledger capability."""
