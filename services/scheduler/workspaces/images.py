"""The operator's image list (TORII_DATAFOREST_IMAGES): which images workspaces may run, as the
contract names them, and the runner's own reference for each."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from services.policy.workspace_rules import image_name_and_tag
from services.scheduler.workspaces.runner import WorkspaceFailed


class ImageCatalog:
    def __init__(self, images: Mapping[str, Sequence[str]], reference: Callable[[str, str], str]) -> None:
        """`reference(name, tag)` is the runner's reference of the image `name:tag`."""
        self._listed = {image for listed in images.values() for image in listed}
        self._reference = reference

    def resolve(self, image: str) -> str:
        """The runner's reference for a contract image name (`dataforest/` prefix or not); raises
        WorkspaceFailed for an image the operator did not list."""
        parts = image_name_and_tag(image)
        if parts is None:
            raise WorkspaceFailed(f"image {image} is not an image name")
        name, tag = parts
        if f"{name}:{tag}" not in self._listed and image not in self._listed:
            raise WorkspaceFailed(f"image {image} is not in this runner's image list (getDockerImageList)")
        return self._reference(name, tag)
