"""Piccolo tables: the whole schema in one place.

Business rules live in the domain packages' ``services.py``; these classes only
describe storage. Denormalised columns are noted where they exist and why.
"""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    Bytea,
    Date,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table


class Account(Table):
    """A facilitator or administrator who signs in with a password."""

    id = Serial(primary_key=True)
    email = Varchar(length=254, unique=True)
    display_name = Varchar(length=80)
    password_hash = Varchar(length=255)
    is_admin = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())


class Consultation(Table):
    id = Serial(primary_key=True)
    slug = Varchar(length=60, unique=True)
    title = Varchar(length=200)
    summary = Text(default="")
    status = Varchar(length=10, default="draft")  # draft | open | closed
    # Secret part of the invitation link; rotating it revokes old links.
    invite_token = Varchar(length=40, unique=True)
    # The short form of the invitation (/j/CODE, typed from a projector); rotated with it.
    join_code = Varchar(length=12, default="")
    # JSON list of the live workshop's steps: [{"kind": "contribute", "minutes": 15}, ...]
    steps = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    # Whether participants' organisations are shown next to their names (migration 0010).
    show_organisations = Boolean(default=False)


class ContributionKind(Table, tablename="contribution_kind"):
    """A kind of contribution of a consultation (acquis, enjeu)."""

    id = Serial(primary_key=True)
    consultation = ForeignKey(Consultation, index=True)
    code = Varchar(length=20)  # acquis | enjeu: what the product logic relies on
    label = Varchar(length=80)
    position = Integer(default=0)


class Meeting(Table):
    id = Serial(primary_key=True)
    consultation = ForeignKey(Consultation, index=True)
    title = Varchar(length=200)
    # A built-in code (consultations.services.MEETING_KINDS, translated when shown) or the facilitators' own words.
    kind = Varchar(length=60, default="rencontre")
    # A step of several days ends on end_date; a future step without a precise date
    # has only its words in ``when`` (« mars-avril 2015 »); one of date and when is set (migration 0011).
    date = Date(null=True, default=None)
    end_date = Date(null=True, default=None)
    when = Varchar(length=60, default="")
    place = Varchar(length=200, default="")
    attendance = Integer(null=True, default=None)
    notes = Text(default="")


class WorkingGroup(Table, tablename="working_group"):
    id = Serial(primary_key=True)
    consultation = ForeignKey(Consultation, index=True)
    title = Varchar(length=200)
    description = Text(default="")
    position = Integer(default=0)
    contributions_open = Boolean(default=True)
    voting_open = Boolean(default=True)
    # Dot voting: how many contributions a participant may support in the
    # group; 0 means one vote per contribution with no overall limit.
    vote_budget = Integer(default=5)
    # Bumped by SQLite triggers on every change to what the group page lists
    # (see migration 0007 and contributions.services' listing cache).
    version = Integer(default=0)
    # Live workshop: the step of the consultation's sequence the group is in
    # (None: none), and its countdown.
    step = Integer(null=True, default=None)
    timer_started_at = Timestamptz(null=True, default=None)
    timer_ends_at = Timestamptz(null=True, default=None)


class Participant(Table):
    """A person taking part in one consultation (no password)."""

    id = Serial(primary_key=True)
    consultation = ForeignKey(Consultation, index=True)
    display_name = Varchar(length=80)
    organisation = Varchar(length=120, default="")
    role = Varchar(length=12, default="participant")  # participant | facilitator | observer
    account = ForeignKey(Account, null=True, default=None, index=True)
    # Secret of the personal return link (/c/{slug}/return/{token}): the same place from another browser.
    return_token = Varchar(length=40, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    # Set when the name and organisation were wiped (migration 0010); nobody acts as this row any more.
    anonymised_at = Timestamptz(null=True, default=None)


class Theme(Table):
    """A theme (cluster) of a working group's board, made by facilitators."""

    id = Serial(primary_key=True)
    working_group = ForeignKey(WorkingGroup, index=True)
    title = Varchar(length=140)
    summary = Text(default="")
    summary_html = Text(default="")
    position = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())


class Contribution(Table):
    id = Serial(primary_key=True)
    # Denormalised from the group so consultation-wide queries need no join.
    consultation = ForeignKey(Consultation, index=True)
    working_group = ForeignKey(WorkingGroup, index=True)
    kind = ForeignKey(ContributionKind)
    author = ForeignKey(Participant, index=True)
    title = Varchar(length=200)
    body = Text(default="")
    # Rendered once on write: pages list hundreds of these.
    body_html = Text(default="")
    status = Varchar(length=10, default="published")  # published | hidden | withdrawn
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    theme = ForeignKey(Theme, null=True, default=None, on_delete=OnDelete.set_null, index=True)
    # "Regroupée avec": this contribution says the same as another (its root).
    # Nothing is deleted; support is counted once per person across the group.
    duplicate_of = ForeignKey(
        LazyTableReference("Contribution", module_path=__name__),
        null=True,
        default=None,
        on_delete=OnDelete.set_null,
        index=True,
    )


class Vote(Table):
    id = Serial(primary_key=True)
    contribution = ForeignKey(Contribution, index=True)
    participant = ForeignKey(Participant)
    # Denormalised so the budget check counts one indexed range.
    working_group = ForeignKey(WorkingGroup)
    created_at = Timestamptz(default=TimestamptzNow())


class Comment(Table):
    id = Serial(primary_key=True)
    contribution = ForeignKey(Contribution, index=True)
    parent = ForeignKey(LazyTableReference("Comment", module_path=__name__), null=True, default=None)
    depth = Integer(default=1)  # 1 = top level; replies go down to MAX_COMMENT_DEPTH
    author = ForeignKey(Participant)
    body = Text()
    body_html = Text(default="")
    status = Varchar(length=10, default="published")  # published | hidden
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    # Chosen by facilitators to appear in the restitution.
    highlighted = Boolean(default=False)


