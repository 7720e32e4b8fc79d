"""The error a load stops on when a whole file cannot be read (its own module: readers of every
format raise it, and the command line turns it into one line naming the file)."""

from __future__ import annotations


class UnreadableFileError(ValueError):
    """A whole file could not be read: damaged, another format, or text in no known encoding.

    The message starts with the file name and says what is wrong, so a data manager can act on
    it without a traceback. A ``ValueError`` so the command line reports it and exits with 2.
    """
