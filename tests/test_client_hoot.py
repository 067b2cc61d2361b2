"""Runs the Hoot unit tests of the softphone (static/tests/*.test.js) in Chromium."""

import logging
import re

from odoo.tests import HttpCase, tagged

# the tests of static/tests/dcx_phone.test.js; a filter matching nothing must fail
EXPECTED_MIN_TESTS = 12


def hoot_job_id(name):
    """Hoot's id of a suite/test (same hash as Odoo's own HOOT runner)."""
    value = 0
    for char in name:
        value = ((value << 5) - value + ord(char)) & 0xFFFFFFFF
    return f"{value:08x}"


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@tagged("post_install", "-at_install")
class TestClientHoot(HttpCase):
    def test_hoot_suite(self):
        collect = _Collect()
        logger = logging.getLogger(__name__)  # the browser's console logs go to a child
        logger.addHandler(collect)
        self.addCleanup(logger.removeHandler, collect)
        self.browser_js(
            "/web/tests?headless&loglevel=2&preset=desktop&timeout=15000&id=%s"
            % hoot_job_id("@dcx_crm"),
            "",
            "",
            login="admin",
            timeout=600,
            success_signal="[HOOT] Test suite succeeded",
            error_checker=lambda message: "[HOOT]" not in message,
        )
        passed = [
            int(m.group(1))
            for m in map(
                re.compile(r'"@dcx_crm/[^"]+" ended \(passed: (\d+)').search,
                collect.messages,
            )
            if m
        ]
        self.assertTrue(passed, "the @dcx_crm Hoot suites ran")
        self.assertGreaterEqual(sum(passed), EXPECTED_MIN_TESTS)
        self.assertFalse(
            [m for m in collect.messages if "failed:" in m and "[HOOT]" in m]
        )
