"""PostgreSQL: the words of the businesses' folded search column stored as a generated
column (``search_vector``, ``portal.search.WORDS_VECTOR_SQL`` of ``search_text``) with a GIN
index, replacing the expression index of 0012, as the warnings did (consumer_warnings 0011):
business suggestions and the public results' search walked their order parsing each
business's text. The model names it in ``Business.search_vectors``. Nothing on SQLite."""

from django.db import migrations

from portal.pg_migrations import stored_words_vector


class Migration(migrations.Migration):
    dependencies = [("portal", "0013_drop_business_trigram_index")]

    operations = [
        stored_words_vector(
            "portal_business", "portal_business_search_vector", replaces="portal_business_fulltext"
        )
    ]
