"""Throughput benchmark: the case workflow against bare Temporal, measured in the same run."""
