"""Running Triton Inference Server for the scheduler: process, model repository, control calls."""
