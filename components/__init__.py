"""Reusable UI pieces: auth and navigation, figure builders, tiles, filters. No SQL here."""