class DuplicateDismissal(Table, tablename="duplicate_dismissal"):
    """A suggested duplicate pair a facilitator said is not one (so it is not suggested again)."""

    id = Serial(primary_key=True)
    working_group = ForeignKey(WorkingGroup, index=True)
    first = ForeignKey(Contribution)
    second = ForeignKey(Contribution)


class BoardAction(Table, tablename="board_action"):
    """One facilitator action on a board: who, what, when, and how to undo it.

    ``changes`` is a JSON list of row changes (update/insert/delete) that the
    action made; undoing applies them backwards after checking nothing changed
    them since.
    """

    id = Serial(primary_key=True)
    working_group = ForeignKey(WorkingGroup, index=True)
    actor = ForeignKey(Participant)
    kind = Varchar(length=30)
    details = Text(default="{}")  # JSON: what the history shows (titles, counts)
    changes = Text(default="[]")  # JSON: see docstring
    created_at = Timestamptz(default=TimestamptzNow())
    undoes = ForeignKey(LazyTableReference("BoardAction", module_path=__name__), null=True, default=None)
    undone_by = ForeignKey(LazyTableReference("BoardAction", module_path=__name__), null=True, default=None)


class Restitution(Table):
    """The facilitators' texts and choices for a consultation's restitution (one per consultation)."""

    id = Serial(primary_key=True)
    consultation = ForeignKey(Consultation, unique=True)
    introduction = Text(default="")
    context = Text(default="")
    next_steps = Text(default="")
    figures_text = Text(default="")  # at the top of the participation figures (migration 0012)
    # JSON: min_support, include_hidden, show_authors, group_order
    options = Text(default="{}")
    updated_at = Timestamptz(default=TimestamptzNow())


class RestitutionVersion(Table, tablename="restitution_version"):
    """A published restitution: numbered, dated, frozen (its document is stored whole)."""

    id = Serial(primary_key=True)
    consultation = ForeignKey(Consultation, index=True)
    number = Integer()
    published_at = Timestamptz(default=TimestamptzNow())
    published_by = ForeignKey(Participant, null=True, default=None, on_delete=OnDelete.set_null)
    document = Text()  # JSON of restitution.model.Document
    # SHA-256 of what the document says (restitution.services.content_hash), migration 0012.
    content_hash = Varchar(length=64, default="")


class RequestKey(Table, tablename="request_key"):
    """A write sent with an idempotency key: a retried request gets the first one's result.

    Unique per participant and key (migration 0008); written in the same
    transaction as the write it stands for.
    """

    id = Serial(primary_key=True)
    participant = ForeignKey(Participant)
    key = Varchar(length=64)
    kind = Varchar(length=20)  # contribution | comment | vote | unvote
    target = Integer()  # the row written (contribution, comment) or voted on
    created_at = Timestamptz(default=TimestamptzNow())


class PhaseSchedule(Table, tablename="phase_schedule"):
    """A phase to open or close at a given time, for one group or (group None) all of them."""

    id = Serial(primary_key=True)
    consultation = ForeignKey(Consultation, index=True)
    working_group = ForeignKey(WorkingGroup, null=True, default=None)
    phase = Varchar(length=20)  # contributions | voting
    open = Boolean(default=False)
    at = Timestamptz()
    # plan: set by hand; timer: the end of a step's countdown (moves with it)
    source = Varchar(length=10, default="plan")
    created_by = ForeignKey(Participant, null=True, default=None, on_delete=OnDelete.set_null)
    done_at = Timestamptz(null=True, default=None)


class WebSession(Table, tablename="web_session"):
    """A browser's session, known server-side so that it can be ended (migration 0009).

    The signed cookie carries a random session id; only its SHA-256 is stored.
    Signing out, a password change or an administrator's « sign out everywhere »
    delete rows, and a cookie whose row is gone carries no one any more.
    """

    id = Serial(primary_key=True)
    token_hash = Varchar(length=64, unique=True)
    account = ForeignKey(Account, null=True, default=None)  # the signed-in account, if any
    renewed_at = Timestamptz(default=TimestamptzNow())  # created, then renewed once a day while in use


class LoginFailure(Table, tablename="login_failure"):
    """A refused sign-in, counted per account, per address and per trusted browser (migration 0009)."""

    id = Serial(primary_key=True)
    subject = Varchar(length=300)  # account:<e-mail> | address:<ip> | device:<hash>
    failed_at = Timestamptz(default=TimestamptzNow())


class TextEmbedding(Table, tablename="text_embedding"):
    """A text's sentence vector, computed once (migration 0013; see clustering/store.py).

    Keyed by a hash of the model's version and the text, not by contribution: the same words
    give the same vector, an edited text gets a new one. Nothing writes here yet: the default
    engine does not use the encoder so far (issue 12); when it does, a person's erasure must
    remove their texts' vectors too (``store.forget``).
    """

    id = Serial(primary_key=True)
    key = Varchar(length=64, unique=True)  # sha256 of model version and text
    model = Varchar(length=40)
    vector = Bytea()  # float32, little-endian
    created_at = Timestamptz(default=TimestamptzNow())


ALL_TABLES: tuple[type[Table], ...] = (
    Account,
    Consultation,
    ContributionKind,
    Meeting,
    WorkingGroup,
    Participant,
    Theme,
    Contribution,
    Vote,
    Comment,
    DuplicateDismissal,
    BoardAction,
    Restitution,
    RestitutionVersion,
    RequestKey,
    PhaseSchedule,
    WebSession,
    LoginFailure,
    TextEmbedding,
)
