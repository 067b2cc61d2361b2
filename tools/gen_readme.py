#!/usr/bin/env python3
"""Build README.rst from the Markdown fragments in readme/ (OCA style).

    python tools/gen_readme.py          # write README.rst (`make readme`)
    python tools/gen_readme.py --check  # exit 1 if stale or invalid (`make lint`)

Layout: title (manifest name), "Quick start" (the `## Quick start` part of
readme/INSTALL.md: `make run` and `make test`), table of contents, then the fragments
in OCA order:
DESCRIPTION, CONTEXT, INSTALL, CONFIGURE, USAGE, any other readme/*.md (alphabetically;
titled by their first `# Heading`, else by file name), ROADMAP, HISTORY, then Credits
(authors and maintainers from the manifest, CONTRIBUTORS, CREDITS).

Markdown understood: ATX headings, paragraphs, `-`/`*`/`1.` lists (nested by
indentation), fenced code blocks, pipe tables, `> ` quotes, standalone images, inline
`code`, **bold**, *italic*, [links](url) and <autolinks>. The result is validated with
docutils when it is importable (any warning is an error).
"""

import argparse
import ast
import io
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.rst"
FRAGMENTS = REPO / "readme"

BEFORE = [
    ("DESCRIPTION", "Description"),
    ("CONTEXT", "Context"),
    ("INSTALL", "Installation"),
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
]
AFTER = [("ROADMAP", "Known issues / Roadmap"), ("HISTORY", "Changelog")]
CREDIT_FRAGMENTS = ("CONTRIBUTORS", "CREDITS")
# Adornments: title (over+under "="), sections "=", then fragment headings.
SUB_ADORNMENTS = ["-", "~", "^", '"']
QUICK_START_RE = re.compile(r"^##?\s+quick\s*start\s*$", re.IGNORECASE)

QUICK_START_FALLBACK = """```shell
make run    # Odoo with dcx_crm and demo data on http://localhost:8069 (admin / admin)
make test   # lint, pure Python, node and (with ODOO_SRC set) Odoo tests
```
"""


# ----------------------------------------------------------------------------- inline
def _escape_around(text, start, end):
    """Backslash-escaped spaces so that inline markup may touch word characters."""
    pre = "\\ " if start > 0 and text[start - 1].isalnum() else ""
    post = (
        "\\ " if end < len(text) and (text[end].isalnum() or text[end] in "_") else ""
    )
    return pre, post


def inline(text):
    """Convert the inline Markdown subset of one line to reStructuredText."""
    tokens, raw = [], []  # RST of each protected piece, and its Markdown text

    def keep(rst, source=""):
        tokens.append(rst)
        raw.append(source)
        return f"\x00{len(tokens) - 1}\x00"

    def unkeep(md):  # Markdown text with its code spans back as plain text
        return re.sub(r"\x00(\d+)\x00", lambda m: raw[int(m.group(1))], md)

    def link(label, url):
        return keep(f"`{_link_text(unkeep(label)) or url} <{url}>`__")

    def emphasis(match, markup):  # RST markup does not nest: none around code/links
        inner = match.group(1)
        return inner if "\x00" in inner else keep(f"{markup}{inner}{markup}")

    text = re.sub(  # code spans: their content is literal
        r"(`+)(.+?)\1",
        lambda m: keep(f"``{m.group(2).strip()}``", m.group(2).strip()),
        text,
        flags=re.DOTALL,
    )
    # images inside text become links to the image
    text = re.sub(r"!\[([^\]]*)\]\(([^)\s]+)\)", lambda m: link(*m.groups()), text)
    text = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", lambda m: link(*m.groups()), text)
    text = re.sub(r"<(https?://[^>\s]+)>", lambda m: keep(m.group(1)), text)
    for pattern, markup in (
        (r"\*\*(\S(?:.*?\S)?)\*\*", "**"),
        (r"__(\S(?:.*?\S)?)__", "**"),
        (r"(?<![\w*])\*(\S(?:.*?\S)?)\*(?![\w*])", "*"),
        (r"(?<![\w_])_(\S(?:.*?\S)?)_(?![\w_])", "*"),
    ):
        text = re.sub(pattern, lambda m, k=markup: emphasis(m, k), text, flags=re.S)
    # what is left is plain text: escape what reStructuredText would read as markup
    text = re.sub(r"([*`|\\])", r"\\\1", text)
    text = re.sub(r"(\w)_(?=\W|$)", r"\1\\_", text, flags=re.M)  # word_: a reference

    out, pos = [], 0
    for m in re.finditer(r"\x00(\d+)\x00", text):
        out.append(text[pos : m.start()])
        pre, post = _escape_around(text, m.start(), m.end())
        if pre and out and out[-1].endswith("\\"):  # text ending in an escape char
            pre = " "
        out.append(pre + tokens[int(m.group(1))] + post)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


