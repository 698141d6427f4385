from collections import Counter


def word_counts(text):
    """Return a Counter of the words in text."""
    return Counter(text.split())


# asserts
assert word_counts("a b a") == Counter({"a": 2, "b": 1})
assert word_counts("") == Counter()
