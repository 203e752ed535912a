from typing import Any

from django import template

register = template.Library()


@register.filter
def index(sequence: Any, position: int) -> Any:
    try:
        return sequence[position]
    except (IndexError, TypeError, KeyError):
        return None


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.simple_tag(takes_context=True)
def may(context: Any, action: str, obj: Any = None) -> bool:
    """``{% may "core.invite_person" object as can_invite %}``: the same answer as everywhere else."""
    from regie.core import permissions

    return permissions.may(context["request"].user, action, obj)
