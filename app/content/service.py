"""The guidance in use: loaded once at start-up, and the snapshots rounds were started with."""

from functools import lru_cache

from sqlmodel import Session, select

from app.audit import record
from app.content.lineage import Lineage, load_lineage, load_versions
from app.content.loader import checksum, from_snapshot, load_guidance, snapshot
from app.content.models import ContentVersion
from app.content.schema import Guidance
from app.settings import get_settings


@lru_cache(maxsize=1)
def current_guidance() -> Guidance:
    """The latest content version on disk; raises ContentError if it is broken."""
    return load_guidance(get_settings().guidance_dir)


@lru_cache(maxsize=1)
def current_lineage() -> Lineage:
    """The lineage map across the content versions on disk (empty with a single version)."""
    root = get_settings().guidance_dir
    if (root / "meta.yaml").exists():
        return Lineage()
    return load_lineage(root, load_versions(root))


def current_version(session: Session) -> ContentVersion:
    """The stored snapshot of the current content, created the first time it is used."""
    guidance = current_guidance()
    version, created = store_version(session, guidance)
    if created:
        record(
            session,
            None,
            "content_version_loaded",
            guidance.meta.version,
            checksum=version.checksum,
        )
    return version


def store_version(session: Session, guidance: Guidance) -> tuple[ContentVersion, bool]:
    """This content as a stored snapshot, found by its checksum or created; True if created."""
    digest = checksum(guidance)
    found = session.exec(select(ContentVersion).where(ContentVersion.checksum == digest)).first()
    if found is not None:
        return found, False
    version = ContentVersion(
        version=guidance.meta.version, checksum=digest, body=snapshot(guidance)
    )
    session.add(version)
    session.flush()
    return version, True


# Snapshots never change, so each is parsed once per database (ids differ between databases).
_snapshots: dict[tuple[str, int, tuple[str, ...]], Guidance] = {}


def guidance_for(
    session: Session, content_version_id: int, modules: tuple[str, ...] = ()
) -> Guidance:
    """The content a round was started with, exactly as it was then: the core areas and the
    optional modules chosen for the round."""
    database = str(session.get_bind().engine.url)
    found = loaded_guidance(database, content_version_id, modules)
    if found is not None:
        return found
    version = session.get(ContentVersion, content_version_id)
    if version is None:
        raise LookupError(f"content version {content_version_id} is missing")
    _snapshots[(database, content_version_id, ("*",))] = from_snapshot(version.body)
    return _with_modules(database, content_version_id, modules)


def loaded_guidance(
    database: str, content_version_id: int, modules: tuple[str, ...]
) -> Guidance | None:
    """`guidance_for` without the database: the snapshot if this process has read it
    already (by `str(engine.url)`), else None. For the asynchronous autosave."""
    if (database, content_version_id, ("*",)) not in _snapshots:
        return None
    return _with_modules(database, content_version_id, modules)


def _with_modules(database: str, content_version_id: int, modules: tuple[str, ...]) -> Guidance:
    key = (database, content_version_id, modules)
    if key not in _snapshots:
        _snapshots[key] = _snapshots[(database, content_version_id, ("*",))].with_modules(modules)
    return _snapshots[key]
