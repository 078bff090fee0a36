"""PostgreSQL full-text index on the words of the folded search column, for the public warnings
list and the staff list: the ``simple`` configuration, on ``portal.search.WORDS_VECTOR_SQL``
(the words one space apart, so "19/2023/qh15" is three tokens), the very expression
``portal.search.matching`` queries. An expression index stays current by itself. Nothing on
other databases."""

from django.db import migrations

from portal.pg_migrations import gin_index, words_vector


class Migration(migrations.Migration):
    dependencies = [("consumer_warnings", "0008_undated_imports_have_no_date")]

    operations = [
        gin_index("consumer_warnings_consumerwarning", "cw_warning_fulltext", f"({words_vector()})")
    ]
