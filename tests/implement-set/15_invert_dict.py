def invert_dict(mapping):
    """Return a dict mapping each value of mapping to its key."""
    return {value: key for key, value in mapping.items()}


# asserts
assert invert_dict({"a": 1, "b": 2}) == {1: "a", 2: "b"}
assert invert_dict({}) == {}
