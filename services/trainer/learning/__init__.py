"""Learning: features as an ONNX graph, LightGBM training and search, evaluation, export."""
