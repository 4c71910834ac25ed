"""Demo story for supply: weekly checks, shortage cases and named distributors."""


def load() -> None:
    """Filled in with the supply capability."""
