import math


def hypotenuse(a, b):
    """Return the length of the hypotenuse of a right triangle with sides a and b."""
    return math.sqrt(a * a + b * b)


# asserts
assert hypotenuse(3, 4) == 5
assert abs(hypotenuse(1, 1) - 2 ** 0.5) < 1e-9
