"""ipywidgets UI: question widgets, lesson and start pages. Widgets never run SQL; they talk to a TraineeStore."""

from .chrome import LanguageToggle, NameForm, PageHeader
from .lesson import LessonView
from .questions import (
    CallDrillWidget,
    ClassifyWidget,
    FreeTextWidget,
    MultipleChoiceWidget,
    NumberWidget,
    OrderingWidget,
    QuestionWidget,
    RatingWidget,
    SingleChoiceWidget,
    question_widget,
)
from .review import TodaysReview
from .start import StartPage

__all__ = [
    "CallDrillWidget",
    "ClassifyWidget",
    "FreeTextWidget",
    "LanguageToggle",
    "LessonView",
    "MultipleChoiceWidget",
    "NameForm",
    "NumberWidget",
    "OrderingWidget",
    "PageHeader",
    "QuestionWidget",
    "RatingWidget",
    "SingleChoiceWidget",
    "StartPage",
    "TodaysReview",
    "question_widget",
]
