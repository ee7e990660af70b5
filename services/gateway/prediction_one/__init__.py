"""The Prediction One contract: training, data sets, classifiers, inference and retraining."""
