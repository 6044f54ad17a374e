#!/usr/bin/env python3
# html_check.py: checks a report's HTML with a real parser (python3's html.parser), for
# tests/cli/test_report.sh.
# Usage: python3 html_check.py FILE [--text STRING]... [--chart SECTION-ID]...
# Checks: one doctype, balanced tags, no scripts or external resources, an <svg> with a
# <title> and a <desc> for every chart, an <svg> inside each --chart section, and each --text
# STRING present in the decoded text of the page (so that it was escaped, not interpreted).
# Prints "ok" and exits 0, or prints each problem and exits 1.
import sys
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
# Elements that load or run something: a self-contained report has none.
FORBIDDEN = {"script", "link", "iframe", "object", "embed", "img", "audio", "video", "source",
             "base", "frame", "frameset", "applet", "image", "use", "foreignobject"}
# Attributes that could point outside the page.
URL_ATTRS = {"src", "href", "xlink:href", "srcset", "action", "formaction", "data", "poster",
             "background", "cite", "manifest"}


class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.stack = []  # [tag, section id or None, {"title": n, "desc": n}]
        self.doctypes = 0
        self.text = []
        self.svgs = 0
        self.sections_with_svg = set()
        self.section_ids = []
        self.in_style = False
        self.meta_charset = False
        self.html_lang = None
        self.ids = []
        self.labelledby = []

    def where(self):
        line, col = self.getpos()
        return "line %d" % line

    def problem(self, msg):
        self.problems.append("%s: %s" % (self.where(), msg))

    def current_section(self):
        for tag, sid, _ in reversed(self.stack):
            if tag == "section":
                return sid
        return None

    def check_attrs(self, tag, attrs):
        for name, value in attrs:
            name = name.lower()
            value = value or ""
            if name.startswith("on"):
                self.problem("event handler attribute %s on <%s>" % (name, tag))
            if name in URL_ATTRS and not value.startswith("#"):
                self.problem("<%s %s=%r> points outside the page" % (tag, name, value))
            if name == "style" and ("url(" in value.lower() or "@import" in value.lower()):
                self.problem("<%s style> loads a resource" % tag)
            if "javascript:" in value.lower():
                self.problem("javascript: in <%s %s>" % (tag, name))

    def handle_decl(self, decl):
        if decl.lower() == "doctype html":
            self.doctypes += 1
        else:
            self.problem("unexpected declaration %r" % decl)

    def start(self, tag, attrs, closed):
        tag = tag.lower()
        if tag in FORBIDDEN:
            self.problem("<%s> element" % tag)
        self.check_attrs(tag, attrs)
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(a["id"])
        if a.get("aria-labelledby"):
            self.labelledby.extend(a["aria-labelledby"].split())
        if tag == "meta" and any(k == "charset" and (v or "").lower() == "utf-8"
                                 for k, v in attrs):
            self.meta_charset = True
        if tag == "html":
            self.html_lang = dict(attrs).get("lang")
        if tag in ("title", "desc") and self.stack and self.stack[-1][0] == "svg":
            self.stack[-1][2][tag] += 1
        if tag == "svg":
            self.svgs += 1
            sid = self.current_section()
            if sid is not None:
                self.sections_with_svg.add(sid)
        if tag == "section":
            sid = dict(attrs).get("id")
            self.section_ids.append(sid)
        if tag == "style":
            self.in_style = True
        if closed or tag in VOID:
            return
        self.stack.append([tag, dict(attrs).get("id") if tag == "section" else None,
                           {"title": 0, "desc": 0}])

    def handle_starttag(self, tag, attrs):
        self.start(tag, attrs, False)

    def handle_startendtag(self, tag, attrs):
        self.start(tag, attrs, True)

    def handle_endtag(self, tag):
        tag = tag.lower()
        if tag in VOID:
            return
        if not self.stack:
            self.problem("</%s> closes nothing" % tag)
            return
        top = self.stack.pop()
        if top[0] != tag:
            self.problem("</%s> closes <%s>" % (tag, top[0]))
            return
        if tag == "svg" and (top[2]["title"] != 1 or top[2]["desc"] != 1):
            self.problem("an <svg> has %d <title> and %d <desc> (one of each expected)"
                         % (top[2]["title"], top[2]["desc"]))
        if tag == "style":
            self.in_style = False

    def handle_data(self, data):
        if self.in_style:
            low = data.lower()
            if "url(" in low or "@import" in low:
                self.problem("the stylesheet loads a resource")
        self.text.append(data)


def main(argv):
    if len(argv) < 2:
        print("usage: html_check.py FILE [--text STRING]... [--chart SECTION-ID]...")
        return 2
    texts, charts = [], []
    i = 2
    while i < len(argv):
        if argv[i] == "--text":
            texts.append(argv[i + 1])
        elif argv[i] == "--chart":
            charts.append(argv[i + 1])
        else:
            print("unknown argument %r" % argv[i])
            return 2
        i += 2
    with open(argv[1], encoding="utf-8") as f:
        page = f.read()
    c = Checker()
    c.feed(page)
    c.close()
    if c.doctypes != 1:
        c.problems.append("%d doctypes (one expected)" % c.doctypes)
    if c.stack:
        c.problems.append("unclosed at the end: %s" % ", ".join("<%s>" % t[0] for t in c.stack))
    if not c.meta_charset:
        c.problems.append("no <meta charset=\"utf-8\">")
    if not c.html_lang:
        c.problems.append("no <html lang>")
    for sid in charts:
        if sid not in c.section_ids:
            c.problems.append("no <section id=%r>" % sid)
        elif sid not in c.sections_with_svg:
            c.problems.append("<section id=%r> holds no <svg>" % sid)
    if len(set(c.ids)) != len(c.ids):
        c.problems.append("ids repeat: %r" % sorted(i for i in set(c.ids) if c.ids.count(i) > 1))
    for ref in c.labelledby:
        if ref not in c.ids:
            c.problems.append("aria-labelledby names %r, which no element has" % ref)
    text = "".join(c.text)
    for t in texts:
        if t not in text:
            c.problems.append("the text %r is not in the page" % t)
    if c.problems:
        for p in c.problems:
            print(p)
        return 1
    print("ok %d svg" % c.svgs)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
