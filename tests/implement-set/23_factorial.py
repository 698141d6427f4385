import math


def factorial(n):
    """Return n factorial."""
    return math.prod(range(1, n + 1))


# asserts
assert factorial(0) == 1
assert factorial(1) == 1
assert factorial(5) == 120
