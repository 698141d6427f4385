def last_n(items, n):
    """Return the last n items of the list."""
    return items[-n:] if n > 0 else []


# asserts
assert last_n([1, 2, 3, 4], 2) == [3, 4]
assert last_n([1, 2], 0) == []
assert last_n([1, 2], 5) == [1, 2]
