"""Reading a raw RFC 5322 message: headers decoded, bodies in any charset, HTML sanitised,
attachments listed and quoted history split from the new text."""

from __future__ import annotations

import datetime
import email
import email.errors
import email.header
import email.utils
import hashlib
import html as html_lib
import re
from dataclasses import dataclass, field
from email.message import EmailMessage as MimeMessage
from email.message import Message
from email.policy import default as default_policy
from typing import Any

import nh3

HTML_TAGS = {
    "a", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "span", "strong", "table", "tbody", "td", "th",
    "thead", "tr", "u", "ul",
}  # fmt: skip
FORWARD_SUBJECT = re.compile(r"^\s*(fwd?|enc|encaminhada|tr)\s*:", re.IGNORECASE)
FORWARD_MARKER = re.compile(
    r"^\s*-{2,}\s*(forwarded message|mensagem encaminhada|original message|mensagem original)"
    r"\s*-{2,}\s*$",
    re.IGNORECASE,
)
FORWARDED = re.compile(
    r"^\s*-{2,}\s*(forwarded message|mensagem encaminhada)\s*-{2,}\s*$",
    re.IGNORECASE | re.MULTILINE,
)
REPLY_HEADER = re.compile(
    r"^\s*((on|em|le|am)\s.{4,400}(wrote|escreveu|a écrit|schrieb)\s*:)\s*$",
    re.IGNORECASE | re.DOTALL,
)
HEADER_BLOCK_FROM = re.compile(r"^\s*\*?(from|de)\s*:\*?\s+\S", re.IGNORECASE)
HEADER_BLOCK_NEXT = re.compile(
    r"^\s*\*?(sent|enviado|enviada|date|data|to|para|subject|assunto|cc)\s*:", re.IGNORECASE
)
ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
MESSAGE_ID = re.compile(r"<([^<>\s]+)>")


@dataclass
class Attachment:
    filename: str
    content_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass
class ParsedEmail:
    message_id: str
    in_reply_to: str
    references: list[str]
    subject: str
    from_name: str
    from_address: str
    to: list[tuple[str, str]]
    cc: list[tuple[str, str]]
    date: datetime.datetime | None
    text: str
    html: str
    new_text: str
    quoted_text: str
    attachments: list[Attachment] = field(default_factory=list)
    forwarded_from: str = ""

    @property
    def recipients(self) -> list[str]:
        return [address for _name, address in [*self.to, *self.cc] if address]


def decode_bytes(payload: bytes, charset: str | None) -> str:
    """Text in its declared charset, else UTF-8, else Windows-1252 (which never fails)."""
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("cp1252", errors="replace")


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a header too broken for the parser: read it raw
        value = message.get_all(name, [""])[0] if hasattr(message, "get_all") else ""
    if value is None:
        return ""
    return " ".join(_unescape(str(value)).split())


