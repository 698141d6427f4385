def is_subset(small, large):
    """Return True if every item of small is also in large."""
    return set(small) <= set(large)


# asserts
assert is_subset([1, 2], [1, 2, 3]) is True
assert is_subset([4], [1, 2]) is False
assert is_subset([], []) is True
