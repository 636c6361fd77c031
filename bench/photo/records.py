"""One line of JSON per result, appended as soon as it is measured, so that
a long run can be split over parallel processes (same --records file),
resumed after a stop, and its tables printed at any time (--report)."""
import json
import os


class Records:
    def __init__(self, path):
        self.path, self.done = path, {}
        if path and os.path.exists(path):
            with open(path) as f:
                for line in f:
                    try:
                        r = json.loads(line)
                    except ValueError:
                        continue          # a line cut by a stop
                    self.done[self.key(r["part"], r["sigma"], r["method"], r["image"])] = r

    @staticmethod
    def key(part, sigma, method, image):
        return "%s|%g|%s|%s" % (part, sigma, method, image)

    def get(self, part, sigma, method, image):
        return self.done.get(self.key(part, sigma, method, image))

    def add(self, **r):
        self.done[self.key(r["part"], r["sigma"], r["method"], r["image"])] = r
        if self.path:
            with open(self.path, "a") as f:
                f.write(json.dumps(r) + "\n")
