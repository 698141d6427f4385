def differences(values):
    """Return the differences between consecutive values."""
    return [second - first for first, second in zip(values, values[1:])]


# asserts
assert differences([1, 4, 9]) == [3, 5]
assert differences([5]) == []
