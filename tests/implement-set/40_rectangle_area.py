class Rectangle:
    def __init__(self, width, height):
        self.width = width
        self.height = height

    def area(self):
        """Return the area of the rectangle."""
        return self.width * self.height


# asserts
assert Rectangle(3, 4).area() == 12
assert Rectangle(0, 5).area() == 0
