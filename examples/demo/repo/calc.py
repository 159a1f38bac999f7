"""A tiny calculator with a bug for Corral's demo."""


def add(a, b):
    return a - b


def mul(a, b):
    return a * b
