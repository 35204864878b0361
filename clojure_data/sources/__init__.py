"""Dataset builders, one module per source. Each registers itself with ``@register_source``."""
