"""Expectations: Great Expectations suites per feed and the load gate.

- ``id_numbers``: GB 11643 ID normalization (Python and DuckDB SQL);
- ``values``: reading dates, 更新时间, visual acuity and blanks (Python and SQL);
- ``row_rules``: the contract's row rules as SQL over landing batches;
- ``profile``: per-batch rule counts and repeated keys, one DuckDB query for many batches;
- ``suites``: the Expectation Suite of each feed (also as JSON in ``suites/``);
- ``messages``: one-line steward messages;
- ``gate``: ``Gate.check`` decides loaded / quarantined / rejected with GX;
- ``testing``: landing batches built by hand for tests and benchmarks.

Importing this package does not import Great Expectations (~6 s); ``Gate`` does.
"""

from .id_numbers import normalize_id

__all__ = ["normalize_id"]
