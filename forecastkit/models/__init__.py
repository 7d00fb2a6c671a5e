"""Model builders (Keras, imported lazily) and numpy baselines."""
