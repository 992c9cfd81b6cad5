"""A subpackage: frozen recursively by <app.**.*>."""
