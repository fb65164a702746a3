"""Hot hand-written SQL runs as server-side prepared statements, planned once per connection."""

import pytest
from django.db import DataError, connection, transaction
from django.test.utils import CaptureQueriesContext

from tickets.prepared import execute_prepared, statement_text

pytestmark = pytest.mark.django_db

POSITIONAL = "SELECT %s::integer + %s::integer, 'a%%b'"
NAMED = "SELECT %(n)s::integer * 2, %(word)s::text, %(n)s::integer + 1"


def _run(sql: str, params) -> tuple:
    with connection.cursor() as cursor:
        execute_prepared(cursor, sql, params)
        return cursor.fetchone()


def _prepared_on_server() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


def test_positional_and_named_placeholders_and_literal_percent_signs():
    assert _run(POSITIONAL, [2, 3]) == (5, "a%b")
    assert _run(NAMED, {"n": 4, "word": "four"}) == (8, "four", 5)


def test_a_statement_is_prepared_once_per_connection_then_only_executed():
    with CaptureQueriesContext(connection) as queries:
        for n in range(3):
            assert _run(POSITIONAL, [n, 1]) == (n + 1, "a%b")
    # one round trip each: the first PREPAREs and EXECUTEs, the next ones only EXECUTE
    sent = [q["sql"] for q in queries.captured_queries]
    assert len(sent) == 3
    assert sum(sql.startswith("PREPARE hd_") for sql in sent) <= 1
    assert all(sql.startswith("EXECUTE hd_") for sql in sent[1:])
    assert any("$1::integer + $2::integer" in text for text in _prepared_on_server())


def test_a_rolled_back_transaction_keeps_what_it_prepared():
    # (a savepoint here, inside the test's transaction: rolled back all the same)
    with transaction.atomic():
        assert _run("SELECT %s::integer - 1", [10]) == (9,)
        transaction.set_rollback(True)
    with CaptureQueriesContext(connection) as queries:
        assert _run("SELECT %s::integer - 1", [10]) == (9,)
    assert queries.captured_queries[0]["sql"].startswith("EXECUTE hd_")


@pytest.mark.django_db(transaction=True)  # closes the connection
def test_a_new_connection_prepares_again():
    assert _run("SELECT %s::integer * 3", [3]) == (9,)
    connection.close()
    with CaptureQueriesContext(connection) as queries:
        assert _run("SELECT %s::integer * 3", [3]) == (9,)
    assert queries.captured_queries[0]["sql"].startswith("PREPARE hd_")


def test_logged_executes_still_say_which_sql_ran():
    with CaptureQueriesContext(connection) as queries:
        _run(NAMED, {"n": 1, "word": "100%"})
        _run(NAMED, {"n": 2, "word": "50%"})
    first, second = (q["sql"] for q in queries.captured_queries)
    assert second.startswith("EXECUTE hd_")
    assert statement_text(first) == statement_text(second) == NAMED
    assert statement_text("SELECT 1") == "SELECT 1"


def test_a_failed_execute_leaves_the_connection_able_to_prepare_it_again():
    sql = "SELECT 10 / %s::integer"
    with pytest.raises(DataError), transaction.atomic():
        _run(sql, [0])  # prepared, then division by zero
    assert _run(sql, [5]) == (2,)
    assert _run(sql, [2]) == (5,)


def test_wrong_parameter_counts_and_comments_are_refused():
    with connection.cursor() as cursor:
        with pytest.raises(ValueError, match="2 parameters expected"):
            execute_prepared(cursor, "SELECT %s::integer, %s::integer", [1])
        with pytest.raises(ValueError, match="no comments"):
            execute_prepared(cursor, "SELECT 1 /* why */", [])


def test_statements_sent_together_run_in_order_in_one_round_trip():
    together = ("SELECT set_config('helpdesk.probe', %(word)s, true)",
                "SELECT current_setting('helpdesk.probe') || %(suffix)s")
    with CaptureQueriesContext(connection) as queries:
        assert _run(together, {"word": "claimed", "suffix": "!"}) == ("claimed!",)
        assert _run(together, {"word": "again", "suffix": "?"}) == ("again?",)
    assert len(queries.captured_queries) == 2
    assert queries.captured_queries[1]["sql"].count("EXECUTE hd_") == 2
    with connection.cursor() as cursor, pytest.raises(ValueError, match="each take arguments"):
        execute_prepared(cursor, ("SELECT 1", "SELECT %(n)s::integer"), {"n": 1})
