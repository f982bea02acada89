"""Reading untrusted remote documents: HTTP with deadlines, size caps and allowed origins
(:mod:`~magpie.sync.remote.http`), and XML parsing without entities or network
(:mod:`~magpie.sync.remote.safe_xml`)."""
