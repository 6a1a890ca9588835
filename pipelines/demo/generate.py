"""Generate a committee's theme Party days: the demo of seed 002, and committees of any size.

Everything is drawn from one seed with numpy and shaped with polars, vectorised so that the
``province`` scale (20,000 branches, ~600,000 members, 5 years, ~36 million attendance rows) takes
minutes. Identifiers are local (0-based per entity); :mod:`pipelines.demo.bulk` maps them to database
ids and :mod:`pipelines.demo.workbooks` writes the same facts as the workbooks secretaries keep.

The big fact tables (attendance, guests, evaluation votes, activity records) are produced per chunk of
zones (:meth:`Committee.facts`) so that memory stays bounded: a zone's joint activity never spans chunks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl

from pipelines import clock
from pipelines.config import Rules, default_rules
from pipelines.demo import names as nm

ITEMS = ["theme", "content", "format", "effect", "overall"]
RATINGS = ["satisfied", "basic", "unsatisfied"]
EXEMPTION_REASONS = ["长期驻外工作", "长期病休卧床", "出国（境）探亲", "年老体弱行动不便"]
NO_DATE = -(10**6)  # an open end date in the day-number arrays
LEAVE_REASONS = ["病假", "事假", "出差", "值班", "公假", "培训"]


@dataclass(frozen=True)
class Scale:
    """How big a generated committee is."""

    name: str
    branches: int
    members_per_branch: tuple[int, int]  # inclusive range of a branch's first roster size
    n_years: int
    branches_per_zone: int
    ballot_share: float        # share of branches whose evaluation sheets have one row per ballot
    year_table_share: float    # share of branches that keep a year attendance table, not sign-in sheets
    chunk_branches: int = 2000  # branches per generation chunk (whole zones)


SCALES: dict[str, Scale] = {
    "demo": Scale("demo", 15, (20, 38), 2, 4, 0.34, 0.2),
    "tiny": Scale("tiny", 4, (8, 14), 1, 2, 0.25, 0.5),
    "large": Scale("large", 2000, (18, 40), 3, 8, 0.05, 0.5),
    "province": Scale("province", 20000, (18, 40), 5, 8, 0.0, 1.0),
}


@dataclass
class Committee:
    """A generated committee: the small tables whole, the big fact tables per chunk (:meth:`facts`)."""

    scale: Scale
    seed: int
    today: date
    years: list[int]
    rules: Rules
    committee_name: str
    zones: pl.DataFrame            # zone_id, name, sort_order
    branches: pl.DataFrame         # branch_id, name, zone_id, secretary, ballots, year_table, sort_order
    zone_roles: pl.DataFrame       # zone_id, year, quarter, leader_branch_id, deputy_branch_id
    members: pl.DataFrame          # member_id, name, sex, birth_date, joined_party_date, member_kind, is_leading_cadre
    memberships: pl.DataFrame      # membership_id, member_id, branch_id, start_date, end_date, change_reason
    exemptions: pl.DataFrame       # exemption_id, member_id, start_date, end_date, reason
    cadre_guidance: pl.DataFrame   # member_id, branch_id
    activities: pl.DataFrame       # activity_id, host_branch_id, activity_month, activity_date, topic, level + plan
    activity_branches: pl.DataFrame  # activity_id, branch_id
    roster_dates: list[date] = field(default_factory=list)

    def chunks(self) -> list[tuple[int, int]]:
        """Zone-id ranges [lo, hi) of the generation chunks."""
        per_zone = max(1, self.scale.chunk_branches // self.scale.branches_per_zone)
        n_zones = self.zones.height
        return [(lo, min(lo + per_zone, n_zones)) for lo in range(0, n_zones, per_zone)]

    def facts(self, chunk: tuple[int, int], index: int) -> Facts:
        """Attendance, guests, evaluation votes and activity records of the zones in ``chunk``."""
        return _facts(self, chunk, index)

    def iter_facts(self) -> Iterator[Facts]:
        """Every chunk's facts, in order."""
        for i, chunk in enumerate(self.chunks()):
            yield self.facts(chunk, i)

    def all_facts(self) -> Facts:
        """Every fact in one piece (for the demo and ``large``; ``province`` goes chunk by chunk)."""
        parts = list(self.iter_facts())
        return Facts(*(pl.concat([getattr(p, f) for p in parts]) for f in Facts.__dataclass_fields__))


