"""Fixtures for these tests; helpers live in a uniquely named module beside this file."""

from indicator_helpers import *  # noqa: F403
