"""doccano: a local annotation server (``server``), push/pull of the schema's JSONL (``sync``), ``tipx doccano`` (``cli``)."""
