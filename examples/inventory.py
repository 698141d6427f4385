"""A small inventory module: the example file for `codeassist complete`."""

import json
import os


class Inventory:
    """Items and their counts, saved as JSON."""

    def __init__(self, path):
        self.path = path
        self.items = {}

    def load(self):
        if not os.path.exists(self.path):
            return
        with open(self.path) as handle:
            self.items = json.load(handle)

    def add(self, name, count=1):
        self.items[name] = self.items.get(name, 0) + count

    def remove(self, name, count=1):
        
