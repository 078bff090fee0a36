# The English interface keeps Vietnamese date order so that dates read the same; only the
# number separators are English.
from portal.formats.vi.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
