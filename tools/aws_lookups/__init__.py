"""Offline answers to AWS provider functions, one module per service family (see
tools.aws_functions, which gathers them)."""
