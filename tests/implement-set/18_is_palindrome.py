def is_palindrome(text):
    """Return True if text reads the same forwards and backwards."""
    return text == text[::-1]


# asserts
assert is_palindrome("level") is True
assert is_palindrome("python") is False
assert is_palindrome("") is True
