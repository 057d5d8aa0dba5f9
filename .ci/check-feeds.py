"""CI: read Bantin's feed and sitemap with real parsers: feedparser (PyPI) must find a
well-formed RSS 2.0 feed holding the article CI published, and lxml the sitemaps.org 0.9
structure (absolute `loc`, W3C `lastmod`, at most 50,000 URLs), validated against the
sitemaps.org schema `sitemap.xsd` when its path is given (third argument)."""

import re
import sys
import urllib.request

import feedparser
from lxml import etree

base, title = sys.argv[1], sys.argv[2]
xsd = sys.argv[3] if len(sys.argv) > 3 else None

feed = feedparser.parse(urllib.request.urlopen(base + "/feeds/articles.xml").read())
if feed.bozo:
    sys.exit(f"the feed is not well-formed: {feed.bozo_exception}")
if feed.version != "rss20":
    sys.exit(f"the feed is {feed.version}, not RSS 2.0")
titles = [entry.title for entry in feed.entries]
if title not in titles:
    sys.exit(f"{title!r} is not in the feed: {titles}")
entry = feed.entries[titles.index(title)]
for field in ("link", "id", "published_parsed"):
    if not entry.get(field):
        sys.exit(f"the feed entry has no {field}: {entry}")
print(f"feed: RSS 2.0, {len(feed.entries)} entries, {title!r} at {entry.link}")

NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
root = etree.fromstring(urllib.request.urlopen(base + "/sitemap.xml").read())
if xsd is not None:
    schema = etree.XMLSchema(etree.parse(xsd))
    if not schema.validate(root):
        sys.exit(f"the sitemap does not validate against {xsd}: {schema.error_log}")
if root.tag != NS + "urlset":
    sys.exit(f"the sitemap's root is {root.tag}")
urls = root.findall(NS + "url")
if not urls or len(urls) > 50_000:
    sys.exit(f"{len(urls)} URLs")
for url in urls:
    children = [child.tag for child in url]
    if children != [NS + "loc", NS + "lastmod"]:
        sys.exit(f"a url holds {children}")
    loc, lastmod = url.findtext(NS + "loc"), url.findtext(NS + "lastmod")
    if not re.match(r"^https?://[^/]+/", loc) or not W3C.match(lastmod):
        sys.exit(f"bad url: {loc} {lastmod}")
valid = "valid against sitemap.xsd, " if xsd is not None else ""
print(f"sitemap: {valid}{len(urls)} URLs, each an absolute loc with a W3C lastmod")
