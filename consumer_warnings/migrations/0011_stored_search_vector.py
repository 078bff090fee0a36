"""PostgreSQL: the words of the folded search column stored as a generated column
(``search_vector``, ``portal.search.WORDS_VECTOR_SQL`` of ``search_text``) with a GIN index,
replacing the expression index of 0009. With the expression, a search page walking the
list's order (``cw_listed_newest``) parsed each warning's text until a page was found (a
rare phrase: every warning), and a phrase's index recheck parsed each candidate again; the
stored vector is read, never parsed, and has its own statistics, so the planner sees how
rare a phrase is. The model names it in ``ConsumerWarning.search_vectors`` (read by
``portal.search.matching``); PostgreSQL keeps it current by itself. Adding it rewrites the
table once. Nothing on SQLite."""

from django.db import migrations

from portal.pg_migrations import stored_words_vector


class Migration(migrations.Migration):
    dependencies = [("consumer_warnings", "0010_listed_newest_index")]

    operations = [
        stored_words_vector(
            "consumer_warnings_consumerwarning",
            "cw_warning_search_vector",
            replaces="cw_warning_fulltext",
        )
    ]
