import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.identifiers import CertificateKind, CertificateNumber, InvalidIdentifier

PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新"


def test_wuhan_title_certificate() -> None:
    number = CertificateNumber(
        kind=CertificateKind.TITLE, province="鄂", year=2026, city="武汉市", serial=1234
    )
    assert number.format() == "鄂(2026)武汉市不动产权第0001234号"
    assert CertificateNumber.parse("鄂(2026)武汉市不动产权第0001234号") == number
    assert CertificateNumber.parse("鄂（2026）武汉市不动产权第0001234号") == number


@pytest.mark.parametrize(
    "text",
    [
        "桂(2017)南宁市不动产证明第0208814号",
        "桂（2017）南宁市不动产证明第0208814号",
        "桂(2017）南宁市不动产证明第0208814号",
    ],
)
def test_nanning_registration_proof_in_any_bracket_width(text: str) -> None:
    number = CertificateNumber.parse(text)
    assert number.kind is CertificateKind.PROOF
    assert (number.province, number.year, number.city, number.serial) == (
        "桂",
        2017,
        "南宁市",
        208814,
    )
    assert number.format() == "桂(2017)南宁市不动产证明第0208814号"


def test_short_serials_keep_their_printed_width() -> None:
    number = CertificateNumber.parse("鄂(2016)江夏区不动产权第020号")
    assert (number.serial, number.width) == (20, 3)
    assert number.format() == "鄂(2016)江夏区不动产权第020号"


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("鄂(2026)武汉市不动产第0001234号", "expected 省(年份)市县不动产权第"),
        ("鄂(26)武汉市不动产权第0001234号", "expected 省(年份)市县不动产权第"),
        ("A(2026)武汉市不动产权第0001234号", "A is not a provincial abbreviation"),
        ("鄂(2026)武汉市不动产权第0000000号", "serial number must be at least 1"),
        ("鄂(2026)武汉市不动产权第号", "expected"),
    ],
)
def test_malformed_numbers_are_refused_with_the_reason(text: str, rule: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        CertificateNumber.parse(text)
    assert caught.value.kind == "certificate_number"
    assert rule in caught.value.rule


def test_serial_must_fit_the_width() -> None:
    with pytest.raises(ValidationError, match="does not fit in 7 digits"):
        CertificateNumber(
            kind=CertificateKind.TITLE, province="鄂", year=2026, city="武汉市", serial=10_000_000
        )


@given(
    kind=st.sampled_from(CertificateKind),
    province=st.sampled_from(PROVINCES),
    year=st.integers(min_value=2015, max_value=2099),
    city=st.sampled_from(["武汉市", "南宁市", "江夏区", "黄陂区", "恩施土家族苗族自治州"]),
    width=st.integers(min_value=3, max_value=9),
    data=st.data(),
)
def test_format_and_parse_round_trip(
    kind: CertificateKind, province: str, year: int, city: str, width: int, data: st.DataObject
) -> None:
    serial = data.draw(st.integers(min_value=1, max_value=10**width - 1))
    number = CertificateNumber(
        kind=kind, province=province, year=year, city=city, serial=serial, width=width
    )
    text = number.format()
    assert CertificateNumber.parse(text) == number
    assert CertificateNumber.parse(text.replace("(", "（").replace(")", "）")) == number
    assert CertificateNumber.model_validate_json(number.model_dump_json()) == number
