"""``ehcp-bot services`` and ``ehcp-bot roles``: what an administrator sets up."""

from __future__ import annotations

import argparse

from bot.cli.common import Commands, LateChoices, cli_actor, open_store


def register(commands: Commands, db: argparse.ArgumentParser) -> None:
    """Add ``services`` and ``roles`` with their subcommands."""
    _register_services(commands, db)
    _register_roles(commands, db)


def _register_services(commands: Commands, db: argparse.ArgumentParser) -> None:
    services = commands.add_parser(
        "services",
        help="add and list provider services",
        description="Add and list the provider services (teams) the assistant tracks.",
    )
    sub = services.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = sub.add_parser(
        "add",
        parents=[db],
        help="add a service",
        description='Add a provider service, e.g. "Children\'s SLT" (names ignore case).',
    )
    add.add_argument("name", help="the service's name")
    add.add_argument("--provider", help="the provider organisation (e.g. the NHS trust)")
    add.set_defaults(handler=_add_service)
    listing = sub.add_parser(
        "list", parents=[db], help="list services", description="List every provider service."
    )
    listing.set_defaults(handler=_list_services)


def _register_roles(commands: Commands, db: argparse.ArgumentParser) -> None:
    roles = commands.add_parser(
        "roles",
        help="grant, revoke and list roles",
        description="Grant, revoke and list people's roles (by Entra ID object id).",
    )
    sub = roles.add_subparsers(dest="action", metavar="ACTION", required=True)
    for verb, text in (("grant", "Grant a role to a person."), ("revoke", "Take a role away.")):
        parser = sub.add_parser(verb, parents=[db], help=text.lower().rstrip("."), description=text)
        parser.add_argument(
            "--user",
            required=True,
            metavar="OBJECT_ID",
            help="the person's Entra ID object id (a GUID)",
        )
        parser.add_argument(
            "--role",
            required=True,
            metavar="ROLE",
            choices=LateChoices(_roles),
            help="%(choices)s: practitioner and spoc need --service; dco and admin cover all",
        )
        parser.add_argument("--service", metavar="NAME", help="the service the role is for")
        if verb == "grant":
            parser.add_argument("--name", metavar="DISPLAY", help="the person's display name")
        parser.set_defaults(handler=_grant if verb == "grant" else _revoke)
    listing = sub.add_parser(
        "list", parents=[db], help="list roles", description="List everyone's roles."
    )
    listing.set_defaults(handler=_list_roles)


def _roles() -> list[str]:
    from ehcp_rules import Role

    return [role.value for role in Role]


def _add_service(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        service = store.call(
            lambda r: r.services.add(args.name, provider=args.provider, actor=cli_actor())
        )
    print(f"Added service {service.name!r} (number {service.id}).")
    return 0


def _list_services(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        services = store.call(lambda r: r.services.all())
    if not services:
        print("No services yet. Add one with: ehcp-bot services add NAME")
    for service in services:
        provider = f" — {service.provider}" if service.provider else ""
        print(f"{service.id:>4}  {service.name}{provider}")
    return 0


def _grant(args: argparse.Namespace) -> int:
    from ehcp_rules import Role

    with open_store(args) as store:
        grant = store.call(
            lambda r: r.people.grant(
                args.user,
                Role(args.role),
                service=args.service,
                display_name=args.name,
                actor=cli_actor(),
            )
        )
    where = f" for {grant.service_name}" if grant.service_name else " for every service"
    print(f"{grant.display_name or grant.object_id} is now {grant.role.label}{where}.")
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from ehcp_rules import Role

    with open_store(args) as store:
        store.call(
            lambda r: r.people.revoke(
                args.user, Role(args.role), service=args.service, actor=cli_actor()
            )
        )
    print(f"Revoked {args.role} from {args.user}.")
    return 0


def _list_roles(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        grants = store.call(lambda r: r.people.all_grants())
    if not grants:
        print("No roles granted yet. Grant one with: ehcp-bot roles grant --user ID --role ROLE")
    width = max((len(g.display_name or "(no name)") for g in grants), default=0)
    for grant in grants:
        who = grant.display_name or "(no name)"
        service = grant.service_name or "all services"
        print(f"{grant.object_id}  {who:<{width}}  {grant.role.value:<12}  {service}")
    return 0
