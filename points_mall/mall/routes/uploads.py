"""Goods photos: upload (shopkeepers, admins) and serving, cached for ever under content-hashed names."""
from flask import Response, abort, request
from flask_smorest import Blueprint

from points_mall.mall.schemas.mall import PhotoIn, PhotoOut
from points_mall.mall import uploads
from points_mall.common.storage import CONTENT_TYPES, KEY, storage
from points_mall.common.security import accepts_upload, current_actor, requires

blp = Blueprint("uploads", __name__, url_prefix="/api/v1/uploads", description="图片上传")


@blp.post("/photos")
@requires("shopkeeper")
@accepts_upload
@blp.arguments(PhotoIn, location="files")
@blp.response(201, PhotoOut)
def upload_photo(files):
    data = files["file"].read(uploads.max_bytes() + 1)  # one byte past the limit is enough to refuse it
    return uploads.upload_photo(current_actor(), data)


@blp.get("/photos/<key>")
@blp.doc(responses={200: {"description": "图片", "content": {"image/*": {}}}})
def photo(key):
    """Public (goods are shown to members); the name is the content's hash, so it never changes."""
    if not KEY.match(key):
        abort(404)
    try:
        with storage().open(key) as f:
            data = f.read()
    except FileNotFoundError:
        abort(404)
    if request.headers.get("If-None-Match") == f'"{key}"':
        return Response(status=304, headers={"ETag": f'"{key}"', "Cache-Control": "public, max-age=31536000, immutable"})
    return Response(data, mimetype=CONTENT_TYPES[key.rsplit(".", 1)[1]], headers={
        "Cache-Control": "public, max-age=31536000, immutable", "ETag": f'"{key}"',
        "X-Content-Type-Options": "nosniff"})
