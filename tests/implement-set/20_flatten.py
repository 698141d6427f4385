def flatten(lists):
    """Return a single list with the items of all the lists, in order."""
    return [item for sublist in lists for item in sublist]


# asserts
assert flatten([[1, 2], [3], []]) == [1, 2, 3]
assert flatten([]) == []
