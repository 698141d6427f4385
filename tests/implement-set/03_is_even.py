def is_even(n):
    """Return True if n is even."""
    return n % 2 == 0


# asserts
assert is_even(4) is True
assert is_even(7) is False
assert is_even(0) is True
