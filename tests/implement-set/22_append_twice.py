def append_twice(items, value) -> None:
    """Append value to items two times."""
    items.append(value)
    items.append(value)


# asserts
data = [1]
assert append_twice(data, 2) is None
assert data == [1, 2, 2]
