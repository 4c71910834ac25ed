# ruff: noqa: E501  (the matrix is a table: one row per URL, one column per role)
"""The access matrix: every named URL of the project × every kind of user → the expected status.

`MATRIX` below is the one table. `test_every_url_is_declared` walks the URL configuration and fails, naming them,
when a URL has no row: a new page, export or endpoint must say here who may use it. Each row is a URL (pattern
name, its kwargs and query), a method, one status per role in `ROLES` order, and for a write the form or JSON data it sends:

- 200 read, 302 a redirect (anonymous: to the login page), 401 the API without a token,
- 403 visible but not allowed, 404 not in the user's scope (never revealed), 405 the wrong method,
- "·" a write this role is allowed to make: the matrix does not make it (the app's own tests do).

A write that is refused (403, 404, 405, or anonymous 302/401) must change nothing: every table of the project's
apps is counted before and after. Cross-scope rows (another province's institution, invoice, report …) are 404.

The world is the web tests' (jicai/web/tests/conftest.py): 山东 370000 with 威海 371000 (环翠 371002: institution
A) and 济南 370100 (B); 重庆 500000 with 涪陵 500102 (C). m1 makes p1 and supplies A; dist distributes to B and C.
`records` adds a baseline, usage, a volume change, a warning, a submitted monthly report and a shortage case for A
and for C.

To declare a new URL, add a row: `("GET", "app:name", {"kwarg": "{key}"}, "?query", "302 200 …")`, or for a write
`("POST", "app:name", {}, "", "302 · 403 …", {"field": "value"})`; `{key}` is a key of `records` (object ids).
A write's data should be valid, so that a refusal proves the role check and not the form's.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

ROLES = (
    "anonymous",
    "admin",  # system administrator
    "sd_bureau",  # 山东省医疗保障局, manager
    "wh_bureau",  # 威海市医疗保障局, clerk
    "wh_viewer",  # 威海市医疗保障局, viewer
    "wh_health",  # 威海市卫生健康委员会, viewer
    "a_clerk",  # institution A (威海), clerk
    "a_viewer",  # institution A, viewer
    "c_clerk",  # institution C (重庆 涪陵), clerk
    "m1",  # manufacturer of p1, supplier of A
    "dist",  # distributor and supplier of B and C
    "no_membership",  # signed in, no organisation
)

# Django's admin is guarded as a whole (staff only); one row below proves it, the rest are exempt by namespace.
EXEMPT_NAMESPACES = ("admin",)

# The URLs of A's and C's records, for the pages and the API.
A_PAGE = "302 200 200 200 200 200 200 200 404 200 404 404"
C_PAGE = "302 200 404 404 404 404 404 404 200 404 200 404"
A_API = "401" + A_PAGE[3:]
C_API = "401" + C_PAGE[3:]
# Records a company sees only as the manufacturer (baselines, volumes, usage, warnings): dist does not make p2.
C_API_MAKER = "401 200 404 404 404 404 404 404 200 404 404 404"
# Reports: the institution and its bureaus; companies never.
A_REPORT = "302 200 200 200 200 200 200 200 404 404 404 404"
C_REPORT = "302 200 404 404 404 404 404 404 200 404 404 404"
A_REPORT_API = "401" + A_REPORT[3:]
C_REPORT_API = "401" + C_REPORT[3:]
EVERYONE = "302 200 200 200 200 200 200 200 200 200 200 200"
EVERYONE_API = "401 200 200 200 200 200 200 200 200 200 200 200"
MEMBERS = "302 200 200 200 200 200 200 200 200 200 200 403"  # members of an organisation
PUBLIC_API = "401 200 200 200 200 200 200 200 200 200 200 404"  # public registries, for members of an organisation
REGIONS_ONLY = "302 200 200 200 200 200 403 403 403 403 403 403"  # bureaus and health commissions
ADMIN_ONLY = "302 200 403 403 403 403 403 403 403 403 403 403"
API_NOT_ALLOWED = "401 405 405 405 405 405 405 405 405 405 405 405"
PAGE_NOT_ALLOWED = "302 405 405 405 405 405 405 405 405 405 405 405"

MONTH = "2020-09"
NOW = f"{timezone.localdate():%Y-%m}"  # a month whose report is not locked yet

# fmt: off
MATRIX = [
    # method  name                          kwargs                                         query      anon admin sd   wh   whv  whh  a_c  a_v  c_c  m1   dist none
    ("GET",  "home",                        {}, "",                                                   EVERYONE),
    ("GET",  "login",                       {}, "",                                                   "200 200 200 200 200 200 200 200 200 200 200 200"),
    ("GET",  "logout",                      {}, "",                                                   "405 405 405 405 405 405 405 405 405 405 405 405"),
    ("GET",  "set_language",                {}, "",                                                   "302 302 302 302 302 302 302 302 302 302 302 302"),
    ("GET",  "admin:index",                 {}, "",                                                   "302 200 302 302 302 302 302 302 302 302 302 302"),
    ("GET",  "institution_detail",          {"code": "H-WH-A"}, "",                                   A_PAGE),
    ("GET",  "institution_detail",          {"code": "H-FL-C"}, "",                                   C_PAGE),
    ("GET",  "institution_award",           {"code": "H-WH-A", "pk": "{sd1}"}, "",                    A_PAGE),
    ("GET",  "institution_award",           {"code": "H-FL-C", "pk": "{cq2}"}, "",                    C_PAGE),
    ("GET",  "award_detail",                {"pk": "{sd1}"}, "",                                      A_PAGE),
    ("GET",  "award_detail",                {"pk": "{cq2}"}, "",                                      C_PAGE),
    ("GET",  "invoice_detail",              {"invoice_no": "INV-A"}, "",                              A_PAGE),
    ("GET",  "invoice_detail",              {"invoice_no": "INV-C"}, "",                              C_PAGE),
    ("GET",  "order_detail",                {"order_id": "ORD-A"}, "",                                A_PAGE),
    ("GET",  "order_detail",                {"order_id": "ORD-C"}, "",                                C_PAGE),
    ("GET",  "import_file",                 {}, "",                                                   "302 200 403 403 403 403 200 403 200 403 403 403"),
    ("POST", "import_file",                 {}, "",                                                   "302 ·   403 403 403 403 ·   403 ·   403 403 403"),
    ("GET",  "import_records",              {}, "",                                                   "302 200 200 200 200 200 200 200 200 403 403 403"),
    ("GET",  "import_records_export",       {"fmt": "csv"}, "",                                       "302 200 200 200 200 200 200 200 200 403 403 403"),
    ("GET",  "import_record",               {"pk": "{upload_a}"}, "",                                 "302 200 200 200 200 200 200 200 404 403 403 403"),
    ("GET",  "import_record",               {"pk": "{upload_c}"}, "",                                 "302 200 404 404 404 404 404 404 200 403 403 403"),
    ("GET",  "company_export",              {"table": "progress", "fmt": "csv"}, "",                  "302 403 403 403 403 403 403 403 403 200 200 403"),
    ("GET",  "dashboard",                   {}, "",                                                   REGIONS_ONLY),
    ("GET",  "dashboard",                   {}, "?region=500000",                                     "302 200 404 404 404 404 403 403 403 403 403 403"),
    ("GET",  "dashboard_export",            {"table": "progress", "fmt": "csv"}, "",                  REGIONS_ONLY),
    # Agreed volumes
    ("GET",  "volumes:list",                {}, "",                                                   REGIONS_ONLY),
    ("GET",  "volumes:allocate",            {}, "",                                                   REGIONS_ONLY),
    ("GET",  "volumes:allocate",            {}, "?award={sd1}&region=371000&year_no=1",               REGIONS_ONLY),
    ("GET",  "volumes:allocate",            {}, "?award={cq2}&region=500102&year_no=1",               "302 200 404 404 404 404 403 403 403 403 403 403"),
    ("POST", "volumes:allocate",            {}, "",                                                   "302 ·   ·   ·   403 403 403 403 403 403 403 403", {"award": "{sd1}", "region": "371000", "year_no": "1"}),
    ("GET",  "volumes:export",              {}, "?award={sd1}&region=371000&year_no=1&format=csv",    REGIONS_ONLY),
    ("GET",  "volumes:export",              {}, "?award={cq2}&region=500102&year_no=1&format=csv",    "302 200 404 404 404 404 403 403 403 403 403 403"),
    ("GET",  "volumes:reallocate",          {}, "",                                                   REGIONS_ONLY),
    ("POST", "volumes:reallocate",          {}, "",                                                   "302 ·   ·   ·   403 403 403 403 403 403 403 403", {"award": "{sd1}", "year_no": "1", "source": "H-WH-A", "target": "H-WH-A", "quantity": "1", "reason": "床位调整"}),
    ("GET",  "volumes:history",             {"award": "{sd1}", "institution": "H-WH-A", "year_no": 1}, "", A_PAGE),
    ("GET",  "volumes:history",             {"award": "{cq2}", "institution": "H-FL-C", "year_no": 1}, "", "302 200 404 404 404 404 404 404 200 404 404 404"),
    # Monthly reports
    ("GET",  "reports:index",               {}, "",                                                   "302 302 302 302 302 302 200 200 200 403 403 403"),
    ("GET",  "reports:open",                {}, f"?month={MONTH}",                                    "302 403 403 403 403 403 302 302 302 403 403 403"),
    ("GET",  "reports:status",              {}, "",                                                   REGIONS_ONLY),
    ("GET",  "reports:remind",              {}, "",                                                   PAGE_NOT_ALLOWED),
    ("POST", "reports:remind",              {}, "",                                                   "302 ·   ·   ·   403 403 403 403 403 403 403 403", {"region": "371000", "month": MONTH}),
    ("GET",  "reports:detail",              {"code": "H-WH-A", "month": MONTH}, "",                   A_REPORT),
    ("GET",  "reports:detail",              {"code": "H-FL-C", "month": MONTH}, "",                   C_REPORT),
    ("POST", "reports:detail",              {"code": "H-WH-A", "month": NOW}, "",                     "302 ·   403 403 403 403 ·   403 404 404 404 404", {"preparer": "李四", "phone": "1", "action": "submit"}),
    ("GET",  "reports:download",            {"code": "H-WH-A", "month": MONTH}, "?format=json",       A_REPORT),
    ("GET",  "reports:download",            {"code": "H-FL-C", "month": MONTH}, "?format=json",       C_REPORT),
    ("GET",  "reports:upload",              {"code": "H-WH-A", "month": NOW}, "",                     "302 403 403 403 403 403 200 403 404 404 404 404"),
    ("POST", "reports:upload",              {"code": "H-WH-A", "month": NOW}, "",                     "302 403 403 403 403 403 ·   403 404 404 404 404"),
    ("GET",  "reports:upload_confirm",      {"code": "H-WH-A", "month": NOW}, "",                     PAGE_NOT_ALLOWED),
    ("POST", "reports:upload_confirm",      {"code": "H-WH-A", "month": NOW}, "",                     "302 403 403 403 403 403 ·   403 404 404 404 404"),
    ("GET",  "reports:review",              {"code": "H-WH-A", "month": MONTH}, "",                   PAGE_NOT_ALLOWED),
    ("POST", "reports:review",              {"code": "H-WH-A", "month": MONTH}, "",                   "302 ·   ·   ·   403 403 403 403 404 404 404 404", {"action": "accept", "revision": "1"}),
    ("GET",  "reports:revision",            {"code": "H-WH-A", "month": MONTH, "number": 1}, "",      A_REPORT),
    ("GET",  "reports:revision",            {"code": "H-FL-C", "month": MONTH, "number": 1}, "",      C_REPORT),
    # Supply checks and shortage cases
    ("GET",  "supply:index",                {}, "",                                                   "302 302 302 302 302 302 302 302 302 302 302 403"),
    ("GET",  "supply:check",                {}, "",                                                   "302 403 403 403 403 403 200 200 200 403 403 403"),
    ("POST", "supply:check",                {}, "",                                                   "302 403 403 403 403 403 ·   403 ·   403 403 403"),
    ("GET",  "supply:week",                 {}, "",                                                   REGIONS_ONLY),
    ("GET",  "supply:week_export",          {"fmt": "csv"}, "",                                       REGIONS_ONLY),
    ("GET",  "supply:cases",                {}, "",                                                   MEMBERS),
    ("GET",  "supply:case_open",            {}, "",                                                   "302 200 200 200 403 403 200 403 200 403 403 403"),
    ("POST", "supply:case_open",            {}, "",                                                   "302 ·   ·   ·   403 403 ·   403 ·   403 403 403", {"award": "{sd1}", "region": "371000", "kind": "out", "description": "断供"}),
    ("GET",  "supply:case_detail",          {"pk": "{case_a}"}, "",                                   A_PAGE),
    ("GET",  "supply:case_detail",          {"pk": "{case_c}"}, "",                                   "302 200 404 404 404 404 404 404 200 404 404 404"),
    ("GET",  "supply:case_answer",          {"pk": "{case_a}"}, "",                                   PAGE_NOT_ALLOWED),
    ("POST", "supply:case_answer",          {"pk": "{case_a}"}, "",                                   "302 403 403 403 403 403 403 403 404 ·   404 404", {"answer": "已恢复供应", "answered_on": "2020-10-13"}),
    ("GET",  "supply:case_close",           {"pk": "{case_a}"}, "",                                   PAGE_NOT_ALLOWED),
    ("POST", "supply:case_close",           {"pk": "{case_a}"}, "",                                   "302 ·   ·   ·   403 403 403 403 404 403 404 404", {"conclusion": "已处理", "closed_on": "2020-10-20"}),
    ("GET",  "supply:case_substitute",      {"pk": "{case_a}"}, "",                                   PAGE_NOT_ALLOWED),
    ("POST", "supply:case_substitute",      {"pk": "{case_a}"}, "",                                   "302 ·   ·   ·   403 403 ·   403 404 403 404 404", {"bought_on": "2020-10-15", "description": "替代", "unit_price": "0.3000", "quantity": "100"}),
    ("GET",  "supply:costs",                {}, "",                                                   MEMBERS),
    ("GET",  "supply:costs_export",         {"fmt": "csv"}, "",                                       MEMBERS),
    ("GET",  "supply:distributors",         {}, "",                                                   "302 200 200 200 200 200 403 403 403 200 200 403"),
    ("POST", "supply:distributors",         {}, "",                                                   "302 ·   ·   ·   403 403 403 403 403 ·   403 403", {"award": "{sd1}", "region": "371000", "distributor": "91370000000000003D"}),
    ("GET",  "supply:distributor_remove",   {"pk": "{named_a}"}, "",                                  PAGE_NOT_ALLOWED),
    ("POST", "supply:distributor_remove",   {"pk": "{named_a}"}, "",                                  "302 ·   ·   ·   403 403 403 403 403 ·   404 403"),
    ("POST", "supply:distributor_remove",   {"pk": "{named_c}"}, "",                                  "302 ·   404 404 404 404 403 403 403 404 403 403"),
    # Bulletins and quarterly payment audits
    ("GET",  "reports:bulletins",           {}, "",                                                   REGIONS_ONLY),
    ("GET",  "reports:bulletin_new",        {}, "",                                                   PAGE_NOT_ALLOWED),
    ("POST", "reports:bulletin_new",        {}, "",                                                   "302 ·   ·   ·   403 403 403 403 403 403 403 403", {"region": "371000", "month": MONTH}),
    ("GET",  "reports:bulletin",            {"pk": "{bulletin_a}"}, "",                               "302 200 200 200 200 200 403 403 403 403 403 403"),
    ("GET",  "reports:bulletin",            {"pk": "{bulletin_c}"}, "",                               "302 200 404 404 404 404 403 403 403 403 403 403"),
    ("GET",  "reports:bulletin_xlsx",       {"pk": "{bulletin_a}"}, "",                               "302 200 200 200 200 200 403 403 403 403 403 403"),
    ("GET",  "reports:bulletin_xlsx",       {"pk": "{bulletin_c}"}, "",                               "302 200 404 404 404 404 403 403 403 403 403 403"),
    ("GET",  "reports:bulletin_publish",    {"pk": "{bulletin_a}"}, "",                               PAGE_NOT_ALLOWED),
    ("POST", "reports:bulletin_publish",    {"pk": "{bulletin_a}"}, "",                               "302 ·   ·   ·   403 403 403 403 403 403 403 403"),
    ("POST", "reports:bulletin_publish",    {"pk": "{bulletin_c}"}, "",                               "302 ·   404 404 404 404 403 403 403 403 403 403"),
    ("GET",  "reports:audits",              {}, "",                                                   "302 200 200 200 200 200 200 200 200 403 403 403"),
    ("GET",  "reports:audit_new",           {}, "",                                                   PAGE_NOT_ALLOWED),
    ("POST", "reports:audit_new",           {}, "",                                                   "302 ·   ·   ·   403 403 403 403 403 403 403 403", {"region": "371000", "quarter": "2020Q4"}),
    ("GET",  "reports:audit",               {"pk": "{audit_a}"}, "",                                  "302 200 200 200 200 200 200 200 404 403 403 403"),
    ("GET",  "reports:audit",               {"pk": "{audit_c}"}, "",                                  "302 200 404 404 404 404 404 404 200 403 403 403"),
    ("GET",  "reports:audit_xlsx",          {"pk": "{audit_a}"}, "",                                  "302 200 200 200 200 200 200 200 404 403 403 403"),
    ("GET",  "reports:audit_xlsx",          {"pk": "{audit_c}"}, "",                                  "302 200 404 404 404 404 404 404 200 403 403 403"),
    # Prepayment ledger and budget deductions
    ("GET",  "monitoring:ledger",           {}, "",                                                   "302 200 200 200 200 200 200 200 200 403 403 403"),
    ("GET",  "monitoring:ledger_write",     {}, "",                                                   PAGE_NOT_ALLOWED),
    ("POST", "monitoring:ledger_write",     {}, "",                                                   "302 ·   ·   ·   403 403 403 403 403 403 403 403", {"region": "371000", "year": "1", "action": "prepay"}),
    ("GET",  "monitoring:deductions",       {}, "",                                                   "302 200 200 200 200 200 200 200 200 403 403 403"),
    ("GET",  "monitoring:deductions_propose", {}, "",                                                 PAGE_NOT_ALLOWED),
    ("POST", "monitoring:deductions_propose", {}, "",                                                 "302 ·   ·   ·   403 403 403 403 403 403 403 403", {"region": "371000", "year": "1"}),
    ("GET",  "monitoring:deduction",        {"pk": "{deduction_a}"}, "",                              "302 200 200 200 200 200 200 200 404 403 403 403"),
    ("GET",  "monitoring:deduction",        {"pk": "{deduction_c}"}, "",                              "302 200 404 404 404 404 404 404 200 403 403 403"),
    ("GET",  "monitoring:deduction_confirm", {"pk": "{deduction_a}"}, "",                             PAGE_NOT_ALLOWED),
    ("POST", "monitoring:deduction_confirm", {"pk": "{deduction_a}"}, "",                             "302 ·   ·   ·   403 403 403 403 404 404 404 404"),
    ("POST", "monitoring:deduction_confirm", {"pk": "{deduction_c}"}, "",                             "302 ·   404 404 404 404 404 404 403 404 404 404"),
    # Accounts
    ("GET",  "core:audit",                  {}, "",                                                   "302 200 200 200 200 200 200 200 200 403 403 403"),
    ("GET",  "core:password_change",        {}, "",                                                   EVERYONE),
    # The API: documentation, answers and writes
    ("GET",  "api:not-found",               {"path": "nope"}, "",                                     "404 404 404 404 404 404 404 404 404 404 404 404"),
    ("GET",  "api:schema",                  {}, "",                                                   EVERYONE_API),
    ("GET",  "api:docs",                    {}, "",                                                   EVERYONE),
    ("GET",  "api:progress",                {}, "?region=371000&as_of=2020-10-31",                    "401 200 200 200 200 200 200 200 404 404 404 404"),
    ("GET",  "api:progress",                {}, "?region=500102&as_of=2020-10-31",                    "401 200 404 404 404 404 404 404 200 404 404 404"),
    ("GET",  "api:progress",                {}, "?institution=H-FL-C&as_of=2020-10-31",               C_API),
    ("GET",  "api:payment-status",          {}, "?institution=H-WH-A&as_of=2020-11-30",               A_API),
    ("GET",  "api:payment-status",          {}, "?institution=H-FL-C&as_of=2020-11-30",               C_API),
    ("GET",  "api:imports",                 {}, "",                                                   API_NOT_ALLOWED),
    ("POST", "api:imports",                 {}, "",                                                   "401 ·   403 403 403 403 ·   403 ·   403 403 403"),
    ("GET",  "api:monthly-report-form",     {"code": "H-WH-A", "month": MONTH}, "",                   A_REPORT_API),
    ("GET",  "api:monthly-report-form",     {"code": "H-FL-C", "month": MONTH}, "",                   C_REPORT_API),
    ("PATCH", "api:monthly-report-form",    {"code": "H-WH-A", "month": NOW}, "",                     "401 ·   403 403 403 403 ·   403 404 404 404 404", {"preparer": "李四", "phone": "1"}),
    ("GET",  "api:monthly-report-submit",   {"code": "H-WH-A", "month": NOW}, "",                     API_NOT_ALLOWED),
    ("POST", "api:monthly-report-submit",   {"code": "H-WH-A", "month": NOW}, "",                     "401 ·   403 403 403 403 ·   403 404 404 404 404", {"preparer": "李四", "phone": "1"}),
    ("POST", "api:invoice-list",            {}, "",                                                   API_NOT_ALLOWED),
    ("DELETE", "api:invoice-detail",        {"invoice_no": "INV-A"}, "",                              API_NOT_ALLOWED),
    ("GET",  "api:supply-check-record",     {}, "",                                                   API_NOT_ALLOWED),
    ("POST", "api:supply-check-record",     {}, "",                                                   "401 403 403 403 403 403 ·   403 404 403 403 403", {"award": "{sd1}", "week": "2020-10-12", "status": "tight", "note": "到货延迟"}),
    ("POST", "api:shortage-case-list",      {}, "",                                                   "401 ·   ·   ·   403 403 ·   403 404 404 404 404", {"award": "{sd1}", "region": "371000", "kind": "out", "description": "断供"}),
    ("GET",  "api:shortage-case-answer",    {"pk": "{case_a}"}, "",                                   API_NOT_ALLOWED),
    ("POST", "api:shortage-case-answer",    {"pk": "{case_a}"}, "",                                   "401 403 403 403 403 403 403 403 404 ·   404 404", {"answer": "已恢复供应"}),
    ("POST", "api:shortage-case-answer",    {"pk": "{case_c}"}, "",                                   "401 403 404 404 404 404 404 404 403 404 404 404", {"answer": "已恢复供应"}),
    ("GET",  "api:shortage-case-close",     {"pk": "{case_a}"}, "",                                   API_NOT_ALLOWED),
    ("POST", "api:shortage-case-close",     {"pk": "{case_a}"}, "",                                   "401 ·   ·   ·   403 403 403 403 404 403 404 404", {"conclusion": "已处理", "force_majeure": "false", "cause": "原料短缺"}),
    ("GET",  "api:shortage-case-substitutes", {"pk": "{case_a}"}, "",                                 API_NOT_ALLOWED),
    ("POST", "api:shortage-case-substitutes", {"pk": "{case_a}"}, "",                                 "401 ·   ·   ·   403 403 ·   403 404 403 404 404", {"description": "替代", "unit_price": "0.3000", "quantity": "100", "bought_on": "2020-10-15"}),
    # The API: every record kind, listed (scoped) and one record of A and of C
    ("GET",  "api:region-list",             {}, "",                                                   EVERYONE_API),
    ("GET",  "api:region-detail",           {"code": "371000"}, "",                                   "401 200 200 200 200 200 200 200 404 404 404 404"),
    ("GET",  "api:region-detail",           {"code": "500102"}, "",                                   "401 200 404 404 404 404 404 404 200 404 404 404"),
    ("GET",  "api:institution-list",        {}, "",                                                   EVERYONE_API),
    ("GET",  "api:institution-detail",      {"code": "H-WH-A"}, "",                                   A_API),
    ("GET",  "api:institution-detail",      {"code": "H-FL-C"}, "",                                   C_API),
    ("GET",  "api:company-list",            {}, "",                                                   EVERYONE_API),
    ("GET",  "api:company-detail",          {"code": "91370000000000002M"}, "",                       PUBLIC_API),
    ("GET",  "api:batch-list",              {}, "",                                                   EVERYONE_API),
    ("GET",  "api:batch-detail",            {"code": "GY-YD2019-2"}, "",                              PUBLIC_API),
    ("GET",  "api:product-list",            {}, "",                                                   EVERYONE_API),
    ("GET",  "api:product-detail",          {"code": "XP-P2"}, "",                                    PUBLIC_API),
    ("GET",  "api:award-list",              {}, "",                                                   EVERYONE_API),
    ("GET",  "api:award-detail",            {"pk": "{sd1}"}, "",                                      A_API),
    ("GET",  "api:award-detail",            {"pk": "{cq2}"}, "",                                      C_API),
    ("GET",  "api:award-distributor-list",  {}, "",                                                   EVERYONE_API),
    ("GET",  "api:award-distributor-detail", {"pk": "{named_a}"}, "",                                 A_API),
    ("GET",  "api:award-distributor-detail", {"pk": "{named_c}"}, "",                                 C_API),
    ("GET",  "api:baseline-list",           {}, "",                                                   EVERYONE_API),
    ("GET",  "api:baseline-detail",         {"pk": "{baseline_a}"}, "",                               A_API),
    ("GET",  "api:baseline-detail",         {"pk": "{baseline_c}"}, "",                               C_API_MAKER),
    ("GET",  "api:agreed-volume-list",      {}, "",                                                   EVERYONE_API),
    ("GET",  "api:agreed-volume-detail",    {"pk": "{volume_a}"}, "",                                 A_API),
    ("GET",  "api:agreed-volume-detail",    {"pk": "{volume_c}"}, "",                                 C_API_MAKER),
    ("GET",  "api:agreed-volume-change-list", {}, "",                                                 EVERYONE_API),
    ("GET",  "api:agreed-volume-change-detail", {"pk": "{change_a}"}, "",                             A_API),
    ("GET",  "api:agreed-volume-change-detail", {"pk": "{change_c}"}, "",                             C_API_MAKER),
    ("GET",  "api:order-list",              {}, "",                                                   EVERYONE_API),
    ("GET",  "api:order-detail",            {"order_id": "ORD-A"}, "",                                A_API),
    ("GET",  "api:order-detail",            {"order_id": "ORD-C"}, "",                                C_API),
    ("GET",  "api:delivery-list",           {}, "",                                                   EVERYONE_API),
    ("GET",  "api:delivery-detail",         {"delivery_id": "DLV-A"}, "",                             A_API),
    ("GET",  "api:delivery-detail",         {"delivery_id": "DLV-C"}, "",                             C_API),
    ("GET",  "api:invoice-list",            {}, "",                                                   EVERYONE_API),
    ("GET",  "api:invoice-detail",          {"invoice_no": "INV-A"}, "",                              A_API),
    ("GET",  "api:invoice-detail",          {"invoice_no": "INV-C"}, "",                              C_API),
    ("GET",  "api:invoice-line-list",       {}, "",                                                   EVERYONE_API),
    ("GET",  "api:invoice-line-detail",     {"pk": "{line_a}"}, "",                                   A_API),
    ("GET",  "api:invoice-line-detail",     {"pk": "{line_c}"}, "",                                   C_API),
    ("GET",  "api:payment-list",            {}, "",                                                   EVERYONE_API),
    ("GET",  "api:payment-detail",          {"payment_id": "PAY-A"}, "",                              A_API),
    ("GET",  "api:payment-detail",          {"payment_id": "PAY-C"}, "",                              C_API),
    ("GET",  "api:usage-list",              {}, "",                                                   EVERYONE_API),
    ("GET",  "api:usage-detail",            {"pk": "{usage_a}"}, "",                                  A_API),
    ("GET",  "api:usage-detail",            {"pk": "{usage_c}"}, "",                                  C_API_MAKER),
    ("GET",  "api:warning-list",            {}, "",                                                   EVERYONE_API),
    ("GET",  "api:warning-detail",          {"pk": "{warning_a}"}, "",                                A_API),
    ("GET",  "api:warning-detail",          {"pk": "{warning_c}"}, "",                                C_API_MAKER),
    ("GET",  "api:monthly-report-list",     {}, "",                                                   EVERYONE_API),
    ("GET",  "api:monthly-report-detail",   {"pk": "{report_a}"}, "",                                 A_REPORT_API),
    ("GET",  "api:monthly-report-detail",   {"pk": "{report_c}"}, "",                                 C_REPORT_API),
    ("GET",  "api:report-revision-list",    {}, "",                                                   EVERYONE_API),
    ("GET",  "api:report-revision-detail",  {"pk": "{revision_a}"}, "",                               A_REPORT_API),
    ("GET",  "api:report-revision-detail",  {"pk": "{revision_c}"}, "",                               C_REPORT_API),
    ("GET",  "api:supply-check-list",       {}, "",                                                   EVERYONE_API),
    ("GET",  "api:supply-check-detail",     {"pk": "{check_a}"}, "",                                  A_API),
    ("GET",  "api:supply-check-detail",     {"pk": "{check_c}"}, "",                                  C_API_MAKER),
    ("GET",  "api:shortage-case-list",      {}, "",                                                   EVERYONE_API),
    ("GET",  "api:shortage-case-detail",    {"pk": "{case_a}"}, "",                                   A_API),
    ("GET",  "api:shortage-case-detail",    {"pk": "{case_c}"}, "",                                   C_API_MAKER),
]
# fmt: on

OWN_REDIRECTS = ("admin:index", "set_language")  # they redirect anonymous users elsewhere than /login/
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
DENIED = {401, 403, 404, 405}


def url_names() -> dict[str, str]:
    """Every named URL of the project (namespaced, e.g. "reports:detail") → its route, for the messages."""
    names: dict[str, str] = {}

    def walk(resolver: URLResolver, prefix: str, namespace: str | None) -> None:
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                ns = ":".join(filter(None, [namespace, p.namespace])) or None
                walk(p, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name:
                names[f"{namespace}:{p.name}" if namespace else p.name] = prefix + str(p.pattern)

    walk(get_resolver(), "/", None)
    return names


def test_every_url_is_declared():
    declared = {name for _m, name, *_ in MATRIX}
    missing = {
        name: route
        for name, route in url_names().items()
        if name not in declared and name.split(":")[0] not in EXEMPT_NAMESPACES
    }
    assert not missing, (
        "URLs without a row in jicai/core/tests/test_access_matrix.py MATRIX (add one row per URL: who may use it):\n"
        + "\n".join(f"  {name}  ({route})" for name, route in sorted(missing.items()))
    )


def test_every_row_is_well_formed():
    for method, name, kwargs, query, statuses, *_data in MATRIX:
        assert len(statuses.split()) == len(ROLES), f"{method} {name} {kwargs}{query}: {len(ROLES)} statuses"
        if method in WRITE_METHODS:
            continue
        assert "·" not in statuses, f"{method} {name}: a read has a status for every role"


def snapshot() -> dict[str, int]:
    """Row counts of every table of the project's apps, the audit trail included."""
    return {
        m._meta.label: m._base_manager.count()
        for m in apps.get_models()
        if m.__module__.startswith("jicai.") or m._meta.app_label in ("auth", "authtoken")
    }


