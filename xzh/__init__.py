"""Entry points of the platform: the ``xzh`` command, shared by the README, tests and DAGs."""
