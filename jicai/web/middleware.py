from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation

from jicai.policy.rules.days import MissingCalendarYear


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user picked another language with the switch (its cookie). The browser's
    Accept-Language is not consulted: a ward PC set up in English still shows the Chinese its users work in."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else settings.LANGUAGE_CODE
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class MissingCalendarYearMiddleware:
    """A page whose dates need a year the holiday calendar lacks names the year and what to do (503), instead of a
    server error: the rules never guess a holiday, and the page works again once the year is entered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, MissingCalendarYear):
            return render(request, "web/calendar_missing.html", {"year": exception.year}, status=503)
        return None
