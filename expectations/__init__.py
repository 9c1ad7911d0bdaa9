"""Expectations: Great Expectations suites per feed and the load gate."""
