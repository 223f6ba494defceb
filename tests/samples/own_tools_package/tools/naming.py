def physical(prefix, name):
    return f"{prefix}-{name}"
