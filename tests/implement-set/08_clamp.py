def clamp(value, low, high):
    """Return value limited to the range from low to high."""
    return max(low, min(value, high))


# asserts
assert clamp(5, 0, 10) == 5
assert clamp(-3, 0, 10) == 0
assert clamp(42, 0, 10) == 10
