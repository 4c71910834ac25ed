"""Policy rules as pure functions: no ORM, no I/O. Each docstring quotes the sentence it implements."""
