def total(numbers):
    """Return the sum of all the numbers in the list."""
    return sum(numbers)


# asserts
assert total([1, 2, 3]) == 6
assert total([]) == 0
assert total([-1, 1, 10]) == 10
