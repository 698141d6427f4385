def chunk(items, size):
    """Return items split into lists of at most size items."""
    return [items[start:start + size] for start in range(0, len(items), size)]


# asserts
assert chunk([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]
assert chunk([], 3) == []
