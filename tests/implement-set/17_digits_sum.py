def digits_sum(n):
    """Return the sum of the decimal digits of the non-negative integer n."""
    return sum(int(digit) for digit in str(n))


# asserts
assert digits_sum(0) == 0
assert digits_sum(123) == 6
assert digits_sum(9999) == 36
