"""Who may see and do what: an account's role, its scope (regions, agency) and its permissions.

Pure Python (no database, no Streamlit): the library applies a :class:`Scope` to every query, the app
asks :meth:`Account.can` before showing an action. Roles (names in :data:`parsing.vocabulary.ROLE_NAMES`):

- 管理员 ``admin``: users, roster, rubric, and everything a reviewer does;
- 审核员 ``reviewer``: upload, correct, review findings, send notices;
- 只读 ``viewer``: view and export;
- 填报单位 ``agency``: one agency's own reports and its self-check (自查) drafts only.

A scope limits what an account sees: ``regions`` (empty = every region) and, for a 填报单位, ``agency``.
A county office's account has its county's region; the city office's account has no region limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """An account's role (stored by this value)."""

    ADMIN = "admin"
    REVIEWER = "reviewer"
    VIEWER = "viewer"
    AGENCY = "agency"


class Action(StrEnum):
    """What an account may do (checked by the pages, the command line and the library's callers)."""

    VIEW = "view"  # open the analysis and report pages
    EXPORT = "export"  # downloads: CSV/Excel, images, 简报包, original files
    UPLOAD = "upload"  # store reports, delete them, re-parse
    CORRECT = "correct"  # correct cells, metadata, label overrides, publication dates
    REVIEW_FINDINGS = "review_findings"  # finding statuses, roster links
    SEND_NOTICES = "send_notices"  # generate the 整改通知单 / 通报
    MANAGE_ROSTER = "manage_roster"  # import / edit the 机关名录
    MANAGE_RUBRIC = "manage_rubric"
    MANAGE_USERS = "manage_users"
    VIEW_AUDIT = "view_audit"  # the 操作记录 page
    SELF_CHECK = "self_check"  # upload drafts and see their findings (自查)
    MANAGE_SETTINGS = "manage_settings"  # the app's settings (e.g. fetching from private addresses)


_REVIEWER = frozenset(
    {
        Action.VIEW,
        Action.EXPORT,
        Action.UPLOAD,
        Action.CORRECT,
        Action.REVIEW_FINDINGS,
        Action.SEND_NOTICES,
        Action.VIEW_AUDIT,
        Action.SELF_CHECK,
    }
)
PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: _REVIEWER
    | {Action.MANAGE_ROSTER, Action.MANAGE_RUBRIC, Action.MANAGE_USERS, Action.MANAGE_SETTINGS},
    Role.REVIEWER: _REVIEWER,
    Role.VIEWER: frozenset({Action.VIEW, Action.EXPORT}),
    Role.AGENCY: frozenset({Action.VIEW, Action.EXPORT, Action.SELF_CHECK}),
}


def _tuple(values: object) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        return (values,) if values else ()
    return tuple(sorted({str(v) for v in values if str(v)}))  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Scope:
    """The reports an account may see: those of ``regions`` (empty = all) and, when set, of ``agency``.

    Hashable, so it keys caches together with the filters.
    """

    regions: tuple[str, ...] = ()
    agency: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "regions", _tuple(self.regions))
        object.__setattr__(self, "agency", (self.agency or "").strip() or None)

    @property
    def unrestricted(self) -> bool:
        """True when the scope lets every report through."""
        return not self.regions and self.agency is None


ALL = Scope()


@dataclass(frozen=True)
class Account:
    """A signed-in user: login name, role, scope and the name shown in records (who did what)."""

    name: str
    role: Role
    scope: Scope = field(default_factory=Scope)
    display_name: str = ""

    @property
    def label(self) -> str:
        """The name written into the audit trail and the ``who`` of reviews: display name, else login."""
        return self.display_name or self.name

    def can(self, action: Action) -> bool:
        """True when this account's role allows ``action``."""
        return action in PERMISSIONS[self.role]
