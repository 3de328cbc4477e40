"""Pipeline components of tipx: pattern loading, entity merging, relations."""
