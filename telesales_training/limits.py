"""Sizes that the curriculum schema, the store's checks and the database columns must agree on."""

MAX_ID = 64  # lesson, item, preference and setting keys (VARCHAR(64) columns)
MAX_TRAINEE_ID = 100
MAX_COHORT = 64
MAX_COMMENT = 4000  # a trainer's review comment, in characters
MAX_MARKS = 50  # rubric checks ticked in one review
MAX_FREE_TEXT = 20_000  # the longest free-text answer a lesson may allow, in characters
MAX_ANSWER_BYTES = 100_000  # one stored answer as UTF-8 JSON
MAX_NOTE = 300  # characters of a success-factor note