def _link_text(text):
    text = text.replace("`", "")
    return re.sub(r"([<>`])", r"\\\1", text)


# ----------------------------------------------------------------------------- blocks
FENCE_RE = re.compile(r"^(\s*)(```+|~~~+)\s*([\w+.-]*)")
HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
ITEM_RE = re.compile(r"^(\s*)([-*+]|\d+[.)])\s+(.*)$")
IMAGE_RE = re.compile(r"^\s*!\[([^\]]*)\]\(([^)\s]+)\)\s*$")
TABLE_SEP_RE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _cells(line):
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)]


class Converter:
    """Line-based Markdown → reStructuredText; one handler per kind of block."""

    def __init__(self, base_level, min_level):
        self.base_level = base_level  # SUB_ADORNMENTS index of the shallowest heading
        self.min_level = min_level  # "#" count of the shallowest heading
        self.out = []
        # open list items: (md marker indent, md text column, rst text column)
        self.stack = []
        self.lines = []
        self.prev_blank = True

    def emit(self, line=""):
        if line == "" and (not self.out or self.out[-1] == ""):
            return
        self.out.append(line)

    def blank(self):
        self.emit("")

    def indent_for(self, md_indent, lazy=False):
        """RST indentation of a non-item line, given the open list items."""
        while self.stack and md_indent < self.stack[-1][1] and not lazy:
            if md_indent > self.stack[-1][0]:
                break
            self.stack.pop()
        return self.stack[-1][2] if self.stack else 0

    def gather(self, i):
        """The lines continuing a paragraph from line i on (stripped), next index."""
        more = []
        while i < len(self.lines):
            line = self.lines[i]
            if (
                not line.strip()
                or FENCE_RE.match(line)
                or HEADING_RE.match(line)
                or ITEM_RE.match(line)
                or IMAGE_RE.match(line)
                or line.lstrip().startswith(("|", ">"))
            ):
                break
            more.append(line.strip())
            i += 1
        return more, i

    # Each handler gets (line index, line, indentation) and returns the next index,
    # or None when the line is not its kind of block.
    def on_blank(self, i, line, md_indent):
        if line.strip():
            return None
        self.blank()
        self.prev_blank = True
        return i + 1

    def on_fence(self, i, line, md_indent):
        fence = FENCE_RE.match(line)
        if not fence:
            return None
        ind = " " * self.indent_for(md_indent)
        marker, lang = fence.group(2), fence.group(3) or "text"
        code = []
        i += 1
        while i < len(self.lines) and not self.lines[i].strip().startswith(marker):
            text = self.lines[i]
            inside = not text[:md_indent].strip()  # indented at least like the fence
            code.append(text[md_indent:] if inside else text.lstrip())
            i += 1
        self.blank()
        self.emit(f"{ind}.. code-block:: {lang}")
        self.blank()
        for c in code:  # appended as is: blank lines inside code are kept
            self.out.append(f"{ind}    {c}".rstrip() if c.strip() else "")
        self.blank()
        self.prev_blank = True
        return i + 1  # after the closing fence

    def on_heading(self, i, line, md_indent):
        heading = HEADING_RE.match(line) if md_indent < 4 else None
        if not heading:
            return None
        self.stack.clear()
        level = len(heading.group(1)) - self.min_level + self.base_level
        adorn = SUB_ADORNMENTS[min(level, len(SUB_ADORNMENTS) - 1)]
        title = inline(heading.group(2))
        self.blank()
        self.emit(title)
        self.emit(adorn * max(len(title), 3))
        self.blank()
        self.prev_blank = True
        return i + 1

    def on_table(self, i, line, md_indent):
        lines = self.lines
        if not (
            line.lstrip().startswith("|")
            and i + 1 < len(lines)
            and TABLE_SEP_RE.match(lines[i + 1])
        ):
            return None
        ind = " " * self.indent_for(md_indent)
        rows = [_cells(line)]
        i += 2
        while i < len(lines) and lines[i].strip().startswith("|"):
            rows.append(_cells(lines[i]))
            i += 1
        width = max(len(r) for r in rows)
        self.blank()
        self.emit(f"{ind}.. list-table::")
        self.emit(f"{ind}   :header-rows: 1")
        self.blank()
        for row in rows:
            for n, cell in enumerate(row + [""] * (width - len(row))):
                lead = "* -" if n == 0 else "  -"
                self.emit(f"{ind}   {lead} {inline(cell)}".rstrip())
        self.blank()
        self.prev_blank = True
        return i

    def on_item(self, i, line, md_indent):
        item = ITEM_RE.match(line)
        if not item:
            return None
        k, marker, content = len(item.group(1)), item.group(2), item.group(3)
        while self.stack and self.stack[-1][0] >= k:
            self.stack.pop()
        parent = self.stack[-1][2] if self.stack else 0
        rst_marker = marker[:-1] + "." if marker[0].isdigit() else "-"
        rst_col = parent + len(rst_marker) + 1
        self.stack.append((k, k + len(marker) + 1, rst_col))
        more, i = self.gather(i + 1)
        text = inline("\n".join([content, *more])).split("\n")
        self.blank()
        self.emit(" " * parent + f"{rst_marker} {text[0]}")
        for rest in text[1:]:
            self.emit(" " * rst_col + rest)
        self.prev_blank = False
        return i

    def on_image(self, i, line, md_indent):
        image = IMAGE_RE.match(line)
        if not image:
            return None
        ind = " " * self.indent_for(md_indent)
        self.blank()
        self.emit(f"{ind}.. image:: {image.group(2)}")
        if image.group(1):
            self.emit(f"{ind}   :alt: {image.group(1)}")
        self.blank()
        self.prev_blank = True
        return i + 1

    def on_quote(self, i, line, md_indent):
        if not line.lstrip().startswith(">"):
            return None
        outer = " " * self.indent_for(md_indent)
        ind = outer + "    "
        if not (self.out and self.out[-1].startswith(ind)):
            # an empty comment ends the block before, so that it does not take the quote
            self.blank()
            self.emit(outer + "..")
            self.blank()
        self.emit(ind + inline(line.strip().lstrip(">").strip()))
        self.prev_blank = False
        return i + 1

    def on_paragraph(self, i, line, md_indent):
        lazy = not self.prev_blank and bool(self.stack)
        if md_indent == 0 and not lazy:
            self.stack.clear()
        ind = " " * self.indent_for(md_indent, lazy=lazy)
        if self.prev_blank:
            self.blank()
        more, i = self.gather(i + 1)
        for text in inline("\n".join([line.strip(), *more])).split("\n"):
            self.emit(ind + text)
        self.prev_blank = False
        return i

    def convert(self, text):
        self.lines = text.expandtabs(4).splitlines()
        handlers = (
            self.on_blank,
            self.on_fence,
            self.on_heading,
            self.on_table,
            self.on_item,
            self.on_image,
            self.on_quote,
            self.on_paragraph,
        )
        i = 0
        while i < len(self.lines):
            line = self.lines[i]
            md_indent = len(line) - len(line.lstrip())
            for handler in handlers:
                nxt = handler(i, line, md_indent)
                if nxt is not None:
                    i = nxt
                    break
        self.blank()
        return self.out


