def mean(values):
    """Return the arithmetic mean of values."""
    return sum(values) / len(values)


# asserts
assert mean([1, 2, 3]) == 2
assert mean([5]) == 5
assert mean([1, 2]) == 1.5
