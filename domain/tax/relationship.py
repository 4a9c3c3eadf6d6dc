"""Who the transferee of a gratuitous transfer is to the transferor: it decides the reliefs.

The list is the one of 财税〔2009〕78号 art. 1 (income tax) and 财税〔2016〕36号 附件3
art. 1(36) (VAT): close family, the person who supports or raises the owner, and the heir.
"""

from enum import StrEnum


class Relationship(StrEnum):
    """The transferee's relationship to the transferor (the donee's to the donor)."""

    SPOUSE = "spouse"
    PARENT = "parent"
    CHILD = "child"
    GRANDPARENT = "grandparent"  # 祖父母、外祖父母
    GRANDCHILD = "grandchild"  # 孙子女、外孙子女
    SIBLING = "sibling"
    # 对其承担直接抚养或者赡养义务的抚养人或者赡养人: the person who raises or supports the owner
    DEPENDANT = "dependant"
    # 法定继承人 (a testamentary heir is one of them, 民法典 art. 1133); a legatee outside the
    # heirs is not, and goes to the tax desk
    HEIR = "heir"
