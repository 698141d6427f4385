def merge_dicts(first, second):
    """Return a new dict with the items of first updated by those of second."""
    merged = dict(first)
    merged.update(second)
    return merged


# asserts
a = {"x": 1, "y": 2}
assert merge_dicts(a, {"y": 3, "z": 4}) == {"x": 1, "y": 3, "z": 4}
assert a == {"x": 1, "y": 2}
