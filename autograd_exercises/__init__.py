"""autograd-exercises: auto-graded PyTorch autograd exercises."""

__version__ = "0.1.0"
