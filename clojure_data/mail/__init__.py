"""Mail parsing shared by the mailing-list sources (and any other source made of e-mail).

``mbox``: split and sniff mbox files; ``mime``: one message to text (charsets, MIME, HTML);
``html_text``: HTML to plain text with fenced code; ``threads``: rebuild conversations;
``archive_html``: mail-archive.com pages; ``model``: the ``MailMessage`` they all produce.
"""

from .model import MailMessage, MailRejection

__all__ = ["MailMessage", "MailRejection"]