def heading_levels(text):
    """The "#" counts of the headings of text, outside code fences."""
    levels, fence = [], None
    for line in text.splitlines():
        m = FENCE_RE.match(line)
        if m and fence is None:
            fence = m.group(2)
        elif fence and line.strip().startswith(fence):
            fence = None
        elif fence is None and (h := HEADING_RE.match(line)):
            levels.append(len(h.group(1)))
    return levels


def md_to_rst(text, base_level=0):
    levels = heading_levels(text)
    out = Converter(base_level, min(levels) if levels else 1).convert(text)
    while out and out[0] == "":
        out.pop(0)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)


# ----------------------------------------------------------------------------- document
def section(title, body="", adorn="="):
    parts = [title, adorn * len(title), ""]
    if body.strip():
        parts += [body.rstrip(), ""]
    return "\n".join(parts) + "\n"


def read_manifest():
    path = REPO / "__manifest__.py"
    if not path.exists():
        return {"name": REPO.name}
    return ast.literal_eval(path.read_text(encoding="utf-8"))


def split_quick_start(install_md):
    """Return (quick start markdown, rest of INSTALL.md)."""
    lines = install_md.splitlines()
    for n, line in enumerate(lines):
        if QUICK_START_RE.match(line.strip()):
            level = len(line) - len(line.lstrip("#"))
            end = n + 1
            in_fence = False
            while end < len(lines):
                if FENCE_RE.match(lines[end]):
                    in_fence = not in_fence
                m = HEADING_RE.match(lines[end])
                if m and not in_fence and len(m.group(1)) <= level:
                    break
                end += 1
            quick = "\n".join(lines[n + 1 : end])
            rest = "\n".join(lines[:n] + lines[end:])
            return quick, rest
    return QUICK_START_FALLBACK, install_md


