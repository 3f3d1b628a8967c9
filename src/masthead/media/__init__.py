"""Media backends: ``BlobStore`` implementations (``local.py``, ``s3.py``).

They implement ``masthead.core.blobs.BlobStore`` and nothing else; which one runs is the
entrypoint's choice. No asset rows, HTTP or image processing in the stores.
"""
