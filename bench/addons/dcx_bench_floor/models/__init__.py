from . import dcx_bench_floor
