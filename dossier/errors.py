"""The error types a user can cause. The CLI prints them as `path:line: message (hint)`
and exits with their `exit_code`: 1 for content, 2 for how dossier was called."""
from __future__ import annotations

import re
import shutil

# What a terminal would act on rather than show: C0 and C1 controls (an escape
# sequence, a newline that starts a fake message), DEL, the line and paragraph
# separators, and the bidirectional overrides and isolates that reorder a name.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` safe to print on one terminal line: each unprintable character as its
    Python escape (`\\x1b`, `\\n`, `\\u202e`). File names are as untrusted as the text
    of a scraped page, and every path a message names goes through here."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class DossierError(Exception):
    """A problem with the user's content or config, never a bug in dossier."""

    exit_code = 1

    def __init__(self, path: str, message: str, line: int | None = None, hint: str | None = None):
        self.path, self.line, self.message, self.hint = str(path), line, message, hint
        super().__init__(self.format())

    def __reduce__(self):
        # what it was made of, not Exception's (its text), which this __init__ cannot take:
        # an error returned as a value by another process comes back whole. (Today none
        # crosses: a stage that raises in a worker is done again here, and load, which
        # returns its errors, reads here; build.py says why.)
        return type(self), (self.path, self.message, self.line, self.hint)

    def format(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        hint = f" ({self.hint})" if self.hint else ""
        return printable(f"{where}: {self.message}{hint}")


class UsageError(DossierError):
    """dossier was called wrongly (no such site folder, an output folder it must not
    replace): exit 2, like argparse's own usage errors."""

    exit_code = 2


class ContentErrors(DossierError):
    """Several DossierErrors found in one pass, reported together, one line each."""

    def __init__(self, errors: list[DossierError]):
        flat: list[DossierError] = []
        for e in errors:  # a stage may hand on another stage's batch
            flat += e.errors if isinstance(e, ContentErrors) else [e]
        self.errors = flat
        Exception.__init__(self, "\n".join(e.format() for e in flat))
        self.path, self.line, self.message, self.hint = flat[0].path, flat[0].line, flat[0].message, None

    def __reduce__(self):
        return ContentErrors, (self.errors,)

    def format(self) -> str:
        return "\n".join(e.format() for e in self.errors)


def os_reason(e: OSError) -> tuple[str | None, str]:
    """(the file, why) of a failed system call, in words. shutil.copytree's Error
    holds every file it could not copy: on a full disk a kilobyte of repr."""
    if isinstance(e, shutil.Error) and e.args and isinstance(e.args[0], list) and e.args[0]:
        _, path, why = e.args[0][0]  # the first is what the user must fix; the rest follow from it
        return str(path), re.sub(r"^\[Errno \d+\] |: '.*'$", "", str(why))
    return (str(e.filename) if e.filename else None), e.strerror or str(e)


def template_error(e) -> str:
    if isinstance(e, _jinja2().TemplateSyntaxError):
        return f"{e.filename or e.name}:{e.lineno}: template error: {e.message}"
    if isinstance(e, _jinja2().TemplateNotFound):
        return f"{e.name}: template not found (a theme's template extends or includes it?)"
    return f"template error: {e.message or e}"


def _jinja2():
    import jinja2  # here, not at the top: most errors are raised where no template is near
    return jinja2
