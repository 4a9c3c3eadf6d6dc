"""SMS texts, bilingual; an applicant reads them on a phone, so they stay short."""

from __future__ import annotations

TEMPLATES: dict[str, str] = {
    "accepted": "【{hall}】您的不动产业务已受理，案件号{case_no}，承诺办结时间{due}。"
    " Case {case_no} accepted; due {due}.",
    "refused": "【{hall}】案件{case_no}未能办理：{reason} Case {case_no} cannot proceed: {reason}",
    "pay_taxes": "【{hall}】案件{case_no}已核定税费，应缴合计{total}元，请于{due}前缴纳。"
    " Taxes and fees of CNY {total} are due by {due}.",
    "payment_reminder": "【{hall}】提醒：案件{case_no}税费{total}元尚未缴纳，缴款期限{due}。"
    " Reminder: CNY {total} due by {due}.",
    "payment_due_changed": "【{hall}】节假日安排公布，案件{case_no}缴税期限调整为{due}，"
    "应缴{total}元。"
    " The payment deadline moved to {due} (official holiday schedule); CNY {total}.",
    "failed": "【{hall}】案件{case_no}办理中发现需人工核实的问题，已暂停办理，工作人员将与您联系。"
    " Case {case_no} is on hold for a staff review; we will contact you.",
    "payment_lapsed": "【{hall}】案件{case_no}逾期未缴税费，已终止办理，可重新申请。"
    " Case {case_no} closed: taxes and fees were not paid in time.",
    "certificate_ready": "【{hall}】案件{case_no}已登簿缮证，请选择窗口领取或EMS寄递。"
    " Your certificate is ready: choose window pickup or EMS.",
    "collection_reminder": "【{hall}】案件{case_no}的不动产权证书（证明）待领取，"
    "请选择窗口领取或EMS寄递。"
    " Your certificate is waiting for you.",
    "ready_at_window": "【{hall}】案件{case_no}证书可到窗口领取，请携带身份证。"
    " Pick up your certificate at the window with your ID card.",
    "shipped": "【{hall}】案件{case_no}证书已由EMS寄出，运单号{tracking_no}。"
    " Certificate sent by EMS, tracking {tracking_no}.",
}


def render(template: str, params: dict[str, str]) -> str:
    """Fill a template; a missing parameter is a bug, so it raises KeyError naming it."""
    return TEMPLATES[template].format(**params)
