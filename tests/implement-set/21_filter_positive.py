def filter_positive(numbers):
    """Return the numbers that are greater than zero."""
    return [number for number in numbers if number > 0]


# asserts
assert filter_positive([-1, 0, 2, 3]) == [2, 3]
assert filter_positive([]) == []
