"""Pure-Python core: weights, behaviour compiler, learning rule, file formats, statistics."""
