def max_key(mapping):
    """Return the key with the largest value in mapping."""
    return max(mapping, key=mapping.get)


# asserts
assert max_key({"a": 1, "b": 5, "c": 2}) == "b"
assert max_key({"x": -1}) == "x"
