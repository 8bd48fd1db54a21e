"""From website URLs to stored reports, and the re-check that notices a published report changing.

:func:`collect` takes URLs (a report page, a file, or an agency's 年报 column page) and for each one:
fetches it (library/collect/fetch.py: safe, polite, bounded); on a column page follows the links to
annual reports (at most ``max_reports``); on a report page without tables fetches its attachments
(PDF, Word, WPS, Excel) and parses those; stores what parses through the upload path
(:func:`library.ingest.store_item`: de-duplicated by sha256, the same agency and year gives a new
version), with the publication date the page shows (:meth:`Library.set_publication_date`); and
records every fetched document in ``collect_fetches`` (URL, final URL, time, HTTP date headers, page
date, sha256, report). One result per URL: stored, a new version, unchanged, or failed with the reason
in Chinese. One broken URL never stops the rest.

:func:`recheck` fetches every report URL collected before again: content that changed since is stored
as a new version and becomes the finding ``C1_changed_after_publication`` (evidence: the cells that
differ and a short diff of the text); a URL answering 404 or 410 (or a page that no longer holds the
report) becomes ``C2_url_gone``; a timeout is only a result.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import pandas as pd

from library import audit
from library.access import ALL, Scope
from library.collect import store
from library.collect.listing import listed_dates
from library.collect.store import RESULT_NAMES, Target
from library.errors import LibraryError
from library.ingest import UploadItem, parse_one, store_item
from library.visibility import describe_scope, report_visible
from parsing.report import ParsedReport
from parsing.vocabulary import FINDING_CHANGED_ONLINE, FINDING_URL_GONE

if TYPE_CHECKING:
    from library.collect.fetch import Fetched, Fetcher, FetchFailure
    from library.store import Library

log = logging.getLogger(__name__)

MAX_REPORTS = 40  # report links followed from one column page
MAX_ATTACHMENTS = 3  # attachments tried for one report page without tables
FETCH_WORKERS = 4  # documents fetched ahead at once (each host still gets its polite interval)
MAX_PAGE_HOPS = 3  # redirect-only pages followed in a row (meta refresh, script location, frameset)
MAX_COLUMN_PAGES = 5  # pages of one column read (the first and its "下一页" pages)
MAX_DIFF_CELLS = 60  # cells listed in a change finding's evidence
MAX_DIFF_LINES = 40  # lines of the text diff in a change finding's evidence
MAX_DIFF_CHARS = 4000
GONE_REASONS = frozenset({"not_found", "gone"})
DATE_NOTE = "网站发布页显示的日期"  # the note of a publication date the collection entered

FetchFn = Callable[[str], "Fetched"]
ParseFn = Callable[[bytes, str, "dict[str, str] | None"], ParsedReport]
ProgressFn = Callable[[int, int, str], None]

_GIVEN = ("agency", "region", "year", "agency_type")  # Target fields a source may state
RESULT_COLUMNS = ["网址", "结果", "单位", "年度", "发布日期", "原因", "报告编号", "来源栏目"]


@dataclass
class UrlResult:
    """What happened to one URL: ``result`` is stored | version | unchanged | changed | column | failed
    (Chinese names in :data:`library.collect.store.RESULT_NAMES`); ``message`` says it in Chinese."""

    url: str
    result: str
    message: str
    report_id: int | None = None
    agency: str | None = None
    region: str | None = None
    year: int | None = None
    published: str | None = None  # ISO date the page shows
    reason: str | None = None  # a failure's stable code (FetchFailure.reason, not_a_report, …)
    source_url: str | None = None  # the column page that linked it
    final_url: str | None = None
    finding: str | None = None  # the finding code a re-check raised

    @property
    def ok(self) -> bool:
        """False for a failure."""
        return self.result != "failed"

    @property
    def result_name(self) -> str:
        """The result in Chinese."""
        return RESULT_NAMES.get(self.result, self.result)

    def line(self) -> str:
        """One line for the command line: 网址  结果：说明."""
        return f"{self.url}  {self.result_name}：{self.message}"

    def to_json(self) -> dict[str, Any]:
        """The JSON object of ``python -m library collect --json``."""
        return {
            "url": self.url,
            "result": self.result,
            "result_name": self.result_name,
            "message": self.message,
            "report_id": self.report_id,
            "agency": self.agency,
            "region": self.region,
            "year": self.year,
            "published": self.published,
            "reason": self.reason,
            "source_url": self.source_url,
            "final_url": self.final_url,
            "finding": self.finding,
        }


def results_frame(results: Sequence[UrlResult]) -> pd.DataFrame:
    """The results as the page's table (:data:`RESULT_COLUMNS`)."""
    rows = [
        [
            r.url,
            r.result_name,
            r.agency or "",
            r.year,
            r.published or "",
            r.message,
            r.report_id,
            r.source_url or "",
        ]
        for r in results
    ]
    frame = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    frame["年度"] = frame["年度"].astype("Int64")
    frame["报告编号"] = frame["报告编号"].astype("Int64")
    return frame


