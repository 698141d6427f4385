class Tally:
    def __init__(self):
        self.count = 0

    def increment(self) -> None:
        """Add one to the count."""
        self.count += 1


# asserts
tally = Tally()
tally.increment()
tally.increment()
assert tally.count == 2
