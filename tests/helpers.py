"""Small helpers shared by tests of different apps."""


def management(prefix: str, total: int = 0, initial: int = 0) -> dict[str, str]:
    """The management form of an admin inline formset, as a browser posts it."""
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
