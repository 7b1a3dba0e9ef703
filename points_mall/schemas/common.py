"""Pieces shared by several schemas: masking, enums."""
def mask_phone(phone: str | None) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if phone and len(phone) >= 7 else ""


def mask_name(name: str | None) -> str:
    """张三 → 张*, 欧阳明 → 欧*明: enough for a member to find themselves on a public board."""
    if not name:
        return ""
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