@dataclass
class _Doc:
    """One fetched document, with what the pages say about it."""

    url: str
    fetched: Any
    data: bytes
    sha: str
    kind: str  # what kind_of says: html, pdf, docx, …
    published: date | None = None
    charset: str | None = None


@dataclass
class _Job:
    target: Target
    source_url: str | None = None
    role: str = "auto"  # auto | page (a link from a column page: never a column itself)
    link_year: int | None = None
    listed: date | None = None  # the date the column lists next to the link


@dataclass
class Collector:
    """Collects URLs into ``lib`` with ``fetch`` (and ``parse``, the upload's parse by default)."""

    lib: Library
    fetch: FetchFn
    who: str | None = None
    parse: ParseFn | None = None
    progress: ProgressFn | None = None
    max_reports: int = MAX_REPORTS
    max_attachments: int = MAX_ATTACHMENTS
    workers: int = FETCH_WORKERS
    scope: Scope | None = ALL  # the account's regions: reports outside them are not stored
    _overrides: dict[str, str] | None = field(default=None, repr=False)
    _ahead: dict[str, Future] = field(default_factory=dict, repr=False)
    _pool: ThreadPoolExecutor | None = field(default=None, repr=False)

    # ------------------------------------------------------------------ entry points

    def collect(self, targets: Sequence[Target]) -> list[UrlResult]:
        """Collect every target (column pages expand into their report links); one result per URL."""
        results = self._run([_Job(t) for t in targets], recheck=False)
        self._record_run(results, "网站采集")
        return self._within_scope(results)

    def recheck(self, urls: Sequence[str] | None = None) -> list[UrlResult]:
        """Fetch every report URL collected before (or ``urls``) again; see the module docstring."""
        urls = list(urls) if urls is not None else store.tracked_urls(self.lib)
        jobs = []
        for url in urls:
            last = store.latest_fetch(self.lib, url, with_report=True)
            target = Target(url)
            if last is not None:  # what the source stated then (confirmed fields) it states again
                meta = self._report_meta(last.report_id)
                given: dict[str, Any] = {k: meta.get(k) for k in meta.get("confirmed") or () if k in _GIVEN}
                target = replace(target, **given)
            jobs.append(_Job(target, last.source_url if last is not None else None, "page"))
        results = self._run(jobs, recheck=True)
        self._record_run(results, "网站重新检查")
        return self._within_scope(results)

    def _within_scope(self, results: list[UrlResult]) -> list[UrlResult]:
        """The results without the agency and id of a report the account may not see (a URL that
        holds a report already stored by another office)."""
        for r in results:
            if r.report_id is not None and not _visible(r.agency, r.region, self.scope):
                r.report_id, r.agency, r.region = None, "其他地区单位", None
        return results

    def _run(self, jobs: list[_Job], *, recheck: bool) -> list[UrlResult]:
        """Process the jobs one by one (parse and store in this thread), the next few fetched ahead by
        ``workers`` threads: the politeness pause of one host is spent on the others. Jobs are taken
        host by host in turn, in their own order within a host."""
        results: list[UrlResult] = []
        queue = _interleave(jobs)
        done = 0
        with ThreadPoolExecutor(max(1, self.workers), thread_name_prefix="collect") as pool:
            self._pool = pool if self.workers > 1 else None
            try:
                while queue:
                    self._prefetch(queue)
                    job = queue.pop(0)
                    found, more = self._guarded(job, recheck)
                    results.extend(found)
                    if more:
                        queue = _interleave(more + queue)
                    done += 1
                    if self.progress:
                        self.progress(done, done + len(queue), job.target.url)
            finally:
                self._pool = None
                for future in self._ahead.values():
                    future.cancel()
                self._ahead.clear()
        return results

    def _prefetch(self, queue: list[_Job]) -> None:
        """Start fetching the first jobs of ``queue`` (two per worker) that are not on their way yet."""
        if self._pool is None:
            return
        for job in queue[: 2 * self.workers]:
            url = job.target.url
            if url not in self._ahead and not store.url_problem(url):
                self._ahead[url] = self._pool.submit(self._fetch_outcome, url)

    def _fetch_outcome(self, url: str) -> Any:
        """The fetched document, or the exception the fetch raised (handed to the processing thread)."""
        try:
            return self.fetch(url)
        except Exception as exc:  # re-raised where the URL is processed
            return exc

    # ------------------------------------------------------------------ one job

    def _guarded(self, job: _Job, recheck: bool) -> tuple[list[UrlResult], list[_Job]]:
        """:meth:`_process`, with any unexpected error turned into this URL's failure."""
        try:
            return self._process(job, recheck)
        except Exception:  # one broken URL never stops the batch; the cause goes to the server log
            log.exception("collecting %s failed", job.target.url)
            result = UrlResult(job.target.url, "failed", "采集时出错，已跳过此网址", reason="error")
            result.source_url = job.source_url
            self._log(job, None, result, recheck)
            return [result], []

    def _fetch_failed(self, job: _Job, failure: FetchFailure, recheck: bool) -> UrlResult:
        """The result of a URL that could not be fetched (or followed); on a re-check a 404/410 also
        becomes the gone finding."""
        url = job.target.url
        result = UrlResult(url, "failed", failure.message, reason=failure.reason, source_url=job.source_url)
        if recheck:
            self._gone(url, failure, result)
        self._log(job, None, result, recheck, status=failure.status)
        return result

    def _process(self, job: _Job, recheck: bool) -> tuple[list[UrlResult], list[_Job]]:
        url = job.target.url
        problem = store.url_problem(url)
        if problem:
            result = UrlResult(url, "failed", problem, reason="bad_url", source_url=job.source_url)
            self._log(job, None, result, recheck)
            return [result], []
        doc, failure = self._get(url)
        if failure is not None:
            return [self._fetch_failed(job, failure, recheck)], []
        assert doc is not None
        doc, failure = self._follow(doc)
        if failure is not None:
            return [self._fetch_failed(job, failure, recheck)], []
        assert doc is not None
        if doc.published is None and job.listed is not None:
            doc.published = job.listed  # a file linked from a column: the column's date is the site's
        # The same bytes as a stored report: nothing to parse.
        known = self.lib.find_sha256(doc.sha)
        if known is not None:
            message = "与报告库中已有的报告相同，未重复保存"
            previous = store.latest_fetch(self.lib, url, with_report=True)
            if previous is not None and previous.report_id not in (None, known):
                # The page went back to content stored before (a change undone): say so, not "unchanged".
                message = f"网页现在的内容与报告库中较早保存的一份相同，上次采集时为编号 {previous.report_id}"
            result = self._unchanged(job, doc, known, message)
            self._log(job, doc, result, recheck)
            return [result], []
        if doc.kind == "other":
            shown = getattr(doc.fetched, "content_type", "") or "未知类型"
            message = f"下载的内容不是网页或可读取的文档（{shown}，{len(doc.data):,} 字节）"
            result = UrlResult(url, "failed", message, reason="not_a_document", source_url=job.source_url)
            if recheck:
                self._page_lost(job, result)
            self._log(job, doc, result, recheck)
            return [result], []
        if doc.kind != "html":
            result = self._store(job, doc, doc, self._parse(doc, job), recheck)
            return [result], []
        return self._html(job, doc, recheck)

    def _html(self, job: _Job, page: _Doc, recheck: bool) -> tuple[list[UrlResult], list[_Job]]:
        from library.collect.discover import attachment_links, rendered_by_script, report_links

        parsed = self._parse(page, job)
        if parsed.error is None and parsed.cells:
            return [self._store(job, page, page, parsed, recheck)], []
        base = _final_url(page)
        if job.role == "auto" and job.target.kind != "report":
            links = [
                link
                for link in report_links(page.data, base, page.charset)
                if link.url.rstrip("/") != base.rstrip("/") and link.url != job.target.url
            ]
            if links:
                return self._column(job, page, links, recheck)
        # A report page whose tables are in an attachment.
        tried: list[str] = []
        fallback: tuple[_Doc, ParsedReport] | None = None
        for link in attachment_links(page.data, base, page.charset)[: self.max_attachments]:
            file, failure = self._get(link.url)
            if failure is not None:
                tried.append(f"附件 {link.url}：{failure.message}")
                continue
            assert file is not None
            file.published = page.published
            sub = _Job(job.target, url_source(job, page), "page", job.link_year)
            known = self.lib.find_sha256(file.sha)
            if known is not None:
                result = self._unchanged(job, file, known, "附件与报告库中已有的报告相同，未重复保存")
                self._log(sub, file, result, recheck, kind="attachment", url=link.url)
                self._log(job, page, result, recheck)
                return [result], []
            att = self._parse(file, job)
            if att.error is None and att.cells:
                return [self._store(job, page, file, att, recheck)], []
            if att.error is None and fallback is None:
                fallback = (file, att)
            tried.append(f"附件 {link.url}：{_parse_reason(att)}")
        if fallback is not None:
            return [self._store(job, page, fallback[0], fallback[1], recheck)], []
        if parsed.error is None:
            return [self._store(job, page, page, parsed, recheck)], []
        message = "不是年度报告页面：未找到年报表格、年报链接或可解析的附件"
        if rendered_by_script(page.data, page.charset):
            message = (
                "页面内容由脚本生成（如防爬验证或动态加载的列表），采集时不运行脚本，无法读取；"
                "请改用报告网页或报告文件的网址"
            )
        if tried:
            message += "（" + "；".join(tried[:3]) + "）"
        result = UrlResult(
            job.target.url, "failed", message, reason="not_a_report", source_url=job.source_url
        )
        result.published = page.published.isoformat() if page.published else None
        if recheck:
            self._page_lost(job, result)
        self._log(job, page, result, recheck)
        return [result], []

    def _follow(self, doc: _Doc) -> tuple[_Doc | None, Any]:
        """A redirect-only page (meta refresh, ``location.href``, a frameset) replaced by the page it
        sends the browser to (read from the markup, never run), up to :data:`MAX_PAGE_HOPS` hops."""
        from library.collect.discover import redirect_url

        seen = {doc.url, _final_url(doc)}
        for _ in range(MAX_PAGE_HOPS):
            if doc.kind != "html":
                break
            target = redirect_url(doc.data, _final_url(doc), doc.charset)
            if not target or target in seen:
                break
            seen.add(target)
            nxt, failure = self._get(target)
            if failure is not None:
                return None, failure
            assert nxt is not None
            doc = nxt
        return doc, None

    def _column(
        self, job: _Job, page: _Doc, links: Sequence[Any], recheck: bool
    ) -> tuple[list[UrlResult], list[_Job]]:
        """A 年报 column page: one result for it, and a job per report link (newest years first). The
        column's next pages ("下一页") are read too, up to :data:`MAX_COLUMN_PAGES`."""
        from library.collect.discover import next_page_links, report_links

        links = list(links)
        listed = listed_dates(page.data, _final_url(page), page.charset)
        seen_pages = {_final_url(page), job.target.url}
        current = page
        for _ in range(MAX_COLUMN_PAGES - 1):
            following = [u for u in next_page_links(current.data, _final_url(current), current.charset)]
            following = [u for u in following if u not in seen_pages]
            if not following:
                break
            nxt, failure = self._get(following[0])
            seen_pages.add(following[0])
            if nxt is None or failure is not None or nxt.kind != "html":
                break
            links += report_links(nxt.data, _final_url(nxt), nxt.charset)
            listed = {**listed_dates(nxt.data, _final_url(nxt), nxt.charset), **listed}
            current = nxt
        links = list({link.url: link for link in reversed(links)}.values())[::-1]  # first title wins
        links = [link for link in links if link.url not in seen_pages]
        chosen = sorted(links, key=lambda link: -(link.year or 0))
        if job.target.year is not None:  # a source for one year follows that year's link only
            chosen = [link for link in chosen if link.year in (None, job.target.year)]
        shown = chosen[: self.max_reports]
        message = f"找到 {len(chosen)} 篇年度报告链接"
        if len(chosen) > len(shown):
            message += f"，本次采集前 {len(shown)} 篇"
        result = UrlResult(job.target.url, "column", message, source_url=job.source_url)
        self._log(job, page, result, recheck, kind="column")
        target = replace(job.target, kind="report")
        jobs = [
            _Job(
                replace(target, url=link.url, year=job.target.year),
                job.target.url,
                "page",
                link.year,
                listed.get(link.url),
            )
            for link in shown
        ]
        return [result], jobs

    # ------------------------------------------------------------------ storing

    def _store(self, job: _Job, page: _Doc, doc: _Doc, parsed: ParsedReport, recheck: bool) -> UrlResult:
        """Store the parse of ``doc`` (the page itself, or its attachment) as the report of ``job``."""
        url = job.target.url
        published = page.published.isoformat() if page.published else None
        base = UrlResult(url, "failed", "", source_url=job.source_url, final_url=_final_url(page))
        base.published = published
        if parsed.error is not None:
            base.message = _parse_reason(parsed)
            base.reason = "not_a_report"
            if recheck:
                self._page_lost(job, base)
            self._log(job, page, base, recheck)
            return base
        previous = store.latest_fetch(self.lib, url, with_report=True)
        old_id = previous.report_id if previous is not None else None
        if old_id is not None and self._same_content(old_id, parsed):
            result = self._unchanged(job, page, old_id, "页面有改动，但报告的文字和数字未变")
            self._log(job, page, result, recheck, doc_stored=doc)
            return result
        given = self._given(job, parsed)
        where = (given.get("agency") or parsed.agency, given.get("region") or parsed.region)
        if not _visible(*where, self.scope):
            # As on the upload page: a report outside the account's regions would land in another
            # office's library.
            base.message = f"未保存：报告的地区和单位不在您的账户范围内（{describe_scope(self.scope)}）"
            base.reason = "out_of_scope"
            self._log(job, page, base, recheck, doc_stored=doc)
            return base
        item = UploadItem(_filename(doc), doc.data, parsed)
        stored = store_item(self.lib, item, who=self.who, **given)
        if stored.status == "failed" or stored.report_id is None:
            base.message, base.reason = stored.message, "store_failed"
            self._log(job, page, base, recheck, doc_stored=doc)
            return base
        rid = stored.report_id
        meta = self._report_meta(rid)
        result = UrlResult(
            url,
            "stored",
            stored.message,
            rid,
            meta.get("agency"),
            meta.get("region"),
            meta.get("year"),
            published,
            source_url=job.source_url,
            final_url=_final_url(page),
        )
        if stored.status == "duplicate":
            result.result = "unchanged"
        elif self.lib.version_note(rid):
            result.result = "version"
        self._date(rid, page.published, url)
        if (
            old_id is not None
            and old_id != rid
            and stored.status != "duplicate"
            and _same_report(self._report_meta(old_id), meta)
        ):  # the same agency's report of the same year, with other content: changed after publication
            self._changed(job, old_id, rid, previous, result)
        store.resolve_findings(self.lib, url, FINDING_URL_GONE)
        self._log(job, page, result, recheck, doc_stored=doc)
        return result

    def _unchanged(self, job: _Job, doc: _Doc, report_id: int, message: str) -> UrlResult:
        meta = self._report_meta(report_id)
        published = doc.published.isoformat() if doc.published else None
        self._date(report_id, doc.published, job.target.url)
        store.resolve_findings(self.lib, job.target.url, FINDING_URL_GONE)
        return UrlResult(
            job.target.url,
            "unchanged",
            f"{message}（编号 {report_id}）",
            report_id,
            meta.get("agency"),
            meta.get("region"),
            meta.get("year"),
            published,
            source_url=job.source_url,
            final_url=_final_url(doc),
        )

    def _given(self, job: _Job, parsed: ParsedReport) -> dict[str, Any]:
        """The metadata the source states (a roster entry's agency and region, a typed year)."""
        t = job.target
        given: dict[str, Any] = {}
        if t.agency and not _agrees(parsed.agency, t):
            # A county platform's column lists every agency's reports: the source's agency is the
            # platform's, not theirs. The report's own agency (and region, type) stands.
            t = Target(t.url, year=t.year if parsed.year in (None, t.year) else None)
        if t.agency:
            given["agency"] = t.agency
        if t.region:
            given["region"] = t.region
        if t.agency_type:
            given["agency_type"] = t.agency_type
        if t.year is not None:
            given["year"] = int(t.year)
        elif parsed.year is None and job.link_year is not None:
            given["year"] = int(job.link_year)  # the link's title said the year the document does not
        return given

    def _date(self, report_id: int, published: date | None, url: str) -> None:
        """Enter the page's publication date as the report's, unless a person entered one or it is
        already the report's date."""
        if published is None:
            return
        dates = self.lib.publication_dates([report_id])
        iso = published.isoformat()
        if len(dates):
            latest = dates.iloc[-1]
            if latest["published"] == iso or not str(latest["note"] or "").startswith(DATE_NOTE):
                return  # the same date, or a reviewer's own entry: never overwritten
        elif self._report_meta(report_id).get("published") == iso:
            return
        try:
            self.lib.set_publication_date(report_id, published, who=self.who, note=f"{DATE_NOTE}（{url}）")
        except LibraryError:  # deleted meanwhile
            log.info("report %s vanished before its date was entered", report_id)

    # ------------------------------------------------------------------ watching

    def _same_content(self, report_id: int, parsed: ParsedReport) -> bool:
        """True when ``parsed`` has the stored report's text and figures (a page whose bytes changed
        only around the report: a visit counter, a new menu)."""
        stored = self.lib.get(report_id)
        if stored is None:
            return False
        cells = {k: v for k, v in zip(stored.cells["key"], stored.cells["value"], strict=True)}
        mine = {k: _num(c.value) for k, c in parsed.cells.items()}
        return _norm_text(stored.text) == _norm_text(parsed.text or "") and _same_values(cells, mine)

    def _changed(self, job: _Job, old_id: int, new_id: int, previous: Any, result: UrlResult) -> None:
        """The finding of a report whose page now holds other content, stored as ``new_id``."""
        diff = self.lib.version_diff(old_id, new_id)
        old, new = self.lib.get(old_id), self.lib.get(new_id)
        text_diff = _text_diff(old.text if old else "", new.text if new else "")
        cells = [
            {"key": k, "label": lab, "old": _num(o), "new": _num(n)}
            for k, lab, o, n in diff[["key", "label", "old", "new"]].itertuples(index=False)
        ]
        parts = [f"{len(cells)} 处数字不同"] if cells else ["数字未变"]
        parts.append("正文有改动" if text_diff else "正文未变")
        first = store.first_fetch(self.lib, job.target.url)
        evidence = {
            "summary": "，".join(parts) + f"（原编号 {old_id}，现编号 {new_id}）",
            "url": job.target.url,
            "old_report_id": old_id,
            "new_report_id": new_id,
            "first_fetched_at": first.fetched_at if first is not None else None,
            "previous_fetched_at": previous.fetched_at if previous is not None else None,
            "published": result.published or (previous.published if previous is not None else None),
            "changed_cells": cells[:MAX_DIFF_CELLS],
            "cells_total": len(cells),
            "text_diff": text_diff,
        }
        sha = self._report_meta(new_id).get("sha256") or str(new_id)
        key = f"{FINDING_CHANGED_ONLINE}:{sha[:16]}"
        store.add_finding(self.lib, new_id, FINDING_CHANGED_ONLINE, key, job.target.url, evidence)
        result.result = "changed"
        result.finding = FINDING_CHANGED_ONLINE
        result.message = f"网站上的报告已改动：{evidence['summary']}；已存为新版本"

    def _gone(self, url: str, failure: Any, result: UrlResult) -> None:
        """A report URL that answers 404/410 now: the gone finding (a timeout is not one)."""
        if failure.reason not in GONE_REASONS and failure.status not in (404, 410):
            return
        last = store.latest_fetch(self.lib, url, with_report=True)
        if last is None or not self._exists(last.report_id):
            return
        summary = failure.message
        self._raise_gone(url, last, summary, result)

    def _page_lost(self, job: _Job, result: UrlResult) -> None:
        """A report URL that still answers but no longer holds a report (a soft 404)."""
        last = store.latest_fetch(self.lib, job.target.url, with_report=True)
        if last is None or not self._exists(last.report_id):
            return
        self._raise_gone(
            job.target.url, last, f"网址仍可打开，但页面上已没有年度报告：{result.message}", result
        )

    def _raise_gone(self, url: str, last: Any, summary: str, result: UrlResult) -> None:
        evidence = {
            "summary": summary,
            "url": url,
            "report_id": last.report_id,
            "last_ok_at": last.fetched_at,
            "published": last.published,
        }
        key = f"{FINDING_URL_GONE}:{hashlib.sha256(url.encode()).hexdigest()[:16]}"
        store.add_finding(self.lib, int(last.report_id), FINDING_URL_GONE, key, url, evidence)
        meta = self._report_meta(int(last.report_id))
        result.report_id = int(last.report_id)
        result.agency, result.region, result.year = meta.get("agency"), meta.get("region"), meta.get("year")
        result.finding = FINDING_URL_GONE
        result.message = f"{result.message}（已记为审核意见“网址失效”）"

    # ------------------------------------------------------------------ helpers

    def _get(self, url: str) -> tuple[_Doc | None, Any]:
        """(document, None) or (None, the FetchFailure)."""
        from library.collect.discover import published_date
        from library.collect.fetch import FetchFailure, kind_of

        ahead = self._ahead.pop(url, None)
        try:
            if ahead is not None:
                outcome = ahead.result()
                if isinstance(outcome, BaseException):
                    raise outcome
                fetched = outcome
            else:
                fetched = self.fetch(url)
        except FetchFailure as exc:
            return None, exc
        data = bytes(fetched.data)
        kind = kind_of(fetched)
        charset = getattr(fetched, "charset", None)
        doc = _Doc(url, fetched, data, hashlib.sha256(data).hexdigest(), kind, charset=charset)
        if kind == "html":
            try:
                doc.published = published_date(data, charset)
            except Exception:  # a page we cannot date is still a page
                log.info("no date read from %s", url, exc_info=True)
        return doc, None

    def _parse(self, doc: _Doc, job: _Job) -> ParsedReport:
        if self._overrides is None:
            self._overrides = self.lib.label_overrides()
        parse = self.parse or parse_one
        return parse(doc.data, _filename(doc), self._overrides)

    def _report_meta(self, report_id: int | None) -> dict[str, Any]:
        if report_id is None:
            return {}
        from sqlalchemy import select

        from library.db import Report

        with self.lib.engine.connect() as conn:
            row = conn.execute(
                select(
                    Report.agency,
                    Report.region,
                    Report.year,
                    Report.published,
                    Report.sha256,
                    Report.agency_type,
                    Report.confirmed,
                ).where(Report.id == int(report_id))
            ).first()
        return {} if row is None else dict(row._mapping)

    def _exists(self, report_id: int | None) -> bool:
        return bool(self._report_meta(report_id))

    def _log(
        self,
        job: _Job,
        doc: _Doc | None,
        result: UrlResult,
        recheck: bool,
        *,
        status: int | None = None,
        kind: str | None = None,
        url: str | None = None,
        doc_stored: _Doc | None = None,
    ) -> None:
        """Record one fetched document (``doc``: the page; ``doc_stored``: its attachment that became
        the report, recorded first with its own row)."""
        if kind is None:
            kind = "column" if result.result == "column" else "page"
        if doc_stored is not None and doc is not None and doc_stored is not doc:
            self._record(
                doc_stored, result, recheck, url=doc_stored.url, source=job.target.url, kind="attachment"
            )
        self._record(
            doc,
            result,
            recheck,
            url=url or job.target.url,
            source=job.source_url if url is None else job.target.url,
            kind=kind,
            status=status,
        )

    def _record(
        self,
        doc: _Doc | None,
        result: UrlResult,
        recheck: bool,
        *,
        url: str,
        source: str | None,
        kind: str,
        status: int | None = None,
    ) -> None:
        fetched = doc.fetched if doc is not None else None
        store.record_fetch(
            self.lib,
            url=url,
            final_url=_final_url(doc) if doc is not None else None,
            source_url=source,
            kind=kind,
            fetched_at=getattr(fetched, "fetched_at", None) or datetime.now(UTC),
            http_status=getattr(fetched, "status", None) if fetched is not None else status,
            http_date=getattr(fetched, "http_date", None),
            last_modified=getattr(fetched, "last_modified", None),
            etag=getattr(fetched, "etag", None),
            content_type=getattr(fetched, "content_type", None),
            size=len(doc.data) if doc is not None else None,
            published=result.published,
            sha256=doc.sha if doc is not None else None,
            report_id=result.report_id if kind != "column" else None,
            result=result.result,
            reason=result.reason,
            message=result.message,
            recheck=recheck,
            who=self.who,
        )

    def _record_run(self, results: Sequence[UrlResult], what: str) -> None:
        """One audit record of the run: how many URLs, and their results."""
        if not results:
            return
        counts: dict[str, int] = {}
        for r in results:
            counts[r.result] = counts.get(r.result, 0) + 1
        shown = "、".join(f"{RESULT_NAMES.get(k, k)} {n} 个" for k, n in counts.items())
        with self.lib._write() as conn:
            audit.record(
                conn,
                audit.COLLECT_RUN,
                who=self.who,
                target_kind="collect",
                summary=f"{what} {len(results)} 个网址：{shown}",
                after={
                    "results": [
                        {
                            "url": r.url,
                            "result": RESULT_NAMES.get(r.result, r.result),
                            "report_id": r.report_id,
                        }
                        for r in results[:200]
                    ]
                },
            )


