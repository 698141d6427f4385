def longest_word(words):
    """Return the longest string in words."""
    return max(words, key=len)


# asserts
assert longest_word(["a", "abc", "ab"]) == "abc"
assert longest_word(["one"]) == "one"
