"""The store's own exceptions: every storage problem reaches the widgets and commands as a StoreError."""


class StoreError(Exception):
    """Base class of the store's domain errors."""


class InvalidTrainee(StoreError):
    pass


class InvalidKey(StoreError):
    """A lesson, item or setting key the store cannot keep (empty, too long, not text)."""


class InvalidAnswer(StoreError):
    """An answer the store cannot keep (a lone surrogate, a number that is not finite, an unknown type)."""


class AnswerTooLarge(InvalidAnswer):
    pass


class InvalidReview(StoreError):
    pass


class InvalidCohort(StoreError):
    pass


class StoreFailure(StoreError):
    """The database refused a statement or could not be reached."""


class AccessDenied(StoreFailure):
    """The database's access rules refused it (team mode: another trainee's rows, or trainer data)."""


class SchemaTooNew(StoreError):
    """The database was upgraded by a newer telesales-training; this one must not write to it.
    `release` names the release that upgraded it (the one to install)."""

    def __init__(self, message: str, release: str):
        super().__init__(message)
        self.release = release
