"""Small THREDDS InvCatalog 1.0 documents written by tests (and the benchmark's server)."""
from typing import Iterable, Tuple
from xml.sax.saxutils import quoteattr

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<catalog xmlns="http://www.unidata.ucar.edu/namespaces/thredds/InvCatalog/v1.0" '
          'xmlns:xlink="http://www.w3.org/1999/xlink" version="1.2">\n'
          '  <service name="all" serviceType="Compound" base="">\n'
          '    <service name="http" serviceType="HTTPServer" base="/thredds/fileServer/"/>\n'
          '  </service>\n')


def catalog_xml(title: str = "root", files: Iterable[Tuple[str, str]] = (),
                refs: Iterable[Tuple[str, str]] = ()) -> bytes:
    """``files``: (name, urlPath); ``refs``: (href, title)."""
    parts = [HEADER, f"  <dataset name={quoteattr(title)}>\n",
             '    <metadata inherited="true"><serviceName>all</serviceName></metadata>\n']
    for name, url_path in files:
        parts.append(f"    <dataset name={quoteattr(name)} urlPath={quoteattr(url_path)}/>\n")
    for href, ref_title in refs:
        parts.append(f"    <catalogRef xlink:href={quoteattr(href)} xlink:title={quoteattr(ref_title)} "
                     f"name=\"\"/>\n")
    parts.append("  </dataset>\n</catalog>\n")
    return "".join(parts).encode("utf-8")
