"""The workspace runner the scheduler's settings choose, with its image catalog."""

from __future__ import annotations

from services.scheduler.settings import SchedulerSettings
from services.scheduler.workspaces.images import ImageCatalog
from services.scheduler.workspaces.runner import WorkspaceRunner


def chosen_runner(settings: SchedulerSettings) -> tuple[WorkspaceRunner, ImageCatalog] | None:
    if settings.workspace_runner == "podman":
        from services.scheduler.workspaces.default_image import podman_reference
        from services.scheduler.workspaces.podman_runner import PodmanRunner

        runner = PodmanRunner(
            settings.data_dir / "workspaces",
            port_host=settings.workspace_port_host,
            gpus=settings.workspace_gpus,
        )
        return runner, ImageCatalog(settings.dataforest_images, podman_reference)
    if settings.workspace_runner == "kubernetes":
        from services.scheduler.workspaces.kubernetes_manifests import KubernetesSettings
        from services.scheduler.workspaces.kubernetes_runner import from_kubeconfig

        registry = settings.workspace_image_registry.rstrip("/")
        kubernetes_runner = from_kubeconfig(
            KubernetesSettings(
                storage_claim=settings.workspace_kubernetes_storage_claim,
                storage_root=settings.workspace_storage,
                namespace=settings.workspace_kubernetes_namespace,
                gpus=settings.workspace_gpus,
            )
        )
        catalog = ImageCatalog(
            settings.dataforest_images, lambda name, tag: f"{registry}/{name}:{tag}" if registry else f"{name}:{tag}"
        )
        return kubernetes_runner, catalog
    return None
