"""PostgreSQL full-text index on the folded title, so that the library's title tier (the
matches ranked first) is found through full text, whose statistics know how common each
word is, instead of a trigram scan of every title holding a common word. The trigram index
on the title stays for typo tolerance. Nothing on SQLite."""

from django.db import migrations

from portal.pg_migrations import gin_index

# The very expression Django writes for SearchVector("title_search", config="simple").
EXPRESSION = "to_tsvector('simple'::regconfig, COALESCE(title_search, ''::text))"


class Migration(migrations.Migration):
    dependencies = [("legaldocs", "0008_issuing_body_province")]

    operations = [
        gin_index("legaldocs_document", "legaldocs_document_title_fulltext", f"({EXPRESSION})")
    ]
