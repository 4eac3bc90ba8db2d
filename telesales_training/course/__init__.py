"""The course: the curriculum's content models and loading, navigation and scoring. Builds on core/."""