# ---------------------------------------------------------------------- module entry points


def make_fetcher(
    lib: Library,
    *,
    allow_private: bool | None = None,
    allowed_hosts: Sequence[str] | None = None,
    **policy: Any,
) -> Fetcher:
    """A fetcher with the library's policy: private addresses only when an administrator allowed them
    (or ``allow_private``), ``allowed_hosts`` always; other :class:`FetchPolicy` fields in ``policy``.
    Close it when done (it is a context manager)."""
    from library.collect.fetch import Fetcher, FetchPolicy

    private = store.allow_private(lib) if allow_private is None else allow_private
    return Fetcher(FetchPolicy(allow_private=private, allowed_hosts=frozenset(allowed_hosts or ()), **policy))


@contextmanager
def _fetching(lib: Library, fetch: FetchFn | None) -> Iterator[FetchFn]:
    """``fetch``, or a fetcher with the library's policy, closed afterwards."""
    if fetch is not None:
        yield fetch
        return
    with make_fetcher(lib) as fetcher:
        yield fetcher.fetch


def collect(
    lib: Library,
    targets: Sequence[Target | str],
    *,
    fetch: FetchFn | None = None,
    who: str | None = None,
    progress: ProgressFn | None = None,
    parse: ParseFn | None = None,
    max_reports: int = MAX_REPORTS,
    workers: int = FETCH_WORKERS,
    scope: Scope | None = ALL,
) -> list[UrlResult]:
    """Collect ``targets`` (URLs, or :class:`Target` with what is known of them) into ``lib``;
    ``fetch`` defaults to a fetcher with the library's policy (:func:`make_fetcher`)."""
    jobs = [t if isinstance(t, Target) else Target(str(t)) for t in targets]
    with _fetching(lib, fetch) as get:
        collector = Collector(
            lib,
            get,
            who=who,
            parse=parse,
            progress=progress,
            max_reports=max_reports,
            workers=workers,
            scope=scope,
        )
        return collector.collect(jobs)


