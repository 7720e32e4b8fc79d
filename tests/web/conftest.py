"""Fixtures for these tests; helpers live in a uniquely named module beside this file."""

from web_helpers import *  # noqa: F403
