"""Sizes that the curriculum schema, the store's checks and the database columns must agree on."""

MAX_ID = 64  # lesson, item, preference and setting keys (VARCHAR(64) columns)
MAX_TRAINEE_ID = 100
MAX_COHORT = 64
MAX_COMMENT = 4000  # a trainer's review comment, in characters
MAX_MARKS = 50  # rubric checks ticked in one review
MAX_FREE_TEXT = 20_000  # the longest free-text answer a lesson may allow, in characters
MAX_ANSWER_BYTES = 100_000  # one stored answer as UTF-8 JSON
MAX_NOTE = 300  # characters of a success-factor note
MAX_POINTS = 1000  # points one stored answer may carry (an item has at most 100)
MAX_PREFERENCE_BYTES = 10_000  # one preference's value as UTF-8
MAX_DAY_CALLS = 100_000  # calls or a target of one day in the log (the package allows far fewer)
MAX_CALL_SECONDS = 86_400  # one call's duration
MAX_SITTINGS = 20  # sittings of one lesson (the first and its retakes; each retake needs variants not yet seen)
MAX_RECORDING_BYTES = 8 * 1024 * 1024  # one spoken-practice recording (three minutes even as 16-bit WAV)
MAX_RECORDING_COMMENTS = 50  # time-stamped comments in one review of a recording
