"""Reading Discourse forums: API JSON shapes (``model``), post HTML to text (``html``), one post to
a message or a rejection (``posts``), and the polite JSON-API download (``crawler``).

Used by the ``clojurians-forum`` source (ClojureVerse); nothing here is specific to that site, so
another Discourse forum is a new builder with another ``base_url``.
"""

from .html import HtmlText, html_to_text, markdown_to_text
from .model import Categories, Listing, TopicData, load_json, parse_document, tag_names
from .posts import Accepted, Identity, PostResult, accepted_answer, convert_post

__all__ = [
    "Accepted",
    "Categories",
    "HtmlText",
    "Identity",
    "Listing",
    "PostResult",
    "TopicData",
    "accepted_answer",
    "convert_post",
    "html_to_text",
    "load_json",
    "markdown_to_text",
    "parse_document",
    "tag_names",
]
