"""The ground floor: settings, paths, the clock, errors, limits, translations and input parsing. Imports nothing
of the package above it."""
