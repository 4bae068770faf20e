"""Channel metafields (`/v3/channels/{channel_id}/metafields`): storeconf keeps its store lock on
channel 1, which every store has and nobody can delete (see storeconf.lock)."""

from __future__ import annotations

from storeconf.sandbox.core import metafields
from storeconf.sandbox.core.metafields import Owner

RESOURCE = metafields.resource(
    "channel_metafields", (Owner("channel", "/v3/channels", "channel_id", "channels"),)
)
