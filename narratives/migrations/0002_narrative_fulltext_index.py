"""PostgreSQL full-text index on the words of the folded search column, for the public list's
search: the very expression ``portal.search.matching`` queries (see
complaints/migrations/0012). Nothing on other databases."""

from django.db import migrations

from portal.pg_migrations import gin_index, words_vector


class Migration(migrations.Migration):
    dependencies = [("narratives", "0001_initial")]

    operations = [gin_index("narratives_narrative", "narrative_fulltext", f"({words_vector()})")]
