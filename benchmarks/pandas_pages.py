"""The usual way, as the baseline of the page-query benchmark: the core tables held in pandas, and every
page view computing the figures that page shows from them, with the same rules configuration as ours.

What each page shows (see ``pipelines/metrics.py`` and ``pipelines/sql/`` for the definitions) and the
pandas below computes, vectorised (merges, groupby, pivots; no loop over rows), from scratch on every
call (nothing is cached across page views; building blocks are shared within one call):

- the roster of every activity and taking-part branch on its reference date (the activity date, or the
  last day of the month), exemptions, every member's status (a roster member without an attendance row is
  unexcused when the branch has a sign-in), members who came from no taking-part roster, guests;
- per activity and branch: expected, present, excused, unexcused, participation, quorum, satisfaction
  (overall item, else pooled), strike, and the six rules (duration, no_evaluation, no_record, notice,
  quorum, report_late);
- the counted months (January to the last complete month): held and compliant branch-months;
- per page the figures it shows: KPIs, lists, per-zone and per-quarter figures, the ranking.

Close equivalents rather than exact details (each noted where it is made): ``ballots`` is the largest
item's vote count (the province's votes carry no ballot numbers, which is what ours falls back to as well);
the sign-in list of the activity page has no remarks (the remark column of 33 million attendance rows is not
held in memory).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipelines import clock, db
from pipelines.config import Rules

TABLES = {
    "branches": "select branch_id, name, zone_id from branches",
    "zones": "select zone_id, name as zone, sort_order from zones",
    "zone_roles": "select zone_id, year, quarter, leader_branch_id, deputy_branch_id from zone_quarter_roles",
    "activities": "select activity_id, host_branch_id, activity_month, activity_date, topic, level from activities",
    "activity_branches": "select activity_id, branch_id from activity_branches",
    "memberships": "select member_id, branch_id, start_date, end_date from memberships where superseded_by is null",
    "members": "select member_id, name, birth_date, member_kind, is_leading_cadre from members",
    "cadre_guidance": "select member_id, branch_id from cadre_guidance",
    "exemptions": "select member_id, start_date, end_date from exemptions where superseded_by is null",
    "attendance": "select activity_id, member_id, branch_id, status, made_up from attendance "
                  "where superseded_by is null",
    "guests": "select activity_id, name, guest_kind from guest_attendance where superseded_by is null",
    "votes": "select activity_id, item, rating, votes from evaluation_votes where superseded_by is null",
    "records": "select activity_id, notice_date, report_date, duration_hours, is_open_day from activity_records "
               "where superseded_by is null",
}
VIOLATIONS = ("duration", "no_evaluation", "no_record", "notice", "quorum", "report_late")
STATUS_RANK = {"present": 1, "excused": 2, "unexcused": 3}
RANK_STATUS = {1: "present", 2: "excused", 3: "unexcused"}


def counted_months(year: int, today: dt.date, quarter: int | None = None) -> list[pd.Timestamp]:
    """January to the last complete month of ``year`` (all twelve for a past year), or of one quarter."""
    last = 12 if year < today.year else (today.month - 1 if year == today.year else 0)
    first, end = (1, last) if quarter is None else (3 * quarter - 2, min(last, 3 * quarter))
    return [pd.Timestamp(year, m, 1) for m in range(first, end + 1)]


@dataclass
class PandasPages:
    """Core tables as pandas frames and the per-page computations of a pandas dashboard."""

    t: dict[str, pd.DataFrame]
    rules: Rules

    @classmethod
    def load(cls, path: Path, rules: Rules) -> PandasPages:
        """Read the core tables once (a dashboard of the usual way caches them in memory)."""
        frames = {}
        with db.reading(path) as con:
            for name, sql in TABLES.items():
                frame = con.sql(sql).to_arrow_table().to_pandas()
                for col in ("status", "item", "rating", "level", "member_kind", "guest_kind"):
                    if col in frame.columns:
                        frame[col] = frame[col].astype("category")
                for col in frame.columns:
                    if col.endswith("_date") or col == "activity_month":
                        frame[col] = pd.to_datetime(frame[col])
                frames[name] = frame
        return cls(frames, rules)

    def r(self, key: str) -> Any:
        return self.rules.get(key)

    # ------------------------------------------------------------------------------ building blocks
    def activities_of(self, year: int, activity_id: int | None = None) -> pd.DataFrame:
        """The activities of ``year`` (or one of them) with their reference date, month key and quarter."""
        a = self.t["activities"]
        a = a[a["activity_month"].dt.year == year] if activity_id is None else a[a["activity_id"] == activity_id]
        a = a.copy()
        a["ref_date"] = a["activity_date"].fillna(a["activity_month"] + pd.offsets.MonthEnd(0))
        a["year"] = a["activity_month"].dt.year
        a["month"] = a["activity_month"].dt.strftime("%Y-%m")
        a["quarter"] = a["activity_month"].dt.quarter
        return a

    def pairs(self, acts: pd.DataFrame, branch_id: int | None = None) -> pd.DataFrame:
        """Activity × taking-part branch (the host and every branch of a joint activity), with the
        activity's columns; ``branch_id``: only the activities that branch takes part in (all their branches)."""
        ab = self.t["activity_branches"]
        taking = pd.concat([ab[ab["activity_id"].isin(acts["activity_id"])],
                            acts[["activity_id", "host_branch_id"]].rename(columns={"host_branch_id": "branch_id"})])
        taking = taking.dropna().astype({"branch_id": "int64"}).drop_duplicates()
        if branch_id is not None:
            taking = taking[taking["activity_id"].isin(taking.loc[taking["branch_id"] == branch_id, "activity_id"])]
        return taking.merge(acts, on="activity_id")

    def member_status(self, pairs: pd.DataFrame) -> pd.DataFrame:
        """Everyone at every activity of ``pairs``, one row per activity and member: roster members of a
        taking-part branch with their status (``exempt``; null without a sign-in for the branch; a roster
        member without an attendance row is unexcused), and members on none of those rosters
        (``branch_id`` null, listed, never counted)."""
        ms = self.t["memberships"]
        roster = pairs[["activity_id", "branch_id", "ref_date"]].merge(ms, on="branch_id")
        roster = roster[(roster["start_date"] <= roster["ref_date"])
                        & (roster["end_date"].isna() | (roster["end_date"] >= roster["ref_date"]))]
        roster = (roster.sort_values("branch_id").drop_duplicates(["activity_id", "member_id"])
                  [["activity_id", "branch_id", "member_id", "ref_date"]])
        ex = roster[["activity_id", "member_id", "ref_date"]].merge(self.t["exemptions"], on="member_id")
        ex = ex[(ex["start_date"] <= ex["ref_date"]) & (ex["end_date"].isna() | (ex["end_date"] >= ex["ref_date"]))]
        att = self.t["attendance"]
        att = att[att["activity_id"].isin(pairs["activity_id"].unique())]
        att = att.assign(rank=att["status"].map(STATUS_RANK).astype("float64").fillna(3.0))
        # several live rows for one member and activity: the best status wins
        best = att.groupby(["activity_id", "member_id"], sort=False).agg(
            sheet_branch_id=("branch_id", "min"), rank=("rank", "min"), made_up=("made_up", "any")).reset_index()
        people = roster.merge(best, on=["activity_id", "member_id"], how="outer")
        people = people.merge(ex[["activity_id", "member_id"]].drop_duplicates().assign(exempt=True),
                              on=["activity_id", "member_id"], how="left")
        people["exempt"] = people["exempt"].fillna(False).astype(bool) & people["branch_id"].notna()
        people["unit"] = people["branch_id"].fillna(people["sheet_branch_id"])
        signed = people.loc[people["rank"].notna(), ["activity_id", "unit"]].drop_duplicates().assign(has_sign_in=True)
        people = people.merge(signed, on=["activity_id", "unit"], how="left")
        people["has_sign_in"] = people["has_sign_in"].fillna(False).astype(bool)
        status = people["rank"].fillna(3.0).map(RANK_STATUS)
        people["status"] = status.where(people["has_sign_in"]).where(~people["exempt"], "exempt")
        people["made_up"] = people["made_up"].fillna(False).astype(bool) & ~people["exempt"]
        return people

    def items(self, activity_ids: pd.Series) -> pd.DataFrame:
        """Votes per activity and item: satisfied, basic, unsatisfied (live votes)."""
        v = self.t["votes"]
        v = v[v["activity_id"].isin(activity_ids)]
        out = v.pivot_table(index=["activity_id", "item"], columns="rating", values="votes", aggfunc="sum",
                            fill_value=0, observed=True)
        for col in ("satisfied", "basic", "unsatisfied"):
            if col not in out.columns:
                out[col] = 0
        out = out[["satisfied", "basic", "unsatisfied"]].reset_index()
        out.columns.name = None
        return out

    def satisfied_of(self, frame: pd.DataFrame, prefix: str = "") -> pd.Series:
        """The votes of the ratings the rules count as satisfied."""
        ratings = set(self.r("evaluation.satisfied_ratings"))
        total = pd.Series(0, index=frame.index, dtype="int64")
        for rating in ("satisfied", "basic"):
            if rating in ratings:
                total = total + frame[prefix + rating]
        return total

    def judged(self, pairs: pd.DataFrame, status: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
        """Per activity and taking-part branch: the counts and their judgement by the rules."""
        members = status[status["branch_id"].notna()]
        flags = pd.DataFrame({"activity_id": members["activity_id"], "branch_id": members["branch_id"].astype("int64"),
                              "roster": 1, "exempt": members["exempt"],
                              "present": members["status"] == "present", "excused": members["status"] == "excused",
                              "unexcused": members["status"] == "unexcused", "made_up": members["made_up"]})
        counts = flags.groupby(["activity_id", "branch_id"], sort=False).sum().reset_index()
        signed = (status.loc[status["has_sign_in"], ["activity_id", "unit"]].drop_duplicates()
                  .rename(columns={"unit": "branch_id"}).dropna().astype({"branch_id": "int64"}).assign(has_sign_in=True))
        others = status[status["branch_id"].isna()].groupby("activity_id").size().rename("others")
        guests = self.t["guests"]
        guests = guests[guests["activity_id"].isin(pairs["activity_id"])].groupby("activity_id").size().rename("guests")
        j = (pairs.merge(counts, on=["activity_id", "branch_id"], how="left")
             .merge(signed, on=["activity_id", "branch_id"], how="left")
             .merge(others, on="activity_id", how="left").merge(guests, on="activity_id", how="left"))
        for col in ("roster", "exempt", "present", "excused", "unexcused", "made_up", "others", "guests"):
            j[col] = j[col].fillna(0).astype("int64")
        j["has_sign_in"] = j["has_sign_in"].fillna(False).astype(bool)
        j["expected"] = j["roster"] - j["exempt"]
        for col in ("present", "excused", "unexcused", "made_up"):
            j[col] = j[col].astype("Int64").where(j["has_sign_in"])
        # the record
        rec = self.t["records"]
        j = j.merge(rec[rec["activity_id"].isin(pairs["activity_id"])].assign(has_record=True),
                    on="activity_id", how="left")
        j["has_record"] = j["has_record"].fillna(False).astype(bool)
        j["is_open_day"] = j["is_open_day"].fillna(False).astype(bool)
        j["notice_days"] = (j["activity_date"] - j["notice_date"]).dt.days
        j["report_days"] = (j["report_date"] - j["activity_date"]).dt.days
        # satisfaction: on the overall item when the activity has one and the rules say so, else pooled
        items = items.assign(total=items["satisfied"] + items["basic"] + items["unsatisfied"],
                             overall=items["item"].astype(str) == "overall")
        per = items.groupby(["activity_id", "overall"])[["satisfied", "basic", "unsatisfied", "total"]].sum().unstack(
            fill_value=0)
        per.columns = [f"{'ov' if ov else 'pl'}_{col}" for col, ov in per.columns]
        for col in ("ov_satisfied", "ov_basic", "ov_unsatisfied", "ov_total", "pl_satisfied", "pl_basic",
                    "pl_unsatisfied", "pl_total"):
            if col not in per.columns:
                per[col] = 0
        # ballots: the largest item's votes (no ballot numbers in these votes; ours falls back to the same)
        per["largest_item"] = items[~items["overall"]].groupby("activity_id")["total"].max()
        per = per.reset_index()
        on_overall = (self.r("evaluation.primary_item") == "overall") & (per["ov_total"] > 0)
        per["satisfied_votes"] = self.satisfied_of(per, "ov_").where(on_overall, self.satisfied_of(per, "pl_"))
        per["valid_votes"] = per["ov_total"].where(on_overall, per["pl_total"])
        per["ballots"] = per["ov_total"].where(on_overall, per["largest_item"].fillna(0))
        per["has_evaluation"] = (per["ov_total"] + per["pl_total"]) > 0
        j = j.merge(per[["activity_id", "satisfied_votes", "valid_votes", "ballots", "has_evaluation"]],
                    on="activity_id", how="left")
        j["has_evaluation"] = j["has_evaluation"].fillna(False).astype(bool)
        j["valid_votes"] = j["valid_votes"].fillna(0)
        j["participation"] = (j["present"].astype("float64") / j["expected"].where(j["expected"] > 0)).astype("float64")
        threshold = float(self.r("attendance.quorum_threshold"))
        met = j["participation"] >= threshold if self.r("attendance.quorum_inclusive") else j["participation"] > threshold
        j["quorum_met"] = met.astype("boolean").where(j["participation"].notna())
        j["satisfaction"] = j["satisfied_votes"] / j["valid_votes"].where(j["valid_votes"] > 0)
        j["low_satisfaction"] = (j["satisfaction"] < float(self.r("evaluation.satisfaction_threshold"))).fillna(False)
        j["v_quorum"] = (~j["quorum_met"]).fillna(False).astype(bool)
        j["v_notice"] = j["notice_days"] < int(self.r("schedule.notice_min_days"))
        j["v_duration"] = j["duration_hours"] < float(self.r("schedule.half_day_hours"))
        j["v_report_late"] = j["report_days"] > int(self.r("schedule.report_max_days"))
        j["v_no_record"] = ~j["has_record"]
        j["v_no_evaluation"] = ~j["has_evaluation"]
        j["violation_count"] = j[[f"v_{c}" for c in VIOLATIONS]].sum(axis=1)
        return j

    def figures(self, year: int, branch_id: int | None = None,
                activity_id: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The judged rows of ``year`` (or of one branch's activities, or one activity) and the member status
        they were counted from."""
        acts = self.activities_of(year, activity_id)
        pairs = self.pairs(acts, branch_id)
        status = self.member_status(pairs)
        return self.judged(pairs, status, self.items(pairs["activity_id"].unique())), status

    def named(self, j: pd.DataFrame) -> pd.DataFrame:
        """The judged rows with the names of the branch, its zone and the host, and the violation codes."""
        b = self.t["branches"]
        out = (j.merge(b.rename(columns={"name": "branch"}), on="branch_id", how="left")
               .merge(self.t["zones"][["zone_id", "zone"]], on="zone_id", how="left")
               .merge(b[["branch_id", "name"]].rename(columns={"branch_id": "host_branch_id", "name": "host_branch"}),
                      on="host_branch_id", how="left"))
        codes = pd.Series("", index=out.index)
        for code in VIOLATIONS:  # the codes broken, comma-joined in sorted order (vectorised string sums)
            codes = codes + np.where(out[f"v_{code}"], code + ",", "")
        out["violations"] = codes.str.rstrip(",")
        return out

    def held_months(self, j: pd.DataFrame, months: list[pd.Timestamp]) -> pd.DataFrame:
        """The counted months in which each branch held a theme Party day, and whether it broke no rule."""
        h = j[j["activity_month"].isin(months)]
        return (h.assign(clean=h["violation_count"] == 0).groupby(["branch_id", "activity_month"])["clean"].all()
                .rename("compliant").reset_index().assign(quarter=lambda f: f["activity_month"].dt.quarter))

    def zone_quarters(self, j: pd.DataFrame, held: pd.DataFrame, year: int, months: list[pd.Timestamp]) -> pd.DataFrame:
        """Per zone and quarter: activities, participation, quorum, satisfaction, strikes, open days,
        compliance, with that quarter's leader and deputy."""
        b = self.t["branches"]
        z = j.merge(b[["branch_id", "zone_id"]], on="branch_id")
        rates = z.assign(met=z["quorum_met"].fillna(False).astype(bool),
                         failed=(~z["quorum_met"]).fillna(False).astype(bool)).groupby(["zone_id", "quarter"]).agg(
            activities=("activity_id", "nunique"), branch_activities=("activity_id", "size"),
            participation=("participation", "mean"), quorum_met=("met", "sum"), quorum_failures=("failed", "sum"),
            satisfaction=("satisfaction", "mean"), low_satisfaction_events=("low_satisfaction", "sum"),
            open_days=("is_open_day", "sum"))
        rates["quorum_rate"] = rates["quorum_met"] / (rates["quorum_met"] + rates["quorum_failures"]).where(
            lambda n: n > 0)
        zone_branches = b.groupby("zone_id").size().rename("branches")
        due = pd.Series([m.quarter for m in months], dtype="int64").value_counts().rename("due").rename_axis("quarter")
        hz = held.merge(b[["branch_id", "zone_id"]], on="branch_id").groupby(["zone_id", "quarter"]).agg(
            held_months=("compliant", "size"), compliant_months=("compliant", "sum"))
        grid = self.t["zones"].merge(pd.DataFrame({"quarter": [1, 2, 3, 4]}), how="cross")
        roles = self.t["zone_roles"]
        roles = roles[roles["year"] == year]
        names = b.set_index("branch_id")["name"]
        roles = roles.assign(leader=roles["leader_branch_id"].map(names), deputy=roles["deputy_branch_id"].map(names))
        out = (grid.merge(zone_branches, on="zone_id", how="left").merge(rates, on=["zone_id", "quarter"], how="left")
               .merge(hz, on=["zone_id", "quarter"], how="left").merge(due, on="quarter", how="left")
               .merge(roles[["zone_id", "quarter", "leader", "deputy"]], on=["zone_id", "quarter"], how="left"))
        out["branch_months"] = out["branches"].fillna(0) * out["due"].fillna(0)
        out["compliance"] = out["compliant_months"].fillna(0) / out["branch_months"].where(out["branch_months"] > 0)
        return out.sort_values(["sort_order", "zone_id", "quarter"])

    def strikes(self, named: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The low-satisfaction activities with their branch's count and eligibility, and the three-strikes
        table (one row per branch: count, eligibility, the activities that count)."""
        low = named[named["low_satisfaction"]].copy()
        low["strikes"] = low.groupby("branch_id")["activity_id"].transform("size")
        low["eligible"] = low["strikes"] < int(self.r("evaluation.strikes_limit"))
        low = low.sort_values(["eligible", "strikes", "zone_id", "branch", "month", "activity_id"],
                              ascending=[True, False, True, True, True, True])
        label = (low["month"] + " " + low["topic"].fillna("") + " ("
                 + (low["satisfaction"] * 100).round(1).astype(str) + "%)")
        table = (low.assign(label=label).sort_values("month").groupby(["branch", "zone"], sort=False)
                 .agg(strikes=("strikes", "max"), eligible=("eligible", "all"),
                      strike_activities=("label", "; ".join))
                 .reset_index().sort_values(["eligible", "strikes"], ascending=[True, False]))
        return low, table

    def counts(self, j: pd.DataFrame) -> pd.DataFrame:
        """Per month: rows, judged on the quorum, failed, rated, struck, broke any rule and each rule."""
        flags = pd.DataFrame({"month": j["month"], "rows": 1, "quorum_judged": j["quorum_met"].notna(),
                              "quorum_failed": j["v_quorum"], "rated": j["satisfaction"].notna(),
                              "low_satisfaction": j["low_satisfaction"], "violating": j["violation_count"] > 0,
                              **{code: j[f"v_{code}"] for code in VIOLATIONS}})
        return flags.groupby("month").sum()

    def ranking_of(self, j: pd.DataFrame, months: list[pd.Timestamp], quarter: int | None) -> pd.DataFrame:
        """Every branch scored and ranked for the period of ``j``'s year (a quarter of it when given)."""
        period = j if quarter is None else j[j["quarter"] == quarter]
        rates = period.groupby("branch_id").agg(activities=("activity_id", "size"),
                                                participation=("participation", "mean"),
                                                satisfaction=("satisfaction", "mean"), open_day=("is_open_day", "any"))
        held = self.held_months(j, months).groupby("branch_id")["compliant"].agg(
            compliant_months="sum", held_months="size")
        strikes = j[j["low_satisfaction"]].groupby("branch_id").size().rename("low_satisfaction_events")
        out = (self.t["branches"].rename(columns={"name": "branch"}).merge(self.t["zones"][["zone_id", "zone"]],
                                                                         on="zone_id", how="left")
               .merge(rates, on="branch_id", how="left").merge(held, on="branch_id", how="left")
               .merge(strikes, on="branch_id", how="left"))
        for col in ("activities", "compliant_months", "held_months", "low_satisfaction_events"):
            out[col] = out[col].fillna(0).astype("int64")
        out["open_day"] = out["open_day"].fillna(False).astype(bool)
        out["months"] = len(months)
        out["compliance"] = out["compliant_months"] / len(months) if months else np.nan
        out["open_day_bonus"] = np.where(out["open_day"], float(self.r("ranking.open_day_bonus")), 0.0)
        out["eligible"] = out["low_satisfaction_events"] < int(self.r("evaluation.strikes_limit"))
        minimum = self.r("ranking.min_activities_year" if quarter is None else "ranking.min_activities_quarter")
        out["too_little_data"] = out["activities"] < int(minimum)
        out["score"] = (100 * (float(self.r("ranking.weight_participation")) * out["participation"].fillna(0)
                               + float(self.r("ranking.weight_satisfaction")) * out["satisfaction"].fillna(0)
                               + float(self.r("ranking.weight_compliance")) * out["compliance"].fillna(0))
                        + out["open_day_bonus"]).clip(upper=100).round(2)
        ranked = out["score"].where(~out["too_little_data"])
        out["rank"] = ranked.rank(ascending=False, method="min")
        out["zone_rank"] = ranked.groupby(out["zone_id"]).rank(ascending=False, method="min")
        return out

    # ----------------------------------------------------------------------------------------- pages
    def overview(self, year: int, today: dt.date) -> dict[str, Any]:
        """The year's and every month's KPIs, the alerts (quorum failures, low satisfaction, missed months,
        three strikes) and the trend by month."""
        j, _ = self.figures(year)
        months = counted_months(year, today)
        held = self.held_months(j, months)
        branches = len(self.t["branches"])
        j = j.assign(failed=j["v_quorum"], met=j["quorum_met"].fillna(False).astype(bool),
                     violating=j["violation_count"] > 0)
        aggs = {"activities": ("activity_id", "nunique"), "branch_activities": ("activity_id", "size"),
                "participation": ("participation", "mean"), "quorum_met": ("met", "sum"),
                "quorum_failures": ("failed", "sum"), "satisfaction": ("satisfaction", "mean"),
                "low_satisfaction_events": ("low_satisfaction", "sum"),
                "activities_with_violations": ("violating", "sum")}
        keys = [f"{year}-{m:02d}" for m in range(1, 13)]
        kpis = pd.concat([j.groupby("month").agg(**aggs).reindex(keys),
                          j.assign(month="year").groupby("month").agg(**aggs)]).reindex(["year", *keys])
        kpis["quorum_rate"] = kpis["quorum_met"] / (kpis["quorum_met"] + kpis["quorum_failures"]).where(lambda n: n > 0)
        held = held.assign(month=held["activity_month"].dt.strftime("%Y-%m"))
        hm = pd.concat([held.groupby("month")["compliant"].agg(held_months="size", compliant_months="sum"),
                        held.assign(month="year").groupby("month")["compliant"].agg(
                            held_months="size", compliant_months="sum")])
        kpis = kpis.join(hm, how="left")
        due = pd.Series(branches, index=[m.strftime("%Y-%m") for m in months])
        due["year"] = branches * len(months)
        kpis["branch_months"] = due.reindex(kpis.index).fillna(0)
        kpis["missed_months"] = kpis["branch_months"] - kpis["held_months"].fillna(0)
        kpis["compliance"] = kpis["compliant_months"] / kpis["branch_months"].where(kpis["branch_months"] > 0)
        # members on the roster at the end of each period (or today)
        ms = self.t["memberships"]
        ends = [min(pd.Timestamp(year, 12, 31), pd.Timestamp(today))] + [
            min(pd.Timestamp(k + "-01") + pd.offsets.MonthEnd(0), pd.Timestamp(today)) for k in keys]
        start, end = ms["start_date"].to_numpy(), ms["end_date"].fillna(pd.Timestamp.max).to_numpy()
        kpis["members"] = [int(((start <= np.datetime64(d)) & (end >= np.datetime64(d))).sum()) for d in ends]
        per_branch = j[j["low_satisfaction"]].groupby("branch_id").size()
        limit = int(self.r("evaluation.strikes_limit"))
        kpis["branches_ineligible"] = int((per_branch >= limit).sum())
        kpis["branches_at_risk"] = int((per_branch == limit - 1).sum())
        # the alerts
        named = self.named(j[(j["violation_count"] > 0) | j["low_satisfaction"]])
        quorum = named[named["v_quorum"]].sort_values(["month", "activity_date", "branch", "activity_id"])
        low, strikes = self.strikes(named)
        grid = self.t["branches"].merge(pd.DataFrame({"activity_month": months}), how="cross")
        missed = grid.merge(held, on=["branch_id", "activity_month"], how="left", indicator=True)
        missed = missed[missed["_merge"] == "left_only"]
        late = named[named["v_report_late"] | named["v_no_record"]].groupby("month").size()
        return {"kpis": kpis, "quorum": quorum, "low": low, "strikes": strikes, "missed": missed, "late": late}

    def participation(self, year: int, today: dt.date) -> dict[str, Any]:
        """Every activity row with its figures, and the figures per zone and quarter."""
        j, _ = self.figures(year)
        months = counted_months(year, today)
        rows = self.named(j)[["activity_id", "branch", "zone", "month", "activity_date", "topic", "expected", "present",
                              "excused", "unexcused", "participation", "quorum_met"]]
        return {"rows": rows.sort_values(["month", "branch", "activity_date", "activity_id"]),
                "zones": self.zone_quarters(j, self.held_months(j, months), year, months)}

    def quorum(self, year: int) -> dict[str, Any]:
        """The rows that failed the quorum, with the members needed and the shortfall, and the counts."""
        j, _ = self.figures(year)
        failed = self.named(j[j["v_quorum"]])
        threshold = float(self.r("attendance.quorum_threshold"))
        exact = failed["expected"] * threshold
        needed = np.ceil(exact - 1e-9) if self.r("attendance.quorum_inclusive") else np.floor(exact + 1e-9) + 1
        failed = failed.assign(needed=needed.astype("int64"))
        failed["shortfall"] = (failed["needed"] - failed["present"]).clip(lower=0)
        return {"failures": failed.sort_values(["participation", "month", "branch", "activity_id"]),
                "counts": self.counts(j)}

    def satisfaction(self, year: int) -> dict[str, Any]:
        """Rated and struck counts, the three-strikes table, the low-satisfaction list, the distribution of
        the rates and the item votes pooled per zone."""
        j, _ = self.figures(year)
        counts = self.counts(j)
        low, table = self.strikes(self.named(j[j["low_satisfaction"]]))
        histogram = np.histogram(j["satisfaction"].dropna(), bins=20, range=(0, 1))
        # a joint activity counts once for each zone taking part
        units = j[["activity_id", "branch_id"]].merge(self.t["branches"][["branch_id", "zone_id"]], on="branch_id")
        units = units[["activity_id", "zone_id"]].drop_duplicates()
        items = self.items(units["activity_id"].unique())
        pooled = units.merge(items, on="activity_id").groupby(["zone_id", "item"], observed=True)[
            ["satisfied", "basic", "unsatisfied"]].sum().reset_index()
        pooled["votes"] = pooled["satisfied"] + pooled["basic"] + pooled["unsatisfied"]
        pooled["satisfaction"] = self.satisfied_of(pooled) / pooled["votes"].where(pooled["votes"] > 0)
        pooled = pooled.merge(self.t["zones"][["zone_id", "zone"]], on="zone_id", how="left")
        return {"rated": int(counts["rated"].sum()), "low_count": int(counts["low_satisfaction"].sum()),
                "strikes": table, "low": low.sort_values(["satisfaction", "month", "branch", "activity_id"]),
                "distribution": histogram, "items": pooled}

    def compliance(self, year: int, today: dt.date) -> dict[str, Any]:
        """Branch-months due, held, compliant and missed; rows per rule broken; the activities that broke a
        rule; compliance per zone and quarter."""
        j, _ = self.figures(year)
        months = counted_months(year, today)
        held = self.held_months(j, months)
        due = len(self.t["branches"]) * len(months)
        kpis = {"due": due, "held": len(held), "compliant": int(held["compliant"].sum()), "missed": due - len(held)}
        per_rule = self.counts(j)[list(VIOLATIONS)].sum()
        broken = self.named(j[j["violation_count"] > 0]).sort_values(["month", "branch", "activity_id"])
        return {"kpis": kpis, "per_rule": per_rule[per_rule > 0], "broken": broken,
                "zones": self.zone_quarters(j, held, year, months)}

    def rankings(self, year: int, today: dt.date) -> dict[str, Any]:
        """The ranking of the year with the previous year's rank, and the figures per zone and quarter."""
        j, _ = self.figures(year)
        months = counted_months(year, today)
        now = self.ranking_of(j, months, None)
        prev_j, _ = self.figures(year - 1)
        before = self.ranking_of(prev_j, counted_months(year - 1, today), None)
        before = before.loc[before["activities"] > 0, ["branch_id", "score", "rank", "zone_rank"]].rename(
            columns={"score": "prev_score", "rank": "prev_rank", "zone_rank": "prev_zone_rank"})
        out = now.merge(before, on="branch_id", how="left")
        out["rank_change"] = out["prev_rank"] - out["rank"]
        out = out.sort_values(["too_little_data", "rank", "zone_id", "branch"])
        return {"ranking": out, "zones": self.zone_quarters(j, self.held_months(j, months), year, months)}

    def members(self, branch_id: int, year: int) -> dict[str, Any]:
        """Each member's record in the branch's year (expected, present, excused, unexcused, made up, exempt,
        runs of unexcused absences, warnings, on the roster at year end, the guided branches of leading
        cadres) and each member's status per activity month."""
        j, status = self.figures(year, branch_id=branch_id)
        j = j[j["branch_id"] == branch_id]
        own = status[status["branch_id"] == branch_id].merge(j[["activity_id", "month"]], on="activity_id")
        own = own.sort_values(["member_id", "ref_date", "activity_id"])
        counts = pd.DataFrame({"member_id": own["member_id"],
                               "expected": own["status"].isin(["present", "excused", "unexcused"]),
                               **{s: own["status"] == s for s in ("present", "excused", "unexcused", "exempt")},
                               "made_up": own["made_up"]}).groupby("member_id").sum()
        # runs of unexcused absences in a row, over the activities with a known status, in date order
        known = own[own["status"].isin(["present", "excused", "unexcused"])].copy()
        unexcused = known["status"] == "unexcused"
        known["run"] = (~unexcused).groupby(known["member_id"]).cumsum()
        runs = known[unexcused].groupby(["member_id", "run"]).size().rename("length").reset_index()
        last_run = known.groupby("member_id")["run"].last()
        last_unexcused = known.groupby("member_id")["status"].last() == "unexcused"
        runs["is_last"] = runs["run"].to_numpy() == last_run.reindex(runs["member_id"]).to_numpy()
        counts["max_unexcused_run"] = runs.groupby("member_id")["length"].max()
        counts["last_unexcused_run"] = runs[runs["is_last"]].set_index("member_id")["length"].where(last_unexcused)
        counts[["max_unexcused_run", "last_unexcused_run"]] = counts[["max_unexcused_run", "last_unexcused_run"]].fillna(0)
        counts["participation"] = counts["present"] / counts["expected"].where(counts["expected"] > 0)
        counts["warning_in_a_row"] = counts["max_unexcused_run"] >= int(self.r("warnings.unexcused_in_a_row"))
        counts["warning_per_year"] = counts["unexcused"] >= int(self.r("warnings.unexcused_per_year"))
        counts["warning"] = counts["warning_in_a_row"] | counts["warning_per_year"]
        ms = self.t["memberships"]
        year_end = pd.Timestamp(year, 12, 31)
        on_roster = ms[(ms["branch_id"] == branch_id) & (ms["start_date"] <= year_end)
                       & (ms["end_date"].isna() | (ms["end_date"] >= year_end))]["member_id"]
        counts["on_roster_at_year_end"] = counts.index.isin(on_roster)
        # leading cadres: their attendance at the branches they guide
        guidance = self.t["cadre_guidance"]
        guidance = guidance[guidance["member_id"].isin(counts.index)]
        guided = self.pairs(self.activities_of(year))[["activity_id", "branch_id"]].merge(guidance, on="branch_id")
        att = self.t["attendance"]
        came = att[att["member_id"].isin(guidance["member_id"]) & (att["status"] == "present")][
            ["activity_id", "member_id"]].drop_duplicates().assign(came=True)
        guided = guided.merge(came, on=["activity_id", "member_id"], how="left")
        counts = counts.join(guided.groupby("member_id").agg(
            guided_branches=("branch_id", "nunique"), guided_activities=("activity_id", "nunique")))
        counts["guided_present"] = guided[guided["came"].notna()].groupby("member_id")["activity_id"].nunique()
        guided_cols = ["guided_branches", "guided_activities", "guided_present"]
        counts[guided_cols] = counts[guided_cols].fillna(0).astype("int64")
        figures = (counts.reset_index().merge(self.t["members"], on="member_id", how="left")
                   .sort_values(["warning", "unexcused", "name", "member_id"], ascending=[False, False, True, True]))
        calendar = own.merge(self.t["members"][["member_id", "name"]], on="member_id").pivot_table(
            index=["member_id", "name"], columns="month", values="status", aggfunc="first")
        return {"members": figures, "events": self.named(j), "calendar": calendar}

    def activity(self, activity_id: int) -> dict[str, Any]:
        """One activity: its figures per taking-part branch, its votes per item, everyone recorded."""
        year = int(self.t["activities"].loc[self.t["activities"]["activity_id"] == activity_id,
                                            "activity_month"].dt.year.iloc[0])
        acts = self.activities_of(year, activity_id)
        pairs = self.pairs(acts)
        status = self.member_status(pairs)
        items = self.items(pairs["activity_id"].unique())
        rows = self.named(self.judged(pairs, status, items))
        items = items.assign(votes=items["satisfied"] + items["basic"] + items["unsatisfied"])
        items["satisfaction"] = self.satisfied_of(items) / items["votes"].where(items["votes"] > 0)
        people = status.assign(kind=np.where(status["branch_id"].isna(), "other_member", "member"),
                               counted=status["branch_id"].notna() & status["status"].notna()
                               & (status["status"] != "exempt"))
        people = people.merge(self.t["members"][["member_id", "name", "is_leading_cadre"]], on="member_id")
        people["branch"] = people["unit"].map(self.t["branches"].set_index("branch_id")["name"])
        guests = self.t["guests"]
        guests = guests[guests["activity_id"] == activity_id].assign(kind="guest", status="present", counted=False)
        # no remarks: the remark column of every attendance row is not held in memory (see the module doc)
        everyone = pd.concat([people[["kind", "branch", "member_id", "name", "is_leading_cadre", "status", "counted",
                                      "made_up"]], guests[["kind", "name", "status", "counted"]]], ignore_index=True)
        return {"rows": rows, "items": items, "people": everyone.sort_values(["kind", "branch", "status", "name"]),
                "per_kind": everyone.groupby("kind").size()}

    def page(self, name: str, year: int, today: dt.date | None = None) -> Any:
        """Everything page ``name`` shows for ``year`` (the whole committee), computed from scratch."""
        today = today or clock.today()
        if name == "overview":
            return self.overview(year, today)
        if name == "participation":
            return self.participation(year, today)
        if name == "quorum":
            return self.quorum(year)
        if name == "satisfaction":
            return self.satisfaction(year)
        if name == "compliance":
            return self.compliance(year, today)
        if name == "rankings":
            return self.rankings(year, today)
        if name == "members":
            return self.members(int(self.t["branches"]["branch_id"].min()), year)
        if name == "activity":
            a = self.activities_of(year)
            return self.activity(int(a["activity_id"].max()))
        raise KeyError(name)
