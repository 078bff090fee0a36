"""CSV downloads: streamed, UTF-8 with a BOM so that spreadsheet software reads
Vietnamese, and every cell made formula-safe (names and titles are typed by people)."""

import csv

from django.http import StreamingHttpResponse

from .text import csv_safe


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value):
        return value


def csv_response(header, rows, filename):
    """Stream ``header`` then every row of the iterable ``rows`` as a CSV attachment."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow(header)
        for row in rows:
            yield writer.writerow([csv_safe(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
