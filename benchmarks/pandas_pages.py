"""The usual way, as the baseline of the page-query benchmark: the core tables held in pandas, and every
page view computing its figures from them (roster on the activity date, attendance counts, satisfaction,
compliance, the ranking), with the same rules configuration as ours."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from pipelines import db
from pipelines.config import Rules

TABLES = {
    "branches": "select branch_id, name, zone_id from branches",
    "activities": "select activity_id, host_branch_id, activity_month, activity_date, level from activities",
    "activity_branches": "select activity_id, branch_id from activity_branches",
    "memberships": "select member_id, branch_id, start_date, end_date from memberships where superseded_by is null",
    "exemptions": "select member_id, start_date, end_date from exemptions where superseded_by is null",
    "attendance": "select activity_id, member_id, branch_id, status, made_up from attendance "
                  "where superseded_by is null",
    "votes": "select activity_id, item, rating, votes from evaluation_votes where superseded_by is null",
    "records": "select activity_id, notice_date, report_date, duration_hours, is_open_day from activity_records "
               "where superseded_by is null",
}


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
                for col in ("status", "item", "rating", "level"):
                    if col in frame.columns:
                        frame[col] = frame[col].astype("category")
                for col in frame.columns:
                    if col.endswith("_date") or col == "activity_month":
                        frame[col] = pd.to_datetime(frame[col])
                frames[name] = frame
        return cls(frames, rules)

    # ------------------------------------------------------------------------------ building blocks
    def year_activities(self, year: int) -> pd.DataFrame:
        a = self.t["activities"]
        a = a[a["activity_month"].dt.year == year].copy()
        month_end = a["activity_month"] + pd.offsets.MonthEnd(0)
        a["ref_date"] = a["activity_date"].fillna(month_end)
        return a

    def activity_branch(self, year: int) -> pd.DataFrame:
        """Per activity and taking-part branch: expected (roster on the date less the exempt), present,
        excused, unexcused, participation and whether the quorum was met."""
        a = self.year_activities(year)
        ab = self.t["activity_branches"].merge(a[["activity_id", "ref_date", "host_branch_id"]], on="activity_id")
        ms = self.t["memberships"]
        roster = ab.merge(ms, on="branch_id")
        roster = roster[(roster["start_date"] <= roster["ref_date"])
                        & (roster["end_date"].isna() | (roster["ref_date"] <= roster["end_date"]))]
        ex = self.t["exemptions"]
        flagged = roster[["activity_id", "member_id", "ref_date"]].merge(ex, on="member_id")
        flagged = flagged[(flagged["start_date"] <= flagged["ref_date"])
                          & (flagged["end_date"].isna() | (flagged["ref_date"] <= flagged["end_date"]))]
        roster = roster.merge(flagged[["activity_id", "member_id"]].assign(exempt=True),
                              on=["activity_id", "member_id"], how="left")
        roster["exempt"] = roster["exempt"].fillna(False).astype(bool)
        expected = (roster[~roster["exempt"]].groupby(["activity_id", "branch_id"]).size().rename("expected"))
        att = self.t["attendance"]
        att = att[att["activity_id"].isin(a["activity_id"])]
        att = att.merge(roster[["activity_id", "member_id", "branch_id", "exempt"]],
                        on=["activity_id", "member_id", "branch_id"])
        att = att[~att["exempt"]]
        counts = att.pivot_table(index=["activity_id", "branch_id"], columns="status", values="member_id",
                                 aggfunc="count", fill_value=0, observed=False)
        out = pd.concat([expected, counts], axis=1).fillna(0).reset_index()
        for col in ("present", "excused", "unexcused"):
            if col not in out.columns:
                out[col] = 0
        out["participation"] = out["present"] / out["expected"].where(out["expected"] > 0)
        threshold = self.rules.get("attendance.quorum_threshold")
        out["quorum_ok"] = (out["participation"] >= threshold) if self.rules.get("attendance.quorum_inclusive") \
            else (out["participation"] > threshold)
        return out

    def satisfaction(self, year: int) -> pd.DataFrame:
        """Per activity: satisfaction rate on the overall item (else pooled), and whether it is a strike."""
        a = self.year_activities(year)
        v = self.t["votes"]
        v = v[v["activity_id"].isin(a["activity_id"])]
        good = v["rating"].isin(self.rules.get("evaluation.satisfied_ratings"))
        v = v.assign(good=v["votes"].where(good, 0), overall=v["item"] == "overall")
        by = v.groupby(["activity_id", "overall"], observed=True)[["good", "votes"]].sum().unstack(fill_value=0)
        has_overall = by[("votes", True)] > 0 if ("votes", True) in by.columns else pd.Series(False, index=by.index)
        good_o = by.get(("good", True), 0)
        votes_o = by.get(("votes", True), 0)
        good_p = by.get(("good", False), 0)
        votes_p = by.get(("votes", False), 0)
        use_overall = has_overall & (self.rules.get("evaluation.primary_item") == "overall")
        rate = (good_o / votes_o).where(use_overall, good_p / votes_p.where(votes_p > 0))
        out = rate.rename("satisfaction").reset_index().merge(a[["activity_id", "host_branch_id"]], on="activity_id")
        out["strike"] = out["satisfaction"] < self.rules.get("evaluation.satisfaction_threshold")
        return out

    def compliance(self, year: int) -> pd.DataFrame:
        """Per activity: notice early enough, record on time, long enough."""
        a = self.year_activities(year).merge(self.t["records"], on="activity_id", how="left")
        notice = (a["activity_date"] - a["notice_date"]).dt.days
        report = (a["report_date"] - a["activity_date"]).dt.days
        a["notice_ok"] = notice >= self.rules.get("schedule.notice_min_days")
        a["report_ok"] = report <= self.rules.get("schedule.report_max_days")
        a["duration_ok"] = a["duration_hours"] >= self.rules.get("schedule.half_day_hours")
        a["compliant"] = a["notice_ok"] & a["report_ok"] & a["duration_ok"]
        return a

    def strikes(self, year: int) -> pd.DataFrame:
        s = self.satisfaction(year)
        out = s.groupby("host_branch_id")["strike"].sum().rename("strikes").reset_index()
        out["not_eligible"] = out["strikes"] >= self.rules.get("evaluation.strikes_limit")
        return out

    # ----------------------------------------------------------------------------------------- pages
    def overview(self, year: int) -> dict[str, Any]:
        ab = self.activity_branch(year)
        st = self.strikes(year)
        return {"branches": len(self.t["branches"]), "activities": int(ab["activity_id"].nunique()),
                "participation": float(ab["participation"].mean()),
                "quorum_failures": int((~ab["quorum_ok"]).sum()),
                "at_risk": int(st["not_eligible"].sum())}

    def participation(self, year: int) -> pd.DataFrame:
        ab = self.activity_branch(year)
        return ab.groupby("branch_id")[["present", "expected"]].sum().assign(
            rate=lambda f: f["present"] / f["expected"])

    def quorum(self, year: int) -> pd.DataFrame:
        ab = self.activity_branch(year)
        return ab[~ab["quorum_ok"]].merge(self.t["branches"], on="branch_id")

    def ranking(self, year: int) -> pd.DataFrame:
        part = self.participation(year)["rate"].rename_axis("branch_id")
        sat = self.satisfaction(year).groupby("host_branch_id")["satisfaction"].mean().rename_axis("branch_id")
        comp_frame = self.compliance(year)
        comp = comp_frame.groupby("host_branch_id")["compliant"].mean().rename_axis("branch_id")
        open_days = comp_frame.groupby("host_branch_id")["is_open_day"].any().rename_axis("branch_id")
        r = self.rules
        score = 100 * (r.get("ranking.weight_participation") * part
                       + r.get("ranking.weight_satisfaction") * sat
                       + r.get("ranking.weight_compliance") * comp) + open_days.astype(float) * r.get("ranking.open_day_bonus")
        out = score.clip(upper=100).rename("score").reset_index().merge(self.t["branches"], on="branch_id", how="left")
        out["rank"] = out["score"].rank(ascending=False, method="min")
        out["zone_rank"] = out.groupby("zone_id")["score"].rank(ascending=False, method="min")
        return out

    def members(self, branch_id: int, year: int) -> pd.DataFrame:
        a = self.year_activities(year)
        att = self.t["attendance"]
        att = att[(att["branch_id"] == branch_id) & att["activity_id"].isin(a["activity_id"])]
        return att.pivot_table(index="member_id", columns="status", values="activity_id", aggfunc="count",
                               fill_value=0, observed=False)

    def activity(self, activity_id: int) -> dict[str, Any]:
        att = self.t["attendance"]
        v = self.t["votes"]
        return {"attendance": att[att["activity_id"] == activity_id]["status"].value_counts(),
                "votes": v[v["activity_id"] == activity_id].groupby(["item", "rating"], observed=True)["votes"].sum()}

    def page(self, name: str, year: int) -> Any:
        """Everything page ``name`` shows for ``year`` (the whole committee), computed from scratch."""
        if name == "overview":
            return self.overview(year)
        if name == "participation":
            return self.participation(year)
        if name == "quorum":
            return self.quorum(year)
        if name == "satisfaction":
            return self.strikes(year), self.satisfaction(year)
        if name == "compliance":
            return self.compliance(year)
        if name == "rankings":
            return self.ranking(year)
        if name == "members":
            return self.members(int(self.t["branches"]["branch_id"].min()), year)
        if name == "activity":
            a = self.year_activities(year)
            return self.activity(int(a["activity_id"].max()))
        raise KeyError(name)
