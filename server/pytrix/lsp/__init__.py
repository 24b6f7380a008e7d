"""The language server: the only package that imports pygls. Thin handlers over the core."""