@dataclass
class Facts:
    """The big fact tables of one chunk."""

    attendance: pl.DataFrame       # activity_id, member_id, branch_id, status, made_up, remark
    guests: pl.DataFrame           # activity_id, name, guest_kind
    votes: pl.DataFrame            # activity_id, item, rating, votes, rater_kind, ballot_no
    records: pl.DataFrame          # activity_id, topic, topic_kind, start_time, ... content


def _days(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def _month_starts(first_year: int, today: date) -> list[date]:
    out = []
    y, m = first_year, 1
    while (y, m) <= (today.year, today.month):
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def generate(scale: str | Scale = "demo", seed: int = 2, today: date | None = None,
             rules: Rules | None = None) -> Committee:
    """The committee of ``scale`` drawn from ``seed``; the same seed and day give the same committee.

    ``demo`` is seed 002's sub-factory committee: 15 branches in 4 zones, 2 years to ``today``.
    """
    sc = SCALES[scale] if isinstance(scale, str) else scale
    today = today or clock.today()
    rules = rules or default_rules()
    rng = np.random.default_rng([seed, 2002])
    demo = sc.name == "demo"
    years = list(range(today.year - sc.n_years + 1, today.year + 1))
    first = date(years[0], 1, 1)

    # --- zones and branches -------------------------------------------------------------------
    n_b = sc.branches
    if demo:
        zone_of = np.array([z - 1 for _, z in nm.DEMO_BRANCHES])
        zone_names = list(nm.ZONE_NAMES)
    else:
        zone_of = np.arange(n_b) // sc.branches_per_zone
        zone_names = [f"第{nm.chinese_number(i + 1)}协作区" for i in range(int(zone_of.max()) + 1)]
    n_z = len(zone_names)
    zones = pl.DataFrame({"zone_id": np.arange(n_z, dtype=np.int64), "name": zone_names,
                          "sort_order": np.arange(1, n_z + 1, dtype=np.int64)})
    ballots = rng.random(n_b) < sc.ballot_share
    year_table = rng.random(n_b) < sc.year_table_share
    if demo:  # fixed so the demo always shows every layout
        ballots = np.isin(np.arange(n_b), [1, 4, 8, 11, 13])
        year_table = np.isin(np.arange(n_b), [6, 14])
    sizes = rng.integers(sc.members_per_branch[0], sc.members_per_branch[1] + 1, n_b)

    # --- members and effective-dated memberships ----------------------------------------------
    n0 = int(sizes.sum())
    mem_branch = [np.repeat(np.arange(n_b), sizes)]
    mem_member = [np.arange(n0)]
    mem_start = [np.full(n0, _days(first))]
    mem_end = [np.full(n0, NO_DATE)]
    mem_reason = [np.full(n0, "roster", dtype=object)]
    changed = np.zeros(n0, dtype=bool)
    n_members = n0
    change_dates = sorted(d for y in years for d in (date(y, 1, 1), date(y, 7, 1)) if first < d <= today)
    for d in change_dates:
        dd = _days(d)
        cur_branch = np.concatenate(mem_branch)
        cur_member = np.concatenate(mem_member)
        cur_end = np.concatenate(mem_end)
        open_rows = np.flatnonzero((cur_end == NO_DATE) & ~changed[cur_member])
        k = max(1, round(0.025 * len(open_rows)))
        picked = rng.choice(open_rows, size=min(2 * k, len(open_rows)), replace=False)
        leave_rows, transfer_rows = picked[:k], picked[k:]
        ends = np.concatenate(mem_end)
        reasons = np.concatenate(mem_reason)
        ends[leave_rows] = dd - 1
        reasons[leave_rows] = "left"
        ends[transfer_rows] = dd - 1
        reasons[transfer_rows] = "transfer_out"
        changed[cur_member[picked]] = True
        # A transfer goes to another branch of the same zone (or any other branch in a one-branch zone).
        src = cur_branch[transfer_rows]
        offset = rng.integers(1, n_b, len(src))
        dst = (src + offset) % n_b
        same_zone = np.array([np.flatnonzero(zone_of == zone_of[s]) for s in src], dtype=object) if demo else None
        if same_zone is not None:
            dst = np.array([rng.choice(z[z != s]) if len(z) > 1 else dd_ for z, s, dd_ in zip(same_zone, src, dst,
                                                                                                   strict=True)])
        # Joiners: new members, most of them probationary.
        n_join = k
        join_branch = rng.choice(n_b, size=n_join, p=sizes / sizes.sum())
        new_ids = np.arange(n_members, n_members + n_join)
        n_members += n_join
        changed = np.concatenate([changed, np.zeros(n_join, dtype=bool)])
        mem_branch = [cur_branch, dst.astype(np.int64), join_branch]
        mem_member = [cur_member, cur_member[transfer_rows], new_ids]
        mem_start = [np.concatenate(mem_start), np.full(len(dst), dd), np.full(n_join, dd)]
        mem_end = [ends, np.full(len(dst), NO_DATE), np.full(n_join, NO_DATE)]
        mem_reason = [reasons, np.full(len(dst), "transfer_in", dtype=object), np.full(n_join, "joined", dtype=object)]
        changed[cur_member[transfer_rows]] = True
    ms_branch = np.concatenate(mem_branch)
    ms_member = np.concatenate(mem_member)
    ms_start = np.concatenate(mem_start)
    ms_end = np.concatenate(mem_end)
    ms_reason = np.concatenate(mem_reason)

    # Member attributes; names unique within every branch they belong to.
    member_names = nm.person_names(rng, n_members)
    for _ in range(20):
        keys = np.char.add(ms_branch.astype(str), np.char.add("|", member_names[ms_member].astype(str)))
        _, first_idx = np.unique(keys, return_index=True)
        dup = np.ones(len(keys), dtype=bool)
        dup[first_idx] = False
        if not dup.any():
            break
        redo = np.unique(ms_member[dup])
        member_names[redo] = nm.person_names(rng, len(redo))
    birth = rng.integers(_days(date(1966, 1, 1)), _days(date(2001, 12, 31)), n_members)
    joined_party = np.minimum(birth + rng.integers(19 * 365, 32 * 365, n_members), _days(date(2024, 12, 1)))
    first_kind = np.concatenate([np.full(n0, 0.04), np.full(n_members - n0, 0.6)])
    kind = np.where(rng.random(n_members) < first_kind, "probationary", "full")
    # Probationary members joined the Party recently.
    joined_party = np.where(kind == "probationary", _days(first) - rng.integers(30, 330, n_members), joined_party)
    sex = np.where(rng.random(n_members) < 0.68, "男", "女")

    # Leading cadres (one per zone of three or more branches; the demo: two in 机关党支部) and the
    # branches each guides.
    initial_branch = np.full(n_members, -1)
    initial_branch[ms_member[::-1]] = ms_branch[::-1]
    cadre_ids: list[int] = []
    guided: list[tuple[int, int]] = []
    stable = ~changed
    if demo:
        office = 3  # 机关党支部
        candidates = [int(m) for m in np.flatnonzero((initial_branch == office) & stable)[:2]]
        cadre_ids = candidates
        targets = [[0, 2], [8]]  # 运行一、燃料; 检修一
        guided = [(c, b) for c, bs in zip(cadre_ids, targets, strict=False) for b in bs]
    else:
        for z in range(n_z):
            zb = np.flatnonzero(zone_of == z)
            if len(zb) < 3:
                continue
            cand = np.flatnonzero((initial_branch == zb[0]) & stable)
            if len(cand) == 0:
                continue
            c = int(cand[0])
            cadre_ids.append(c)
            guided += [(c, int(zb[1])), (c, int(zb[2]))]
    is_cadre = np.zeros(n_members, dtype=bool)
    is_cadre[cadre_ids] = True
    stable &= ~is_cadre

    # Exempt members: excluded from the denominator with a reason (the demo has exactly one).
    n_ex = 1 if demo else max(1, round(0.004 * n_members))
    ex_pool = np.flatnonzero(stable[:n0])
    ex_members = rng.choice(ex_pool, size=n_ex, replace=False)
    # Exemptions are approved with a roster: the first one, or (demo) the mid-year one of the first year.
    ex_start = np.full(n_ex, _days(date(years[0], 7, 1) if demo else first))
    ex_end = np.where(rng.random(n_ex) < 0.5, NO_DATE, _days(date(years[-1], 2, 28)))
    ex_reason = rng.choice(np.array(EXEMPTION_REASONS, dtype=object), size=n_ex)
    if demo:
        ex_reason[:] = "长期驻外工作"
        ex_end[:] = NO_DATE

    def as_date(days: np.ndarray) -> pl.Series:
        return pl.Series(days.astype(np.int32)).cast(pl.Date).set(pl.Series(days == NO_DATE), None)

    members = pl.DataFrame({
        "member_id": np.arange(n_members, dtype=np.int64), "name": member_names.astype(str),
        "sex": sex, "member_kind": kind, "is_leading_cadre": is_cadre,
    }).with_columns(birth_date=as_date(birth), joined_party_date=as_date(joined_party))
    memberships = pl.DataFrame({
        "member_id": ms_member.astype(np.int64), "branch_id": ms_branch.astype(np.int64),
        "change_reason": ms_reason.astype(str),
    }).with_columns(start_date=as_date(ms_start), end_date=as_date(ms_end))
    memberships = memberships.sort("member_id", "start_date").with_row_index("membership_id").with_columns(
        pl.col("membership_id").cast(pl.Int64))
    exemptions = pl.DataFrame({
        "exemption_id": np.arange(n_ex, dtype=np.int64), "member_id": ex_members.astype(np.int64),
        "reason": ex_reason.astype(str),
    }).with_columns(start_date=as_date(ex_start), end_date=as_date(ex_end))
    cadre_guidance = pl.DataFrame({"member_id": [c for c, _ in guided], "branch_id": [b for _, b in guided]},
                                  schema={"member_id": pl.Int64, "branch_id": pl.Int64})

    # Secretaries: a stable member of each branch.
    sec_name = []
    for b in range(n_b):
        pool = np.flatnonzero((initial_branch == b) & stable)
        sec_name.append(str(member_names[pool[-1]]) if len(pool) else "")
    branches = pl.DataFrame({
        "branch_id": np.arange(n_b, dtype=np.int64), "name": nm.branch_names(n_b),
        "zone_id": zone_of.astype(np.int64), "secretary": sec_name, "ballots": ballots, "year_table": year_table,
        "sort_order": np.arange(1, n_b + 1, dtype=np.int64),
    })

    # Leader and deputy unit of each zone, rotating quarter by quarter.
    role_rows = []
    quarters = [(y, q) for y in years for q in range(1, 5) if date(y, 3 * q - 2, 1) <= today]
    for z in range(n_z):
        zb = np.flatnonzero(zone_of == z)
        for i, (y, q) in enumerate(quarters):
            role_rows.append((z, y, q, int(zb[i % len(zb)]), int(zb[(i + 1) % len(zb)]) if len(zb) > 1 else None))
    zone_roles = pl.DataFrame(role_rows, orient="row", schema={
        "zone_id": pl.Int64, "year": pl.Int64, "quarter": pl.Int64, "leader_branch_id": pl.Int64,
        "deputy_branch_id": pl.Int64})

    activities, activity_branches = _activities(rng, sc, rules, today, years, zone_of, zone_roles)
    return Committee(sc, seed, today, years, rules, nm.DEMO_COMMITTEE if demo else f"{sc.name} 规模测试党委",
                     zones, branches, zone_roles, members, memberships, exemptions, cadre_guidance,
                     activities, activity_branches, roster_dates=[first, *change_dates])


def _activities(rng: np.random.Generator, sc: Scale, rules: Rules, today: date, years: list[int],
                zone_of: np.ndarray, zone_roles: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One activity a month per branch (some months missed), a joint activity per zone now and then, and the
    plan of each: how well attended, how well rated, how early announced and how late recorded."""
    demo = sc.name == "demo"
    n_b = len(zone_of)
    months = _month_starts(years[0], today)
    n_m = len(months)
    month_days = np.array([_days(m) for m in months])
    fixed_day = rng.integers(8, 24, n_b)
    shift = np.where(rng.random((n_b, n_m)) < 0.15, rng.integers(-4, 5, (n_b, n_m)), 0)
    day = np.clip(fixed_day[:, None] + shift, 1, 28)
    act_date = month_days[None, :] + day - 1
    held = (rng.random((n_b, n_m)) >= 0.03) & (act_date <= _days(today))
    if demo:  # a few months missed on purpose, the rest held
        held = act_date <= _days(today)
        for b, mi in ((2, 7), (7, 13), (12, 2), (12, 3), (5, 18)):
            if mi < n_m:
                held[b, mi] = False

    # Joint zone activities: the quarter's leader unit hosts, every branch of the zone takes part.
    joint: list[tuple[int, int]] = []  # (zone, month index)
    if demo:  # in the months that have begun by today (early in a year, the second one has not)
        joint = [(z, mi) for z, mi in ((0, 5), (2, 15)) if mi < n_m]
    else:
        for z in range(int(zone_of.max()) + 1):
            for yi in range(len(years)):
                if rng.random() < 0.5:
                    mi = yi * 12 + int(rng.integers(2, 11))
                    if mi < n_m:
                        joint.append((z, mi))
    roles = {(r["zone_id"], r["year"], r["quarter"]): r["leader_branch_id"] for r in zone_roles.iter_rows(named=True)}
    joint_rows = []
    for z, mi in joint:
        zb = np.flatnonzero(zone_of == z)
        m = months[mi]
        host = roles.get((z, m.year, (m.month - 1) // 3 + 1), int(zb[0]))
        d = month_days[mi] + 15
        if d > _days(today):
            continue
        held[zb, mi] = False
        joint_rows.append((host, d, zb))

    b_idx, m_idx = np.nonzero(held)
    host = np.concatenate([b_idx, np.array([h for h, _, _ in joint_rows], dtype=np.int64)])
    dates = np.concatenate([act_date[b_idx, m_idx], np.array([d for _, d, _ in joint_rows], dtype=np.int64)])
    level = np.array(["branch"] * len(b_idx) + ["zone"] * len(joint_rows), dtype=object)
    order = np.lexsort((host, dates))
    host, dates, level = host[order], dates[order], level[order]
    n_a = len(host)
    is_joint_sorted = level == "zone"

    threshold = float(rules.get("attendance.quorum_threshold"))
    sat_threshold = float(rules.get("evaluation.satisfaction_threshold"))
    strikes = int(rules.get("evaluation.strikes_limit"))
    # How many of its members each activity gets: most well above the quorum, some below it.
    low_attendance = rng.random(n_a) < 0.07
    p_present = np.where(low_attendance, rng.uniform(threshold - 0.2, threshold - 0.04, n_a),
                         np.clip(rng.normal(0.93, 0.03, n_a), threshold + 0.05, 0.99))
    # Satisfaction: most activities well rated, a few below the threshold (a strike).
    low_sat = rng.random(n_a) < 0.02
    year_of = np.array([date.fromordinal(date(1970, 1, 1).toordinal() + int(d)).year for d in dates]) if n_a else dates
    if demo:
        # Exactly one branch strikes out (运行四党支部, index 5); two more have a strike or two.
        low_sat[:] = False
        for b, counts in ((5, (strikes, strikes + 1)), (9, (1, 2)), (1, (0, 1))):
            for yi, y in enumerate(years):
                idx = np.flatnonzero((host == b) & (year_of == y) & ~is_joint_sorted)
                take = min(counts[yi % len(counts)], len(idx))
                low_sat[rng.choice(idx, size=take, replace=False)] = True
    sat = np.where(low_sat, rng.uniform(0.25, sat_threshold - 0.12, n_a),
                   np.clip(rng.normal(0.9, 0.05, n_a), sat_threshold + 0.12, 1.0))
    notice_min = int(rules.get("schedule.notice_min_days"))
    report_max = int(rules.get("schedule.report_max_days"))
    notice_days = np.where(rng.random(n_a) < 0.1, rng.integers(0, notice_min, n_a),
                           rng.integers(notice_min, notice_min + 6, n_a))
    report_days = np.where(rng.random(n_a) < 0.1, rng.integers(report_max + 1, report_max + 6, n_a),
                           rng.integers(0, report_max + 1, n_a))
    half_day = float(rules.get("schedule.half_day_hours"))
    short = rng.random(n_a) < 0.05
    duration = np.where(short, half_day - 1.0, np.where(rng.random(n_a) < 0.3, half_day + 0.5, half_day))
    morning = rng.random(n_a) < 0.4
    open_day = rng.random(n_a) < 0.01
    if demo:
        open_day[:] = False
        for b, y, mo in ((1, years[0], 9), (9, years[-1], 5)):
            idx = np.flatnonzero((host == b) & (year_of == y) & ~is_joint_sorted
                                 & (np.array([_days(date(y, mo, 1))] * n_a) <= dates)
                                 & (dates < _days(date(y, mo + 1, 1))))
            open_day[idx] = True
    mandatory = rng.random(n_a) < 0.5
    topic_idx = rng.integers(0, 8, n_a)
    topic = np.where(mandatory, np.array(nm.TOPICS_MANDATORY, dtype=object)[topic_idx],
                     np.array(nm.TOPICS_OPTIONAL, dtype=object)[topic_idx])
    topic = np.where(is_joint_sorted, "协作区联合主题党日：党员立项攻关交流会", topic)
    topic = np.where(open_day, "主题党日开放日：" + topic.astype(str), topic)
    has_guests = rng.random(n_a) < 0.12
    activities = pl.DataFrame({
        "activity_id": np.arange(n_a, dtype=np.int64), "host_branch_id": host.astype(np.int64),
        "topic": topic.astype(str), "level": level.astype(str),
        "p_present": p_present, "sat": sat, "low_sat": low_sat, "notice_days": notice_days.astype(np.int64),
        "report_days": report_days.astype(np.int64), "duration_hours": duration, "morning": morning,
        "is_open_day": open_day, "topic_kind": np.where(mandatory, "mandatory", "optional"),
        "has_guests": has_guests | open_day,
    }).with_columns(activity_date=pl.Series(dates.astype(np.int32)).cast(pl.Date)).with_columns(
        activity_month=pl.col("activity_date").dt.truncate("1mo"))
    # Taking part: the host alone, or every branch of the zone for a joint activity.
    by_key = {(h, d): zb for h, d, zb in joint_rows}
    parts_a, parts_b = [np.arange(n_a)], [host]
    for a in np.flatnonzero(is_joint_sorted):
        zb = by_key[(int(host[a]), int(dates[a]))]
        others = zb[zb != host[a]]
        parts_a.append(np.full(len(others), a))
        parts_b.append(others)
    activity_branches = pl.DataFrame({"activity_id": np.concatenate(parts_a).astype(np.int64),
                                      "branch_id": np.concatenate(parts_b).astype(np.int64)})
    return activities, activity_branches


def _facts(c: Committee, chunk: tuple[int, int], index: int) -> Facts:
    rng = np.random.default_rng([c.seed, 2002, index + 1])
    lo, hi = chunk
    br = c.branches.filter(pl.col("zone_id").is_between(lo, hi - 1, closed="both"))
    branch_ids = br["branch_id"]
    ab = c.activity_branches.filter(pl.col("branch_id").is_in(branch_ids.implode()))
    acts = c.activities.filter(pl.col("activity_id").is_in(ab["activity_id"].unique().implode()))
    ms = c.memberships.filter(pl.col("branch_id").is_in(branch_ids.implode()))
    att = (ab.join(acts.select("activity_id", "activity_date", "p_present"), on="activity_id")
           .join(ms.select("member_id", "branch_id", "start_date", "end_date"), on="branch_id")
           .filter((pl.col("start_date") <= pl.col("activity_date"))
                   & (pl.col("end_date").is_null() | (pl.col("activity_date") <= pl.col("end_date"))))
           .sort("activity_id", "member_id"))
    ex = c.exemptions.select("member_id", pl.col("start_date").alias("ex_start"), pl.col("end_date").alias("ex_end"),
                             "reason")
    att = att.join(ex, on="member_id", how="left").with_columns(
        exempt=(pl.col("ex_start").is_not_null() & (pl.col("ex_start") <= pl.col("activity_date"))
                & (pl.col("ex_end").is_null() | (pl.col("activity_date") <= pl.col("ex_end")))))
    n = att.height
    u = rng.random(n)
    excused_share = rng.random(n) < 0.7
    present = (u < att["p_present"].to_numpy()) & ~att["exempt"].to_numpy()
    status = np.where(present, "present", np.where(excused_share | att["exempt"].to_numpy(), "excused", "unexcused"))
    made_up = (~present) & (rng.random(n) < 0.4) & ~att["exempt"].to_numpy()
    leave_reason = np.array(LEAVE_REASONS, dtype=object)[rng.integers(0, len(LEAVE_REASONS), n)]
    remark = np.where(status == "excused", leave_reason, "")
    remark = np.where(att["exempt"].to_numpy(), att["reason"].fill_null("").to_numpy().astype(object) + "（免于参加）",
                      remark)
    remark = np.where(made_up, np.char.add(remark.astype(str), np.where(remark != "", "，已补学", "已补学")), remark)
    attendance = att.select("activity_id", "member_id", "branch_id", "exempt").with_columns(
        status=pl.Series(status), made_up=pl.Series(made_up),
        remark=pl.Series(remark.astype(str)).replace("", None))

    counts = attendance.group_by("activity_id").agg(
        expected_count=(~pl.col("exempt")).sum().cast(pl.Int64),
        present_count=(pl.col("status") == "present").sum().cast(pl.Int64),
        leave_count=((pl.col("status") == "excused") & ~pl.col("exempt")).sum().cast(pl.Int64))
    attendance = attendance.drop("exempt")
    acts = acts.join(counts, on="activity_id", how="left").sort("activity_id")

    guests = _guests(c, rng, acts)
    votes = _votes(c, rng, acts, guests)
    records = _records(c, acts, br)
    return Facts(attendance, guests, votes, records)


def _guests(c: Committee, rng: np.random.Generator, acts: pl.DataFrame) -> pl.DataFrame:
    """Non-members who came: activists and masses now and then, observers on open days, and the leading
    cadre guiding a branch he is in charge of."""
    with_guests = acts.filter(pl.col("has_guests"))
    k = rng.integers(1, 4, with_guests.height)
    a_ids = np.repeat(with_guests["activity_id"].to_numpy(), k)
    open_day = np.repeat(with_guests["is_open_day"].to_numpy(), k)
    kinds = np.where(open_day, "observer",
                     np.array(["activist", "development_target", "league_member", "masses"], dtype=object)[
                         rng.integers(0, 4, len(a_ids))])
    frames = [pl.DataFrame({"activity_id": a_ids.astype(np.int64), "name": nm.person_names(rng, len(a_ids)).astype(str),
                            "guest_kind": kinds.astype(str)})]
    if c.cadre_guidance.height:
        visits = (acts.filter(pl.col("level") == "branch").select("activity_id", "host_branch_id")
                  .join(c.cadre_guidance, left_on="host_branch_id", right_on="branch_id")
                  .join(c.members.select("member_id", "name"), on="member_id"))
        visits = visits.filter(pl.Series(rng.random(visits.height) < 0.3))
        frames.append(visits.select("activity_id", "name", guest_kind=pl.lit("leading_cadre")))
    return pl.concat(frames).sort("activity_id", "name")


def _split(n: np.ndarray, rate: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Split ``n`` ballots into (satisfied, basic, unsatisfied) with (satisfied + basic) / n close to ``rate``."""
    ok = np.minimum(n, np.round(n * rate)).astype(np.int64)
    satisfied = np.round(ok * rng.uniform(0.6, 0.9, len(n))).astype(np.int64)
    return np.stack([satisfied, ok - satisfied, n - ok], axis=1)


def _votes(c: Committee, rng: np.random.Generator, acts: pl.DataFrame, guests: pl.DataFrame) -> pl.DataFrame:
    """Evaluation of every activity on the four items and the overall item: vote counts, or one row per ballot
    for branches whose sheets list ballots."""
    raters_guest = guests.filter(pl.col("guest_kind") != "leading_cadre").group_by("activity_id").len("n_guest")
    a = acts.join(raters_guest, on="activity_id", how="left").with_columns(pl.col("n_guest").fill_null(0)).join(
        c.branches.select(pl.col("branch_id").alias("host_branch_id"), "ballots"), on="host_branch_id")
    counts_acts = a.filter(~pl.col("ballots"))
    frames = []
    n_items = len(ITEMS)
    if counts_acts.height:
        n = np.repeat(counts_acts["present_count"].to_numpy() + counts_acts["n_guest"].to_numpy(), n_items)
        rate = np.repeat(counts_acts["sat"].to_numpy(), n_items)
        low = np.repeat(counts_acts["low_sat"].to_numpy(), n_items)
        rate = np.clip(rate + rng.normal(0, 0.03, len(rate)), 0, 1)
        rate = np.where(low, np.minimum(rate, c.rules.get("evaluation.satisfaction_threshold") - 0.1), rate)
        split = _split(n, rate, rng)
        base = pl.DataFrame({"activity_id": np.repeat(counts_acts["activity_id"].to_numpy(), n_items),
                             "item": np.tile(np.array(ITEMS), counts_acts.height)})
        long = pl.concat([base.with_columns(rating=pl.lit(r), votes=pl.Series(split[:, i])) for i, r in enumerate(RATINGS)])
        frames.append(long.filter(pl.col("votes") > 0).with_columns(
            rater_kind=pl.lit(None, pl.String), ballot_no=pl.lit(None, pl.Int64)))
    ballot_acts = a.filter(pl.col("ballots"))
    rows: list[tuple[int, str, str, int, str, int]] = []
    threshold = float(c.rules.get("evaluation.satisfaction_threshold"))
    for r in ballot_acts.iter_rows(named=True):
        n_m, n_g = int(r["present_count"]), int(r["n_guest"])
        for item in ITEMS:
            item_rate = min(1.0, max(0.0, float(r["sat"] + rng.normal(0, 0.03))))
            if r["low_sat"]:
                item_rate = min(item_rate, threshold - 0.1)
            s, b, u = _split(np.array([n_m + n_g]), np.array([item_rate]), rng)[0]
            marks = np.array(["satisfied"] * s + ["basic"] * b + ["unsatisfied"] * u)
            rng.shuffle(marks)
            for i, mark in enumerate(marks):
                rows.append((r["activity_id"], item, str(mark), 1, "member" if i < n_m else "non_member", i + 1))
    if rows or not frames:
        frames.append(pl.DataFrame(rows, orient="row", schema={
            "activity_id": pl.Int64, "item": pl.String, "rating": pl.String, "votes": pl.Int64,
            "rater_kind": pl.String, "ballot_no": pl.Int64}))
    return pl.concat([f.select("activity_id", "item", "rating", pl.col("votes").cast(pl.Int64), "rater_kind",
                               "ballot_no") for f in frames]).sort("activity_id", "ballot_no", "item", "rating",
                                                                   nulls_last=True)


def _records(c: Committee, acts: pl.DataFrame, br: pl.DataFrame) -> pl.DataFrame:
    """The activity record (活动纪实表) of every activity."""
    place_count = len(nm.PLACES)
    start_h = np.where(acts["morning"].to_numpy(), 8.5, 14.5)
    end_h = start_h + acts["duration_hours"].to_numpy()

    def hm(hours: np.ndarray) -> pl.Series:
        minutes = np.round(hours * 60).astype(np.int64)
        return pl.Series(minutes * 60_000_000_000).cast(pl.Time)

    out = acts.join(br.select(pl.col("branch_id").alias("host_branch_id"), pl.col("secretary").alias("host")),
                    on="host_branch_id", how="left").sort("activity_id")
    return out.select(
        "activity_id", "topic", "topic_kind",
        start_time=hm(start_h), end_time=hm(end_h), duration_hours="duration_hours",
        place=pl.Series(np.array(nm.PLACES)[acts["activity_id"].to_numpy() % place_count]),
        host="host",
        notice_date=pl.col("activity_date") - pl.duration(days=pl.col("notice_days")),
        report_date=pl.col("activity_date") + pl.duration(days=pl.col("report_days")),
        is_open_day="is_open_day", expected_count="expected_count", present_count="present_count",
        leave_count="leave_count",
        content=pl.concat_str(pl.lit("围绕“"), pl.col("topic"), pl.lit("”开展集中学习、交流研讨，党员结合岗位谈体会。")),
    )