def _unescape(value: str) -> str:
    """Raw 8-bit bytes in a header (against the RFC, but common) arrive as surrogates: read
    them as UTF-8, else Windows-1252."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return decode_bytes(value.encode("utf-8", "surrogateescape"), None)
    return value


def decode_words(value: str) -> str:
    """A raw header value with its RFC 2047 encoded words decoded (any charset, with the
    same fallbacks as bodies) and its folding undone."""
    value = _unescape(value)
    if "=?" in value:
        try:
            chunks = email.header.decode_header(value)
        except (ValueError, email.errors.HeaderParseError):
            chunks = [(value, None)]
        value = "".join(
            decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk
            for chunk, charset in chunks
        )
    return " ".join(value.split())


def _raw_headers(message: Message) -> dict[str, list[str]]:
    """Header values as they came, by lower-case name: reading them through the policy's
    header objects costs more than the rest of the parse."""
    found: dict[str, list[str]] = {}
    for name, value in message.raw_items():
        found.setdefault(name.lower(), []).append(str(value))
    return found


def _address_list(values: list[str]) -> list[tuple[str, str]]:
    result = []
    for display, address in email.utils.getaddresses([_unescape(value) for value in values]):
        address = address.strip().lower()
        if "@" in address:
            result.append((decode_words(display), address))
    return result


def _addresses(message: Message, name: str) -> list[tuple[str, str]]:
    return _address_list([str(value) for value in (message.get_all(name) or [])])


def _message_ids(value: str) -> list[str]:
    found = MESSAGE_ID.findall(value)
    if not found and value.strip() and " " not in value.strip():
        found = [value.strip()]
    return [item[:250] for item in found]


def _date(value: str) -> datetime.datetime | None:
    if not value:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment


def sanitize_html(markup: str) -> str:
    """Only harmless markup: no scripts or styles, no images (nothing loads from elsewhere),
    links kept and marked nofollow."""
    return nh3.clean(
        markup,
        tags=HTML_TAGS,
        attributes={"a": {"href", "title"}, "td": {"colspan", "rowspan"}},
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    ).strip()


def html_to_text(markup: str) -> str:
    markup = re.sub(r"(?i)<br\s*/?>|</(p|div|li|tr|h\d|blockquote)>", "\n", markup)
    text = html_lib.unescape(nh3.clean(markup, tags=set()))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return decode_bytes(payload, part.get_content_charset())


def _filename(part: Message, fallback: str) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    name = re.sub(r"[\x00-\x1f/\\]", "_", " ".join(str(name).split())).strip(". ")
    return name[:200] or fallback


class _Walker:
    def __init__(self) -> None:
        self.text: list[str] = []
        self.html: list[str] = []
        self.attachments: list[Attachment] = []
        self.forwarded: list[Message] = []

    def walk(self, part: Message) -> None:
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            inner = part.get_payload(0) if part.is_multipart() else None
            if isinstance(inner, Message):
                self.forwarded.append(inner)
                name = _filename(part, (_header(inner, "Subject") or "message")[:80] + ".eml")
                self.attachments.append(Attachment(name, content_type, inner.as_bytes()))
            return
        if part.is_multipart():
            for sub in part.get_payload():
                if isinstance(sub, Message):
                    self.walk(sub)
            return
        disposition = part.get_content_disposition()
        is_body = content_type in ("text/plain", "text/html") and disposition != "attachment"
        if is_body and not (disposition == "inline" and part.get_filename()):
            (self.text if content_type == "text/plain" else self.html).append(_part_text(part))
            return
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        number = len(self.attachments) + 1
        self.attachments.append(
            Attachment(_filename(part, f"attachment-{number}"), content_type, content)
        )


def split_quoted(text: str) -> tuple[str, str]:
    """The new text and the quoted history below it ("On … wrote:", "Em … escreveu:",
    "> " lines, Outlook's original-message and "De:" blocks, forwarded messages)."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            continue
        starts = (
            FORWARD_MARKER.match(stripped)
            or _reply_header(lines, index)
            or (re.fullmatch(r"_{8,}", stripped) and _header_block(lines, index + 1))
            or _header_block(lines, index)
            or (stripped.startswith(">") and _only_quotes_after(lines, index))
        )
        if starts:
            return "\n".join(lines[:index]).strip(), "\n".join(lines[index:]).strip()
    return text.strip(), ""


def _reply_header(lines: list[str], index: int) -> bool:
    """ "On <date>, <name> wrote:" (or "Em … escreveu:"), which mail programs wrap over up to
    three lines."""
    if not re.match(r"(?i)^\s*(on|em|le|am)\s", lines[index]):
        return False
    for end in range(index + 1, min(index + 4, len(lines) + 1)):
        if REPLY_HEADER.match(" ".join(line.strip() for line in lines[index:end])):
            return True
    return False


def _header_block(lines: list[str], index: int) -> bool:
    """A "From:/De:" line followed by Sent/To/Subject lines: a quoted Outlook header."""
    if index >= len(lines) or not HEADER_BLOCK_FROM.match(lines[index]):
        return False
    following = [line for line in lines[index + 1 : index + 5] if line.strip()]
    return sum(1 for line in following if HEADER_BLOCK_NEXT.match(line)) >= 2


def _only_quotes_after(lines: list[str], index: int) -> bool:
    return all(not line.strip() or line.lstrip().startswith(">") for line in lines[index:])


def _forwarded_sender(quoted: str, forwarded: list[Message]) -> str:
    for inner in forwarded:
        found = _addresses(inner, "From")
        if found:
            return found[0][1]
    lines = quoted.splitlines()
    for index, line in enumerate(lines):
        if FORWARD_MARKER.match(line.strip()) or _header_block(lines, index):
            for candidate in lines[index : index + 6]:
                if HEADER_BLOCK_FROM.match(candidate):
                    match = ADDRESS.search(candidate)
                    if match:
                        return match.group(0).lower()
    return ""


def raw_digest(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def parse(raw: bytes) -> ParsedEmail:
    """Everything Elo keeps of one message."""
    message: Any = email.message_from_bytes(raw, _class=MimeMessage, policy=default_policy)
    walker = _Walker()
    walker.walk(message)
    html = sanitize_html("\n".join(walker.html)) if walker.html else ""
    text = "\n\n".join(part.strip() for part in walker.text if part.strip())
    if not text and walker.html:
        text = html_to_text(html)
    new_text, quoted_text = split_quoted(text)
    headers = _raw_headers(message)

    def first(name: str) -> str:
        values = headers.get(name)
        return decode_words(values[0]) if values else ""

    subject = first("subject")
    from_addresses = _address_list(headers.get("from", []))
    from_name, from_address = from_addresses[0] if from_addresses else ("", "")
    is_forward = bool(FORWARD_SUBJECT.match(subject)) or bool(walker.forwarded)
    forwarded_from = ""
    if is_forward or FORWARDED.search(quoted_text):
        forwarded_from = _forwarded_sender(quoted_text, walker.forwarded)
    in_reply_to = _message_ids(first("in-reply-to"))
    return ParsedEmail(
        message_id=(_message_ids(first("message-id")) or [""])[0],
        in_reply_to=in_reply_to[0] if in_reply_to else "",
        references=_message_ids(first("references")),
        subject=subject,
        from_name=from_name,
        from_address=from_address,
        to=_address_list(headers.get("to", [])),
        cc=_address_list(headers.get("cc", [])),
        date=_date(first("date")),
        text=text,
        html=html,
        new_text=new_text,
        quoted_text=quoted_text,
        attachments=walker.attachments,
        forwarded_from=forwarded_from,
    )
