"""PostgreSQL full-text index on the words of the folded search column, for the staff complaint
lists: the ``simple`` configuration, on ``portal.search.WORDS_VECTOR_SQL`` (the words one
space apart, so "19/2023/qh15" is three tokens), the very expression
``portal.search.matching`` queries. An expression index stays current by itself. Nothing on
other databases."""

from django.db import migrations

from portal.pg_migrations import gin_index, words_vector


class Migration(migrations.Migration):
    dependencies = [("complaints", "0011_data_requests_about_personal_data")]

    operations = [gin_index("complaints_complaint", "complaint_fulltext", f"({words_vector()})")]
