"""The floor of `bench/http_load.py`: the least a FastAPI app on uvicorn can do per request, a
constant 2 KB JSON from an async route, measured in the same run as Masthead."""

from fastapi import FastAPI
from fastapi.responses import Response

BODY = ('{"id":"floor","title":"Post","body":"' + "x" * 2000 + '"}').encode()
app = FastAPI()


@app.get("/post")
async def post() -> Response:
    return Response(BODY, media_type="application/json")
