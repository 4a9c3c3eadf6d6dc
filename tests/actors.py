"""Staff the tests act as, one per role (what a valid token of that role carries)."""

from __future__ import annotations

from models.actor import Actor, Role

TAX_CLERK = Actor(staff_id="T-0107", name="税务 王五", role=Role.TAX)
WINDOW_CLERK = Actor(staff_id="W-0203", name="窗口 赵六", role=Role.WINDOW, window="A3")
INTAKE_CLERK = Actor(staff_id="I-0301", name="收件 钱七", role=Role.INTAKE, window="A1")
SUPERVISOR = Actor(staff_id="S-0001", name="科长 孙八", role=Role.SUPERVISOR)
