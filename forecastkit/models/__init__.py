"""Model builders (Keras, imported lazily), each with its grouped plan; the numpy and statsmodels
baselines; the registry that names them all."""
