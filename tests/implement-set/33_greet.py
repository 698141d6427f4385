def greet(name):
    """Return a greeting of the form 'Hello, <name>!'."""
    return f"Hello, {name}!"


# asserts
assert greet("Ada") == "Hello, Ada!"
assert greet("") == "Hello, !"