def _url(name: str, kwargs: dict, query: str, keys: dict) -> str:
    filled = {k: str(v).format(**keys) for k, v in kwargs.items()}
    return reverse(name, kwargs=filled) + query.format(**keys)


CASES = [
    pytest.param(*row[:5], row[5] if len(row) > 5 else {}, id=f"{row[0]} {row[1]} {row[2]}{row[3]}") for row in MATRIX
]


def _request(client, method: str, url: str, data: dict, api: bool):
    if api:
        return client.generic(method, url, json.dumps(data), content_type="application/json")
    return client.generic(method, url, urlencode(data), content_type="application/x-www-form-urlencoded")


@pytest.fixture(scope="module")
def clients(world, django_db_blocker) -> dict:
    """One client per role, signed in once for the module."""
    from django.test import Client

    result = {}
    with django_db_blocker.unblock():
        for role in ROLES:
            result[role] = Client()
            if role != "anonymous":
                result[role].force_login(world.users[role])
    return result


@pytest.mark.parametrize(("method", "name", "kwargs", "query", "statuses", "data"), CASES)
def test_access(clients, records, db, method, name, kwargs, query, statuses, data):
    if name not in url_names():
        pytest.skip(f"{name} is not in the URL configuration (yet)")
    missing = [k for k, v in records.items() if v is None and any(f"{{{k}}}" in str(x) for x in kwargs.values())]
    if missing:
        pytest.skip(f"no record for {missing}: its app has no service yet")
    url = _url(name, kwargs, query, records)
    api = url.startswith("/api/")
    data = {k: str(v).format(**records) for k, v in data.items()}
    wrong = []
    for role, expected in zip(ROLES, statuses.split(), strict=True):
        if expected == "·":
            continue
        client = clients[role]
        before = snapshot() if method in WRITE_METHODS else None
        with transaction.atomic():
            response = _request(client, method, url, data, api)
            after = snapshot() if before is not None else None
            transaction.set_rollback(True)  # even a wrong answer must not leak into the next role's request
        if before is not None and before != after:
            changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
            wrong.append(f"{role}: a refused {method} changed {changed}")
        if str(response.status_code) != expected:
            wrong.append(f"{role}: expected {expected}, got {response.status_code}")
            continue
        login_redirect = response.status_code == 302 and role == "anonymous" and name not in OWN_REDIRECTS
        if login_redirect and not response["Location"].startswith("/login/?next="):
            wrong.append(f"{role}: redirected to {response['Location']}, not to the login page")
    assert not wrong, f"{method} {url}\n  " + "\n  ".join(wrong)
