def first_or_default(items, default=None):
    """Return the first item, or default when items is empty."""
    return items[0] if items else default


# asserts
assert first_or_default([3, 4]) == 3
assert first_or_default([]) is None
assert first_or_default([], 7) == 7