def title_of(stem, text):
    lines = text.splitlines()
    for n, line in enumerate(lines):
        if not line.strip():
            continue
        m = HEADING_RE.match(line)
        if m and len(m.group(1)) == 1:
            return m.group(2), "\n".join(lines[n + 1 :])
        break
    return stem.replace("_", " ").replace("-", " ").capitalize(), text


def build():
    manifest = read_manifest()
    frags = {
        p.stem.upper(): p.read_text(encoding="utf-8")
        for p in sorted(FRAGMENTS.glob("*.md"))
    }
    name = manifest.get("name", REPO.name)
    bar = "=" * len(name)
    doc = [
        bar,
        name,
        bar,
        "",
    ]
    quick, install_rest = split_quick_start(frags.get("INSTALL", ""))
    frags["INSTALL"] = install_rest
    doc.append(section("Quick start", md_to_rst(quick)))
    doc.append(".. contents:: Table of contents\n   :depth: 2\n")

    known = {k for k, _ in BEFORE + AFTER} | set(CREDIT_FRAGMENTS)
    extra = [k for k in frags if k not in known]
    for key, title in BEFORE:
        if frags.get(key, "").strip():
            doc.append(section(title, md_to_rst(frags[key])))
    for key in extra:
        if frags[key].strip():
            title, body = title_of(key.lower(), frags[key])
            doc.append(section(inline(title), md_to_rst(body)))
    for key, title in AFTER:
        if frags.get(key, "").strip():
            doc.append(section(title, md_to_rst(frags[key])))

    credits = [section("Credits")]
    authors = [a.strip() for a in manifest.get("author", "").split(",") if a.strip()]
    if authors:
        credits.append(section("Authors", "\n".join(f"- {a}" for a in authors), "-"))
    for key, title in (("CONTRIBUTORS", "Contributors"), ("CREDITS", "Other credits")):
        if frags.get(key, "").strip():
            credits.append(section(title, md_to_rst(frags[key], base_level=1), "-"))
    if manifest.get("maintainers"):
        body = "\n".join(f"- {m}" for m in manifest["maintainers"])
        credits.append(section("Maintainers", body, "-"))
    doc.extend(credits)
    doc.append(
        "..\n"
        "   Generated by tools/gen_readme.py from readme/*.md: edit those fragments\n"
        "   and run `make readme`; `make lint` fails when this file is stale.\n"
    )
    return "\n".join(doc).rstrip() + "\n"


def validate(rst):
    """docutils' messages (warning and above) about rst; [] without docutils."""
    try:
        from docutils.core import publish_doctree
    except ImportError:
        print(
            "note: docutils not importable, README.rst syntax not checked",
            file=sys.stderr,
        )
        return []
    stream = io.StringIO()
    publish_doctree(
        rst,
        source_path="README.rst",
        settings_overrides={
            "report_level": 2,
            "halt_level": 5,
            "warning_stream": stream,
            "syntax_highlight": "none",
            "file_insertion_enabled": False,
            "raw_enabled": False,
        },
    )
    return [line for line in stream.getvalue().splitlines() if line.strip()]


def main():
    parser = argparse.ArgumentParser(description="Build README.rst from readme/*.md")
    parser.add_argument(
        "--check", action="store_true", help="fail if README.rst is stale"
    )
    args = parser.parse_args()
    rst = build()
    problems = validate(rst)
    for line in problems:
        print(f"README.rst: {line}", file=sys.stderr)
    if args.check:
        current = README.read_text(encoding="utf-8") if README.exists() else ""
        if current != rst:
            print(
                "README.rst is stale: run `make readme` and commit it", file=sys.stderr
            )
            return 1
        print(
            "README.rst is up to date" + (" but invalid" if problems else " and valid")
        )
        return 1 if problems else 0
    README.write_text(rst, encoding="utf-8")
    print(f"wrote {README.relative_to(REPO)}" + (" (with errors)" if problems else ""))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
