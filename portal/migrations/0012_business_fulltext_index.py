"""PostgreSQL full-text index on the words of the folded search column, for business
suggestions and business lists: the ``simple`` configuration, on
``portal.search.WORDS_VECTOR_SQL`` (the words one space apart, so "19/2023/qh15" is three
tokens), the very expression ``portal.search.matching`` queries. An expression index stays
current by itself. Nothing on other databases."""

from django.db import migrations

from portal.pg_migrations import gin_index, words_vector


class Migration(migrations.Migration):
    dependencies = [("portal", "0011_announced_days")]

    operations = [gin_index("portal_business", "portal_business_fulltext", f"({words_vector()})")]
