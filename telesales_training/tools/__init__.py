"""The trainee's tools as data: tool states, the funnel, the call plan, the call-log import, the six factors and
the assessment form. Pure functions and models on core/ and course/; no storage, no widgets."""
