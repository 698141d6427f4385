def celsius_to_fahrenheit(celsius):
    """Return the temperature celsius converted to degrees Fahrenheit."""
    return celsius * 9 / 5 + 32


# asserts
assert celsius_to_fahrenheit(0) == 32
assert celsius_to_fahrenheit(100) == 212
assert celsius_to_fahrenheit(-40) == -40
