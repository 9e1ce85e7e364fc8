"""Microsoft 365 directory through Microsoft Graph (app-only; needs the application
permissions User.Read.All and GroupMember.Read.All).

Expansion walks `/groups/{id}/members` level by level (the path is part of the answer);
VIP groups use `/groups/{id}/transitiveMembers`, which Graph flattens server-side.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import httpx

from phishloop.connectors.directory.base import (
    Group,
    Member,
    Person,
    Unresolved,
    dedupe,
    normalize_address,
)
from phishloop.connectors.directory.graph_client import GraphClient
from phishloop.connectors.directory.settings import GraphSettings
from phishloop.connectors.directory.shared import DirectoryBase

USER_FIELDS = "id,displayName,mail,userPrincipalName,proxyAddresses"
GROUP_FIELDS = "id,displayName,mail,proxyAddresses"
_USER, _GROUP = "#microsoft.graph.user", "#microsoft.graph.group"


class GraphDirectory(DirectoryBase):
    def __init__(
        self,
        settings: GraphSettings,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.settings = settings
        self.client = GraphClient(settings, http, sleep)
        self._by_address: dict[str, Person | Group | None] = {}

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> GraphDirectory:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def find(self, address: str) -> Person | Group | None:
        address = normalize_address(address)
        if address not in self._by_address:
            self._by_address[address] = self._find(address)
        return self._by_address[address]

    def _find(self, address: str) -> Person | Group | None:
        quoted = address.replace("'", "''")  # OData string literal escaping
        by_proxy = f"proxyAddresses/any(p:p eq 'smtp:{quoted}')"
        users = self.client.get(
            "/users",
            {
                "$filter": f"mail eq '{quoted}' or userPrincipalName eq '{quoted}' or {by_proxy}",
                "$select": USER_FIELDS,
                "$count": "true",
            },
        )
        for item in users.get("value", []):
            person = self._person(item)
            if isinstance(person, Person):
                return person
        groups = self.client.get(
            "/groups",
            {
                "$filter": f"mail eq '{quoted}' or {by_proxy}",
                "$select": GROUP_FIELDS,
                "$count": "true",
            },
        )
        found = groups.get("value", [])
        return _group(found[0]) if found else None

    def members(self, group: Group) -> Sequence[Member]:
        items = self.client.pages(
            f"/groups/{group.key}/members",
            {"$select": USER_FIELDS, "$top": str(self.settings.page_size)},
        )
        return [self._member(item) for item in items]

    def people(self) -> Iterable[Person]:
        items = self.client.pages(
            "/users", {"$select": USER_FIELDS, "$top": str(self.settings.page_size)}
        )
        for item in items:
            person = self._person(item)
            if isinstance(person, Person):
                yield person

    def vip_member_keys(self) -> frozenset[str]:
        if self._vip_keys is None:
            keys: set[str] = set()
            for address in self.vip_groups:
                group = self.find(address)
                if isinstance(group, Group):
                    path = f"/groups/{group.key}/transitiveMembers"
                    params = {"$select": "id", "$top": str(self.settings.page_size)}
                    keys.update(
                        str(item["id"])
                        for item in self.client.pages(path, params)
                        if item.get("@odata.type") == _USER
                    )
            self._vip_keys = frozenset(keys)
        return self._vip_keys

    def _member(self, item: Mapping[str, Any]) -> Member:
        kind = item.get("@odata.type")
        if kind == _GROUP:
            return _group(item)
        if kind == _USER:
            return self._person(item)
        ref = str(item.get("mail") or item.get("id") or "?")
        return Unresolved(
            ref, "external contact" if kind == "#microsoft.graph.orgContact" else str(kind)
        )

    def _person(self, item: Mapping[str, Any]) -> Person | Unresolved:
        mail = normalize_address(str(item.get("mail") or ""))
        upn = str(item.get("userPrincipalName") or "")
        if not mail:
            return Unresolved(upn or str(item.get("id")), "user without a mailbox")
        proxies = [str(p) for p in item.get("proxyAddresses") or []]
        aliases = [normalize_address(p[5:]) for p in proxies if p.lower().startswith("smtp:")]
        mailbox = {"id": str(item.get("id", "")), "mail": mail}.get(
            self.settings.mailbox_attribute, upn
        )
        return Person(
            key=str(item["id"]),
            address=mail,
            mailbox=mailbox or mail,
            name=str(item.get("displayName") or ""),
            aliases=tuple(a for a in dedupe([*aliases, normalize_address(upn)]) if a != mail),
        )


def _group(item: Mapping[str, Any]) -> Group:
    mail = normalize_address(str(item.get("mail") or "")) or None
    return Group(key=str(item["id"]), address=mail, name=str(item.get("displayName") or item["id"]))