def collect_sources(
    lib: Library,
    *,
    fetch: FetchFn | None = None,
    who: str | None = None,
    progress: ProgressFn | None = None,
    parse: ParseFn | None = None,
    scope: Scope | None = ALL,
) -> list[UrlResult]:
    """Collect from every stored source (the roster's column and report URLs, pasted URLs)."""
    targets = [s.target() for s in store.sources(lib)]
    return collect(lib, targets, fetch=fetch, who=who, progress=progress, parse=parse, scope=scope)


def recheck(
    lib: Library,
    urls: Sequence[str] | None = None,
    *,
    fetch: FetchFn | None = None,
    who: str | None = None,
    progress: ProgressFn | None = None,
    parse: ParseFn | None = None,
    scope: Scope | None = ALL,
) -> list[UrlResult]:
    """Fetch every report URL collected before (or ``urls``) again (see the module docstring)."""
    with _fetching(lib, fetch) as get:
        return Collector(lib, get, who=who, parse=parse, progress=progress, scope=scope).recheck(urls)


# ---------------------------------------------------------------------- pure helpers


def url_source(job: _Job, page: _Doc) -> str:
    """The page an attachment was linked from."""
    return job.target.url or page.url


def _final_url(doc: _Doc | None) -> str:
    if doc is None:
        return ""
    return str(getattr(doc.fetched, "final_url", None) or doc.url)


