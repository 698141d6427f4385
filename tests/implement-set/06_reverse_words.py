def reverse_words(sentence):
    """Return the sentence with its words in reverse order."""
    return " ".join(reversed(sentence.split()))


# asserts
assert reverse_words("one two three") == "three two one"
assert reverse_words("single") == "single"
