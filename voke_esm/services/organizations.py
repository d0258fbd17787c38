"""Organizations: create, list, look up."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..errors import Conflict, NotFound
from ..extensions import db
from ..models import EsmClient, Organization
from ..validation import Fields, contains_pattern, parse_uuid
from . import conflict_on_duplicate, page_of

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_HINT = "must be lowercase letters and digits in words joined by single hyphens"


def read_organization_fields(data: dict) -> dict:
    """Validate an organization body as the admin API, the UI, the CLI and seed files submit it."""
    fields = Fields(data)
    fields.string("name", max_len=100, min_len=2)
    fields.string("slug", max_len=50, min_len=2, pattern=SLUG, hint=SLUG_HINT)
    fields.string("description", max_len=500, min_len=0, default=None, nullable=True)
    fields.reject_unknown({"name", "slug", "description"})
    return fields.done()


def create_organization(data: dict) -> Organization:
    values = read_organization_fields(data)
    taken = f"An organization with slug {values['slug']!r} already exists"
    if db.session.scalar(sa.select(Organization.id).where(Organization.slug == values["slug"])):
        raise Conflict(taken)
    organization = Organization(**values)
    db.session.add(organization)
    with conflict_on_duplicate(taken):
        db.session.commit()
    return organization


def list_organizations(page: int = 1, limit: int = 20, search: str = "") -> dict:
    """One page of organizations by name, with the totals the `meta` block reports (their
    partner configs loaded with them, for the pages that show each one's status)."""
    query = sa.select(Organization).options(selectinload(Organization.partner_config))
    if search:
        pattern = contains_pattern(search)
        query = query.where(sa.or_(sa.func.lower(Organization.name).like(pattern, escape="\\"),
                                   Organization.slug.like(pattern, escape="\\")))
    return page_of(query.order_by(Organization.name, Organization.slug), page, limit)


def all_organizations() -> list[Organization]:
    return list(db.session.scalars(sa.select(Organization).order_by(Organization.name)))


def get_organization(org_id: object) -> Organization:
    organization = db.session.get(Organization, parse_uuid(org_id, "orgId"))
    if organization is None:
        raise NotFound("Organization not found")
    return organization


def organization_of_client(client_id: str) -> Organization:
    """The organization an ESM client (and so its plants) belongs to."""
    return db.session.scalar(sa.select(Organization).join(EsmClient).where(
        EsmClient.client_id == client_id))


def get_organization_by_slug(slug: str) -> Organization:
    organization = db.session.scalar(sa.select(Organization).where(Organization.slug == slug))
    if organization is None:
        raise NotFound(f"No organization with slug {slug!r}")
    return organization