_EXTENSIONS = {
    "html": ".html",
    "pdf": ".pdf",
    "docx": ".docx",
    "doc": ".doc",
    "xlsx": ".xlsx",
    "xls": ".xls",
    "wps": ".wps",
}


def _filename(doc: _Doc) -> str:
    """A file name for the stored report: the URL's last path part, with the extension of its kind."""
    path = PurePosixPath(unquote(urlsplit(_final_url(doc)).path))
    name = re.sub(r"[\\/:*?\"<>|\s]+", "_", path.name) or urlsplit(_final_url(doc)).hostname or "page"
    ext = _EXTENSIONS.get(doc.kind, "")
    if ext and not name.lower().endswith(ext) and not (ext == ".html" and name.lower().endswith(".htm")):
        name = f"{PurePosixPath(name).stem or name}{ext}"
    return name[:200]


def _parse_reason(parsed: ParsedReport) -> str:
    if parsed.error is not None:
        return str(parsed.error.get("message") or "解析失败")
    return "没有找到年度报告的表格"


def _host(job: _Job) -> str:
    try:
        return (urlsplit(job.target.url).hostname or "").lower()
    except ValueError:
        return ""


def _interleave(jobs: Sequence[_Job]) -> list[_Job]:
    """The jobs host by host in turn (round robin), each host's in their own order."""
    by_host: dict[str, list[_Job]] = {}
    for job in jobs:
        by_host.setdefault(_host(job), []).append(job)
    if len(by_host) < 2:
        return list(jobs)
    out: list[_Job] = []
    lanes = [lane[::-1] for lane in by_host.values()]
    while lanes:
        for lane in lanes:
            out.append(lane.pop())
        lanes = [lane for lane in lanes if lane]
    return out


