import json

from odoo import SUPERUSER_ID, http
from odoo.http import request


class DcxBenchFloor(http.Controller):
    @http.route(
        "/dcx_bench_floor/ingest",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def ingest(self, **_kwargs):
        raw = request.httprequest.get_data(cache=True)
        json.loads(raw)  # parse, like the real route
        env = request.env(user=SUPERUSER_ID, su=True)
        env["dcx.bench.floor"].create({"body": raw.decode()})
        return request.make_response(
            '{"status": "accepted"}',
            headers=[("Content-Type", "application/json")],
            status=202,
        )
