"""{% load import_tags %}: `user|may_import` says whether the navigation offers the import page."""

from django import template

from jicai.core.import_rights import kinds_for

register = template.Library()


@register.filter
def may_import(user) -> bool:
    return bool(kinds_for(user))
