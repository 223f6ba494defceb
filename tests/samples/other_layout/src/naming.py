def prefixed(name: str) -> str:
    return f"other-{name}"
