# Test-only addon for bench/bench_webhooks.py: never install it in production.
{
    "name": "DCX bench floor (test only)",
    "summary": "A bare route that stores the raw body and answers 202: the "
    "throughput floor the webhook benchmark compares against.",
    "version": "18.0.1.0.0",
    "category": "Hidden",
    "author": "DCX",
    "license": "LGPL-3",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv"],
    "installable": True,
}
