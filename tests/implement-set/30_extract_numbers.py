import re


def extract_numbers(text):
    """Return the integers written in text, as a list of ints."""
    return [int(number) for number in re.findall(r"-?\d+", text)]


# asserts
assert extract_numbers("a1 b22 c-3") == [1, 22, -3]
assert extract_numbers("none") == []
