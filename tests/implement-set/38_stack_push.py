class Stack:
    def __init__(self):
        self.items = []

    def push(self, item) -> None:
        """Push item onto the stack."""
        self.items.append(item)


# asserts
stack = Stack()
stack.push(1)
stack.push(2)
assert stack.items == [1, 2]
