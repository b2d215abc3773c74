"""Pages → files: jinja2 rendering, the data files, the search index, the PDF library."""
