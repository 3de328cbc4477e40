"""Rule data shipped with tipx: pattern files, gazetteers, cue lists, currency forms, and the scripts that build them."""
