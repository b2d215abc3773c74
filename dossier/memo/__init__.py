"""What a build remembers: the per-stage reuse of serve and the build's disk cache."""
