"""Build-file renderers.  Each reads a Resolved model and returns text; none of
them freezes, walks the file system or decides policy of its own."""
