def count_vowels(text):
    """Return the number of vowels in text."""
    return sum(1 for char in text.lower() if char in "aeiou")


# asserts
assert count_vowels("hello") == 2
assert count_vowels("xyz") == 0
assert count_vowels("AEIOU") == 5