def _visible(agency: str | None, region: str | None, scope: Scope | None) -> bool:
    return (scope is not None and scope.unrestricted) or report_visible(agency, region, scope)


def _agrees(stated: str | None, target: Target) -> bool:
    """True when the agency a report states is the source's agency (or it states none): the same
    name once normalised and without its region, or one of the roster entry's aliases."""
    from library.roster_link import normalize_name, placed_name

    if not stated or not target.agency:
        return True
    if normalize_name(stated) == normalize_name(target.agency):
        return True
    return placed_name(stated, target.region)[1] == placed_name(target.agency, target.region)[1]


def _same_report(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """True when two stored reports are the same agency's (and region's) report of the same year: a
    URL that now shows another year's report (a "latest report" link) has not changed a report."""
    if not old.get("agency") or old.get("year") is None:
        return False
    return (old["agency"], old.get("region"), old["year"]) == (
        new.get("agency"),
        new.get("region"),
        new.get("year"),
    )


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def _same_values(a: dict[str, Any], b: dict[str, Any]) -> bool:
    keys = set(a) | set(b)
    return all(_num(a.get(k)) == _num(b.get(k)) for k in keys)


def _norm_text(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def _text_diff(old: str, new: str) -> str:
    """A short unified diff of two texts (by line, blank lines ignored), bounded in lines and size;
    "" when the texts are the same apart from spacing."""
    if _norm_text(old) == _norm_text(new):
        return ""
    a = [line.strip() for line in old.splitlines() if line.strip()]
    b = [line.strip() for line in new.splitlines() if line.strip()]
    lines = list(difflib.unified_diff(a, b, "原页面", "现页面", n=1, lineterm=""))
    out = [line[:300] for line in lines[:MAX_DIFF_LINES]]
    if len(lines) > MAX_DIFF_LINES:
        out.append(f"……（另有 {len(lines) - MAX_DIFF_LINES} 行差异未列出）")
    return "\n".join(out)[:MAX_DIFF_CHARS]


def when(value: Any) -> str:
    """A time for display (ISO text or datetime), '' for none."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value or "")
