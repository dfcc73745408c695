"""The 31 provincial-level divisions and every spelling users may give for them (SPEC §2)."""

from __future__ import annotations

from dataclasses import dataclass

from .suggest import closest


@dataclass(frozen=True)
class Province:
    key: str  # pinyin key, also the pack file name
    code: str  # GB/T 2260 two-digit code
    abbr: str  # one-character abbreviation used in filing numbers (粤ICP备…)
    name: str  # full Chinese name, 广东省
    short: str  # 广东
    english: str

    def to_dict(self) -> dict[str, str]:
        return {"key": self.key, "code": self.code, "abbr": self.abbr, "name": self.name}


PROVINCES: tuple[Province, ...] = tuple(
    Province(*row)
    for row in (
        ("beijing", "11", "京", "北京市", "北京", "Beijing"),
        ("tianjin", "12", "津", "天津市", "天津", "Tianjin"),
        ("hebei", "13", "冀", "河北省", "河北", "Hebei"),
        ("shanxi", "14", "晋", "山西省", "山西", "Shanxi"),
        ("neimenggu", "15", "蒙", "内蒙古自治区", "内蒙古", "Inner Mongolia"),
        ("liaoning", "21", "辽", "辽宁省", "辽宁", "Liaoning"),
        ("jilin", "22", "吉", "吉林省", "吉林", "Jilin"),
        ("heilongjiang", "23", "黑", "黑龙江省", "黑龙江", "Heilongjiang"),
        ("shanghai", "31", "沪", "上海市", "上海", "Shanghai"),
        ("jiangsu", "32", "苏", "江苏省", "江苏", "Jiangsu"),
        ("zhejiang", "33", "浙", "浙江省", "浙江", "Zhejiang"),
        ("anhui", "34", "皖", "安徽省", "安徽", "Anhui"),
        ("fujian", "35", "闽", "福建省", "福建", "Fujian"),
        ("jiangxi", "36", "赣", "江西省", "江西", "Jiangxi"),
        ("shandong", "37", "鲁", "山东省", "山东", "Shandong"),
        ("henan", "41", "豫", "河南省", "河南", "Henan"),
        ("hubei", "42", "鄂", "湖北省", "湖北", "Hubei"),
        ("hunan", "43", "湘", "湖南省", "湖南", "Hunan"),
        ("guangdong", "44", "粤", "广东省", "广东", "Guangdong"),
        ("guangxi", "45", "桂", "广西壮族自治区", "广西", "Guangxi"),
        ("hainan", "46", "琼", "海南省", "海南", "Hainan"),
        ("chongqing", "50", "渝", "重庆市", "重庆", "Chongqing"),
        ("sichuan", "51", "川", "四川省", "四川", "Sichuan"),
        ("guizhou", "52", "贵", "贵州省", "贵州", "Guizhou"),
        ("yunnan", "53", "云", "云南省", "云南", "Yunnan"),
        ("xizang", "54", "藏", "西藏自治区", "西藏", "Xizang (Tibet)"),
        ("shaanxi", "61", "陕", "陕西省", "陕西", "Shaanxi"),
        ("gansu", "62", "甘", "甘肃省", "甘肃", "Gansu"),
        ("qinghai", "63", "青", "青海省", "青海", "Qinghai"),
        ("ningxia", "64", "宁", "宁夏回族自治区", "宁夏", "Ningxia"),
        ("xinjiang", "65", "新", "新疆维吾尔自治区", "新疆", "Xinjiang"),
    )
)

BY_KEY: dict[str, Province] = {p.key: p for p in PROVINCES}
BY_CODE: dict[str, Province] = {p.code: p for p in PROVINCES}
KEYS: tuple[str, ...] = tuple(BY_KEY)

_ALIASES: dict[str, Province] = {}
for _p in PROVINCES:
    for _alias in (_p.key, _p.code, _p.code + "0000", _p.abbr, _p.name, _p.short, _p.english.lower()):
        _ALIASES[_alias] = _p


def resolve(value: object) -> Province | None:
    """A province from its key, code (44 or 440000), abbreviation (粤) or name (广东, 广东省)."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    return _ALIASES.get(text) or _ALIASES.get(text.lower())


def spellings(province: Province) -> list[str]:
    """Every spelling ``resolve`` reads as ``province`` (compared as written, then in lower case)."""
    return [alias for alias, found in _ALIASES.items() if found is province]


def pack_key(value: object) -> str | None:
    """The pack a name means: "national", or a province's key from any of its spellings."""
    if isinstance(value, str) and value.strip().lower() == "national":
        return "national"
    province = resolve(value)
    return province.key if province else None


def suggest(value: object) -> str | None:
    return closest(str(value).strip().lower(), KEYS) or closest(str(value).strip(), [p.name for p in PROVINCES])


def from_code(code: str) -> Province | None:
    """Province of a two-digit region prefix (ID cards, credit codes); None for 71/81/82/83 and unknown."""
    return BY_CODE.get(code)


def from_address(text: str | None) -> Province | None:
    """The province an address starts with (广东省深圳市… -> guangdong), if it names one."""
    if not text:
        return None
    stripped = text.strip()
    for p in PROVINCES:
        if stripped.startswith(p.short):
            return p
    return None
