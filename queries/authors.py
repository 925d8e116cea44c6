"""Who wrote an interaction, as lists show it: the customer's handle on that channel, else the
customer's name, else "(unknown)". One expression for the Floor's social watch and the reply
review queue; the statement must join `customers` on the interaction's customer_id."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, literal, select

from db.schema import customer_handles, customers, interactions


def author_expr() -> ColumnElement[str]:
    """The author label of each `interactions` row (correlated to the outer query)."""
    i = interactions.c
    handle = (
        select(customer_handles.c.handle)
        .where(
            customer_handles.c.customer_id == i.customer_id,
            customer_handles.c.channel_id == i.channel_id,
        )
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(handle, customers.c.name, literal("(unknown)"))
