"""Benchmarks of the speed targets, run by `make bench`; each prints its figures."""
