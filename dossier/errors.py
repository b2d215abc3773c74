"""The one error type a user can cause. The CLI prints it as `path:line: message`."""
from __future__ import annotations


class DossierError(Exception):
    """A problem with the user's content or config, never a bug in dossier."""

    def __init__(self, path: str, message: str, line: int | None = None, hint: str | None = None):
        self.path, self.line, self.message, self.hint = str(path), line, message, hint
        super().__init__(self.format())

    def format(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}: {self.message}{hint}"


class ContentErrors(DossierError):
    """Several DossierErrors found in one pass, reported together."""

    def __init__(self, errors: list[DossierError]):
        self.errors = errors
        Exception.__init__(self, "\n".join(e.format() for e in errors))
        self.path, self.line, self.message, self.hint = errors[0].path, errors[0].line, errors[0].message, None

    def format(self) -> str:
        return "\n".join(e.format() for e in self.errors)
