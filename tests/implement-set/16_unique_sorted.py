def unique_sorted(items):
    """Return the distinct items in ascending order."""
    return sorted(set(items))


# asserts
assert unique_sorted([3, 1, 3, 2]) == [1, 2, 3]
assert unique_sorted([]) == []
