"""Benchmarks: convshape against Keras, bare Python calls and its previous code."""
