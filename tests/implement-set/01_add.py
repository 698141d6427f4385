def add(a, b):
    """Return the sum of a and b."""
    return a + b


# asserts
assert add(1, 2) == 3
assert add(-4, 4) == 0
assert add(2.5, 0.5) == 3.0
