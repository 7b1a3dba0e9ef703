"""One way to page a list. The view asks its service for a Page and gets a Paged back; `paginated` reads
the page from the request and answers in the list's shape, which the clients already know:

- by page (the default): ?page=&page_size= (flask-smorest's parameters), the page as the body and the total
  in the X-Pagination header;
- by page, total in the body (items="items"): ?page=&page_size= of the query schema, {"items", "total"};
- by cursor (items="entries", cursor=True): ?cursor=&limit= of the query schema, {"entries", "next_cursor"},
  the cursor being the last row seen (a deep page costs no more than the first).
"""
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask_smorest import abort
from marshmallow import ValidationError, validate
from sqlalchemy import func, select

from points_mall.common.fields import INT32_MAX
from points_mall.extensions import db

# The last page anyone may ask for by number (the OpenAPI document says so on every ?page=): past it
# the answer is 422, not an OFFSET the database has to count through. Deeper reading pages by cursor.
MAX_PAGE = 100000


@dataclass(frozen=True)
class Page:
    """The part of a list asked for: `limit` rows after `offset`, or after `cursor`."""

    offset: int = 0
    limit: int = 20
    cursor: Any = None


@dataclass
class Paged:
    """One page and where it stands: the total before paging, or the cursor of the next page (None: the last).
    extra: what the answer carries beside the page (a count of unread messages)."""

    items: Any
    total: int | None = None
    next_cursor: Any = None
    extra: dict = field(default_factory=dict)


def page_of(stmt, page: Page, *, rows: bool = False) -> Paged:
    """A select's page (its first column's objects, or whole rows) and how many match in all."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    result = db.session.execute(stmt.limit(page.limit).offset(page.offset))
    return Paged(result.all() if rows else result.scalars().all(), total)


def after_cursor(found: list, page: Page, cursor_of=lambda row: row.id) -> Paged:
    """Rows read limit + 1 deep: the page, and the cursor of the next one when there was more."""
    more = len(found) > page.limit
    found = found[:page.limit]
    return Paged(found, next_cursor=cursor_of(found[-1]) if more else None)


def paginated(blp=None, *, page_size: int = 20, max_page_size: int = 100, items: str | None = None,
              cursor: bool = False):
    """Page the view: it is called with its arguments and page=Page(...), and returns a Paged (or an answer
    it shaped whole: a workbook, a page inside a larger answer)."""
    def decorator(view):
        if items is None:
            @wraps(view)
            def by_page(*args, pagination_parameters, **kwargs):
                p = pagination_parameters
                _refuse_past_max(p.page)
                result = view(*args, page=Page(offset=min(p.first_item, INT32_MAX), limit=p.page_size), **kwargs)
                if not isinstance(result, Paged):
                    return result
                p.item_count = result.total
                return result.items
            return blp.paginate(page_size=page_size, max_page_size=max_page_size)(by_page)

        @wraps(view)
        def in_body(query, *args, **kwargs):
            if cursor:
                page = Page(limit=query.pop("limit"), cursor=query.pop("cursor"))
            else:
                number, size = query.pop("page"), query.pop("page_size")
                page = Page(offset=(number - 1) * size, limit=size)
            result = view(query, *args, page=page, **kwargs)
            if not isinstance(result, Paged):
                return result
            where = {"next_cursor": result.next_cursor} if cursor else {"total": result.total}
            return {items: result.items, **where, **result.extra}
        return in_body
    return decorator


def _refuse_past_max(number: int) -> None:
    try:
        validate.Range(1, MAX_PAGE)(number)
    except ValidationError as refused:
        abort(422, messages={"query": {"page": refused.messages}})


def document_max_page(spec) -> None:
    """Every ?page= of flask-smorest's paging says its maximum in the document."""
    for operations in spec._paths.values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if isinstance(parameter, dict) and parameter.get("name") == "page" and parameter.get("in") == "query":
                    parameter.setdefault("schema", {}).setdefault("maximum", MAX_PAGE)
