def square_all(values):
    """Return a list of the squares of values."""
    return [value * value for value in values]


# asserts
assert square_all([1, 2, 3]) == [1, 4, 9]
assert square_all([]) == []
assert square_all([-2]) == [4]
